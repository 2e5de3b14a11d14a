"""Interactive explorers (ipywidgets) used by the lectures.

Each explorer keeps its computation in a plain function that tests call without a browser, and a
small function that builds the ipywidgets user interface around it and returns a ``VBox``.
Not star-exported: notebooks do ``from helpers import widgets``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np

__all__: list[str] = []

# --- calculus widgets (lectures 1-2) ---
# Lecture 1: gradient descent on Alberta's f(x, y) = -(cos^2 x + cos^2 y)^2.
# Lecture 2: a stepper that walks the forward, then the backward pass of a small scalar graph.
__all__ += [
    "cos_bowl", "cos_bowl_grad", "GDResult", "gradient_descent", "plot_gd_paths", "gd_explorer",
    "GraphNode", "TraceStep", "logistic_ls_graph", "xi_chain_graph", "backprop_trace",
    "draw_trace_step", "backprop_stepper",
]


def _as_pair(p, name: str) -> np.ndarray:
    """A start point as a float64 array of shape (2,), or a ValueError naming what came."""
    try:
        arr = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.array([np.nan])
    if arr.shape != (2,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be two finite numbers (x, y), got {p!r} "
                         f"(shape {arr.shape})")
    return arr


def cos_bowl(x, y):
    """Alberta's example f(x, y) = -(cos²x + cos²y)², elementwise.

    Args:
        x, y: floats or arrays of the same shape (broadcasting as numpy does).

    Returns:
        float or array of that shape. Minima f = -4 where x and y are multiples of π,
        maxima f = 0 where both are odd multiples of π/2.

    Example:
        >>> float(cos_bowl(0.0, 0.0))
        -4.0
    """
    return -(np.cos(x) ** 2 + np.cos(y) ** 2) ** 2


def cos_bowl_grad(x, y) -> np.ndarray:
    """Gradient of :func:`cos_bowl`: [4 s cos x sin x, 4 s cos y sin y] with s = cos²x + cos²y.

    Args:
        x, y: floats or arrays of the same shape S.

    Returns:
        array of shape (2, *S): ∂f/∂x stacked on ∂f/∂y.

    Example:
        >>> cos_bowl_grad(0.0, 0.0).tolist()
        [0.0, 0.0]
    """
    s = np.cos(x) ** 2 + np.cos(y) ** 2
    return np.stack([4 * s * np.cos(x) * np.sin(x), 4 * s * np.cos(y) * np.sin(y)])


@dataclass
class GDResult:
    """What :func:`gradient_descent` did.

    Attributes:
        path: (k + 1, 2) array, the start point and every iterate.
        values: (k + 1,) array, f along the path.
        steps: k, the number of updates made.
        converged: True when the gradient norm fell below ``tol`` within ``max_steps``.
        lr: the learning rate used.
    """

    path: np.ndarray
    values: np.ndarray
    steps: int
    converged: bool
    lr: float

    def summary(self) -> str:
        """One line with the rounded outcome, e.g. for a widget label or a printed check."""
        x, y = (round(float(v), 4) + 0.0 for v in self.path[-1])  # + 0.0: no "-0.0000"
        state = "converged" if self.converged else "stopped (max steps)"
        return (f"lr = {self.lr:.3f}: {state} after {self.steps} steps at "
                f"({x:+.4f}, {y:+.4f}), f = {self.values[-1]:+.6f}")


def gradient_descent(start=(1.0, 0.5), lr: float = 0.1, *, max_steps: int = 200,
                     tol: float = 1e-6, f: Callable = cos_bowl,
                     grad: Callable = cos_bowl_grad) -> GDResult:
    """Plain gradient descent x ← x − lr·∇f(x) on a function of two variables.

    Stops when ‖∇f‖ < ``tol`` (the slide's "until the gradient magnitude becomes too small")
    or after ``max_steps`` updates.

    Args:
        start: the initial point (x, y), two finite numbers.
        lr: the learning rate (step length) α > 0.
        max_steps: the most updates to make (≥ 0).
        tol: gradient-norm threshold for convergence.
        f: f(x, y) -> float, by default :func:`cos_bowl`.
        grad: grad(x, y) -> array (2,), by default :func:`cos_bowl_grad`.

    Returns:
        :class:`GDResult` with ``path`` (k + 1, 2) and ``values`` (k + 1,).

    Example:
        >>> r = gradient_descent((1.0, 0.5), lr=0.05)
        >>> r.converged, round(float(r.values[-1]), 6)
        (True, -4.0)
    """
    p = _as_pair(start, "start")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    if int(max_steps) != max_steps or max_steps < 0:
        raise ValueError(f"max_steps must be a non-negative integer, got {max_steps!r}")
    path = [p.copy()]
    converged = False
    for _ in range(int(max_steps) + 1):
        g = np.asarray(grad(p[0], p[1]), dtype=np.float64)
        if np.linalg.norm(g) < tol:
            converged = True
            break
        if len(path) > max_steps:
            break
        p = p - lr * g
        path.append(p.copy())
    path_arr = np.array(path)
    values = np.array([float(f(x, y)) for x, y in path_arr])
    return GDResult(path_arr, values, len(path_arr) - 1, converged, float(lr))


def plot_gd_paths(results, *, extent: float = 3.5, ax=None, title: str | None = None,
                  f: Callable = cos_bowl):
    """Contour plot of :func:`cos_bowl` with one or more gradient-descent paths on it.

    Args:
        results: a :class:`GDResult` or a list of them (each drawn with its learning rate).
        extent: the plot shows [-extent, extent]².
        f: the function drawn, f(X, Y) on arrays; by default :func:`cos_bowl` (levels -4 … 0).
        ax: a matplotlib Axes to draw on; a new 5.5 x 5 inch figure when None.
        title: the axes title (default: the function).

    Returns:
        the matplotlib Figure.

    Example:
        >>> fig = plot_gd_paths(gradient_descent((1.0, 0.5), lr=0.05))
    """
    if isinstance(results, GDResult):
        results = [results]
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 5))
    else:
        fig = ax.figure
    g = np.linspace(-extent, extent, 301)
    X, Y = np.meshgrid(g, g)
    Z = f(X, Y)
    cs = ax.contourf(X, Y, Z, levels=16, cmap="viridis")
    ax.contour(X, Y, Z, levels=cs.levels[::2], colors="white", linewidths=0.4, alpha=0.6)
    fig.colorbar(cs, ax=ax, shrink=0.85, label="f(x, y)")
    colors = ["#ff7f0e", "#ffffff", "#e7298a", "#17becf", "#d62728"]
    for i, r in enumerate(results):
        c = colors[i % len(colors)]
        ax.plot(r.path[:, 0], r.path[:, 1], "-o", color=c, ms=3, lw=1.2,
                label=f"lr = {r.lr:.3g} ({r.steps} steps)")
        ax.plot(*r.path[0], "s", color=c, ms=8, mec="black")
        ax.plot(*r.path[-1], "*", color=c, ms=14, mec="black")
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title if title is not None else r"$f(x,y) = -(\cos^2 x + \cos^2 y)^2$")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    return fig


def gd_explorer(lr: float = 0.1, start=(1.0, 0.5), max_steps: int = 100) -> ipw.VBox:
    """Sliders for the learning rate and start point; shows the path, steps and final value.

    Args:
        lr: initial learning rate (slider 0.005 … 0.5).
        start: initial (x, y) (sliders -3 … 3).
        max_steps: the most updates per run (slider 10 … 500).

    Returns:
        an ``ipywidgets.VBox``; its attribute ``result`` holds the latest :class:`GDResult`
        and ``render()`` redraws it (called whenever a slider moves).

    Example:
        >>> box = gd_explorer(lr=0.2)          # in a notebook: display(box)
        >>> box.result.lr
        0.2
    """
    x0, y0 = _as_pair(start, "start")
    style = {"description_width": "110px"}
    layout = ipw.Layout(width="420px")
    s_lr = ipw.FloatLogSlider(value=lr, base=10, min=math.log10(0.005), max=math.log10(0.5),
                              step=0.01, description="learning rate α", readout_format=".3f",
                              style=style, layout=layout, continuous_update=False)
    s_x = ipw.FloatSlider(value=x0, min=-3, max=3, step=0.05, description="start x",
                          style=style, layout=layout, continuous_update=False)
    s_y = ipw.FloatSlider(value=y0, min=-3, max=3, step=0.05, description="start y",
                          style=style, layout=layout, continuous_update=False)
    s_n = ipw.IntSlider(value=max_steps, min=10, max=500, step=10, description="max steps",
                        style=style, layout=layout, continuous_update=False)
    label = ipw.HTML()
    out = ipw.Output()
    box = ipw.VBox([ipw.HBox([ipw.VBox([s_lr, s_x, s_y, s_n]), label]), out])

    def render(_change=None):
        r = gradient_descent((s_x.value, s_y.value), s_lr.value, max_steps=s_n.value)
        box.result = r
        label.value = (f"<div style='padding-left:1em'><b>{r.steps}</b> steps, "
                       f"{'converged' if r.converged else 'not converged'}<br>"
                       f"final point ({r.path[-1, 0]:+.3f}, {r.path[-1, 1]:+.3f})<br>"
                       f"final value f = <b>{r.values[-1]:+.4f}</b></div>")
        with out:
            out.clear_output(wait=True)
            fig = plot_gd_paths(r)
            plt.show()
            plt.close(fig)

    for s in (s_lr, s_x, s_y, s_n):
        s.observe(render, names="value")
    box.render = render
    box.sliders = {"lr": s_lr, "x": s_x, "y": s_y, "max_steps": s_n}
    render()
    return box


@dataclass
class GraphNode:
    """One node of a small scalar computational graph (for the stepper).

    Attributes:
        name: short name used as a key, e.g. ``"z"``.
        parents: names of the nodes it is computed from (empty for inputs).
        forward: ``forward(values) -> float`` where ``values`` maps names to floats
            (None for inputs).
        local: ``local(values) -> dict`` mapping each parent name to ∂node/∂parent.
        formula: how the node is computed, as text, e.g. ``"w·x + b"``.
        local_text: each parent name -> the local derivative as text, e.g. ``{"w": "x"}``.
        value: the value of an input node.
        pos: (x, y) position in the drawing.
        tex: the node's name in mathtext, e.g. ``r"\\mathcal{L}"``.
        label: the node's name in plain text, e.g. ``"ξ4"`` (default: ``name``).
    """

    name: str
    parents: tuple = ()
    forward: Callable | None = None
    local: Callable | None = None
    formula: str = ""
    local_text: dict = field(default_factory=dict)
    value: float | None = None
    pos: tuple = (0.0, 0.0)
    tex: str = ""
    label: str = ""

    def __post_init__(self):
        self.label = self.label or self.name
        self.tex = self.tex or self.name

    @property
    def bar(self) -> str:
        """The bar-notation name in plain text: a macron on the first letter (``"w̄"``)."""
        return self.label[0] + "\u0304" + self.label[1:]


@dataclass
class TraceStep:
    """One frame of the stepper.

    Attributes:
        phase: "start", "forward", "backward" or "done".
        node: the node computed in this frame (None for start/done).
        values: name -> value for the nodes computed so far.
        bars: name -> bar (∂output/∂node) for the nodes done so far.
        text: the computation of this frame, with numbers, as plain text.
    """

    phase: str
    node: str | None
    values: dict
    bars: dict
    text: str


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def logistic_ls_graph(w: float = 0.5, b: float = -0.5, x: float = 2.0, t: float = 1.0,
                      lam: float = 0.1) -> list[GraphNode]:
    """TU Delft's univariate logistic least squares with L2 regularisation, as graph nodes.

    z = w·x + b, y = σ(z), L = ½(y − t)², R = ½w², L_reg = L + λR; nodes are listed in the
    slides' topological order (w, b, x, z, y, t, L, R, L_reg).

    Args:
        w, b: the parameters; x, t: the input and target; lam: λ (a constant, not a node).

    Returns:
        list of 9 :class:`GraphNode`, inputs first, the output (``"Lreg"``) last.

    Example:
        >>> [n.name for n in logistic_ls_graph()]
        ['w', 'b', 'x', 'z', 'y', 't', 'L', 'R', 'Lreg']
    """
    lam = float(lam)
    return [
        GraphNode("w", value=float(w), pos=(0, 2), tex="w"),
        GraphNode("b", value=float(b), pos=(0, 1), tex="b"),
        GraphNode("x", value=float(x), pos=(0, 3), tex="x"),
        GraphNode("z", ("w", "x", "b"), lambda v: v["w"] * v["x"] + v["b"],
                  lambda v: {"w": v["x"], "x": v["w"], "b": 1.0}, "w·x + b",
                  {"w": "x", "x": "w", "b": "1"}, pos=(1, 2), tex="z"),
        GraphNode("y", ("z",), lambda v: _sigmoid(v["z"]),
                  lambda v: {"z": _sigmoid(v["z"]) * (1 - _sigmoid(v["z"]))}, "σ(z)",
                  {"z": "σ(z)(1 − σ(z))"}, pos=(2, 2), tex="y"),
        GraphNode("t", value=float(t), pos=(2, 3), tex="t"),
        GraphNode("L", ("y", "t"), lambda v: 0.5 * (v["y"] - v["t"]) ** 2,
                  lambda v: {"y": v["y"] - v["t"], "t": v["t"] - v["y"]}, "½(y − t)²",
                  {"y": "(y − t)", "t": "(t − y)"}, pos=(3, 2), tex=r"\mathcal{L}"),
        GraphNode("R", ("w",), lambda v: 0.5 * v["w"] ** 2, lambda v: {"w": v["w"]}, "½w²",
                  {"w": "w"}, pos=(2, 0.6), tex=r"\mathcal{R}"),
        GraphNode("Lreg", ("L", "R"), lambda v: v["L"] + lam * v["R"],
                  lambda v: {"L": 1.0, "R": lam}, f"L + λR  (λ = {lam:g})",
                  {"L": "1", "R": "λ"}, pos=(4, 1.5), tex=r"\mathcal{L}_{reg}", label="Lreg"),
    ]


def xi_chain_graph(X: float = 3.0, y: float = 1.0, W: float = 3.0) -> list[GraphNode]:
    """Harvard's chain ξ1 = −W·X, ξ2 = e^ξ1, ξ3 = 1 + ξ2, ξ4 = 1/ξ3, ξ5 = log ξ4, L = −y·ξ5.

    Args:
        X: the input, y: the label (the y·log p half of the cross-entropy), W: the weight.

    Returns:
        list of :class:`GraphNode`: W, X, xi1 … xi5, y, L.

    Example:
        >>> [n.name for n in xi_chain_graph()][-1]
        'L'
    """
    return [
        GraphNode("W", value=float(W), pos=(0, 1), tex="W"),
        GraphNode("X", value=float(X), pos=(0, 0), tex="X"),
        GraphNode("xi1", ("W", "X"), lambda v: -v["W"] * v["X"],
                  lambda v: {"W": -v["X"], "X": -v["W"]}, "−W·X", {"W": "−X", "X": "−W"},
                  pos=(1, 0.5), tex=r"\xi_1",
                  label="ξ1"),
        GraphNode("xi2", ("xi1",), lambda v: math.exp(v["xi1"]),
                  lambda v: {"xi1": math.exp(v["xi1"])}, "exp(ξ1)", {"xi1": "exp(ξ1)"},
                  pos=(2, 0.5), tex=r"\xi_2",
                  label="ξ2"),
        GraphNode("xi3", ("xi2",), lambda v: 1 + v["xi2"], lambda v: {"xi2": 1.0}, "1 + ξ2",
                  {"xi2": "1"}, pos=(3, 0.5), tex=r"\xi_3",
                  label="ξ3"),
        GraphNode("xi4", ("xi3",), lambda v: 1 / v["xi3"],
                  lambda v: {"xi3": -1 / v["xi3"] ** 2}, "1 / ξ3", {"xi3": "−1/ξ3²"},
                  pos=(4, 0.5), tex=r"\xi_4",
                  label="ξ4"),
        GraphNode("xi5", ("xi4",), lambda v: math.log(v["xi4"]),
                  lambda v: {"xi4": 1 / v["xi4"]}, "log ξ4", {"xi4": "1/ξ4"},
                  pos=(5, 0.5), tex=r"\xi_5",
                  label="ξ5"),
        GraphNode("y", value=float(y), pos=(5, 1.5), tex="y"),
        GraphNode("L", ("y", "xi5"), lambda v: -v["y"] * v["xi5"],
                  lambda v: {"y": -v["xi5"], "xi5": -v["y"]}, "−y·ξ5",
                  {"y": "−ξ5", "xi5": "−y"}, pos=(6, 1.0), tex=r"\mathcal{L}"),
    ]


def _check_graph(nodes) -> dict:
    """Check that ``nodes`` is a list of GraphNode in topological order; return name -> node."""
    if not isinstance(nodes, (list, tuple)) or not nodes:
        raise ValueError(f"nodes must be a non-empty list of GraphNode, got {type(nodes).__name__}")
    seen: dict = {}
    for n in nodes:
        if not isinstance(n, GraphNode):
            raise ValueError(f"every node must be a GraphNode, got {type(n).__name__}")
        if n.name in seen:
            raise ValueError(f"node name {n.name!r} appears twice")
        for p in n.parents:
            if p not in seen:
                raise ValueError(f"node {n.name!r} uses {p!r} before it is defined: "
                                 "list the nodes in topological order (parents first)")
        if not n.parents and n.value is None:
            raise ValueError(f"input node {n.name!r} needs a value")
        seen[n.name] = n
    return seen


def _fmt(v: float) -> str:
    """A number with 4 significant decimals; small ones in scientific notation."""
    return f"{v:.4e}" if abs(v) < 1e-3 and v != 0 else f"{v:.4f}"


def _par(v: float) -> str:
    """Like :func:`_fmt`, with negative numbers in parentheses (for products)."""
    return f"({_fmt(v)})" if v < 0 else _fmt(v)


def backprop_trace(nodes) -> list[TraceStep]:
    """Every frame of a forward pass, then a backward pass, through a small scalar graph.

    Forward: each computed node in the given (topological) order. Backward: the output gets
    bar 1, then each node in reverse order gets n̄ = Σ_children c̄ · ∂c/∂n (the sum over
    children of the TU Delft slides).

    Args:
        nodes: list of :class:`GraphNode` in topological order; the last one is the output.

    Returns:
        list of :class:`TraceStep`: start, one per computed node, one per node backwards, done.

    Example:
        >>> steps = backprop_trace(logistic_ls_graph())
        >>> steps[-1].phase, round(steps[-1].bars["w"], 4)
        ('done', 0.0855)
    """
    by_name = _check_graph(nodes)
    children: dict = {n.name: [] for n in nodes}
    for n in nodes:
        for p in n.parents:
            children[p].append(n.name)
    values = {n.name: n.value for n in nodes if not n.parents}
    inputs = ", ".join(f"{by_name[k].label} = {_fmt(v)}" for k, v in values.items())
    steps = [TraceStep("start", None, dict(values), {}, f"Inputs: {inputs}. Next: forward pass.")]
    for n in nodes:
        if not n.parents:
            continue
        values[n.name] = float(n.forward(values))
        args = ", ".join(f"{by_name[p].label} = {_fmt(values[p])}" for p in n.parents)
        steps.append(TraceStep("forward", n.name, dict(values), {},
                               f"forward: {n.label} = {n.formula} with {args}  →  "
                               f"{n.label} = {_fmt(values[n.name])}"))
    locals_ = {n.name: n.local(values) for n in nodes if n.parents}
    top = nodes[-1]
    out = top.name
    bars = {out: 1.0}
    steps.append(TraceStep("backward", out, dict(values), dict(bars),
                           f"backward: {top.bar} = ∂{top.label}/∂{top.label} = 1"))
    for n in reversed(nodes[:-1]):
        kids = children[n.name]
        bars[n.name] = float(sum(bars[c] * locals_[c][n.name] for c in kids))
        terms = " + ".join(f"{by_name[c].bar}·{by_name[c].local_text[n.name]}"
                           for c in kids) or "0"
        nums = " + ".join(f"{_par(bars[c])}·{_par(locals_[c][n.name])}" for c in kids) or "0"
        steps.append(TraceStep("backward", n.name, dict(values), dict(bars),
                               f"backward: {n.bar} = {terms} = {nums} = "
                               f"{_fmt(bars[n.name])}"))
    steps.append(TraceStep("done", None, dict(values), dict(bars),
                           "done: every node has its value and its bar "
                           f"(bar = ∂{top.label}/∂node)."))
    return steps


def draw_trace_step(nodes, step: TraceStep, ax=None, title: str | None = None):
    """Draw the graph with the values and bars known at ``step``; the current node highlighted.

    Orange: the node computed forwards in this frame; blue: the node whose bar was just
    computed, with the edges its bar came along.

    Args:
        nodes: the list of :class:`GraphNode` the trace was made from.
        step: one :class:`TraceStep` of :func:`backprop_trace`.
        ax: a matplotlib Axes; a new figure sized to the graph when None.
        title: the title above the graph (default: the frame's ``text``).

    Returns:
        the matplotlib Figure.

    Example:
        >>> g = logistic_ls_graph(); fig = draw_trace_step(g, backprop_trace(g)[5])
    """
    by_name = _check_graph(nodes)
    xs = [n.pos[0] for n in nodes]
    ys = [n.pos[1] for n in nodes]
    if ax is None:
        width = 2.1 * (max(xs) - min(xs) + 1.2)
        height = 1.25 * (max(ys) - min(ys) + 1.4)
        fig, ax = plt.subplots(figsize=(min(width, 13), height + (0.6 if title != "" else 0.0)))
    else:
        fig = ax.figure
    cur = step.node
    boxes = {}
    for n in nodes:
        lines = [f"${n.tex}$" + (f" = {_fmt(step.values[n.name])}"
                                 if n.name in step.values else "")]
        if n.name in step.bars:
            lines.append(f"$\\overline{{{n.tex}}}$ = {_fmt(step.bars[n.name])}")
        face = "#ffffff"
        if n.name == cur:
            face = "#ffcc80" if step.phase == "forward" else "#9ecae1"
        elif n.name in step.bars:
            face = "#deebf7"
        elif n.name in step.values and n.parents:
            face = "#fff3e0"
        boxes[n.name] = ax.text(*n.pos, "\n".join(lines), ha="center", va="center",
                                fontsize=10, zorder=3,
                                bbox=dict(boxstyle="round,pad=0.45", fc=face,
                                          ec="black" if n.name == cur else "#555555",
                                          lw=2 if n.name == cur else 1))
        if n.parents:
            ax.text(n.pos[0], n.pos[1] - 0.42, n.formula, ha="center", va="top", fontsize=8,
                    color="#444444")
    for n in nodes:
        for p in n.parents:
            # forward frame: the edges into the new node; backward: the edges its bar came along
            hot_fwd = step.phase == "forward" and cur == n.name
            hot_bwd = step.phase == "backward" and cur == p
            color = "#e6550d" if hot_fwd else "#1f77b4" if hot_bwd else "#888888"
            ax.annotate("", xy=n.pos, xytext=by_name[p].pos, zorder=4,
                        arrowprops=dict(arrowstyle="-|>", mutation_scale=14,
                                        lw=2.6 if hot_fwd or hot_bwd else 1.1, color=color,
                                        patchA=boxes[p].get_bbox_patch(),
                                        patchB=boxes[n.name].get_bbox_patch(),
                                        shrinkA=2, shrinkB=2))
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.75, max(ys) + 0.6)
    ax.axis("off")
    ax.set_title(step.text if title is None else title, fontsize=9, loc="left", wrap=True)
    return fig


def _step_caption(step: TraceStep) -> str:
    """The frame's text without its leading "forward: " / "backward: " / "done: ": the stepper
    already names the phase next to the frame counter, so the caption need not repeat it."""
    prefix = f"{step.phase}: "
    return step.text[len(prefix):] if step.text.startswith(prefix) else step.text


def backprop_stepper(nodes=None) -> ipw.VBox:
    """Buttons Next / Back / Reset that walk the forward, then the backward pass, node by node.

    Above the picture: the frame counter with the phase ("frame 2 / 16 · forward"), then the
    frame's computation with its numbers, each shown once (the picture itself has no title).

    Args:
        nodes: list of :class:`GraphNode` in topological order (default
            :func:`logistic_ls_graph`).

    Returns:
        an ``ipywidgets.VBox`` with attributes ``steps`` (the :class:`TraceStep` list),
        ``index`` (the frame shown), ``buttons`` (dict "next"/"back"/"reset") and ``show(i)``.

    Example:
        >>> box = backprop_stepper()           # in a notebook: display(box)
        >>> box.buttons["next"].click(); box.index
        1
    """
    nodes = logistic_ls_graph() if nodes is None else nodes
    steps = backprop_trace(nodes)
    b_back = ipw.Button(description="◀ Back", layout=ipw.Layout(width="90px"))
    b_next = ipw.Button(description="Next ▶", button_style="primary",
                        layout=ipw.Layout(width="90px"))
    b_reset = ipw.Button(description="Reset", layout=ipw.Layout(width="90px"))
    counter = ipw.HTML()
    text = ipw.HTML()
    out = ipw.Output()
    box = ipw.VBox([ipw.HBox([b_back, b_next, b_reset, counter]), text, out])
    box.steps = steps
    box.buttons = {"next": b_next, "back": b_back, "reset": b_reset}

    def show(i: int):
        box.index = max(0, min(int(i), len(steps) - 1))
        s = steps[box.index]
        counter.value = (f"<span style='padding-left:1em'>frame {box.index + 1} / {len(steps)}"
                         f" · <b>{s.phase}</b></span>")
        text.value = f"<code>{_step_caption(s)}</code>"
        b_back.disabled = box.index == 0
        b_next.disabled = box.index == len(steps) - 1
        with out:
            out.clear_output(wait=True)
            fig = draw_trace_step(nodes, s, title="")  # the text is shown above the figure
            plt.show()
            plt.close(fig)

    b_next.on_click(lambda _b: show(box.index + 1))
    b_back.on_click(lambda _b: show(box.index - 1))
    b_reset.on_click(lambda _b: show(0))
    box.show = show
    show(0)
    return box
# --- end calculus widgets ---

# --- network widgets (lectures 3-4) ---
# Lecture 3: sliders for the hand-built XOR network (live decision boundary and output table),
# and a replay of a training run (loss curve and decision boundary, iteration by iteration).
# Lecture 4: a browser of misclassified MNIST digits and a viewer of first-layer weights.
__all__ += [
    "XOR_INPUTS", "XOR_TARGETS", "hand_built_xor", "xor_forward", "xor_output_table",
    "xor_grid", "plot_xor_net", "xor_weights_explorer", "plot_xor_training", "xor_training_replay",
    "misclassified_indices", "digit_view", "plot_digit_probs", "misclassified_browser",
    "weight_images", "plot_weight_images", "weights_browser",
]

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0, 1, 1, 0])
_XOR_KEYS = {"W1": (2, 2), "b1": (2,), "W2": (1, 2), "b2": (1,)}


def hand_built_xor(F: float = 5.0) -> dict[str, np.ndarray]:
    """The hand-built XOR network of COMP 755 in the slides' column form, scaled by ``F``.

    h1 = σ(F(−0.5 + x1 − x2)), h2 = σ(F(−0.5 − x1 + x2)), ŷ = σ(F(−0.5 + h1 + h2)).

    Args:
        F: the common scale of all weights and biases (a finite number).

    Returns:
        dict with ``W1`` (2, 2), ``b1`` (2,), ``W2`` (1, 2), ``b2`` (1,), float64; row ``i`` of a
        ``W`` holds the weights *into* unit ``i`` (``z = W h + b``, as in the slides).

    Example:
        >>> p = hand_built_xor(5.0)
        >>> p["W1"].tolist(), p["b2"].tolist()
        ([[5.0, -5.0], [-5.0, 5.0]], [-2.5])
    """
    F = float(F)
    if not math.isfinite(F):
        raise ValueError(f"F must be a finite number, got {F!r}")
    return {"W1": F * np.array([[1.0, -1.0], [-1.0, 1.0]]), "b1": F * np.array([-0.5, -0.5]),
            "W2": F * np.array([[1.0, 1.0]]), "b2": F * np.array([-0.5])}


def _xor_params(params) -> dict[str, np.ndarray]:
    """Checked float64 copies of a 2-H-1 network's parameters, or a ValueError naming what came."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys {sorted(_XOR_KEYS)}, "
                        f"got {type(params).__name__}")
    missing = sorted(set(_XOR_KEYS) - set(params))
    if missing:
        raise ValueError(f"params is missing {missing}; expected keys {sorted(_XOR_KEYS)}")
    out = {key: np.asarray(params[key], dtype=np.float64) for key in _XOR_KEYS}
    H = out["W1"].shape[0] if out["W1"].ndim == 2 else 2
    for key, shape in (("W1", (H, 2)), ("b1", (H,)), ("W2", (1, H)), ("b2", (1,))):
        if out[key].shape != shape:
            raise ValueError(f"params[{key!r}] must have shape {shape}, got {out[key].shape}"
                             + (f" (H = {H} hidden units, from W1)" if key != "W1" else ""))
    return out


def _sig(z):
    """Sigmoid that neither overflows nor loses precision for large |z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def xor_forward(params, X) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of a 2-H-1 sigmoid network (H hidden units, 2 for XOR) on a batch of points.

    Args:
        params: dict ``W1`` (H, 2), ``b1`` (H,), ``W2`` (1, H), ``b2`` (1,) in the slides'
            column form (see :func:`hand_built_xor`).
        X: points, shape ``(N, 2)`` (rows, as everywhere in ``helpers``).

    Returns:
        ``H`` of shape ``(N, H)`` (hidden activations) and ``yhat`` of shape ``(N,)``.

    Example:
        >>> H, yhat = xor_forward(hand_built_xor(5.0), XOR_INPUTS)
        >>> yhat.round(4).tolist()
        [0.1491, 0.8932, 0.8932, 0.1491]
    """
    p = _xor_params(params)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    H = _sig(X @ p["W1"].T + p["b1"])          # rows: z = W h + b  <=>  Z = H W^T + b
    yhat = _sig(H @ p["W2"].T + p["b2"])[:, 0]
    return H, yhat


def xor_output_table(params) -> list[dict]:
    """One row per XOR input: the hidden units, the output, the target and the squared loss.

    Args:
        params: a 2-2-1 network as in :func:`xor_forward`.

    Returns:
        4 dicts with keys ``x1 x2 h1 h2 yhat target loss`` (``loss`` = ½(ŷ − y)²).

    Example:
        >>> rows = xor_output_table(hand_built_xor(5.0))
        >>> [round(r["yhat"], 4) for r in rows]
        [0.1491, 0.8932, 0.8932, 0.1491]
    """
    H, yhat = xor_forward(params, XOR_INPUTS)
    return [{"x1": float(x[0]), "x2": float(x[1]), "h1": float(h[0]), "h2": float(h[1]),
             "yhat": float(p), "target": int(t), "loss": float(0.5 * (p - t) ** 2)}
            for x, h, p, t in zip(XOR_INPUTS, H, yhat, XOR_TARGETS)]


def xor_grid(params, n: int = 101, lim: tuple[float, float] = (-0.5, 1.5)):
    """The network's output on an ``n × n`` grid of the plane (for a decision-boundary picture).

    Args:
        params: a 2-2-1 network as in :func:`xor_forward`.
        n: grid points per axis (>= 2).
        lim: (low, high) of both axes.

    Returns:
        ``xs`` (n,), ``ys`` (n,) and ``P`` (n, n) with ``P[i, j]`` = ŷ at ``(xs[j], ys[i])``.

    Example:
        >>> xs, ys, P = xor_grid(hand_built_xor(5.0), n=3, lim=(0, 1))
        >>> P.shape, round(float(P[0, 0]), 4)
        ((3, 3), 0.1491)
    """
    n = int(n)
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    lo, hi = (float(v) for v in lim)
    if not lo < hi:
        raise ValueError(f"lim must be (low, high) with low < high, got {lim!r}")
    xs = np.linspace(lo, hi, n)
    ys = np.linspace(lo, hi, n)
    gx, gy = np.meshgrid(xs, ys)
    _, P = xor_forward(params, np.column_stack([gx.ravel(), gy.ravel()]))
    return xs, ys, P.reshape(n, n)


def plot_xor_net(params, ax=None, *, X=None, y=None, title: str | None = None,
                 hidden_lines: bool = True):
    """Draw ŷ over the plane, the boundary ŷ = 0.5 and the hidden units' lines z = 0.

    Args:
        params: a 2-H-1 network as in :func:`xor_forward`.
        ax: a matplotlib Axes to draw into (default: a new figure).
        X, y: points ``(N, 2)`` and labels ``(N,)`` to scatter (default: the four XOR corners).
        title: axes title.
        hidden_lines: draw the lines where the hidden units' inputs are zero.

    Returns:
        the matplotlib ``Figure``.

    Example:
        >>> fig = plot_xor_net(hand_built_xor(5.0), title="F = 5")
    """
    p = _xor_params(params)
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.2, 4.0))
    else:
        fig = ax.figure
    xs, ys, P = xor_grid(p, n=121)
    cs = ax.contourf(xs, ys, P, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.75)
    if P.min() < 0.5 < P.max():
        ax.contour(xs, ys, P, levels=[0.5], colors="k", linewidths=2)
    if hidden_lines:
        t = np.linspace(-0.5, 1.5, 2)
        for i in range(len(p["b1"])):
            style = ("--", ":", "-.", (0, (5, 1, 1, 1)))[i % 4]
            w, b = p["W1"][i], p["b1"][i]
            if abs(w[1]) > 1e-9:
                ax.plot(t, -(w[0] * t + b) / w[1], "k", ls=style, lw=1, label=f"$z_{i + 1}=0$")
            elif abs(w[0]) > 1e-9:
                ax.axvline(-b / w[0], color="k", ls=style, lw=1, label=f"$z_{i + 1}=0$")
        ax.legend(loc="upper center", fontsize=8, framealpha=0.8, ncol=2)
    if X is None:
        X, y = XOR_INPUTS, XOR_TARGETS
    X = np.asarray(X)
    y = np.asarray(y)
    few = len(X) < 50
    for label, color, marker in ((0, "#2166ac", "o"), (1, "#b2182b", "s")):
        ax.scatter(X[y == label, 0], X[y == label, 1], c=color, marker=marker,
                   edgecolors="w" if few else "k", linewidths=1.0 if few else 0.3,
                   s=60 if few else 10, label=f"y = {label}", zorder=3)
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    if len(fig.axes) == 1:
        fig.colorbar(cs, ax=ax, fraction=0.046, pad=0.04, label=r"$\hat y$")
    return fig


def _xor_table_html(rows) -> str:
    head = "".join(f"<th style='padding:0 8px'>{h}</th>"
                   for h in ("x₁", "x₂", "h₁", "h₂", "ŷ", "y", "½(ŷ−y)²"))
    body = ""
    for r in rows:
        ok = (r["yhat"] > 0.5) == bool(r["target"])
        color = "#1a7f37" if ok else "#cf222e"
        body += ("<tr>" + "".join(f"<td style='padding:0 8px'>{r[k]:g}</td>" for k in ("x1", "x2"))
                 + "".join(f"<td style='padding:0 8px'>{r[k]:.4f}</td>" for k in ("h1", "h2"))
                 + f"<td style='padding:0 8px;color:{color}'><b>{r['yhat']:.4f}</b></td>"
                 + f"<td style='padding:0 8px'>{r['target']}</td>"
                 + f"<td style='padding:0 8px'>{r['loss']:.4f}</td></tr>")
    total = sum(r["loss"] for r in rows)
    return (f"<table><tr>{head}</tr>{body}</table>"
            f"<div>total loss E = <b>{total:.4f}</b>; "
            f"{sum((r['yhat'] > 0.5) == bool(r['target']) for r in rows)} of 4 correct</div>")


def xor_weights_explorer(F: float = 5.0) -> ipw.VBox:
    """Sliders for the nine weights of the 2-2-1 XOR network, with the live boundary and table.

    Starts at :func:`hand_built_xor` ``(F)``; the button resets to it with the F slider's value.

    Args:
        F: the initial scale of the hand-built network.

    Returns:
        an ``ipywidgets.VBox`` with attributes ``sliders`` (dict by name: ``W1[0,0]`` … ``b2[0]``
        and ``F``), ``params()`` (the current weights), ``rows`` (the latest
        :func:`xor_output_table`) and ``render()``.

    Example:
        >>> box = xor_weights_explorer()        # in a notebook: display(box)
        >>> round(box.rows[1]["yhat"], 4)
        0.8932
    """
    start = hand_built_xor(F)
    style = {"description_width": "60px"}
    layout = ipw.Layout(width="260px")
    sliders = {}
    for key, shape in _XOR_KEYS.items():
        for idx in np.ndindex(*shape):
            name = f"{key}[{','.join(map(str, idx))}]"
            sliders[name] = ipw.FloatSlider(value=float(start[key][idx]), min=-12, max=12,
                                            step=0.1, description=name, style=style,
                                            layout=layout, continuous_update=False)
    s_F = ipw.FloatSlider(value=float(F), min=0.5, max=12, step=0.5, description="F",
                          style=style, layout=layout, continuous_update=False)
    reset = ipw.Button(description="hand-built net with this F", layout=ipw.Layout(width="260px"))
    table = ipw.HTML()
    out = ipw.Output()
    col1 = ipw.VBox([ipw.HTML("<b>hidden layer</b> z = W1 x + b1")]
                    + [s for n, s in sliders.items() if n.startswith(("W1", "b1"))])
    col2 = ipw.VBox([ipw.HTML("<b>output</b> ŷ = σ(W2 h + b2)")]
                    + [s for n, s in sliders.items() if n.startswith(("W2", "b2"))]
                    + [ipw.HTML("<br>"), s_F, reset])
    box = ipw.VBox([ipw.HBox([col1, col2]), ipw.HBox([out, table])])
    sliders_all = dict(sliders, F=s_F)
    box.sliders = sliders_all

    def params():
        p = {k: np.zeros(shape) for k, shape in _XOR_KEYS.items()}
        for name, s in sliders.items():
            key, idx = name[:2], tuple(int(i) for i in name[3:-1].split(","))
            p[key][idx] = s.value
        return p

    def render(_change=None):
        p = params()
        box.rows = xor_output_table(p)
        table.value = "<div style='padding-left:1em'>" + _xor_table_html(box.rows) + "</div>"
        with out:
            out.clear_output(wait=True)
            plot_xor_net(p)
            plt.show()

    def on_reset(_button=None):
        hb = hand_built_xor(s_F.value)
        for name, s in sliders.items():
            s.unobserve(render, names="value")
            key, idx = name[:2], tuple(int(i) for i in name[3:-1].split(","))
            s.value = float(hb[key][idx])
            s.observe(render, names="value")
        render()

    for s in sliders.values():
        s.observe(render, names="value")
    reset.on_click(on_reset)
    box.params = params
    box.render = render
    box.reset = on_reset
    render()
    return box


def plot_xor_training(snapshot, losses, iteration: int, *, X=None, y=None, fig=None):
    """Two panels: the loss curve with the current iteration marked, and the boundary then.

    Args:
        snapshot: the network at ``iteration`` (a 2-H-1 net as in :func:`xor_forward`).
        losses: the loss at every iteration, shape ``(T,)``.
        iteration: which iteration ``snapshot`` belongs to (0 <= iteration < T).
        X, y: training points to scatter (default: the four XOR corners).

    Returns:
        the matplotlib ``Figure``.

    Example:
        >>> fig = plot_xor_training(hand_built_xor(5.0), [2.0, 1.0, 0.5], 1)
    """
    losses = np.asarray(losses, dtype=np.float64).ravel()
    iteration = int(iteration)
    if not 0 <= iteration < len(losses):
        raise IndexError(f"iteration must be in 0 … {len(losses) - 1}, got {iteration}")
    if fig is None:
        fig = plt.figure(figsize=(9, 3.6))
    ax_loss, ax_net = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    ax_loss.plot(losses, color="C0")
    ax_loss.plot(iteration, losses[iteration], "o", color="C1", ms=8)
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title(f"iteration {iteration}: loss {losses[iteration]:.4g}")
    plot_xor_net(snapshot, ax=ax_net, X=X, y=y, hidden_lines=False,
                 title=f"decision boundary at iteration {iteration}")
    fig.tight_layout()
    return fig


def xor_training_replay(snapshots: dict, losses, X=None, y=None) -> ipw.VBox:
    """Replay a training run: a slider over the saved iterations redraws loss and boundary.

    Args:
        snapshots: ``{iteration: params}``, the network saved at some iterations (2-H-1 nets in
            the column form of :func:`xor_forward`).
        losses: the loss at every iteration, shape ``(T,)``; every saved iteration is < T.
        X, y: the training points to scatter.

    Returns:
        an ``ipywidgets.VBox`` with attributes ``iterations`` (sorted saved iterations),
        ``slider`` (its value indexes ``iterations``), ``current`` (the iteration shown) and
        ``show(k)``.

    Example:
        >>> snaps = {0: hand_built_xor(1.0), 2: hand_built_xor(5.0)}
        >>> box = xor_training_replay(snaps, [3.0, 2.0, 1.0])   # in a notebook: display(box)
        >>> box.iterations, box.current
        ([0, 2], 0)
    """
    if not snapshots:
        raise ValueError("snapshots is empty: save the network at one iteration at least")
    losses = np.asarray(losses, dtype=np.float64).ravel()
    iterations = sorted(int(k) for k in snapshots)
    if iterations[0] < 0 or iterations[-1] >= len(losses):
        raise ValueError(f"saved iterations must be in 0 … {len(losses) - 1} (one loss each), "
                         f"got {iterations[0]} … {iterations[-1]}")
    for k in iterations:
        _xor_params(snapshots[k])
    slider = ipw.IntSlider(value=0, min=0, max=len(iterations) - 1, description="snapshot",
                           continuous_update=False, layout=ipw.Layout(width="420px"))
    b_play = ipw.Button(description="Next ▶", layout=ipw.Layout(width="90px"))
    out = ipw.Output()
    box = ipw.VBox([ipw.HBox([slider, b_play]), out])
    box.iterations = iterations
    box.slider = slider
    box.buttons = {"next": b_play}

    def show(k: int):
        k = max(0, min(int(k), len(iterations) - 1))
        if slider.value != k:
            slider.value = k              # triggers render through the observer
            return
        box.current = iterations[k]
        b_play.disabled = k == len(iterations) - 1
        with out:
            out.clear_output(wait=True)
            plot_xor_training(snapshots[box.current], losses, box.current, X=X, y=y)
            plt.show()

    slider.observe(lambda ch: show(ch["new"]), names="value")
    b_play.on_click(lambda _b: show(slider.value + 1))
    box.show = show
    show(0)
    return box


def _probs_2d(probs, n: int | None = None) -> np.ndarray:
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"probs must have shape (N, C), got {probs.shape}")
    if n is not None and probs.shape[0] != n:
        raise ValueError(f"probs must have {n} rows (one per label), got shape {probs.shape}")
    return probs


def misclassified_indices(y_true, probs) -> np.ndarray:
    """Indices of the misclassified samples, most confidently wrong first.

    Args:
        y_true: int labels, shape ``(N,)``.
        probs: predicted class probabilities (or scores), shape ``(N, C)``.

    Returns:
        int64 array of indices ``i`` with ``argmax(probs[i]) != y_true[i]``, sorted by the
        probability given to the wrong prediction, highest first (ties: smaller index first).

    Example:
        >>> misclassified_indices([0, 1, 1], [[0.9, 0.1], [0.8, 0.2], [0.4, 0.6]]).tolist()
        [1]
    """
    y_true = np.asarray(y_true)
    if y_true.ndim != 1:
        raise ValueError(f"y_true must have shape (N,), got {y_true.shape}")
    probs = _probs_2d(probs, len(y_true))
    pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(pred != y_true)
    conf = probs[wrong, pred[wrong]]
    return wrong[np.argsort(-conf, kind="stable")].astype(np.int64)


def digit_view(X, y_true, probs, i: int) -> dict:
    """What the browser shows for sample ``i``: the image, the true and predicted label, the probs.

    Args:
        X: images as rows, shape ``(N, 784)`` (or ``(N, 28, 28)``).
        y_true: int labels ``(N,)``.
        probs: class probabilities ``(N, C)``.
        i: the sample index (0 <= i < N).

    Returns:
        dict with ``image`` (28, 28), ``true`` int, ``pred`` int, ``probs`` (C,), ``index`` int.

    Example:
        >>> X = np.zeros((2, 784)); P = np.full((2, 10), 0.1); P[1, 3] = 0.5
        >>> v = digit_view(X, [3, 7], P, 1); (v["true"], v["pred"], v["image"].shape)
        (7, 3, (28, 28))
    """
    X = np.asarray(X)
    y_true = np.asarray(y_true)
    probs = _probs_2d(probs, len(y_true))
    if X.shape[0] != len(y_true) or X[0].size != 784:
        raise ValueError(f"X must have shape ({len(y_true)}, 784) to match y_true, got {X.shape}")
    i = int(i)
    if not 0 <= i < len(y_true):
        raise IndexError(f"sample index must be in 0 … {len(y_true) - 1}, got {i}")
    return {"image": X[i].reshape(28, 28), "true": int(y_true[i]),
            "pred": int(probs[i].argmax()), "probs": probs[i], "index": i}


def plot_digit_probs(view: dict, fig=None):
    """Draw one :func:`digit_view`: the image on the left, the probabilities as bars on the right.

    The true class's bar and tick label are green, a wrong prediction's red.

    Example:
        >>> X = np.zeros((1, 784)); P = np.full((1, 10), 0.1)
        >>> fig = plot_digit_probs(digit_view(X, [0], P, 0))
    """
    if fig is None:
        fig = plt.figure(figsize=(7, 2.6))
    ax_img, ax_bar = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.7]})
    ax_img.imshow(view["image"], cmap="gray_r", vmin=0, vmax=max(1e-9, view["image"].max()))
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    ok = view["pred"] == view["true"]
    ax_img.set_title(f"sample {view['index']}: true {view['true']}, predicted {view['pred']}",
                     fontsize=9, color="black" if ok else "#cf222e")
    p = view["probs"]
    colors = ["#bbbbbb"] * len(p)
    colors[view["pred"]] = "#1a7f37" if ok else "#cf222e"
    colors[view["true"]] = "#1a7f37"
    ax_bar.bar(range(len(p)), p, color=colors)
    ax_bar.set_xticks(range(len(p)))
    for k, tick in enumerate(ax_bar.get_xticklabels()):   # the true class stays visible at p ≈ 0
        if k == view["true"]:
            tick.set_color("#1a7f37")
            tick.set_fontweight("bold")
        elif k == view["pred"]:
            tick.set_color("#cf222e")
    ax_bar.set_ylim(0, 1.12)
    ax_bar.set_xlabel("class")
    ax_bar.set_ylabel("probability")
    for k, v in enumerate(p):
        if v >= 0.05:
            ax_bar.text(k, v + 0.02, f"{v:.2f}", ha="center", fontsize=7)
    fig.tight_layout()
    return fig


def misclassified_browser(X, y_true, probs) -> ipw.VBox:
    """Step through the misclassified digits, most confidently wrong first.

    Args:
        X: images ``(N, 784)``; y_true: labels ``(N,)``; probs: probabilities ``(N, C)``.

    Returns:
        an ``ipywidgets.VBox`` with attributes ``indices`` (from :func:`misclassified_indices`),
        ``slider``, ``buttons`` (dict "prev"/"next"), ``view`` (the latest :func:`digit_view`)
        and ``show(k)`` (show the k-th misclassified digit).

    Example:
        >>> X = np.zeros((3, 784)); P = np.eye(10)[[1, 1, 2]]
        >>> box = misclassified_browser(X, [1, 0, 0], P)   # in a notebook: display(box)
        >>> box.indices.tolist(), box.view["index"]
        ([1, 2], 1)
    """
    y_true = np.asarray(y_true)
    idx = misclassified_indices(y_true, probs)
    if len(idx) == 0:
        return ipw.VBox([ipw.HTML("No misclassified samples: nothing to browse.")])
    slider = ipw.IntSlider(value=0, min=0, max=len(idx) - 1, description="mistake #",
                           continuous_update=False, layout=ipw.Layout(width="420px"))
    b_prev = ipw.Button(description="◀ Prev", layout=ipw.Layout(width="80px"))
    b_next = ipw.Button(description="Next ▶", layout=ipw.Layout(width="80px"))
    label = ipw.HTML()
    out = ipw.Output()
    box = ipw.VBox([ipw.HBox([b_prev, slider, b_next, label]), out])
    box.indices = idx
    box.slider = slider
    box.buttons = {"prev": b_prev, "next": b_next}

    def show(k: int):
        k = max(0, min(int(k), len(idx) - 1))
        if slider.value != k:
            slider.value = k              # triggers render through the observer
            return
        box.view = digit_view(X, y_true, probs, idx[k])
        label.value = (f"<span style='padding-left:1em'>{k + 1} of {len(idx)} mistakes; "
                       f"confidence in the wrong class "
                       f"{box.view['probs'][box.view['pred']]:.1%}</span>")
        b_prev.disabled = k == 0
        b_next.disabled = k == len(idx) - 1
        with out:
            out.clear_output(wait=True)
            plot_digit_probs(box.view)
            plt.show()

    slider.observe(lambda ch: show(ch["new"]), names="value")
    b_prev.on_click(lambda _b: show(slider.value - 1))
    b_next.on_click(lambda _b: show(slider.value + 1))
    box.show = show
    show(0)
    return box


def weight_images(W, units=None) -> np.ndarray:
    """First-layer weights as images: column ``j`` of ``W`` (784,) becomes a 28 × 28 picture.

    Args:
        W: weights of the first layer, shape ``(784, M)`` (rows-batch convention ``Z = X W + b``).
        units: which columns (default: all).

    Returns:
        array ``(k, 28, 28)``, each image divided by its largest absolute value (so in [−1, 1]).

    Example:
        >>> W = np.zeros((784, 3)); W[0, 1] = -2.0
        >>> imgs = weight_images(W); imgs.shape, float(imgs[1, 0, 0])
        ((3, 28, 28), -1.0)
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != 784:
        raise ValueError(f"W must have shape (784, M) (one column per hidden unit), got {W.shape}")
    cols = np.arange(W.shape[1]) if units is None else np.asarray(units, dtype=np.int64)
    imgs = W[:, cols].T.reshape(-1, 28, 28)
    scale = np.abs(imgs).max(axis=(1, 2), keepdims=True)
    return imgs / np.where(scale > 0, scale, 1.0)


def plot_weight_images(W, units=None, ncols: int = 8, titles=None):
    """A grid of first-layer weight images (red positive, blue negative).

    Example:
        >>> fig = plot_weight_images(np.random.default_rng(0).normal(size=(784, 4)), ncols=4)
    """
    imgs = weight_images(W, units)
    cols = np.arange(np.asarray(W).shape[1]) if units is None else np.asarray(units)
    ncols = max(1, min(int(ncols), len(imgs)))
    nrows = -(-len(imgs) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.3 * nrows), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k < len(imgs):
            ax.imshow(imgs[k], cmap="RdBu_r", vmin=-1, vmax=1)
            ax.set_title(titles[k] if titles is not None else f"unit {cols[k]}", fontsize=7)
    fig.tight_layout()
    return fig


def weights_browser(W, X=None, *, show=None) -> ipw.VBox:
    """A slider over hidden units showing the unit's weight image (and, given ``X``, the inputs
    that excite it most).

    Args:
        W: first-layer weights ``(784, M)``.
        X: optional images ``(N, 784)``; the 8 with the largest ``X @ W[:, j]`` are shown.
        show: optional ``(784, M)`` array to draw instead of ``W`` (e.g. ``W - W_init``, what
            training changed); the strongest inputs are still found with ``W``.

    Returns:
        an ``ipywidgets.VBox`` with attributes ``slider`` and ``top`` (indices into ``X`` of the
        strongest inputs for the unit shown, or ``None``).

    Example:
        >>> box = weights_browser(np.ones((784, 5)))   # in a notebook: display(box)
        >>> box.slider.max
        4
    """
    W = np.asarray(W, dtype=np.float64)
    weight_images(W[:, :1])                       # validates the shape
    show = W if show is None else np.asarray(show, dtype=np.float64)
    if show.shape != W.shape:
        raise ValueError(f"show must have the shape of W {W.shape}, got {show.shape}")
    slider = ipw.IntSlider(value=0, min=0, max=W.shape[1] - 1, description="hidden unit",
                           continuous_update=False, layout=ipw.Layout(width="420px"))
    out = ipw.Output()
    box = ipw.VBox([slider, out])
    box.slider = slider
    box.top = None

    def render(_change=None):
        j = slider.value
        img = weight_images(show, [j])[0]
        with out:
            out.clear_output(wait=True)
            n_top = 0 if X is None else 8
            fig, axes = plt.subplots(1, 1 + n_top, figsize=(1.5 * (1 + n_top), 1.8),
                                     squeeze=False)
            axes[0, 0].imshow(img, cmap="RdBu_r", vmin=-1, vmax=1)
            axes[0, 0].set_title(f"weights of unit {j}", fontsize=8)
            if X is not None:
                box.top = np.argsort(-(np.asarray(X) @ W[:, j]), kind="stable")[:n_top]
                for ax, i in zip(axes[0, 1:], box.top):
                    ax.imshow(np.asarray(X)[i].reshape(28, 28), cmap="gray_r")
                    ax.set_title(f"#{i}", fontsize=7)
            for ax in axes.ravel():
                ax.axis("off")
            plt.show()

    slider.observe(render, names="value")
    box.render = render
    render()
    return box


# --- end network widgets ---
