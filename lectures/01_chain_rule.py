# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 1 — The chain rule
#
# Backpropagation is the chain rule of calculus, applied patiently and in the right order.
# Before we build any network we make sure the chain rule itself is second nature — and we
# learn how to *check* every derivative we ever write down.
#
# **Learning goals.** After this lecture you can
#
# 1. read a derivative as a *rate* and estimate it with **finite differences**, the ground
#    truth we check every gradient against for the rest of the course;
# 2. apply the **scalar chain rule** to a composition of functions;
# 3. apply the **multivariate chain rule** (the *total derivative*) and read it as a
#    **sum over paths**;
# 4. use the **evaluate-at** notation without confusing variables and values;
# 5. compute a **gradient**, explain why it points uphill, and run **gradient descent**,
#    including what the learning rate does to the path and how the curvature (the
#    **Hessian**) limits it;
# 6. write the chain rule for a vector-valued inner function as a product with a
#    **Jacobian**.
#
# *Sources:* COMP 755 (UNC) lecture 22, UCSB 165B, U. Alberta's introduction to neural
# networks. Every formula and number taken from them is checked numerically below.
#
# *Notation:* the course's symbols (the bar $\bar v = \partial L/\partial v$, `dW` in code,
# shapes, sums and means) are on one page, [docs/notation.md](../docs/notation.md).

# %%
# %matplotlib inline
import numpy as np
import matplotlib.pyplot as plt

from helpers import widgets
from helpers.gradcheck import numerical_gradient

np.set_printoptions(precision=6, suppress=True)
rng = np.random.default_rng(0)


# %% [markdown]
# ## 1. A derivative is a rate
#
# The derivative of $f$ at $x$ says how fast $f$ changes when $x$ moves:
#
# $$f'(x) = \lim_{\varepsilon\to 0} \frac{f(x+\varepsilon) - f(x)}{\varepsilon}.$$
#
# If $f'(2) = 12$, then nudging $x$ from $2$ to $2.001$ changes $f$ by about
# $12 \times 0.001 = 0.012$. We cannot take the limit on a computer, but we can take a small
# $\varepsilon$. The **central difference**
#
# $$f'(x) \approx \frac{f(x+\varepsilon) - f(x-\varepsilon)}{2\varepsilon}$$
#
# is much more accurate than the one-sided quotient: its error shrinks like $\varepsilon^2$
# instead of $\varepsilon$ (the $\varepsilon^2$ terms of the two Taylor expansions cancel).
# Let us test both on $f(x) = x^3$, whose derivative at $x=2$ is $3\cdot 2^2 = 12$.

# %%
def f(x):
    return x ** 3

def forward_difference(f, x, eps):
    return (f(x + eps) - f(x)) / eps

def central_difference(f, x, eps):
    return (f(x + eps) - f(x - eps)) / (2 * eps)

print(f"f(2.001) - f(2) = {f(2.001) - f(2):.6f}, about f'(2) x 0.001 = {12 * 0.001:.3f}\n")
print(" eps      forward error   central error")
for k in range(1, 11):
    eps = 10.0 ** -k
    fwd = abs(forward_difference(f, 2.0, eps) - 12)
    cen = abs(central_difference(f, 2.0, eps) - 12)
    print(f"1e-{k:02d}    {fwd:9.1e}       {cen:9.1e}")

# %% [markdown]
# Two things happen. Going down the table, the forward error falls ten-fold per row
# ($\propto\varepsilon$) and the central error a hundred-fold ($\propto\varepsilon^2$) —
# until, below about $\varepsilon = 10^{-5}$, **rounding** takes over: $f(x+\varepsilon)$ and
# $f(x-\varepsilon)$ agree in almost all their 16 digits, and subtracting them throws those
# digits away. The sweet spot for central differences in float64 is
# $\varepsilon \approx 10^{-5}$ to $10^{-6}$. (In float32, with only 7 digits, there is no
# sweet spot worth having: always check gradients in float64.)

# %%
eps = np.logspace(-12, -1, 45)
fwd = np.abs(forward_difference(f, 2.0, eps) - 12)
cen = np.abs(central_difference(f, 2.0, eps) - 12)
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.loglog(eps, fwd, "o-", ms=3, label="forward difference")
ax.loglog(eps, cen, "s-", ms=3, label="central difference")
ax.axvspan(1e-6, 1e-5, color="green", alpha=0.15, label="sweet spot (central)")
ax.set_xlabel(r"step $\varepsilon$")
ax.set_ylabel(r"|estimate $-$ 12|")
ax.set_title(r"Estimating $f'(2)$ for $f(x)=x^3$")
ax.legend()
plt.show()

# %% [markdown]
# From now on, **finite differences are our ground truth.** The course's
# `helpers.gradcheck.numerical_gradient(f, x)` does exactly the central difference above, with
# $\varepsilon = 10^{-6}$, for a float `x` or for every entry of an array `x`.

# %%
ours = central_difference(f, 2.0, 1e-6)
theirs = numerical_gradient(f, 2.0)
print(f"central_difference: {ours:.8f}   numerical_gradient: {theirs:.8f}")
assert abs(ours - theirs) < 1e-12 and abs(theirs - 12) < 1e-6

# %% [markdown]
# ## 2. The scalar chain rule
#
# If $y = g(x)$ and $z = f(y)$, a small change $\Delta x$ produces
# $\Delta y \approx g'(x)\,\Delta x$, which produces $\Delta z \approx f'(y)\,\Delta y$.
# **Rates multiply:**
#
# $$\frac{dz}{dx} = \frac{dz}{dy}\,\frac{dy}{dx} = f'(g(x))\, g'(x).$$
#
# Example: $h(x) = \sin(x^2)$ is $f(y) = \sin y$ after $g(x) = x^2$, so
# $h'(x) = \cos(x^2)\cdot 2x$. A chain of three links just multiplies three rates:
# $k(x) = e^{\sin(x^2)}$ has $k'(x) = e^{\sin(x^2)}\cos(x^2)\,2x$. (TU Delft's slides put it
# this way: a deep net *is* such a chain, $f(x) = f^{(3)}(f^{(2)}(f^{(1)}(x)))$.)

# %%
h = lambda x: np.sin(x ** 2)
dh = lambda x: np.cos(x ** 2) * 2 * x
k = lambda x: np.exp(np.sin(x ** 2))
dk = lambda x: np.exp(np.sin(x ** 2)) * np.cos(x ** 2) * 2 * x

for x in [-1.3, 0.4, 2.0]:
    print(f"x = {x:+.1f}:  h' = {dh(x):+.6f} (numerical {numerical_gradient(h, x):+.6f}),"
          f"  k' = {dk(x):+.6f} (numerical {numerical_gradient(k, x):+.6f})")
    assert abs(dh(x) - numerical_gradient(h, x)) < 1e-6
    assert abs(dk(x) - numerical_gradient(k, x)) < 1e-6

# %% [markdown]
# **Quick check 1.** What is the derivative of $u(x) = (x^2 + 1)^3$ at $x = 1$? Name the inner
# and the outer function first.
#
# <details><summary>Answer</summary>
#
# Outer $f(y) = y^3$, inner $g(x) = x^2 + 1$: $u'(x) = 3(x^2+1)^2 \cdot 2x$, and at $x = 1$
# that is $3 \cdot 2^2 \cdot 2 = 24$. The cell below checks it with a finite difference.
#
# </details>

# %% jupyter={"outputs_hidden": true} tags=["hide-output"]
u = lambda x: (x ** 2 + 1) ** 3
print(f"u'(1): chain rule {3 * (1 ** 2 + 1) ** 2 * 2 * 1}, "
      f"numerical {numerical_gradient(u, 1.0):.6f}")
assert abs(numerical_gradient(u, 1.0) - 24) < 1e-6


# %% [markdown]
# ## 3. Many inputs: the total derivative
#
# Now let the outer function have several arguments that all depend on $t$:
# $f(\mathbf z(t))$ with $\mathbf z = (z_1, \dots, z_M)$. Each argument contributes its own
# chain, and the contributions **add**:
#
# $$\frac{d f(\mathbf z(t))}{dt} = \sum_{i=1}^{M} \frac{\partial f}{\partial z_i}\,
#   \frac{d z_i}{d t}.$$
#
# **COMP 755's example.** $f(x, y, z) = x^2 + y^3 + z^4$ and $g(t) = f(t, t, 1)$. The partial
# derivatives are $2x$, $3y^2$, $4z^3$; the inner derivatives are $dx/dt = 1$, $dy/dt = 1$,
# $dz/dt = 0$ (the third argument is the constant 1). So
#
# $$g'(t) = 2t\cdot 1 + 3t^2\cdot 1 + 4\cdot 1^3\cdot 0 = 2t + 3t^2.$$

# %%
def f3(x, y, z):
    return x ** 2 + y ** 3 + z ** 4

g = lambda t: f3(t, t, 1.0)
for t in [-2.0, 0.5, 1.5]:
    exact = 2 * t + 3 * t ** 2
    numeric = numerical_gradient(g, t)
    print(f"t = {t:+.1f}:  2t + 3t^2 = {exact:+.4f}   numerical {numeric:+.4f}")
    assert abs(exact - numerical_gradient(g, t)) < 1e-6

# %% [markdown]
# ### The chain rule as a sum over paths
#
# UCSB's slides draw this as a graph: $t$ feeds $x$, $y$ and $z$, which all feed $f$. Then
#
# > **the derivative of the output with respect to an input is the sum, over all paths from
# > the input to the output, of the product of the local derivatives along the path.**
#
# In general, for $\ell = f(z_1, \dots, z_M)$ with $z_i = g_i(x)$:
#
# $$\frac{d\ell}{dx} = \frac{\partial \ell}{\partial z_1}\frac{dz_1}{dx} + \frac{\partial
#   \ell}{\partial z_2}\frac{dz_2}{dx} + \dots + \frac{\partial \ell}{\partial z_M}
#   \frac{dz_M}{dx}.$$
#
# Below, $g(t) = f(t,t,1)$ at $t = 1.5$ as a graph. Each edge carries a local derivative:
# the path through $x$ contributes $1\cdot 2x = 3$, the path through $y$ contributes
# $1\cdot 3y^2 = 6.75$; $z$ is not connected to $t$ at all. The total, $9.75$, is
# $2t + 3t^2$ at $t = 1.5$. Each arrow is labelled with its local derivative, as a formula
# and as a number at $t = 1.5$. In each box, the value after "=" is the node's value and the
# **barred** number is $\partial g/\partial(\text{node})$ — how lecture 2 will compute all
# of these numbers in one sweep.

# %%
GN = widgets.GraphNode
t0 = 1.5
paths = [
    GN("t", value=t0, pos=(0, 1)),
    GN("z", value=1.0, pos=(1, 0)),
    GN("x", ("t",), lambda v: v["t"], lambda v: {"t": 1.0}, "x = t", {"t": "1"}, pos=(1, 2)),
    GN("y", ("t",), lambda v: v["t"], lambda v: {"t": 1.0}, "y = t", {"t": "1"}, pos=(1, 1)),
    GN("f", ("x", "y", "z"), lambda v: v["x"] ** 2 + v["y"] ** 3 + v["z"] ** 4,
       lambda v: {"x": 2 * v["x"], "y": 3 * v["y"] ** 2, "z": 4 * v["z"] ** 3},
       "x² + y³ + z⁴", {"x": "2x", "y": "3y²", "z": "4z³"}, pos=(2.2, 1)),
]
trace = widgets.backprop_trace(paths)
bars = trace[-1].bars
print(f"path via x: {1 * 2 * t0:.4f}   path via y: {1 * 3 * t0 ** 2:.4f}"
      f"   sum: {bars['t']:.4f}   2t + 3t^2 = {2 * t0 + 3 * t0 ** 2:.4f}")
assert abs(bars["t"] - (2 * t0 + 3 * t0 ** 2)) < 1e-12

fig = widgets.draw_trace_step(paths, trace[-1], title="g(t) = f(t, t, 1): two paths from t to f")
ax = fig.axes[0]
node = {n.name: n for n in paths}
values = trace[-1].values
for child in paths:
    for parent in child.parents:     # label each edge parent -> child with d(child)/d(parent)
        local = child.local(values)[parent]
        (x0, y0), (x1, y1) = node[parent].pos, child.pos
        formula = child.local_text[parent]
        label = f"∂{child.name}/∂{parent} = {formula}" + ("" if formula == f"{local:g}"
                                                      else f" = {local:g}")
        ax.text(0.55 * x0 + 0.45 * x1, 0.55 * y0 + 0.45 * y1 + 0.12, label, ha="center", fontsize=8,
                color="#1f77b4", bbox=dict(fc="white", ec="none", alpha=0.8), zorder=5)
        print("edge", label)
plt.show()

# %% [markdown]
# **Quick check 2.** Let $f(x, y) = xy$ and $g(t) = f(t, t^2)$. Which two paths lead from $t$ to
# $f$, what does each contribute, and what is $g'(2)$?
#
# <details><summary>Answer</summary>
#
# The path through $x = t$ contributes $\frac{\partial f}{\partial x}\frac{dx}{dt} = y \cdot 1
# = t^2$; the path through $y = t^2$ contributes $\frac{\partial f}{\partial y}\frac{dy}{dt} =
# x \cdot 2t = 2t^2$. The sum is $3t^2$ — of course, since $g(t) = t^3$ — and $g'(2) = 12$.
#
# </details>

# %% jupyter={"outputs_hidden": true} tags=["hide-output"]
t1 = 2.0
via_x, via_y = t1 ** 2 * 1, t1 * 2 * t1
g2 = lambda t: t * t ** 2
print(f"via x: {via_x}, via y: {via_y}, sum {via_x + via_y}, "
      f"numerical g'(2) = {numerical_gradient(g2, t1):.6f}")
assert abs(via_x + via_y - numerical_gradient(g2, t1)) < 1e-6

# %% [markdown]
# ## 4. Evaluate-at notation
#
# A derivative is a *function*; to get a number we evaluate it somewhere. COMP 755 makes
# this explicit with a vertical bar:
#
# $$\left.\frac{\partial (z_1^2 + z_2)}{\partial z_1}\right|_{\mathbf z = [1,\,-1]}
#   = \left. 2 z_1 \right|_{\mathbf z = [1,\,-1]} = 2.$$
#
# Rule of thumb: left of the bar are **variables and functions**; values appear only
# **right of the bar**. Once this is second nature we drop the bar and write
# $\partial f/\partial z_1$, always meaning "evaluated at the current values" — exactly what a
# finite difference computes. `numerical_gradient` on an array gives every partial
# derivative at once, here $[2z_1, 1]$ at $\mathbf z = [1, -1]$:

# %%
z = np.array([1.0, -1.0])
grad = numerical_gradient(lambda z: z[0] ** 2 + z[1], z)
print("gradient at z = [1, -1]:", grad)
assert np.allclose(grad, [2.0, 1.0], atol=1e-6)

# %% [markdown]
# ## 5. The gradient
#
# For a function of several variables, the **gradient** collects all partial derivatives in
# a vector. U. Alberta's example is
#
# $$f(x, y) = -(\cos^2 x + \cos^2 y)^2,\qquad
#   \nabla f(x,y) = \begin{bmatrix} 4(\cos^2 x + \cos^2 y)\cos x \sin x \\
#                                   4(\cos^2 x + \cos^2 y)\cos y \sin y \end{bmatrix}.$$
#
# It is the chain rule once more: $f = -s^2$ with $s = \cos^2 x + \cos^2 y$, so
# $\partial f/\partial x = -2s \cdot \partial s/\partial x = -2s\cdot(-2\cos x\sin x)$.
# `helpers.widgets` has this function as `cos_bowl` and its gradient as `cos_bowl_grad`. We
# check the slide's formula at a few random points:

# %%
for x, y in rng.uniform(-3, 3, size=(4, 2)):
    analytic = widgets.cos_bowl_grad(x, y)
    p = np.array([x, y])
    numeric = numerical_gradient(lambda p: widgets.cos_bowl(p[0], p[1]), p)
    print(f"({x:+.3f}, {y:+.3f}):  formula {analytic}   numerical {numeric}")
    assert np.allclose(analytic, numeric, atol=1e-6)

# %% [markdown]
# Three facts from the slide, each checked:
#
# 1. $f$ has two inputs, so $\nabla f$ has two entries.
# 2. **The gradient points in the direction of steepest ascent.** The rate of change of $f$
#    in a unit direction $\mathbf u$ is $\nabla f\cdot\mathbf u$, largest when
#    $\mathbf u$ is parallel to $\nabla f$, and then equal to $\lVert\nabla f\rVert$.
# 3. **At a (local) minimum the gradient is the zero vector.** $f$ is smallest, $-4$, where
#    $\cos^2 x = \cos^2 y = 1$, e.g. at the origin.

# %%
p = np.array([1.0, 0.5])
gnorm = np.linalg.norm(widgets.cos_bowl_grad(*p))
angles = np.linspace(0, 2 * np.pi, 720, endpoint=False)
def rate(a):  # derivative of f along the unit direction at angle a
    u = np.array([np.cos(a), np.sin(a)])
    return numerical_gradient(lambda s: widgets.cos_bowl(*(p + s * u)), 0.0)

rates = [rate(a) for a in angles]
best = angles[int(np.argmax(rates))]
grad_angle = np.arctan2(*widgets.cos_bowl_grad(*p)[::-1]) % (2 * np.pi)
print(f"steepest of 720 directions: {np.degrees(best):.1f} deg, rate {max(rates):.4f}")
print(f"direction of the gradient:  {np.degrees(grad_angle):.1f} deg, |grad f| = {gnorm:.4f}")
assert abs(max(rates) - gnorm) < 1e-4 and abs(best - grad_angle) < np.radians(0.5)
print("gradient at the origin:", widgets.cos_bowl_grad(0.0, 0.0),
      " f =", widgets.cos_bowl(0.0, 0.0))

# %% [markdown]
# ## 6. Gradient descent
#
# If the gradient points uphill, a small step against it goes downhill. **Gradient
# descent** starts at a guess $\mathbf x^0$ and repeats
#
# $$\mathbf x^{t+1} = \mathbf x^t - \alpha\,\nabla f(\mathbf x^t)$$
#
# until the gradient is tiny. The step length $\alpha$ is the **learning rate**.
# `widgets.gradient_descent` implements exactly this loop (look at its source: it is a
# dozen lines) and stops when $\lVert\nabla f\rVert < 10^{-6}$. (UCSB's slide, as converted
# to text, reads $x_{t+1} = x_t\ \eta \nabla f|_{x_t}$: the minus sign is missing. The update
# *subtracts* the gradient; the check below confirms that every step goes downhill.)

# %%
run = widgets.gradient_descent(start=(1.0, 0.5), lr=0.05)
print(run.summary())
print("first three points:\n", run.path[:3])
step1 = run.path[0] - 0.05 * widgets.cos_bowl_grad(*run.path[0])
assert np.allclose(run.path[1], step1) and run.converged
assert np.all(np.diff(run.values) <= 0)   # every step went downhill

# %% [markdown]
# ### What the learning rate does
#
# How far a step may go depends on how sharply the function curves. Curvature is measured by
# second derivatives. The **Hessian** of $f(x, y)$ is the matrix of all second partial
# derivatives,
#
# $$H = \begin{bmatrix} \dfrac{\partial^2 f}{\partial x^2} & \dfrac{\partial^2 f}{\partial x\,\partial y} \\[2mm]
#   \dfrac{\partial^2 f}{\partial y\,\partial x} & \dfrac{\partial^2 f}{\partial y^2} \end{bmatrix},$$
#
# that is, the Jacobian of the gradient: row $i$ is the gradient of $\partial f/\partial x_i$.
# For a one-variable function it is just $f''$; for $f(x,y) = ax^2 + by^2$ it is
# $\operatorname{diag}(2a, 2b)$, the curvature $2a$ along $x$ and $2b$ along $y$.
#
# Near the minimum the bowl looks like $-4 + 4(x^2 + y^2)$, so its Hessian at the origin is
# $8$ times the identity: curvature $8$ in every direction. The cell below checks that
# numerically (finite differences of the gradient). On a parabola with curvature $c$, one
# step multiplies the distance to the minimum by $1 - \alpha c$. So
#
# * $\alpha < 1/8$: the path creeps straight in;
# * $1/8 < \alpha < 1/4$: $1-8\alpha$ is negative — every step **overshoots** to the other
#   side, and the path zig-zags across the minimum while it converges;
# * $\alpha > 1/4$: $|1-8\alpha| > 1$ — the overshoots grow, and the path never settles.

# %%
H = np.array([numerical_gradient(lambda q, i=i: widgets.cos_bowl_grad(*q)[i], np.zeros(2))
              for i in range(2)])
print("Hessian at the origin:\n", H.round(4))
assert np.allclose(H, 8 * np.eye(2), atol=1e-4)

runs = [widgets.gradient_descent((1.0, 0.5), lr) for lr in (0.05, 0.2, 0.3)]
for r in runs:
    print(r.summary())

# %%
fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.3))
for ax, r in zip(axes, runs):
    widgets.plot_gd_paths(r, extent=1.3, ax=ax, title=f"learning rate α = {r.lr}")
fig.suptitle("Gradient descent on f(x, y) = −(cos²x + cos²y)², started at (1.0, 0.5)")
fig.tight_layout()
plt.show()

# %% [markdown]
# With $\alpha = 0.2$ the steps jump back and forth across the minimum and still converge;
# with $\alpha = 0.3$ they bounce for ever between two points. On this bowl the zig-zag is
# a back-and-forth along one line, because the bowl is round near its minimum:
# $f \approx -4 + 4x^2 + 4y^2$. The classic **zig-zag** of the Wikipedia picture on the
# Alberta slide appears in a long, narrow valley. Squash that round bowl three-fold in $y$,
# $q(x, y) = -4 + 4x^2 + 36y^2$, and the curvature becomes $8$ along $x$ but $72$ across
# the valley. The learning rate must stay below $2/72$ for the steep direction, which is
# painfully slow for the flat one; just below that limit, each step overshoots the valley
# floor ($1 - 72\alpha \approx -0.87$ for $\alpha = 0.026$) and the path bounces from wall
# to wall while it crawls along the floor ($1 - 8\alpha \approx 0.79$).

# %%
q = lambda x, y: -4 + 4 * x ** 2 + 36 * y ** 2
grad_q = lambda x, y: np.array([8 * x, 72 * y])
p = np.array([0.7, 0.2])
assert np.allclose(grad_q(*p), numerical_gradient(lambda v: q(*v), p), atol=1e-6)

zig = widgets.gradient_descent((1.0, 0.3), lr=0.026, f=q, grad=grad_q)
print(zig.summary())
print("signs of y along the first 8 steps:", np.sign(zig.path[1:9, 1]).astype(int))
print("x along the first 4 steps:", zig.path[1:5, 0].round(4))
print(f"per step: y is multiplied by 1 - 72 x 0.026 = {1 - 72 * 0.026:+.3f}, "
      f"x by 1 - 8 x 0.026 = {1 - 8 * 0.026:+.3f}")
fig, ax = plt.subplots(figsize=(6, 5.2))
widgets.plot_gd_paths(zig, extent=1.1, ax=ax, f=q,
                      title=r"zig-zag in a narrow valley: $q(x,y)$, $\alpha = 0.026$")
colourbar = fig.axes[-1]                 # the plot shows q, so its colour bar must say so
colourbar.set_ylabel("q(x, y)")
print("colour bar label:", colourbar.get_ylabel())
plt.show()

# %% [markdown]
# **Quick check 3.** On the valley $q(x, y) = -4 + 4x^2 + 36y^2$, what is the largest learning
# rate for which gradient descent still converges, and which direction decides it?
#
# <details><summary>Answer</summary>
#
# The Hessian of $q$ is $\operatorname{diag}(8, 72)$. Along $y$ one step multiplies the distance
# by $1 - 72\alpha$, which must stay between $-1$ and $1$: $\alpha < 2/72 \approx 0.0278$. The
# steep direction decides; along $x$ the limit would be $2/8 = 0.25$. Below, $\alpha = 0.027$
# converges and $\alpha = 0.029$ diverges.
#
# </details>

# %% jupyter={"outputs_hidden": true} tags=["hide-output"]
H_q = np.array([numerical_gradient(lambda v, i=i: grad_q(*v)[i], np.zeros(2)) for i in range(2)])
print("Hessian of q:", H_q.round(4).tolist(), f"  limit 2/72 = {2 / 72:.4f}")
below = widgets.gradient_descent((1.0, 0.3), lr=0.027, f=q, grad=grad_q, max_steps=500)
above = widgets.gradient_descent((1.0, 0.3), lr=0.029, f=q, grad=grad_q, max_steps=100)
print(below.summary())
print(f"lr = 0.029: after {above.steps} steps y = {above.path[-1, 1]:+.4g}, still growing")
assert np.allclose(H_q, np.diag([8.0, 72.0]), atol=1e-4)
assert below.converged and not above.converged and abs(above.path[-1, 1]) > 100

# %% [markdown]
# ### Try it yourself
#
# Move the sliders: the path, the number of steps and the final value update. Things to try:
#
# * start at $(1.0, 0.5)$ and raise $\alpha$ from $0.05$ through $0.125$ (the fewest steps —
#   why?) to $0.25$ and beyond;
# * start close to the maximum at $(\pi/2, \pi/2)$: at $(1.5, 1.5)$ the gradient is so small
#   that 100 steps barely move — raise *max steps* to 500. Then try $(1.65, 1.5)$,
#   $(1.5, 1.65)$ and $(1.65, 1.65)$: four nearby starts, four different minima. Gradient
#   descent only finds a *local* minimum, the one whose basin it starts in;
# * start on the ridge near $(\pi/2, 0)$, e.g. $x = 1.55$, $y = 0$: the first steps are tiny,
#   then the path speeds up as it slides off the ridge.

# %% tags=["nbval-ignore-output"]
widgets.gd_explorer(lr=0.05, start=(1.0, 0.5))

# %% [markdown]
# <details><summary>Answers to the things to try</summary>
#
# * **Learning rate.** From $(1.0, 0.5)$: 35 steps at $\alpha = 0.05$, 13 at $0.1$, only 5 at
#   $0.125$, then 11 at $0.15$ and 27 at $0.2$; at $0.25$ the path never settles. $\alpha = 1/8$
#   is fastest because $1 - 8\alpha = 0$: on the parabola that approximates the bowl, one step
#   lands exactly on the minimum, so only the small difference between the bowl and the
#   parabola is left to correct.
# * **Near the maximum.** At $(1.5, 1.5)$ the gradient is almost zero, so 100 steps end at
#   $(1.4796, 1.4796)$; with 500 steps the path reaches $(0, 0)$. The starts $(1.65, 1.5)$,
#   $(1.5, 1.65)$ and $(1.65, 1.65)$ end at $(\pi, 0)$, $(0, \pi)$ and $(\pi, \pi)$: the
#   maximum at $(\pi/2, \pi/2)$ separates four basins.
# * **On the ridge.** From $(1.55, 0)$ the first step moves by only 0.0042; each step is about
#   20 % longer than the one before (0.0312 by the twelfth), until the path runs down into the
#   minimum at the origin.
#
# The cell below runs each of these.
#
# </details>

# %% jupyter={"outputs_hidden": true} tags=["hide-output"]
for lr in (0.05, 0.1, 0.125, 0.15, 0.2, 0.25):
    print(widgets.gradient_descent((1.0, 0.5), lr).summary())
for start in [(1.5, 1.5), (1.65, 1.5), (1.5, 1.65), (1.65, 1.65)]:
    short = widgets.gradient_descent(start, 0.05, max_steps=100)
    long = widgets.gradient_descent(start, 0.05, max_steps=500)
    print(f"start {start}: 100 steps end at {short.path[-1].round(4)}, "
          f"500 steps: {long.summary()}")
ridge = widgets.gradient_descent((1.55, 0.0), 0.05)
step_lengths = np.linalg.norm(np.diff(ridge.path, axis=0), axis=1)
growth = step_lengths[1:12] / step_lengths[:11]
print("ridge: first 12 step lengths", step_lengths[:12].round(4))
print(f"ridge: each step {100 * (growth.mean() - 1):.0f} % longer than the one before;",
      ridge.summary())
assert widgets.gradient_descent((1.0, 0.5), 0.125).steps < widgets.gradient_descent(
    (1.0, 0.5), 0.1).steps


# %% [markdown]
# ## 7. Vector-valued inner functions: the Jacobian
#
# U. Alberta's second example is a function of four variables,
#
# $$f(x_1,x_2,x_3,x_4) = (x_1+10x_2)^2 + 5(x_3-x_4)^2 + (x_2+2x_3)^4 + 10(x_1-x_4)^4 .$$
#
# Its gradient, term by term with the chain rule:
#
# $$\nabla f = \begin{bmatrix}
#   2(x_1+10x_2) + 40(x_1-x_4)^3 \\
#   20(x_1+10x_2) + 4(x_2+2x_3)^3 \\
#   10(x_3-x_4) + 8(x_2+2x_3)^3 \\
#   -10(x_3-x_4) - 40(x_1-x_4)^3
# \end{bmatrix}, \qquad
# \nabla f\big|_{[3,-1,0,1]} = \begin{bmatrix} 306 \\ -144 \\ -18 \\ -310 \end{bmatrix},
# \quad f(3,-1,0,1) = 215.$$

# %%
def f4(x):
    x1, x2, x3, x4 = x
    return (x1 + 10 * x2) ** 2 + 5 * (x3 - x4) ** 2 + (x2 + 2 * x3) ** 4 + 10 * (x1 - x4) ** 4

def grad_f4(x):
    x1, x2, x3, x4 = x
    return np.array([2 * (x1 + 10 * x2) + 40 * (x1 - x4) ** 3,
                     20 * (x1 + 10 * x2) + 4 * (x2 + 2 * x3) ** 3,
                     10 * (x3 - x4) + 8 * (x2 + 2 * x3) ** 3,
                     -10 * (x3 - x4) - 40 * (x1 - x4) ** 3])

x0 = np.array([3.0, -1.0, 0.0, 1.0])
print("f(x0) =", f4(x0))
print("formula:  ", grad_f4(x0))
print("numerical:", numerical_gradient(f4, x0))
assert f4(x0) == 215 and np.allclose(grad_f4(x0), [306, -144, -18, -310])
assert np.allclose(numerical_gradient(f4, x0), grad_f4(x0), atol=1e-4)


# %% [markdown]
# Now let $\mathbf x$ itself be a function of two variables $\mathbf z = (z_1, z_2)$:
#
# $$x_1 = z_1 - z_2,\quad x_2 = z_1^2,\quad x_3 = z_2^2,\quad x_4 = z_1^2 + z_1 z_2 .$$
#
# The total derivative of section 3, once for each $z_j$, is
# $\dfrac{\partial f}{\partial z_j} = \sum_i \dfrac{\partial f}{\partial x_i}
# \dfrac{\partial x_i}{\partial z_j}$. Collect the inner derivatives in the $4\times 2$
# **Jacobian** $J_{ij} = \partial x_i/\partial z_j$:
#
# $$J = \begin{bmatrix} 1 & -1 \\ 2z_1 & 0 \\ 0 & 2z_2 \\ 2z_1 + z_2 & z_1 \end{bmatrix},
#   \qquad \nabla_{\mathbf z} f = J^{\top}\,\nabla_{\mathbf x} f .$$
#
# The whole chain rule is **one matrix–vector product** (UCSB writes the same rule as
# $\nabla g(f(x))|_x = (\nabla f|_x)^{\top}\,\nabla g|_y$, with $\nabla f$ the Jacobian of the
# inner function); Alberta's slides call it a
# *Jacobian-vector product* (strictly, multiplying by $J^\top$ on the left is a
# *vector-Jacobian* product — the operation backpropagation is made of). No real
# $\mathbf z$ gives $\mathbf x = [3,-1,0,1]$ (that would need $z_1^2 = -1$), so we evaluate at
# $\mathbf z = [1, 2]$, where $\mathbf x = [-1, 1, 4, 3]$:

# %%
def x_of_z(z):
    z1, z2 = z
    return np.array([z1 - z2, z1 ** 2, z2 ** 2, z1 ** 2 + z1 * z2])

def jacobian(z):
    z1, z2 = z
    return np.array([[1.0, -1.0], [2 * z1, 0.0], [0.0, 2 * z2], [2 * z1 + z2, z1]])

z0 = np.array([1.0, 2.0])
print("x(z0) =", x_of_z(z0))
assert np.allclose(jacobian(z0), np.array([numerical_gradient(lambda z, i=i: x_of_z(z)[i], z0)
                                           for i in range(4)]), atol=1e-6)
chain = jacobian(z0).T @ grad_f4(x_of_z(z0))
numeric = numerical_gradient(lambda z: f4(x_of_z(z)), z0)
print("J^T grad_x f:", chain)
print("numerical:   ", numeric.round(4))
assert np.allclose(chain, numeric, rtol=1e-6)

# %% [markdown]
# Notice the order of work. We computed $\nabla_{\mathbf x} f$ (a 4-vector) once, and then
# one product with $J^\top$ gave both $\partial f/\partial z_1$ and
# $\partial f/\partial z_2$. We never built the derivative of $f$ along each path
# separately. Backpropagation is this idea applied to a long chain of functions: start
# from the output, and pass one vector of derivatives backwards, one Jacobian at a time.
#
# ## Recap
#
# * A derivative is a rate; the **central difference**
#   $\big(f(x+\varepsilon)-f(x-\varepsilon)\big)/2\varepsilon$ with $\varepsilon \approx
#   10^{-6}$ in float64 estimates it to about 9 digits, and is our ground truth
#   (`helpers.gradcheck.numerical_gradient`).
# * **Chain rule:** rates multiply, $\frac{dz}{dx} = \frac{dz}{dy}\frac{dy}{dx}$.
# * **Total derivative:** contributions of all arguments add,
#   $\frac{df}{dt} = \sum_i \frac{\partial f}{\partial z_i}\frac{dz_i}{dt}$ — a **sum over
#   paths** of products along each path ($g(t)=f(t,t,1)$ gives $2t+3t^2$).
# * **Evaluate-at:** variables left of the bar, values right of it
#   ($\partial(z_1^2+z_2)/\partial z_1|_{[1,-1]} = 2$).
# * The **gradient** points uphill, is zero at a minimum, and **gradient descent** steps
#   against it; the learning rate decides between creeping, zig-zagging and diverging
#   (on the cos bowl: $\alpha < 1/8$, $1/8 < \alpha < 1/4$, $\alpha > 1/4$). The
#   **Hessian**, the matrix of second derivatives, measures the curvature that sets these limits:
#   a step along a direction of curvature $c$ multiplies the distance by $1 - \alpha c$.
# * With a vector-valued inner function the chain rule is a product with the **Jacobian**:
#   $\nabla_{\mathbf z} f = J^\top \nabla_{\mathbf x} f$.
#
# **Next:** lecture 2 breaks a loss into small nodes of a computational graph and computes
# all these products automatically — backpropagation.
