"""Typical mistakes in problem set 1 (format: see tests/mistakes/__init__.py)."""
from __future__ import annotations

from tests.mistakes import make as _make

PS = "ps1_chain_rule"
_DG = "return y * 2 * t + t ** 2 * (1 - y ** 2) + 3 * t ** 2"
_WB = ["test-dLdw", "test-dLdb"]


def _m(*args, **kw):
    return _make(PS, *args, **kw)


MISTAKES = [
    # 1. three paths from t
    _m("dg_missing_path_through_x", "q1b-dg", _DG, "return t ** 2 * (1 - y ** 2) + 3 * t ** 2",
       ["test-dg"], ["g'(t) is wrong", "missing_branch", "path through x = t²"]),
    _m("dg_missing_path_through_y", "q1b-dg", _DG, "return y * 2 * t + 3 * t ** 2",
       ["test-dg"], ["missing_branch", "path through y = tanh t"]),
    _m("dg_missing_path_through_z", "q1b-dg", _DG, "return y * 2 * t + t ** 2 * (1 - y ** 2)",
       ["test-dg"], ["missing_branch", "path through z = t"]),
    _m("dg_tanh_prime_dropped", "q1b-dg", _DG, "return y * 2 * t + t ** 2 + 3 * t ** 2",
       ["test-dg"], ["missing_activation_derivative", "1 - tanh²t"]),
    _m("dg_sign", "q1b-dg", _DG, "return -(y * 2 * t + t ** 2 * (1 - y ** 2) + 3 * t ** 2)",
       ["test-dg"], ["sign"]),
    # 2. the softplus unit
    _m("wb_missing_softplus_prime", "q2b-grad-wb", "z_bar = y_bar * sigmoid(z)",
       "z_bar = y_bar", _WB, ["missing_activation_derivative", "ȳ·softplus′(z) = ȳ·σ(z)"]),
    _m("wb_sigmoid_prime_instead_of_sigmoid", "q2b-grad-wb", "z_bar = y_bar * sigmoid(z)",
       "z_bar = y_bar * sigmoid(z) * (1 - sigmoid(z))", _WB,
       ["wrong_activation_derivative", "softplus′(z)", "σ(z) itself"]),
    _m("wb_target_minus_prediction", "q2b-grad-wb", "y_bar = y - t", "y_bar = t - y", _WB,
       ["sign"]),
    _m("wb_factor_2", "q2b-grad-wb", "y_bar = y - t", "y_bar = 2 * (y - t)", _WB, ["twice"]),
    _m("db_times_x", "q2b-grad-wb", "return z_bar * x, z_bar", "return z_bar * x, z_bar * x",
       ["test-dLdb"], ["∂L/∂b is wrong", "bias_times_input", "∂z/∂b = 1"]),
    _m("wb_finite_differences", "q2b-grad-wb",
       "    z = w * x + b",
       "    from helpers.gradcheck import numerical_gradient\n"
       "    return (numerical_gradient(lambda v: loss_wb(v, b, x, t), w),\n"
       "            numerical_gradient(lambda v: loss_wb(w, v, x, t), b))\n"
       "    z = w * x + b",
       _WB, ["numerical_gradient"]),
    # 3. the non-square Jacobian
    _m("jacobian_transposed", "q3b-jacobian", "return np.array([[z2, z1, 1.0],",
       "return np.array([[z2, z1, 1.0],\n                     [1.0, 0.0, -2 * z3]]).T\n"
       "    return np.array([[z2, z1, 1.0],",
       ["test-jacobian", "test-grad-f-z"],
       ["transposed", "shape (2, 3)", "shape (3, 2)"]),
    _m("jacobian_z3_sign", "q3b-jacobian", "[1.0, 0.0, -2 * z3]", "[1.0, 0.0, 2 * z3]",
       ["test-jacobian", "test-grad-f-z"], ["J = ∂x/∂z is wrong at 1 of 6 entries"]),
    _m("grad_f_z_returns_grad_x", "q3c-grad-f-z", "return jacobian_x(z).T @ grad_x",
       "return grad_x", ["test-grad-f-z"], ["shape (2,)", "shape (3,)"]),
    _m("grad_f_z_tanh_prime_dropped", "q3c-grad-f-z", "x1 ** 2 + 1 - np.tanh(x2) ** 2",
       "x1 ** 2 + 1", ["test-grad-f-z"], ["missing_activation_derivative", "tanh′"]),
    _m("grad_f_z_z1_only_through_x1", "q3c-grad-f-z", "return jacobian_x(z).T @ grad_x",
       "J = jacobian_x(z)\n    J[1, 0] = 0.0\n    return J.T @ grad_x",
       ["test-grad-f-z"], ["missing_branch", "z1 reaches f through x1 and through x2"]),
    _m("grad_f_z_sign", "q3c-grad-f-z", "return jacobian_x(z).T @ grad_x",
       "return -(jacobian_x(z).T @ grad_x)", ["test-grad-f-z"], ["sign"]),
]
