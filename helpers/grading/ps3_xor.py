"""The checks of problem set 3 (one hidden layer, XOR): the gradients of a sigmoid MLP by hand
and by the chain rule, one gradient-descent update, the XOR net's backward pass and its training.

A check module follows the rules in :mod:`helpers.grading.spec_tools` (no imports, no global
names in any function); :func:`build` is called with the sealed checker's kit ``K``.
"""


def build(K, T):  # noqa: C901 - one table, read top to bottom
    """``(specs, forwards)``: ``{check name: spec}`` and ``{name: forward function}``.

    ``K``: the kit (numpy ufuncs, builtins, the checker's helpers); ``T``: the shared building
    blocks (:func:`helpers.grading.spec_tools.make_tools`).
    """
    log, arr, f64 = K.log, K.array, K.float64
    _Exception = K.Exception
    sigmoid, total, param, dict_param = T["sigmoid"], T["total"], T["param"], T["dict_param"]
    diverged = T["diverged"]

    def mlp1_loss(X, t, W1, W2):
        """Harvard: y = σ(X W1) W2, L = mean (y - t)²; X (N, D), t (N, 1), W1 (D, H), W2 (H, 1)."""
        return total((sigmoid(X @ W1) @ W2 - t) ** 2) / X.shape[0]

    def xor_loss(X, y, P):
        """Mean binary cross-entropy; X (N, 2), y (N,); P: W1 (2, H), b1 (H,), W2 (H, 1), b2."""
        p = sigmoid(sigmoid(X @ P["W1"] + P["b1"]) @ P["W2"] + P["b2"]).reshape(-1)
        return -total(y * log(p) + (1.0 - y) * log(1.0 - p)) / X.shape[0]

    def xor_predict(X, P):
        return (sigmoid(sigmoid(X @ P["W1"] + P["b1"]) @ P["W2"] + P["b2"]).reshape(-1)
                > 0.5)

    forwards = {"mlp1_loss": mlp1_loss, "xor_loss": xor_loss, "xor_predict": xor_predict}
    S = {}

    def grad_spec(name, **spec):
        S[name] = T["grad_spec"](**spec)

    def make_mlp1(R):
        n, d, h = R.integers(3, 9), R.integers(2, 5), R.integers(2, 6)
        return (R.normal((n, d)), R.normal((n, 1)), R.normal((d, h)), R.normal((h, 1)))

    for style in ("hand", "chain"):
        fname = "grads_by_hand" if style == "hand" else "grads_by_chain"
        for idx, wname in ((0, "W1"), (1, "W2")):
            pt, fn = param(2 + idx, mlp1_loss)
            grad_spec(f"ps3.{style}_d{wname}", call=f"{fname}(X, t, W1, W2)",
                      label=f"∂L/∂{wname} (d{wname})", make=make_mlp1, pick=idx, point=pt,
                      func=fn, diag=lambda a: {"batch_size": a[0].shape[0]},
                      about="L = mean((σ(X W1) W2 - t)²)")

    def make_update(R):
        return make_mlp1(R) + (R.uniform(0.01, 0.5),)

    def judge_update(args, answer):
        X, t, W1, W2, lr = args
        exp1 = W1 - lr * K.numgrad(lambda v: mlp1_loss(X, t, v, W2), W1)
        exp2 = W2 - lr * K.numgrad(lambda v: mlp1_loss(X, t, W1, v), W2)
        msgs = []
        for i, label, want in ((0, "the new W1", exp1), (1, "the new W2", exp2)):
            m = K.compare(label, K.pick(answer, i, "one_update(...)"), want, tol=1e-6)
            if m is not None:
                msgs.append(m)
        return K.join(msgs) if msgs else None

    S["ps3.update"] = {"make": make_update, "judge": judge_update, "pick": None,
                       "call": "one_update(grads_fn, X, t, W1, W2, lr)", "label": "the update",
                       "about": "returns (W1 - lr ∂L/∂W1, W2 - lr ∂L/∂W2)"}

    def make_xor(R):
        n, h = R.integers(4, 11), R.integers(2, 7)
        P = {"W1": R.normal((2, h)), "b1": R.normal((h,)) * 0.5, "W2": R.normal((h, 1)),
             "b2": R.normal((1,)) * 0.5}
        y = K.floor(R.uniform(0, 2, (n,))).astype(K.int64)
        return (R.normal((n, 2)), y, P)

    def xor_hidden_grad(a):
        X, _, P = a
        s = sigmoid(X @ P["W1"] + P["b1"])
        return s * (1 - s)

    for key in ("W2", "b2", "W1", "b1"):
        pt, fn = dict_param(2, key, xor_loss)
        diag = (lambda a: {"batch_size": a[0].shape[0]})
        grad_spec(f"ps3.xor_d{key}", call="xor_backward(X, y, params)", label=f"d{key}",
                  make=make_xor, pick=key, point=pt, func=fn, diag=diag,
                  about="L = mean binary cross-entropy of σ(σ(X W1 + b1) W2 + b2)")

    def judge_xor_trained(args, answer):
        P = K.pick_params(answer, ("W1", "b1", "W2", "b2"), "train_xor(seed)")
        if K.is_message(P):
            return P
        X = arr([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=f64)
        want = arr([False, True, True, False])
        try:
            pred = xor_predict(X, P)
        except _Exception as e:  # noqa: BLE001 - shapes that do not fit
            return f"the parameters from train_xor do not fit the XOR net: {K.str(e)}"
        ok = K.logical_and.reduce(pred == want)
        if ok:
            return None
        n_ok = K.int(K.add.reduce(pred == want))
        if diverged(P):
            advice = ("its parameters contain NaN or infinite values, so training diverged: lower "
                      "the learning rate, and check that the update subtracts lr times the "
                      "gradient (a wrong sign makes the loss grow)")
        else:
            advice = ("train longer, raise the learning rate, or check that the update subtracts "
                      "lr times the gradient")
        return (f"after train_xor(seed={args[0]}) the net classifies {n_ok}"
                f" of the 4 XOR points correctly, not all 4: {advice}")

    S["ps3.xor_trained"] = {"make": lambda R: (R.integers(0, 2 ** 31),), "pick": None,
                            "judge": judge_xor_trained, "call": "train_xor(seed)",
                            "label": "the trained XOR net",
                            "about": "returns params that classify all four XOR points"}
    return S, forwards
