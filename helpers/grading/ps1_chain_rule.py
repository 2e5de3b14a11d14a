"""The checks of problem set 1 (the chain rule): total derivative, gradients of f(x, y) and of
f4(x), the Jacobian of x(z), and the logistic unit's ∂L/∂w and ∂L/∂b.

A check module follows the rules in :mod:`helpers.grading.spec_tools` (no imports, no global
names in any function); :func:`build` is called with the sealed checker's kit ``K``.
"""


def build(K, T):
    """``(specs, forwards)``: ``{check name: spec}`` and ``{name: forward function}``.

    ``K``: the kit (numpy ufuncs, builtins, the checker's helpers); ``T``: the shared building
    blocks (:func:`helpers.grading.spec_tools.make_tools`).
    """
    cos, arr, f64 = K.cos, K.array, K.float64
    sigmoid, grad_spec, param = T["sigmoid"], T["grad_spec"], T["param"]

    def f3(x, y, z):
        return x ** 2 + y ** 3 + z ** 4

    def g(t):
        return f3(t, t, 1.0)

    def f_cos(x, y):
        return -((cos(x) ** 2 + cos(y) ** 2) ** 2)

    def f4(x):
        """x of shape (4,) → a float."""
        x1, x2, x3, x4 = x[0], x[1], x[2], x[3]
        return ((x1 + 10 * x2) ** 2 + 5 * (x3 - x4) ** 2 + (x2 + 2 * x3) ** 4
                + 10 * (x1 - x4) ** 4)

    def x_of_z(z):
        """z of shape (2,) → x of shape (4,)."""
        z1, z2 = z[0], z[1]
        return arr([z1 - z2, z1 ** 2, z2 ** 2, z1 ** 2 + z1 * z2], dtype=f64)

    def f4_z(z):
        return f4(x_of_z(z))

    def logistic_sq(w, b, x, t):
        return 0.5 * (sigmoid(w * x + b) - t) ** 2

    forwards = {"f3": f3, "g": g, "f_cos": f_cos, "f4": f4, "x_of_z": x_of_z, "f4_z": f4_z,
                "logistic_sq": logistic_sq}
    S = {}
    pt, fn = param(0, g)
    S["ps1.dg"] = grad_spec(call="dg(t)", label="g'(t)", make=lambda R: (R.uniform(-2, 2),),
                            point=pt, func=fn,
                            about="g(t) = f(t, t, 1) with f(x, y, z) = x² + y³ + z⁴")
    S["ps1.grad_cos"] = grad_spec(
        call="grad_cos(x, y)", label="∇f(x, y)",
        make=lambda R: (R.uniform(-3, 3), R.uniform(-3, 3)),
        point=lambda a: arr([a[0], a[1]], dtype=f64),
        func=lambda a, v: f_cos(v[0], v[1]),
        about="f(x, y) = -(cos²x + cos²y)²; return [∂f/∂x, ∂f/∂y]")
    pt, fn = param(0, f4)
    S["ps1.grad_f4"] = grad_spec(
        call="grad_f4(x)", label="∇f(x)", make=lambda R: (R.normal((4,)) * 1.5,), point=pt,
        func=fn, about="f = (x1+10x2)² + 5(x3-x4)² + (x2+2x3)⁴ + 10(x1-x4)⁴, x of shape (4,)")
    pt, fn = param(0, f4_z)
    S["ps1.grad_f4_z"] = grad_spec(
        call="grad_f4_z(z)", label="∂f/∂z", make=lambda R: (R.normal((2,)),), point=pt,
        func=fn, about="f(x(z)) with x = (z1 - z2, z1², z2², z1² + z1 z2), z of shape (2,)")

    def make_wb(R):
        return (R.normal(()) * 1.5, R.normal(()), R.normal(()) * 1.5, R.uniform(0, 1))

    def sig_prime_wb(a):
        s = sigmoid(a[0] * a[2] + a[1])
        return s * (1 - s)

    for idx, label, sym in ((0, "∂L/∂w", "w"), (1, "∂L/∂b", "b")):
        pt, fn = param(idx, logistic_sq)
        S[f"ps1.dLd{sym}"] = grad_spec(
            call="grad_wb(w, b, x, t)", label=label, make=make_wb, point=pt, func=fn, pick=idx,
            diag=lambda a: {"activation_grad": sig_prime_wb(a)},
            about=f"L = ½(σ(wx + b) - t)²; grad_wb returns (∂L/∂w, ∂L/∂b), this checks {sym}")
    return S, forwards
