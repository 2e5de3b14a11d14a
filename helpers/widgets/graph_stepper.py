"""The chain rule on a small scalar computational graph, frame by frame (lectures 1-2): a forward
pass that computes every node, then a backward pass that gives every node its bar
(n̄ = Σ_children c̄ · ∂c/∂n), drawn and stepped with Next / Back / Reset buttons.

Graphs are lists of :class:`GraphNode` in topological order; :func:`logistic_ls_graph` (TU Delft)
and :func:`xi_chain_graph` (Harvard) are the lectures' examples.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as ipw
import matplotlib.pyplot as plt

from ..layers import sigmoid

__all__ = ["GraphNode", "TraceStep", "logistic_ls_graph", "xi_chain_graph", "backprop_trace",
           "draw_trace_step", "backprop_stepper"]


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
    """σ(z) of one number, as a float (:func:`helpers.layers.sigmoid`)."""
    return float(sigmoid(z))


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
        ('done', -0.1274)
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
