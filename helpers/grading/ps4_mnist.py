"""The checks of problem set 4 (MNIST): the softmax cross-entropy gradient, the backward pass of a
ReLU-ReLU-softmax MLP, and the test accuracy of the student's trained parameters.

A check module follows the rules in :mod:`helpers.grading.spec_tools` (no imports, no global
names in any function); :func:`build` is called with the sealed checker's kit ``K``.
"""


def build(K, T):  # noqa: C901 - one table, read top to bottom
    """``(specs, forwards)``: ``{check name: spec}`` and ``{name: forward function}``.

    ``K``: the kit (numpy ufuncs, builtins, the checker's helpers); ``T``: the shared building
    blocks (:func:`helpers.grading.spec_tools.make_tools`).
    """
    add, exp, log, maximum, f64, fl = K.add, K.exp, K.log, K.maximum, K.float64, K.float
    _Exception = K.Exception
    total, param, dict_param, diverged = T["total"], T["param"], T["dict_param"], T["diverged"]

    def ce_loss(logits, Y):
        """Mean cross-entropy of softmax(logits) (N, C) against one-hot Y (N, C)."""
        z = logits - maximum.reduce(logits, axis=1, keepdims=True)
        lse = log(add.reduce(exp(z), axis=1, keepdims=True))
        return -total(Y * (z - lse)) / logits.shape[0]

    def mlp3_logits(X, P):
        """X (N, D) → logits (N, C); P: W1 (D, H1), b1 (H1,), W2 (H1, H2), b2, W3 (H2, C), b3."""
        h1 = maximum(X @ P["W1"] + P["b1"], 0.0)
        h2 = maximum(h1 @ P["W2"] + P["b2"], 0.0)
        return h2 @ P["W3"] + P["b3"]

    def mlp3_loss(X, y, P):
        logits = mlp3_logits(X, P)
        Y = K.zeros(logits.shape, dtype=f64)
        Y[K.arange(X.shape[0]), y] = 1.0
        return ce_loss(logits, Y)

    forwards = {"ce_loss": ce_loss, "mlp3_logits": mlp3_logits, "mlp3_loss": mlp3_loss}
    S = {}

    def grad_spec(name, **spec):
        S[name] = T["grad_spec"](**spec)

    def make_logits(R):
        n, c = R.integers(2, 9), R.integers(3, 8)
        Y = K.zeros((n, c), dtype=f64)
        Y[K.arange(n), K.floor(R.uniform(0, c, (n,))).astype(K.int64)] = 1.0
        return (R.normal((n, c)) * 2, Y)

    pt, fn = param(0, ce_loss)
    grad_spec("ps4.dlogits", call="softmax_ce_backward(logits, Y)", label="dlogits",
              make=make_logits, point=pt, func=fn,
              diag=lambda a: {"batch_size": a[0].shape[0]},
              about="mean cross-entropy of softmax(logits) against one-hot Y")

    def make_mlp3(R):
        n, d, h1, h2, c = (R.integers(3, 8), R.integers(3, 7), R.integers(3, 7),
                           R.integers(3, 7), R.integers(3, 6))
        P = {"W1": R.normal((d, h1)) * 0.8, "b1": R.normal((h1,)) * 0.3,
             "W2": R.normal((h1, h2)) * 0.8, "b2": R.normal((h2,)) * 0.3,
             "W3": R.normal((h2, c)) * 0.8, "b3": R.normal((c,)) * 0.3}
        y = K.floor(R.uniform(0, c, (n,))).astype(K.int64)
        return (R.normal((n, d)), y, P)

    def relu_grad(a, layer):
        X, _, P = a
        z1 = X @ P["W1"] + P["b1"]
        if layer == 1:
            return (z1 > 0) * 1.0
        z2 = maximum(z1, 0.0) @ P["W2"] + P["b2"]
        return (z2 > 0) * 1.0

    for key in ("W3", "b3", "W2", "b2", "W1", "b1"):
        pt, fn = dict_param(2, key, mlp3_loss)
        grad_spec(f"ps4.d{key}", call="mlp_backward(X, y, params)", label=f"d{key}",
                  make=make_mlp3, pick=key, point=pt, func=fn,
                  diag=lambda a: {"batch_size": a[0].shape[0]}, tol=1e-5,
                  about="mean cross-entropy of a ReLU-ReLU-softmax MLP, params W1 b1 W2 b2 W3 b3")

    def judge_accuracy(args, answer):
        data = K.data("mnist_test")
        if data is None:
            return ("the MNIST test set was not registered: run the notebook from the first cell "
                    "(Kernel → Restart & Run All)")
        X, y = data
        P = K.pick_params(answer, ("W1", "b1", "W2", "b2", "W3", "b3"), "params_mnist")
        if K.is_message(P):
            return P
        try:
            pred = mlp3_logits(X, P).argmax(axis=1)
        except _Exception as e:  # noqa: BLE001
            return f"params_mnist does not fit a 784-...-10 ReLU MLP: {K.str(e)}"
        acc = fl(add.reduce(pred == y)) / y.shape[0]
        if acc >= 0.9:
            return None
        if diverged(P):
            advice = ("its parameters contain NaN or infinite values, so training diverged: lower "
                      "the learning rate, and check the gradients first")
        else:
            advice = ("train for more epochs or with a larger learning rate, and check the "
                      "gradients first")
        return f"test accuracy of params_mnist is {acc:.3f}, below the required 0.900: {advice}"

    S["ps4.accuracy"] = {"make": lambda R: (), "judge": judge_accuracy, "pick": None,
                         "call": "params_mnist", "label": "test accuracy",
                         "about": "accuracy of params_mnist on the bundled MNIST test split ≥ 0.9"}
    return S, forwards
