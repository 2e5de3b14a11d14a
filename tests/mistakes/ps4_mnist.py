"""Typical mistakes in problem set 4 (format: see tests/mistakes/__init__.py)."""
from __future__ import annotations

from tests.mistakes import make as _make

PS = "ps4_mnist"
_GRADS = ["test-dW3", "test-db3", "test-hidden-weights", "test-hidden-biases"]
_HIDDEN = ["test-hidden-weights", "test-hidden-biases"]
_DZ2 = 'dZ2 = (dZ3 @ params["W3"].T) * (Z2 > 0)'
_DZ1 = 'dZ1 = (dZ2 @ params["W2"].T) * (Z1 > 0)'


def _m(*args, **kw):
    return _make(PS, *args, **kw)


MISTAKES = [
    # 1. softmax + cross-entropy
    _m("dlogits_sum_not_mean", "p1b-dlogits", "return (softmax(logits) - Y) / logits.shape[0]",
       "return softmax(logits) - Y", ["test-dlogits"] + _GRADS + ["test-accuracy"],
       ["batch size"]),
    _m("dlogits_label_minus_prediction", "p1b-dlogits",
       "return (softmax(logits) - Y) / logits.shape[0]",
       "return (Y - softmax(logits)) / logits.shape[0]",
       ["test-dlogits"] + _GRADS + ["test-accuracy"], ["sign", "below the required"]),
    _m("dlogits_forgot_softmax", "p1b-dlogits",
       "return (softmax(logits) - Y) / logits.shape[0]",
       "return (logits - Y) / logits.shape[0]",
       ["test-dlogits"] + _GRADS, ["missing_softmax", "softmax(logits) - Y"]),
    # 2. transfer: the backward pass with an L2 penalty
    _m("relu_mask_missing_layer2", "p2b-backward", _DZ2, 'dZ2 = dZ3 @ params["W3"].T',
       _HIDDEN, ["missing_activation_derivative", "ReLU mask of layer 2"]),
    _m("relu_mask_missing_layer1", "p2b-backward", _DZ1, 'dZ1 = dZ2 @ params["W2"].T',
       _HIDDEN, ["missing_activation_derivative", "ReLU mask of layer 1"]),
    _m("relu_instead_of_mask_layer1", "p2b-backward", _DZ1,
       'dZ1 = (dZ2 @ params["W2"].T) * np.maximum(Z1, 0)',
       _HIDDEN, ["activation_instead_of_derivative"]),
    _m("l2_missing", "p2b-backward", '"W3": A2.T @ dZ3 + lam * params["W3"]',
       '"W3": A2.T @ dZ3', ["test-dW3"], ["missing_l2_term", "lam * W3"]),
    _m("l2_factor_2", "p2b-backward", 'grads["W2"] = A1.T @ dZ2 + lam * params["W2"]',
       'grads["W2"] = A1.T @ dZ2 + 2 * lam * params["W2"]', ["test-hidden-weights"],
       ["l2_factor_2"]),
    _m("l2_divided_by_batch", "p2b-backward", 'grads["W1"] = X.T @ dZ1 + lam * params["W1"]',
       'grads["W1"] = X.T @ dZ1 + lam * params["W1"] / X.shape[0]', ["test-hidden-weights"],
       ["l2_divided_by_batch"]),
    _m("bias_decayed", "p2b-backward", 'grads["b2"] = dZ2.sum(axis=0)',
       'grads["b2"] = dZ2.sum(axis=0) + lam * params["b2"]', ["test-hidden-biases"],
       ["bias_decayed", "not the biases"]),
    _m("dW3_transposed", "p2b-backward", '"W3": A2.T @ dZ3 + lam * params["W3"]',
       '"W3": dZ3.T @ A2 + lam * params["W3"].T', ["test-dW3", "test-accuracy"],
       ["transpose"]),
    # with every dimension different, X @ dZ1 no longer has the shape of W1 by accident
    _m("dW1_X_not_transposed", "p2b-backward", 'grads["W1"] = X.T @ dZ1',
       'grads["W1"] = X @ dZ1', _GRADS + ["test-accuracy"], ["matmul", "mismatch", "transposed"]),
    _m("db3_not_summed", "p2b-backward", '"b3": dZ3.sum(axis=0)}', '"b3": dZ3}',
       ["test-db3", "test-accuracy"], ["sum(axis=0)"]),
    _m("db3_wrong_axis", "p2b-backward", '"b3": dZ3.sum(axis=0)}', '"b3": dZ3.sum(axis=1)}',
       ["test-db3", "test-accuracy"], ["bias_wrong_axis", "db3 = dZ3.sum(axis=0)"]),
    _m("db2_wrong_axis", "p2b-backward", 'grads["b2"] = dZ2.sum(axis=0)',
       'grads["b2"] = dZ2.sum(axis=1)', ["test-hidden-biases", "test-accuracy"],
       ["bias_wrong_axis"]),
    _m("db1_mean_not_sum", "p2b-backward", 'grads["b1"] = dZ1.sum(axis=0)',
       'grads["b1"] = dZ1.mean(axis=0)', ["test-hidden-biases"], ["db1", "batch size"]),
    _m("dW2_uses_Z1", "p2b-backward", 'grads["W2"] = A1.T @ dZ2', 'grads["W2"] = Z1.T @ dZ2',
       ["test-hidden-weights"],
       ["preactivation_instead_of_activation", "A1.T @ dZ2"]),
    _m("backward_with_helpers_layers", "p2b-backward",
       "    dZ3 = softmax_ce_backward(logits, Y)",
       "    from helpers.layers import SoftmaxCrossEntropy\n"
       "    loss = SoftmaxCrossEntropy()\n"
       "    loss.forward(logits, y)\n"
       "    dZ3 = loss.backward()", _GRADS, ["SoftmaxCrossEntropy"]),
    # 3. training
    _m("train_gradient_ascent", "p3a-train", "params[k] -= lr * grads[k]",
       "params[k] += lr * grads[k]", ["test-accuracy"], ["below the required 0.900"]),
    _m("train_too_little", "p3a-train", "for _epoch in range(epochs):",
       "for _epoch in range(1):\n        lr = 0.002", ["test-accuracy"], ["below the required"]),
]
