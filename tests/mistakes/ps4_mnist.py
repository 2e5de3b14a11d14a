"""Typical mistakes in problem set 4 (format: see tests/mistakes/__init__.py)."""
from __future__ import annotations

from tests.mistakes import make as _make

PS = "ps4_mnist"
_GRADS = ["test-dW3", "test-db3", "test-hidden-weights", "test-hidden-biases"]


def _m(*args, **kw):
    return _make(PS, *args, **kw)


MISTAKES = [
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
       ["test-dlogits"] + _GRADS, ["dlogits is wrong"]),
    _m("relu_mask_missing_layer2", "p2b-backward",
       'dZ2 = (dZ3 @ params["W3"].T) * (Z2 > 0)', 'dZ2 = dZ3 @ params["W3"].T',
       ["test-hidden-weights", "test-hidden-biases"], ["dW2 is wrong", "db2 is wrong"]),
    _m("relu_mask_missing_layer1", "p2b-backward",
       'dZ1 = (dZ2 @ params["W2"].T) * (Z1 > 0)', 'dZ1 = dZ2 @ params["W2"].T',
       ["test-hidden-weights", "test-hidden-biases"], ["dW1 is wrong", "db1 is wrong"]),
    _m("dW3_transposed", "p2b-backward", 'grads = {"W3": H2.T @ dZ3,',
       'grads = {"W3": dZ3.T @ H2,', ["test-dW3", "test-accuracy"], ["dW3 has shape"]),
    _m("db3_not_summed", "p2b-backward", '"b3": dZ3.sum(axis=0)}', '"b3": dZ3}',
       ["test-db3", "test-accuracy"], ["sum(axis=0)"]),
    _m("db1_mean_not_sum", "p2b-backward", 'grads["b1"] = dZ1.sum(axis=0)',
       'grads["b1"] = dZ1.mean(axis=0)', ["test-hidden-biases"], ["db1", "batch size"]),
    _m("dW2_uses_Z1", "p2b-backward", 'grads["W2"] = H1.T @ dZ2', 'grads["W2"] = Z1.T @ dZ2',
       ["test-hidden-weights"], ["dW2 is wrong"]),
    _m("backward_with_helpers_layers", "p2b-backward",
       "    dZ3 = softmax_ce_backward(logits, Y)",
       "    from helpers.layers import SoftmaxCrossEntropy\n"
       "    loss = SoftmaxCrossEntropy()\n"
       "    loss.forward(logits, y)\n"
       "    dZ3 = loss.backward()", _GRADS, ["SoftmaxCrossEntropy"]),
    _m("train_gradient_ascent", "p3a-train", "params[k] -= lr * grads[k]",
       "params[k] += lr * grads[k]", ["test-accuracy"], ["below the required 0.900"]),
    _m("train_too_little", "p3a-train", "for _epoch in range(epochs):",
       "for _epoch in range(1):\n        lr = 0.002", ["test-accuracy"], ["below the required"]),
]
