"""Figures for the course: loss curves, decision boundaries, digit grids, confusion matrices,
computational graphs and gradient-descent paths.

Every function draws with matplotlib only, returns the ``Figure`` and never calls ``plt.show()``
(a notebook shows the figure at the end of the cell; a script can ``fig.savefig(...)``). Functions
that take ``ax=`` draw into that Axes instead of making a new figure, and return its figure.

* :func:`plot_loss` - loss (and accuracy) per epoch from a History, a dict or a list.
* :func:`plot_decision_boundary` - the regions a 2-D classifier predicts, with the data on top.
* :func:`plot_digits` - a grid of 28x28 images with labels and predictions (wrong ones in red).
* :func:`plot_digit_probs` - one digit next to the probabilities a classifier gives it.
* :func:`plot_weight_images` - first-layer weights as 28x28 pictures (:func:`weight_images`).
* :func:`plot_confusion` - a confusion matrix with the count in every cell.
* :func:`draw_graph` - a :class:`~helpers.autograd.Value` graph, inputs first, one box per node
  (a long flat graph wraps into bands).
* :func:`plot_function_2d` / :func:`plot_gd_path` - contours of f(x, y) and a descent path on them.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from .autograd import Value, topological_order

__all__ = [
    "plot_loss",
    "plot_decision_boundary",
    "plot_digits",
    "plot_confusion",
    "draw_graph",
    "plot_function_2d",
    "plot_gd_path",
    "plot_digit_probs",
    "weight_images",
    "plot_weight_images",
]

_CLASS_COLORS = plt.get_cmap("tab10").colors


def _new_axes(ax, figsize):
    """(fig, ax): the given Axes and its figure, or a fresh figure with one Axes."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def _as_1d(values, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of numbers, but got shape "
                         f"{arr.shape}")
    return arr


# -- loss curves ----------------------------------------------------------------------------------
_CURVES = ("loss", "val_loss", "accuracy", "val_accuracy")


def _curves(history) -> dict[str, np.ndarray]:
    """The per-epoch curves found in a History-like object, a dict or a plain list of losses."""
    if isinstance(history, Mapping):
        found = {k: history[k] for k in _CURVES if k in history and history[k] is not None}
        if not found:
            raise ValueError(f"the dict has none of the keys {_CURVES}; got keys "
                             f"{sorted(map(str, history))}")
    elif any(hasattr(history, k) for k in _CURVES):
        found = {k: getattr(history, k) for k in _CURVES if getattr(history, k, None) is not None}
    elif isinstance(history, Sequence | np.ndarray) and not isinstance(history, str):
        found = {"loss": history}
    else:
        raise TypeError("plot_loss expects a History (attributes loss, accuracy, val_loss, "
                        "val_accuracy), a dict of lists or a list of losses, but got "
                        f"{type(history).__name__}")
    curves = {k: np.asarray(v, dtype=float) for k, v in found.items() if len(v)}
    for k, v in curves.items():
        if v.ndim != 1:
            raise ValueError(f"{k} must be a 1-D list of numbers (one per epoch), but got shape "
                             f"{v.shape}")
    if "loss" not in curves and "val_loss" not in curves:
        raise ValueError(f"no loss values to plot (got {sorted(curves) or 'only empty lists'})")
    return curves


def plot_loss(history, *, title: str = "Training", logy: bool = False, xlabel: str = "epoch",
              figsize: tuple[float, float] | None = None):
    """Plot the loss per epoch, and the accuracy next to it when there is one.

    Args:
        history: a ``History`` from ``helpers.network.train`` (lists ``loss``, ``accuracy`` and
            optionally ``val_loss``, ``val_accuracy``), a dict with those keys, or a list of
            losses (shape ``(epochs,)``).
        title: the figure title.
        logy: log scale for the loss axis (useful when the loss falls by orders of magnitude).
        xlabel: what one step on the x-axis is (``"epoch"``, ``"iteration"``...).

    Returns:
        matplotlib.figure.Figure: one Axes (loss) or two (loss, accuracy).

    Example:
        >>> fig = plot_loss({"loss": [1.0, 0.5, 0.3], "accuracy": [0.5, 0.8, 0.9]})
        >>> len(fig.axes)
        2
    """
    curves = _curves(history)
    has_acc = "accuracy" in curves or "val_accuracy" in curves
    ncols = 2 if has_acc else 1
    fig, axes = plt.subplots(1, ncols, figsize=figsize or (5.0 * ncols, 3.6), layout="constrained",
                             squeeze=False)
    panels = [("loss", axes[0, 0])] + ([("accuracy", axes[0, 1])] if has_acc else [])
    for what, ax in panels:
        for prefix, style, name in (("", "-", "training"), ("val_", "--", "validation")):
            key = prefix + what
            if key in curves:
                y = curves[key]
                epochs = np.arange(1, len(y) + 1)
                ax.plot(epochs, y, style, marker="o" if len(y) <= 30 else None, ms=3, label=name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(what)
        ax.set_title(what.capitalize())
        ax.grid(alpha=0.3)
        if len(ax.get_lines()) > 1:
            ax.legend()
    if logy:
        axes[0, 0].set_yscale("log")
    if has_acc:
        axes[0, 1].set_ylim(-0.02, 1.02)
    fig.suptitle(title)
    return fig


# -- decision boundary ----------------------------------------------------------------------------
def _check_points(X, y=None):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (two features per point), but got {X.shape}")
    if y is not None:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},) to match X, but got {y.shape}")
    return X, y


def plot_decision_boundary(predict_fn: Callable, X, y, ax=None, *, resolution: int = 200,
                           padding: float = 0.5, title: str = "Decision boundary",
                           figsize: tuple[float, float] = (5.0, 4.5), xlim=None, ylim=None):
    """Colour the plane by what ``predict_fn`` predicts and draw the points ``X`` on top.

    Args:
        predict_fn: maps an array of points, shape ``(M, 2)``, to class labels ``(M,)``,
            probabilities of class 1 ``(M,)`` or ``(M, 1)`` (drawn as a smooth map with the 0.5
            contour), or class scores ``(M, C)`` (argmax is taken).
        X: the data, shape ``(N, 2)``.
        y: integer labels, shape ``(N,)``.
        ax: an Axes to draw into (default: a new figure).
        resolution: grid points per axis; padding: margin around the data.
        xlim, ylim: ``(low, high)`` of each axis (default: the data's range plus ``padding``).

    Returns:
        matplotlib.figure.Figure; the filled map is ``ax.collections[0]`` (for a colour bar). The
        0.5 contour is drawn only where the probabilities cross 0.5.

    Example:
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]]); y = np.array([0, 1, 1, 0])
        >>> fig = plot_decision_boundary(lambda P: (P[:, 0] > 0.5) ^ (P[:, 1] > 0.5), X, y)
    """
    X, y = _check_points(X, y)
    if not callable(predict_fn):
        raise TypeError(f"predict_fn must be a function of an (M, 2) array, but got "
                        f"{type(predict_fn).__name__}")
    (x0, y0), (x1, y1) = X.min(axis=0) - padding, X.max(axis=0) + padding
    if xlim is not None:
        x0, x1 = _check_lim(xlim, "xlim")
    if ylim is not None:
        y0, y1 = _check_lim(ylim, "ylim")
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    out = np.asarray(predict_fn(grid))
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.shape[0] != len(grid) or out.ndim > 2:
        raise ValueError(f"predict_fn returned shape {out.shape} for {len(grid)} points; expected "
                         f"({len(grid)},) labels/probabilities or ({len(grid)}, C) scores")
    if out.ndim == 2:
        out = out.argmax(axis=1)
    fig, ax = _new_axes(ax, figsize)
    classes = np.unique(np.concatenate([np.unique(y), np.unique(out)])).astype(int) \
        if np.issubdtype(out.dtype, np.integer) or out.dtype == bool else None
    if classes is None:  # probabilities of class 1
        cmap = ListedColormap(plt.get_cmap("RdBu_r")(np.linspace(0.15, 0.85, 256)))
        ax.contourf(gx, gy, out.reshape(gx.shape), levels=np.linspace(0, 1, 21), cmap=cmap,
                    alpha=0.6, extend="both")
        if out.min() < 0.5 < out.max():  # else there is no boundary (and contour would warn)
            ax.contour(gx, gy, out.reshape(gx.shape), levels=[0.5], colors="k", linewidths=1.5)
        colors = [plt.get_cmap("RdBu_r")(0.1), plt.get_cmap("RdBu_r")(0.9)]
        point_classes = np.unique(y).astype(int)
    else:
        k = int(classes.max()) + 1
        cmap = ListedColormap([_CLASS_COLORS[i % 10] for i in range(k)])
        ax.contourf(gx, gy, out.reshape(gx.shape).astype(float), levels=np.arange(k + 1) - 0.5,
                    cmap=cmap, alpha=0.3)
        colors = [_CLASS_COLORS[i % 10] for i in range(k)]
        point_classes = np.unique(y).astype(int)
    for c in point_classes:
        sel = y == c
        ax.scatter(X[sel, 0], X[sel, 1], s=25, color=colors[c % len(colors)], edgecolor="k",
                   linewidth=0.6, label=f"class {c}")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    return fig


# -- digits ---------------------------------------------------------------------------------------
def plot_digits(X, y=None, pred=None, *, n: int = 16, ncols: int = 8, title: str | None = None):
    """A grid of the first ``n`` digits; titles show the label and prediction (red if wrong).

    Args:
        X: images as rows of 784 pixels, shape ``(N, 784)`` (or ``(N, 28, 28)``).
        y: true labels ``(N,)`` (optional); pred: predicted labels ``(N,)`` (optional).
        n: how many images (at most N); ncols: images per row.

    Returns:
        matplotlib.figure.Figure with one Axes (and one image) per digit.

    Example:
        >>> fig = plot_digits(np.zeros((4, 784)), y=[0, 1, 2, 3], n=4, ncols=4)
        >>> len(fig.axes)
        4
    """
    X = np.asarray(X)
    if X.ndim == 2 and X.shape[1] == 784:
        images = X.reshape(-1, 28, 28)
    elif X.ndim == 3 and X.shape[1:] == (28, 28):
        images = X
    else:
        raise ValueError(f"X must have shape (N, 784) or (N, 28, 28), but got {X.shape}")
    for name, v in (("n", n), ("ncols", ncols)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"{name} must be a positive int, but got {v!r}")
    n = min(int(n), len(images))
    if n == 0:
        raise ValueError("X holds no images")
    labels = {}
    for name, v in (("y", y), ("pred", pred)):
        if v is not None:
            v = np.asarray(v).reshape(-1)
            if len(v) < n:
                raise ValueError(f"{name} has {len(v)} labels, but {n} images are drawn")
            labels[name] = v
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.25 * ncols, 1.45 * nrows + 0.3),
                             squeeze=False, layout="constrained")
    for i, ax in enumerate(axes.ravel()):
        if i >= n:
            fig.delaxes(ax)
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=max(1.0, float(images[i].max())))
        ax.set_xticks([])
        ax.set_yticks([])
        parts, color = [], "black"
        if "y" in labels:
            parts.append(f"label {labels['y'][i]}")
        if "pred" in labels:
            parts.append(f"pred {labels['pred'][i]}")
            if "y" in labels and labels["pred"][i] != labels["y"][i]:
                color = "red"
        if parts:
            ax.set_title("\n".join(parts), fontsize=8, color=color)
    if title:
        fig.suptitle(title)
    return fig


# -- a digit's probabilities, first-layer weights as images --------------------------------------
def plot_digit_probs(view: Mapping, fig=None):
    """One digit and what a classifier thinks of it: the image on the left, the probabilities as
    bars on the right. The true class's bar and tick label are green, a wrong prediction's red.

    Args:
        view: a mapping (what :func:`helpers.widgets.digit_view` returns) with ``image`` (28, 28),
            ``true`` and ``pred`` (class indices), ``probs`` (C,) and ``index`` (the sample's
            number, shown in the title).
        fig: a Figure to draw into (default: a new 7 x 2.6 inch one).

    Returns:
        matplotlib.figure.Figure with two Axes: the image and the bars.

    Example:
        >>> view = {"image": np.zeros((28, 28)), "true": 3, "pred": 5, "index": 0,
        ...         "probs": np.full(10, 0.1)}
        >>> len(plot_digit_probs(view).axes)
        2
    """
    missing = sorted({"image", "true", "pred", "probs", "index"} - set(view))
    if missing:
        raise ValueError(f"view must have the keys image, true, pred, probs, index; "
                         f"missing {missing}")
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
    """A grid of first-layer weight images (red positive, blue negative), one per hidden unit.

    Args:
        W: first-layer weights ``(784, M)``; units: which columns (default: all).
        ncols: images per row; titles: one per image (default ``"unit j"``).

    Returns:
        matplotlib.figure.Figure with one image per unit (empty grid cells switched off).

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


# -- confusion matrix -----------------------------------------------------------------------------
def plot_confusion(y_true, y_pred, num_classes: int = 10, ax=None, *, title: str | None = None,
                   figsize: tuple[float, float] = (5.5, 5.0)):
    """A confusion matrix: row = true class, column = predicted class, the count in each cell.

    Args:
        y_true, y_pred: integer labels in ``[0, num_classes)``, shape ``(N,)`` each.
        num_classes: number of classes (rows and columns).

    Returns:
        matplotlib.figure.Figure; the title gives the accuracy.

    Example:
        >>> fig = plot_confusion([0, 1, 1], [0, 1, 0], num_classes=2)
        >>> sorted(t.get_text() for t in fig.axes[0].texts)
        ['0', '1', '1', '1']
    """
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and of the same length, but got "
                         f"shapes {y_true.shape} and {y_pred.shape}")
    for name, v in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(v.dtype, np.integer):
            if not (np.issubdtype(v.dtype, np.floating) and np.all(v == np.round(v))):
                raise ValueError(f"{name} must hold integer class labels, but got dtype {v.dtype}"
                                 " (for scores or one-hot rows take .argmax(axis=1) first)")
        if v.min() < 0 or v.max() >= num_classes:
            raise ValueError(f"{name} must hold labels in [0, {num_classes}), but got values from "
                             f"{v.min()} to {v.max()}")
    y_true, y_pred = y_true.astype(int), y_pred.astype(int)
    counts = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    fig, ax = _new_axes(ax, figsize)
    im = ax.imshow(counts, cmap="Blues")
    threshold = counts.max() / 2
    fontsize = 9 if num_classes <= 10 else 6
    for i in range(num_classes):
        for j in range(num_classes):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=fontsize,
                    color="white" if counts[i, j] > threshold else "black")
    ticks = np.arange(num_classes)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(counts) / counts.sum()
    ax.set_title(title or f"Confusion matrix (accuracy {accuracy:.1%})")
    fig.colorbar(im, ax=ax, shrink=0.8, label="count")
    return fig


# -- computational graph --------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:.4g}" if abs(x) < 1e5 else f"{x:.3e}"


def _graph_columns(order: list[Value]) -> list[list[Value]]:
    """Nodes in columns: a computed node one right of its deepest input, a leaf just left of its
    first user; within a column, sorted by the mean row of the neighbours (fewer crossings)."""
    col: dict[int, int] = {}
    children: dict[int, list[Value]] = {id(n): [] for n in order}
    for node in order:  # inputs come first, so their column is known
        col[id(node)] = 1 + max((col[id(p)] for p in node.parents), default=-1)
        for p in node.parents:
            children[id(p)].append(node)
    for node in order:
        if not node.parents and children[id(node)]:
            col[id(node)] = min(col[id(c)] for c in children[id(node)]) - 1
    shift = min(col.values())
    columns: list[list[Value]] = [[] for _ in range(max(col.values()) - shift + 1)]
    for node in order:
        columns[col[id(node)] - shift].append(node)
    row = {id(n): float(i) for c in columns for i, n in enumerate(c)}
    for _ in range(4):  # barycentre sweeps: left to right by inputs, right to left by users
        for sweep, neighbours in ((columns, lambda n: n.parents),
                                  (columns[::-1], lambda n: children[id(n)])):
            for c in sweep:
                c.sort(key=lambda n: np.mean([row[id(m)] for m in neighbours(n)])
                       if neighbours(n) else row[id(n)])
                offset = (len(c) - 1) / 2
                for i, n in enumerate(c):
                    row[id(n)] = i - offset
    return columns


def draw_graph(root: Value, *, max_nodes: int = 80, title: str | None = None, show_grad=True,
               max_width: float | None = 9.5):
    """Draw the graph below ``root``: inputs first, ``root`` last, one box per node.

    Each node is a box with its label and op, ``data`` and ``grad``; an arrow goes from each input
    to the node made from it. A node's column is its depth (the longest path from a leaf). Text is
    drawn at 10.5 pt and the figure is sized from the boxes (one data unit is one inch), so that
    it stays readable in a notebook. A long, flat graph (at most four boxes in any column) with more
    columns than fit in ``max_width`` inches is wrapped into bands that snake down the page (the
    first band left to right, the next right to left, ...); an arrow from the end of one band
    turns down into the next. Readable up to about 30 nodes.

    Args:
        root: the output ``Value``.
        max_nodes: refuse bigger graphs (they would be unreadable).
        title: the figure title; show_grad: write the ``grad`` line in each box.
        max_width: the widest figure, in inches, before a flat graph wraps into a new band (about
            the width of a notebook cell at 100 dpi); ``None`` keeps every column in one row.

    Returns:
        matplotlib.figure.Figure with one boxed text per node and one arrow per edge.

    Example:
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> L = a * b; L.label = "L"; L.backward()
        >>> fig = draw_graph(L)
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph expects a Value (the output of a computation), but got "
                        f"{type(root).__name__}")
    if max_width is not None and not max_width > 0:
        raise ValueError(f"max_width must be a positive number of inches or None, "
                         f"got {max_width!r}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(f"the graph has {len(order)} nodes, more than max_nodes={max_nodes}; "
                         "draw a smaller example (or raise max_nodes)")
    columns = _graph_columns(order)
    ncols = len(columns)
    column = {id(node): c for c, col in enumerate(columns) for node in col}
    height = max(len(c) for c in columns)
    texts = {}
    for node in order:
        head = (f"{node.label} ({node.op})" if node.label else node.op) if node.op \
            else (node.label or "input")
        lines = [head, f"data {_fmt(node.data)}"]
        if show_grad:
            lines.append(f"grad {_fmt(node.grad)}")
        texts[id(node)] = "\n".join(lines)
    # Sizes in inches, from the text: a monospace glyph is 0.6 em wide, a line 1.2 em high.
    fontsize, pad = 10.5, 0.35
    nchar = max(len(line) for t in texts.values() for line in t.split("\n"))
    nline = 3 if show_grad else 2
    box_w = (0.61 * nchar + 2 * pad) * fontsize / 72
    box_h = (1.2 * nline + 2 * pad) * fontsize / 72
    dx, dy, margin, band_gap = box_w + 0.55, box_h + 0.3, 0.45, 0.55
    per_band = ncols
    if max_width is not None and height <= 4 and ncols * dx + 2 * margin > max_width:
        fit = max(1, int((max_width - 2 * margin) // dx))      # columns that fit in max_width
        per_band = -(-ncols // -(-ncols // fit))                # as many in every band
    nbands = -(-ncols // per_band)
    band_h = height * dy
    title_h = 0.45 if title else 0.0
    width = per_band * dx + 2 * margin
    if title:  # room for the title: about 0.55 em per character at 12 pt
        width = max(width, 0.55 * 12 / 72 * len(title) + 0.4)
    graph_h = nbands * band_h + (nbands - 1) * band_gap + 0.3
    fig = plt.figure(figsize=(width, graph_h + title_h))
    ax = fig.add_axes((0.0, 0.0, 1.0, graph_h / (graph_h + title_h)))
    x0 = (width - per_band * dx) / 2        # centre the bands in the figure

    def place(node):
        c = column[id(node)]
        band, k = divmod(c, per_band)
        kx = k if band % 2 == 0 else per_band - 1 - k   # odd bands run right to left
        col = [id(n) for n in columns[c]]
        row = col.index(id(node)) - (len(col) - 1) / 2 + (height - 1) / 2
        return x0 + (kx + 0.5) * dx, -(0.15 + band * (band_h + band_gap) + (row + 0.5) * dy)

    pos = {id(node): place(node) for node in order}
    band_of = {id(node): column[id(node)] // per_band for node in order}
    boxes = {}
    for node in order:
        leaf = not node.parents
        boxes[id(node)] = ax.text(
            *pos[id(node)], texts[id(node)], ha="center", va="center",
            fontsize=fontsize, family="monospace", zorder=3,
            bbox=dict(boxstyle=f"round,pad={pad}", fc="#e8f0fe" if leaf else "#fff4e0",
                      ec="#3367d6" if leaf else "#e37400", lw=1.2),
            gid=f"node-{id(node)}",
        )
    # arrows into the next band go round the end of the row, fanned out so they do not cross:
    # the higher the source, the wider the turn
    crossing = [(p, node) for node in order for p in node.parents
                if band_of[id(p)] != band_of[id(node)]]
    turn = {}
    for p, node in crossing:
        below = {id(q) for q, _ in crossing
                 if band_of[id(q)] == band_of[id(p)] and pos[id(q)][1] < pos[id(p)][1]}
        turn[(id(p), id(node))] = box_w / 2 + 0.2 + 0.12 * (len(below) % 4)
    for node in order:
        for i, p in enumerate(node.parents):
            if (id(p), id(node)) in turn:           # into the next band
                (xa, ya), (xb, yb) = pos[id(p)], pos[id(node)]
                side = 1 if band_of[id(p)] % 2 == 0 else -1  # right end, or left end
                dist = max(float(np.hypot(xb - xa, yb - ya)), 1e-9)
                style = f"bar,fraction={-side * turn[(id(p), id(node))] / dist:.4f}"
            elif node.parents.count(p) > 1:         # x * x: two arrows, bent apart
                style = f"arc3,rad={0.3 if i == 0 else -0.3}"
            elif column[id(node)] - column[id(p)] > 1:  # skips a column: bend around its boxes
                style = "arc3,rad=-0.3"
            else:
                style = "arc3,rad=0.0"
            # drawn after the boxes (zorder 4): a box's outline is placed when the box is drawn,
            # and the arrow is clipped to it, so it must not be drawn first
            ax.annotate("", xy=(0.5, 0.5), xycoords=boxes[id(node)], xytext=(0.5, 0.5),
                        textcoords=boxes[id(p)],
                        arrowprops=dict(arrowstyle="-|>", color="#555555", lw=1.0, shrinkA=0,
                                        shrinkB=0, patchA=boxes[id(p)].get_bbox_patch(),
                                        patchB=boxes[id(node)].get_bbox_patch(),
                                        connectionstyle=style),
                        zorder=4)
    ax.set_xlim(0, width)                  # one data unit is one inch
    ax.set_ylim(-graph_h, 0)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=12)
    return fig


# -- functions of two variables and gradient descent ----------------------------------------------
def _evaluate_on_grid(f: Callable, gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """f on a meshgrid: vectorised if f accepts arrays, else point by point."""
    try:
        z = np.asarray(f(gx, gy), dtype=float)
        if z.shape == gx.shape:
            return z
    except (TypeError, ValueError):
        pass
    try:
        z = np.array([float(f(a, b)) for a, b in zip(gx.ravel(), gy.ravel())])
    except Exception as exc:
        raise TypeError(f"f must be a function f(x, y) of two numbers (or two arrays) returning a "
                        f"number; calling it failed with {type(exc).__name__}: {exc}") from exc
    return z.reshape(gx.shape)


def _check_lim(lim, name):
    lim = tuple(np.asarray(lim, dtype=float).reshape(-1))
    if len(lim) != 2 or not lim[0] < lim[1]:
        raise ValueError(f"{name} must be (low, high) with low < high, but got {lim}")
    return lim


def plot_function_2d(f: Callable, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), ax=None, *,
                     levels: int = 30, resolution: int = 200, title: str | None = None,
                     filled: bool = True, figsize: tuple[float, float] = (5.5, 4.5)):
    """Contour plot of ``f(x, y)`` on the rectangle ``xlim`` x ``ylim``.

    Args:
        f: a function of two numbers; if it accepts arrays (numpy expressions do) the grid is
            evaluated at once, else point by point.
        xlim, ylim: ``(low, high)`` of each axis.
        levels: number of contour levels; resolution: grid points per axis.
        filled: filled contours with a colour bar, or only lines.

    Returns:
        matplotlib.figure.Figure

    Example:
        >>> fig = plot_function_2d(lambda x, y: -(np.cos(x)**2 + np.cos(y)**2)**2, (-3, 3), (-3, 3))
    """
    if not callable(f):
        raise TypeError(f"f must be a function f(x, y), but got {type(f).__name__}")
    xlim, ylim = _check_lim(xlim, "xlim"), _check_lim(ylim, "ylim")
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    z = _evaluate_on_grid(f, gx, gy)
    fig, ax = _new_axes(ax, figsize)
    if filled:
        cs = ax.contourf(gx, gy, z, levels=levels, cmap="viridis")
        ax.contour(gx, gy, z, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
        fig.colorbar(cs, ax=ax, label="f(x, y)")
    else:
        cs = ax.contour(gx, gy, z, levels=levels, cmap="viridis")
        ax.clabel(cs, fontsize=7, fmt="%.2g")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title or "f(x, y)")
    ax.set_aspect("equal" if 0.2 < (ylim[1] - ylim[0]) / (xlim[1] - xlim[0]) < 5 else "auto")
    return fig


def _as_paths(path) -> list[np.ndarray]:
    """One path ``(K, 2)`` or several (a list of ``(K_i, 2)``) as a list of float arrays."""
    try:
        arr = np.asarray(path, dtype=float)
        paths = [arr] if arr.ndim != 3 else list(arr)
    except ValueError:  # paths of different lengths
        paths = [np.asarray(p, dtype=float) for p in path]
    for k, p in enumerate(paths):
        which = "path" if len(paths) == 1 else f"path {k}"
        if p.ndim != 2 or p.shape[1] != 2 or len(p) == 0:
            raise ValueError(f"{which} must have shape (K, 2) (one row per iterate), but got "
                             f"{p.shape}")
        if not np.all(np.isfinite(p)):
            bad = int(np.argmin(np.all(np.isfinite(p), axis=1)))
            raise ValueError(f"{which} has a non-finite iterate at step {bad} ({p[bad]}): did "
                             "gradient descent diverge? try a smaller learning rate")
    return paths


_PATH_COLORS = ("#ff7f0e", "#ffffff", "#e7298a", "#17becf", "#d62728")


def plot_gd_path(f: Callable, path, xlim=None, ylim=None, ax=None, *, title: str | None = None,
                 levels: int = 30, figsize: tuple[float, float] = (5.5, 4.5), labels=None):
    """The iterates of gradient descent drawn on the contours of ``f``.

    Args:
        f: the function being minimised, ``f(x, y)`` (see :func:`plot_function_2d`).
        path: the iterates, shape ``(K, 2)`` (first row = starting point); or several runs, a list
            of ``(K_i, 2)`` arrays, each drawn in its own colour.
        xlim, ylim: the rectangle to show (default: the paths with a margin).
        labels: one legend entry per path (default "run k"). Given labels, or several paths, draw
            each path in its own colour with its label in a legend at the upper left.

    Returns:
        matplotlib.figure.Figure: contours, each path as a line with markers, start (square) and
        end (star) marked. One path without ``labels``: white, lines labelled "iterates",
        "start", "end", the legend below the plot.

    Example:
        >>> f = lambda x, y: x**2 + 10 * y**2
        >>> p = [np.array([2.0, 1.0])]
        >>> for _ in range(10): p.append(p[-1] - 0.09 * np.array([2 * p[-1][0], 20 * p[-1][1]]))
        >>> fig = plot_gd_path(f, np.array(p))
        >>> fig = plot_gd_path(f, [np.array(p), np.array(p[:3])], labels=["10 steps", "2 steps"])
    """
    paths = _as_paths(path)
    as_runs = len(paths) > 1 or labels is not None   # coloured runs, each with its legend entry
    if labels is None:
        labels = [f"run {k}" for k in range(len(paths))] if as_runs else ["iterates"]
    labels = [str(label) for label in labels]
    if len(labels) != len(paths):
        raise ValueError(f"labels must have one entry per path ({len(paths)}), got {len(labels)}")
    every = np.vstack(paths)
    lo, hi = every.min(axis=0), every.max(axis=0)
    margin = np.maximum(0.25 * (hi - lo), 0.5)
    xlim = _check_lim(xlim, "xlim") if xlim is not None else (lo[0] - margin[0], hi[0] + margin[0])
    ylim = _check_lim(ylim, "ylim") if ylim is not None else (lo[1] - margin[1], hi[1] + margin[1])
    default_title = f"Gradient descent: {len(paths[0]) - 1} steps" if len(paths) == 1 \
        else f"Gradient descent: {len(paths)} runs"
    fig = plot_function_2d(f, xlim, ylim, ax=ax, levels=levels, filled=True, figsize=figsize,
                           title=title or default_title)
    ax = ax or fig.axes[0]
    if not as_runs:
        p = paths[0]
        ax.plot(p[:, 0], p[:, 1], "-o", color="white", mec="black", ms=3.5, lw=1.3,
                label=labels[0])
        ax.plot(*p[0], "s", color="tab:orange", mec="black", ms=8, label="start")
        ax.plot(*p[-1], "*", color="tab:red", mec="black", ms=13, label="end")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize="small",
                  frameon=False)
    else:
        for k, (p, label) in enumerate(zip(paths, labels)):
            color = _PATH_COLORS[k % len(_PATH_COLORS)]
            ax.plot(p[:, 0], p[:, 1], "-o", color=color, ms=3, lw=1.2, label=label)
            ax.plot(*p[0], "s", color=color, ms=8, mec="black", label="_start")
            ax.plot(*p[-1], "*", color=color, ms=14, mec="black", label="_end")
        ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    ax.set_xlim(*xlim)   # a path that leaves the rectangle does not widen it
    ax.set_ylim(*ylim)
    return fig
