"""The checks of problem set 2 (scalar backprop): the local derivatives of the ζ chain (a leaky
max gate and the robust loss log(1 + r²)), forward and reverse mode, a tanh unit whose weight is
used twice plus L2 (ȳ, h̄, z̄, w̄, b̄), and the gradients of a small scalar autograd engine (mul,
tanh, exp, pow, a reused input). The first two are worked through in no lecture.

A check module follows the rules in :mod:`helpers.grading.spec_tools` (no imports, no global
names in any function); :func:`build` is called with the sealed checker's kit ``K``.
"""


def build(K, T):  # noqa: C901 - one table, read top to bottom
    """``(specs, forwards)``: ``{check name: spec}`` and ``{name: forward function}``.

    ``K``: the kit (numpy ufuncs, builtins, the checker's helpers); ``T``: the shared building
    blocks (:func:`helpers.grading.spec_tools.make_tools`).
    """
    exp, log, tanh, arr, f64 = K.exp, K.log, K.tanh, K.array, K.float64
    _tuple, _range, maximum = K.tuple, K.range, K.maximum
    param = T["param"]

    # 1. the ζ chain of a robust loss behind a leaky max gate (no lecture has it):
    #    ζ1 = w·x, ζ2 = max(ζ1, 0.2·ζ1), ζ3 = ζ2 - t, ζ4 = ζ3², L = log(1 + ζ4)
    zeta_nodes = (
        lambda w, x: w * x,
        lambda a: maximum(a, 0.2 * a),
        None,  # ζ3 = ζ2 - t needs t: see zeta_chain
        lambda a: a ** 2,
        lambda a: log(1.0 + a),
    )

    def zeta_chain(x, t, w):
        """[ζ1, ζ2, ζ3, ζ4, L] for floats x, t, w."""
        z1 = zeta_nodes[0](w, x)
        z2 = zeta_nodes[1](z1)
        z3 = z2 - t
        z4 = zeta_nodes[3](z3)
        return [z1, z2, z3, z4, zeta_nodes[4](z4)]

    def after(k, t):
        """The nodes after ζk (k = 1..4), as one function of ζk: L as a function of ζk."""
        def rest(v):
            if k <= 1:
                v = zeta_nodes[1](v)
            if k <= 2:
                v = v - t
            if k <= 3:
                v = zeta_nodes[3](v)
            return zeta_nodes[4](v)
        return rest

    forwards = {"zeta_chain": zeta_chain}
    S = {}

    def make_chain(R):  # x, t, w with |w·x| ≥ 0.12: no input near the max gate's kink
        sx = 1.0 if R.uniform(0, 1) < 0.5 else -1.0
        sw = 1.0 if R.uniform(0, 1) < 0.5 else -1.0
        return (sx * R.uniform(0.4, 2), R.uniform(-1.5, 1.5), sw * R.uniform(0.3, 2))

    def make_local(R):  # w, x, t, ζ1, ζ2, ζ3, ζ4
        return (R.uniform(-2, 2), R.uniform(-2, 2), R.uniform(-1.5, 1.5), R.uniform(0.1, 3),
                R.uniform(-3, 3), R.uniform(-3, 3), R.uniform(0, 5))

    def judge_local(args, answer):
        w, x, t, a1, a2, a3, a4 = args
        got = K.pick(answer, None, "all_local_derivatives(...)")
        names = ("∂ζ1/∂w", "∂ζ2/∂ζ1 at ζ1 > 0", "∂ζ2/∂ζ1 at ζ1 < 0", "∂ζ3/∂ζ2", "∂ζ4/∂ζ3",
                 "∂L/∂ζ4")
        refs = (K.numgrad(lambda v: zeta_nodes[0](v, x), w), K.numgrad(zeta_nodes[1], a1),
                K.numgrad(zeta_nodes[1], -a1), K.numgrad(lambda v: v - t, a2),
                K.numgrad(zeta_nodes[3], a3), K.numgrad(zeta_nodes[4], a4))
        return K.compare_list(names, got, refs, tol=1e-5)

    S["ps2.local_derivatives"] = {
        "make": make_local, "judge": judge_local,
        "call": "all_local_derivatives(w, x, t, zeta1, zeta2, zeta3, zeta4)",
        "label": "the local derivatives", "pick": None,
        "about": "(d_zeta1(w, x), d_zeta2(zeta1), d_zeta2(-zeta1), d_zeta3(zeta2), "
                 "d_zeta4(zeta3), d_loss(zeta4)), zeta1 > 0"}

    def judge_forward_mode(args, answer):
        x, t, w = args
        got = K.pick(answer, None, "forward_mode(x, t, w)")
        names = ("∂ζ1/∂w", "∂ζ2/∂w", "∂ζ3/∂w", "∂ζ4/∂w", "∂L/∂w")
        refs = _tuple(K.numgrad(lambda v, k=k: zeta_chain(x, t, v)[k], w) for k in _range(5))
        return K.compare_list(names, got, refs, tol=1e-5)

    S["ps2.forward_mode"] = {
        "make": make_chain, "judge": judge_forward_mode, "call": "forward_mode(x, t, w)",
        "label": "forward mode", "pick": None,
        "about": "returns [∂ζ1/∂w, ∂ζ2/∂w, ∂ζ3/∂w, ∂ζ4/∂w, ∂L/∂w]"}

    def judge_reverse_mode(args, answer):
        x, t, w = args
        got = K.pick(answer, None, "reverse_mode(x, t, w)")
        names = ("∂L/∂ζ4", "∂L/∂ζ3", "∂L/∂ζ2", "∂L/∂ζ1", "∂L/∂w")
        vals = zeta_chain(x, t, w)
        refs = [K.numgrad(after(k, t), vals[k - 1]) for k in (4, 3, 2, 1)]
        refs.append(K.numgrad(lambda v: zeta_chain(x, t, v)[4], w))
        return K.compare_list(names, got, _tuple(refs), tol=1e-5)

    S["ps2.reverse_mode"] = {
        "make": make_chain, "judge": judge_reverse_mode, "call": "reverse_mode(x, t, w)",
        "label": "reverse mode", "pick": None,
        "about": "returns [∂L/∂ζ4, ∂L/∂ζ3, ∂L/∂ζ2, ∂L/∂ζ1, ∂L/∂w]"}

    # 2. w used twice: z = wx + b, h = tanh z, y = w·h, L = ½(y - t)², R = ½w², L_reg = L + λR
    def reg_loss(w, b, x, t, lam):
        return 0.5 * (w * tanh(w * x + b) - t) ** 2 + lam * 0.5 * w ** 2

    forwards["reg_loss"] = reg_loss

    def grad_spec(name, **spec):
        S[name] = T["grad_spec"](**spec)

    def signed(R, lo, hi):
        """A number whose size is uniform in [lo, hi], with a random sign."""
        return R.uniform(lo, hi) * (2 * R.integers(0, 2) - 1)

    def make_reg(R):
        """(w, b, x, t, lam) at which every message is far from 0, so that leaving any one out
        fails the check: |w|, |x| in [0.5, 1.5], |z| in [0.3, 1.5] (h neither 0 nor
        saturated), |y - t| in [0.3, 1.2]."""
        w, x, z = signed(R, 0.5, 1.5), signed(R, 0.5, 1.5), signed(R, 0.3, 1.5)
        return (w, z - w * x, x, w * tanh(z) + signed(R, 0.3, 1.2), R.uniform(0.05, 1.0))

    def bars(a):
        """The correct bars (ȳ, h̄, z̄, w̄ by its three children, b̄) and h at args ``a``."""
        w, b, x, t, lam = a
        h = tanh(w * x + b)
        y_bar = w * h - t
        h_bar = y_bar * w
        z_bar = h_bar * (1 - h ** 2)
        return {"y": y_bar, "h": h_bar, "z": z_bar, "w_via_z": z_bar * x, "w_via_y": y_bar * h,
                "w_via_R": lam * w, "b": z_bar, "tanh_prime": 1 - h ** 2}

    def w_mistakes(a):
        B = bars(a)
        children = ("w has three children, z = wx + b, y = w·h and R = ½w², so w̄ is the sum of "
                    "three messages, w̄ = z̄·x + ȳ·h + R̄·w; you left out the one from ")
        return [("missing_branch", B["w_via_y"] + B["w_via_R"], children + "z (z̄·x)"),
                ("missing_branch", B["w_via_z"] + B["w_via_R"], children + "y (ȳ·h)"),
                ("missing_branch", B["w_via_z"] + B["w_via_y"], children + "R (R̄·w = λw)"),
                ("missing_activation_derivative",
                 B["w_via_z"] / B["tanh_prime"] + B["w_via_y"] + B["w_via_R"],
                 "the message through z lacks tanh′: z̄ = h̄·(1 - h²), then z̄·x")]

    def tanh_prime_dropped(a):
        B = bars(a)
        return [("missing_activation_derivative", B["h"],
                 "z̄ lacks tanh′: z̄ = h̄·tanh′(z) = h̄·(1 - h²), and b̄ = z̄")]

    def b_mistakes(a):
        return tanh_prime_dropped(a) + [
            ("bias_times_input", bars(a)["b"] * a[2],
             "b is added in z = wx + b, so ∂z/∂b = 1 and b̄ = z̄ (x multiplies only w)")]

    grad_spec("ps2.reg_ybar", call="reg_backward(w, b, x, t, lam)", label="ȳ",
              make=make_reg, pick="y",
              point=lambda a: a[0] * tanh(a[0] * a[2] + a[1]),
              func=lambda a, v: 0.5 * (v - a[3]) ** 2 + a[4] * 0.5 * a[0] ** 2,
              about="ȳ = ∂L_reg/∂y with y = w·h")
    grad_spec("ps2.reg_hbar", call="reg_backward(w, b, x, t, lam)", label="h̄",
              make=make_reg, pick="h",
              point=lambda a: tanh(a[0] * a[2] + a[1]),
              func=lambda a, v: 0.5 * (a[0] * v - a[3]) ** 2 + a[4] * 0.5 * a[0] ** 2,
              about="h̄ = ∂L_reg/∂h with h = tanh(z)")
    grad_spec("ps2.reg_zbar", call="reg_backward(w, b, x, t, lam)", label="z̄",
              make=make_reg, pick="z",
              point=lambda a: a[0] * a[2] + a[1],
              func=lambda a, v: 0.5 * (a[0] * tanh(v) - a[3]) ** 2 + a[4] * 0.5 * a[0] ** 2,
              mistakes=tanh_prime_dropped, about="z̄ = ∂L_reg/∂z with z = wx + b")
    pt, fn = param(0, reg_loss)
    grad_spec("ps2.reg_wbar", call="reg_backward(w, b, x, t, lam)", label="w̄",
              make=make_reg, pick="w", point=pt, func=fn, mistakes=w_mistakes,
              about="w̄ = ∂L_reg/∂w, L_reg = ½(w·tanh(wx + b) - t)² + λ·½w²")
    pt, fn = param(1, reg_loss)
    grad_spec("ps2.reg_bbar", call="reg_backward(w, b, x, t, lam)", label="b̄",
              make=make_reg, pick="b", point=pt, func=fn,
              mistakes=b_mistakes,
              about="b̄ = ∂L_reg/∂b, L_reg = ½(w·tanh(wx + b) - t)² + λ·½w²")

    engine = {
        "mul": (lambda a, b: a * b, 2, "a * b"),
        "tanh": (lambda a: tanh(a), 1, "a.tanh()"),
        "exp": (lambda a: exp(a), 1, "a.exp()"),
        "pow": (lambda a: a ** 3, 1, "a ** 3"),
        "reuse": (lambda a, b: tanh(a * b) * a + exp(a) * b + a * a, 2,
                  "(a * b).tanh() * a + a.exp() * b + a * a"),
    }

    def subset_sums(messages):
        """The sum of every subset of ``messages``, the empty one first and the whole last."""
        sums = [0.0]
        for m in messages:
            sums = sums + [s + m for s in sums]
        return sums

    def engine_mistakes(op):
        """The gradients that known slips in one backward rule produce, for a check of ``op``."""
        def mul(a):
            advice = ("∂(a·b)/∂a is the *other* operand: self.grad += other.data * out.grad, "
                      "other.grad += self.data * out.grad")
            return [("operands_swapped", wrong, advice)
                    for wrong in ([a[0], a[1]], [a[0], a[0]], [a[1], a[1]])]

        def tanh_(a):
            t = tanh(a[0])
            return [("wrong_activation_derivative", [1 - t], "tanh′ = 1 - tanh², the output "
                     "squared: self.grad += (1 - out.data ** 2) * out.grad"),
                    ("wrong_activation_derivative", [1 - a[0] ** 2], "tanh′ = 1 - tanh(a)², "
                     "of the output, not 1 - a² of the input: (1 - out.data ** 2) * out.grad")]

        def exp_(a):
            return [("wrong_derivative", [a[0]], "the derivative of eᵃ is eᵃ itself, the "
                     "node's output: self.grad += out.data * out.grad")]

        def pow_(a):
            return [("exponent_not_lowered", [3 * a[0] ** 3], "d(aᵏ)/da = k·aᵏ⁻¹: self.grad "
                     "+= k * self.data ** (k - 1) * out.grad"),
                    ("missing_factor_k", [a[0] ** 2], "d(aᵏ)/da = k·aᵏ⁻¹, with the factor k")]

        def reuse(a):
            # f = tanh(a·b)·a + eᵃ·b + a·a: a reaches f through five uses, b through two. A
            # gradient that is overwritten (=) instead of accumulated (+=) keeps only some of
            # those messages: every proper subset of them is a known wrong gradient.
            x, y = a[0], a[1]
            t = tanh(x * y)
            sums_a = subset_sums([(1 - t * t) * y * x, t, exp(x) * y, x, x])
            sums_b = subset_sums([(1 - t * t) * x * x, exp(x)])
            full = (sums_a[-1], sums_b[-1])
            advice = ("a Var used more than once gets one message from every use, and its grad "
                      "is their sum: every backward rule must add to .grad (+=), never assign "
                      "it (=); here a is used 5 times and b twice")
            return [("not_accumulated", [ga, gb], advice)
                    for ga in sums_a for gb in sums_b if (ga, gb) != full]
        return {"mul": mul, "tanh": tanh_, "exp": exp_, "pow": pow_, "reuse": reuse}[op]

    for op, (f, n, text) in engine.items():
        grad_spec(f"ps2.engine_{op}", call=f"engine_grads(lambda ...: {text}, ...)",
                  label=f"∇f for f = {text}",
                  # inputs 0.5 <= |a| <= 1.5: near 0, 1 - a² and 1 - tanh²(a) agree to 1e-5
                  make=lambda R, n=n: _tuple(signed(R, 0.5, 1.5) for _ in _range(n)),
                  point=lambda a: arr(a, dtype=f64),
                  func=lambda a, v, f=f, n=n: f(*[v[i] for i in _range(n)]),
                  mistakes=engine_mistakes(op),
                  about=f"gradients of f = {text} with respect to its inputs, from your Var")
    return S, forwards
