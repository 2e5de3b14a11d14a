"""Known mistakes named by a check spec (``grad_spec(known=...)`` in helpers/grading/spec_tools.py):
at fresh random points each is named with its own kind and advice, and nothing else is."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.grading import check

SEEDS = [1, 2, 3, 11, 12345]


def reg_backward(w, b, x, t, lam, drop=None, tweak=0.0):
    """ps2 question 2's bars, with the message from child ``drop`` of w left out."""
    h = np.tanh(w * x + b)
    y_bar = w * h - t
    h_bar = y_bar * w
    z_bar = h_bar * (1 - h ** 2)
    messages = {"z": z_bar * x, "y": y_bar * h, "R": lam * w}
    w_bar = sum(v for k, v in messages.items() if k != drop) + tweak
    return {"y": y_bar, "h": h_bar, "z": z_bar, "w": w_bar, "b": z_bar}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("child,words", [("z", "from z (z̄·x)"), ("y", "from y (ȳ·h)"),
                                         ("R", "from R (R̄·w = λw)")])
def test_a_missing_child_of_w_is_named_at_any_point(seed, child, words):
    with pytest.raises(AssertionError) as info:
        check("ps2.reg_wbar", lambda *a: reg_backward(*a, drop=child), seed=seed)
    message = str(info.value)
    assert "Likely mistake (missing_branch)" in message and words in message, message
    assert message.count("Likely mistake") == 1, message


@pytest.mark.parametrize("seed", SEEDS)
def test_an_unknown_mistake_is_not_given_a_known_name(seed):
    with pytest.raises(AssertionError) as info:
        check("ps2.reg_wbar", lambda *a: reg_backward(*a, tweak=0.37), seed=seed)
    assert "w̄ is wrong" in str(info.value)
    assert "missing" not in str(info.value), str(info.value)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_right_answer_passes_the_checks_with_known_mistakes(seed):
    check("ps2.reg_wbar", reg_backward, seed=seed)

    def dg(t):
        return 2 * t * np.tanh(t) + t ** 2 * (1 - np.tanh(t) ** 2) + 3 * t ** 2
    check("ps1.dg", dg, seed=seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_transposed_jacobian_is_named_at_any_point(seed):
    def jacobian_x(z):
        z1, z2, z3 = z
        return np.array([[z2, z1, 1.0], [1.0, 0.0, -2 * z3]])

    check("ps1.jacobian", jacobian_x, seed=seed)
    with pytest.raises(AssertionError) as info:
        check("ps1.jacobian", lambda z: jacobian_x(z).T, seed=seed)
    message = str(info.value)
    assert "Likely mistake (transposed)" in message and "shape (2, 3)" in message, message
    assert "dW" not in message, message  # the layer advice (dW = X.T @ dZ) is not for a Jacobian
