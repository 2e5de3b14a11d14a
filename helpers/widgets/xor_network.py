"""The 2-H-1 sigmoid network that solves XOR (lecture 3): its forward pass, the table of its
outputs on the four corners, its decision boundary, sliders for its weights, and a replay of a
training run.

One weight convention, as everywhere in ``helpers``: points are rows ``X (N, 2)`` and a layer
computes ``Z = X @ W + b``, so a network is a dict ``W1 (2, H)``, ``b1 (H,)``, ``W2 (H, 1)``,
``b2 (1,)``; column ``j`` of ``W1`` holds the weights into hidden unit ``j``. It computes with
:func:`helpers.layers.sigmoid`, takes the four corners from :func:`helpers.data.xor_table` and
draws with :func:`helpers.plots.plot_decision_boundary`.
"""

from __future__ import annotations

import math

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np

from ..data import xor_table
from ..layers import sigmoid
from ..plots import plot_decision_boundary

__all__ = ["XOR_INPUTS", "XOR_TARGETS", "hand_built_xor", "xor_forward", "xor_output_table",
           "xor_grid", "plot_xor_net", "xor_weights_explorer", "plot_xor_training",
           "xor_training_replay"]

XOR_INPUTS, XOR_TARGETS = xor_table()   # (4, 2) float64 and (4,) int64, from helpers.data

_XOR_KEYS = ("W1", "b1", "W2", "b2")


def hand_built_xor(F: float = 5.0) -> dict[str, np.ndarray]:
    """The hand-built XOR network of COMP 755, scaled by ``F``, in the rows form of ``helpers``.

    h1 = σ(F(−0.5 + x1 − x2)), h2 = σ(F(−0.5 − x1 + x2)), ŷ = σ(F(−0.5 + h1 + h2)).

    Args:
        F: the common scale of all weights and biases (a finite number).

    Returns:
        dict with ``W1`` (2, 2), ``b1`` (2,), ``W2`` (2, 1), ``b2`` (1,), float64; column ``j`` of
        a ``W`` holds the weights *into* unit ``j`` (``Z = X @ W + b``; the slides write the
        transpose, ``z = W h + b``).

    Example:
        >>> p = hand_built_xor(5.0)
        >>> p["W1"].tolist(), p["W2"].tolist(), p["b2"].tolist()
        ([[5.0, -5.0], [-5.0, 5.0]], [[5.0], [5.0]], [-2.5])
    """
    F = float(F)
    if not math.isfinite(F):
        raise ValueError(f"F must be a finite number, got {F!r}")
    return {"W1": F * np.array([[1.0, -1.0], [-1.0, 1.0]]), "b1": F * np.array([-0.5, -0.5]),
            "W2": F * np.array([[1.0], [1.0]]), "b2": F * np.array([-0.5])}


def _xor_params(params) -> dict[str, np.ndarray]:
    """Checked float64 copies of a 2-H-1 network's parameters, or an error naming what came.

    The rows form ``W1 (2, H)``, ``W2 (H, 1)`` is the convention. The slides' column form
    ``W1 (H, 2)``, ``W2 (1, H)`` (which lecture 3 still converts its networks to) is told apart by
    the shapes (no shape is valid in both forms) and transposed.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys {sorted(_XOR_KEYS)}, "
                        f"got {type(params).__name__}")
    missing = sorted(set(_XOR_KEYS) - set(params))
    if missing:
        raise ValueError(f"params is missing {missing}; expected keys {sorted(_XOR_KEYS)}")
    out = {key: np.asarray(params[key], dtype=np.float64) for key in _XOR_KEYS}
    W1, W2 = out["W1"], out["W2"]
    if W1.ndim == 2 and W1.shape[1] == 2 and W2.shape == (1, W1.shape[0]):  # column form
        out["W1"], out["W2"] = W1.T, W2.T
    H = out["W1"].shape[1] if out["W1"].ndim == 2 else 2
    for key, shape in (("W1", (2, H)), ("b1", (H,)), ("W2", (H, 1)), ("b2", (1,))):
        if out[key].shape != shape:
            raise ValueError(f"params[{key!r}] must have shape {shape}, got {out[key].shape}"
                             + (f" (H = {H} hidden units, from W1)" if key != "W1" else ""))
    return out


def xor_forward(params, X) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of a 2-H-1 sigmoid network (H hidden units, 2 for XOR) on a batch of points.

    ``Hid = σ(X @ W1 + b1)``, ``ŷ = σ(Hid @ W2 + b2)``, with :func:`helpers.layers.sigmoid`.

    Args:
        params: dict ``W1`` (2, H), ``b1`` (H,), ``W2`` (H, 1), ``b2`` (1,) (see
            :func:`hand_built_xor`).
        X: points, shape ``(N, 2)`` (rows, as everywhere in ``helpers``).

    Returns:
        the hidden activations, shape ``(N, H)``, and ``yhat`` of shape ``(N,)``.

    Example:
        >>> H, yhat = xor_forward(hand_built_xor(5.0), XOR_INPUTS)
        >>> yhat.round(4).tolist()
        [0.1491, 0.8932, 0.8932, 0.1491]
    """
    p = _xor_params(params)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    hidden = sigmoid(X @ p["W1"] + p["b1"])
    yhat = sigmoid(hidden @ p["W2"] + p["b2"])[:, 0]
    return hidden, yhat


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
    """The network's output on an ``n × n`` grid of the plane (the numbers behind a boundary).

    Args:
        params: a 2-H-1 network as in :func:`xor_forward`.
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


_LIM = (-0.5, 1.5)   # the square the XOR pictures show


def plot_xor_net(params, ax=None, *, X=None, y=None, title: str | None = None,
                 hidden_lines: bool = True):
    """Draw ŷ over the plane, the boundary ŷ = 0.5 and the hidden units' lines z = 0.

    The map, the boundary and the points are :func:`helpers.plots.plot_decision_boundary` of
    the network's output on [−0.5, 1.5]²; the lines where each hidden unit's input is zero are
    drawn on top.

    Args:
        params: a 2-H-1 network as in :func:`xor_forward`.
        ax: a matplotlib Axes to draw into (default: a new figure).
        X, y: points ``(N, 2)`` and labels ``(N,)`` to scatter (default: the four XOR corners).
        title: axes title.
        hidden_lines: draw the lines where the hidden units' inputs are zero.

    Returns:
        the matplotlib ``Figure``; ``ax.collections[0]`` is the map of ŷ (for a colour bar).

    Example:
        >>> fig = plot_xor_net(hand_built_xor(5.0), title="F = 5")
    """
    p = _xor_params(params)
    if X is None:
        X, y = XOR_INPUTS, XOR_TARGETS
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4.0))
    fig = plot_decision_boundary(lambda P: xor_forward(p, P)[1], X, y, ax=ax, resolution=121,
                                 xlim=_LIM, ylim=_LIM, title=title or "")
    if hidden_lines:
        t = np.array(_LIM)
        lines = []
        for i in range(p["W1"].shape[1]):
            style = ("--", ":", "-.", (0, (5, 1, 1, 1)))[i % 4]
            (w0, w1), b = p["W1"][:, i], p["b1"][i]
            if abs(w1) > 1e-9:
                lines += ax.plot(t, -(w0 * t + b) / w1, "k", ls=style, lw=1,
                                 label=f"$z_{i + 1}=0$")
            elif abs(w0) > 1e-9:
                lines.append(ax.axvline(-b / w0, color="k", ls=style, lw=1,
                                        label=f"$z_{i + 1}=0$"))
        ax.legend(handles=lines, loc="upper center", fontsize=8, framealpha=0.8, ncol=2)
    ax.set_aspect("equal")
    if len(fig.axes) == 1:
        fig.colorbar(ax.collections[0], ax=ax, fraction=0.046, pad=0.04, label=r"$\hat y$")
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
        and ``F``; ``W1[i,j]`` is the weight from input ``i`` to hidden unit ``j``), ``params()``
        (the current weights, rows form), ``rows`` (the latest :func:`xor_output_table`),
        ``render()`` and ``reset()``.

    Example:
        >>> box = xor_weights_explorer()        # in a notebook: display(box)
        >>> round(box.rows[1]["yhat"], 4)
        0.8932
    """
    start = hand_built_xor(F)
    style = {"description_width": "60px"}
    layout = ipw.Layout(width="260px")
    sliders = {}
    for key in _XOR_KEYS:
        for idx in np.ndindex(*start[key].shape):
            name = f"{key}[{','.join(map(str, idx))}]"
            sliders[name] = ipw.FloatSlider(value=float(start[key][idx]), min=-12, max=12,
                                            step=0.1, description=name, style=style,
                                            layout=layout, continuous_update=False)
    s_F = ipw.FloatSlider(value=float(F), min=0.5, max=12, step=0.5, description="F",
                          style=style, layout=layout, continuous_update=False)
    reset = ipw.Button(description="hand-built net with this F", layout=ipw.Layout(width="260px"))
    table = ipw.HTML()
    out = ipw.Output()
    col1 = ipw.VBox([ipw.HTML("<b>hidden layer</b> h = σ(x W1 + b1)")]
                    + [s for n, s in sliders.items() if n.startswith(("W1", "b1"))])
    col2 = ipw.VBox([ipw.HTML("<b>output</b> ŷ = σ(h W2 + b2)")]
                    + [s for n, s in sliders.items() if n.startswith(("W2", "b2"))]
                    + [ipw.HTML("<br>"), s_F, reset])
    box = ipw.VBox([ipw.HBox([col1, col2]), ipw.HBox([out, table])])
    sliders_all = dict(sliders, F=s_F)
    box.sliders = sliders_all

    def params():
        p = {k: np.zeros_like(v) for k, v in start.items()}
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
        snapshots: ``{iteration: params}``, the network saved at some iterations (2-H-1 nets as
            in :func:`xor_forward`).
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

