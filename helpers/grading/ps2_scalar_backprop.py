"""The checks of problem set 2 (scalar backprop): the local derivatives of the ξ chain, forward
and reverse mode, the regularised logistic unit (ȳ, z̄, w̄, b̄) and the gradients of a small
scalar autograd engine (mul, tanh, exp, pow, a reused input).

A check module follows the rules in :mod:`helpers.grading.spec_tools` (no imports, no global
names in any function); :func:`build` is called with the sealed checker's kit ``K``.
"""


def build(K, T):  # noqa: C901 - one table, read top to bottom
    """``(specs, forwards)``: ``{check name: spec}`` and ``{name: forward function}``.

    ``K``: the kit (numpy ufuncs, builtins, the checker's helpers); ``T``: the shared building
    blocks (:func:`helpers.grading.spec_tools.make_tools`).
    """
    exp, log, tanh, arr, f64 = K.exp, K.log, K.tanh, K.array, K.float64
    _list, _tuple, _range = K.list, K.tuple, K.range
    sigmoid, param = T["sigmoid"], T["param"]

    # Harvard's xi chain (loss L = -y log p)
    xi_nodes = (
        lambda W, X: -W * X,
        lambda a: exp(a),
        lambda a: 1.0 + a,
        lambda a: 1.0 / a,
        lambda a: log(a),
    )

    def xi_chain(X, y, W):
        """[xi1, ..., xi5, L] for floats X, y, W."""
        v = xi_nodes[0](W, X)
        out = [v]
        for node in xi_nodes[1:]:
            v = node(v)
            out.append(v)
        out.append(-y * v)
        return out

    def reg_loss(w, b, x, t, lam):
        return 0.5 * (sigmoid(w * x + b) - t) ** 2 + lam * 0.5 * w ** 2

    forwards = {"xi_chain": xi_chain, "reg_loss": reg_loss}
    S = {}

    def grad_spec(name, **spec):
        S[name] = T["grad_spec"](**spec)

    def make_xi(R):  # X, y, W with X*W not too large
        return (R.uniform(-2, 2), R.uniform(0.2, 1.0), R.uniform(-2, 2))

    def make_local(R):
        return (R.uniform(-2, 2), R.uniform(-2, 2), R.uniform(0.2, 1.0), R.uniform(-3, 3),
                R.uniform(0.1, 3), R.uniform(1.1, 4), R.uniform(0.2, 0.95),
                R.uniform(-3, -0.05))

    def judge_local(args, answer):
        W, X, y, a1, a2, a3, a4, a5 = args
        got = K.pick(answer, None, "all_local_derivatives(...)")
        names = ("∂ξ1/∂W", "∂ξ2/∂ξ1", "∂ξ3/∂ξ2", "∂ξ4/∂ξ3", "∂ξ5/∂ξ4", "∂L/∂ξ5")
        refs = (K.numgrad(lambda v: xi_nodes[0](v, X), W), K.numgrad(xi_nodes[1], a1),
                K.numgrad(xi_nodes[2], a2), K.numgrad(xi_nodes[3], a3),
                K.numgrad(xi_nodes[4], a4), K.numgrad(lambda v: -y * v, a5))
        return K.compare_list(names, got, refs, tol=1e-5)

    S["ps2.local_derivatives"] = {
        "make": make_local, "judge": judge_local,
        "call": "all_local_derivatives(W, X, y, xi1, xi2, xi3, xi4, xi5)",
        "label": "the local derivatives", "pick": None,
        "about": "(d_xi1(W, X), d_xi2(xi1), d_xi3(xi2), d_xi4(xi3), d_xi5(xi4), d_loss(y, xi5))"}

    def judge_forward_mode(args, answer):
        X, y, W = args
        got = K.pick(answer, None, "forward_mode(X, y, W)")
        names = ("∂ξ1/∂W", "∂ξ2/∂W", "∂ξ3/∂W", "∂ξ4/∂W", "∂ξ5/∂W", "∂L/∂W")
        refs = _tuple(K.numgrad(lambda v, k=k: xi_chain(X, y, v)[k], W) for k in _range(6))
        return K.compare_list(names, got, refs, tol=1e-5)

    S["ps2.forward_mode"] = {
        "make": make_xi, "judge": judge_forward_mode, "call": "forward_mode(X, y, W)",
        "label": "forward mode", "pick": None,
        "about": "returns [∂ξ1/∂W, ∂ξ2/∂W, ∂ξ3/∂W, ∂ξ4/∂W, ∂ξ5/∂W, ∂L/∂W]"}

    def downstream(X, y, W, k):
        """L as a function of xi_k (k = 1..5), and the value of xi_k."""
        vals = xi_chain(X, y, W)

        def rest(v):
            for node in xi_nodes[k:]:
                v = node(v)
            return -y * v
        return rest, vals[k - 1]

    def judge_reverse_mode(args, answer):
        X, y, W = args
        got = K.pick(answer, None, "reverse_mode(X, y, W)")
        names = ("∂L/∂ξ5", "∂L/∂ξ4", "∂L/∂ξ3", "∂L/∂ξ2", "∂L/∂ξ1", "∂L/∂W")
        refs = []
        for k in (5, 4, 3, 2, 1):
            rest, at = downstream(X, y, W, k)
            refs.append(K.numgrad(rest, at))
        refs.append(K.numgrad(lambda v: xi_chain(X, y, v)[5], W))
        return K.compare_list(names, got, _tuple(refs), tol=1e-5)

    S["ps2.reverse_mode"] = {
        "make": make_xi, "judge": judge_reverse_mode, "call": "reverse_mode(X, y, W)",
        "label": "reverse mode", "pick": None,
        "about": "returns [∂L/∂ξ5, ∂L/∂ξ4, ∂L/∂ξ3, ∂L/∂ξ2, ∂L/∂ξ1, ∂L/∂W]"}

    def make_reg(R):
        return (R.normal(()) * 1.5, R.normal(()), R.normal(()) * 1.5, R.uniform(0, 1),
                R.uniform(0.05, 1.0))

    def reg_sig_prime(a):
        s = sigmoid(a[0] * a[2] + a[1])
        return s * (1 - s)

    grad_spec("ps2.reg_ybar", call="reg_backward(w, b, x, t, lam)", label="ȳ",
              make=make_reg, pick="y",
              point=lambda a: sigmoid(a[0] * a[2] + a[1]),
              func=lambda a, v: 0.5 * (v - a[3]) ** 2 + a[4] * 0.5 * a[0] ** 2,
              about="ȳ = ∂L_reg/∂y with y = σ(z)")
    grad_spec("ps2.reg_zbar", call="reg_backward(w, b, x, t, lam)", label="z̄",
              make=make_reg, pick="z",
              point=lambda a: a[0] * a[2] + a[1],
              func=lambda a, v: 0.5 * (sigmoid(v) - a[3]) ** 2 + a[4] * 0.5 * a[0] ** 2,
              diag=lambda a: {"activation_grad": reg_sig_prime(a)},
              about="z̄ = ∂L_reg/∂z with z = wx + b")
    for idx, sym in ((0, "w"), (1, "b")):
        pt, fn = param(idx, reg_loss)
        grad_spec(f"ps2.reg_{sym}bar", call="reg_backward(w, b, x, t, lam)", label=f"{sym}̄",
                  make=make_reg, pick=sym, point=pt, func=fn,
                  diag=lambda a: {"activation_grad": reg_sig_prime(a)},
                  about=f"{sym}̄ = ∂L_reg/∂{sym}, L_reg = ½(σ(wx+b) - t)² + λ·½w²")

    engine = {
        "mul": (lambda a, b: a * b, 2, "a * b"),
        "tanh": (lambda a: tanh(a), 1, "a.tanh()"),
        "exp": (lambda a: exp(a), 1, "a.exp()"),
        "pow": (lambda a: a ** 3, 1, "a ** 3"),
        "reuse": (lambda a, b: tanh(a * b) * a + exp(a) * b + a * a, 2,
                  "(a * b).tanh() * a + a.exp() * b + a * a"),
    }
    for op, (f, n, text) in engine.items():
        grad_spec(f"ps2.engine_{op}", call=f"engine_grads(lambda ...: {text}, ...)",
                  label=f"∇f for f = {text}",
                  make=lambda R, n=n: _tuple(R.uniform(-1.5, 1.5) for _ in _range(n)),
                  point=lambda a: arr(a, dtype=f64),
                  func=lambda a, v, f=f, n=n: f(*[v[i] for i in _range(n)]),
                  about=f"gradients of f = {text} with respect to its inputs, from your Var")
    return S, forwards
