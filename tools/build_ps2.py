"""Build solutions/ps2_scalar_backprop/ps2_scalar_backprop.ipynb (python tools/build_ps2.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_ps_common import derivation, setup, solution, test, text, write  # noqa: E402

PS = "ps2_scalar_backprop"

SETUP = '''
import numpy as np
import helpers.grading                       # installs the checker: this must be the first cell
from helpers.grading import check
'''

GIVEN_XI = '''
# The nodes of the chain (Harvard): one small function per node. The tests use their own copies.
def xi1(W, X):
    return -W * X

def xi2(a):
    return np.exp(a)

def xi3(a):
    return 1 + a

def xi4(a):
    return 1 / a

def xi5(a):
    return np.log(a)

def loss(y, a):
    return -y * a

def forward_values(X, y, W):
    """[xi1, xi2, xi3, xi4, xi5, L] at (X, y, W)."""
    v1 = xi1(W, X)
    v2 = xi2(v1)
    v3 = xi3(v2)
    v4 = xi4(v3)
    v5 = xi5(v4)
    return [v1, v2, v3, v4, v5, loss(y, v5)]
'''

SOL_LOCAL = '''
def d_xi1(W, X):
    """∂ξ1/∂W."""
    ### BEGIN SOLUTION
    return -X
    ### END SOLUTION

def d_xi2(xi1):
    """∂ξ2/∂ξ1."""
    ### BEGIN SOLUTION
    return np.exp(xi1)
    ### END SOLUTION

def d_xi3(xi2):
    """∂ξ3/∂ξ2."""
    ### BEGIN SOLUTION
    return 1.0
    ### END SOLUTION

def d_xi4(xi3):
    """∂ξ4/∂ξ3."""
    ### BEGIN SOLUTION
    return -1 / xi3 ** 2
    ### END SOLUTION

def d_xi5(xi4):
    """∂ξ5/∂ξ4."""
    ### BEGIN SOLUTION
    return 1 / xi4
    ### END SOLUTION

def d_loss(y, xi5):
    """∂L/∂ξ5."""
    ### BEGIN SOLUTION
    return -y
    ### END SOLUTION
'''

GLUE_LOCAL = '''
def all_local_derivatives(W, X, y, v1, v2, v3, v4, v5):
    """Your six local derivatives, each at the given value of its input (used by the tests)."""
    return (d_xi1(W, X), d_xi2(v1), d_xi3(v2), d_xi4(v3), d_xi5(v4), d_loss(y, v5))
'''

SOL_MODES = '''
def forward_mode(X, y, W):
    """[∂ξ1/∂W, ∂ξ2/∂W, ∂ξ3/∂W, ∂ξ4/∂W, ∂ξ5/∂W, ∂L/∂W]: from W upwards, one product per node."""
    v1, v2, v3, v4, v5, L = forward_values(X, y, W)
    ### BEGIN SOLUTION
    out = [d_xi1(W, X)]
    for local in (d_xi2(v1), d_xi3(v2), d_xi4(v3), d_xi5(v4), d_loss(y, v5)):
        out.append(out[-1] * local)
    return out
    ### END SOLUTION

def reverse_mode(X, y, W):
    """[∂L/∂ξ5, ∂L/∂ξ4, ∂L/∂ξ3, ∂L/∂ξ2, ∂L/∂ξ1, ∂L/∂W]: from the loss downwards."""
    v1, v2, v3, v4, v5, L = forward_values(X, y, W)
    ### BEGIN SOLUTION
    out = [d_loss(y, v5)]
    for local in (d_xi5(v4), d_xi4(v3), d_xi3(v2), d_xi2(v1), d_xi1(W, X)):
        out.append(out[-1] * local)
    return out
    ### END SOLUTION
'''

TABLE = '''
# The slide's point X = 3, y = 1, W = 3 (not graded)
try:
    names = ["ξ1", "ξ2", "ξ3", "ξ4", "ξ5", "L"]
    for name, value, d in zip(names, forward_values(3.0, 1.0, 3.0), forward_mode(3.0, 1.0, 3.0)):
        print(f"{name}: value {value: .6g}   ∂{name}/∂W {d: .6g}")
    print("reverse mode ∂L/∂W:", reverse_mode(3.0, 1.0, 3.0)[-1])   # -3e^-9/(1+e^-9) ≈ -3.7018e-4
except NotImplementedError:
    print("(not graded: finish the functions above first)")
'''

SOL_REG = '''
def reg_backward(w, b, x, t, lam):
    """The backward pass of the regularised logistic least squares graph, in bar notation.

    Forward: z = w x + b, y = σ(z), L = ½(y - t)², R = ½w², L_reg = L + λR.
    Returns a dict with the keys "L_reg", "L", "R", "y", "z", "w", "b": each ∂L_reg/∂(that node).
    """
    z = w * x + b
    y = 1 / (1 + np.exp(-z))
    ### BEGIN SOLUTION
    L_reg_bar = 1.0
    R_bar = L_reg_bar * lam
    L_bar = L_reg_bar
    y_bar = L_bar * (y - t)
    z_bar = y_bar * y * (1 - y)
    w_bar = z_bar * x + R_bar * w
    b_bar = z_bar
    return {"L_reg": L_reg_bar, "L": L_bar, "R": R_bar, "y": y_bar, "z": z_bar, "w": w_bar,
            "b": b_bar}
    ### END SOLUTION
'''

SOL_ENGINE = '''
class Var:
    """A scalar that remembers how it was made: your own tiny engine (not helpers.autograd)."""

    def __init__(self, data, parents=()):
        self.data = float(data)
        self.grad = 0.0
        self._parents = parents
        self._backward = lambda: None

    @staticmethod
    def _lift(other):
        return other if isinstance(other, Var) else Var(other)

    def __add__(self, other):               # given: the pattern to follow
        other = Var._lift(other)
        out = Var(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad           # ∂(a + b)/∂a = 1; += because a may have other uses
            other.grad += out.grad
        out._backward = _backward
        return out

    __radd__ = __add__

    def __mul__(self, other):
        other = Var._lift(other)
        out = Var(self.data * other.data, (self, other))

        def _backward():
            ### BEGIN SOLUTION
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
            ### END SOLUTION
        out._backward = _backward
        return out

    __rmul__ = __mul__

    def __pow__(self, k):
        """self ** k for a plain number k."""
        out = Var(self.data ** k, (self,))

        def _backward():
            ### BEGIN SOLUTION
            self.grad += k * self.data ** (k - 1) * out.grad
            ### END SOLUTION
        out._backward = _backward
        return out

    def tanh(self):
        out = Var(np.tanh(self.data), (self,))

        def _backward():
            ### BEGIN SOLUTION
            self.grad += (1 - out.data ** 2) * out.grad
            ### END SOLUTION
        out._backward = _backward
        return out

    def exp(self):
        out = Var(np.exp(self.data), (self,))

        def _backward():
            ### BEGIN SOLUTION
            self.grad += out.data * out.grad
            ### END SOLUTION
        out._backward = _backward
        return out

    def backward(self):                     # given: topological order, then one reversed loop
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node._parents)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
'''

GLUE_ENGINE = '''
def engine_grads(expr, *values):
    """Gradients of expr(*vars) with respect to each input, computed by your Var (for the tests).

    Example: engine_grads(lambda a, b: a * b, 2.0, 3.0) -> [3.0, 2.0]
    """
    xs = [Var(v) for v in values]
    expr(*xs).backward()
    return [x.grad for x in xs]

try:
    print(engine_grads(lambda a, b: a * b, 2.0, 3.0))   # [3.0, 2.0] once __mul__ works
except NotImplementedError:
    print("(not graded: finish Var first)")
'''


def cells():
    return [
        text("intro", r"""
# Problem set 2: scalar backpropagation

**Learning goals.** After this problem set you can
* split a loss into a chain of elementary nodes, each with its *local* derivative;
* combine the local derivatives in **forward mode** (from the parameter up) and in **reverse
  mode** (from the loss down), and see that both give the same number;
* run a backward pass in bar notation on a graph where a parameter has two children;
* write the backward rule of an operation in a tiny autograd engine of your own.

**Grading.** Derivations (markdown) are graded by a person; functions are checked automatically
against finite differences at fresh random points. Do not use `helpers.autograd`, finite
differences or another library to compute the derivatives: the tests refuse such answers.
Run the notebook from the top before you submit.
"""),
        setup("setup", SETUP),
        # ---- part 1
        text("p1", r"""
## 1. The ξ chain of the logistic loss (Harvard)

For one example with input $X$, label $y$ and weight $W$, the first half of the logistic loss,
$\mathcal{L} = -y \log p$ with $p = \sigma(WX) = 1/(1 + e^{-WX})$, is the chain

| node | definition |
|---|---|
| $\xi_1$ | $-WX$ |
| $\xi_2$ | $e^{\xi_1}$ |
| $\xi_3$ | $1 + \xi_2$ |
| $\xi_4$ | $1/\xi_3 = p$ |
| $\xi_5$ | $\log \xi_4$ |
| $\mathcal{L}$ | $-y\,\xi_5$ |
"""),
        setup("given-xi", GIVEN_XI),
        text("p1a", r"""
**1a (derivation).** Give each node's local derivative ($\partial\xi_1/\partial W$,
$\partial\xi_2/\partial\xi_1$, …, $\partial\mathcal{L}/\partial\xi_5$) and evaluate the chain at the
slide's point $X = 3$, $y = 1$, $W = 3$. The slide's table prints the last column as
$+0.00037018$: check its signs, say which entries are wrong and what the correct
$\partial\mathcal{L}/\partial W$ is.
"""),
        derivation("p1a-derivation", 3, r"""
Local derivatives: $\partial\xi_1/\partial W = -X$, $\partial\xi_2/\partial\xi_1 = e^{\xi_1}$,
$\partial\xi_3/\partial\xi_2 = 1$, $\partial\xi_4/\partial\xi_3 = -1/\xi_3^2$,
$\partial\xi_5/\partial\xi_4 = 1/\xi_4$, $\partial\mathcal{L}/\partial\xi_5 = -y$.

At $X = 3, y = 1, W = 3$: $\xi_1 = -9$, $\xi_2 = e^{-9}$, $\xi_3 = 1 + e^{-9}$,
$\xi_4 = 1/(1 + e^{-9})$. Cumulative derivatives with respect to $W$: $-3$, $-3e^{-9}$,
$-3e^{-9}$, then $\partial\xi_4/\partial W = (-3e^{-9})\cdot(-1/\xi_3^2) = +3e^{-9}/(1+e^{-9})^2$
(the slide drops this minus sign), $\partial\xi_5/\partial W = 3e^{-9}/(1 + e^{-9})$, and
$\partial\mathcal{L}/\partial W = -y \cdot 3e^{-9}/(1+e^{-9}) \approx -3.7018\times10^{-4}$: the
slide's $+0.00037018$ has the wrong sign. Sanity check: $\partial\mathcal{L}/\partial W =
-yX(1-p)$, negative for $y = 1$, $X > 0$ (increasing $W$ increases $p$ and lowers the loss).
"""),
        text("p1b", "**1b (code).** Write the six local derivatives."),
        solution("p1b-local", SOL_LOCAL),
        setup("glue-local", GLUE_LOCAL),
        test("test-local", 2, [("ps2.local_derivatives", "all_local_derivatives")]),
        text("p1c", r"""
**1c (code).** Combine them. `forward_mode` starts at $W$ and carries $\partial\xi_n/\partial W$
up the chain; `reverse_mode` starts at $\mathcal{L}$ and carries $\partial\mathcal{L}/\partial\xi_n$
down. Both end with $\partial\mathcal{L}/\partial W$. Use your `d_` functions.
"""),
        solution("p1c-modes", SOL_MODES),
        test("test-forward-mode", 2, [("ps2.forward_mode", "forward_mode")]),
        test("test-reverse-mode", 2, [("ps2.reverse_mode", "reverse_mode")]),
        setup("table", TABLE),
        text("p1d", r"""
**1d (derivation).** For this chain both modes cost the same. For a loss of a million weights,
which mode gives the whole gradient in one pass, and why?
"""),
        derivation("p1d-derivation", 1, r"""
Reverse mode. Forward mode carries the derivative with respect to *one* input up the graph, so a
million weights need a million passes; reverse mode carries the derivative of the *one* scalar
loss down the graph and gets $\partial\mathcal{L}/\partial w$ for every weight in one backward
pass (at the price of storing the forward values).
"""),
        # ---- part 2
        text("p2", r"""
## 2. Bar notation on a graph with a shared parameter (TU Delft)

Univariate logistic least squares with L2 regularisation:
$z = wx + b$, $y = \sigma(z)$, $\mathcal{L} = \frac12(y - t)^2$, $\mathcal{R} = \frac12 w^2$,
$\mathcal{L}_{reg} = \mathcal{L} + \lambda\mathcal{R}$. Write $\bar v = \partial
\mathcal{L}_{reg}/\partial v$.

**2a (derivation).** Write the backward pass in topological order, from
$\overline{\mathcal{L}_{reg}} = 1$ to $\bar w$ and $\bar b$. $w$ has two children: say what that
means for $\bar w$. (The slide prints $\bar w = \bar z\, x\, \bar{\mathcal{R}}\, w$: what is
missing?)
"""),
        derivation("p2a-derivation", 3, r"""
$\overline{\mathcal{L}_{reg}} = 1$;
$\bar{\mathcal{R}} = \overline{\mathcal{L}_{reg}}\,\lambda$;
$\bar{\mathcal{L}} = \overline{\mathcal{L}_{reg}}$;
$\bar y = \bar{\mathcal{L}}\,(y - t)$;
$\bar z = \bar y\,\sigma'(z) = \bar y\, y (1 - y)$;
$\bar w = \bar z\, x + \bar{\mathcal{R}}\, w$;
$\bar b = \bar z$.
$w$ feeds both $z$ and $\mathcal{R}$, so $\bar w$ is the **sum** of the messages from its two
children. The slide's $\bar z x \bar{\mathcal{R}} w$ lost the plus sign between the two terms.
"""),
        text("p2b", "**2b (code).** Write `reg_backward`."),
        solution("p2b-reg", SOL_REG),
        test("test-reg-yz", 1, [("ps2.reg_ybar", "reg_backward"),
                                ("ps2.reg_zbar", "reg_backward")]),
        test("test-reg-w", 1, [("ps2.reg_wbar", "reg_backward")]),
        test("test-reg-b", 1, [("ps2.reg_bbar", "reg_backward")]),
        # ---- part 3
        text("p3", r"""
## 3. A tiny engine of your own

`Var` below is a scalar that remembers its parents and a `_backward` closure that passes its
gradient on to them (micrograd's design). Addition and the backward pass are given.

**3a (derivation).** For $c = a \cdot b$, $c = a^k$, $c = \tanh a$ and $c = e^a$, write
$\bar a$ (and $\bar b$) in terms of $\bar c$, using the *output* value where it saves work.
Why must the rules add into `grad` (`+=`) rather than assign it?
"""),
        derivation("p3a-derivation", 2, r"""
$c = ab$: $\bar a \mathrel{+}= b\,\bar c$, $\bar b \mathrel{+}= a\,\bar c$.
$c = a^k$: $\bar a \mathrel{+}= k a^{k-1}\bar c$.
$c = \tanh a$: $\bar a \mathrel{+}= (1 - c^2)\,\bar c$.
$c = e^a$: $\bar a \mathrel{+}= c\,\bar c$.
A node used several times (e.g. $a$ in $a \cdot a$ or in two terms) receives one message per use;
the multivariate chain rule *sums* them, so each rule adds its share. Assigning would keep only
the last message.
"""),
        text("p3b", "**3b (code).** Fill in the four `_backward` rules."),
        solution("p3b-engine", SOL_ENGINE),
        setup("glue-engine", GLUE_ENGINE),
        test("test-engine-mul", 1, [("ps2.engine_mul",
                                     "lambda a, b: engine_grads(lambda p, q: p * q, a, b)")]),
        test("test-engine-pow", 1, [("ps2.engine_pow",
                                     "lambda a: engine_grads(lambda p: p ** 3, a)")]),
        test("test-engine-tanh", 1, [("ps2.engine_tanh",
                                      "lambda a: engine_grads(lambda p: p.tanh(), a)")]),
        test("test-engine-exp", 1, [("ps2.engine_exp",
                                     "lambda a: engine_grads(lambda p: p.exp(), a)")]),
        test("test-engine-reuse", 2, [("ps2.engine_reuse", "lambda a, b: engine_grads(\n"
                                       "    lambda p, q: (p * q).tanh() * p + p.exp() * q + p * p,"
                                       "\n    a, b)")]),
        text("recap", r"""
## Recap
* Every node needs only its **local** derivative; the chain rule multiplies them.
* Forward mode carries $\partial(\cdot)/\partial W$ up, reverse mode carries
  $\partial\mathcal{L}/\partial(\cdot)$ down; reverse mode gives all parameters in one pass.
* A node with several children **sums** their messages, which is why backward rules use `+=`.
"""),
    ]


if __name__ == "__main__":
    print(write(PS, cells()))
