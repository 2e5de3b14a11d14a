# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 6 · Capstone: one network, two engines
#
# Lecture 2 built a scalar autograd engine, `helpers.autograd.Value`: every number remembers how it
# was made, and `backward()` applies the chain rule node by node. Lectures 3 to 5 wrote the same
# chain rule as matrix products, `helpers.layers` and `helpers.network`. This capstone trains one
# small network both ways, **micrograd style** with `Value`s and vectorised with matrices, from the
# same weights, and checks that the two agree: the loss, every gradient, every training step and
# the trained predictions.
#
# Notation as in every lecture ([the notation page](../docs/notation.md)): a batch $X$ is $(N, D)$,
# one example per row; a layer computes $Z = XW + b$ with $W$ of shape $(D, M)$ and $A = f(Z)$;
# $dW$ in code is $\bar W = \partial L/\partial W$ in prose.
#
# **Learning goals.** After this capstone you can
#
# 1. build and train a multilayer perceptron out of scalar `Value`s (forward, `zero_grad`,
#    `backward`, update);
# 2. map its weights onto the matrix form: neuron $j$'s weight from input $i$ is $W_{ij}$;
# 3. verify two implementations of backpropagation against each other, gradient by gradient, and
#    both against finite differences;
# 4. say why the vectorised engine is the one to train with, and the scalar one the one to learn from.
#
# Sources: the scalar engine of lecture 2 (in the style of Karpathy's micrograd); the layer rules of
# lectures 3 and 5; the noisy XOR data of COMP 755.

# %%
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np

from helpers.autograd import MLP, topological_order
from helpers.data import noisy_xor
from helpers.gradcheck import check_gradient
from helpers.layers import MSE, Linear, Tanh
from helpers.network import Sequential, train
from helpers.plots import plot_decision_boundary

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · The data and the scalar network
#
# Twenty-four noisy XOR points (lecture 4's data, fewer of them: a scalar engine builds one node per
# multiplication, so it is slow). The network is 2-4-1: four tanh units, one linear output, trained on
# the mean squared error against the 0/1 labels.

# %%
X, y = noisy_xor(24, noise=0.1, seed=1)
Y = y.reshape(-1, 1).astype(float)
print("X", X.shape, " y", y.shape, " ones:", int(y.sum()))

model = MLP(2, [4, 1], rng=0)          # tanh hidden layer, linear output
print(model)
print("parameters:", len(model.parameters()))


def scalar_loss(model, X, y):
    # mean squared error, one Value graph for the whole batch
    outputs = [model(list(x)) for x in X]
    loss = sum((out - t) ** 2 for out, t in zip(outputs, y)) / len(X)
    return loss, outputs


loss_v, outputs_v = scalar_loss(model, X, y)
n_nodes = len(topological_order(loss_v))
print(f"loss {loss_v.data:.6f}, computed by a graph of {n_nodes} Value nodes")
assert len(model.parameters()) == (2 * 4 + 4) + (4 * 1 + 1)

# %% [markdown]
# ## 2 · The same weights, in matrix form
#
# Neuron $j$ of a layer holds one weight per input; in the row form of the course that is column
# $j$ of $W$: $W_{ij}$ = neuron $j$'s weight from input $i$, and $b_j$ its bias. Copy the weights
# into a `Sequential(Linear, Tanh, Linear)` and compare the two forward passes:

# %%
def to_matrices(model):
    # [(W, b)] per layer: W[i, j] = neuron j's weight from input i
    return [(np.array([[w.data for w in n.w] for n in layer.neurons]).T,
             np.array([n.b.data for n in layer.neurons])) for layer in model.layers]


net = Sequential(Linear(2, 4, dtype=np.float64), Tanh(), Linear(4, 1, dtype=np.float64))
for linear, (W, b) in zip((net[0], net[2]), to_matrices(model)):
    linear.params["W"][...] = W
    linear.params["b"][...] = b
print("W1", net[0].params["W"].shape, " b1", net[0].params["b"].shape,
      " W2", net[2].params["W"].shape, " b2", net[2].params["b"].shape)

mse = MSE()
loss_m = mse.forward(net.forward(X), Y)
out_v = np.array([o.data for o in outputs_v])
out_m = net.forward(X)[:, 0]
print(f"loss: Value {loss_v.data:.12f}, matrices {loss_m:.12f}")
print("the 24 outputs agree to 1e-12:", np.allclose(out_v, out_m, rtol=0, atol=1e-12))
assert abs(loss_v.data - loss_m) < 1e-12 and np.allclose(out_v, out_m, rtol=0, atol=1e-12)

# %% [markdown]
# ## 3 · The same gradients
#
# `loss.backward()` walks the `Value` graph; `net.backward(mse.backward())` applies the matrix
# rules ($\bar W = A_{\text{in}}^\top\bar Z$, $\bar b$ = column sums of $\bar Z$, $\bar A_{\text{in}} = \bar Z W^\top$,
# $\bar Z = \tanh'(Z)\odot\bar A$). Gather the scalar gradients in the matrix layout and compare,
# then check the matrix gradients against finite differences:

# %%
def scalar_grads(model):
    # [(dW, db)] per layer, in the matrix layout of to_matrices
    return [(np.array([[w.grad for w in n.w] for n in layer.neurons]).T,
             np.array([n.b.grad for n in layer.neurons])) for layer in model.layers]


model.zero_grad()
loss_v, _ = scalar_loss(model, X, y)
loss_v.backward()
mse.forward(net.forward(X), Y)
net.backward(mse.backward())
for k, ((dW_v, db_v), linear) in enumerate(zip(scalar_grads(model), (net[0], net[2])), start=1):
    pairs = ((f"dW{k}", dW_v, linear.grads["W"]), (f"db{k}", db_v, linear.grads["b"]))
    for name, g_v, g_m in pairs:
        P = linear.params[name[1]]
        r = check_gradient(lambda _: mse.forward(net.forward(X), Y), P, g_m, name=name)
        same = np.allclose(g_v, g_m, rtol=1e-10, atol=1e-14)
        print(f"{name} {str(g_m.shape):7s} Value = matrices: {same};  finite differences: "
              f"{'passed' if r.passed else 'FAILED'}")
        assert same and r.passed

# %% [markdown]
# **Quick check.** We called `model.zero_grad()` before `backward()`. What would the gradients be
# without it, after this second call to `backward()`?
#
# <details><summary>Answer</summary>
#
# Gradients **accumulate** (like PyTorch): without `zero_grad()` each parameter's `grad` would hold
# the sum of both calls. Here both calls computed the same loss, so every gradient would be doubled.
# The cell below shows it.
# </details>

# %%
g_once = scalar_grads(model)[0][0].copy()
loss_again, _ = scalar_loss(model, X, y)
loss_again.backward()                                   # no zero_grad: adds to what is there
g_twice = scalar_grads(model)[0][0]
print("dW1 after a second backward without zero_grad, divided by the first:\n", g_twice / g_once)
assert np.allclose(g_twice, 2 * g_once, rtol=1e-12)
model.zero_grad()

# %% [markdown]
# ## 4 · Train both, step by step
#
# Full-batch gradient descent with learning rate 0.2 for 200 steps. The scalar engine in the loop of
# micrograd: forward, `zero_grad`, `backward`, update every parameter. The matrix network with
# `helpers.network.train` (`batch_size=None`: the whole batch each step, the same update). From the
# same start, the two should follow the same path:

# %%
lr, steps = 0.2, 200
print(f"learning rate {lr}, {steps} full-batch steps")
t0 = time.perf_counter()
losses_v = []
for _ in range(steps):
    loss_v, _ = scalar_loss(model, X, y)
    losses_v.append(loss_v.data)
    model.zero_grad()
    loss_v.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
seconds_v = time.perf_counter() - t0

t0 = time.perf_counter()
hist = train(net, MSE(), X, Y, epochs=steps, lr=lr, quiet=True)
seconds_m = time.perf_counter() - t0

print("step    loss (Value)   loss (matrices)")
for k in (0, 1, 10, 50, 199):
    print(f"{k:4d}    {losses_v[k]:.8f}     {hist.loss[k]:.8f}")
print("the two loss curves agree at all 200 steps (rtol 1e-9):",
      np.allclose(losses_v, hist.loss, rtol=1e-9, atol=1e-12))
assert np.allclose(losses_v, hist.loss, rtol=1e-9, atol=1e-12)
assert hist.loss[-1] < 0.1 * hist.loss[0]

# %% [markdown]
# ## 5 · The trained networks agree

# %%
final_v = np.array([model(list(x)).data for x in X])
final_m = net.forward(X)[:, 0]
for (W_v, b_v), linear in zip(to_matrices(model), (net[0], net[2])):
    assert np.allclose(W_v, linear.params["W"], atol=1e-9)
    assert np.allclose(b_v, linear.params["b"], atol=1e-9)
print("trained weights equal: True")
print("trained predictions agree to 1e-9:", np.allclose(final_v, final_m, rtol=0, atol=1e-9))
acc_v, acc_m = np.mean((final_v > 0.5) == y), np.mean((final_m > 0.5) == y)
print(f"training accuracy: Value {acc_v:.1%}, matrices {acc_m:.1%}")
corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
print("the four corners:", net.forward(corners)[:, 0].round(3))
assert np.allclose(final_v, final_m, rtol=0, atol=1e-9) and acc_v == acc_m == 1.0
assert np.array_equal(net.forward(corners)[:, 0] > 0.5, [False, True, True, False])

# %%
fig, ax = plt.subplots(figsize=(4.2, 3.8))
plot_decision_boundary(lambda P: net.forward(P)[:, 0], X, y, ax=ax,
                       title="2-4-1 tanh net after 200 steps")
fig.colorbar(ax.collections[0], ax=ax, label="network output")
plt.show()

# %% [markdown]
# **Try it.** Move the slider: the vectorised network starts again from the scalar network's first
# weights and trains for that many steps with the same learning rate. Watch the boundary form, and
# find how many steps it takes before every point is on the right side.

# %% tags=["nbval-ignore-output"]
from ipywidgets import IntSlider, interact

start = to_matrices(MLP(2, [4, 1], rng=0))      # the same first weights as above


def train_for(steps=200):
    fresh = Sequential(Linear(2, 4, dtype=np.float64), Tanh(), Linear(4, 1, dtype=np.float64))
    for linear, (W, b) in zip((fresh[0], fresh[2]), start):
        linear.params["W"][...] = W
        linear.params["b"][...] = b
    if steps:
        train(fresh, MSE(), X, Y, epochs=steps, lr=lr, quiet=True)
    out = fresh.forward(X)[:, 0]
    accuracy = np.mean((out > 0.5) == (y == 1))
    fig, ax = plt.subplots(figsize=(4.2, 3.8))
    plot_decision_boundary(lambda P: fresh.forward(P)[:, 0], X, y, ax=ax,
                           title=f"after {steps} steps")
    plt.show()
    print(f"{steps} steps: loss {np.mean((out - y) ** 2):.4f}, accuracy {accuracy:.0%}")


explorer = interact(train_for, steps=IntSlider(value=200, min=0, max=400, step=20,
                                              description="steps"))

# %% tags=["nbval-ignore-output"]
print(f"200 steps: Value engine {seconds_v:.2f} s, matrices {seconds_m:.3f} s "
      f"({seconds_v / seconds_m:.0f} times faster)")

# %% [markdown]
# Same numbers, very different cost: the scalar engine builds and walks a graph of hundreds of nodes
# for 24 points and 17 parameters at every step; the matrix version does the same arithmetic in a
# handful of array operations. (The timing cell's output differs from run to run.)
#
# **Quick check.** The scalar engine needs no derivation at all, the matrix one needs the layer rules.
# Why then check the matrix gradients against finite differences, when they already equal the
# scalar engine's?
#
# <details><summary>Answer</summary>
#
# Agreement of two implementations shows that they compute the same thing, not that it is the
# derivative: a shared mistake (a wrong loss, a wrong tanh derivative in both) would agree with
# itself. Finite differences use only the loss, so they are an independent witness.
# </details>
#
# ## Recap
#
# * A `Value` MLP is the matrix network written one number at a time: neuron $j$'s weight from input
#   $i$ is $W_{ij}$, its bias is $b_j$.
# * From the same weights the two engines give the same loss, the same gradients (each also checked
#   by finite differences), the same 200 training steps and the same trained network: 100.0% of the
#   24 points right, XOR on the four corners.
# * `backward()` accumulates: `zero_grad()` before every step.
# * Learn with the scalar engine, train with matrices.
