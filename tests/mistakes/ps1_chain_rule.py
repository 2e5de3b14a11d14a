"""Typical mistakes in problem set 1 (format: see tests/mistakes/__init__.py)."""
from __future__ import annotations

from tests.mistakes import make as _make

PS = "ps1_chain_rule"


def _m(*args, **kw):
    return _make(PS, *args, **kw)


MISTAKES = [
    _m("dg_forgot_y_path", "q1b-dg", "return 2 * t + 3 * t ** 2", "return 2 * t",
       ["test-dg"], ["g'(t) is wrong", "finite-difference"]),
    _m("dg_partial_z_kept", "q1b-dg", "return 2 * t + 3 * t ** 2",
       "return 2 * t + 3 * t ** 2 + 4", ["test-dg"], ["g'(t) is wrong"]),
    _m("grad_cos_sign", "q2b-grad-cos", "return np.array([4 * s", "return -np.array([4 * s",
       ["test-grad-cos"], ["sign"]),
    _m("grad_cos_missing_inner", "q2b-grad-cos", "4 * s * np.cos(x) * np.sin(x), 4 * s",
       "2 * s * np.cos(x) * np.sin(x), 2 * s", ["test-grad-cos"], ["half"]),
    _m("grad_f4_missing_inner_10", "q3b-grad-f4", "20 * a + 4 * d ** 3", "2 * a + 4 * d ** 3",
       ["test-grad-f4", "test-grad-f4-z"], ["is wrong at 1 of", "finite-difference value"]),
    _m("grad_f4_z_no_jacobian", "q3d-grad-f4-z", "return J.T @ grad_f4(x_of_z(z))",
       "return grad_f4(x_of_z(z))", ["test-grad-f4-z"], ["shape (4,)", "(2,)"]),
    _m("grad_f4_z_jacobian_not_transposed", "q3d-grad-f4-z",
       "return J.T @ grad_f4(x_of_z(z))", "return (grad_f4(x_of_z(z)) @ J)[::-1]",
       ["test-grad-f4-z"], ["∂f/∂z is wrong"]),
    _m("wb_missing_sigma_prime", "q4b-grad-wb", "z_bar = y_bar * y * (1 - y)",
       "z_bar = y_bar", ["test-dLdw", "test-dLdb"], ["activation derivative"]),
    _m("wb_target_minus_prediction", "q4b-grad-wb", "y_bar = y - t", "y_bar = t - y",
       ["test-dLdw", "test-dLdb"], ["sign"]),
    _m("wb_factor_2", "q4b-grad-wb", "y_bar = y - t", "y_bar = 2 * (y - t)",
       ["test-dLdw", "test-dLdb"], ["twice"]),
    _m("db_times_x", "q4b-grad-wb", "return z_bar * x, z_bar", "return z_bar * x, z_bar * x",
       ["test-dLdb"], ["∂L/∂b is wrong"]),
    _m("wb_finite_differences", "q4b-grad-wb",
       "    y = sigmoid(w * x + b)",
       "    from helpers.gradcheck import numerical_gradient\n"
       "    return (numerical_gradient(lambda v: loss_wb(v, b, x, t), w),\n"
       "            numerical_gradient(lambda v: loss_wb(w, v, x, t), b))\n"
       "    y = sigmoid(w * x + b)",
       ["test-dLdw", "test-dLdb"], ["numerical_gradient"]),
]
