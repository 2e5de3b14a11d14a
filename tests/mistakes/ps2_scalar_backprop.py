"""Typical mistakes in problem set 2 (format: see tests/mistakes/__init__.py)."""
from __future__ import annotations

from tests.mistakes import make as _make

PS = "ps2_scalar_backprop"
_MODES = ["test-forward-mode", "test-reverse-mode"]


def _m(*args, **kw):
    return _make(PS, *args, **kw)


MISTAKES = [
    _m("d_xi4_sign_dropped", "p1b-local", "return -1 / xi3 ** 2", "return 1 / xi3 ** 2",
       ["test-local"] + _MODES, ["sign"]),
    _m("d_loss_sign", "p1b-local", "return -y", "return y",
       ["test-local"] + _MODES, ["sign"]),
    _m("d_xi1_wrt_X", "p1b-local", "return -X", "return -W",
       ["test-local"] + _MODES, ["is wrong"]),
    _m("forward_mode_no_product", "p1c-modes", "out.append(out[-1] * local)\n    return out\n\n"
       "def reverse_mode", "out.append(local)\n    return out\n\ndef reverse_mode",
       ["test-forward-mode"], ["∂ξ2/∂W"]),
    _m("reverse_mode_wrong_start", "p1c-modes", "out = [d_loss(y, v5)]", "out = [1.0]",
       ["test-reverse-mode"], ["∂L/∂ξ5 is wrong"]),
    _m("reg_w_missing_regulariser", "p2b-reg", "w_bar = z_bar * x + R_bar * w",
       "w_bar = z_bar * x", ["test-reg-w"], ["w̄"]),
    _m("reg_w_slide_product", "p2b-reg", "w_bar = z_bar * x + R_bar * w",
       "w_bar = z_bar * x * R_bar * w", ["test-reg-w"], ["w̄ is wrong"]),
    _m("reg_missing_sigma_prime", "p2b-reg", "z_bar = y_bar * y * (1 - y)", "z_bar = y_bar",
       ["test-reg-yz", "test-reg-w", "test-reg-b"], ["is wrong"]),
    _m("reg_target_minus_prediction", "p2b-reg", "y_bar = L_bar * (y - t)",
       "y_bar = L_bar * (t - y)", ["test-reg-yz", "test-reg-w", "test-reg-b"],
       ["is wrong"]),
    _m("engine_mul_swapped", "p3b-engine", "self.grad += other.data * out.grad",
       "self.grad += self.data * out.grad", ["test-engine-mul", "test-engine-reuse"],
       ["is wrong"]),
    _m("engine_mul_assigns", "p3b-engine",
       "self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
       "self.grad = other.data * out.grad\n            other.grad = self.data * out.grad",
       ["test-engine-reuse"], ["is wrong"]),
    _m("engine_tanh_no_square", "p3b-engine", "self.grad += (1 - out.data ** 2) * out.grad",
       "self.grad += (1 - out.data) * out.grad", ["test-engine-tanh", "test-engine-reuse"],
       ["is wrong"]),
    _m("engine_pow_no_minus_one", "p3b-engine", "self.grad += k * self.data ** (k - 1) * out.grad",
       "self.grad += k * self.data ** k * out.grad", ["test-engine-pow"], ["a ** 3"]),
    _m("engine_exp_times_input", "p3b-engine", "self.grad += out.data * out.grad",
       "self.grad += self.data * out.grad", ["test-engine-exp", "test-engine-reuse"],
       ["is wrong"]),
    _m("engine_uses_helpers_value", "p3b-engine",
       "self.grad += out.data * out.grad",
       "from helpers.autograd import Value\n"
       "            self.grad += Value(self.data).exp().data * out.grad",
       ["test-engine-mul", "test-engine-pow", "test-engine-tanh", "test-engine-exp",
        "test-engine-reuse"], ["Value"]),
]
