"""Tests of helpers.gradcheck: finite differences, checks, and the diagnosis of planted mistakes.

The gradients come from a small two-layer network written out here (so the tests depend on nothing
else of ours): Z1 = X @ W1 + b1, A1 = act(Z1), Z2 = A1 @ W2 + b2, then MSE or softmax
cross-entropy, both a mean over the batch. ``backward`` can plant each typical mistake.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.gradcheck import (
    Diagnosis,
    GradCheckReport,
    check_gradient,
    diagnose,
    numerical_gradient,
    rel_error,
)

# --------------------------------------------------------------------------------------------
# A tiny reference network with plantable mistakes
# --------------------------------------------------------------------------------------------
ACT = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: (s := 1 / (1 + np.exp(-z))) * (1 - s)),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
}


def make_problem(n=5, d=3, h=4, c=3, act="sigmoid", loss="mse", seed=0):
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.normal(size=(d, h)),
        "b1": rng.normal(size=h) * 0.5,
        "W2": rng.normal(size=(h, c)),
        "b2": rng.normal(size=c) * 0.5,
    }
    X = rng.normal(size=(n, d))
    if loss == "mse":
        T = rng.normal(size=(n, c))
    else:
        T = np.eye(c)[rng.integers(0, c, size=n)]
    return params, X, T, act, loss


def forward(params, X, T, act, loss, Z1=None):
    if Z1 is None:
        Z1 = X @ params["W1"] + params["b1"]
    A1 = ACT[act][0](Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    n = X.shape[0]
    if loss == "mse":  # mean over the batch of the summed squared error (no ½)
        return float(((Z2 - T) ** 2).sum() / n)
    if loss == "half_mse":
        return float(0.5 * ((Z2 - T) ** 2).sum() / n)
    shifted = Z2 - Z2.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-(T * logp).sum() / n)


def backward(params, X, T, act, loss, mistake=None):
    """Analytic gradients (dict with dZ1 too), optionally with one planted mistake."""
    n = X.shape[0]
    Z1 = X @ params["W1"] + params["b1"]
    A1 = ACT[act][0](Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    if loss in ("mse", "half_mse"):
        factor = 2.0 if loss == "mse" else 1.0
        if mistake == "forgot_2":
            factor = 1.0
        if mistake == "extra_2":
            factor = 2.0 * factor
        dZ2 = factor * (Z2 - T)
    else:
        e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
        dZ2 = e / e.sum(axis=1, keepdims=True) - T
    if mistake == "sign":
        dZ2 = -dZ2
    if mistake == "sum_not_mean":
        pass
    elif mistake == "divide_twice":
        dZ2 = dZ2 / n / n
    else:
        dZ2 = dZ2 / n
    dA1 = dZ2 @ params["W2"].T
    dZ1 = dA1 if mistake == "no_act_derivative" else dA1 * ACT[act][1](Z1)
    grads = {
        "W1": X.T @ dZ1,
        "b1": dZ1.sum(axis=0),
        "W2": A1.T @ dZ2,
        "b2": dZ2.sum(axis=0),
        "Z1": dZ1,
    }
    if mistake == "transposed":
        grads["W1"] = dZ1.T @ X
        grads["W2"] = dZ2.T @ A1
    if mistake == "bias_not_summed":
        grads["b1"] = dZ1
        grads["b2"] = dZ2
    if mistake == "zero":
        grads = {k: np.zeros_like(v) for k, v in grads.items()}
    return grads


def numerical(params, X, T, act, loss, which):
    if which == "Z1":
        Z1 = X @ params["W1"] + params["b1"]
        return numerical_gradient(lambda z: forward(params, X, T, act, loss, Z1=z), Z1), Z1
    return numerical_gradient(lambda _: forward(params, X, T, act, loss), params[which]), None


# --------------------------------------------------------------------------------------------
# numerical_gradient and rel_error
# --------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(1, 5),
    cols=st.integers(1, 5),
    seed=st.integers(0, 10_000),
)
def test_numerical_gradient_of_quadratic_form(rows, cols, seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(rows * cols, rows * cols))
    W = rng.normal(size=(rows, cols))
    f = lambda W: float(W.ravel() @ A @ W.ravel())
    exact = ((A + A.T) @ W.ravel()).reshape(rows, cols)
    assert np.allclose(numerical_gradient(f, W), exact, rtol=1e-6, atol=1e-7)


def test_numerical_gradient_of_a_float():
    assert numerical_gradient(lambda t: t**3, 2.0) == pytest.approx(12.0, rel=1e-8)
    assert isinstance(numerical_gradient(np.sin, 0.5), float)


def test_perturbation_is_restored_exactly_and_seen_in_place():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(4, 6)) + 0.1  # values where x + eps - eps != x in floating point
    x = base[:, ::2]  # a non-contiguous view: restoring must write through it
    before = x.copy()
    seen = []
    numerical_gradient(lambda v: seen.append(v.copy()) or float(v.sum()), x, eps=1e-6)
    assert np.array_equal(x, before)
    assert np.array_equal(base[:, ::2], before)
    assert len(seen) == 2 * x.size
    # each evaluation saw exactly one entry moved by eps
    moved = [np.flatnonzero(s != before) for s in seen]
    assert all(len(m) == 1 for m in moved)


@pytest.mark.parametrize("mode", ["full", "sparse", "directional"])
def test_restored_even_when_f_raises(mode):
    x = np.random.default_rng(2).normal(size=(3, 3)) + 0.3
    before = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return float((v**2).sum())

    with pytest.raises(RuntimeError, match="boom"):
        check_gradient(f, x, 2 * x, mode=mode)
    assert np.array_equal(x, before)
    with pytest.raises(RuntimeError, match="boom"):
        calls.clear()
        numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_float32_and_int_are_refused_with_a_clear_message():
    x32 = np.ones((2, 2), dtype=np.float32)
    with pytest.raises(TypeError, match=r"float64.*float32"):
        numerical_gradient(lambda v: float(v.sum()), x32)
    with pytest.raises(TypeError, match="astype\\(np.float64\\)"):
        check_gradient(lambda v: float(v.sum()), x32, np.ones((2, 2)))
    with pytest.raises(TypeError, match="int64"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(3, dtype=np.int64))


def test_f_must_return_a_scalar():
    with pytest.raises(ValueError, match=r"single number.*shape \(3,\)"):
        numerical_gradient(lambda v: v * 2, np.ones(3))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=8),
    st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=8),
)
def test_rel_error_properties(xs, ys):
    m = min(len(xs), len(ys))
    a, b = np.array(xs[:m]), np.array(ys[:m])
    e = rel_error(a, b)
    assert e.shape == a.shape
    assert np.all((e >= 0) & (e <= 1 + 1e-12))
    assert np.array_equal(e, rel_error(b, a))
    assert np.all(rel_error(a, a) == 0)
    big = (np.abs(a) > 1e-8) | (np.abs(b) > 1e-8)
    assert np.all(e[big & (a != b)] > 0)


def test_rel_error_floor_for_exact_zeros():
    assert rel_error(np.array([0.0]), np.array([1e-11]))[0] == 0.0
    assert rel_error(np.array([0.0]), np.array([1e-3]))[0] == 1.0
    assert rel_error(np.array([1.0]), np.array([-1.0]))[0] == 1.0
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        rel_error(np.ones(2), np.ones(3))


# --------------------------------------------------------------------------------------------
# check_gradient: correct gradients pass, wrong ones fail, report fields
# --------------------------------------------------------------------------------------------
problems = st.fixed_dictionaries(
    {
        "n": st.integers(1, 6),
        "d": st.integers(1, 4),
        "h": st.integers(1, 5),
        "c": st.integers(1, 4),
        "act": st.sampled_from(["sigmoid", "tanh", "relu"]),
        "loss": st.sampled_from(["mse", "half_mse", "ce"]),
        "seed": st.integers(0, 2**31 - 1),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems)
def test_correct_gradients_pass_and_are_never_blamed(spec):
    params, X, T, act, loss = make_problem(**spec)
    grads = backward(params, X, T, act, loss)
    for which in ("W1", "b1", "W2", "b2", "Z1"):
        num, Z1 = numerical(params, X, T, act, loss, which)
        if which == "Z1":
            f = lambda z: forward(params, X, T, act, loss, Z1=z)
            report = check_gradient(f, Z1.copy(), grads["Z1"], name="dZ1")
            extra = {"activation_grad": ACT[act][1](Z1)}
        else:
            f = lambda _: forward(params, X, T, act, loss)
            report = check_gradient(f, params[which], grads[which], name="d" + which)
            extra = {}
        assert report.passed, str(report)
        assert diagnose(grads[which], num, batch_size=spec["n"], **extra) is None
        for mode in ("sparse", "directional"):
            if which != "Z1":
                assert check_gradient(f, params[which], grads[which], mode=mode, k=5).passed


def test_relu_kink_inside_the_step_is_not_blamed():
    params, X, T, act, loss = make_problem(n=6, d=3, h=5, c=2, act="relu", seed=3)
    # move one pre-activation to 3e-7 from the kink, well within the step eps * |x| = 1e-6 * |x|
    Z1 = X @ params["W1"] + params["b1"]
    params["b1"][2] -= Z1[1, 2] - 3e-7
    assert abs((X @ params["W1"] + params["b1"])[1, 2]) < 1e-6
    f = lambda _: forward(params, X, T, act, loss)
    grads = backward(params, X, T, act, loss)
    for which in ("W1", "b1"):
        report = check_gradient(f, params[which], grads[which], name="d" + which)
        assert report.passed, str(report)
        assert report.kinks >= 1
        num = numerical_gradient(f, params[which])
        assert diagnose(grads[which], num, batch_size=6) is None
    # the kink rule does not excuse a wrong gradient
    bad = backward(params, X, T, act, loss, mistake="sign")
    assert not check_gradient(f, params["W1"], bad["W1"]).passed


def test_scalar_relu_kink_is_judged_one_sided():
    f = lambda w: max(w, 0.0) * 3.0
    assert check_gradient(f, 2e-7, 3.0).passed
    assert check_gradient(f, -2e-7, 0.0).passed
    assert not check_gradient(f, -2e-7, -3.0).passed


def test_report_fields_on_a_planted_wrong_entry():
    rng = np.random.default_rng(5)
    W = rng.normal(size=(4, 3))
    f = lambda W: float((np.sin(W) ** 2).sum())
    good = 2 * np.sin(W) * np.cos(W)
    bad = good.copy()
    bad[2, 1] += 0.5
    report = check_gradient(f, W, bad, name="dW")
    assert isinstance(report, GradCheckReport)
    assert report.passed is False
    assert report.where == (2, 1)
    assert report.mode == "full" and report.checked == 12
    assert report.worst_error == pytest.approx(rel_error(bad, numerical_gradient(f, W))[2, 1],
                                               rel=1e-3)
    assert "dW" in report.message and "(2, 1)" in report.message
    line = str(report)
    assert "\n" not in line and "FAILED" in line and "full" in line
    ok = check_gradient(f, W, good, name="dW")
    assert ok.passed and ok.worst_error < 1e-6 and "passed" in str(ok)
    sparse = check_gradient(f, W, good, mode="sparse", k=5)
    assert sparse.checked == 5 and sparse.mode == "sparse" and sparse.where is not None
    assert check_gradient(f, W, good, mode="sparse", k=100).checked == 12
    directional = check_gradient(f, W, good, mode="directional", k=3)
    assert directional.checked == 3 and directional.where is None and directional.passed


def test_shape_mismatch_fails_with_a_named_reason():
    params, X, T, act, loss = make_problem(n=5, d=3, h=4, c=2, seed=1)
    f = lambda _: forward(params, X, T, act, loss)
    bad = backward(params, X, T, act, loss, mistake="transposed")
    report = check_gradient(f, params["W1"], bad["W1"], name="dW1")
    assert not report.passed and report.worst_error == float("inf")
    assert report.diagnosis.kind == "transposed"
    assert "(4, 3)" in report.message and "(3, 4)" in report.message


def test_nan_gradient_is_reported():
    x = np.ones(3)
    report = check_gradient(lambda v: float(v.sum()), x, np.array([1.0, np.nan, 1.0]))
    assert not report.passed and report.diagnosis.kind == "not_finite"


def _wrong_everywhere_in_a_third(seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(10, 10))
    f = lambda W: float((np.tanh(W) ** 2).sum())
    good = 2 * np.tanh(W) * (1 - np.tanh(W) ** 2)
    bad = good.copy()
    wrong = rng.random(W.shape) < 0.3
    bad[wrong] *= -1.5
    return f, W, good, bad


def test_sparse_check_catches_a_wrong_gradient_with_high_probability():
    caught = 0
    for seed in range(40):
        f, W, good, bad = _wrong_everywhere_in_a_third(seed)
        assert check_gradient(f, W, good, mode="sparse", k=20, seed=seed).passed
        caught += not check_gradient(f, W, bad, mode="sparse", k=20, seed=seed).passed
    assert caught >= 39  # missing needs 20 misses at 70%: probability 8e-4 per seed


def test_directional_check_catches_even_a_single_wrong_entry():
    caught = 0
    for seed in range(40):
        f, W, good, _ = _wrong_everywhere_in_a_third(seed)
        bad = good.copy()
        bad[seed % 10, (3 * seed) % 10] += 0.3
        assert check_gradient(f, W, good, mode="directional", k=1, seed=seed).passed
        caught += not check_gradient(f, W, bad, mode="directional", k=1, seed=seed).passed
    assert caught == 40


def test_check_gradient_on_scalars():
    assert check_gradient(lambda t: t**2, 3.0, 6.0).passed
    report = check_gradient(lambda t: t**2, 3.0, -6.0, name="dt")
    assert not report.passed and report.diagnosis.kind == "sign"


def test_bad_arguments():
    x = np.ones(2)
    with pytest.raises(ValueError, match="mode"):
        check_gradient(lambda v: 0.0, x, x, mode="fast")
    with pytest.raises(ValueError, match="k must"):
        check_gradient(lambda v: 0.0, x, x, k=0)
    with pytest.raises(TypeError, match="list"):
        check_gradient(lambda v: 0.0, [1.0, 2.0], x)


# --------------------------------------------------------------------------------------------
# diagnose: each planted mistake is named
# --------------------------------------------------------------------------------------------
PLANTED = [
    # (mistake, loss, which, expected kind, words the message must contain)
    ("sign", "mse", "W1", "sign", "opposite sign"),
    ("sign", "ce", "W2", "sign", "prediction - target"),
    ("forgot_2", "mse", "W2", "factor_half", "half"),
    ("extra_2", "half_mse", "W1", "factor_2", "twice"),
    ("sum_not_mean", "ce", "W1", "batch_scale", "too large"),
    ("sum_not_mean", "mse", "b2", "batch_scale", "divide by N = 5"),
    ("divide_twice", "ce", "W2", "batch_scale", "too small"),
    ("bias_not_summed", "mse", "b1", "bias_not_summed", "sum(axis=0)"),
    ("bias_not_summed", "ce", "b2", "bias_not_summed", "(5, 3)"),
    ("zero", "ce", "W1", "all_zero", "all zeros"),
]


@pytest.mark.parametrize("act", ["sigmoid", "relu", "tanh"])
@pytest.mark.parametrize("mistake,loss,which,kind,words", PLANTED)
def test_planted_mistake_is_named(mistake, loss, which, kind, words, act):
    params, X, T, act, loss = make_problem(n=5, d=4, h=6, c=3, act=act, loss=loss, seed=7)
    wrong = backward(params, X, T, act, loss, mistake=mistake)[which]
    num, _ = numerical(params, X, T, act, loss, which)
    found = diagnose(wrong, num, batch_size=5, name="d" + which)
    assert isinstance(found, Diagnosis)
    assert found.kind == kind, found.message
    assert words in found.message and "d" + which in found.message
    # check_gradient reaches the same verdict
    f = lambda _: forward(params, X, T, act, loss)
    report = check_gradient(f, params[which], wrong, batch_size=5, name="d" + which)
    assert not report.passed and report.diagnosis is not None
    assert report.diagnosis.kind == kind


def test_transposed_square_weight_is_named():
    params, X, T, act, loss = make_problem(n=5, d=4, h=4, c=2, act="tanh", seed=2)
    wrong = backward(params, X, T, act, loss, mistake="transposed")["W1"]
    num, _ = numerical(params, X, T, act, loss, "W1")
    found = diagnose(wrong, num, name="dW1")
    assert found.kind == "transposed" and "X.T @ dZ" in found.message


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_missing_activation_derivative_is_named(act):
    params, X, T, act, loss = make_problem(n=6, d=3, h=5, c=2, act=act, loss="mse", seed=4)
    wrong = backward(params, X, T, act, loss, mistake="no_act_derivative")["Z1"]
    num, Z1 = numerical(params, X, T, act, loss, "Z1")
    found = diagnose(wrong, num, activation_grad=ACT[act][1](Z1), batch_size=6, name="dZ1")
    assert found is not None and found.kind == "missing_activation_derivative", found
    assert "derivative" in found.message
    by_name = diagnose(wrong, num, pre_activation=Z1, activation=act, name="dZ1")
    assert by_name.kind == "missing_activation_derivative"
    assert act in by_name.message.lower() or "Z > 0" in by_name.message


def test_sign_message_matches_the_course_wording():
    params, X, T, act, loss = make_problem(n=8, d=3, h=4, c=2, seed=11)
    wrong = backward(params, X, T, act, loss, mistake="sign")["W1"]
    num, _ = numerical(params, X, T, act, loss, "W1")
    msg = diagnose(wrong, num, name="dW1").message
    assert msg.startswith("dW1 has the right size but the opposite sign in 100% of the non-zero "
                          "entries")
    assert "prediction - target, not target - prediction" in msg


def test_partly_wrong_gradient_is_not_given_a_wrong_name():
    rng = np.random.default_rng(0)
    n = rng.normal(size=(6, 5))
    a = n.copy()
    a[:2] = rng.normal(size=(2, 5))  # wrong in a third of the entries, with no pattern
    assert diagnose(a, n) is None
    assert diagnose(n * (1 + 1e-7), n) is None  # tiny numerical differences are fine


def test_single_row_for_bias_with_leading_axis_and_keepdims():
    rng = np.random.default_rng(1)
    dZ = rng.normal(size=(4, 3))
    assert diagnose(dZ, dZ.sum(axis=0), name="db").kind == "bias_not_summed"
    assert diagnose(dZ[:1], dZ.sum(axis=0), name="db").kind == "bias_not_summed"
    keep = diagnose(dZ.sum(axis=0, keepdims=True), dZ.sum(axis=0), name="db")
    assert keep.kind == "shape" and "keepdims" in keep.message


def test_bias_gradient_that_is_one_row_is_named_given_the_rows():
    params, X, T, act, loss = make_problem(n=5, d=3, h=4, c=3, act="tanh", seed=9)
    dZ1 = backward(params, X, T, act, loss)["Z1"]
    num, _ = numerical(params, X, T, act, loss, "b1")
    for i in (0, 4):
        found = diagnose(dZ1[i], num, per_sample=dZ1, name="db1")
        assert found.kind == "bias_not_summed" and f"example {i}" in found.message
    assert diagnose(dZ1.sum(axis=0), num, per_sample=dZ1) is None
