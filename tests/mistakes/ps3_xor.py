"""Typical mistakes in problem set 3 (format: see tests/mistakes/__init__.py)."""
from __future__ import annotations

from tests.mistakes import make as _make

PS = "ps3_xor"
_XOR_GRADS = ["test-xor-dW2", "test-xor-db2", "test-xor-dW1", "test-xor-db1"]
_DZ1 = "dZ1 = dA1 * sigmoid(Z1)"


def _m(*args, **kw):
    return _make(PS, *args, **kw)


MISTAKES = [
    # 1. Harvard's net by hand
    _m("hand_missing_factor_2", "p1b-hand", "dY = 2.0 / N * (A1 @ W2 - t)",
       "dY = 1.0 / N * (A1 @ W2 - t)",
       ["test-hand-dW2", "test-hand-dW1"], ["half"]),
    _m("hand_sum_not_mean", "p1b-hand", "dY = 2.0 / N * (A1 @ W2 - t)",
       "dY = 2.0 * (A1 @ W2 - t)",
       ["test-hand-dW2", "test-hand-dW1"], ["batch size"]),
    _m("hand_missing_sigma_prime", "p1b-hand", "dW1 = X.T @ ((dY @ W2.T) * A1 * (1 - A1))",
       "dW1 = X.T @ (dY @ W2.T)", ["test-hand-dW1"],
       ["missing_activation_derivative", "σ'(Z1) = A1 (1 - A1)"]),
    _m("hand_dW2_transposed", "p1b-hand", "dW2 = A1.T @ dY", "dW2 = dY.T @ A1",
       ["test-hand-dW2"], ["transpose"]),
    # X (N, D) @ dZ1 (N, H) fails in the student's own line now that N differs from D
    _m("hand_X_not_transposed", "p1b-hand", "dW1 = X.T @ ((dY", "dW1 = X @ ((dY",
       ["test-hand-dW2", "test-hand-dW1"], ["matmul", "mismatch", "transposed"]),
    # 2. the chain of nodes
    _m("chain_sigmoid_of_activation", "p1c-chain", "dZ1 = sigmoid_backward(dA1, Z1)",
       "dZ1 = sigmoid_backward(dA1, A1)", ["test-chain-dW1", "test-update"],
       ["derivative_at_the_activation", "sigmoid_backward(dA1, Z1)"]),
    _m("chain_missing_sigma_prime", "p1c-chain", "return dA * s * (1 - s)", "return dA",
       ["test-chain-dW1", "test-update"], ["missing_activation_derivative"]),
    _m("chain_weight_grad_transposed", "p1c-chain", "return inp.T @ dZ, dZ @ W.T",
       "return dZ.T @ inp, dZ @ W.T",
       ["test-chain-dW2", "test-chain-dW1", "test-update"], ["transpose"]),
    _m("chain_loss_sign", "p1c-chain", "return 2.0 * (Y - t) / Y.shape[0]",
       "return 2.0 * (t - Y) / Y.shape[0]",
       ["test-chain-dW2", "test-chain-dW1", "test-update"], ["sign", "the new W1"]),
    _m("update_ascends", "p1d-update", "return W1 - lr * dW1, W2 - lr * dW2",
       "return W1 + lr * dW1, W2 + lr * dW2", ["test-update"], ["the new W1", "the new W2"]),
    # 3. transfer: the softplus XOR net
    _m("xor_db2_not_summed", "p3b-xor", "db2 = dZ2.sum(axis=0)", "db2 = dZ2",
       ["test-xor-db2", "test-xor-trained"], ["b2", "sum(axis=0)"]),
    _m("xor_db2_wrong_axis", "p3b-xor", "db2 = dZ2.sum(axis=0)", "db2 = dZ2.sum(axis=1)",
       ["test-xor-db2", "test-xor-trained"], ["bias_wrong_axis"]),
    _m("xor_db1_wrong_axis", "p3b-xor", "db1 = dZ1.sum(axis=0)", "db1 = dZ1.sum(axis=1)",
       ["test-xor-db1", "test-xor-trained"], ["bias_wrong_axis", "db1 = dZ1.sum(axis=0)"]),
    _m("xor_db1_mean_not_sum", "p3b-xor", "db1 = dZ1.sum(axis=0)", "db1 = dZ1.mean(axis=0)",
       ["test-xor-db1"], ["db1", "batch size"]),
    _m("xor_missing_softplus_derivative", "p3b-xor", _DZ1, "dZ1 = dA1",
       ["test-xor-dW1", "test-xor-db1", "test-xor-trained"],
       ["missing_activation_derivative", "softplus'(z) = σ(z)"]),
    _m("xor_sigmoid_derivative_for_softplus", "p3b-xor", _DZ1,
       "dZ1 = dA1 * sigmoid(Z1) * (1 - sigmoid(Z1))",
       ["test-xor-dW1", "test-xor-db1"], ["wrong_activation_derivative"]),
    _m("xor_sigmoid_derivative_of_output", "p3b-xor", _DZ1, "dZ1 = dA1 * A1 * (1 - A1)",
       ["test-xor-dW1", "test-xor-db1", "test-xor-trained"], ["wrong_activation_derivative"]),
    _m("xor_activation_instead_of_derivative", "p3b-xor", _DZ1, "dZ1 = dA1 * A1",
       ["test-xor-dW1", "test-xor-db1"], ["activation_instead_of_derivative"]),
    _m("xor_output_derivative_twice", "p3b-xor", "dZ2 = (p - y.reshape(-1, 1)) / N",
       "dZ2 = (p - y.reshape(-1, 1)) / N * p * (1 - p)", _XOR_GRADS,
       ["output_derivative_twice"]),
    _m("xor_label_minus_prediction", "p3b-xor", "dZ2 = (p - y.reshape(-1, 1)) / N",
       "dZ2 = (y.reshape(-1, 1) - p) / N", _XOR_GRADS + ["test-xor-trained"], ["sign"]),
    _m("xor_sum_not_mean", "p3b-xor", "dZ2 = (p - y.reshape(-1, 1)) / N",
       "dZ2 = p - y.reshape(-1, 1)", _XOR_GRADS + ["test-xor-trained"], ["batch size"]),
    _m("xor_dW1_transposed", "p3b-xor", "dW1 = X.T @ dZ1", "dW1 = dZ1.T @ X",
       ["test-xor-dW1", "test-xor-trained"], ["transpose"]),
    _m("xor_X_not_transposed", "p3b-xor", "dW1 = X.T @ dZ1", "dW1 = X @ dZ1",
       _XOR_GRADS + ["test-xor-trained"], ["matmul", "mismatch", "transposed"]),
    _m("xor_too_few_steps", "p3c-train", "for _ in range(steps):", "for _ in range(3):",
       ["test-xor-trained"], ["of the 4 XOR points"]),
    _m("xor_layers_from_helpers", "p3b-xor", "    N = X.shape[0]",
       "    from helpers.layers import Sigmoid\n    Sigmoid()\n    N = X.shape[0]",
       _XOR_GRADS + ["test-xor-trained"], ["Sigmoid"]),
]
