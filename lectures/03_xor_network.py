# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 3 · The XOR network
#
# Two lectures ago we differentiated single functions; last lecture we pushed gradients through a
# graph of scalars. Now we put the pieces together into the object the whole field is named after:
# a **neural network**, trained by **backpropagation**.
#
# XOR is the smallest problem that needs a hidden layer, and it is small enough that we can write
# every weight down by hand, check every gradient by finite differences, and *watch* training happen.
#
# Notation as in every lecture ([the notation page](../docs/notation.md)): a batch $X$ is $(N, D)$,
# one example per row; a layer computes the **pre-activation** $Z = XW + b$ with $W$ of shape
# $(D, M)$ and the **activation** $A = f(Z)$; $dW$ in code is $\bar W = \partial E/\partial W$ in prose.
# COMP 755 writes the same layer for column vectors; section 2 shows both forms side by side once,
# and converts.
#
# **Learning goals.** After this lecture you can
#
# 1. explain why no linear model can compute XOR, and how one hidden layer fixes that;
# 2. run **forward propagation** $\mathbf z^l = \mathbf a^{l-1} W^l + \mathbf b^l$, $\mathbf a^l = f(\mathbf z^l)$,
#    storing every $\mathbf z^l$ and $\mathbf a^l$, and convert from the slides' column form;
# 3. run the **backward recursion** for $\partial\,\text{loss}/\partial \mathbf a^l$ and turn it into
#    gradients for every weight and bias, first with loops, then in matrix form for a whole batch;
# 4. **derive** a matrix gradient from the shapes alone ($dW$ must be $(D, M)$, so $dW = X^\top dZ$);
# 5. **check** a gradient with finite differences, and recognise two classic bugs a check can miss.
#
# Training this network, and what can go wrong, is lecture 4.
#
# Sources: COMP 755 (UNC) lecture 22 for the layer notation, the hand-built net, the backward
# recursion and the gradient check; UCSB 165B for the bias trick and the empirical risk; U. Alberta
# for the matrix rules; CS231n for deriving gradients from shapes. The slides contain a few slips;
# we point them out where we meet them.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from helpers import widgets
from helpers.data import noisy_xor, xor_table
from helpers.gradcheck import check_gradient, numerical_gradient

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · XOR: four points no straight line can separate
#
# | $x_1$ | $x_2$ | $y = x_1 \oplus x_2$ |
# |:-:|:-:|:-:|
# | 0 | 0 | 0 |
# | 0 | 1 | 1 |
# | 1 | 0 | 1 |
# | 1 | 1 | 0 |
#
# A linear classifier says "1" when $w_1 x_1 + w_2 x_2 + b > 0$. For XOR it would need
#
# $$b \le 0, \qquad w_2 + b > 0, \qquad w_1 + b > 0, \qquad w_1 + w_2 + b \le 0 .$$
#
# Add the two middle inequalities: $w_1 + w_2 + 2b > 0$, so $w_1 + w_2 + b > -b \ge 0$, which
# contradicts the last one. **No line separates the two classes.** Let us not just believe the algebra:

# %%
X4, y4 = xor_table()
print("inputs:\n", X4, "\nlabels:", y4)

# Try 200,000 random lines w1*x1 + w2*x2 + b > 0 and keep the best accuracy on the 4 points.
rng = np.random.default_rng(0)
w = rng.normal(size=(200_000, 3))
pred = (X4 @ w[:, :2].T + w[:, 2]) > 0                 # (4, 200000)
best = (pred == y4[:, None]).mean(axis=0).max()
print(f"best accuracy of 200,000 random linear classifiers: {best:.2f}")
assert best == 0.75                                    # never all four

# %% [markdown]
# Three out of four is the best a line can do. The *least-squares* linear model is even more telling:
# fitted to the four points, it gives up completely and predicts ½ everywhere.

# %%
A = np.column_stack([X4, np.ones(4)])                  # features x1, x2 and a constant
coef, *_ = np.linalg.lstsq(A, y4.astype(float), rcond=None)
print("w1, w2, b =", coef.round(4), "  predictions:", (A @ coef).round(4))
assert np.allclose(A @ coef, 0.5)


# %% [markdown]
# The way out is to **change the features**. If a first layer computes two new features
# $h_1$ ("$x_1$ and not $x_2$") and $h_2$ ("$x_2$ and not $x_1$"), then XOR is simply
# "$h_1$ or $h_2$", and *that* is linearly separable. A network learns such features; first we build
# them by hand.
#
# ## 2 · Layers: the slides' column form and our row form
#
# A network with $L$ layers maps an input to a prediction $\hat y$ by repeating one step. Layer $l$
# has $n_l$ units. COMP 755 writes an example as a **column** vector; this course (like `helpers`,
# U. Alberta, UCSB and most libraries) writes it as a **row**, so that a batch is rows stacked:
#
# | | COMP 755 (columns) | this course (rows) |
# |---|---|---|
# | one layer | $\mathbf z^l = \mathbf W^l_{\text{col}}\, \mathbf h^{l-1} + \mathbf b^l$ | $\mathbf z^l = \mathbf a^{l-1} W^l + \mathbf b^l$ |
# | activation | $\mathbf h^l = f(\mathbf z^l)$ | $\mathbf a^l = f(\mathbf z^l)$ |
# | weight shape | $n_l \times n_{l-1}$ (outputs × inputs) | $n_{l-1} \times n_l$ (inputs × outputs): $W^l = (\mathbf W^l_{\text{col}})^\top$ |
# | weight from input $j$ to unit $i$ | $w^l_{ij}$ | $W^l_{ji}$ |
# | a batch | columns side by side | rows: $Z = XW + b$, $X$ of shape $(N, D)$ |
#
# Both compute the same numbers: the row form is the transpose of the column form,
# $(\mathbf W_{\text{col}}\mathbf h)^\top = \mathbf h^\top \mathbf W_{\text{col}}^\top$. From here on we use the row form
# only, with $\mathbf a^0 = \mathbf x$ and $\hat y = a^L$.
#
# We keep both $\mathbf z^l$ (the pre-activation) and $\mathbf a^l$ (the activation): the backward
# pass will need both. Here $f$ is the sigmoid $\sigma(z) = 1/(1+e^{-z})$, whose derivative we will
# meet again and again: $\sigma'(z) = \sigma(z)\,(1-\sigma(z))$.
#
# The slides' code returns each function's value *and* its derivative. We do the same, and check the
# derivative numerically straight away.

# %%
def sigmoid(z):
    # returns a = sigma(z) and g = sigma'(z), both elementwise
    a = 1.0 / (1.0 + np.exp(-z))
    return a, a * (1.0 - a)


z0 = 0.7
print("sigma'(0.7) formula:", round(sigmoid(z0)[1], 8),
      " finite differences:", round(numerical_gradient(lambda z: sigmoid(z)[0], z0), 8))
assert abs(sigmoid(z0)[1] - numerical_gradient(lambda z: sigmoid(z)[0], z0)) < 1e-9


# %% [markdown]
# ### Two losses
#
# For a real-valued target COMP 755 uses the **squared loss**, for a binary target the
# **binary cross-entropy**:
#
# $$\text{loss}(\hat y, y) = \tfrac12 (y-\hat y)^2, \qquad
#   \frac{\partial\,\text{loss}}{\partial \hat y} = \hat y - y ;$$
#
# $$\text{loss}(\hat y, y) = -y\log\hat y-(1-y)\log(1-\hat y), \qquad
#   \frac{\partial\,\text{loss}}{\partial \hat y} = \frac{\hat y - y}{\hat y\,(1-\hat y)} .$$
#
# The objective adds the loss over the training samples: $E = \sum_t \text{loss}(\hat y(\mathbf x^t), y^t)$.

# %%
def squared_loss(yhat, y):
    return 0.5 * (yhat - y) ** 2, yhat - y


def bce_loss(yhat, y):
    return -y * np.log(yhat) - (1 - y) * np.log(1 - yhat), (yhat - y) / (yhat * (1 - yhat))


for name, loss_fn in (("squared", squared_loss), ("cross-entropy", bce_loss)):
    for y_, yh in ((1, 0.3), (0, 0.8)):
        fd = numerical_gradient(lambda p, f=loss_fn, t=y_: f(p, t)[0], yh)
        print(f"{name:13s} y={y_} yhat={yh}: derivative {loss_fn(yh, y_)[1]:+.6f}, "
              f"finite differences {fd:+.6f}")
        assert abs(loss_fn(yh, y_)[1] - fd) < 1e-6

# %% [markdown]
# **Sanity check (a question from the slides).** Is the loss larger when $\hat y \ne y$ than when
# $\hat y = y$? Take $0 \log 0 = 0$. Before reading the table, predict which entries are zero and
# which one is the largest.

# %%
print("  y  yhat   squared   cross-entropy")
for y_ in (0, 1):
    for yh in (0.01, 0.5, 0.99):
        print(f"  {y_}  {yh:4.2f}   {squared_loss(yh, y_)[0]:.4f}    {bce_loss(yh, y_)[0]:.4f}")
for loss_fn in (squared_loss, bce_loss):   # the closer yhat is to y, the smaller the loss
    assert loss_fn(0.99, 1)[0] < loss_fn(0.5, 1)[0] < loss_fn(0.01, 1)[0]
    assert loss_fn(0.01, 0)[0] < loss_fn(0.5, 0)[0] < loss_fn(0.99, 0)[0]


# %% [markdown]
# Both losses are smallest when the prediction agrees with the label. Cross-entropy punishes a
# *confident* mistake far harder (4.6 against 0.49), which is why it is the usual choice for
# classification. In this lecture we follow COMP 755 and use the squared loss throughout.
#
# ## 3 · A network built by hand
#
# COMP 755 wires up the two features of section 1 with a scale factor $F$:
#
# | | (0,0) | (1,0) | (0,1) | (1,1) |
# |---|:-:|:-:|:-:|:-:|
# | $h_1 = \sigma(F(-0.5 + x_1 - x_2))$ | 0 | 1 | 0 | 0 |
# | $h_2 = \sigma(F(-0.5 - x_1 + x_2))$ | 0 | 0 | 1 | 0 |
# | $\hat y = \sigma(F(-0.5 + h_1 + h_2))$ | 0 | 1 | 1 | 0 |
#
# The 0s and 1s are what happens as $F \to \infty$. The slides write the weights in column form;
# we transpose them once (the biases become plain vectors):
#
# $$\mathbf W^1_{\text{col}} = F\begin{bmatrix}1 & -1\\ -1 & 1\end{bmatrix},\quad
#   \mathbf W^2_{\text{col}} = F\begin{bmatrix}1 & 1\end{bmatrix}
#   \quad\longrightarrow\quad
#   W^1 = F\begin{bmatrix}1 & -1\\ -1 & 1\end{bmatrix}\ (2 \times 2),\quad
#   W^2 = F\begin{bmatrix}1\\ 1\end{bmatrix}\ (2 \times 1),\quad
#   \mathbf b^1 = F\,(-0.5, -0.5),\ \mathbf b^2 = F\,(-0.5).$$
#
# ($W^1$ is symmetric, so its transpose is itself; $W^2$ turns from a row into a column.) Forward
# propagation, as in the slides (ported to Python 3 and to rows), stores every $\mathbf z^l$ and
# $\mathbf a^l$. A single input is a row vector of shape $(2,)$.

# %%
def forward_prop(x, f, Ws, bs):
    As = [x]                      # a^0 = x
    Zs = [np.zeros_like(x)]       # z^0 is unused; keeps the indices aligned with the layers
    a = x
    for W, b in zip(Ws, bs):
        z = a @ W + b             # z^l = a^{l-1} W^l + b^l
        a, _ = f(z)               # a^l = f(z^l)
        Zs.append(z)
        As.append(a)
    return As, Zs


F = 5.0
Ws_col = [F * np.array([[1.0, -1.0], [-1.0, 1.0]]), F * np.array([[1.0, 1.0]])]   # the slides
bs_col = [F * np.array([[-0.5], [-0.5]]), F * np.array([[-0.5]])]
Ws = [W.T for W in Ws_col]                    # row form: W1 (2, 2), W2 (2, 1)
bs = [b.ravel() for b in bs_col]              # b1 (2,), b2 (1,)
print("W1", Ws[0].shape, " b1", bs[0].shape, " W2", Ws[1].shape, " b2", bs[1].shape)
ours = {"W1": Ws[0], "b1": bs[0], "W2": Ws[1], "b2": bs[1]}
assert all(np.array_equal(ours[k], v) for k, v in widgets.hand_built_xor(F).items())

for x1 in (0.0, 1.0):
    for x2 in (0.0, 1.0):
        x = np.array([x1, x2])
        As, Zs = forward_prop(x, sigmoid, Ws, bs)
        h_col = sigmoid(Ws_col[0] @ x.reshape(2, 1) + bs_col[0])[0]    # the slides' column form
        assert np.allclose(As[1], h_col.ravel(), rtol=1e-15)            # the same numbers
        print(f"input ({x1:.0f}, {x2:.0f})  hidden {As[1]}  output {As[-1].item():.4f}")

# %% [markdown]
# These are the slides' outputs, **0.1491** and **0.8932** (the slides print
# 0.149132886381 and 0.893163783089). Let us confirm them against the formulas in the table, written
# out with no matrices at all:

# %%
s = lambda t: 1 / (1 + np.exp(-t))
for x1, x2 in X4:
    h1, h2 = s(F * (-0.5 + x1 - x2)), s(F * (-0.5 - x1 + x2))
    x = np.array([x1, x2])
    assert np.isclose(forward_prop(x, sigmoid, Ws, bs)[0][-1].item(), s(F * (-0.5 + h1 + h2)))
print("(0,0):", round(s(F * (-0.5 + 2 * s(-F / 2))), 10), "  slides: 0.149132886381")
print("(0,1):", round(s(F * (-0.5 + s(-1.5 * F) + s(F / 2))), 10), "  slides: 0.893163783089")
out00 = forward_prop(np.array([0.0, 0.0]), sigmoid, Ws, bs)[0][-1].item()
out01 = forward_prop(np.array([0.0, 1.0]), sigmoid, Ws, bs)[0][-1].item()
assert abs(out00 - 0.149132886381) < 1e-12 and abs(out01 - 0.893163783089) < 1e-12   # the slides

# %% [markdown]
# So the numbers on this slide are right. Notice what the network actually computes: the hidden units
# are 0.0759, 0.9241 and 0.0006 rather than 0 and 1, and the outputs 0.149 and 0.893 are only on the
# correct side of ½. How large must $F$ be? For input (0,0) both hidden units equal $\sigma(-F/2)$ and
# the output is below ½ exactly when $2\sigma(-F/2) < \tfrac12$, i.e. $e^{F/2} > 3$, i.e.
#
# $$F > 2 \ln 3 \approx 2.197 .$$

# %%
print("   F    (0,0)   (0,1)   (1,0)   (1,1)   all correct?")
for F_ in (1.0, 2.0, 2.19, 2.21, 5.0, 10.0, 20.0):
    rows = widgets.xor_output_table(widgets.hand_built_xor(F_))
    outs = "  ".join(f"{r['yhat']:.4f}" for r in rows)
    ok = all((r["yhat"] > 0.5) == bool(r["target"]) for r in rows)
    print(f"{F_:5.2f}   {outs}   {ok}")
    assert ok == (F_ > 2 * np.log(3))         # correct exactly when F > 2 ln 3
print("2 ln 3 =", round(2 * np.log(3), 4))

# %% [markdown]
# (`widgets.xor_output_table` is the same forward pass, written for a whole batch; it powers the
# explorer below.) The picture shows the output $\hat y$ over the whole plane: colour is $\hat y$, the
# thick black curve is the **decision boundary** $\hat y = \tfrac12$, and the dashed and dotted lines
# are where each hidden unit switches on ($z_1 = 0$, $z_2 = 0$). The network carves out a band
# between two parallel lines: that is XOR.

# %%
fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2))
widgets.plot_xor_net(widgets.hand_built_xor(5.0), ax=axes[0], title="hand-built net, F = 5")
widgets.plot_xor_net(widgets.hand_built_xor(2.0), ax=axes[1], title="F = 2: too soft, no boundary")
fig.colorbar(axes[0].collections[0], ax=axes, fraction=0.025, label=r"$\hat y$")
plt.show()

# %% [markdown]
# ### Explore: the nine weights of the XOR net
#
# Move the sliders (the plot and the table update; with no kernel running you see only the static
# pictures above). Things to try:
#
# * Set $F$ to 2 and press the button: which inputs are now on the wrong side?
# * Flip the sign of `b2[0]`: what does the network compute now?
# * Make the two hidden units identical (`W1[0,1] = 5`, `W1[1,1] = -5`; `W1[i,j]` is the weight from
#   input $i$ to hidden unit $j$, the row form): can the output still be XOR?
# * Find a *different* set of weights that computes XOR (hint: one hidden unit can be "OR",
#   the other "AND").

# %% tags=["nbval-ignore-output"]
widgets.xor_weights_explorer(F=5.0)


# %% [markdown]
# <details><summary>Answers (the cell below checks each one)</summary>
#
# * $F = 2$ is below $2\ln 3$: the inputs (0,0) and (1,1) get outputs above ½, so they are on the
#   wrong side; (0,1) and (1,0) are still right.
# * With `b2[0]` $= +2.5$ the output is $\sigma(5(0.5 + h_1 + h_2)) > \sigma(2.5) > \tfrac12$ for every
#   input: the network says "1" everywhere (it computes the constant 1, i.e. "true").
# * With two identical hidden units, the output is a function of $h_1$ alone, and $h_1$ draws one
#   line: the network can only separate what one line separates, so no XOR.
# * Yes: $h_1 = \sigma(F(x_1 + x_2 - 0.5))$ is OR, $h_2 = \sigma(F(x_1 + x_2 - 1.5))$ is AND, and
#   $\hat y = \sigma(F(h_1 - h_2 - 0.5))$ is "OR and not AND", which is XOR.
# </details>

# %%
def wrong_inputs(params):
    return [(int(r["x1"]), int(r["x2"])) for r in widgets.xor_output_table(params)
            if (r["yhat"] > 0.5) != bool(r["target"])]


print("F = 2, wrong inputs:", wrong_inputs(widgets.hand_built_xor(2.0)))
flipped = dict(widgets.hand_built_xor(5.0), b2=np.array([2.5]))
print("b2 = +2.5, outputs:", [round(r["yhat"], 4) for r in widgets.xor_output_table(flipped)])
twins = dict(widgets.hand_built_xor(5.0), W1=np.array([[5.0, 5.0], [-5.0, -5.0]]))
print("identical hidden units, wrong inputs:", wrong_inputs(twins))
or_and = {"W1": 10 * np.array([[1.0, 1.0], [1.0, 1.0]]), "b1": 10 * np.array([-0.5, -1.5]),
          "W2": 10 * np.array([[1.0], [-1.0]]), "b2": 10 * np.array([-0.5])}
print("OR and AND, wrong inputs:", wrong_inputs(or_and))
assert wrong_inputs(widgets.hand_built_xor(2.0)) == [(0, 0), (1, 1)]
assert all(r["yhat"] > 0.5 for r in widgets.xor_output_table(flipped))
assert wrong_inputs(twins) and wrong_inputs(or_and) == []


# %% [markdown]
# ## 4 · The backward recursion
#
# To *learn* weights instead of setting them, we need $\partial E/\partial W^l_{ji}$ and
# $\partial E/\partial b^l_i$ for every layer. COMP 755 splits the work in two: how the loss depends
# on each activation $a^l_i$ (through all paths above it), and how $a^l_i$ depends on its own
# parameters. We work with one sample; $E$ is the sum over samples, and so are its gradients. We
# write the slides' equations in the row form: $W^l_{ji}$ is the weight from $a^{l-1}_j$ to unit $i$
# (the slides' $w^l_{ij}$).
#
# **Start** at the output (eq. 21/33): $\displaystyle \frac{\partial\,\text{loss}}{\partial a^L_i} = \frac{\partial\,\text{loss}}{\partial \hat y}\,\frac{\partial \hat y}{\partial a^L_i}$,
# which for $\hat y = a^L$ and the squared loss is just $\hat y - y$.
#
# **Recurse** from layer $l$ down to $l-1$ (eqs. 22–23/34). Every $a^{l-1}_j$ feeds every $z^l_i$,
# so we sum over $i$ (the total derivative):
#
# $$\frac{\partial\,\text{loss}}{\partial a^{l-1}_j} = \sum_{i=1}^{n_l} \frac{\partial\,\text{loss}}{\partial a^l_i}\, f'(z^l_i)\, W^l_{ji}.$$
#
# **Read off** the parameter gradients (eqs. 35–36), because $z^l_i = \sum_j a^{l-1}_j W^l_{ji} + b^l_i$:
#
# $$\frac{\partial\,\text{loss}}{\partial W^l_{ji}} = a^{l-1}_j\, \frac{\partial\,\text{loss}}{\partial a^l_i}\, f'(z^l_i),
#   \qquad
#   \frac{\partial\,\text{loss}}{\partial b^l_i} = \frac{\partial\,\text{loss}}{\partial a^l_i}\, f'(z^l_i).$$
#
# The product $\frac{\partial\,\text{loss}}{\partial a^l_i} f'(z^l_i)$ appears everywhere: it is
# $\bar z^l_i = \partial\,\text{loss}/\partial z^l_i$ (the slides' $\delta^l_i$; `dz` in code). Here are
# both steps with the loops of the slides, so every index is visible:

# %%
def backward_prop(loss, f, Ws, As, Zs, y):
    _, dlda = loss(As[-1], y)                  # start: d loss / d yhat   (eq. 33)
    L = len(Ws)
    dldas = [None] * (L + 1)
    dldas[L] = dlda
    for l in reversed(range(L)):               # layer l+1 in the slides' numbering
        W = Ws[l]
        n_in, n_out = W.shape                  # row form: W is (inputs, outputs)
        dldas[l] = np.zeros(n_in)
        for i in range(n_out):
            _, df = f(Zs[l + 1][i])
            dz = dldas[l + 1][i] * df          # d loss / d z_i
            for j in range(n_in):
                dldas[l][j] += dz * W[j, i]    # eq. 34: a SUM over i
    return dldas


def compute_gradients(dldas, f, Zs, As):
    L = len(dldas) - 1
    dWs, dbs = [None] * L, [None] * L
    for l in range(L):
        n_in, n_out = len(As[l]), len(As[l + 1])
        dWs[l] = np.zeros((n_in, n_out))
        dbs[l] = np.zeros(n_out)
        for i in range(n_out):
            _, g = f(Zs[l + 1][i])
            dWs[l][:, i] = As[l] * dldas[l + 1][i] * g      # eq. 35: column i of dW
            dbs[l][i] = dldas[l + 1][i] * g                 # eq. 36, for EVERY unit i
    return dWs, dbs


# %% [markdown]
# ## 5 · Checking the gradients with finite differences
#
# The slides check the gradient at a small random network, one input $\mathbf x = (1, 1)$, target
# $y = 0$, by nudging each weight by $\pm\tfrac12\varepsilon$ with $\varepsilon = 10^{-7}$:
#
# $$\frac{\partial E}{\partial w} \approx \frac{E(w + \tfrac12\varepsilon) - E(w - \tfrac12\varepsilon)}{\varepsilon}.$$
#
# We do the same, for the biases too.

# %%
def loss_of(Ws, bs, x, y):
    return squared_loss(forward_prop(x, sigmoid, Ws, bs)[0][-1].item(), y)[0]


rng = np.random.default_rng(1)
Ws_r = [0.1 * rng.normal(size=(2, 2)), 0.1 * rng.normal(size=(2, 1))]   # W1 (2, 2), W2 (2, 1)
bs_r = [0.1 * rng.normal(size=2), 0.1 * rng.normal(size=1)]             # b1 (2,), b2 (1,)
x, y = np.array([1.0, 1.0]), 0.0

As, Zs = forward_prop(x, sigmoid, Ws_r, bs_r)
dWs, dbs = compute_gradients(backward_prop(squared_loss, sigmoid, Ws_r, As, Zs, y), sigmoid, Zs, As)

eps = 1e-7
print("parameter        finite diff.    backprop")
for name, P, G in [("W1", Ws_r[0], dWs[0]), ("W2", Ws_r[1], dWs[1]),
                   ("b1", bs_r[0], dbs[0]), ("b2", bs_r[1], dbs[1])]:
    for idx in np.ndindex(P.shape):
        old = P[idx]
        P[idx] = old + eps / 2
        up = loss_of(Ws_r, bs_r, x, y)
        P[idx] = old - eps / 2
        down = loss_of(Ws_r, bs_r, x, y)
        P[idx] = old
        print(f"{name}{list(idx)!s:8s}  {(up - down) / eps:+.6f}      {G[idx]:+.6f}")
        assert abs((up - down) / eps - G[idx]) < 1e-8   # eps = 1e-7 leaves about 8 digits


# %% [markdown]
# They agree to the printed digits. The two rows of $\partial E/\partial W^1$ are equal because
# $x_1 = x_2 = 1$: $\partial E/\partial W^1_{ji} = x_j\, \bar z^1_i$.
#
# From now on we let `helpers.gradcheck.check_gradient` do the bookkeeping: it uses the symmetric step
# $\pm\varepsilon$ (so the slides' $\varepsilon = 10^{-7}$ corresponds to `eps=5e-8`; we use the safer default
# $10^{-6}$), computes the relative error $|a - n| / (|a| + |n|)$ entry by entry, and says what is wrong
# when it can.

# %%
def grads_of(Ws, bs, x, y):
    As, Zs = forward_prop(x, sigmoid, Ws, bs)
    return compute_gradients(backward_prop(squared_loss, sigmoid, Ws, As, Zs, y), sigmoid, Zs, As)


def check_all(Ws, bs, x, y, grads_fn):
    # check every weight and bias gradient; print a line each and return {name: passed}
    dWs, dbs = grads_fn(Ws, bs, x, y)
    passed = {}
    for l in range(len(Ws)):
        for name, P, G in ((f"dW{l + 1}", Ws[l], dWs[l]), (f"db{l + 1}", bs[l], dbs[l])):
            r = check_gradient(lambda _: loss_of(Ws, bs, x, y), P, G, name=name)
            print(f"{name}: {'passed' if r.passed else 'FAILED: ' + r.message}")
            passed[name] = r.passed
    return passed


ours = check_all(Ws_r, bs_r, x, y, grads_of)
assert all(ours.values())


# %% [markdown]
# ### Two bugs a gradient check can miss
#
# Our `backward_prop` and `compute_gradients` differ from the slides' listing in two lines:
#
# * the slides write `dldhs[l][j] = m*Wl[i,j]` (our `dldas[l][j] = dz * W[j, i]`), which
#   **overwrites** instead of adding, so only the last unit $i$ survives instead of the sum over $i$
#   of eq. 34;
# * the bias line `dbs[l] = dldhs[l+1][i]*g` sits after the loop over $i$, so it keeps **only the last
#   unit's** bias gradient.
#
# The slides' own check passes anyway. Why? It checks only the weights, never the biases; and in a
# two-layer net the overwritten sum is $\partial\,\text{loss}/\partial \mathbf a^0$, the derivative with
# respect to the *input*, which no weight gradient uses. Here is the slides' version (in the row
# form), bugs included:

# %%
def backward_prop_slides(loss, f, Ws, As, Zs, y):
    _, dlda = loss(As[-1], y)
    L = len(Ws)
    dldas = [None] * (L + 1)
    dldas[L] = dlda
    for l in reversed(range(L)):
        n_in, n_out = Ws[l].shape
        dldas[l] = np.zeros(n_in)
        for i in range(n_out):
            _, df = f(Zs[l + 1][i])
            dz = dldas[l + 1][i] * df
            for j in range(n_in):
                dldas[l][j] = dz * Ws[l][j, i]         # slip 1: '=' where eq. 34 sums
    return dldas


def compute_gradients_slides(dldas, f, Zs, As):
    L = len(dldas) - 1
    dWs, dbs = [None] * L, [None] * L
    for l in range(L):
        n_in, n_out = len(As[l]), len(As[l + 1])
        dWs[l] = np.zeros((n_in, n_out))
        for i in range(n_out):
            _, g = f(Zs[l + 1][i])
            dWs[l][:, i] = As[l] * dldas[l + 1][i] * g
        dbs[l] = dldas[l + 1][i] * g * np.ones(n_out)      # slip 2: only the last i survives
    return dWs, dbs


def grads_slides(Ws, bs, x, y):
    As, Zs = forward_prop(x, sigmoid, Ws, bs)
    dldas = backward_prop_slides(squared_loss, sigmoid, Ws, As, Zs, y)
    return compute_gradients_slides(dldas, sigmoid, Zs, As)


slides = check_all(Ws_r, bs_r, x, y, grads_slides)
assert [k for k, ok in slides.items() if not ok] == ["db1"]   # only the bias check catches it

# %% [markdown]
# The weight gradients pass, as on the slides; the bias check catches slip 2. Slip 1 needs a net with
# a second hidden layer, where $\partial\,\text{loss}/\partial \mathbf a^1$ feeds the first layer's gradients:

# %%
rng = np.random.default_rng(2)
Ws3 = [rng.normal(size=(2, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 1))]
bs3 = [rng.normal(size=3), rng.normal(size=3), rng.normal(size=1)]
x3, y3 = np.array([0.5, -1.0]), 1.0
print("the slides' code on a 2-3-3-1 net:")
slides = check_all(Ws3, bs3, x3, y3, grads_slides)
print("\nour code on the same net:")
ours = check_all(Ws3, bs3, x3, y3, grads_of)
assert all(ours.values()) and not slides["dW1"] and not slides["db1"]


# %% [markdown]
# **Lesson:** check *every* parameter, on a network deep enough to exercise every line of the code,
# at a random point where no value is special.
#
# ## 6 · The bias as a weight (UCSB)
#
# UCSB's slides make the bias disappear: extend every layer's output by a constant
# $y_0 = 1$, and the bias becomes the weight $w_{0j}$ of that constant input:
#
# $$z^{(k)}_j = \sum_{i \ge 1} w^{(k)}_{ij}\, y^{(k-1)}_i + b^{(k)}_j = \sum_{i \ge 0} w^{(k)}_{ij}\, y^{(k-1)}_i
#   \quad\text{with } y^{(k-1)}_0 = 1,\ w^{(k)}_{0j} = b^{(k)}_j .$$
#
# UCSB's $w_{ij}$ connects input $i$ to output $j$: their matrix has shape (inputs, outputs), the
# row form we use (their $y$ is our $a$). Folding the bias in stacks $\mathbf b$ on top of $W$ as
# row 0. The folded forward pass gives the same outputs:

# %%
def fold(W, b):
    # W (n_in, n_out), b (n_out,)  ->  UCSB's (1 + n_in, n_out), row 0 = bias
    return np.vstack([b, W])


Wt = [fold(W, b) for W, b in zip(Ws, bs)]              # the hand-built net, F = 5
for x1, x2 in X4:
    y_ = np.array([x1, x2])
    for W in Wt:
        y_ = sigmoid(np.concatenate([[1.0], y_]) @ W)[0]   # y_0 = 1, then z_j = sum_i y_i w_ij
    print(f"({x1:.0f}, {x2:.0f}) -> {y_.item():.4f}")
    with_bias = forward_prop(np.array([x1, x2]), sigmoid, Ws, bs)[0][-1].item()
    assert abs(y_.item() - with_bias) < 1e-15


# %% [markdown]
# UCSB's backward pass is the same recursion in this index order. Its summary slide has a small index
# slip, $\partial\ell/\partial z^{(k)}_j = f'_k(z^{(k)}_i)\,\partial\ell/\partial y^{(k)}_i$; the indices
# must match: $\partial\ell/\partial z^{(k)}_j = f'_k(z^{(k)}_j)\,\partial\ell/\partial y^{(k)}_j$. With
# the bias folded in, $\partial\ell/\partial w^{(k)}_{0j} = y^{(k-1)}_0\, \partial\ell/\partial z^{(k)}_j = \partial\ell/\partial z^{(k)}_j$,
# which is exactly eq. 36: the bias gradient comes for free as row 0.

# %%
def folded_grads(Wt, x, y):
    ys, zs = [x], []
    for W in Wt:                                          # forward, remembering y and z
        zs.append(np.concatenate([[1.0], ys[-1]]) @ W)
        ys.append(sigmoid(zs[-1])[0])
    dy = ys[-1] - y                                       # squared loss
    grads = [None] * len(Wt)
    for k in reversed(range(len(Wt))):
        dz = sigmoid(zs[k])[1] * dy                       # dl/dz_j = f'(z_j) dl/dy_j
        grads[k] = np.outer(np.concatenate([[1.0], ys[k]]), dz)   # dl/dw_ij = y_i dl/dz_j
        dy = Wt[k][1:] @ dz                               # dl/dy_i = sum_j w_ij dl/dz_j
    return grads


Wt_r = [fold(W, b) for W, b in zip(Ws_r, bs_r)]         # the random net of section 5
g_folded = folded_grads(Wt_r, np.array([1.0, 1.0]), 0.0)
g_ours = [fold(dW, db) for dW, db in zip(*grads_of(Ws_r, bs_r, x, y))]
same = all(np.allclose(a, b, rtol=1e-12, atol=0) for a, b in zip(g_folded, g_ours))
print("same gradients as section 5:", same)
assert same

# %% [markdown]
# ## 7 · The matrix form: a whole batch at once (Alberta)
#
# Loops over units and samples are slow in Python and hide the structure. U. Alberta writes a layer
# for a **batch** $X$ with one sample per **row**, shape $(N, D)$, exactly our row form:
#
# $$Z = XW + b, \qquad A = f(Z), \qquad W: (D, M), \quad b: (M,).$$
#
# (Alberta's slides call the layer's output $Z = f(XW+b)$; we keep $Z$ for the pre-activation and
# call the output $A$.) Here $XW$ has shape $(N, M)$ and $b$ is **broadcast**: the same row vector
# is added to every row.

# %%
Xb = X4                                   # the four XOR inputs as a batch, shape (4, 2)
W1, b1 = Ws[0], bs[0]                     # the hand-built W1 (D=2, M=2) and b1 (2,)
print("X @ W1 shape", (Xb @ W1).shape, "+ b1 shape", b1.shape, "->", (Xb @ W1 + b1).shape)
print(Xb @ W1 + b1)
rows = np.array([forward_prop(x_, sigmoid, Ws, bs)[1][1] for x_ in Xb])   # z^1 one row at a time
assert np.allclose(Xb @ W1 + b1, rows)    # the batch is the four single rows stacked

# %% [markdown]
# **Broadcast addition, backwards.** Alberta derives the gradient of a broadcast sum $Z = X + b$
# entry by entry: $\bar X_{i,j} = \sum_{k,l} \frac{\partial Z_{k,l}}{\partial X_{i,j}}\,\bar Z_{k,l} = \bar Z_{i,j}$,
# so $\bar X = \bar Z$, while each $b_j$ was added to a whole column of $Z$ and collects every
# entry of that column: $\bar b = \sum_k \bar Z_{k,:}$, the **column sums** of $\bar Z$, a sum over the
# batch. (The slide adds a column vector $b_k$ to each *row* instead, and calls the result "row
# sums"; in our row form that would be the wrong axis. The rule to remember: **sum over the axis the
# bias was broadcast along**, here the batch axis.) A check with $L = \sum Z \odot R$ for a fixed
# random $R$, so that $\bar Z = R$:

# %%
rng = np.random.default_rng(4)
Xa, ba, R = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(4, 3))
L_add = lambda X, b: np.sum((X + b) * R)               # Z = X + b, broadcast down the rows
dX_num = numerical_gradient(lambda X: L_add(X, ba), Xa)
db_num = numerical_gradient(lambda b: L_add(Xa, b), ba)
print("dX = dZ:", np.allclose(dX_num, R, atol=1e-8), "  db = column sums of dZ:",
      np.allclose(db_num, R.sum(axis=0), atol=1e-8))
assert np.allclose(dX_num, R, atol=1e-8) and np.allclose(db_num, R.sum(axis=0), atol=1e-8)


# %% [markdown]
# ### Matrix gradients from shapes alone
#
# CS231n's trick: you rarely need index sums to get a matrix gradient right. A gradient has the shape
# of what it differentiates, and the chain rule only ever multiplies the upstream gradient by the
# local factor. For $Z = XW + b$, with $\bar Z$ of shape $(N, M)$ given:
#
# * $\bar W$ must be $(D, M)$, and it must combine $X$ $(N, D)$ with $\bar Z$ $(N, M)$. The only product
#   that gives $(D, M)$ is $X^\top \bar Z$: $(D, N)(N, M)$. So `dW = X.T @ dZ`; the product sums over
#   the batch for free.
# * $\bar X$ must be $(N, D)$, combining $\bar Z$ $(N, M)$ with $W$ $(D, M)$: only $\bar Z W^\top$ fits.
#   So `dX = dZ @ W.T`.
# * $\bar b$ must be $(M,)$: $\bar Z$ summed over its batch axis, `dZ.sum(axis=0)`.
#
# Shapes with every dimension different make a wrong guess impossible to miss; the check then
# confirms the right one:

# %%
rng = np.random.default_rng(5)
N_, D_, M_ = 5, 3, 4                                   # every dimension different
Xs_, Ws_, bs_, Rs_ = (rng.normal(size=(N_, D_)), rng.normal(size=(D_, M_)),
                      rng.normal(size=M_), rng.normal(size=(N_, M_)))
L_lin = lambda X, W, b: np.sum((X @ W + b) * Rs_)      # so that dZ = Rs_
dZ_ = Rs_
rules = (("dW = X.T @ dZ", Xs_.T @ dZ_, numerical_gradient(lambda W: L_lin(Xs_, W, bs_), Ws_)),
         ("dX = dZ @ W.T", dZ_ @ Ws_.T, numerical_gradient(lambda X: L_lin(X, Ws_, bs_), Xs_)),
         ("db = dZ.sum(axis=0)", dZ_.sum(axis=0),
          numerical_gradient(lambda b: L_lin(Xs_, Ws_, b), bs_)))
for name, guess, exact in rules:
    print(f"{name:20s} shape {str(guess.shape):7s} matches finite differences: "
          f"{np.allclose(guess, exact, atol=1e-7)}")
    assert guess.shape == exact.shape and np.allclose(guess, exact, atol=1e-7)
print("the other order does not even have the right shape:", (dZ_.T @ Xs_).shape,
      "is not", Ws_.shape)
assert (dZ_.T @ Xs_).shape != Ws_.shape

# %% [markdown]
# **Quick check.** A layer maps $X$ of shape $(32, 784)$ to $Z$ of shape $(32, 128)$. What are the
# shapes of $W$, $\bar W$, $b$, $\bar b$ and $\bar X$, and which product gives $\bar W$?
#
# <details><summary>Answer</summary>
#
# $W$ and $\bar W$: $(784, 128)$; $b$ and $\bar b$: $(128,)$; $\bar X$: $(32, 784)$.
# $\bar W = X^\top \bar Z$, $(784, 32)(32, 128)$; $\bar b$ = `dZ.sum(axis=0)`; $\bar X = \bar Z W^\top$.
# The cell below confirms the shapes.
# </details>

# %%
Xq, Wq = np.zeros((32, 784)), np.zeros((784, 128))
dZq = np.zeros((32, 128))
print("dW", (Xq.T @ dZq).shape, " db", dZq.sum(axis=0).shape, " dX", (dZq @ Wq.T).shape)
assert (Xq.T @ dZq).shape == Wq.shape and (dZq @ Wq.T).shape == Xq.shape

# %% [markdown]
# Put an activation after the linear part, $A = f(Z)$, and let $\bar A = \partial L/\partial A$ come
# from the layer above. The activation acts entry by entry, so $\bar Z = f'(Z) \odot \bar A$ (with
# $\odot$ the elementwise product), and Alberta's rules for one layer are
#
# $$\bar X = \big[f'(XW+b) \odot \bar A\big]\, W^\top, \qquad
#   \bar W = X^\top \big[f'(XW+b) \odot \bar A\big], \qquad
#   \bar b = \sum_{k} \big[f'(XW+b) \odot \bar A\big]_{k,:}\ .$$
#
# The bracket is $\bar Z$, shape $(N, M)$, and these are the three rules above. The bias was
# broadcast *down the rows*, so its gradient **adds up the rows**: one number per column,
# `sum(axis=0)`, a vector of shape $(M,)$, i.e. a sum over the samples. (Summing each row, `axis=1`,
# would give one number per *sample*: the wrong shape and the wrong numbers.)
#
# The matrix rules are the loop equations in disguise: entry $(j, i)$ of $X^\top\bar Z$ is
# $\sum_k x_{kj}\,\bar z_{ki}$, the sum over samples of eq. 35.

# %%
def layer_backward(X, W, b, dA, fprime):
    dZ = fprime(X @ W + b) * dA               # f'(XW + b) (.) dA, shape (N, M)
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)    # dX, dW, db


# Check each rule on a random sigmoid layer with loss L = sum(A * R) for a fixed random R,
# so that dA = R.
rng = np.random.default_rng(3)
Xr, Wr, br = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
R = rng.normal(size=(5, 4))
L = lambda X, W, b: np.sum(sigmoid(X @ W + b)[0] * R)
dX, dW, db = layer_backward(Xr, Wr, br, R, lambda t: sigmoid(t)[1])
for name, P, G in (("dX", Xr, dX), ("dW", Wr, dW), ("db", br, db)):
    r = check_gradient(lambda _: L(Xr, Wr, br), P, G, name=name)
    print(f"{name} {G.shape}: {'passed' if r.passed else 'FAILED'}")
    assert r.passed
dZr = sigmoid(Xr @ Wr + br)[1] * R
print("\nbias summed over the wrong axis:")
wrong_axis = check_gradient(lambda _: L(Xr, Wr, br), br, dZr.sum(axis=1)[:4], name="db")
print(wrong_axis.message)
print("bias not summed at all:")
not_summed = check_gradient(lambda _: L(Xr, Wr, br), br, dZr, name="db")
print(not_summed.message)
assert not wrong_axis.passed and not not_summed.passed


# %% [markdown]
# ### The XOR net in matrix form
#
# Alberta's slides break the XOR net into atomic nodes and give every node's gradient a $\delta$;
# they number the nodes $Z_1, \dots, Z_5$ and the output $Y_p$. In our names (pre-activations $Z$,
# activations $A$) the same nodes are
#
# | Alberta | $Z_1 = XW_1$ | $Z_2 = Z_1 + b_1$ | $Z_3 = \sigma(Z_2)$ | $Z_4 = Z_3W_2$ | $Z_5 = Z_4 + b_2$ | $Y_p = \sigma(Z_5)$ |
# |---|---|---|---|---|---|---|
# | ours | $XW_1$ | $Z_1 = XW_1 + b_1$ | $A_1 = \sigma(Z_1)$ | $A_1W_2$ | $Z_2 = A_1W_2 + b_2$ | $A_2 = \sigma(Z_2)$ |
#
# with the summed squared loss $E = \sum_k \tfrac12 (a_{2,k} - y_k)^2$. Walking back from $\bar A_2 = A_2 - Y$:
#
# $$\begin{aligned}
# \bar Z_2 &= \sigma'(Z_2) \odot \bar A_2, & \bar b_2 &= \textstyle\sum_{\text{batch}} \bar Z_2, & \bar W_2 &= A_1^\top \bar Z_2,\\
# \bar A_1 &= \bar Z_2 W_2^\top, & \bar Z_1 &= \sigma'(Z_1) \odot \bar A_1, & \bar b_1 &= \textstyle\sum_{\text{batch}} \bar Z_1, \qquad \bar W_1 = X^\top \bar Z_1 .
# \end{aligned}$$
#
# ($\sigma'(Z) = A\odot(1-A)$; the sums over the batch are column sums, `axis=0`.) One line of code
# per equation, and then two checks: it is the layer rule applied twice, and it is the per-sample
# loops of section 4 summed over the samples:

# %%
def xor_net_grads(X, Y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1                          # b1 broadcast over the rows
    A1 = sigmoid(Z1)[0]
    Z2 = A1 @ W2 + b2
    A2 = sigmoid(Z2)[0]                       # the prediction
    dA2 = A2 - Y                              # E = sum 1/2 (A2 - Y)^2
    dZ2 = A2 * (1 - A2) * dA2
    db2 = dZ2.sum(axis=0)
    dW2 = A1.T @ dZ2
    dA1 = dZ2 @ W2.T
    dZ1 = A1 * (1 - A1) * dA1
    db1 = dZ1.sum(axis=0)
    dW1 = X.T @ dZ1
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


Y4 = y4.reshape(-1, 1).astype(float)
W1r, b1r, W2r, b2r = Ws_r[0], bs_r[0], Ws_r[1], bs_r[1]      # the random net of section 5
batch = xor_net_grads(X4, Y4, W1r, b1r, W2r, b2r)

# 1) the layer rule, applied to the output layer and then to the hidden layer
dsig = lambda t: sigmoid(t)[1]
A1_4 = sigmoid(X4 @ W1r + b1r)[0]
dA1, dW2, db2 = layer_backward(A1_4, W2r, b2r, sigmoid(A1_4 @ W2r + b2r)[0] - Y4, dsig)
_, dW1, db1 = layer_backward(X4, W1r, b1r, dA1, dsig)
layers = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

# 2) the same sum, one sample at a time, with the loops of section 4
loop = {"W1": 0, "b1": 0, "W2": 0, "b2": 0}
for xk, yk in zip(X4, y4):
    dWs_k, dbs_k = grads_of(Ws_r, bs_r, xk, yk)
    for key, g in zip(("W1", "W2", "b1", "b2"), (*dWs_k, *dbs_k)):
        loop[key] = loop[key] + g
for key in batch:
    same_layers = np.allclose(batch[key], layers[key], rtol=1e-12, atol=1e-15)
    same_loops = np.allclose(batch[key], loop[key], rtol=1e-12, atol=1e-15)
    print(f"d{key} {str(batch[key].shape):7s} equals the layer rule: {same_layers}, "
          f"the summed loops: {same_loops}")
    assert same_layers and same_loops

# %% [markdown]
# ### The same thing with `helpers`
#
# The package `helpers` has these layers ready-made (`helpers.layers`: `Linear` computes
# `X @ W + b` and its backward pass stores `grads["W"] = X.T @ dZ` and
# `grads["b"] = dZ.sum(axis=0)`, exactly the rules above). Its losses are **means** over the batch: UCSB's *empirical risk*
# $L(\theta) = \frac1N\sum_n \ell(y_n, f(x_n;\theta))$, where COMP 755's $E$ is the *sum*. TU Delft
# says the same about gradients: the cost gradient is the *average* of the per-sample gradients. So
# the helpers' gradients are ours divided by $N$:

# %%
from helpers.layers import MSE, Linear, Sigmoid
from helpers.network import Sequential

f64 = np.float64
net = Sequential(Linear(2, 2, dtype=f64), Sigmoid(), Linear(2, 1, dtype=f64), Sigmoid())
net[0].params["W"][...] = Ws_r[0]
net[0].params["b"][...] = bs_r[0]
net[2].params["W"][...] = Ws_r[1]
net[2].params["b"][...] = bs_r[1]

mse = MSE(half=True)
E_mean = mse.forward(net.forward(X4), Y4)
net.backward(mse.backward())
N = len(X4)
for (name, _, grad), key in zip(net.parameters(), ("W1", "b1", "W2", "b2")):
    print(f"{name}: N * helpers' grad equals ours: {np.allclose(N * grad, batch[key], rtol=1e-12)}")
    assert np.allclose(N * grad, batch[key], rtol=1e-12)
E_sum = sum(loss_of(Ws_r, bs_r, xk, yk) for xk, yk in zip(X4, y4))
print(f"loss: helpers {E_mean:.6f}, ours / N {E_sum / N:.6f}")
assert abs(E_mean - E_sum / N) < 1e-12                 # empirical risk = mean of the losses

# %% [markdown]
# **Quick check.** The helpers' `W` gradient is ours divided by $N = 4$. Which learning rate on the
# mean loss takes the same step as $\eta = 0.03$ on the summed loss $E$ over 1,000 points?
#
# <details><summary>Answer</summary>
#
# The mean's gradient is $1/1000$ of the sum's, so the same step needs $\eta = 0.03 \times 1000 = 30$.
# Lecture 4 trains with exactly these two settings and checks that they follow the same curve.
# </details>
#
# ## Recap
#
# * **XOR is not linearly separable**; a hidden layer builds new features ("$x_1$ and not $x_2$",
#   "$x_2$ and not $x_1$") in which it is.
# * **One notation**: rows are examples, $Z = XW + b$ is the pre-activation with $W$ of shape
#   $(D, M)$, $A = f(Z)$ the activation. The slides' column form $\mathbf z = \mathbf W_{\text{col}}\mathbf h + \mathbf b$
#   is the transpose: $W = \mathbf W_{\text{col}}^\top$.
# * **Forward propagation** $\mathbf z^l = \mathbf a^{l-1}W^l + \mathbf b^l$, $\mathbf a^l = f(\mathbf z^l)$ stores
#   every $\mathbf z$ and $\mathbf a$. The hand-built net with $F = 5$ outputs 0.1491 and 0.8932; it
#   computes XOR for every $F > 2\ln 3$.
# * **Backpropagation** starts with $\partial\,\text{loss}/\partial\hat y$ and recurses
#   $\partial\,\text{loss}/\partial a^{l-1}_j = \sum_i \partial\,\text{loss}/\partial a^l_i\, f'(z^l_i)\, W^l_{ji}$;
#   the parameter gradients are $a^{l-1}_j \bar z^l_i$ and $\bar z^l_i$.
# * In **matrix form** for a batch in rows: $\bar Z = f'(Z)\odot\bar A$, $\bar X = \bar Z W^\top$,
#   $\bar W = X^\top \bar Z$, and $\bar b$ is the **column sum** of $\bar Z$ (`dZ.sum(axis=0)`, a sum over
#   the batch), because $b$ was broadcast over the batch. The shapes alone pick each product.
# * **Check every gradient**, biases included, on a net deep enough to run every line; the slides'
#   listing has two bugs its own check could not see.
#
# **Next:** lecture 4 trains this network on 1,000 noisy points, and reads its loss curve.
