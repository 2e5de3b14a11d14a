"""Typical mistakes in problem set 2 (format: see tests/mistakes/__init__.py)."""
from __future__ import annotations

from tests.mistakes import make as _make

PS = "ps2_scalar_backprop"
_MODES = ["test-forward-mode", "test-reverse-mode"]
_REG_ALL = ["test-reg-yhz", "test-reg-w", "test-reg-b"]


def _m(*args, **kw):
    return _make(PS, *args, **kw)


MISTAKES = [
    # 1. the ζ chain with a max gate
    _m("max_gate_always_passes", "p1b-local", "return 1.0 if zeta1 > 0 else 0.2",
       "return 1.0", ["test-local"] + _MODES, ["∂ζ2/∂ζ1 at ζ1 < 0 is wrong"]),
    _m("max_gate_cases_swapped", "p1b-local", "return 1.0 if zeta1 > 0 else 0.2",
       "return 0.2 if zeta1 > 0 else 1.0", ["test-local"] + _MODES,
       ["∂ζ2/∂ζ1 at ζ1 > 0 is wrong", "∂ζ2/∂ζ1 at ζ1 < 0 is wrong"]),
    _m("square_without_factor_2", "p1b-local", "return 2 * zeta3", "return zeta3",
       ["test-local"] + _MODES, ["∂ζ4/∂ζ3 is wrong", "half"]),
    _m("log_derivative_sign", "p1b-local", "return 1 / (1 + zeta4)", "return -1 / (1 + zeta4)",
       ["test-local"] + _MODES, ["∂L/∂ζ4 is wrong", "sign"]),
    _m("d_zeta1_wrt_x", "p1b-local", "    return x\n", "    return w\n",
       ["test-local"] + _MODES, ["∂ζ1/∂w is wrong"]),
    _m("forward_mode_no_product", "p1c-modes", "out.append(out[-1] * local)\n    return out\n\n"
       "def reverse_mode", "out.append(local)\n    return out\n\ndef reverse_mode",
       ["test-forward-mode"], ["∂ζ2/∂w"]),
    _m("reverse_mode_wrong_start", "p1c-modes", "out = [d_loss(v4)]", "out = [1.0]",
       ["test-reverse-mode"], ["∂L/∂ζ4 is wrong"]),
    # 2. w with three children
    _m("reg_w_missing_branch_through_y", "p2b-reg", "w_bar = z_bar * x + y_bar * h + R_bar * w",
       "w_bar = z_bar * x + R_bar * w", ["test-reg-w"],
       ["w̄ is wrong", "missing_branch", "the one from y (ȳ·h)"]),
    _m("reg_w_missing_regulariser", "p2b-reg", "w_bar = z_bar * x + y_bar * h + R_bar * w",
       "w_bar = z_bar * x + y_bar * h", ["test-reg-w"],
       ["missing_branch", "the one from R (R̄·w = λw)"]),
    _m("reg_w_missing_branch_through_z", "p2b-reg",
       "w_bar = z_bar * x + y_bar * h + R_bar * w", "w_bar = y_bar * h + R_bar * w",
       ["test-reg-w"], ["missing_branch", "the one from z (z̄·x)"]),
    _m("reg_missing_tanh_prime", "p2b-reg", "z_bar = h_bar * (1 - h ** 2)", "z_bar = h_bar",
       _REG_ALL, ["z̄ is wrong", "missing_activation_derivative", "z̄ lacks tanh′"]),
    _m("reg_target_minus_prediction", "p2b-reg", "y_bar = L_bar * (y - t)",
       "y_bar = L_bar * (t - y)", _REG_ALL, ["ȳ is wrong", "sign"]),
    _m("reg_h_bar_factor_2", "p2b-reg", "h_bar = y_bar * w", "h_bar = 2 * y_bar * w",
       _REG_ALL, ["h̄ is wrong", "twice"]),
    _m("reg_b_times_x", "p2b-reg", "b_bar = z_bar\n", "b_bar = z_bar * x\n",
       ["test-reg-b"], ["b̄ is wrong", "bias_times_input"]),
    # 3. the engine
    _m("engine_mul_swapped", "p3b-engine", "self.grad += other.data * out.grad",
       "self.grad += self.data * out.grad", ["test-engine-mul", "test-engine-reuse"],
       ["operands_swapped", "the *other* operand"]),
    _m("engine_mul_assigns", "p3b-engine",
       "self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
       "self.grad = other.data * out.grad\n            other.grad = self.data * out.grad",
       ["test-engine-reuse"], ["not_accumulated", "(+=)"]),
    _m("engine_tanh_no_square", "p3b-engine", "self.grad += (1 - out.data ** 2) * out.grad",
       "self.grad += (1 - out.data) * out.grad", ["test-engine-tanh", "test-engine-reuse"],
       ["wrong_activation_derivative", "tanh′ = 1 - tanh²"]),
    _m("engine_pow_no_minus_one", "p3b-engine", "self.grad += k * self.data ** (k - 1) * out.grad",
       "self.grad += k * self.data ** k * out.grad", ["test-engine-pow"],
       ["exponent_not_lowered", "k·aᵏ⁻¹"]),
    _m("engine_exp_times_input", "p3b-engine", "self.grad += out.data * out.grad",
       "self.grad += self.data * out.grad", ["test-engine-exp", "test-engine-reuse"],
       ["wrong_derivative", "eᵃ itself"]),
    _m("engine_uses_helpers_value", "p3b-engine",
       "self.grad += out.data * out.grad",
       "from helpers.autograd import Value\n"
       "            self.grad += Value(self.data).exp().data * out.grad",
       ["test-engine-mul", "test-engine-pow", "test-engine-tanh", "test-engine-exp",
        "test-engine-reuse"], ["Value"]),
]
