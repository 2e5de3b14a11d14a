"""Build solutions/ps3_xor/ps3_xor.ipynb (python tools/build_ps3.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_ps_common import derivation, setup, solution, test, text, write  # noqa: E402

PS = "ps3_xor"

SETUP = '''
import numpy as np
import helpers.grading                       # installs the checker: this must be the first cell
from helpers.grading import check
from helpers.data import xor_table
'''

GIVEN_MLP1 = '''
# Harvard's net, with a batch in the rows: X (n, d), W1 (d, h), W2 (h, 1), targets t (n, 1).
def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))

def mlp1_forward(X, W1, W2):
    h1 = X @ W1            # (n, h)
    a1 = sigmoid(h1)       # (n, h)
    y = a1 @ W2            # (n, 1): a linear output
    return y

def mlp1_loss(X, t, W1, W2):
    return np.mean((mlp1_forward(X, W1, W2) - t) ** 2)

rng = np.random.default_rng(0)
X_demo, t_demo = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
W1_demo, W2_demo = rng.normal(size=(3, 4)), rng.normal(size=(4, 1))
print("loss at the demo point:", mlp1_loss(X_demo, t_demo, W1_demo, W2_demo))
'''

SOL_HAND = '''
def grads_by_hand(X, t, W1, W2):
    """(∂L/∂W1, ∂L/∂W2) from your closed-form expressions; shapes (d, h) and (h, 1)."""
    ### BEGIN SOLUTION
    n = X.shape[0]
    a1 = sigmoid(X @ W1)
    r = 2.0 / n * (a1 @ W2 - t)                    # ∂L/∂y, (n, 1)
    dW2 = a1.T @ r
    dW1 = X.T @ ((r @ W2.T) * a1 * (1 - a1))
    return dW1, dW2
    ### END SOLUTION
'''

SOL_CHAIN = '''
# One small function per node and its backward rule, combined along the chain
# ∂L/∂W1 = ∂L/∂y · ∂y/∂a1 · ∂a1/∂h1 · ∂h1/∂W1 (Harvard), in matrix form.

def loss_backward(y, t):
    """∂L/∂y for L = mean((y - t)²); y, t of shape (n, 1)."""
    ### BEGIN SOLUTION
    return 2.0 * (y - t) / y.shape[0]
    ### END SOLUTION

def linear_backward(d_out, inp, W):
    """For out = inp @ W: returns (∂L/∂W, ∂L/∂inp) given d_out = ∂L/∂out."""
    ### BEGIN SOLUTION
    return inp.T @ d_out, d_out @ W.T
    ### END SOLUTION

def sigmoid_backward(d_out, h):
    """For a = σ(h): returns ∂L/∂h given d_out = ∂L/∂a."""
    ### BEGIN SOLUTION
    s = sigmoid(h)
    return d_out * s * (1 - s)
    ### END SOLUTION

def grads_by_chain(X, t, W1, W2):
    """(∂L/∂W1, ∂L/∂W2) by running the nodes forward, then their backward rules in reverse."""
    h1 = X @ W1
    a1 = sigmoid(h1)
    y = a1 @ W2
    ### BEGIN SOLUTION
    dy = loss_backward(y, t)
    dW2, da1 = linear_backward(dy, a1, W2)
    dh1 = sigmoid_backward(da1, h1)
    dW1, _ = linear_backward(dh1, X, W1)
    return dW1, dW2
    ### END SOLUTION
'''

SOL_UPDATE = '''
def one_update(grads_fn, X, t, W1, W2, lr):
    """One gradient-descent step with the gradients from grads_fn; returns (new W1, new W2)
    and leaves W1 and W2 unchanged."""
    ### BEGIN SOLUTION
    dW1, dW2 = grads_fn(X, t, W1, W2)
    return W1 - lr * dW1, W2 - lr * dW2
    ### END SOLUTION
'''

COMPARE = '''
# Compare the two ways (not graded)
try:
    A = one_update(grads_by_hand, X_demo, t_demo, W1_demo, W2_demo, lr=0.1)
    B = one_update(grads_by_chain, X_demo, t_demo, W1_demo, W2_demo, lr=0.1)
    print("largest difference between the two updates:",
          max(np.abs(a - b).max() for a, b in zip(A, B)))
    print("loss before", mlp1_loss(X_demo, t_demo, W1_demo, W2_demo),
          "after", mlp1_loss(X_demo, t_demo, *A))
except NotImplementedError:
    print("(not graded: finish the functions above first)")
'''

GIVEN_XOR = '''
# The XOR net, batch in rows: X (N, 2), y (N,) in {0, 1}; params W1 (2, H), b1 (H,), W2 (H, 1),
# b2 (1,). Hidden and output layers are sigmoid; the loss is the mean binary cross-entropy.
def xor_forward(X, params):
    A1 = sigmoid(X @ params["W1"] + params["b1"])          # (N, H)
    p = sigmoid(A1 @ params["W2"] + params["b2"])          # (N, 1)
    return A1, p

def xor_loss(X, y, params):
    _, p = xor_forward(X, params)
    p = p.ravel()
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
'''

SOL_XOR = '''
def xor_backward(X, y, params):
    """Gradients of xor_loss: a dict with keys "W1", "b1", "W2", "b2", each of its param's shape."""
    ### BEGIN SOLUTION
    N = X.shape[0]
    A1, p = xor_forward(X, params)
    dZ2 = (p - y.reshape(-1, 1)) / N                     # (N, 1): sigmoid + cross-entropy
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0)
    dZ1 = (dZ2 @ params["W2"].T) * A1 * (1 - A1)         # (N, H)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    ### END SOLUTION
'''

SOL_TRAIN = '''
def train_xor(seed, hidden=8, lr=5.0, steps=2000):
    """Full-batch gradient descent on the four XOR points with xor_backward; returns params.

    Must classify all four points correctly (p > 0.5 for label 1) for any seed.
    """
    X, y = xor_table()
    rng = np.random.default_rng(seed)
    ### BEGIN SOLUTION
    params = {"W1": rng.normal(size=(2, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(size=(hidden, 1)), "b2": np.zeros(1)}
    for _ in range(steps):
        grads = xor_backward(X, y, params)
        for k in params:
            params[k] -= lr * grads[k]
    return params
    ### END SOLUTION
'''

RUN_XOR = '''
try:
    X, y = xor_table()
    params_xor = train_xor(seed=0)
    _, p = xor_forward(X, params_xor)
    print("p(label 1):", np.round(p.ravel(), 3), " labels:", y,
          " loss:", round(xor_loss(X, y, params_xor), 4))
except NotImplementedError:
    print("(not graded: finish the functions above first)")
'''


def cells():
    return [
        text("intro", r"""
# Problem set 3: one hidden layer, and XOR

**Learning goals.** After this problem set you can
* derive $\partial L/\partial W_1$ and $\partial L/\partial W_2$ of a one-hidden-layer network in
  matrix form, and check every shape;
* get the same gradients from a chain of small per-node backward functions, and see why the chain
  generalises where the closed form does not;
* write vectorised backprop with biases for the XOR network and train it until all four points
  are classified correctly.

**Conventions.** A batch is in the rows: $X$ is $(n, d)$ and a layer computes $XW + b$ with $W$ of
shape $(d, m)$. A gradient has the shape of what it differentiates. Do not use `helpers.layers`,
`helpers.network`, `helpers.autograd` or finite differences in your answers: the tests refuse them.
Derivations are graded by a person; code by tests at fresh random points and shapes.
"""),
        setup("setup", SETUP),
        text("p1", r"""
## 1. Back-propagation by hand (Harvard)

$h_1 = XW_1$, $a_1 = \sigma(h_1)$, $y = a_1 W_2$, $L = \frac1n \sum_i (y_i - t_i)^2$.
"""),
        setup("given-mlp1", GIVEN_MLP1),
        text("p1a", r"""
**1a (derivation).** Derive $\partial L/\partial W_2$ and $\partial L/\partial W_1$ in matrix form.
Give the shape of every factor and say where the $\frac{2}{n}$, the transpose and $\sigma'$ come
from.
"""),
        derivation("p1a-derivation", 3, r"""
$\partial L/\partial y = \frac{2}{n}(y - t)$, shape $(n, 1)$ (the $2$ from the square, the $\frac1n$
from the mean). Since $y = a_1 W_2$:
$\frac{\partial L}{\partial W_2} = a_1^\top \frac{2}{n}(y - t)$, $(h, n)(n, 1) = (h, 1)$, and
$\frac{\partial L}{\partial a_1} = \frac{2}{n}(y - t) W_2^\top$, $(n, h)$.
Through the sigmoid, element-wise:
$\frac{\partial L}{\partial h_1} = \frac{\partial L}{\partial a_1} \odot \sigma'(h_1)
= \frac{\partial L}{\partial a_1} \odot a_1 (1 - a_1)$. Since $h_1 = XW_1$:
$\frac{\partial L}{\partial W_1} = X^\top \left[\left(\frac{2}{n}(y - t) W_2^\top\right) \odot
a_1(1 - a_1)\right]$, $(d, n)(n, h) = (d, h)$. The transposes are what make the shapes match the
weights: each weight's gradient sums over the $n$ examples.
"""),
        text("p1b", "**1b (code).** Write `grads_by_hand`."),
        solution("p1b-hand", SOL_HAND),
        test("test-hand-dW2", 1, [("ps3.hand_dW2", "grads_by_hand")]),
        test("test-hand-dW1", 2, [("ps3.hand_dW1", "grads_by_hand")]),
        text("p1c", r"""
## 2. Back-propagation by chain rule (Harvard)

**2a (code).** Write each node's backward rule as its own function, then combine them.
"""),
        solution("p1c-chain", SOL_CHAIN),
        test("test-chain-dW2", 1, [("ps3.chain_dW2", "grads_by_chain")]),
        test("test-chain-dW1", 1, [("ps3.chain_dW1", "grads_by_chain")]),
        text("p1d", "**2b (code).** One update with either function; then compare the two."),
        solution("p1d-update", SOL_UPDATE),
        test("test-update", 1, [("ps3.update", "lambda X, t, W1, W2, lr: "
                                 "one_update(grads_by_chain, X, t, W1, W2, lr)")]),
        setup("compare", COMPARE),
        text("p1e", r"""
**2c (derivation).** Both functions give the same update. Add a second hidden layer: what do you
have to redo in each approach? Why is the second one the idea behind backpropagation?
"""),
        derivation("p1e-derivation", 2, r"""
The closed form must be derived again from scratch: every term of $\partial L/\partial W_1$ changes
when a layer is inserted. The chain needs no new calculus: the new layer is two more nodes
(`linear`, `sigmoid`) whose backward rules already exist, and the backward pass calls them in
reverse order. Each node only needs its local derivative and the incoming gradient; that
modularity (plus re-using the forward values) is backpropagation.
"""),
        text("p3", r"""
## 3. Vectorised backprop for XOR

$A_1 = \sigma(XW_1 + b_1)$, $p = \sigma(A_1 W_2 + b_2)$,
$L = -\frac1N\sum_i [y_i \log p_i + (1 - y_i)\log(1 - p_i)]$.
"""),
        setup("given-xor", GIVEN_XOR),
        text("p3a", r"""
**3a (derivation).** Show that $\partial L/\partial Z_2 = (p - y)/N$ for $Z_2 = A_1W_2 + b_2$
(the sigmoid's derivative cancels), then write $dW_2, db_2, dZ_1, dW_1, db_1$. Why are the bias
gradients sums over the rows?
"""),
        derivation("p3a-derivation", 3, r"""
Per example $\partial L/\partial p = \frac1N\left(-\frac{y}{p} + \frac{1-y}{1-p}\right) =
\frac{1}{N}\frac{p - y}{p(1-p)}$ and $\partial p/\partial Z_2 = p(1 - p)$, so
$dZ_2 = (p - y)/N$, shape $(N, 1)$. Then $dW_2 = A_1^\top dZ_2$, $db_2 = \sum_{rows} dZ_2$,
$dA_1 = dZ_2 W_2^\top$, $dZ_1 = dA_1 \odot A_1(1 - A_1)$, $dW_1 = X^\top dZ_1$,
$db_1 = \sum_{rows} dZ_1$. The bias is broadcast to every row of the batch, i.e. used $N$ times, so
its gradient is the sum of the $N$ per-example gradients.
"""),
        text("p3b", "**3b (code).** Write `xor_backward`."),
        solution("p3b-xor", SOL_XOR),
        test("test-xor-dW2", 1, [("ps3.xor_dW2", "xor_backward")]),
        test("test-xor-db2", 1, [("ps3.xor_db2", "xor_backward")]),
        test("test-xor-dW1", 1, [("ps3.xor_dW1", "xor_backward")]),
        test("test-xor-db1", 1, [("ps3.xor_db1", "xor_backward")]),
        text("p3c", r"""
**3c (code).** Train: `train_xor(seed)` must classify all four points correctly for *any* seed
(the test trains with a seed of its choice, twice, in well under a second).
"""),
        solution("p3c-train", SOL_TRAIN),
        setup("run-xor", RUN_XOR),
        test("test-xor-trained", 2, [("ps3.xor_trained", "train_xor")]),
        text("recap", r"""
## Recap
* In matrix form, a weight gradient is (input)ᵀ · (gradient of the output): the transpose gives it
  the weight's shape and sums over the batch; a bias gradient is a row sum.
* Sigmoid + cross-entropy gives $dZ = (p - y)/N$: the $\sigma'$ cancels.
* Per-node backward functions compose into any network: that is why we never derive a closed form
  again.
"""),
    ]


if __name__ == "__main__":
    print(write(PS, cells()))
