"""The checks of problem set 4 (MNIST): the softmax cross-entropy gradient, the backward pass of a
ReLU-ReLU-softmax MLP whose loss adds an L2 penalty on its weights, and the test accuracy of the
student's trained parameters.

A check module follows the rules in :mod:`helpers.grading.spec_tools` (no imports, no global
names in any function); :func:`build` is called with the sealed checker's kit ``K``.

Every check draws shapes in which all dimensions differ (batch N, inputs D, hidden widths H1 and
H2, classes C), so that ``X @ dZ`` for ``X.T @ dZ``, a transposed weight gradient or a bias summed
over the wrong axis shows in the shape. Mistakes that no entry-by-entry comparison can recognise
(a dropped ReLU mask inside ``dW1``, a forgotten L2 term) are listed per check with the gradient
they produce, so that the message names them.
"""


def build(K, T):  # noqa: C901 - one table, read top to bottom
    """``(specs, forwards)``: ``{check name: spec}`` and ``{name: forward function}``.

    ``K``: the kit (numpy ufuncs, builtins, the checker's helpers); ``T``: the shared building
    blocks (:func:`helpers.grading.spec_tools.make_tools`).
    """
    add, exp, log, maximum, f64, fl = K.add, K.exp, K.log, K.maximum, K.float64, K.float
    _Exception = K.Exception
    total, param, dict_param, diverged = T["total"], T["param"], T["dict_param"], T["diverged"]
    softmax = T["softmax"]

    def ce_loss(logits, Y):
        """Mean cross-entropy of softmax(logits) (N, C) against one-hot Y (N, C)."""
        z = logits - maximum.reduce(logits, axis=1, keepdims=True)
        lse = log(add.reduce(exp(z), axis=1, keepdims=True))
        return -total(Y * (z - lse)) / logits.shape[0]

    def mlp3_logits(X, P):
        """X (N, D) → logits (N, C); P: W1 (D, H1), b1 (H1,), W2 (H1, H2), b2, W3 (H2, C), b3."""
        A1 = maximum(X @ P["W1"] + P["b1"], 0.0)
        A2 = maximum(A1 @ P["W2"] + P["b2"], 0.0)
        return A2 @ P["W3"] + P["b3"]

    def one_hot(y, C):
        Y = K.zeros((y.shape[0], C), dtype=f64)
        Y[K.arange(y.shape[0]), y] = 1.0
        return Y

    def mlp3_loss(X, y, P, lam=0.0):
        """Mean cross-entropy plus (lam / 2) times the sum of the squares of W1, W2, W3."""
        logits = mlp3_logits(X, P)
        penalty = total(P["W1"] ** 2) + total(P["W2"] ** 2) + total(P["W3"] ** 2)
        return ce_loss(logits, one_hot(y, logits.shape[1])) + 0.5 * lam * penalty

    forwards = {"ce_loss": ce_loss, "mlp3_logits": mlp3_logits, "mlp3_loss": mlp3_loss}
    S = {}

    def grad_spec(name, **spec):
        S[name] = T["grad_spec"](**spec)

    def make_logits(R):
        n, c = R.integers(6, 9), R.integers(3, 6)   # N in 6..8 differs from C in 3..5
        Y = K.zeros((n, c), dtype=f64)
        Y[K.arange(n), K.floor(R.uniform(0, c, (n,))).astype(K.int64)] = 1.0
        return (R.normal((n, c)) * 2, Y)

    pt, fn = param(0, ce_loss)
    grad_spec("ps4.dlogits", call="softmax_ce_backward(logits, Y)", label="dlogits",
              make=make_logits, point=pt, func=fn,
              diag=lambda a: {"batch_size": a[0].shape[0]},
              mistakes=lambda a: [(
                  "missing_softmax", (a[0] - a[1]) / a[0].shape[0],
                  "the gradient compares the probabilities with the one-hot labels, not the "
                  "raw logits: dlogits = (softmax(logits) - Y) / N")],
              about="mean cross-entropy of softmax(logits) against one-hot Y")

    def draw_mlp3(R):
        # every dimension differs: N 11..13, D 9..10, H1 7..8, H2 5..6, C 3..4
        n, d, h1, h2, c = (R.integers(11, 14), R.integers(9, 11), R.integers(7, 9),
                           R.integers(5, 7), R.integers(3, 5))
        P = {"W1": R.normal((d, h1)) * 0.8, "b1": R.normal((h1,)) * 0.3,
             "W2": R.normal((h1, h2)) * 0.8, "b2": R.normal((h2,)) * 0.3,
             "W3": R.normal((h2, c)) * 0.8, "b3": R.normal((c,)) * 0.3}
        y = K.floor(R.uniform(0, c, (n,))).astype(K.int64)
        return (R.normal((n, d)), y, P, R.uniform(0.1, 0.5))

    def far_from_kinks(a):
        """No pre-activation within 1e-4 of ReLU's kink: a finite difference with a step of
        1e-6 then never straddles it (it would average two slopes and fail a right answer)."""
        X, _, P, _ = a
        Z1 = X @ P["W1"] + P["b1"]
        Z2 = maximum(Z1, 0.0) @ P["W2"] + P["b2"]
        for Z in (Z1, Z2):
            if -maximum.reduce(-maximum(Z, -Z).reshape(-1)) < 1e-4:
                return False
        return True

    def make_mlp3(R):
        args = draw_mlp3(R)
        for _ in K.range(100):
            if far_from_kinks(args):
                break
            args = draw_mlp3(R)
        return args

    def backward_parts(a):
        """The intermediate values of the backward pass, by the formulas of the problem set."""
        X, y, P, lam = a
        Z1 = X @ P["W1"] + P["b1"]
        A1 = maximum(Z1, 0.0)
        Z2 = A1 @ P["W2"] + P["b2"]
        A2 = maximum(Z2, 0.0)
        logits = A2 @ P["W3"] + P["b3"]
        dZ3 = (softmax(logits) - one_hot(y, logits.shape[1])) / X.shape[0]
        dA2 = dZ3 @ P["W3"].T
        dZ2 = dA2 * (Z2 > 0)
        dA1 = dZ2 @ P["W2"].T
        return {"X": X, "A1": A1, "A2": A2, "Z1": Z1, "Z2": Z2, "dZ3": dZ3, "dA2": dA2,
                "dZ2": dZ2, "dA1": dA1, "m1": (Z1 > 0) * 1.0}

    LAYER = {"W3": 3, "b3": 3, "W2": 2, "b2": 2, "W1": 1, "b1": 1}

    def mlp3_mistakes(key):
        """The gradients of ``key`` that the usual mistakes produce, with their names."""
        layer = LAYER[key]
        is_weight = key[0] == "W"

        def mistakes(a):
            _, _, P, lam = a
            v = backward_parts(a)
            inputs = {3: v["A2"], 2: v["A1"], 1: v["X"]}[layer]
            dZ = {3: v["dZ3"], 2: v["dZ2"], 1: v["dA1"] * v["m1"]}[layer]
            out = []

            def grad_from(dZ_wrong, decay=1.0):
                """The gradient of ``key`` had ``dZ_wrong`` been this layer's ∂L/∂Z."""
                if is_weight:
                    return inputs.T @ dZ_wrong + decay * lam * P[key]
                return add.reduce(dZ_wrong, axis=0)

            if is_weight:
                out += [
                    ("missing_l2_term", grad_from(dZ, 0.0),
                     f"the L2 term is missing: (λ/2)·‖{key}‖² adds λ·{key} to the gradient, "
                     f"d{key} = (input).T @ dZ + lam * {key}"),
                    ("l2_factor_2", grad_from(dZ, 2.0),
                     f"the L2 term is twice too large: the derivative of (λ/2)·‖{key}‖² is "
                     f"λ·{key}, not 2λ·{key}"),
                    ("l2_divided_by_batch", grad_from(dZ, 1.0 / v["X"].shape[0]),
                     f"the L2 term is divided by the batch size: only the cross-entropy is a "
                     f"mean over the batch, the penalty is added once, d{key} = ... + lam * {key}"),
                ]
                if layer >= 2:
                    pre = v["Z2"] if layer == 3 else v["Z1"]
                    out.append((
                        "preactivation_instead_of_activation", pre.T @ dZ + lam * P[key],
                        f"d{key} multiplies by the layer's input, the activation "
                        f"A{layer - 1} = ReLU(Z{layer - 1}), not the pre-activation "
                        f"Z{layer - 1}: d{key} = A{layer - 1}.T @ dZ{layer} + lam * {key}"))
            else:
                out += [
                    ("bias_decayed", grad_from(dZ) + lam * P[key],
                     f"the L2 penalty covers the weights W1, W2, W3 only, not the biases: "
                     f"d{key} = dZ{layer}.sum(axis=0), with no lam * {key}"),
                    ("bias_wrong_axis", add.reduce(dZ, axis=1),
                     f"d{key} sums each row of dZ{layer} (axis=1), one number per example: "
                     f"the bias is added to every row, so add up the rows, "
                     f"d{key} = dZ{layer}.sum(axis=0)"),
                ]
            if layer <= 2:
                no_mask2 = v["dA2"]
                act2 = v["dA2"] * v["A2"]
                if layer == 2:
                    wrong2 = ((no_mask2, "missing_activation_derivative",
                               "the ReLU mask of layer 2 is missing: dZ2 = (dZ3 @ W3.T) * (Z2 > 0) "
                               "(ReLU' is 1 where Z2 > 0 and 0 elsewhere)"),
                              (act2, "activation_instead_of_derivative",
                               "you multiplied by the activation ReLU(Z2) instead of its "
                               "derivative, the 0/1 mask: dZ2 = (dZ3 @ W3.T) * (Z2 > 0)"))
                else:
                    wrong2 = ((no_mask2 @ P["W2"].T * v["m1"], "missing_activation_derivative",
                               "the ReLU mask of layer 2 is missing (it reaches dW1 through "
                               "dZ2): dZ2 = (dZ3 @ W3.T) * (Z2 > 0)"),
                              (act2 @ P["W2"].T * v["m1"], "activation_instead_of_derivative",
                               "layer 2 multiplies by the activation ReLU(Z2) instead of its "
                               "derivative, the 0/1 mask: dZ2 = (dZ3 @ W3.T) * (Z2 > 0)"))
                for dZ_wrong, kind, advice in wrong2:
                    out.append((kind, grad_from(dZ_wrong), advice))
            if layer == 1:
                out += [
                    ("missing_activation_derivative", grad_from(v["dA1"]),
                     "the ReLU mask of layer 1 is missing: dZ1 = (dZ2 @ W2.T) * (Z1 > 0) "
                     "(ReLU' is 1 where Z1 > 0 and 0 elsewhere)"),
                    ("activation_instead_of_derivative", grad_from(v["dA1"] * v["A1"]),
                     "you multiplied by the activation ReLU(Z1) instead of its derivative, the "
                     "0/1 mask: dZ1 = (dZ2 @ W2.T) * (Z1 > 0)"),
                ]
            return out
        return mistakes

    for key in ("W3", "b3", "W2", "b2", "W1", "b1"):
        pt, fn = dict_param(2, key, mlp3_loss)
        grad_spec(f"ps4.d{key}", call="mlp_backward(X, y, params, lam)", label=f"d{key}",
                  make=make_mlp3, pick=key, point=pt, func=fn,
                  diag=lambda a: {"batch_size": a[0].shape[0]}, tol=1e-5,
                  mistakes=mlp3_mistakes(key),
                  about="mean cross-entropy of a ReLU-ReLU-softmax MLP plus (lam/2)·(‖W1‖² + "
                        "‖W2‖² + ‖W3‖²), params W1 b1 W2 b2 W3 b3")

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
