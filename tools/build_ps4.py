"""Build solutions/ps4_mnist/ps4_mnist.ipynb (python tools/build_ps4.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_ps_common import derivation, raw_test, setup, solution, test, text, write  # noqa: E402

PS = "ps4_mnist"
ACCURACY = 0.90  # stated in the notebook; the check in helpers.grading uses the same number

SETUP = '''
import numpy as np
import helpers.grading                       # installs the checker: this must be the first cell
from helpers.grading import check, register_data
from helpers.data import load_mnist

data = load_mnist(source="subset", quiet=True)   # 4,000 training and 1,000 test digits, offline
register_data("mnist_test", data.X_test, data.y_test)
print("train", data.X_train.shape, data.X_train.dtype, " test", data.X_test.shape)
'''

GIVEN = '''
# Given: the forward pass. Batch in rows; params W1 (784, H1), b1 (H1,), W2 (H1, H2), b2 (H2,),
# W3 (H2, 10), b3 (10,). Two ReLU hidden layers, then softmax + mean cross-entropy.
def one_hot(y, num_classes):
    Y = np.zeros((y.shape[0], num_classes))
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)

def cross_entropy(logits, Y):
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -(Y * log_p).sum() / logits.shape[0]

def mlp_forward(X, params):
    """Returns (logits, cache) with cache = (Z1, H1, Z2, H2) for the backward pass."""
    Z1 = X @ params["W1"] + params["b1"]
    H1 = np.maximum(Z1, 0)
    Z2 = H1 @ params["W2"] + params["b2"]
    H2 = np.maximum(Z2, 0)
    logits = H2 @ params["W3"] + params["b3"]
    return logits, (Z1, H1, Z2, H2)

def init_params(sizes, rng):
    """He initialisation for ReLU layers; sizes e.g. (784, 128, 64, 10)."""
    params = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{i}"] = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
        params[f"b{i}"] = np.zeros(n_out)
    return params
'''

SOL_DLOGITS = '''
def softmax_ce_backward(logits, Y):
    """∂L/∂logits for L = cross_entropy(logits, Y) (mean over the batch); Y one-hot (N, C)."""
    ### BEGIN SOLUTION
    return (softmax(logits) - Y) / logits.shape[0]
    ### END SOLUTION
'''

SOL_BACKWARD = '''
def mlp_backward(X, y, params):
    """Gradients of the mean cross-entropy of mlp_forward(X, params) against int labels y (N,).

    Returns a dict with keys W1, b1, W2, b2, W3, b3, each of its parameter's shape.
    """
    logits, (Z1, H1, Z2, H2) = mlp_forward(X, params)
    Y = one_hot(y, logits.shape[1])
    ### BEGIN SOLUTION
    dZ3 = softmax_ce_backward(logits, Y)                 # (N, 10)
    grads = {"W3": H2.T @ dZ3, "b3": dZ3.sum(axis=0)}
    dZ2 = (dZ3 @ params["W3"].T) * (Z2 > 0)             # ReLU': 1 where the input was > 0
    grads["W2"] = H1.T @ dZ2
    grads["b2"] = dZ2.sum(axis=0)
    dZ1 = (dZ2 @ params["W2"].T) * (Z1 > 0)
    grads["W1"] = X.T @ dZ1
    grads["b1"] = dZ1.sum(axis=0)
    return grads
    ### END SOLUTION
'''

SOL_TRAIN = f'''
try:
    from threadpoolctl import threadpool_limits   # one BLAS thread: fast and never oversubscribed
except ImportError:                                # (optional; only a matter of speed)
    from contextlib import nullcontext as threadpool_limits

def accuracy(params, X, y):
    return float((mlp_forward(X, params)[0].argmax(axis=1) == y).mean())

def train_mlp(X, y, sizes=(784, 128, 64, 10), epochs=15, lr=0.1, batch_size=64, seed=0):
    """Minibatch SGD with mlp_backward; returns the trained params."""
    rng = np.random.default_rng(seed)
    params = init_params(sizes, rng)
    params = {{k: v.astype(X.dtype) for k, v in params.items()}}   # float32, like the data
    ### BEGIN SOLUTION
    for _epoch in range(epochs):
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch_size):
            batch = order[start:start + batch_size]
            grads = mlp_backward(X[batch], y[batch], params)
            for k in params:
                params[k] -= lr * grads[k]
    ### END SOLUTION
    return params

with threadpool_limits(1):
    params_mnist = train_mlp(data.X_train, data.y_train)
print("test accuracy:", accuracy(params_mnist, data.X_test, data.y_test), "(required: {ACCURACY})")
'''


def cells():
    return [
        text("intro", rf"""
# Problem set 4: an MLP on MNIST, by hand

**Learning goals.** After this problem set you can
* derive the gradient of softmax + cross-entropy with respect to the logits, $\delta_{{logits}}
  = (y_p - y)/N$;
* write the batch backward pass of a ReLU MLP with two hidden layers, with every shape right;
* train it with minibatch SGD on real digits to a test accuracy of at least {ACCURACY:.0%}.

**Rules.** Derivations are graded by a person. Code is graded by tests that compare your gradients
with finite differences at fresh random sizes; `helpers.layers`, `helpers.network`,
`helpers.autograd` and finite differences are refused in your answers (they compute the same
thing). The data is the bundled subset of MNIST, so everything runs offline in seconds.
"""),
        setup("setup", SETUP),
        setup("given", GIVEN),
        text("p1", r"""
## 1. Softmax and cross-entropy (U. Alberta)

For one example with logits $z \in \mathbb{R}^C$, $p = \mathrm{softmax}(z)$, $p_k = e^{z_k} / \sum_j
e^{z_j}$, and a one-hot label $y$, the loss is $\ell = -\sum_k y_k \log p_k$. Over a batch,
$L = \frac1N \sum_n \ell_n$.

**1a (derivation).** Show that $\partial p_k / \partial z_j = p_k(\delta_{kj} - p_j)$ and that
$\partial \ell / \partial z = p - y$ (the slides' $\delta_{logits} = y_p - y$). What changes for the
mean over a batch?
"""),
        derivation("p1a-derivation", 3, r"""
$\log p_k = z_k - \log\sum_j e^{z_j}$, so $\partial \log p_k / \partial z_j = \delta_{kj} - p_j$ and
$\partial p_k/\partial z_j = p_k(\delta_{kj} - p_j)$. Then
$\partial\ell/\partial z_j = -\sum_k y_k (\delta_{kj} - p_j) = -y_j + p_j \sum_k y_k = p_j - y_j$,
because $\sum_k y_k = 1$. For the batch mean each example's row is divided by $N$:
$\partial L/\partial Z = (P - Y)/N$, shape $(N, C)$.
"""),
        text("p1b", "**1b (code).** Write `softmax_ce_backward`."),
        solution("p1b-dlogits", SOL_DLOGITS),
        test("test-dlogits", 2, [("ps4.dlogits", "softmax_ce_backward")]),
        text("p2", r"""
## 2. The backward pass

**2a (derivation).** With $Z_1 = XW_1 + b_1$, $H_1 = \mathrm{ReLU}(Z_1)$,
$Z_2 = H_1W_2 + b_2$, $H_2 = \mathrm{ReLU}(Z_2)$, $Z_3 = H_2W_3 + b_3$, write $dW_3, db_3, dZ_2,
dW_2, db_2, dZ_1, dW_1, db_1$ with their shapes. The slides give $\delta X = [f'(XW + b)\cdot\delta
Z]W^\top$, $\delta W = X^\top[f'(XW+b)\cdot\delta Z]$, $\delta b$ = row sums, but one line of their
three-layer example reads $\delta Z_1 = [f(Z_1W_2 + b_2)\cdot\delta Z_2]W_2^\top$: what is
wrong with it?
"""),
        derivation("p2a-derivation", 3, r"""
$dZ_3 = (P - Y)/N$ $(N, 10)$; $dW_3 = H_2^\top dZ_3$ $(H_2, 10)$; $db_3 = \sum_{rows} dZ_3$ $(10,)$;
$dH_2 = dZ_3 W_3^\top$; $dZ_2 = dH_2 \odot \mathbb{1}[Z_2 > 0]$ $(N, H_2)$; $dW_2 = H_1^\top dZ_2$;
$db_2 = \sum_{rows} dZ_2$; $dZ_1 = (dZ_2 W_2^\top) \odot \mathbb{1}[Z_1 > 0]$;
$dW_1 = X^\top dZ_1$ $(784, H_1)$; $db_1 = \sum_{rows} dZ_1$.
The slide's line uses $f$ where it needs the derivative $f'$ (ReLU' is the 0/1 mask, not the
activation itself).
"""),
        text("p2b", "**2b (code).** Write `mlp_backward`."),
        solution("p2b-backward", SOL_BACKWARD),
        test("test-dW3", 1, [("ps4.dW3", "mlp_backward")]),
        test("test-db3", 1, [("ps4.db3", "mlp_backward")]),
        test("test-hidden-weights", 2, [("ps4.dW2", "mlp_backward"), ("ps4.dW1", "mlp_backward")]),
        test("test-hidden-biases", 1, [("ps4.db2", "mlp_backward"), ("ps4.db1", "mlp_backward")]),
        text("p3", rf"""
## 3. Training

**3a (code).** Complete `train_mlp` (minibatch SGD). The cell then trains the network on the 4,000
training digits; `params_mnist` must reach a test accuracy of at least **{ACCURACY:.2f}** on the
1,000 test digits (the reference solution gets about 0.93 in a second or two).
"""),
        solution("p3a-train", SOL_TRAIN),
        raw_test("test-accuracy", 2, """
check("ps4.accuracy", lambda: params_mnist)
### BEGIN HIDDEN TESTS
# the same check, written so that nothing redefined above can skip it
_io = []
(lambda: 0).__defaults__ = ("backprop-grading:ask", "ps4.accuracy", _io)
(lambda: 0).__defaults__ = ("backprop-grading:check", "ps4.accuracy", _io, params_mnist)
### END HIDDEN TESTS
"""),
        text("p3b", r"""
**3b (derivation).** Your training uses a batch of 64 and `lr = 0.1`. Why does dividing by $N$ in
$\delta_{logits}$ make the learning rate independent of the batch size, and what would happen to
training if you forgot it?
"""),
        derivation("p3b-derivation", 1, r"""
With the mean, the gradient is an average of per-example gradients, so its size does not grow with
$N$ and one learning rate works for any batch size. Without the $1/N$ the gradient is $N = 64$ times
larger, as if the learning rate were $6.4$: the updates overshoot, the loss jumps or becomes NaN,
unless the learning rate is divided by the batch size by hand.
"""),
        text("recap", r"""
## Recap
* Softmax + cross-entropy: $\delta_{logits} = (P - Y)/N$; the softmax Jacobian never has to be
  formed.
* Every layer's backward pass is the same three lines: $dW = X^\top dZ$, $db$ = row sums,
  $dX = dZ W^\top$; an activation multiplies by its derivative (ReLU: a 0/1 mask).
* Check gradients at small random sizes before training on real data.
"""),
    ]


if __name__ == "__main__":
    print(write(PS, cells()))
