"""What an MNIST classifier learned and where it fails (lecture 4): a browser of the misclassified
digits (most confidently wrong first, with the predicted probabilities) and a viewer of the
first-layer weights as 28 × 28 images.

Images are rows ``X (N, 784)``, probabilities ``(N, C)``, first-layer weights ``W (784, M)``
(``Z = X @ W + b``): column ``j`` of ``W`` is hidden unit ``j``'s picture.
"""

from __future__ import annotations

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["misclassified_indices", "digit_view", "plot_digit_probs", "misclassified_browser",
           "weight_images", "plot_weight_images", "weights_browser"]


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


