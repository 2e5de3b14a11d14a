"""Build solutions/ps1_chain_rule/ps1_chain_rule.ipynb (run: python tools/build_ps1.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_ps_common import derivation, setup, solution, test, text, write  # noqa: E402

PS = "ps1_chain_rule"

SETUP = '''
import numpy as np
import helpers.grading                       # installs the checker: this must be the first cell
from helpers.grading import check
'''

GIVEN = '''
# The forward functions of this problem set. The tests differentiate their own copies of them
# (in helpers.grading) with finite differences, so editing this cell changes nothing for grading.

def f(x, y, z):
    return x ** 2 + y ** 3 + z ** 4

def g(t):
    return f(t, t, 1.0)

def f_cos(x, y):
    return -(np.cos(x) ** 2 + np.cos(y) ** 2) ** 2

def f4(x):
    x1, x2, x3, x4 = x
    return (x1 + 10 * x2) ** 2 + 5 * (x3 - x4) ** 2 + (x2 + 2 * x3) ** 4 + 10 * (x1 - x4) ** 4

def x_of_z(z):
    z1, z2 = z
    return np.array([z1 - z2, z1 ** 2, z2 ** 2, z1 ** 2 + z1 * z2])

def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))

def loss_wb(w, b, x, t):
    return 0.5 * (sigmoid(w * x + b) - t) ** 2
'''

SOL_DG = '''
def dg(t):
    """g'(t) for g(t) = f(t, t, 1), f(x, y, z) = x² + y³ + z⁴. t: a float. Returns a float."""
    ### BEGIN SOLUTION
    return 2 * t + 3 * t ** 2
    ### END SOLUTION
'''

SOL_COS = '''
def grad_cos(x, y):
    """∇f at (x, y) for f(x, y) = -(cos²x + cos²y)². Returns an array [∂f/∂x, ∂f/∂y]."""
    ### BEGIN SOLUTION
    s = np.cos(x) ** 2 + np.cos(y) ** 2
    return np.array([4 * s * np.cos(x) * np.sin(x), 4 * s * np.cos(y) * np.sin(y)])
    ### END SOLUTION
'''

SOL_F4 = '''
def grad_f4(x):
    """∇f(x) of the four-variable function f4; x has shape (4,), so has the result."""
    ### BEGIN SOLUTION
    x1, x2, x3, x4 = x
    a, c, d, e = x1 + 10 * x2, x3 - x4, x2 + 2 * x3, x1 - x4
    return np.array([
        2 * a + 40 * e ** 3,
        20 * a + 4 * d ** 3,
        10 * c + 8 * d ** 3,
        -10 * c - 40 * e ** 3,
    ])
    ### END SOLUTION
'''

SOL_F4Z = '''
def grad_f4_z(z):
    """∂f/∂z of f(x(z)), z of shape (2,): the Jacobian of x(z), transposed, times ∇f(x)."""
    ### BEGIN SOLUTION
    z1, z2 = z
    J = np.array([[1.0, -1.0],          # rows: x1..x4, columns: z1, z2
                  [2 * z1, 0.0],
                  [0.0, 2 * z2],
                  [2 * z1 + z2, z1]])
    return J.T @ grad_f4(x_of_z(z))
    ### END SOLUTION
'''

SOL_WB = '''
def grad_wb(w, b, x, t):
    """(∂L/∂w, ∂L/∂b) for L = ½(σ(wx + b) - t)²; all arguments are floats."""
    ### BEGIN SOLUTION
    y = sigmoid(w * x + b)
    y_bar = y - t                 # ∂L/∂y
    z_bar = y_bar * y * (1 - y)   # ∂L/∂z, σ'(z) = σ(z)(1 - σ(z))
    return z_bar * x, z_bar
    ### END SOLUTION
'''

TRY = '''
# Try your functions at the points of the slides (not graded):
try:
    print("g'(2)            =", dg(2.0))                         # 2·2 + 3·4 = 16
    print("∇f4 at [3,-1,0,1] =", grad_f4(np.array([3.0, -1.0, 0.0, 1.0])))   # [306 -144 -18 -310]
    print("∂f/∂z at [1, 2]   =", grad_f4_z(np.array([1.0, 2.0])))
except NotImplementedError:
    print("(not graded: finish the functions above first)")
'''


def cells():
    return [
        text("intro", r"""
# Problem set 1: the chain rule

**Learning goals.** After this problem set you can
* differentiate a function of several variables that are themselves functions of one variable
  (the total derivative);
* compute and code the gradient of a function of two and of four variables;
* push a gradient through a vector-valued inner function with the Jacobian ("Jacobian-vector
  product");
* differentiate the loss of a one-weight logistic unit, L = ½(σ(wx + b) − t)², with respect to
  w and b by the chain rule, re-using the shared factors.

**How this is graded.** Each part has a derivation (a markdown cell, graded by a person: show the
steps, not only the result) and a function (graded automatically). The visible tests check your
function at a fixed point and say what is wrong; hidden tests repeat the check at fresh random
points. All tests compare with *finite differences* of the forward functions, never with stored
numbers, and your functions must compute the derivatives themselves (no finite differences, no
autograd). Run the notebook from the top (Kernel → Restart & Run All) before you submit.
"""),
        setup("setup", SETUP),
        text("given-intro", """
The forward functions, for you to read and experiment with:
"""),
        setup("given", GIVEN),
        # ---- 1. total derivative
        text("q1", r"""
## 1. A total derivative (COMP 755)

Let $f(x, y, z) = x^2 + y^3 + z^4$ and $g(t) = f(t, t, 1)$: all three arguments of $f$ are
functions of one variable $t$ ($x = t$, $y = t$, $z = 1$).

**1a (derivation).** Use the multivariate chain rule
$\frac{dg}{dt} = \frac{\partial f}{\partial x}\frac{dx}{dt} + \frac{\partial f}{\partial y}
\frac{dy}{dt} + \frac{\partial f}{\partial z}\frac{dz}{dt}$ to find $g'(t)$. Say which term
vanishes and why.
"""),
        derivation("q1a-derivation", 2, r"""
$\partial f/\partial x = 2x$, $\partial f/\partial y = 3y^2$, $\partial f/\partial z = 4z^3$, and
$dx/dt = 1$, $dy/dt = 1$, $dz/dt = 0$ (z is the constant 1, so its term vanishes). Hence
$g'(t) = 2t \cdot 1 + 3t^2 \cdot 1 + 4 \cdot 1^3 \cdot 0 = 2t + 3t^2$.
Check: $g(t) = t^2 + t^3 + 1$ directly gives the same.
"""),
        text("q1b", "**1b (code).** Write `dg(t)`."),
        solution("q1b-dg", SOL_DG),
        test("test-dg", 1, [("ps1.dg", "dg")]),
        # ---- 2. gradient of f(x, y)
        text("q2", r"""
## 2. A gradient in two variables (U. Alberta)

$f(x, y) = -(\cos^2 x + \cos^2 y)^2$ is the bowl-shaped surface of the gradient-descent demo of
the lectures.

**2a (derivation).** Derive $\nabla f = [\partial f/\partial x, \partial f/\partial y]$. Name
the outer and inner functions at each step of the chain rule.
"""),
        derivation("q2a-derivation", 2, r"""
Let $s = \cos^2 x + \cos^2 y$, so $f = -s^2$ and $\partial f/\partial s = -2s$.
$\partial s/\partial x = 2\cos x \cdot (-\sin x)$ (outer: square, inner: cos). Hence
$\partial f/\partial x = -2s \cdot (-2 \cos x \sin x) = 4(\cos^2 x + \cos^2 y)\cos x \sin x$
and by symmetry $\partial f/\partial y = 4(\cos^2 x + \cos^2 y)\cos y \sin y$.
"""),
        text("q2b", "**2b (code).** Write `grad_cos(x, y)`, returning an array of shape (2,)."),
        solution("q2b-grad-cos", SOL_COS),
        test("test-grad-cos", 1, [("ps1.grad_cos", "grad_cos")]),
        # ---- 3. four variables and x(z)
        text("q3", r"""
## 3. Four variables, then a change of variables (U. Alberta)

$$f(x_1, x_2, x_3, x_4) = (x_1 + 10x_2)^2 + 5(x_3 - x_4)^2 + (x_2 + 2x_3)^4 + 10(x_1 - x_4)^4$$

**3a (derivation).** Derive the four partial derivatives and evaluate them at
$[x_1, x_2, x_3, x_4] = [3, -1, 0, 1]$ (the lecture's point).
"""),
        derivation("q3a-derivation", 2, r"""
With $a = x_1 + 10x_2$, $c = x_3 - x_4$, $d = x_2 + 2x_3$, $e = x_1 - x_4$:
* $\partial f/\partial x_1 = 2a + 40e^3$
* $\partial f/\partial x_2 = 20a + 4d^3$ (the inner derivative of $a$ with respect to $x_2$ is 10)
* $\partial f/\partial x_3 = 10c + 8d^3$
* $\partial f/\partial x_4 = -10c - 40e^3$

At $[3, -1, 0, 1]$: $a = -7$, $c = -1$, $d = -1$, $e = 2$, so
$\nabla f = [-14 + 320,\; -140 - 4,\; -10 - 8,\; 10 - 320] = [306, -144, -18, -310]$.
"""),
        text("q3b", "**3b (code).** Write `grad_f4(x)` for `x` of shape (4,)."),
        solution("q3b-grad-f4", SOL_F4),
        test("test-grad-f4", 2, [("ps1.grad_f4", "grad_f4")]),
        text("q3c", r"""
Now let $x$ be a function of $z = (z_1, z_2)$:
$x_1 = z_1 - z_2,\; x_2 = z_1^2,\; x_3 = z_2^2,\; x_4 = z_1^2 + z_1 z_2$.

**3c (derivation).** Write the Jacobian $J = \partial x / \partial z$ (a 4 × 2 matrix) and show
that $\nabla_z f = J^\top \nabla_x f$: each $\partial f/\partial z_j$ is a sum over the four paths
through $x_1, \dots, x_4$.
"""),
        derivation("q3c-derivation", 2, r"""
$$J = \begin{bmatrix} 1 & -1 \\ 2z_1 & 0 \\ 0 & 2z_2 \\ 2z_1 + z_2 & z_1 \end{bmatrix}$$
By the multivariate chain rule
$\partial f/\partial z_j = \sum_{i=1}^4 \frac{\partial f}{\partial x_i}\frac{\partial x_i}
{\partial z_j} = (J^\top \nabla_x f)_j$: a Jacobian-(transposed)-vector product, with
$\nabla_x f$ evaluated at $x(z)$.
"""),
        text("q3d", "**3d (code).** Write `grad_f4_z(z)` (z: shape (2,)); you may call `grad_f4`."),
        solution("q3d-grad-f4-z", SOL_F4Z),
        test("test-grad-f4-z", 2, [("ps1.grad_f4_z", "grad_f4_z")]),
        # ---- 4. the logistic unit
        text("q4", r"""
## 4. One logistic unit (TU Delft)

$L = \tfrac12(\sigma(wx + b) - t)^2$ with $\sigma(u) = 1/(1 + e^{-u})$. Decompose it as
$z = wx + b$, $y = \sigma(z)$, $L = \tfrac12 (y - t)^2$.

**4a (derivation).** Derive $\partial L/\partial w$ and $\partial L/\partial b$ with the chain rule.
Show that $\sigma'(z) = \sigma(z)(1 - \sigma(z))$, and say which factors the two derivatives share
(so that code computes them once).
"""),
        derivation("q4a-derivation", 2, r"""
$\sigma'(z) = e^{-z}/(1 + e^{-z})^2 = \sigma(z)\,(1 - \sigma(z))$.
$\frac{dL}{dy} = y - t$, $\frac{dy}{dz} = \sigma'(z)$, $\frac{\partial z}{\partial w} = x$,
$\frac{\partial z}{\partial b} = 1$. So
$\frac{\partial L}{\partial w} = (\sigma(wx+b) - t)\,\sigma(wx+b)(1 - \sigma(wx+b))\,x$ and
$\frac{\partial L}{\partial b} = (\sigma(wx+b) - t)\,\sigma(wx+b)(1 - \sigma(wx+b))$.
They share $\bar z = \frac{dL}{dy}\frac{dy}{dz}$: compute $\bar y = y - t$, then
$\bar z = \bar y\,\sigma'(z)$, then $\bar w = \bar z x$ and $\bar b = \bar z$ (four terms in
all, computed backwards).
"""),
        text("q4b", "**4b (code).** Write `grad_wb(w, b, x, t)` returning `(dL_dw, dL_db)`."),
        solution("q4b-grad-wb", SOL_WB),
        test("test-dLdw", 1, [("ps1.dLdw", "grad_wb")]),
        test("test-dLdb", 1, [("ps1.dLdb", "grad_wb")]),
        text("try-intro", "## Try it"),
        setup("try", TRY),
        text("recap", r"""
## Recap
* A derivative through several paths is the **sum** over the paths (1, 3c).
* Code the chain rule backwards from the loss and re-use shared factors: ȳ, then z̄, then w̄ and b̄.
* A finite-difference check tells you *that* a gradient is wrong; the derivation tells you *why*.
"""),
    ]


if __name__ == "__main__":
    print(write(PS, cells()))
