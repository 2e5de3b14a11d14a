"""The checks of problem set 1 (the chain rule): a total derivative through three paths, the
gradient of a softplus unit, and a non-square Jacobian with the gradient it carries back.

None of these is worked through in a lecture: lecture 1 differentiates g(t) = f(t, t, 1), the cos
bowl and f4(x(z)); lecture 2 a sigmoid unit. Each gradient check also names the known mistakes of
its question (``mistakes``: what a mistake returns at the test point), e.g. a missing path of a
reused variable or a dropped tanh′.

A check module follows the rules in :mod:`helpers.grading.spec_tools` (no imports, no global
names in any function); :func:`build` is called with the sealed checker's kit ``K``.
"""


def build(K, T):
    """``(specs, forwards)``: ``{check name: spec}`` and ``{name: forward function}``.

    ``K``: the kit (numpy ufuncs, builtins, the checker's helpers); ``T``: the shared building
    blocks (:func:`helpers.grading.spec_tools.make_tools`).
    """
    tanh, log, exp, arr, f64 = K.tanh, K.log, K.exp, K.array, K.float64
    sigmoid, grad_spec, param = T["sigmoid"], T["grad_spec"], T["param"]
    name_mistake = T["name_mistake"]

    # 1. g(t) = f(t², tanh t, t) with f(x, y, z) = x·y + z³: t reaches f along three paths
    def f_xyz(x, y, z):
        return x * y + z ** 3

    def g(t):
        return f_xyz(t ** 2, tanh(t), t)

    def g_paths(t):
        """The three terms of g'(t): through x = t², through y = tanh t, through z = t."""
        y = tanh(t)
        return y * 2 * t, t ** 2 * (1 - y ** 2), 3 * t ** 2

    def dg_mistakes(a):
        t = a[0]
        via_x, via_y, via_z = g_paths(t)
        branch = ("a path from t to g is missing: t reaches f through x = t², y = tanh t and "
                  "z = t, and g'(t) is the sum of all three terms ∂f/∂x·dx/dt + ∂f/∂y·dy/dt + "
                  "∂f/∂z·dz/dt; the missing one is the path through ")
        return [("missing_branch", via_y + via_z, branch + "x = t²"),
                ("missing_branch", via_x + via_z, branch + "y = tanh t"),
                ("missing_branch", via_x + via_y, branch + "z = t"),
                ("missing_activation_derivative", via_x + t ** 2 + via_z,
                 "the path through y = tanh t lacks the activation derivative: "
                 "dy/dt = tanh′(t) = 1 - tanh²t, not 1")]

    # 2. a softplus unit: z = wx + b, y = softplus(z) = log(1 + e^z), L = ½(y - t)²
    def softplus(z):
        return log(1.0 + exp(z))

    def softplus_sq(w, b, x, t):
        return 0.5 * (softplus(w * x + b) - t) ** 2

    def make_wb(R):
        return (R.normal(()) * 1.5, R.normal(()), R.normal(()) * 1.5, R.uniform(0, 2))

    def wb_mistakes(a, idx):
        w, b, x, t = a
        s = sigmoid(w * x + b)
        y_bar = softplus(w * x + b) - t
        z_bar_sigmoid_prime = y_bar * s * (1 - s)
        wrong = z_bar_sigmoid_prime * x if idx == 0 else z_bar_sigmoid_prime
        out = [("wrong_activation_derivative", wrong,
                "you used the sigmoid's derivative σ(z)(1 - σ(z)); the derivative of softplus "
                "is softplus′(z) = e^z/(1 + e^z) = σ(z) itself"),
               ("missing_activation_derivative", y_bar * x if idx == 0 else y_bar,
                "z̄ lacks the activation derivative: z̄ = ȳ·softplus′(z) = ȳ·σ(z), then "
                "w̄ = z̄·x and b̄ = z̄")]
        if idx == 1:
            out.append(("bias_times_input", y_bar * s * x,
                        "b is added in z = wx + b, so ∂z/∂b = 1 and b̄ = z̄ (x multiplies "
                        "only w: w̄ = z̄·x)"))
        return out

    # 3. x(z) = (z1·z2 + z3, z1 - z3²) from z in R³ to R², then f(x) = x1²·x2 + tanh(x2)
    def x_of_z(z):
        """z of shape (3,) → x of shape (2,)."""
        z1, z2, z3 = z[0], z[1], z[2]
        return arr([z1 * z2 + z3, z1 - z3 ** 2], dtype=f64)

    def f_x(x):
        return x[0] ** 2 * x[1] + tanh(x[1])

    def f_z(z):
        return f_x(x_of_z(z))

    def jacobian_of_x(z):
        z1, z2, z3 = z[0], z[1], z[2]
        return arr([[z2, z1, 1.0], [1.0, 0.0, -2 * z3]], dtype=f64)

    def make_z(R):
        return (R.normal((3,)),)

    def judge_jacobian(args, answer):
        z = args[0]
        got = K.pick(answer, None, "jacobian_x(z)")
        ref = arr([K.numgrad(lambda v, i=i: x_of_z(v)[i], z) for i in K.range(2)], dtype=f64)
        message = K.compare("J = ∂x/∂z", got, ref, tol=1e-5)
        if message is None or K.is_message(got):
            return message
        return name_mistake("J = ∂x/∂z", got, message, [
            ("transposed", ref.T,
             "J has one row per output x_i (2 rows) and one column per input z_j (3 columns): "
             "J[i, j] = ∂x_i/∂z_j, shape (2, 3); yours is its transpose, shape (3, 2)")], 1e-5)

    def grad_z_mistakes(a):
        z = a[0]
        x = x_of_z(z)
        J = jacobian_of_x(z)
        g_x = arr([2 * x[0] * x[1], x[0] ** 2 + 1 - tanh(x[1]) ** 2], dtype=f64)
        no_tanh_prime = arr([2 * x[0] * x[1], x[0] ** 2 + 1], dtype=f64)
        out = [("missing_activation_derivative", J.T @ no_tanh_prime,
                "∂f/∂x2 lacks tanh′: d tanh(x2)/dx2 = 1 - tanh²(x2), not 1")]
        for j, name in ((0, "z1"), (2, "z3")):  # z1 and z3 reach f through both x1 and x2
            for i, other in ((0, "x2"), (1, "x1")):
                J_cut = J.copy()
                J_cut[i, j] = 0.0
                out.append(("missing_branch", J_cut.T @ g_x,
                            f"{name} reaches f through x1 and through x2, so ∂f/∂{name} is the "
                            f"sum of both paths, Σ_i ∂f/∂x_i · ∂x_i/∂{name}; you kept only the "
                            f"path through {other}"))
        return out

    forwards = {"f_xyz": f_xyz, "g": g, "softplus_sq": softplus_sq,
                "x_of_z": x_of_z, "f_x": f_x, "f_z": f_z}
    S = {}
    pt, fn = param(0, g)
    S["ps1.dg"] = grad_spec(call="dg(t)", label="g'(t)", make=lambda R: (R.uniform(-2, 2),),
                            point=pt, func=fn, mistakes=dg_mistakes,
                            about="g(t) = f(t², tanh t, t) with f(x, y, z) = x·y + z³")
    for idx, label, sym in ((0, "∂L/∂w", "w"), (1, "∂L/∂b", "b")):
        pt, fn = param(idx, softplus_sq)
        S[f"ps1.dLd{sym}"] = grad_spec(
            call="grad_wb(w, b, x, t)", label=label, make=make_wb, point=pt, func=fn, pick=idx,
            mistakes=lambda a, idx=idx: wb_mistakes(a, idx),
            about=f"L = ½(softplus(wx + b) - t)²; grad_wb returns (∂L/∂w, ∂L/∂b), this checks "
                  f"{sym}")
    S["ps1.jacobian"] = {
        "make": make_z, "judge": judge_jacobian, "call": "jacobian_x(z)", "label": "J = ∂x/∂z",
        "pick": None,
        "about": "the Jacobian of x(z) = (z1·z2 + z3, z1 - z3²), z of shape (3,): shape (2, 3)"}
    pt, fn = param(0, f_z)
    S["ps1.grad_f_z"] = grad_spec(
        call="grad_f_z(z)", label="∂f/∂z", make=make_z, point=pt, func=fn,
        mistakes=grad_z_mistakes,
        about="f(x(z)) with f(x) = x1²·x2 + tanh(x2), x(z) = (z1·z2 + z3, z1 - z3²); shape (3,)")
    return S, forwards
