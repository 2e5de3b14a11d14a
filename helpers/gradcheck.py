"""Gradient checking: central finite differences, relative error, and a diagnosis of mistakes.

The idea of the whole module in one line: the derivative of a scalar function ``f`` along a
coordinate (or a direction) ``v`` is approximately ``(f(x + eps v) - f(x - eps v)) / (2 eps)``,
so a hand-written gradient can be compared with it entry by entry.

* :func:`numerical_gradient` - central differences of ``f`` with respect to every entry of ``x``.
* :func:`rel_error` - ``|a - b| / max(floor, |a| + |b|)``, 0 where both are (nearly) exactly zero.
* :func:`check_gradient` - full, sparse (``k`` random coordinates) or directional (``k`` random unit
  directions, two evaluations each) checks that return a :class:`GradCheckReport`.
* :func:`diagnose` - compares an analytic gradient with the numerical one and names the usual
  mistake (wrong sign, factor 2 or 1/2, transposed, batch size, bias not summed, activation
  derivative missing, all zeros) in a sentence a student can act on.

Everything works in float64: in float32 a central difference has a relative error of 0.1 to 1, so
arrays of any other dtype are refused with a message saying how to convert them.
This module imports nothing of ours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "numerical_gradient",
    "rel_error",
    "check_gradient",
    "diagnose",
    "GradCheckReport",
    "Diagnosis",
]

# Roundoff of a central difference is about (machine epsilon * |f|) / eps; this is the safety factor
# on that estimate (a loss is a sum of many terms, each rounding on its own).
_NOISE_FACTOR = 32.0
_MODES = ("full", "sparse", "directional")


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def _as_scalar(value, what: str = "f(x)") -> float:
    """Turn what ``f`` returned into a float, or explain why it cannot be a loss."""
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(
            f"{what} must return a single number (the loss), but it returned an array of shape "
            f"{arr.shape}; reduce it, e.g. with .sum() or .mean()"
        )
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{what} must return a real number, but it returned {arr.dtype} {value!r}")
    return float(arr.reshape(()))


def _check_array(x: np.ndarray, name: str = "x") -> None:
    """Refuse arrays that finite differences cannot perturb meaningfully in place."""
    if x.dtype != np.float64:
        if x.dtype == np.float32 or x.dtype == np.float16:
            hint = (
                f"finite differences in {x.dtype} are useless (relative errors of 0.1 to 1); "
                "run the check on float64 copies of the parameters and data, "
                f"e.g. {name} = {name}.astype(np.float64) before building f"
            )
        else:
            hint = (
                f"it cannot be perturbed by a small step; use a float64 array, "
                f"e.g. {name} = {name}.astype(np.float64) before building f"
            )
        raise TypeError(f"{name} must be a float64 array, but it has dtype {x.dtype}: {hint}")
    if not x.flags.writeable:
        raise ValueError(f"{name} must be writeable: it is perturbed in place and then restored")


def _noise_floor(eps: float, *f_values: float | np.ndarray) -> float:
    """Absolute roundoff expected in a central difference with step ``eps``."""
    scale = max((float(np.max(np.abs(v))) for v in f_values), default=1.0)
    return _NOISE_FACTOR * np.finfo(np.float64).eps * max(scale, 1e-300) / eps


def _one_sided_pairs(f, x: np.ndarray, indices: Sequence[tuple], eps: float):
    """``f(x + eps e_i)`` and ``f(x - eps e_i)`` for each index; ``x`` is restored exactly."""
    plus = np.empty(len(indices))
    minus = np.empty(len(indices))
    for n, idx in enumerate(indices):
        old = x[idx].copy()  # a 0-d copy, so restoring is bit-for-bit exact
        try:
            x[idx] = old + eps
            plus[n] = _as_scalar(f(x))
            x[idx] = old - eps
            minus[n] = _as_scalar(f(x))
        finally:
            x[idx] = old
    return plus, minus


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------
def numerical_gradient(f: Callable, x, eps: float = 1e-6):
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    Args:
        f: callable taking ``x`` and returning a number (a float or a size-1 array).
        x: float64 array of any shape ``S`` (perturbed **in place**, one entry at a time, and
           restored exactly even if ``f`` raises), or a Python/numpy float.
        eps: step size; 1e-5 to 1e-6 is right for float64.

    Returns:
        An array of shape ``S`` (float64) with ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``,
        or a float when ``x`` is a float.

    Example:
        >>> W = np.array([[1.0, 2.0], [3.0, 4.0]])
        >>> g = numerical_gradient(lambda W: (W ** 2).sum(), W)
        >>> np.allclose(g, 2 * W)
        True
    """
    if eps <= 0:
        raise ValueError(f"eps must be positive, got {eps}")
    if isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool):
        x = float(x)
        return (_as_scalar(f(x + eps)) - _as_scalar(f(x - eps))) / (2 * eps)
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"x must be a float64 numpy array (perturbed in place) or a float, got "
            f"{type(x).__name__}; build f around an array and pass that same array"
        )
    _check_array(x)
    indices = list(np.ndindex(x.shape))
    plus, minus = _one_sided_pairs(f, x, indices, eps)
    return ((plus - minus) / (2 * eps)).reshape(x.shape)


def rel_error(a, b, floor: float = 1e-8) -> np.ndarray:
    """Entrywise relative error ``|a - b| / max(floor, |a| + |b|)``.

    Entries where both ``|a|`` and ``|b|`` are below ``floor`` count as equal (error 0): an exactly
    zero gradient (a dead ReLU) against a numerical ``1e-11`` is not an error.

    Args:
        a, b: arrays of the same shape (or numbers).
        floor: absolute scale below which values count as zero.

    Returns:
        float64 array of the common shape, values in ``[0, 1]``.

    Example:
        >>> rel_error(np.array([1.0, 0.0, -1.0]), np.array([1.0, 0.0, 1.0]))
        array([0., 0., 1.])
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"rel_error needs two arrays of the same shape, got {a.shape} and {b.shape}"
        )
    err = np.abs(a - b) / np.maximum(floor, np.abs(a) + np.abs(b))
    both_tiny = (np.abs(a) < floor) & (np.abs(b) < floor)
    return np.where(both_tiny, 0.0, err)


@dataclass(frozen=True)
class Diagnosis:
    """A named gradient mistake.

    Attributes:
        kind: one of ``"sign"``, ``"factor_2"``, ``"factor_half"``, ``"batch_scale"``, ``"scale"``,
            ``"transposed"``, ``"bias_not_summed"``, ``"missing_activation_derivative"``,
            ``"all_zero"``, ``"shape"``, ``"not_finite"``.
        message: a sentence a student can act on.
        fraction: share of the informative entries that the named mistake explains (0 to 1).
    """

    kind: str
    message: str
    fraction: float = 1.0

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class GradCheckReport:
    """Result of :func:`check_gradient`.

    Attributes:
        passed: True when every checked entry (or direction) agrees within ``tol``.
        worst_error: largest relative error found (``inf`` for a shape mismatch).
        where: index of the worst entry (a tuple) in full and sparse mode; ``None`` in directional
            mode, for a float ``x``, or when nothing was compared.
        mode: ``"full"``, ``"sparse"`` or ``"directional"``.
        checked: number of coordinates or directions compared.
        message: what happened, in a sentence or two (includes the diagnosis if there is one).
        diagnosis: a :class:`Diagnosis` when the check failed and the mistake could be named.
        kinks: entries (or directions) judged by one-sided differences because a kink, such as
            ReLU at 0, lay within ``eps`` of ``x``.
    """

    passed: bool
    worst_error: float
    where: tuple | None
    mode: str
    checked: int
    message: str
    diagnosis: Diagnosis | None = None
    kinks: int = 0

    def __str__(self) -> str:
        status = "passed" if self.passed else "FAILED"
        what = "directions" if self.mode == "directional" else "entries"
        at = f" at {self.where}" if self.where is not None else ""
        line = (
            f"gradient check ({self.mode}, {self.checked} {what}): {status}, "
            f"worst relative error {self.worst_error:.2e}{at}"
        )
        if not self.passed and self.diagnosis is not None:
            line += f"; {self.diagnosis.message}"
        return line


def _entry_errors(analytic, numerical, atol: float, tol: float) -> np.ndarray:
    """Relative error whose denominator never drops below ``atol / tol``.

    So an entry passes (error <= tol) when ``|a - n| <= max(tol * (|a| + |n|), atol)``: small
    gradients are judged against the roundoff ``atol`` of the finite difference, large ones
    relatively.
    """
    denom = np.maximum(np.abs(analytic) + np.abs(numerical), atol / tol)
    return np.abs(analytic - numerical) / denom


def _kink_excused(analytic, f0, plus, minus, eps) -> np.ndarray:
    """Entries where ``x`` is within ``eps`` of a kink and the analytic value is right.

    Near a kink (ReLU at 0) the two one-sided differences disagree, and the central difference
    averages two slopes. A correct analytic gradient then equals one of the one-sided
    differences, up to much less than their gap.
    """
    forward = (plus - f0) / eps
    backward = (f0 - minus) / eps
    gap = np.abs(forward - backward)
    closest = np.minimum(np.abs(analytic - forward), np.abs(analytic - backward))
    noise = _noise_floor(eps, f0, plus, minus) * 2
    return (gap > 100 * noise) & (closest <= 0.01 * gap)


def check_gradient(
    f: Callable,
    x,
    analytic,
    *,
    mode: str = "full",
    k: int = 20,
    eps: float = 1e-6,
    tol: float = 1e-6,
    seed: int = 0,
    name: str = "the gradient",
    batch_size: int | None = None,
) -> GradCheckReport:
    """Compare an analytic gradient of ``f`` at ``x`` with central finite differences.

    Args:
        f: callable taking ``x`` and returning the loss (a number).
        x: float64 array of shape ``S`` (perturbed in place and restored exactly) or a float.
        analytic: your gradient ∂f/∂x, shape ``S`` (a float if ``x`` is a float).
        mode: ``"full"`` (every entry; 2 evaluations each), ``"sparse"`` (``k`` random entries) or
            ``"directional"`` (``k`` random unit directions ``v``, comparing
            ``(f(x + eps v) - f(x - eps v)) / (2 eps)`` with ``analytic · v``; 2 evaluations each).
        k: entries or directions to check in sparse and directional mode.
        eps: finite-difference step.
        tol: largest relative error that passes. Entries whose size is below the roundoff of the
            finite difference are judged by absolute error instead; entries next to a kink (ReLU
            at 0) are judged by one-sided differences.
        seed: seeds ``np.random.default_rng`` for the sparse entries and the directions.
        name: what to call the gradient in messages, e.g. ``"dW1"``.
        batch_size: the batch size N, if any, so that a diagnosis can recognise sum-vs-mean.

    Returns:
        A :class:`GradCheckReport`; on failure in full mode (and in sparse mode, on the sampled
        entries) ``report.diagnosis`` names the mistake when :func:`diagnose` can.

    Example:
        >>> W = np.random.default_rng(0).normal(size=(3, 2))
        >>> report = check_gradient(lambda W: (W ** 2).sum(), W, 2 * W, name="dW")
        >>> report.passed, report.checked
        (True, 6)
        >>> check_gradient(lambda W: (W ** 2).sum(), W, -2 * W, mode="directional").passed
        False
    """
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if eps <= 0 or tol <= 0:
        raise ValueError(f"eps and tol must be positive, got eps={eps}, tol={tol}")

    if isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool):
        return _check_scalar(f, float(x), analytic, eps=eps, tol=tol, name=name)
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a float64 numpy array or a float, got {type(x).__name__}")
    _check_array(x)
    analytic = np.asarray(analytic)
    if not np.issubdtype(analytic.dtype, np.number):
        raise TypeError(f"{name} must be numeric, got dtype {analytic.dtype}")
    analytic = analytic.astype(np.float64)

    if analytic.shape != x.shape:
        diagnosis = None
        if mode == "full":
            diagnosis = diagnose(analytic, numerical_gradient(f, x, eps), name=name,
                                 batch_size=batch_size)
        message = (
            f"{name} has shape {analytic.shape} but the variable it differentiates has shape "
            f"{x.shape}: a gradient always has the shape of its variable"
        )
        if diagnosis is not None and diagnosis.kind != "shape":
            message += f". {diagnosis.message}"
        return GradCheckReport(False, float("inf"), None, mode, 0, message, diagnosis)
    if not np.all(np.isfinite(analytic)):
        diag = _not_finite(analytic, name)
        return GradCheckReport(False, float("inf"), None, mode, 0, diag.message, diag)

    if mode == "directional":
        return _check_directional(f, x, analytic, k=k, eps=eps, tol=tol, seed=seed, name=name)

    if mode == "full":
        indices = list(np.ndindex(x.shape))
    else:
        rng = np.random.default_rng(seed)
        flat = rng.choice(x.size, size=min(k, x.size), replace=False)
        indices = [tuple(int(i) for i in np.unravel_index(j, x.shape)) for j in flat]
    f0 = _f_at(f, x)
    plus, minus = _one_sided_pairs(f, x, indices, eps)
    numerical = (plus - minus) / (2 * eps)
    a = np.array([analytic[i] for i in indices])
    atol = _noise_floor(eps, f0, plus, minus)
    errors = _entry_errors(a, numerical, atol, tol)
    kinks = _kink_excused(a, f0, plus, minus, eps) & (errors > tol)
    judged = np.where(kinks, 0.0, errors)
    failing = judged > tol
    worst = int(np.argmax(judged)) if len(judged) else 0
    where = indices[worst] if len(indices) else None
    worst_error = float(judged[worst]) if len(judged) else 0.0
    what = "entries" if mode == "full" else "randomly chosen entries"
    kink_note = (
        f" ({int(kinks.sum())} next to a kink were judged by one-sided differences)"
        if kinks.any() else ""
    )
    if not failing.any():
        message = (
            f"{name} agrees with finite differences on all {len(indices)} {what}{kink_note}: "
            f"worst relative error {worst_error:.1e}"
        )
        return GradCheckReport(True, worst_error, where, mode, len(indices), message,
                               None, int(kinks.sum()))

    if mode == "full":
        num_full = numerical.reshape(x.shape)
        diagnosis = diagnose(analytic, num_full, name=name, batch_size=batch_size,
                             tol=max(tol, 1e-4))
    else:
        diagnosis = diagnose(a, numerical, name=name, batch_size=batch_size, tol=max(tol, 1e-4))
        if diagnosis is not None and diagnosis.kind in ("shape", "transposed", "bias_not_summed"):
            diagnosis = None
    message = (
        f"{name} disagrees with finite differences in {int(failing.sum())} of {len(indices)} "
        f"{what}; the worst is at index {where}: yours {a[worst]:.6g}, numerical "
        f"{numerical[worst]:.6g} (relative error {worst_error:.2g}){kink_note}"
    )
    if diagnosis is not None:
        message += f". {diagnosis.message}"
    return GradCheckReport(False, worst_error, where, mode, len(indices), message, diagnosis,
                           int(kinks.sum()))


def _f_at(f, x) -> float:
    return _as_scalar(f(x))


def _check_scalar(f, x: float, analytic, *, eps, tol, name) -> GradCheckReport:
    analytic = _as_scalar(analytic, what=name)
    f0 = _as_scalar(f(x))
    plus, minus = _as_scalar(f(x + eps)), _as_scalar(f(x - eps))
    numerical = (plus - minus) / (2 * eps)
    atol = _noise_floor(eps, f0, plus, minus)
    err = float(_entry_errors(analytic, numerical, atol, tol))
    kink = bool(_kink_excused(np.float64(analytic), f0, plus, minus, eps)) and err > tol
    if err <= tol or kink:
        note = " (next to a kink: judged by a one-sided difference)" if kink else ""
        return GradCheckReport(True, 0.0 if kink else err, None, "full", 1,
                               f"{name} agrees with the finite difference{note}", None, int(kink))
    diagnosis = diagnose(np.float64(analytic), np.float64(numerical), name=name,
                         tol=max(tol, 1e-4))
    message = (
        f"{name} is {analytic:.6g} but the finite difference gives {numerical:.6g} "
        f"(relative error {err:.2g})"
    )
    if diagnosis is not None:
        message += f". {diagnosis.message}"
    return GradCheckReport(False, err, None, "full", 1, message, diagnosis)


def _check_directional(f, x, analytic, *, k, eps, tol, seed, name) -> GradCheckReport:
    rng = np.random.default_rng(seed)
    original = x.copy()
    f0 = _f_at(f, x)
    plus = np.empty(k)
    minus = np.empty(k)
    projected = np.empty(k)
    for n in range(k):
        v = rng.standard_normal(x.shape)
        norm = np.linalg.norm(v)
        v = v / norm if norm > 0 else np.ones(x.shape)
        try:
            x += eps * v
            plus[n] = _as_scalar(f(x))
            x[...] = original
            x -= eps * v
            minus[n] = _as_scalar(f(x))
        finally:
            x[...] = original
        projected[n] = float(np.sum(analytic * v))
    numerical = (plus - minus) / (2 * eps)
    atol = _noise_floor(eps, f0, plus, minus)
    errors = _entry_errors(projected, numerical, atol, tol)
    kinks = _kink_excused(projected, f0, plus, minus, eps) & (errors > tol)
    judged = np.where(kinks, 0.0, errors)
    failing = judged > tol
    worst = int(np.argmax(judged))
    worst_error = float(judged[worst])
    if not failing.any():
        message = (
            f"{name} agrees with finite differences along {k} random directions: worst "
            f"relative error {worst_error:.1e}"
        )
        return GradCheckReport(True, worst_error, None, "directional", k, message, None,
                               int(kinks.sum()))
    message = (
        f"{name} disagrees with finite differences along {int(failing.sum())} of {k} random "
        f"directions v: the worst has {name}·v = {projected[worst]:.6g} but "
        f"(f(x+εv) - f(x-εv))/2ε = {numerical[worst]:.6g} (relative error {worst_error:.2g}); "
        "run a full or sparse check to see which entries are wrong"
    )
    return GradCheckReport(False, worst_error, None, "directional", k, message, None,
                           int(kinks.sum()))


# --------------------------------------------------------------------------------------------
# Diagnosis of common mistakes
# --------------------------------------------------------------------------------------------
_ACTIVATION_DERIVATIVES = {
    "sigmoid": lambda z: (s := 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))) * (1.0 - s),
    "tanh": lambda z: 1.0 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(np.float64),
}

_ACTIVATION_EXAMPLE = {
    "sigmoid": "dZ = dA * s * (1 - s) with s = sigmoid(Z)",
    "tanh": "dZ = dA * (1 - np.tanh(Z) ** 2)",
    "relu": "dZ = dA * (Z > 0)",
    None: "dZ = dA * f'(Z), e.g. dA * s * (1 - s) for a sigmoid",
}


def _pct(fraction: float) -> str:
    """A share of the informative entries, which messages call "the non-zero entries" (not ~0 in
    both gradients): "wrong at 8 of 12 entries ... in 100% of the non-zero entries" then reads
    as 8 wrong entries, all of them explained, and 4 that are zero in both."""
    return f"{100 * fraction:.0f}%"


def _not_finite(analytic, name) -> Diagnosis:
    bad = int(np.sum(~np.isfinite(analytic)))
    return Diagnosis(
        "not_finite",
        f"{name} contains {bad} NaN or infinite entries: look for a log or division of 0 "
        "(e.g. log(softmax) instead of log_softmax) or an overflowing exp",
        bad / max(1, np.size(analytic)),
    )


def _match_fraction(candidate, numerical, informative, tol, atol) -> float:
    close = np.abs(candidate - numerical) <= tol * (np.abs(candidate) + np.abs(numerical)) + atol
    return float(np.mean(close[informative])) if informative.any() else 0.0


def _scale_message(name, factor, fraction, batch_size):
    """Kind and message for ``analytic ≈ factor * numerical``."""
    p = f"{_pct(fraction)} of the non-zero entries"
    sign = factor < 0
    size = abs(factor)
    n = batch_size if batch_size is not None and batch_size > 1 else None
    known = (  # (factor, kind, what the gradient is, advice); the first that matches names it
        (n, "batch_scale", f"{batch_size} times too large (the batch size)",
         f"the loss is a mean over the batch, so divide by N = {batch_size} once "
         "(e.g. dlogits = (softmax - onehot) / N)"),
        (1 / n if n else None, "batch_scale", f"{batch_size} times too small (the batch size)",
         f"you divided by N = {batch_size} once too often, or the loss is a sum and not a mean "
         "over the batch; divide by N exactly once"),
        (2.0, "factor_2", "twice the correct value",
         "look for a factor 2 that should not be there (the derivative of ½(y - t)² is (y - t), "
         "not 2(y - t)) or a gradient that is added twice"),
        (0.5, "factor_half", "half the correct value",
         "a factor 2 is missing (the derivative of (y - t)² is 2(y - t)), or one of two paths "
         "to this variable was dropped"),
    )
    kind = message = None
    if not np.isclose(size, 1.0, rtol=1e-3):
        kind, what, advice = ("scale", f"{size:.4g} times the correct value",
                              "look for a missing or extra constant factor (a batch size, a 2 "
                              "from a square, a learning rate)")
        for target, known_kind, known_what, known_advice in known:
            if target is not None and np.isclose(size, target, rtol=1e-3):
                kind, what, advice = known_kind, known_what, known_advice
                break
        message = f"{name} is {what} in {p}: {advice}"
    if sign:
        sign_message = (
            f"{name} has the right size but the opposite sign in {p}: check the sign "
            "of the loss derivative (prediction - target, not target - prediction) and of every "
            "subtraction on the way back"
        )
        if kind is None:
            return "sign", sign_message
        return "sign", (
            sign_message.replace("the right size but ", "")
            + f"; besides, {message[0].lower()}{message[1:]}"
        )
    return kind, message


def diagnose(
    analytic,
    numerical,
    *,
    batch_size: int | None = None,
    activation_grad=None,
    tol: float = 1e-4,
    name: str = "the gradient",
    pre_activation=None,
    activation: str | None = None,
    per_sample=None,
) -> Diagnosis | None:
    """Name the mistake that turns the correct gradient ``numerical`` into ``analytic``.

    A mistake is named only when it explains at least 80% of the informative entries (those that
    are not ~0 in both) and more entries than "the gradient is correct" does, so a correct gradient,
    or one that is off only at a few entries next to a ReLU kink, is never blamed (returns None).

    Args:
        analytic: the gradient to judge, any shape.
        numerical: the correct gradient (from :func:`numerical_gradient`), shape ``S``.
        batch_size: N, to recognise sum-vs-mean mistakes (gradient N times too large or small).
        activation_grad: f'(Z), shape ``S``, for gradients with respect to a pre-activation ``Z``:
            recognises ``analytic * activation_grad ≈ numerical`` (derivative forgotten).
        tol: relative tolerance for "approximately equal".
        name: what to call the gradient in the message, e.g. ``"dW1"``.
        pre_activation, activation: instead of ``activation_grad``, the pre-activation ``Z`` and
            the name ``"sigmoid"``, ``"tanh"`` or ``"relu"``.
        per_sample: for a bias gradient, the per-example gradients ``dZ`` of shape ``(N,) + S``
            (whose sum over the batch is correct): recognises a bias gradient that is one row.

    Returns:
        A :class:`Diagnosis` with ``kind`` and ``message``, or ``None`` when the gradient is
        correct or the mistake has no name here. Kinds: ``"sign"``, ``"factor_2"``,
        ``"factor_half"``, ``"batch_scale"``, ``"scale"``, ``"transposed"``,
        ``"bias_not_summed"``, ``"missing_activation_derivative"``, ``"all_zero"``, ``"shape"``,
        ``"not_finite"``.

    Example:
        >>> g = np.array([[0.5, -1.0], [2.0, 0.25]])
        >>> diagnose(-g, g, name="dW").kind
        'sign'
        >>> diagnose(g, g) is None
        True
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    if not np.all(np.isfinite(n)):
        raise ValueError(
            "numerical contains NaN or infinite entries: the loss itself is not finite"
        )
    if not np.all(np.isfinite(a)):
        return _not_finite(a, name)
    if activation_grad is None and pre_activation is not None:
        if activation not in _ACTIVATION_DERIVATIVES:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATION_DERIVATIVES)} when pre_activation "
                f"is given, got {activation!r}"
            )
        activation_grad = _ACTIVATION_DERIVATIVES[activation](
            np.asarray(pre_activation, dtype=np.float64))

    scale = float(np.max(np.abs(n))) if n.size else 0.0
    atol = max(1e-9, 1e-6 * scale)
    if scale <= atol and n.size:
        return None  # the correct gradient is zero: nothing to compare against

    if a.shape != n.shape:
        return _diagnose_shape(a, n, name=name, tol=tol, atol=atol, batch_size=batch_size)

    if per_sample is not None:
        rows = np.asarray(per_sample, dtype=np.float64)
        if rows.ndim == a.ndim + 1 and rows.shape[1:] == a.shape and rows.shape[0] > 1:
            for i, row in enumerate(rows):
                inform = (np.abs(n) > atol) | (np.abs(a) > atol)
                if (_match_fraction(row, a, inform, tol, atol) >= 0.8
                        and _match_fraction(a, n, inform, tol, atol) < 0.8):
                    return Diagnosis(
                        "bias_not_summed",
                        f"{name} equals the gradient of example {i} alone: a bias is used by "
                        f"every example, so add up all {rows.shape[0]} rows, "
                        "db = dZ.sum(axis=0)",
                    )

    if a.size and np.all(a == 0):
        return Diagnosis(
            "all_zero",
            f"{name} is all zeros but the correct gradient is not: the backward pass never "
            "writes to it (was it created with np.zeros_like and not filled, or not stored or "
            "returned?)",
        )

    informative = (np.abs(n) > atol) | (np.abs(a) > atol)
    correct = _match_fraction(a, n, informative, tol, atol)
    n_info = int(informative.sum())
    best: tuple[float, str, str] | None = None  # (fraction, kind, message)

    def consider(fraction, kind, message):
        nonlocal best
        if fraction >= 0.8 and fraction * n_info > correct * n_info + 0.5:
            if best is None or fraction > best[0]:
                best = (fraction, kind, message)

    factors = [-1.0, 2.0, 0.5, -2.0, -0.5]
    if batch_size is not None and batch_size > 1:
        factors += [batch_size, 1.0 / batch_size, -batch_size, -1.0 / batch_size]
    for factor in factors:
        fraction = _match_fraction(factor * n, a, informative, tol, atol)
        kind, message = _scale_message(name, factor, fraction, batch_size)
        consider(fraction, kind, message)

    if activation_grad is not None:
        g = np.asarray(activation_grad, dtype=np.float64)
        try:
            candidate = a * g
        except ValueError:
            raise ValueError(
                f"activation_grad must have the shape of the gradient {a.shape} (or broadcast "
                f"to it), got {g.shape}"
            ) from None
        fraction = _match_fraction(candidate, n, informative, tol, atol)
        consider(
            fraction,
            "missing_activation_derivative",
            f"{name} times the activation derivative would be right in {_pct(fraction)} of the "
            "non-zero entries: multiply the incoming gradient by the derivative of the activation, "
            f"{_ACTIVATION_EXAMPLE.get(activation, _ACTIVATION_EXAMPLE[None])}",
        )

    if a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0] > 1:
        fraction = _match_fraction(a.T, n, informative, tol, atol)
        consider(fraction, "transposed", _transposed_message(name, a.shape, n.shape, fraction))

    if best is None:
        # a constant factor that is none of the above
        ratio_ok = informative & (np.abs(n) > atol)
        if ratio_ok.sum() >= 1 and correct < 0.5:
            ratio = float(np.median(a[ratio_ok] / n[ratio_ok]))
            if ratio != 0:
                fraction = _match_fraction(ratio * n, a, informative, tol, atol)
                kind, message = _scale_message(name, ratio, fraction, batch_size)
                if kind is not None:
                    consider(fraction, kind, message)
    if best is None:
        return None
    return Diagnosis(best[1], best[2], best[0])


def _transposed_message(name, got, expected, fraction) -> str:
    return (
        f"{name} is the transpose of the correct gradient (shape {got}, expected {expected}; "
        f"{_pct(fraction)} of the non-zero entries match after transposing): for Z = X @ W use "
        "dW = X.T @ dZ, which has the shape (D, M) of W, not dZ.T @ X"
    )


def _diagnose_shape(a, n, *, name, tol, atol, batch_size) -> Diagnosis:
    """Mistakes that show in the shape: transposed, bias not summed over the batch, keepdims."""
    if a.ndim == 2 and n.ndim == 2 and a.shape == n.shape[::-1]:
        informative = (np.abs(n) > atol) | (np.abs(a.T) > atol)
        fraction = _match_fraction(a.T, n, informative, tol, atol)
        if fraction >= 0.8:
            return Diagnosis("transposed", _transposed_message(name, a.shape, n.shape, fraction),
                             fraction)
    if a.size == n.size and a.squeeze().shape == n.squeeze().shape:
        informative = (np.abs(n) > atol) | (np.abs(a.reshape(n.shape)) > atol)
        if _match_fraction(a.reshape(n.shape), n, informative, tol, atol) >= 0.8:
            return Diagnosis(
                "shape",
                f"{name} has the right values but shape {a.shape} instead of {n.shape}: drop the "
                "extra axis (sum without keepdims=True, or reshape)",
            )
    if a.ndim == n.ndim + 1 and a.shape[1:] == n.shape:
        rows = a.shape[0]
        for reduce_name, reduced in (("sum", a.sum(axis=0)), ("mean", a.mean(axis=0))):
            informative = (np.abs(n) > atol) | (np.abs(reduced) > atol)
            if _match_fraction(reduced, n, informative, tol, atol) >= 0.8:
                extra = "" if reduce_name == "sum" else (
                    " (the mean of the rows is right here, so the per-example gradients also "
                    "miss the 1/N of the mean loss)"
                )
                return Diagnosis(
                    "bias_not_summed",
                    f"{name} has shape {a.shape}, one row per example, but the bias has shape "
                    f"{n.shape}: add up the per-example gradients over the batch axis, "
                    f"db = dZ.sum(axis=0){extra}",
                )
        return Diagnosis(
            "bias_not_summed",
            f"{name} has shape {a.shape} (a leading batch axis of {rows}) but should have shape "
            f"{n.shape}: a parameter's gradient adds up the contributions of all examples, "
            "e.g. db = dZ.sum(axis=0)",
        )
    return Diagnosis(
        "shape",
        f"{name} has shape {a.shape} but should have shape {n.shape}, the shape of the variable "
        "it differentiates",
        0.0,
    )
