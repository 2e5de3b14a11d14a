"""What an MNIST classifier learned and where it fails (lecture 4): a browser of the misclassified
digits (most confidently wrong first, with the predicted probabilities) and a viewer of the
first-layer weights as 28 × 28 images.

Images are rows ``X (N, 784)``, probabilities ``(N, C)``, first-layer weights ``W (784, M)``
(``Z = X @ W + b``): column ``j`` of ``W`` is hidden unit ``j``'s picture. The pictures are drawn
by ``helpers.plots`` (:func:`~helpers.plots.plot_digit_probs`,
:func:`~helpers.plots.plot_weight_images`, :func:`~helpers.plots.plot_digits`); their names are
available here too.
"""

from __future__ import annotations

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np

from ..plots import plot_digit_probs, plot_digits, plot_weight_images, weight_images

# plot_digit_probs, weight_images and plot_weight_images live in helpers.plots; named here too,
# as the lectures call them through ``widgets``
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
        if X is not None:
            box.top = np.argsort(-(np.asarray(X) @ W[:, j]), kind="stable")[:8]
        with out:
            out.clear_output(wait=True)
            plot_weight_images(show, units=[j], ncols=1, titles=[f"weights of unit {j}"])
            if X is not None:
                plot_digits(np.asarray(X)[box.top], n=len(box.top), ncols=8,
                            title=f"the inputs that excite unit {j} most: "
                                  + ", ".join(f"#{i}" for i in box.top))
            plt.show()

    slider.observe(render, names="value")
    box.render = render
    render()
    return box


