"""Gradient checks of the MNIST MLP (784-128-64-10, ReLU, softmax + CE, batch 16, float64).

Rows (medians of the repeats):
- ``backward``: one forward + backward pass for the analytic gradient: the baseline.
- ``full``: central differences on every one of the ~109k weights, extrapolated from the time of
  ``k`` coordinates (running it whole takes ~20 s here; the "tiny" size times it on a smaller net).
- ``sparse (k=20)`` and ``directional (k=1)``: what the lectures and the grader use.
``ratio`` = full-check seconds / this row's seconds (how much faster than the full check).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from helpers.gradcheck import check_gradient
from helpers.layers import SoftmaxCrossEntropy
from helpers.network import mlp


def _median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _row(variant, seconds, baseline=None, ratio=None, note=""):
    return {"benchmark": "gradcheck", "variant": variant, "seconds": seconds,
            "baseline": baseline, "ratio": ratio, "note": note}


def run(size: str) -> list[dict]:
    sizes = [784, 128, 64, 10] if size == "full" else [20, 8, 6, 3]
    repeats = 7 if size == "full" else 2
    rng = np.random.default_rng(0)
    net = mlp(sizes, rng=1, dtype=np.float64)
    loss = SoftmaxCrossEntropy()
    X = rng.random((16, sizes[0]))
    y = rng.integers(0, sizes[-1], 16)
    W = dict((name, p) for name, p, _ in net.parameters())["0.W"]

    def f(_W):
        return loss.forward(net.forward(X), y)

    def analytic():
        f(W)
        net.backward(loss.backward())
        return dict((name, g) for name, _, g in net.parameters())["0.W"].copy()

    grad = analytic()
    n_params = sum(p.size for _, p, _ in net.parameters())
    t_backward = _median_seconds(analytic, repeats)
    rows = [_row("backward", t_backward, note=f"{n_params} parameters, batch 16")]

    # Full check: time k coordinates of the first weight matrix and extrapolate to all parameters.
    k = 50 if size == "full" else W.size
    t_k = _median_seconds(lambda: check_gradient(f, W, grad, mode="sparse", k=k), repeats)
    t_full = t_k / k * n_params
    rows.append(_row("full", t_full, note=f"extrapolated from {k} coordinates to {n_params}"))
    for variant, kwargs in (("sparse (k=20)", {"mode": "sparse", "k": 20}),
                            ("directional (k=1)", {"mode": "directional", "k": 1})):
        report = check_gradient(f, W, grad, **kwargs)
        assert report.passed, f"the benchmark's own gradient failed a {variant} check: {report}"
        seconds = _median_seconds(lambda kw=kwargs: check_gradient(f, W, grad, **kw), repeats)
        rows.append(_row(variant, seconds, "full", t_full / seconds,
                         f"{seconds * 1e3:.1f} ms; ratio = full / this"))
    return rows
