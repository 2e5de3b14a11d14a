"""Every worked example of the source slides appears in a lecture, with a numerical check.

The course's subject matter comes from five sets of lecture slides. ``tests/seed_examples.json``
holds what the course takes from each of them and one row per worked example, formula with
numbers, or slip the course corrects: its source slide set, the lecture that shows it, the example
in the slides' words and the numbers the slides state. The table below adds, per row, how to find
it in the lecture. For each row the test reads the committed lecture
(nbformat, no execution: nbval runs the lectures) and asserts

1. a code cell whose source matches the row's patterns *and* contains an ``assert``: the example
   is there and a numerical check (finite differences, a comparison with the formula, the
   slide's number) guards it, so the lecture fails under nbval if the example goes wrong;
2. where the example has numbers, that the committed outputs of that lecture show them. The
   expected numbers are recomputed here from the slides' formulas with plain numpy (not copied
   from the notebooks), so the slides' numbers are verified too, e.g. the gradient
   [306, -144, -18, -310] of Alberta's four-variable function at [3, -1, 0, 1].

The last tests check the table itself: every slide set has rows, the rows here are the rows of the
data file, ids are unique, and every row fails when its check (or its output) is taken out of the
lecture.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import nbformat
import numpy as np
import pytest
from finite_differences import numerical_grad

ROOT = Path(__file__).resolve().parents[1]
LECTURES = ROOT / "lectures"
SEED_DATA = json.loads((Path(__file__).with_name("seed_examples.json")).read_text())
SEEDS = {s["file"]: s["course"] for s in SEED_DATA["sources"]}   # slide-set file -> course
ROWS = {row["id"]: row for row in SEED_DATA["examples"]}            # example id -> its facts


def slide_numbers(example_id: str) -> dict:
    """The numbers the slides state for an example (tests/seed_examples.json)."""
    return ROWS[example_id]["slide_numbers"]


ASSERT = re.compile(r"^\s*assert\b", re.MULTILINE)


# -- the slides' numbers, recomputed here from their formulas -------------------------------------
def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def central(f, x, eps=1e-6):
    """Central differences of scalar f at the float64 vector x (tests/finite_differences.py)."""
    x = np.array(x, dtype=np.float64)
    return numerical_grad(lambda: f(x), x, eps)


def f4(x):  # Alberta's function of four variables
    x1, x2, x3, x4 = x
    return (x1 + 10 * x2) ** 2 + 5 * (x3 - x4) ** 2 + (x2 + 2 * x3) ** 4 + 10 * (x1 - x4) ** 4


def x_of_z(z):  # Alberta's inner function x(z1, z2)
    z1, z2 = z
    return np.array([z1 - z2, z1 ** 2, z2 ** 2, z1 ** 2 + z1 * z2])


def cos_bowl(p):  # Alberta's f(x, y) = -(cos^2 x + cos^2 y)^2
    return -(np.cos(p[0]) ** 2 + np.cos(p[1]) ** 2) ** 2


def xor_out(F, x1, x2):  # COMP 755's hand-built XOR net
    h1, h2 = sigma(F * (-0.5 + x1 - x2)), sigma(F * (-0.5 - x1 + x2))
    return sigma(F * (-0.5 + h1 + h2))


def numbers_4var():
    slide = slide_numbers("alberta-four-variable-function")
    x0 = np.array(slide["x0"], dtype=np.float64)
    g = central(f4, x0, eps=1e-5)
    assert f4(x0) == slide["f(x0)"] and np.allclose(g, slide["gradient at x0"], atol=1e-4)
    return [f"f(x0) = {f4(x0):.1f}"] + [f"{v:.0f}." for v in np.round(g)]


def numbers_jvp():
    g = central(lambda z: f4(x_of_z(z)), np.array([1.0, 2.0]), eps=1e-5)
    return [f"{v:.0f}." for v in np.round(g)]


def numbers_xor():
    slide = slide_numbers("comp755-hand-built-xor-F5")
    out00, out01 = xor_out(slide["F"], 0, 0), xor_out(slide["F"], 0, 1)
    assert abs(out00 - slide["output at (0, 0) and (1, 1)"]) < 1e-12
    assert abs(out01 - slide["output at (0, 1) and (1, 0)"]) < 1e-12
    assert abs(xor_out(5.0, 1, 1) - out00) < 1e-15 and abs(xor_out(5.0, 1, 0) - out01) < 1e-15
    return [f"output {out00:.4f}", f"output {out01:.4f}"]


def numbers_xi():
    slide = slide_numbers("harvard-xi-table")
    X, W = slide["X"], slide["W"]                        # y = 1: L = log(1 + exp(-X W))
    dLdW = -X * math.exp(-X * W) / (1 + math.exp(-X * W))
    assert abs(abs(dLdW) - slide["|dL/dW| (the slide's sign is wrong)"]) < 1e-11
    return [f"dL/dW  forward: {dLdW:+.11f}", f"reverse: {dLdW:+.11f}"]


def numbers_logreg():
    p = sigma(-0.3 + 0.8 * 1.5)                          # the lecture's X, b0, b1; y = 0
    correct, slide = 1 / (1 - p), -1 / (1 - p)
    assert abs(correct - central(lambda q: -np.log(1 - q[0]), [p])[0]) < 1e-6
    return [f"correct {correct:+.6f}", f"slide {slide:+.6f}"]


def numbers_delft():
    w, b, x, t, lam = 0.5, -0.5, 2.0, 1.0, 0.1
    z_bar = (sigma(w * x + b) - t) * sigma(w * x + b) * (1 - sigma(w * x + b))
    reg = central(lambda p: 0.5 * (sigma(p[0] * x + p[1]) - t) ** 2 + lam * 0.5 * p[0] ** 2,
                  [w, b])
    assert abs(reg[0] - (z_bar * x + lam * w)) < 1e-9   # the sum over children, with its '+'
    return [f"dL/dw = {z_bar * x:+.6f}", f"dL/db = {z_bar:+.6f}",
            f"w_bar = {z_bar * x + lam * w:+.6f}", f"{z_bar * x * lam * w:+.6f}  (wrong)"]


def numbers_scalar_net():
    X, Y, W1, b1, W2, b2 = 0.5, 1.0, 1.5, -0.5, 2.0, 0.1
    loss = lambda p: 0.5 * (sigma(X * p[0] + p[1]) * p[2] + p[3] - Y) ** 2
    g = central(loss, [W1, b1, W2, b2])
    return ["[" + " ".join(f"{v:.6f}" for v in g) + "]"]


def numbers_harvard_exercises():
    x = np.linspace(-2, 2, 20)
    y_true = np.sin(1.5 * x)
    w = np.random.default_rng(7).normal(size=2)         # the lecture's start
    loss = lambda p: np.mean((p[1] * sigma(p[0] * x) - y_true) ** 2)
    g = central(loss, w)
    return [f"{g[0]:.6f}", f"{g[1]:.6f}", f"loss {loss(w):.6f} -> {loss(w - 0.5 * g):.6f}"]


def numbers_gd():
    p0 = np.array([1.0, 0.5])
    p1 = p0 - 0.05 * central(cos_bowl, p0)              # UCSB/Alberta: x - lr * grad
    norm = np.linalg.norm(central(cos_bowl, p0))
    return [f"[{p1[0]:.6f} {p1[1]:.6f}]", f"|grad f| = {norm:.4f}"]


def numbers_zigzag():
    y = 0.3 * (1 - 72 * 0.026) ** np.arange(1, 9)       # q = -4 + 4x^2 + 36y^2, alpha = 0.026
    return ["[" + " ".join(f"{int(v):2d}" for v in np.sign(y)).strip() + "]"]


def numbers_cos_bowl():
    x, y = np.random.default_rng(0).uniform(-3, 3, size=(4, 2))[0]   # the lecture's first point
    s = np.cos(x) ** 2 + np.cos(y) ** 2
    slide = [4 * s * np.cos(x) * np.sin(x), 4 * s * np.cos(y) * np.sin(y)]   # Alberta's formula
    assert np.allclose(slide, central(cos_bowl, [x, y]), atol=1e-6)
    return [f"({x:+.3f}, {y:+.3f})", f"{slide[0]:.6f}", f"{slide[1]:.6f}"]


def numbers_eps_check():
    rng = np.random.default_rng(1)                       # the lecture's small random net (rows)
    W1, W2 = 0.1 * rng.normal(size=(2, 2)), 0.1 * rng.normal(size=(2, 1))
    b1, b2 = 0.1 * rng.normal(size=2), 0.1 * rng.normal(size=1)
    x = np.ones(2)
    E = lambda b: 0.5 * sigma(sigma(x @ W1 + b1) @ W2 + b).item() ** 2   # target y = 0
    eps = 1e-7                                           # the slides' step, +-eps/2
    fd = (E(b2 + eps / 2) - E(b2 - eps / 2)) / eps
    return [f"b2[0]       {fd:+.6f}"]


def numbers_universal():
    g = lambda x: np.sin(3 * x) + 0.5 * x ** 2
    xs = np.linspace(-2, 2, 401)
    out = []
    for H in (8, 64):
        knots = np.linspace(-2, 2, H + 1)
        out.append(f"{H:3d}   {np.max(np.abs(np.interp(xs, knots, g(knots)) - g(xs))):.4f}")
    return out


# -- the table -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Example:
    """How to find one example of tests/seed_examples.json (its facts) in its lecture."""
    id: str              # the example's id in tests/seed_examples.json
    check: tuple         # regexes that must all match ONE code cell, which must also assert
    outputs: tuple | Callable = field(default=())   # strings the lecture's outputs must show

    @property
    def seed(self) -> str:       # the slide set's file
        return ROWS[self.id]["source"]

    @property
    def lecture(self) -> str:    # the lecture's notebook
        return ROWS[self.id]["lecture"]

    @property
    def what(self) -> str:       # the example in the slides' words
        return ROWS[self.id]["formula"]


EXAMPLES = [
    # COMP 755, lecture 22
    Example("comp755-layer-notation",
            (r"forward_prop\(np\.array\(\[0\.0, 0\.0\]\), sigmoid, Ws, bs\)",
             r"0\.149132886381"), numbers_xor),
    Example("comp755-losses",
            (r"def squared_loss|squared_loss, bce_loss|\(\"squared\", squared_loss\)",
             r"bce_loss", r"numerical_gradient", r"assert abs\(loss_fn\(yh, y_\)\[1\] - fd\)"),
            lambda: [f"derivative {(0.3 - 1) / (0.3 * 0.7):+.6f}",
                     f"derivative {0.8 / (0.8 * 0.2):+.6f}"]),
    Example("comp755-loss-sanity-question",
            (r"loss_fn\(0\.99, 1\)\[0\] < loss_fn\(0\.5, 1\)\[0\] < loss_fn\(0\.01, 1\)\[0\]",),
            lambda: [f"{-math.log(0.01):.4f}", f"{0.5 * 0.99 ** 2:.4f}"]),
    Example("comp755-total-derivative",
            (r"f3\(t, t, 1\.0\)", r"exact = 2 \* t \+ 3 \* t \*\* 2", r"numerical_gradient"),
            lambda: [f"2t + 3t^2 = {2 * t + 3 * t ** 2:+.4f}" for t in (-2.0, 0.5, 1.5)]),
    Example("comp755-evaluate-at",
            (r"z\[0\] \*\* 2 \+ z\[1\]", r"np\.array\(\[1\.0, -1\.0\]\)",
             r"np\.allclose\(grad, \[2\.0, 1\.0\]"),
            lambda: ["gradient at z = [1, -1]: [{:.0f}. {:.0f}.]".format(
                *central(lambda z: z[0] ** 2 + z[1], [1.0, -1.0]))]),
    Example("comp755-backward-recursion",
            (r"check_all\(Ws_r, bs_r, x, y, grads_of\)", r"assert all\(ours\.values\(\)\)"),
            ("dW1: passed", "db2: passed")),
    Example("comp755-hand-built-xor-F5",
            (r"s\(F \* \(-0\.5 \+ h1 \+ h2\)\)", r"0\.893163783089"), numbers_xor),
    Example("comp755-gradient-check-eps-1e-7",
            (r"eps = 1e-7", r"old \+ eps / 2", r"old - eps / 2",
             r"assert abs\(\(up - down\) / eps - G\[idx\]\)"), numbers_eps_check),
    Example("comp755-listing-slips",
            (r"slides = check_all\(Ws3, bs3, x3, y3, grads_slides\)",
             r"not slides\[\"dW1\"\]"), ("dW1: FAILED", "db1: FAILED")),
    Example("comp755-noisy-xor-training",
            (r"noisy_xor\(1000, noise=0\.1", r"eta=3e-2, iters=200",
             r"Es\[-1\] < 0\.05 \* Es\[0\]"),
            ("X (1000, 2)", "after 200 iterations")),
    # UCSB 165B
    Example("ucsb-empirical-risk",
            (r"assert abs\(E_mean - E_sum / N\)", r"N \* grad"),
            ("N * helpers' grad equals ours: True",)),
    Example("ucsb-gradient-descent-update",
            (r"step1 = run\.path\[0\] - 0\.05 \* widgets\.cos_bowl_grad",
             r"assert np\.allclose\(run\.path\[1\], step1\)"), numbers_gd),
    Example("ucsb-bias-folded-into-weights",
            (r"np\.concatenate\(\[\[1\.0\], y_\]\) @ W", r"with_bias"),
            lambda: [f"(0, 1) -> {xor_out(5.0, 0, 1):.4f}", f"(1, 1) -> {xor_out(5.0, 1, 1):.4f}"]),
    Example("ucsb-sum-over-paths",
            (r"path via x", r"bars\[\"t\"\] - \(2 \* t0 \+ 3 \* t0 \*\* 2\)"),
            lambda: [f"path via x: {2 * 1.5:.4f}   path via y: {3 * 1.5 ** 2:.4f}"
                     f"   sum: {2 * 1.5 + 3 * 1.5 ** 2:.4f}"]),
    Example("ucsb-layer-by-layer-backward",
            (r"folded_grads\(Wt_r", r"assert same"), ("same gradients as section 5: True",)),
    Example("ucsb-vector-chain-rule",
            (r"jacobian\(z0\)\.T @ grad_f4\(x_of_z\(z0\)\)",
             r"assert np\.allclose\(chain, numeric"),
            numbers_jvp),
    Example("ucsb-mlp-as-chain-of-layers",
            (r"mlp\(\[784, 128, 64, 10\]", r"assert np\.allclose\(g, grads\[key\]"),
            ("= dW1: True", "= db3: True")),
    Example("ucsb-pytorch-autograd",
            (r"import torch", r"\.backward\(\)", r"assert worst < 1e-10"), ()),
    # U. Alberta
    Example("alberta-computational-graph",
            (r"L_v\.backward\(\)", r"topological_order\(L_v\)",
             r"assert np\.allclose\(engine, hand"), numbers_scalar_net),
    Example("alberta-xor-sigmoid-net",
            (r"def xor_net_grads", r"dZ2 = A2 \* \(1 - A2\) \* dA2",
             r"assert same_layers and same_loops"),
            ("equals the layer rule: True, the summed loops: True",)),
    Example("alberta-softmax-cross-entropy",
            (r"check_gradient\(ce, z, yp - y", r"assert np\.allclose\(J, J_num"),
            ("softmax Jacobian matches finite differences: True",
             "d loss / d logits = yp - y: True")),
    Example("alberta-mnist-relu-mlp",
            (r"check_gradient\(lambda _: loss_fn\(forward\(P, xb\)\[0\], Yb\), P\[name\]",
             r"assert r\.passed"),
            ("dW1  (784, 128)  sparse: passed", "db1  (128,)      full  : passed")),
    Example("alberta-mnist-training",
            (r"assert test_acc > lin_acc\[-1\]",), ("final test accuracy",)),
    Example("alberta-manual-backprop-slip",
            (r"dA1_slip = \(relu\(Z2\) \* dA2\) @ P\[\"W2\"\]\.T", r"assert not r\.passed"),
            ("dW1 with the slip: FAILED",)),
    Example("alberta-universal-approximation",
            (r"np\.interp\(xs\[:, 0\], knots, g\(knots\)\)", r"assert same",
             r"errors\[H\] / errors\[2 \* H\]"), numbers_universal),
    Example("alberta-cos-bowl-gradient",
            (r"widgets\.cos_bowl_grad\(x, y\)", r"numerical_gradient\(lambda p: widgets\.cos_bowl",
             r"assert np\.allclose\(analytic, numeric"), numbers_cos_bowl),
    Example("alberta-gradient-points-uphill",
            (r"rates = \[rate\(a\) for a in angles\]", r"assert abs\(max\(rates\) - gnorm\)"),
            numbers_gd),
    Example("alberta-gradient-descent-zigzag",
            (r"lr=0\.026, f=q, grad=grad_q", r"assert np\.allclose\(grad_q\(\*p\)"),
            numbers_zigzag),
    Example("alberta-gd-linear-regression-mnist",
            (r"slide_dW = \(Xs\.T @ Xs \+ gamma \* np\.eye\(D\)\) @ W0 - Xs\.T @ Ys",
             r"not passed\[\"slide's dW\"\]"),
            ("slide's dW: FAILED", "full dW   : passed", "slide's dW at b = 0: passed")),
    Example("alberta-gd-linear-regression-training",
            (r"gW = \(XtX \+ gamma \* np\.eye\(D\)\) @ W \+ np\.outer\(s, b\) - XtY",
             r"assert np\.all\(np\.diff\(lin_loss\) < 0\)"), ("after 300 steps",)),
    Example("alberta-four-variable-function",
            (r"x0 = np\.array\(\[3\.0, -1\.0, 0\.0, 1\.0\]\)",
             r"\[306, -144, -18, -310\]", r"numerical_gradient\(f4, x0\)"), numbers_4var),
    Example("alberta-jacobian-vector-product",
            (r"def x_of_z", r"numerical_gradient\(lambda z: f4\(x_of_z\(z\)\), z0\)"), numbers_jvp),
    Example("alberta-scalar-net-deltas",
            (r"dZ3 = W2 \* dZ4", r"dZ2 = Z3 \* \(1 - Z3\) \* dZ3", r"numerical_gradient\(net_loss",
             r"assert np\.allclose\(hand, numeric"), numbers_scalar_net),
    Example("alberta-matrix-layer-rules",
            (r"return dZ @ W\.T, X\.T @ dZ, dZ\.sum\(axis=0\)",
             r"check_gradient\(lambda _: L\(Xr, Wr, br\)",
             r"assert not wrong_axis\.passed"),
            ("dX (5, 3): passed", "dW (3, 4): passed", "db (4,): passed")),
    Example("alberta-broadcast-addition",
            (r"L_add = lambda X, b: np\.sum\(\(X \+ b\) \* R\)",
             r"np\.allclose\(db_num, R\.sum\(axis=0\)"),
            ("dX = dZ: True   db = column sums of dZ: True",)),
    Example("alberta-sigmoid-derivative",
            (r"h \* \(1\.0 - h\)|sigmoid\(z0\)\[1\]",
             r"assert abs\(sigmoid\(z0\)\[1\] - numerical_gradient"),
            lambda: [f"sigma'(0.7) formula: {round(sigma(0.7) * (1 - sigma(0.7)), 8)}"]),
    Example("alberta-sigmoid-derivative-scalar-net",
            (r"numerical_gradient\(sigmoid, a\) - sigmoid\(a\) \* \(1 - sigmoid\(a\)\)",),
            ("sigma'(a) = sigma(a)(1 - sigma(a)) at a = -2, 0, 1.5: ok",)),
    # Harvard, P. Protopapas
    Example("harvard-logistic-regression-derivative",
            (r"correct = -y / p \+ \(1 - y\) / \(1 - p\)",
             r"slide = -y / p - \(1 - y\) / \(1 - p\)",
             r"assert abs\(correct - numeric\)"), numbers_logreg),
    Example("harvard-logistic-regression-betas",
            (r"numerical_gradient\(L_of, beta\), \[p - y, \(p - y\) \* X\]",),
            lambda: [f"{1.5 * sigma(-0.3 + 0.8 * 1.5):.6f}"]),   # (p - y) X for y = 0
    Example("harvard-backprop-by-hand",
            (r"def grads_by_hand", r"2 / n \* np\.sum\(r \* w2 \* a \* \(1 - a\) \* x_data\)",
             r"assert np\.allclose\(hand, chain"), numbers_harvard_exercises),
    Example("harvard-backprop-by-chain-rule",
            (r"def grads_by_chain", r"def dh2_da1",
             r"w_chain = np\.array\(\[w1, w2\]\) - lr \* chain",
             r"assert np\.allclose\(w_hand, w_chain"), numbers_harvard_exercises),
    Example("harvard-xi-table",
            (r"dL_dW_reverse = rev\[0\] \* locals_\[0\]", r"exact = -X \* math\.exp\(-9\)",
             r"assert abs\(fwd\[-1\] - exact\)"), numbers_xi),
    Example("harvard-graph-mechanism",
            (r"Wv = Value\(3\.0, label=\"W\"\)", r"LA\.backward\(\)",
             r"assert abs\(Wv\.grad - \(-3 \* math\.exp\(-9\)"),
            lambda: [f"dL/dW = {-3 * math.exp(-9) / (1 + math.exp(-9)):+.11f}"]),
    # TU Delft
    Example("delft-chain-rule",
            (r"dk = lambda x: np\.exp\(np\.sin\(x \*\* 2\)\) \* np\.cos\(x \*\* 2\) \* 2 \* x",
             r"assert abs\(dk\(x\) - numerical_gradient\(k, x\)\)"),
            lambda: [f"h' = {central(lambda v: np.sin(v[0] ** 2), [2.0])[0]:+.6f}"]),
    Example("delft-derivative-w-b",
            (r"dw = \(sigmoid\(w \* x \+ b\) - t\) \* dsig\(w \* x \+ b\) \* x",
             r"assert np\.allclose\(\[dw, db\], numeric"), numbers_delft),
    Example("delft-shared-terms-bar-notation",
            (r"z_bar = y_bar \* dsig\(z\)", r"assert np\.allclose\(\[w_bar, b_bar\], \[dw, db\]"),
            ("y_bar = -0.377541",)),
    Example("delft-topological-order",
            (r"order = \[\"w\", \"b\", \"x\", \"z\", \"y\", \"t\", \"L\", \"R\", \"Lreg\"\]",
             r"assert is_topological"), ("TU Delft's order is topological: True",)),
    Example("delft-logistic-least-squares-l2",
            (r"w_bar = z_bar \* x \+ R_bar \* w", r"Lreg_of = lambda p",
             r"assert np\.allclose\(\[w_bar, b_bar\], numeric"), numbers_delft),
    Example("delft-backprop-algorithm-trace",
            (r"widgets\.backprop_trace\(graph\)", r"trace\[-1\]\.bars\[\"w\"\] - w_bar"),
            ("backward: w̄ = z̄·x + R̄·w", "done: every node has its value and its bar")),
    Example("delft-message-passing-modularity",
            (r"def backward_unit\(act, dact\)", r"\"tanh\", np\.tanh",
             r"assert np\.allclose\(ours, numeric"), ("tanh     backprop",)),
    Example("delft-training-loop",
            (r"train\(net, MSE\(half=True\), Xn, Yn, epochs=200",
             r"np\.array\(hist\.loss\) \* len\(Xn\), Es\[:200\]"),
            ("helpers, 1000 x mean loss at epochs 1, 50, 200",)),
]


# -- reading the committed lectures --------------------------------------------------------------
@cache
def lecture(name: str) -> tuple[tuple[str, ...], str]:
    """(the sources of the code cells, all their text outputs joined) of a committed lecture."""
    nb = nbformat.read(LECTURES / name, as_version=4)
    sources, outputs = [], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        sources.append(cell.source)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                outputs.append(out.get("text", ""))
            else:
                outputs.append(out.get("data", {}).get("text/plain", ""))
    return tuple(sources), "\n".join(outputs)


def checking_cells(example: Example, sources) -> list[int]:
    """Indices of the code cells that match every pattern of the row and assert something."""
    return [i for i, src in enumerate(sources)
            if ASSERT.search(src) and all(re.search(p, src) for p in example.check)]


def expected_outputs(example: Example) -> list[str]:
    out = example.outputs() if callable(example.outputs) else example.outputs
    return list(out)


def problems(example: Example, sources, outputs: str) -> list[str]:
    """What is missing for this row (empty when the row is satisfied)."""
    found = []
    if not checking_cells(example, sources):
        missing = [p for p in example.check if not any(re.search(p, s) for s in sources)]
        found.append(f"no code cell of {example.lecture} matches all of {list(example.check)} "
                     f"and asserts; patterns found in no cell at all: {missing}")
    absent = [s for s in expected_outputs(example) if s not in outputs]
    if absent:
        found.append(f"the committed outputs of {example.lecture} do not show {absent}")
    return found


# -- the tests -------------------------------------------------------------------------------------
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_seed_example_is_in_a_lecture_with_a_check(example: Example):
    sources, outputs = lecture(example.lecture)
    found = problems(example, sources, outputs)
    assert not found, (f"{example.id} ({ROWS[example.id]['formula']}) from "
                       f"{SEEDS[example.seed]} [{example.seed}]: " + "; ".join(found))


def test_every_slide_set_has_examples():
    counts = {seed: sum(e.seed == seed for e in EXAMPLES) for seed in SEEDS}
    assert len(SEEDS) == 5 and all(n >= 3 for n in counts.values()), counts


def test_rows_are_the_rows_of_the_data_file():
    """Each row here finds one example of tests/seed_examples.json and every example there has a
    row: an example cannot drop out of either list."""
    assert len(SEED_DATA["examples"]) == len(ROWS) == 51, "an example was added or lost"
    assert [e.id for e in EXAMPLES] == [row["id"] for row in SEED_DATA["examples"]]
    for row in SEED_DATA["examples"]:
        assert row["source"] in SEEDS and row["formula"].strip(), row["id"]


def test_table_is_well_formed():
    ids = [e.id for e in EXAMPLES]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for e in EXAMPLES:
        assert e.seed in SEEDS and (LECTURES / e.lecture).is_file(), e.id
        assert e.check and all(re.compile(p) for p in e.check), e.id


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_row_fails_without_its_check_or_its_outputs(example: Example):
    """The test can fail: take the asserts out of the matching cells, or clear the outputs,
    and the row reports what is missing."""
    sources, outputs = lecture(example.lecture)
    cells = checking_cells(example, sources)
    assert cells, f"{example.id}: no checking cell (see the test above)"
    stripped = tuple(ASSERT.sub("pass  # removed:", s) if i in cells else s
                     for i, s in enumerate(sources))
    assert problems(example, stripped, outputs), f"{example.id} passes without its asserts"
    if expected_outputs(example):
        assert problems(example, sources, ""), f"{example.id} passes without outputs"
