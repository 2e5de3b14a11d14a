"""Typical mistakes in problem set 3 (format: see tests/mistakes/__init__.py)."""
from __future__ import annotations

from tests.mistakes import make as _make

PS = "ps3_xor"
_XOR_GRADS = ["test-xor-dW2", "test-xor-db2", "test-xor-dW1", "test-xor-db1"]


def _m(*args, **kw):
    return _make(PS, *args, **kw)


MISTAKES = [
    _m("hand_missing_factor_2", "p1b-hand", "r = 2.0 / n * (a1 @ W2 - t)",
       "r = 1.0 / n * (a1 @ W2 - t)",
       ["test-hand-dW2", "test-hand-dW1"], ["half"]),
    _m("hand_sum_not_mean", "p1b-hand", "r = 2.0 / n * (a1 @ W2 - t)",
       "r = 2.0 * (a1 @ W2 - t)",
       ["test-hand-dW2", "test-hand-dW1"], ["batch size"]),
    _m("hand_missing_sigma_prime", "p1b-hand", "dW1 = X.T @ ((r @ W2.T) * a1 * (1 - a1))",
       "dW1 = X.T @ (r @ W2.T)", ["test-hand-dW1"], ["∂L/∂W1 (dW1) is wrong"]),
    _m("hand_dW2_transposed", "p1b-hand", "dW2 = a1.T @ r", "dW2 = r.T @ a1",
       ["test-hand-dW2"], ["transpose"]),
    _m("chain_sigmoid_of_activation", "p1c-chain", "dh1 = sigmoid_backward(da1, h1)",
       "dh1 = sigmoid_backward(da1, a1)", ["test-chain-dW1", "test-update"], ["is wrong"]),
    _m("chain_weight_grad_transposed", "p1c-chain", "return inp.T @ d_out, d_out @ W.T",
       "return d_out.T @ inp, d_out @ W.T",
       ["test-chain-dW2", "test-chain-dW1", "test-update"], ["shape"]),
    _m("chain_loss_sign", "p1c-chain", "return 2.0 * (y - t) / y.shape[0]",
       "return 2.0 * (t - y) / y.shape[0]",
       ["test-chain-dW2", "test-chain-dW1", "test-update"], ["sign", "the new W1"]),
    _m("update_ascends", "p1d-update", "return W1 - lr * dW1, W2 - lr * dW2",
       "return W1 + lr * dW1, W2 + lr * dW2", ["test-update"], ["the new W1", "the new W2"]),
    _m("xor_db2_not_summed", "p3b-xor", "db2 = dZ2.sum(axis=0)", "db2 = dZ2",
       ["test-xor-db2", "test-xor-trained"], ["b2"]),
    _m("xor_db1_mean_not_sum", "p3b-xor", "db1 = dZ1.sum(axis=0)", "db1 = dZ1.mean(axis=0)",
       ["test-xor-db1"], ["db1", "batch size"]),
    _m("xor_missing_sigma_prime", "p3b-xor", "dZ1 = (dZ2 @ params[\"W2\"].T) * A1 * (1 - A1)",
       "dZ1 = dZ2 @ params[\"W2\"].T", ["test-xor-dW1", "test-xor-db1", "test-xor-trained"],
       ["dW1 is wrong", "db1 is wrong", "of the 4 XOR points"]),
    _m("xor_label_minus_prediction", "p3b-xor", "dZ2 = (p - y.reshape(-1, 1)) / N",
       "dZ2 = (y.reshape(-1, 1) - p) / N", _XOR_GRADS + ["test-xor-trained"], ["sign"]),
    _m("xor_sum_not_mean", "p3b-xor", "dZ2 = (p - y.reshape(-1, 1)) / N",
       "dZ2 = p - y.reshape(-1, 1)", _XOR_GRADS + ["test-xor-trained"], ["batch size"]),
    _m("xor_dW1_transposed", "p3b-xor", "dW1 = X.T @ dZ1", "dW1 = dZ1.T @ X",
       ["test-xor-dW1", "test-xor-trained"], ["dW1"]),
    _m("xor_too_few_steps", "p3c-train", "for _ in range(steps):", "for _ in range(3):",
       ["test-xor-trained"], ["of the 4 XOR points"]),
    _m("xor_layers_from_helpers", "p3b-xor", "    N = X.shape[0]",
       "    from helpers.layers import Sigmoid\n    Sigmoid()\n    N = X.shape[0]",
       _XOR_GRADS + ["test-xor-trained"], ["Sigmoid"]),
]
