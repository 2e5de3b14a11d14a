"""Tests of helpers.autograd: every derivative against central finite differences, closed forms,
graph shapes that break naive engines (reuse, deep chains), accumulation, extremes and errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.autograd import MLP, Layer, Neuron, Value, topological_order

EPS = 1e-6


def numeric(f, *xs, eps=EPS):
    """Central differences of the float function f at the floats xs (one partial per input)."""
    out = []
    for i in range(len(xs)):
        hi = list(xs)
        lo = list(xs)
        hi[i] += eps
        lo[i] -= eps
        out.append((f(*hi) - f(*lo)) / (2 * eps))
    return out


def analytic(g, *xs):
    """Gradient of the Value function g at xs by backward(), plus the forward value."""
    vs = [Value(x) for x in xs]
    out = g(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


def close(a, b, rtol=1e-5, atol=1e-6):
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


moderate = st.floats(-3, 3, allow_nan=False)
positive = st.floats(0.1, 5, allow_nan=False)
away_from_zero = st.one_of(st.floats(-3, -0.2), st.floats(0.2, 3))

# (name, Value function, float function, strategies for the inputs)
BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, moderate, moderate),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, moderate, moderate),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, moderate, moderate),
    ("div", lambda a, b: a / b, lambda a, b: a / b, moderate, away_from_zero),
]
UNARY = [
    ("neg", lambda a: -a, lambda a: -a, moderate),
    ("square", lambda a: a**2, lambda a: a**2, moderate),
    ("cube", lambda a: a**3, lambda a: a**3, moderate),
    ("inverse", lambda a: a**-1, lambda a: 1 / a, away_from_zero),
    ("sqrt", lambda a: a**0.5, math.sqrt, positive),
    ("pow_-1.5", lambda a: a**-1.5, lambda a: a**-1.5, positive),
    ("exp", lambda a: a.exp(), math.exp, moderate),
    ("log", lambda a: a.log(), math.log, positive),
    ("tanh", lambda a: a.tanh(), math.tanh, moderate),
    ("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a)), moderate),
    ("relu", lambda a: a.relu(), lambda a: max(a, 0.0), away_from_zero),
    ("radd", lambda a: 2 + a, lambda a: 2 + a, moderate),
    ("rsub", lambda a: 1 - a, lambda a: 1 - a, moderate),
    ("rmul", lambda a: 2.5 * a, lambda a: 2.5 * a, moderate),
    ("rdiv", lambda a: 1 / a, lambda a: 1 / a, away_from_zero),
    ("add_const", lambda a: a + 3, lambda a: a + 3, moderate),
    ("div_const", lambda a: a / 4, lambda a: a / 4, moderate),
]


@pytest.mark.parametrize("name,g,f,sa,sb", BINARY, ids=[b[0] for b in BINARY])
def test_binary_ops_match_finite_differences(name, g, f, sa, sb):
    @settings(max_examples=40, deadline=None)
    @given(sa, sb)
    def check(a, b):
        value, grads = analytic(g, a, b)
        assert close(value, f(a, b), 1e-12, 1e-12)
        for got, want in zip(grads, numeric(f, a, b)):
            assert close(got, want), f"{name}({a}, {b}): backward {got} vs numeric {want}"

    check()


@pytest.mark.parametrize("name,g,f,sa", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops_match_finite_differences(name, g, f, sa):
    @settings(max_examples=40, deadline=None)
    @given(sa)
    def check(a):
        value, (got,) = analytic(g, a)
        assert close(value, f(a), 1e-12, 1e-12)
        (want,) = numeric(f, a)
        assert close(got, want), f"{name}({a}): backward {got} vs numeric {want}"

    check()


@settings(max_examples=50, deadline=None)
@given(moderate)
def test_closed_forms(x):
    t = Value(x).tanh()
    t.backward()
    assert close(t.parents[0].grad, 1 - math.tanh(x) ** 2, 1e-12, 1e-15)
    s = Value(x).sigmoid()
    s.backward()
    sig = 1 / (1 + math.exp(-x))
    assert close(s.parents[0].grad, sig * (1 - sig), 1e-12, 1e-15)
    e = Value(x).exp()
    e.backward()
    assert e.parents[0].grad == e.data
    v = Value(x)
    (v**2).backward()
    assert close(v.grad, 2 * x, 1e-12, 1e-15)


def test_ops_names_and_parents():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    cases = {"+": a + b, "-": a - b, "*": a * b, "/": a / b}
    for op, v in cases.items():
        assert v.op == op and v.parents == (a, b) and len(v.local) == 2
    assert (a**2).op == "**2" and (a**0.5).op == "**0.5" and (a**-1).op == "**-1"
    for name in ("exp", "log", "tanh", "sigmoid", "relu"):
        v = getattr(a, name)()
        assert v.op == name and v.parents == (a,)
    assert (-a).op == "neg"
    assert a.op == "" and a.parents == () and a.local == () and a.label == "a"
    assert a.grad == 0.0 and isinstance(a.data, float)
    # local derivatives are the numbers backward uses
    assert (a * b).local == (3.0, 2.0) and (a - b).local == (1.0, -1.0)


def test_reflected_ops_with_plain_numbers():
    x = Value(4.0)
    assert (2 * x).data == 8.0 and (1 - x).data == -3.0 and (1 / x).data == 0.25
    assert (3 + x).data == 7.0 and (x - 1).data == 3.0 and (x / 2).data == 2.0
    y = 2 * x + (1 - x) * 3 + 1 / x   # dy/dx = 2 - 3 - 1/x^2
    y.backward()
    assert close(x.grad, 2 - 3 - 1 / 16, 1e-12)
    z = sum([x, x, 2.0])               # sum() starts from 0 + x
    assert z.data == 10.0
    assert (np.float64(2.0) * x).data == 8.0 and Value(np.float32(1.5)).data == 1.5
    assert Value(np.int64(3)).data == 3.0 and Value(np.array(2.5)).data == 2.5


def test_node_reuse_sums_over_paths():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    x = Value(3.0)
    (x + x + x).backward()
    assert x.grad == 3.0
    x = Value(0.7)
    y = x * x.tanh() + x.exp() * x       # shared x on four paths
    y.backward()
    f = lambda t: t * math.tanh(t) + math.exp(t) * t
    assert close(x.grad, numeric(f, 0.7)[0])
    # a diamond: the middle node is used twice and must be visited once
    a = Value(1.5)
    m = a * 2
    out = m * m + m
    order = topological_order(out)
    assert len(order) == len(set(map(id, order)))
    out.backward()
    assert close(a.grad, (2 * 3.0 + 1) * 2, 1e-12)


def test_topological_order_puts_inputs_first():
    rng = np.random.default_rng(0)
    leaves = [Value(float(v), label=f"x{i}") for i, v in enumerate(rng.normal(size=6))]
    nodes = list(leaves)
    for _ in range(40):  # a random DAG with reuse
        i, j = rng.integers(len(nodes), size=2)
        nodes.append(nodes[i] * 0.5 + nodes[j].tanh())
    order = topological_order(nodes[-1])
    pos = {id(n): k for k, n in enumerate(order)}
    assert order[-1] is nodes[-1]
    assert len(pos) == len(order)
    for n in order:
        for p in n.parents:
            assert pos[id(p)] < pos[id(n)]


def test_deep_chain_of_200k_nodes_no_recursion_error():
    x = Value(1.0, label="x")
    y = x
    for _ in range(200_000):
        y = y + 1.0
    assert len(topological_order(y)) == 400_001  # 200k additions and their constant leaves
    y.backward()
    assert x.grad == 1.0 and y.data == 200_001.0
    y.zero_grad()
    assert x.grad == 0.0
    z = x
    for _ in range(100_000):
        z = z * 1.0
    z.backward()
    assert x.grad == 1.0
    del y, z  # freeing a deep chain must not crash either


def test_gradients_accumulate_and_zero_grad_resets():
    x = Value(2.0)
    y = x * x * x              # dy/dx = 3x^2 = 12
    y.backward()
    assert x.grad == 12.0
    y.backward()               # accumulates, like PyTorch
    assert x.grad == 24.0
    assert y.grad == 2.0       # the root got 1.0 added each time
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0
    assert all(n.grad == 0.0 for n in topological_order(y))
    y.backward()
    assert x.grad == 12.0      # a fresh start gives the single gradient again


def test_two_outputs_sharing_a_graph_add_their_gradients():
    x = Value(0.5)
    h = x.tanh()
    a = h * 3
    b = h * h
    a.backward()
    b.backward()
    dh = 1 - math.tanh(0.5) ** 2
    assert close(x.grad, (3 + 2 * math.tanh(0.5)) * dh, 1e-12)
    assert close(h.grad, 3 + 2 * math.tanh(0.5), 1e-12)


@pytest.mark.parametrize("x", [-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0])
def test_sigmoid_and_tanh_are_finite_and_exact_at_extremes(x):
    s = Value(x).sigmoid()
    s.backward()
    want = 1 / (1 + math.exp(-x)) if x > -700 else 0.0
    assert close(s.data, want, 1e-14, 1e-300)
    assert math.isfinite(s.parents[0].grad) and 0.0 <= s.parents[0].grad < 1e-12
    t = Value(x).tanh()
    t.backward()
    assert t.data == math.copysign(1.0, x) and t.parents[0].grad == 0.0
    if abs(x) == 1000.0:
        assert s.data == (1.0 if x > 0 else 0.0) and s.parents[0].grad == 0.0


def test_sigmoid_stable_in_the_negative_tail():
    s = Value(-30.0).sigmoid()
    assert close(s.data, math.exp(-30) / (1 + math.exp(-30)), 1e-14, 0)  # not 1 - 1 = 0


def test_exp_overflow_is_a_clear_error():
    assert math.isfinite(Value(709.0).exp().data)
    assert Value(-1000.0).exp().data == 0.0
    with pytest.raises(OverflowError, match=r"exp\(1000\).*largest float"):
        Value(1000.0).exp()


def test_pow_edge_cases():
    x = Value(0.0)
    r = x**0.5
    r.backward()
    assert r.data == 0.0 and x.grad == math.inf
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    x = Value(-2.0)
    (x**3).backward()
    assert x.grad == 12.0


def test_clear_errors():
    with pytest.raises(ValueError, match=r"log needs a positive input.*-1"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="positive"):
        Value(0.0).log()
    with pytest.raises(TypeError, match=r"plain number k.*Value"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match=r"plain number k.*str"):
        Value(2.0) ** "2"
    with pytest.raises(TypeError, match=r"real number.*str 'abc'"):
        Value("abc")
    with pytest.raises(TypeError, match="real number.*NoneType"):
        Value(None)
    with pytest.raises(TypeError, match="real number.*complex"):
        Value(1 + 2j)
    with pytest.raises(TypeError, match=r"array of shape \(3,\)"):
        Value(np.ones(3))
    with pytest.raises(TypeError, match="got a Value"):
        Value(Value(1.0))
    with pytest.raises(TypeError, match=r"operand for \+ .*str"):
        Value(1.0) + "x"
    with pytest.raises(TypeError, match=r"operand for \*.*list"):
        [1] * Value(1.0)
    with pytest.raises(ValueError, match="negative base"):
        Value(-8.0) ** (1 / 3)
    with pytest.raises(ZeroDivisionError, match="equal to 0"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match="negative power"):
        Value(0.0) ** -1
    with pytest.raises(TypeError, match="expects a Value"):
        topological_order(3.0)


def _loss(net, X, y):
    loss = Value(0.0)
    for xi, yi in zip(X, y):
        loss = loss + (net(xi) - yi) ** 2
    return loss * (1 / len(X))


@pytest.mark.parametrize("nonlin", ["tanh", "relu", "sigmoid"])
def test_mlp_gradient_matches_finite_differences(nonlin):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 3)).tolist()
    y = rng.normal(size=5).tolist()
    net = MLP(3, [4, 3, 1], rng=2, nonlin=nonlin)
    params = net.parameters()
    assert len(params) == (3 * 4 + 4) + (4 * 3 + 3) + (3 + 1)
    net.zero_grad()
    _loss(net, X, y).backward()
    for p in params:
        old = p.data
        p.data = old + EPS
        up = _loss(net, X, y).data
        p.data = old - EPS
        down = _loss(net, X, y).data
        p.data = old
        want = (up - down) / (2 * EPS)
        assert close(p.grad, want, 1e-4, 1e-7), f"{p.label}: {p.grad} vs {want}"
    assert any(abs(p.grad) > 1e-3 for p in params)  # a zero gradient would pass trivially


def test_mlp_learns_xor_and_is_seeded():
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [-1.0, 1.0, 1.0, -1.0]
    net = MLP(2, [4, 1], rng=0)
    weights = lambda m: [p.data for p in m.parameters()]
    assert weights(net) == weights(MLP(2, [4, 1], rng=0)) != weights(MLP(2, [4, 1], rng=1))
    first = _loss(net, X, y).data
    for _ in range(300):
        net.zero_grad()
        loss = _loss(net, X, y)
        loss.backward()
        for p in net.parameters():
            p.data -= 0.1 * p.grad
    assert loss.data < 0.05 < first
    assert all((net(x).data > 0) == (t > 0) for x, t in zip(X, y))


def test_neuron_layer_shapes_and_errors():
    n = Neuron(3, nonlin="linear", rng=np.random.default_rng(0))
    out = n([1.0, 2.0, 3.0])
    assert isinstance(out, Value)
    assert close(out.data, sum(w.data * x for w, x in zip(n.w, [1, 2, 3])) + n.b.data, 1e-12)
    layer = Layer(3, 5, rng=0)
    assert len(layer([0.0, 1.0, 2.0])) == 5 and len(layer.parameters()) == 20
    assert isinstance(MLP(2, [3, 2], rng=0)([1.0, 1.0]), list)
    with pytest.raises(ValueError, match="expects 3 inputs, but got 2"):
        n([1.0, 2.0])
    with pytest.raises(ValueError, match="nonlin must be one of"):
        Neuron(2, nonlin="softplus")
    with pytest.raises(ValueError, match="positive int"):
        Layer(0, 2)
    with pytest.raises(ValueError, match="positive int"):
        Layer(2, 2.5)
    with pytest.raises(TypeError, match="rng must be"):
        MLP(2, [1], rng="seed")
    with pytest.raises(ValueError, match="at least one layer"):
        MLP(2, [])


# (Value function, float function) pairs that are smooth on the whole real line
_SMOOTH = [
    (lambda a, b: a + b, lambda a, b: a + b),
    (lambda a, b: a - b, lambda a, b: a - b),
    (lambda a, b: a * b, lambda a, b: a * b),
    (lambda a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
    (lambda a, b: a.tanh() * b, lambda a, b: math.tanh(a) * b),
    (lambda a, b: (a * 0.5).sigmoid() + b, lambda a, b: 1 / (1 + math.exp(-a * 0.5)) + b),
    (lambda a, b: (a * a + 1).log() - b, lambda a, b: math.log(a * a + 1) - b),
    (lambda a, b: (a.tanh()).exp() * b, lambda a, b: math.exp(math.tanh(a)) * b),
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_SMOOTH) - 1), st.integers(0, 50), st.integers(0, 50)),
                min_size=1, max_size=12),
       st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
def test_random_graphs_match_finite_differences(program, inputs):
    """Random DAGs (with reuse) of smooth ops: backward equals central differences."""
    def build(vals, ops, wrap):
        nodes = list(vals)
        for k, i, j in program:  # squash every result so that long products stay finite
            nodes.append(wrap(ops[k](nodes[i % len(nodes)], nodes[j % len(nodes)])))
        return nodes[-1]

    xs = [Value(x) for x in inputs]
    out = build(xs, [g for g, _ in _SMOOTH], lambda o: o.tanh())
    out.backward()
    f = lambda *v: build(v, [h for _, h in _SMOOTH], math.tanh)
    for x, want in zip(xs, numeric(f, *inputs)):
        assert close(x.grad, want, 1e-4, 1e-6), (program, inputs, x.grad, want)
