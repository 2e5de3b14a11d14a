# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lecture 2 — Backpropagation on computational graphs
#
# In lecture 1 we differentiated formulas. Here we stop differentiating formulas and start
# differentiating **programs**: a loss is computed in small steps, each step is a node of a
# graph, and backpropagation visits the nodes in reverse, multiplying and adding local
# derivatives. At the end the course's `helpers.autograd` engine does all of it for us.
#
# **Learning goals.** After this lecture you can
#
# 1. say what a **computational graph** is (nodes, edges, local derivatives, topological
#    order) and run its **forward pass**;
# 2. run its **backward pass** with the **bar notation** $\bar v = \partial\mathcal L/\partial v$
#    and the rule $\bar v = \sum_{c\,\in\,\text{children}(v)} \bar c\,\partial c/\partial v$, and
#    explain why it **re-uses** shared terms;
# 3. read the **gate patterns**: add distributes, multiply swaps, max routes;
# 4. explain backprop as **message passing**, and why that makes it **modular**;
# 5. tell **forward mode** from **reverse mode** (Harvard's ξ table), and catch a slide's sign
#    slip by checking it;
# 6. backpropagate by hand through a scalar two-layer network, then let
#    `helpers.autograd.Value` do it, draw the graph and check it against finite differences.
#
# *Sources:* TU Delft's deep learning lecture on backprop, CS231n's gate patterns, Harvard
# (P. Protopapas) on backpropagation, U. Alberta's introduction to neural networks. Every
# formula and number taken from them is checked numerically; where a slide has a slip, we say so.
#
# *Notation:* bars, `dW` in code, shapes, sums and means are on one page,
# [docs/notation.md](../docs/notation.md).

# %%
# %matplotlib inline
import math

import numpy as np
import matplotlib.pyplot as plt

from helpers import widgets
from helpers.autograd import Value, topological_order
from helpers.gradcheck import numerical_gradient
from helpers.plots import draw_graph

np.set_printoptions(precision=6, suppress=True)

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# %% [markdown]
# ## 1. What a computational graph is
#
# A **computational graph** writes a computation as a network of small steps:
#
# * a **node** for every quantity: the inputs and parameters (the *leaves*), every
#   intermediate value, and the output (for us, the loss);
# * an **edge** $u \to v$ when $v$ is computed *directly* from $u$: $u$ is a **parent** of $v$,
#   and $v$ a **child** of $u$;
# * every computed node stores one small function of its parents (its forward rule) and, on
#   each incoming edge, its **local derivative** $\partial v/\partial u$.
#
# A **topological order** lists every node after all of its parents. Computing the nodes in
# such an order is the **forward pass**: when a node's turn comes, its parents' values are known.
#
# Our running example is TU Delft's: one sigmoid unit with a squared loss,
#
# $$z = wx + b,\qquad y = \sigma(z),\qquad \mathcal L = \tfrac12 (y - t)^2,$$
#
# at $w = 0.5$, $b = -0.5$, $x = 2$, $t = 1$. Its graph has seven nodes: the leaves $w, b, x, t$
# and the computed $z, y, \mathcal L$. The local derivatives on its edges are
# $\partial z/\partial w = x$, $\partial z/\partial x = w$, $\partial z/\partial b = 1$,
# $\partial y/\partial z = \sigma(z)(1-\sigma(z))$, $\partial\mathcal L/\partial y = y - t$ and
# $\partial\mathcal L/\partial t = t - y$. The cell below builds the graph with
# `helpers.widgets.GraphNode`s, checks that the list is in topological order, runs the forward
# pass and prints every edge's local derivative at the forward values.

# %%
unit = widgets.logistic_ls_graph(w=0.5, b=-0.5, x=2.0, t=1.0)[:7]   # w, b, x, z, y, t, L
unit_order = [n.name for n in unit]
assert all(unit_order.index(p) < unit_order.index(n.name) for n in unit for p in n.parents)
print("topological order:", unit_order)

unit_trace = widgets.backprop_trace(unit)
after_forward = [s for s in unit_trace if s.phase == "forward"][-1]
for step in unit_trace:
    if step.phase == "forward":
        print(step.text)
for n in unit:
    for p in n.parents:
        print(f"edge {p} -> {n.name}:  ∂{n.name}/∂{p} = {n.local_text[p]}"
              f" = {n.local(after_forward.values)[p]:+.4f}")
widgets.draw_trace_step(unit, after_forward, title="the unit's graph after the forward pass")
plt.show()

# %% [markdown]
# **Quick check 1.** In this graph, which nodes are the children of $z$, and which are the
# parents of $\mathcal L$? Is $(t, x, w, b, z, y, \mathcal L)$ a topological order?
#
# <details><summary>Answer</summary>
#
# $z$ has one child, $y$; $\mathcal L$ has two parents, $y$ and $t$. Yes: every node comes after
# its parents (the leaves may come in any order, as long as they come before the nodes computed
# from them). The cell below checks both.
#
# </details>

# %% jupyter={"outputs_hidden": true} tags=["hide-output"]
children_of_z = [n.name for n in unit if "z" in n.parents]
parents_of_L = list(unit[-1].parents)
candidate = ["t", "x", "w", "b", "z", "y", "L"]
ok = all(candidate.index(p) < candidate.index(n.name) for n in unit for p in n.parents)
print("children of z:", children_of_z, "  parents of L:", parents_of_L, "  topological:", ok)
assert children_of_z == ["y"] and sorted(parents_of_L) == ["t", "y"] and ok

# %% [markdown]
# ## 2. The backward pass: bars and the sum over children
#
# TU Delft's **bar notation** names the derivative of the loss with respect to a node,
# $\bar v = \partial\mathcal L/\partial v$ (in code `v_bar`, or `dv` as in the notation page).
# The output's own bar is $\bar{\mathcal L} = 1$. A node influences the loss only through its
# children, so by lecture 1's multivariate chain rule (the sum over paths)
#
# $$\bar v = \sum_{c\,\in\,\text{children}(v)} \bar c\,\frac{\partial c}{\partial v}.$$
#
# The **backpropagation algorithm**:
#
# 1. put the nodes in a topological order $n_1, \dots, n_N$;
# 2. forward: for $i = 1, \dots, N$ compute $n_i$ from its parents;
# 3. $\bar n_N = 1$ (the output's derivative with respect to itself);
# 4. backward: for $i = N-1, \dots, 1$:
#    $\displaystyle \bar n_i = \sum_{n_j\,\in\,\text{children}(n_i)} \bar n_j\,
#    \frac{\partial n_j}{\partial n_i}.$
#
# Going in reverse topological order guarantees that every child's bar is known when it is
# needed. In the unit every node has one child, so each sum has one term:
#
# $$\bar{\mathcal L} = 1,\qquad \bar y = \bar{\mathcal L}\,(y - t),\qquad
#   \bar z = \bar y\,\sigma'(z),\qquad \bar w = \bar z\,x,\qquad \bar b = \bar z .$$
#
# **Why not differentiate the formula directly?** It gives
# $\frac{\partial\mathcal L}{\partial w} = (\sigma(wx+b)-t)\,\sigma'(wx+b)\,x$ and
# $\frac{\partial\mathcal L}{\partial b} = (\sigma(wx+b)-t)\,\sigma'(wx+b)$: the same factor,
# computed twice. The backward pass computes it once, as $\bar z$, and **re-uses** it; with
# millions of parameters the shared work is most of the work. The cell computes the bars once
# and checks them against the direct formulas and against finite differences.

# %%
w, b, x, t = 0.5, -0.5, 2.0, 1.0
dsig = lambda z: sigmoid(z) * (1 - sigmoid(z))

z = w * x + b                    # forward pass, values stored
y_ = sigmoid(z)
L = 0.5 * (y_ - t) ** 2

L_bar = 1.0                      # backward pass: each bar from its child's bar
y_bar = L_bar * (y_ - t)
z_bar = y_bar * dsig(z)
w_bar = z_bar * x
b_bar = z_bar
print(f"z = {z:.4f}, y = {y_:.4f}, L = {L:.6f}")
print(f"y_bar = {y_bar:+.6f}, z_bar = {z_bar:+.6f}, w_bar = {w_bar:+.6f}, b_bar = {b_bar:+.6f}")

dw = (sigmoid(w * x + b) - t) * dsig(w * x + b) * x    # the formulas, differentiated directly
db = (sigmoid(w * x + b) - t) * dsig(w * x + b)
L_of = lambda p: 0.5 * (sigmoid(p[0] * x + p[1]) - t) ** 2
numeric = numerical_gradient(L_of, np.array([w, b]))
print(f"formulas:  dL/dw = {dw:+.6f}, dL/db = {db:+.6f}")
print(f"numerical: dL/dw = {numeric[0]:+.6f}, dL/db = {numeric[1]:+.6f}")
assert np.allclose([dw, db], numeric, atol=1e-8)
assert np.allclose([w_bar, b_bar], [dw, db], rtol=1e-15)
assert abs(unit_trace[-1].bars["w"] - w_bar) < 1e-12   # the stepper's backward pass agrees

# %% [markdown]
# ## 3. Gate patterns: add distributes, multiply swaps, max routes
#
# CS231n teaches to read the backward pass of the most common nodes ("gates") as patterns.
# A gate receives the bar of its output, $\bar o$ (the *upstream* gradient), and passes a
# message to each input:
#
# * **add distributes**: $o = a + b$ has local derivatives $1$ and $1$, so
#   $\bar a = \bar b = \bar o$: both inputs get the upstream gradient unchanged;
# * **multiply swaps**: $o = ab$ has $\partial o/\partial a = b$, $\partial o/\partial b = a$,
#   so $\bar a = b\,\bar o$ and $\bar b = a\,\bar o$: each input gets the upstream gradient
#   times the *other* input;
# * **max routes**: $o = \max(a, b)$ passes $\bar o$ to the larger input and $0$ to the other,
#   like a switch (ReLU is $\max(z, 0)$);
# * and a value used twice (a **branch**) gets the **sum** of its two messages: the sum over
#   children.
#
# With $a = 3$, $b = -2$ and $\bar o = 5$: add gives $5$ and $5$, multiply gives $-10$ and $15$,
# max gives $5$ and $0$. `Value` has no max, but $\max(a, b) = b + \mathrm{relu}(a - b)$ builds
# one from gates it has. Each gate is checked against finite differences of $5\,o(a, b)$:

# %%
a, b_in, o_bar = 3.0, -2.0, 5.0
gates = {   # name: (the gate on floats, the same gate on Values)
    "add": (lambda a, b: a + b, lambda A, B: A + B),
    "multiply": (lambda a, b: a * b, lambda A, B: A * B),
    "max": (lambda a, b: max(a, b), lambda A, B: B + (A - B).relu()),
}
for name, (gate, gate_v) in gates.items():
    A, B = Value(a), Value(b_in)
    (o_bar * gate_v(A, B)).backward()          # the gate's output gets the bar o_bar = 5
    numeric = numerical_gradient(lambda p, gate=gate: o_bar * gate(p[0], p[1]),
                                 np.array([a, b_in]))
    print(f"{name:8s}  a_bar = {A.grad:+5.1f}   b_bar = {B.grad:+5.1f}   numerical {numeric}")
    assert np.allclose([A.grad, B.grad], numeric, atol=1e-6)

A = Value(a)
branch = A * 2.0 + A * A            # A has two children (and A * A uses it twice)
branch.backward()
print(f"branch: d(2a + a^2)/da = {A.grad:+.1f} = 2 + 2a, the sum of its messages")
assert A.grad == 2 + 2 * a

# %% [markdown]
# **Quick check 2.** $f = (a + b)\cdot\max(c, d)$ at $a = 1$, $b = 2$, $c = 4$, $d = -1$.
# Use the gate patterns (no formulas) to find $\bar a$, $\bar b$, $\bar c$, $\bar d$.
#
# <details><summary>Answer</summary>
#
# $f = 3 \cdot 4 = 12$ and $\bar f = 1$. Multiply swaps: the sum $s = a + b$ gets
# $\bar s = \max(c, d) = 4$, and the max gets $s = 3$. Add distributes: $\bar a = \bar b = 4$.
# Max routes: $c$ is larger, so $\bar c = 3$ and $\bar d = 0$. The engine agrees:
#
# </details>

# %% jupyter={"outputs_hidden": true} tags=["hide-output"]
a_, b_, c_, d_ = Value(1.0), Value(2.0), Value(4.0), Value(-1.0)
f = (a_ + b_) * (d_ + (c_ - d_).relu())
f.backward()
print(f"f = {f.data}, bars: a {a_.grad}, b {b_.grad}, c {c_.grad}, d {d_.grad}")
assert [a_.grad, b_.grad, c_.grad, d_.grad] == [4.0, 4.0, 3.0, 0.0]

# %% [markdown]
# ## 4. A node with two children: L2 regularisation
#
# Now vary the graph. TU Delft adds an L2 penalty to the unit — *univariate logistic least
# squares*:
#
# $$\mathcal R = \tfrac12 w^2,\qquad \mathcal L_{\text{reg}} = \mathcal L + \lambda\mathcal R,
#   \qquad \lambda = 0.1,$$
#
# with the slides' topological order $(w, b, x, z, y, t, \mathcal L, \mathcal R,
# \mathcal L_{\text{reg}})$. Now $w$ has **two children**, $z$ and $\mathcal R$, and its bar
# collects a message from each. Only the new nodes need new work:
#
# $$\bar{\mathcal L}_{\text{reg}} = 1,\quad \bar{\mathcal R} = \bar{\mathcal L}_{\text{reg}}
#   \lambda,\quad \bar{\mathcal L} = \bar{\mathcal L}_{\text{reg}} = 1\ \ (\text{so } \bar y,
#   \bar z \text{ are those of section 2}),$$
# $$\bar w = \bar z\,x + \bar{\mathcal R}\,w,\qquad \bar b = \bar z.$$
#
# *An aside on the slide:* TU Delft prints $\bar w = \bar z\,x\,\bar{\mathcal R}\,w$; the plus
# sign between the two children's messages went missing. The last line of the cell shows how far
# off the product is.

# %%
lam = 0.1
order = ["w", "b", "x", "z", "y", "t", "L", "R", "Lreg"]
parents = {"z": ["w", "x", "b"], "y": ["z"], "L": ["y", "t"], "R": ["w"], "Lreg": ["L", "R"]}
is_topological = all(order.index(p) < order.index(c) for c, ps in parents.items() for p in ps)
print("TU Delft's order is topological:", is_topological)
assert is_topological

R = 0.5 * w ** 2
Lreg = L + lam * R
R_bar = 1.0 * lam                      # L_reg's bar is 1; L's bar is 1, so z_bar is unchanged
w_bar = z_bar * x + R_bar * w          # two children: z and R
b_bar = z_bar
print(f"L_reg = {Lreg:.6f}   w_bar = {w_bar:+.6f}   b_bar = {b_bar:+.6f}")

Lreg_of = lambda p: 0.5 * (sigmoid(p[0] * x + p[1]) - t) ** 2 + lam * 0.5 * p[0] ** 2
numeric = numerical_gradient(Lreg_of, np.array([w, b]))
print(f"numerical:           w_bar = {numeric[0]:+.6f}   b_bar = {numeric[1]:+.6f}")
assert np.allclose([w_bar, b_bar], numeric, atol=1e-8)
print(f"without the '+' (slide): z_bar*x*R_bar*w = {z_bar * x * R_bar * w:+.6f}  (wrong)")

# %% [markdown]
# ### Step through it
#
# The stepper walks the regularised graph node by node: first the **forward pass** (orange: the
# node being computed and the edges its inputs come along), then the **backward pass** (blue:
# the node whose bar is computed, and the edges from its children that carry the messages).
# Press **Next ▶** and **predict each number before it appears**; the answers follow.

# %% tags=["nbval-ignore-output"]
widgets.backprop_stepper(widgets.logistic_ls_graph(w=0.5, b=-0.5, x=2.0, t=1.0, lam=0.1))

# %% [markdown]
# <details><summary>Answers: every frame of the stepper</summary>
#
# The cell below prints every frame's computation (open its output). The picture after it is
# the last backward frame, where $\bar w$ collects a message from each of its two children.
#
# </details>

# %% jupyter={"outputs_hidden": true} tags=["hide-output"]
graph = widgets.logistic_ls_graph(w=0.5, b=-0.5, x=2.0, t=1.0, lam=0.1)
trace = widgets.backprop_trace(graph)
for step in trace:
    print(step.text)
assert abs(trace[-1].bars["w"] - w_bar) < 1e-12 and abs(trace[-1].bars["b"] - b_bar) < 1e-12

# %%
backward_w = next(s for s in trace if s.phase == "backward" and s.node == "w")
widgets.draw_trace_step(graph, backward_w, title="w̄ collects a message from z and from R")
plt.show()

# %% [markdown]
# **Quick check 3.** If $\lambda$ doubles from $0.1$ to $0.2$, which bars change, and by how
# much does $\bar w$ change?
#
# <details><summary>Answer</summary>
#
# $\bar{\mathcal R} = \lambda$ doubles, and $\bar w = \bar z\,x + \lambda w$ grows by
# $0.1 \cdot w = 0.05$. $\bar b$, $\bar z$, $\bar y$ do not change: $\mathcal R$ is not on any
# path from $b$, $z$ or $y$ to the loss.
#
# </details>

# %% jupyter={"outputs_hidden": true} tags=["hide-output"]
Lreg_2 = lambda p: 0.5 * (sigmoid(p[0] * x + p[1]) - t) ** 2 + 0.2 * 0.5 * p[0] ** 2
change = numerical_gradient(Lreg_2, np.array([w, b])) - numerical_gradient(Lreg_of,
                                                                            np.array([w, b]))
print(f"change of (w_bar, b_bar) when lambda goes from 0.1 to 0.2: {change.round(6)}")
assert np.allclose(change, [0.1 * w, 0.0], atol=1e-8)


# %% [markdown]
# ## 5. Vary a node: message passing and modularity
#
# Look at what each node needed in the backward pass: the bars of its **children** (the
# messages it receives) and its own **local derivatives** with respect to its **parents**
# (which turn its bar into the messages it sends). Nothing else. A node does not know what
# the rest of the graph looks like.
#
# That is **modularity**: to add a new kind of node to a backprop system, you write its
# forward function and its local derivatives — nothing about any other node changes. As a
# check, swap the sigmoid of our unit for $\tanh$: only one local derivative changes
# ($1 - \tanh^2 z$ instead of $\sigma(z)(1-\sigma(z))$), and the same backward code is
# right again.

# %%
def backward_unit(act, dact):
    z = w * x + b
    y = act(z)
    z_bar = (y - t) * dact(z)            # the only line that knows the activation
    return np.array([z_bar * x + lam * w, z_bar])

for name, act, dact in [("sigmoid", sigmoid, dsig),
                        ("tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2)]:
    f = lambda p, act=act: 0.5 * (act(p[0] * x + p[1]) - t) ** 2 + lam * 0.5 * p[0] ** 2
    ours, numeric = backward_unit(act, dact), numerical_gradient(f, np.array([w, b]))
    print(f"{name:8s} backprop {ours}   numerical {numeric}")
    assert np.allclose(ours, numeric, atol=1e-8)

# %% [markdown]
# ## 6. Logistic regression as a graph, and a slip to catch
#
# Logistic regression predicts $p = \sigma(h)$ with $h = \beta_0 + \beta_1 X$ and is trained on
# the cross-entropy loss $\mathcal L = -y\log p - (1-y)\log(1-p)$. Its graph is a chain,
# $\beta_0, \beta_1, X \to h \to p \to \mathcal L$, so the backward pass multiplies three local
# derivatives:
#
# $$\bar p = \frac{\partial\mathcal L}{\partial p} = -\frac{y}{p} + \frac{1-y}{1-p},\qquad
#   \bar h = \bar p\,\sigma(h)(1-\sigma(h)),\qquad \bar\beta_1 = \bar h\,X,\qquad
#   \bar\beta_0 = \bar h .$$
#
# Multiplying out gives a famously simple result: $\bar h = p - y$, so
# $\bar\beta_1 = (p-y)X$ and $\bar\beta_0 = p-y$.
#
# *An aside on the slide:* Harvard writes
# $\partial\mathcal L/\partial p = -\frac{y}{p} - \frac{1-y}{1-p}$. The derivative of
# $-(1-y)\log(1-p)$ is $+\frac{1-y}{1-p}$ (the inner derivative of $1-p$ is $-1$), so the second
# sign must be **plus** — and so must the matching term in the slide's
# $\partial\mathcal L/\partial\beta_1$. The numbers decide between the two versions:

# %%
X, y, b0, b1 = 1.5, 1.0, -0.3, 0.8
loss = lambda p: -y * np.log(p) - (1 - y) * np.log(1 - p)

for y in (1.0, 0.0):
    p = sigmoid(b0 + b1 * X)
    slide = -y / p - (1 - y) / (1 - p)
    correct = -y / p + (1 - y) / (1 - p)
    numeric = numerical_gradient(loss, p)
    print(f"y = {y:.0f}: dL/dp numerical {numeric:+.6f}   correct {correct:+.6f}"
          f"   slide {slide:+.6f}")
    assert abs(correct - numeric) < 1e-6

for y in (1.0, 0.0):
    L_of = lambda beta: loss(sigmoid(beta[0] + beta[1] * X))
    beta = np.array([b0, b1])
    p = sigmoid(b0 + b1 * X)
    print(f"y = {y:.0f}: (dL/db0, dL/db1) numerical {numerical_gradient(L_of, beta)}"
          f"   (p - y, (p - y) X) = {np.array([p - y, (p - y) * X])}")
    assert np.allclose(numerical_gradient(L_of, beta), [p - y, (p - y) * X], atol=1e-6)

# %% [markdown]
# For $y = 1$ the two versions agree (the $(1-y)$ term vanishes), which is how a slip like
# this survives; for $y = 0$ only the corrected sign matches the finite difference.
#
# ## 7. Forward mode and reverse mode: the ξ table
#
# Harvard breaks the $y=1$ part of the loss, $\mathcal L^A = -y \log\sigma(WX)$ (no bias),
# into the smallest steps that a computer performs:
#
# | node | definition | local derivative |
# |---|---|---|
# | $\xi_1$ | $-WX$ | $\partial\xi_1/\partial W = -X$ |
# | $\xi_2$ | $e^{\xi_1}$ | $\partial\xi_2/\partial\xi_1 = e^{\xi_1}$ |
# | $\xi_3$ | $1+\xi_2$ | $\partial\xi_3/\partial\xi_2 = 1$ |
# | $\xi_4$ | $1/\xi_3 = p$ | $\partial\xi_4/\partial\xi_3 = -1/\xi_3^2$ |
# | $\xi_5$ | $\log\xi_4$ | $\partial\xi_5/\partial\xi_4 = 1/\xi_4$ |
# | $\mathcal L^A$ | $-y\,\xi_5$ | $\partial\mathcal L^A/\partial\xi_5 = -y$ |
#
# Each node is a one-line function with a one-line derivative — exactly what a program can
# store. The chain rule multiplies the six local derivatives. We evaluate at Harvard's
# point $X = 3$, $y = 1$, $W = 3$.

# %%
X, y, W = 3.0, 1.0, 3.0
names = ["xi1", "xi2", "xi3", "xi4", "xi5", "L"]
forward = [lambda W: -W * X, math.exp, lambda v: 1 + v, lambda v: 1 / v, math.log,
           lambda v: -y * v]
local = [lambda W: -X, math.exp, lambda v: 1.0, lambda v: -1 / v ** 2, lambda v: 1 / v,
         lambda v: -y]

values, locals_ = [], []
v = W
for fn, dfn in zip(forward, local):
    locals_.append(dfn(v))   # derivative w.r.t. this node's input, at the input's value
    v = fn(v)
    values.append(v)
print("node   value              local derivative")
for n, val, d in zip(names, values, locals_):
    print(f"{n:5s}  {val:+.10e}  {d:+.10e}")

# %% [markdown]
# **Forward mode** carries, next to each value, its derivative with respect to the input
# $W$: $\frac{d\xi_n}{dW} = \frac{\partial\xi_n}{\partial\xi_{n-1}}\frac{d\xi_{n-1}}{dW}$,
# starting from $d\xi_1/dW = -X$.
# **Reverse mode** first runs the whole forward pass and stores the values, then starts at
# the output with $\bar{\mathcal L} = 1$ and carries $\bar\xi_n = d\mathcal L/d\xi_n$
# backwards: $\bar\xi_{n-1} = \bar\xi_n\,\frac{\partial\xi_n}{\partial\xi_{n-1}}$.

# %%
fwd = []                      # d xi_n / dW, accumulated from the input forwards
acc = 1.0
for d in locals_:
    acc *= d
    fwd.append(acc)

rev = [1.0]                   # dL / d xi_n, accumulated from the output backwards
for d in reversed(locals_[1:]):
    rev.insert(0, rev[0] * d)
dL_dW_reverse = rev[0] * locals_[0]

print("node   forward mode d(node)/dW   reverse mode dL/d(node)")
for n, d_forward, d_reverse in zip(names, fwd, rev):
    print(f"{n:5s}  {d_forward:+.11f}            {d_reverse:+.11f}")
print(f"\ndL/dW  forward: {fwd[-1]:+.11f}   reverse: {dL_dW_reverse:+.11f}")

def loss_of_W(W):
    return -y * math.log(1 / (1 + math.exp(-W * X)))

print(f"       numerical: {numerical_gradient(loss_of_W, W):+.8f}")
exact = -X * math.exp(-9) / (1 + math.exp(-9))
print(f"        exact:  -3e^-9 / (1 + e^-9) = {exact:+.16f}")
assert abs(fwd[-1] - exact) < 1e-15 and abs(dL_dW_reverse - exact) < 1e-15
assert abs(numerical_gradient(loss_of_W, W) - exact) < 1e-9

# %% [markdown]
# The table's numbers match Harvard's: $\xi_1 = -9$, $\xi_2 = e^{-9}$, $\xi_3 = 1 + e^{-9}$,
# $\xi_4 = 1/(1+e^{-9})$, $\xi_5 = \log\frac{1}{1+e^{-9}}$, and
# $|d\mathcal L/dW| = 3e^{-9}/(1+e^{-9}) = 0.00037018372\ldots$
#
# **Two slips on the slide.** The slide lists the value of
# $\partial\xi_4/\partial\xi_3$ as $\big(\tfrac{1}{1+e^{-9}}\big)^2$, dropping the minus of
# $-1/\xi_3^2$; from there on its running column has the wrong sign, and it ends with
# $d\mathcal L/dW = +0.00037018372$. The correct value is **negative**:
# $\mathcal L^A = \log(1+e^{-WX})$ *decreases* when $W$ grows (with $y = 1$, a larger $W$
# makes the prediction $p$ more confident and more correct). Finite differences agree with
# the minus sign.
#
# **Forward or reverse?** Both give the same number. But forward mode computes the
# derivative of *every node* with respect to *one input*; reverse mode computes the
# derivative of *one output* with respect to *every node*. A network has one loss and
# millions of weights, so we want reverse mode: one backward sweep gives the whole gradient.
# That reverse sweep is **backpropagation**.
#
# ### Harvard's two exercises: by hand, then by chain rule
#
# Harvard sets two exercises on one small network with one hidden layer (the schematic was lost
# when the slides were turned into text; we take the simplest reading of the chain rule printed
# on the slide): an input $x$, a hidden unit $h_1 = w_1x$, $a_1 = \sigma(h_1)$, an output
# $h_2 = w_2a_1$, $y = h_2$, and the mean squared error over $n$ points,
# $L = \frac1n\sum_i (y_i - y_i^{\text{true}})^2$.
#
# **By hand** (on paper), with $r_i = y_i - y_i^{\text{true}}$:
#
# $$\frac{\partial L}{\partial w_2} = \frac2n\sum_i r_i\,\sigma(w_1x_i),\qquad
#   \frac{\partial L}{\partial w_1} = \frac2n\sum_i r_i\,w_2\,\sigma'(w_1x_i)\,x_i .$$
#
# **By chain rule:** one small function per node and one for its local derivative, combined as
# the slide writes them,
# $\frac{\partial L}{\partial w_1} = \frac{\partial L}{\partial y}\frac{\partial y}{\partial h_2}
# \frac{\partial h_2}{\partial a_1}\frac{\partial a_1}{\partial h_1}
# \frac{\partial h_1}{\partial w_1}$ and
# $\frac{\partial L}{\partial w_2} = \frac{\partial L}{\partial y}\frac{\partial y}{\partial h_2}
# \frac{\partial h_2}{\partial w_2}$ (per data point, then summed over the points, because $L$
# depends on every $y_i$). Then, as the exercise asks, **one update** of the weights with each,
# and compare:

# %%
rng = np.random.default_rng(7)
x_data = np.linspace(-2, 2, 20)
y_true = np.sin(1.5 * x_data)                  # something for the network to fit
w1, w2 = rng.normal(size=2)

def grads_by_hand(w1, w2):                     # exercise 1: the formulas derived on paper
    a = sigmoid(w1 * x_data)
    r = w2 * a - y_true
    n = len(x_data)
    return np.array([2 / n * np.sum(r * w2 * a * (1 - a) * x_data), 2 / n * np.sum(r * a)])

# exercise 2: one function per node, one per local derivative
def h1(w1, x): return w1 * x
def dh1_dw1(x): return x
def a1(h1): return sigmoid(h1)
def da1_dh1(h1): return sigmoid(h1) * (1 - sigmoid(h1))
def h2(w2, a1): return w2 * a1
def dh2_da1(w2): return w2
def dh2_dw2(a1): return a1
def y_out(h2): return h2
def dy_dh2(h2): return np.ones_like(h2)
def mse(y): return np.mean((y - y_true) ** 2)
def dL_dy(y): return 2 * (y - y_true) / len(y)

def grads_by_chain(w1, w2):
    H1 = h1(w1, x_data)                        # forward pass, values stored
    A1 = a1(H1)
    H2 = h2(w2, A1)
    Y_ = y_out(H2)
    dw1 = np.sum(dL_dy(Y_) * dy_dh2(H2) * dh2_da1(w2) * da1_dh1(H1) * dh1_dw1(x_data))
    dw2 = np.sum(dL_dy(Y_) * dy_dh2(H2) * dh2_dw2(A1))
    return np.array([dw1, dw2])

loss_w = lambda p: mse(y_out(h2(p[1], a1(h1(p[0], x_data)))))
hand, chain = grads_by_hand(w1, w2), grads_by_chain(w1, w2)
numeric = numerical_gradient(loss_w, np.array([w1, w2]))
print(f"(dL/dw1, dL/dw2)  by hand {hand}   by chain rule {chain}   numerical {numeric}")
assert np.allclose(hand, chain, rtol=1e-12) and np.allclose(hand, numeric, atol=1e-8)

lr = 0.5
w_hand = np.array([w1, w2]) - lr * hand        # one gradient-descent update with each
w_chain = np.array([w1, w2]) - lr * chain
print(f"after one update: by hand {w_hand}, by chain rule {w_chain}")
print(f"loss {loss_w([w1, w2]):.6f} -> {loss_w(w_hand):.6f}")
assert np.allclose(w_hand, w_chain, rtol=1e-12) and loss_w(w_hand) < loss_w([w1, w2])

# %% [markdown]
# Harvard's point about *why* we need this: a hand-derived formula for
# $\partial\mathcal L/\partial W$ is exact, but it is tied to one network — add a node and
# you derive again. Storing one small function and one local derivative per node, and
# letting a mechanism combine them, is **flexible**, **exact** and **efficient**.

# %% [markdown]
# ## 8. A scalar neural network (U. Alberta)
#
# The smallest neural network: one input, one hidden unit, one output, all scalars,
#
# $$Y^p = \sigma(XW_1 + b_1)\,W_2 + b_2,\qquad L = \tfrac12(Y^p - Y)^2.$$
#
# As a graph: $Z_1 = XW_1$, $Z_2 = Z_1 + b_1$, $Z_3 = \sigma(Z_2)$, $Z_4 = Z_3W_2$,
# $Y^p = Z_4 + b_2$. Alberta writes $\delta v$ for what we write $\bar v$. Going backwards,
# each line uses the line before:
#
# $$\delta Y^p = Y^p - Y,\quad \delta Z_4 = \delta Y^p,\quad \delta Z_3 = W_2\,\delta Z_4,
#   \quad \delta Z_2 = \sigma'(Z_2)\,\delta Z_3,\quad \delta Z_1 = \delta Z_2,$$
# $$\delta W_1 = X\,\delta Z_1,\quad \delta b_1 = \delta Z_2,\quad
#   \delta W_2 = Z_3\,\delta Z_4,\quad \delta b_2 = \delta Y^p.$$
#
# (The slide's justification of $\delta Z_3$ reads "$\partial Z_4/\partial Z_2 = W_2$"; it
# means $\partial Z_4/\partial Z_3$.) With $\sigma'(a) = \sigma(a)(1-\sigma(a))$ — checked
# first — and numbers of our choosing:

# %%
for a in (-2.0, 0.0, 1.5):
    assert abs(numerical_gradient(sigmoid, a) - sigmoid(a) * (1 - sigmoid(a))) < 1e-9
print("sigma'(a) = sigma(a)(1 - sigma(a)) at a = -2, 0, 1.5: ok")

X, Y = 0.5, 1.0
W1, b1, W2, b2 = 1.5, -0.5, 2.0, 0.1

Z1 = X * W1                       # forward
Z2 = Z1 + b1
Z3 = sigmoid(Z2)
Z4 = Z3 * W2
Yp = Z4 + b2
L = 0.5 * (Yp - Y) ** 2

dYp = Yp - Y                      # backward
dZ4 = dYp
dZ3 = W2 * dZ4
dZ2 = Z3 * (1 - Z3) * dZ3
dZ1 = dZ2
dW1, db1, dW2, db2 = X * dZ1, dZ2, Z3 * dZ4, dYp
hand = np.array([dW1, db1, dW2, db2])

def net_loss(p):
    W1, b1, W2, b2 = p
    return 0.5 * (sigmoid(X * W1 + b1) * W2 + b2 - Y) ** 2

numeric = numerical_gradient(net_loss, np.array([W1, b1, W2, b2]))
print(f"Yp = {Yp:.6f}, L = {L:.6f}")
print("by hand   (dW1, db1, dW2, db2):", hand)
print("numerical (dW1, db1, dW2, db2):", numeric)
assert np.allclose(hand, numeric, atol=1e-8)

# %% [markdown]
# ## 9. The `helpers` engine does all of this automatically
#
# Everything we did by hand follows one recipe, so a program can do it. The course's
# `helpers.autograd.Value` is a number that remembers how it was made: every operation
# (`+`, `*`, `sigmoid`, `log`, ...) returns a new `Value` that keeps its parents and its
# local derivatives. `L.backward()` puts the graph in topological order
# (`topological_order(L)`), sets $\bar L = 1$ and runs the sum-over-children rule in
# reverse. Each node's bar ends up in its `.grad`.
#
# Here is Alberta's network again, written as ordinary arithmetic on `Value`s:

# %%
Xv, Yv = Value(X, label="X"), Value(Y, label="Y")
W1v, b1v = Value(W1, label="W1"), Value(b1, label="b1")
W2v, b2v = Value(W2, label="W2"), Value(b2, label="b2")

Z1v = Xv * W1v
Z2v = Z1v + b1v
Z3v = Z2v.sigmoid()
Z4v = Z3v * W2v
Yp_v = Z4v + b2v
E_v = Yp_v - Yv
L_v = Value(0.5, label="½") * E_v ** 2
for node, name in [(Z1v, "Z1"), (Z2v, "Z2"), (Z3v, "Z3"), (Z4v, "Z4"), (Yp_v, "Yp"),
                   (E_v, "Yp-Y"), (L_v, "L")]:
    node.label = name                  # labels only name the nodes for the drawing
L_v.backward()

engine = np.array([W1v.grad, b1v.grad, W2v.grad, b2v.grad])
print(f"L = {L_v.data:.6f}")
print("engine    (dW1, db1, dW2, db2):", engine)
print("by hand   (dW1, db1, dW2, db2):", hand)
print("topological order:", [n.label or n.op or f"{n.data:g}" for n in topological_order(L_v)])
print(f"dZ3 = {Z3v.grad:+.6f} (by hand {dZ3:+.6f}),  "
      f"dZ2 = {Z2v.grad:+.6f} (by hand {dZ2:+.6f})")
assert abs(Z3v.grad - dZ3) < 1e-12 and abs(Z2v.grad - dZ2) < 1e-12
assert np.allclose(engine, hand, rtol=1e-12) and np.allclose(engine, numeric, atol=1e-8)

# %% [markdown]
# `helpers.plots.draw_graph` draws the graph the engine built, with each node's value
# (`data`) and gradient (`grad`, our bar). The graph is too long for one row, so it wraps: the
# second row runs back from right to left. Follow the arrows backwards from $L$ and you will
# find every δ of section 8.

# %%
fig = draw_graph(L_v, title="Yp = σ(X·W1 + b1)·W2 + b2,  L = ½(Yp − Y)²  after L.backward()")
plt.show()

# %% [markdown]
# The same engine reproduces the ξ table (with the correct sign) and TU Delft's regularised
# loss, with no derivative written by us:

# %%
Wv = Value(3.0, label="W")
LA = -1.0 * (1 / (1 + (-Wv * 3.0).exp())).log()
LA.backward()
print(f"xi table: L = {LA.data:.6e}, dL/dW = {Wv.grad:+.11f}")
assert abs(Wv.grad - (-3 * math.exp(-9) / (1 + math.exp(-9)))) < 1e-15

wv, bv = Value(w, label="w"), Value(b, label="b")
Lreg_v = 0.5 * ((wv * x + bv).sigmoid() - t) ** 2 + lam * (0.5 * wv ** 2)
Lreg_v.backward()
print(f"TU Delft: L_reg = {Lreg_v.data:.6f}, w_bar = {wv.grad:+.6f}, b_bar = {bv.grad:+.6f}")
assert np.allclose([wv.grad, bv.grad], [w_bar, b_bar], rtol=1e-12)

# %% [markdown]
# ### Always check against finite differences
#
# An autograd engine is code, and code has bugs. Our ground truth from lecture 1 still
# applies: perturb each input, re-run the forward pass, compare. Below we do it at 20 random
# points of Alberta's network. One more thing to know: **gradients accumulate**. Calling
# `backward()` twice adds the gradient twice (that is what makes the sum over children
# work), so reset with `zero_grad()` before each new backward pass.

# %%
rng = np.random.default_rng(0)

def engine_grad(p):
    W1v, b1v, W2v, b2v = (Value(float(v)) for v in p)
    L = 0.5 * ((X * W1v + b1v).sigmoid() * W2v + b2v - Y) ** 2
    L.backward()
    return np.array([W1v.grad, b1v.grad, W2v.grad, b2v.grad])

worst = 0.0
for _ in range(20):
    p = rng.normal(size=4)
    a, n = engine_grad(p), numerical_gradient(net_loss, p.copy())
    worst = max(worst, float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n)))))
print(f"worst relative error over 20 random points: {'below 1e-7' if worst < 1e-7 else worst}")
assert worst < 1e-7

L_v.backward()                          # a second call adds again ...
print(f"W1.grad after two backward calls: {W1v.grad:+.6f} = 2 x {engine[0]:+.6f}")
L_v.zero_grad()                         # ... so reset between steps
print(f"after zero_grad(): {W1v.grad}")

# %% [markdown]
# ## Recap
#
# * A **computational graph** has a node per quantity and an edge $u \to v$ when $v$ is computed
#   from $u$; each edge carries a local derivative $\partial v/\partial u$. The **forward pass**
#   computes the nodes in a **topological order**.
# * The **backward pass** goes in reverse order with the **bar notation**
#   $\bar v = \partial\mathcal L/\partial v$, $\bar{\mathcal L} = 1$ and
#   $\bar v = \sum_{\text{children } c} \bar c\,\partial c/\partial v$; shared terms such as
#   $\bar z$ are computed once and re-used.
# * **Gate patterns:** add distributes, multiply swaps, max routes, a branch sums.
# * A node with two children collects two messages (TU Delft's
#   $\bar w = \bar z x + \bar{\mathcal R} w$ has a plus); swapping a node's function changes only
#   its local derivative — backprop is **message passing**, so it is **modular**.
# * **Forward mode** carries $d(\text{node})/d(\text{input})$ forwards; **reverse mode** carries
#   $d(\text{output})/d(\text{node})$ backwards and gives the whole gradient in one sweep — that
#   is backpropagation. Check every derivative numerically: the logistic-regression slide's
#   $\partial\mathcal L/\partial p$ needs $+\frac{1-y}{1-p}$, and Harvard's $d\mathcal L/dW$ is
#   $-0.00037018372$, negative.
# * `helpers.autograd.Value` builds the graph as you compute and `backward()` fills every
#   `.grad`; `draw_graph` shows values and gradients; finite differences confirm them;
#   gradients accumulate until `zero_grad()`.
#
# **Next:** lecture 3 moves from scalars to vectors and matrices — whole layers at once.
