"""Gradient descent on a function of two variables (lecture 1): the update rule, its path on the
contours, and an explorer with sliders for the learning rate and the start point.

The running example is Alberta's f(x, y) = −(cos²x + cos²y)² (:func:`cos_bowl`); any f with its
gradient can be passed instead. Paths are drawn with :func:`helpers.plots.plot_gd_path`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np

from ..plots import plot_gd_path

__all__ = ["cos_bowl", "cos_bowl_grad", "GDResult", "gradient_descent", "plot_gd_paths",
           "gd_explorer"]


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

    Drawn by :func:`helpers.plots.plot_gd_path`, one colour per run, labelled with its learning
    rate and number of steps.

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
        _, ax = plt.subplots(figsize=(5.5, 5))
    plot_gd_path(f, [r.path for r in results], (-extent, extent), (-extent, extent), ax=ax,
                 levels=16, labels=[f"lr = {r.lr:.3g} ({r.steps} steps)" for r in results],
                 title=title if title is not None else r"$f(x,y) = -(\cos^2 x + \cos^2 y)^2$")
    ax.set_aspect("equal")
    return ax.figure


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

