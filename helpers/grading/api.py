"""What the visible tests and the readers of a problem set call: :func:`check` a student's function,
:func:`register_data` for the checker, and :func:`specs`, :func:`describe`, :func:`forward` to read
what the checks do.

These are ordinary functions: they talk to the sealed checker (:mod:`helpers.grading.sealed`)
through the request channel, and a student who rebinds them fools only a visible test. The hidden
part of every test cell writes the requests out and does not use them.
"""
from __future__ import annotations

import types

import numpy as np

from .. import gradcheck as _gradcheck
from .registry import build_specs as _build_specs
from .sealed import MAGIC_ASK, MAGIC_CHECK, MAGIC_CHECK_SEEDED, MAGIC_DATA

__all__ = ["check", "register_data", "specs", "describe", "forward"]


def _public():
    R = types.SimpleNamespace(
        add=np.add, exp=np.exp, log=np.log, tanh=np.tanh, cos=np.cos, maximum=np.maximum,
        array=np.array, float64=np.float64, int64=np.int64, float=float, int=int, str=str,
        zeros=np.zeros, arange=np.arange, floor=np.floor, logical_and=np.logical_and,
        list=list, tuple=tuple, dict=dict, range=range, Exception=Exception, join=None,
        pick=None, pick_params=None, numgrad=_gradcheck.numerical_gradient, compare=None,
        compare_list=None, is_message=None, data=None, isfinite=np.isfinite)
    return _build_specs(R)


_PUBLIC_SPECS, _FORWARD = _public()


def check(name: str, fn, *, seed: int | None = 0) -> None:
    """Run the check ``name`` on the student's function ``fn``; raise AssertionError if wrong.

    Args:
        name: a check from :func:`specs`, e.g. ``"ps1.grad_f_z"``.
        fn: the function to test; it is called with the inputs the check makes (see
            :func:`describe`), e.g. ``grad_f_z(z)`` with ``z`` of shape ``(3,)``.
        seed: seed of the test point (default 0: the same point every run, for visible tests);
            ``None`` for a fresh random point.

    Example:
        >>> import numpy as np
        >>> check("ps1.dg", lambda t: 2 * t * np.tanh(t) + t ** 2 / np.cosh(t) ** 2 + 3 * t ** 2)
        >>> check("ps1.dg", lambda t: 3 * t ** 2)   # doctest: +ELLIPSIS
        Traceback (most recent call last):
        AssertionError: g'(t) is wrong: ...
    """
    io: list = []
    if seed is None:
        (lambda: 0).__defaults__ = (MAGIC_ASK, name, io)
    else:
        (lambda: 0).__defaults__ = (MAGIC_ASK, name, io, int(seed))
    if len(io) < 2:
        raise AssertionError("the grading checker is not installed (run the first cell of the "
                             "problem set: import helpers.grading)")
    try:
        answer = fn(*io[1])
    except ValueError as error:  # numpy's shape error of a matrix product, named for the student
        if "matmul" not in str(error) or "mismatch" not in str(error):
            raise
        raise AssertionError(
            f"{name}: your function raised numpy's shape error ({error}): a matrix product "
            "whose inner dimensions do not match. Likely mistake (transposed): an "
            "operand lacks its transpose; the gradient of a weight is (its input)ᵀ @ dZ, "
            "e.g. dW = X.T @ dZ with the shape of W, (D, M); the gradient of the input is "
            "dZ @ W.T, with the shape of X, (N, D)."
        ) from None
    # a failure is raised again below, from a line that reads as what it is: the student's
    # traceback then shows their call of check(...) and the message, not the request channel
    try:
        (lambda: 0).__defaults__ = (MAGIC_CHECK_SEEDED if seed is not None else MAGIC_CHECK,
                                    name, io, answer, fn)
    except AssertionError as failed:
        message = str(failed)
    else:
        return
    raise AssertionError(message) from None


def register_data(key: str, X: np.ndarray, y: np.ndarray) -> None:
    """Give the checker a data set (once per kernel; later calls with the same key are ignored).

    Args:
        key: e.g. ``"mnist_test"``.
        X: ``(N, D)`` inputs; y: ``(N,)`` integer labels.

    Example:
        >>> register_data("demo", np.zeros((2, 3)), np.array([0, 1]))
    """
    (lambda: 0).__defaults__ = (MAGIC_DATA, key, X, y)


def specs() -> dict[str, str]:
    """``{name: one line saying what the check calls and compares}`` for every check.

    Example:
        >>> "ps1.grad_f_z" in specs()
        True
    """
    return {k: f"{v['call']}: {v['about']}" for k, v in _PUBLIC_SPECS.items()}


def describe(name: str) -> str:
    """What the check ``name`` calls, with which inputs, and what it compares.

    Example:
        >>> describe("ps1.dg").startswith("dg(t)")
        True
    """
    if name not in _PUBLIC_SPECS:
        raise KeyError(f"unknown check {name!r}; known: {sorted(_PUBLIC_SPECS)}")
    s = _PUBLIC_SPECS[name]
    return f"{s['call']}: {s['about']}"


def forward(name: str):
    """The forward function the checks differentiate, e.g. ``forward("f_z")(z)``.

    Names: ``f_xyz g softplus softplus_sq x_of_z f_x f_z zeta_chain reg_loss mlp1_loss xor_loss
    xor_predict ce_loss mlp3_logits mlp3_loss sigmoid softmax``.

    Example:
        >>> forward("x_of_z")(np.array([1.0, 2.0, 3.0])).tolist()
        [5.0, -8.0]
    """
    if name not in _FORWARD:
        raise KeyError(f"unknown forward function {name!r}; known: {sorted(_FORWARD)}")
    return _FORWARD[name]
