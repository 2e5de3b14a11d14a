"""helpers.layers: every backward against central finite differences (float64), closed forms,
numerical stability, dtypes and error messages."""

import numpy as np
import pytest
from finite_differences import numerical_grad
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.layers import (
    MSE,
    BinaryCrossEntropy,
    Linear,
    ReLU,
    Sigmoid,
    SoftmaxCrossEntropy,
    Tanh,
    log_softmax,
    one_hot,
    sigmoid,
    softmax,
)

SETTINGS = settings(max_examples=25, deadline=None)
seeds = st.integers(0, 2**31 - 1)
dims = st.integers(1, 6)


def assert_close_grad(analytic, numerical, tol=1e-6):
    """Relative error |a-n| / max(1e-8, |a|+|n|) below tol everywhere, except entries that agree
    to 1e-7 absolutely (finite differences have round-off of about 1e-10 / eps there)."""
    assert analytic.shape == numerical.shape
    err = np.abs(analytic - numerical) / np.maximum(1e-8, np.abs(analytic) + np.abs(numerical))
    err[np.abs(analytic - numerical) < 1e-7] = 0.0
    assert err.max() < tol, f"max relative error {err.max():.3g}\n{analytic}\n{numerical}"


# ------------------------------------------------------------------------------------------------
# gradients against finite differences
# ------------------------------------------------------------------------------------------------

@SETTINGS
@given(seed=seeds, N=dims, D=dims, M=dims)
def test_linear_backward_matches_finite_differences(seed, N, D, M):
    rng = np.random.default_rng(seed)
    lin = Linear(D, M, rng=rng, dtype=np.float64)
    lin.params["b"][:] = rng.standard_normal(M)
    X = rng.standard_normal((N, D))
    dZ = rng.standard_normal((N, M))  # upstream gradient: L = sum(Z * dZ)
    f = lambda: float(np.sum(lin.forward(X) * dZ))
    lin.forward(X)
    dX = lin.backward(dZ)
    dW, db = lin.grads["W"].copy(), lin.grads["b"].copy()
    assert_close_grad(dX, numerical_grad(f, X))
    assert_close_grad(dW, numerical_grad(f, lin.params["W"]))
    assert_close_grad(db, numerical_grad(f, lin.params["b"]))


@pytest.mark.parametrize("layer_cls", [ReLU, Sigmoid, Tanh])
@SETTINGS
@given(seed=seeds, N=dims, D=dims, scale=st.sampled_from([0.1, 1.0, 5.0]))
def test_activation_backward_matches_finite_differences(layer_cls, seed, N, D, scale):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D)) * scale
    X[np.abs(X) < 1e-3] = 0.5  # keep away from the ReLU kink
    dY = rng.standard_normal((N, D))
    layer = layer_cls()
    f = lambda: float(np.sum(layer.forward(X) * dY))
    layer.forward(X)
    dX = layer.backward(dY)
    assert_close_grad(dX, numerical_grad(f, X), tol=1e-5)


@SETTINGS
@given(seed=seeds, N=dims, C=st.integers(2, 6), scale=st.sampled_from([0.1, 1.0, 10.0]),
       onehot=st.booleans())
def test_softmax_cross_entropy_backward_matches_finite_differences(seed, N, C, scale, onehot):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((N, C)) * scale
    y = rng.integers(0, C, N)
    target = one_hot(y, C) if onehot else y
    loss = SoftmaxCrossEntropy()
    f = lambda: loss.forward(Z, target)
    f()
    assert_close_grad(loss.backward(), numerical_grad(f, Z), tol=1e-5)


@SETTINGS
@given(seed=seeds, N=dims, K=dims, half=st.booleans())
def test_mse_backward_matches_finite_differences(seed, N, K, half):
    rng = np.random.default_rng(seed)
    P, T = rng.standard_normal((N, K)), rng.standard_normal((N, K))
    loss = MSE(half=half)
    f = lambda: loss.forward(P, T)
    f()
    assert_close_grad(loss.backward(), numerical_grad(f, P))


@SETTINGS
@given(seed=seeds, N=dims, column=st.booleans(), soft=st.booleans())
def test_bce_from_logits_backward_matches_finite_differences(seed, N, column, soft):
    rng = np.random.default_rng(seed)
    shape = (N, 1) if column else (N,)
    Z = rng.standard_normal(shape) * 3
    t = rng.uniform(0, 1, N) if soft else rng.integers(0, 2, N)
    loss = BinaryCrossEntropy(from_logits=True)
    f = lambda: loss.forward(Z, t)
    f()
    assert_close_grad(loss.backward(), numerical_grad(f, Z), tol=1e-5)


@SETTINGS
@given(seed=seeds, N=dims, column=st.booleans())
def test_bce_probabilities_backward_matches_finite_differences(seed, N, column):
    rng = np.random.default_rng(seed)
    shape = (N, 1) if column else (N,)
    P = rng.uniform(0.05, 0.95, shape)
    t = rng.integers(0, 2, N)
    loss = BinaryCrossEntropy()
    f = lambda: loss.forward(P, t)
    f()
    assert_close_grad(loss.backward(), numerical_grad(f, P), tol=1e-5)


@SETTINGS
@given(seed=seeds, N=dims, D=st.integers(1, 5), H=st.integers(1, 5))
def test_chain_linear_tanh_linear_mse(seed, N, D, H):
    """Layers compose: backprop through Linear -> Tanh -> Linear -> MSE matches differences."""
    rng = np.random.default_rng(seed)
    l1, act, l2 = Linear(D, H, rng=rng, dtype=np.float64), Tanh(), Linear(H, 2, rng=rng,
                                                                          dtype=np.float64)
    X, T = rng.standard_normal((N, D)), rng.standard_normal((N, 2))
    loss = MSE(half=True)
    f = lambda: loss.forward(l2.forward(act.forward(l1.forward(X))), T)
    f()
    dX = l1.backward(act.backward(l2.backward(loss.backward())))
    assert_close_grad(l1.grads["W"].copy(), numerical_grad(f, l1.params["W"]), tol=1e-5)
    assert_close_grad(dX, numerical_grad(f, X), tol=1e-5)


# ------------------------------------------------------------------------------------------------
# closed forms and stability
# ------------------------------------------------------------------------------------------------

@SETTINGS
@given(seed=seeds, N=dims, C=st.integers(2, 6))
def test_softmax_ce_gradient_is_p_minus_onehot_over_n(seed, N, C):
    rng = np.random.default_rng(seed)
    Z, y = rng.standard_normal((N, C)) * 3, rng.integers(0, C, N)
    loss = SoftmaxCrossEntropy()
    value = loss.forward(Z, y)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss.backward(), (P - one_hot(y, C)) / N, atol=1e-12)
    # the reference takes log of probabilities computed as exp-ratios: near a loss of 0 it is only
    # good to about machine epsilon in absolute terms, hence the absolute floor
    np.testing.assert_allclose(value, -np.mean(np.log(P[np.arange(N), y])), rtol=1e-10,
                               atol=1e-15)
    np.testing.assert_allclose(loss.probs, P, atol=1e-12)


def test_one_hot_and_int_labels_agree():
    rng = np.random.default_rng(3)
    Z, y = rng.standard_normal((7, 4)), rng.integers(0, 4, 7)
    a, b = SoftmaxCrossEntropy(), SoftmaxCrossEntropy()
    assert a.forward(Z, y) == pytest.approx(b.forward(Z, one_hot(y, 4)), rel=1e-12)
    np.testing.assert_allclose(a.backward(), b.backward(), atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_ce_stable_at_huge_logits(dtype):
    Z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], dtype=dtype)
    loss = SoftmaxCrossEntropy()
    value = loss.forward(Z, np.array([1, 1]))
    # row 0 is wrong by 2000 nats; row 1 is right with a runner-up 1 below: log(1 + e^-1)
    assert np.isfinite(value)
    assert value == pytest.approx((2000 + np.log1p(np.exp(-1))) / 2, rel=1e-5)
    d = loss.backward()
    assert np.all(np.isfinite(d)) and d.dtype == dtype
    np.testing.assert_allclose(d.sum(axis=1), 0, atol=1e-6)
    assert np.all(np.isfinite(log_softmax(Z))) and np.allclose(softmax(Z).sum(axis=1), 1)


@SETTINGS
@given(z=st.floats(-20, 20))
def test_sigmoid_derivative_is_s_times_one_minus_s(z):
    x = np.array([z])
    num = (sigmoid(x + 1e-6) - sigmoid(x - 1e-6)) / 2e-6
    s = sigmoid(x)
    np.testing.assert_allclose(num, s * (1 - s), rtol=1e-5, atol=1e-9)


def test_sigmoid_and_bce_stable_at_extremes():
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    s = sigmoid(z)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    t = np.array([1, 1, 0, 0, 0])
    bce = BinaryCrossEntropy(from_logits=True)
    value = bce.forward(z, t)
    assert value == pytest.approx((1000 + 30 + np.log(2) + 30 + 1000) / 5, rel=1e-6)
    assert np.all(np.isfinite(bce.backward()))
    probs = BinaryCrossEntropy()  # saturated probabilities are clipped, not log(0)
    assert np.isfinite(probs.forward(s, t)) and np.all(np.isfinite(probs.backward()))


@SETTINGS
@given(seed=seeds, N=dims, C=st.integers(1, 6), shift=st.floats(-500, 500))
def test_softmax_rows_sum_to_one_and_shift_invariant(seed, N, C, shift):
    Z = np.random.default_rng(seed).standard_normal((N, C))
    P = softmax(Z)
    np.testing.assert_allclose(P.sum(axis=1), 1)
    np.testing.assert_allclose(softmax(Z + shift), P, atol=1e-10)
    np.testing.assert_allclose(np.exp(log_softmax(Z)), P, atol=1e-12)


def test_mse_values_and_half_convention():
    P, T = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 2.0], [1.0, 1.0]])
    assert MSE().forward(P, T) == pytest.approx((1 + 0 + 4 + 9) / 4)
    half = MSE(half=True)
    assert half.forward(P, T) == pytest.approx((1 + 0 + 4 + 9) / 8)
    np.testing.assert_allclose(half.backward(), (P - T) / 4)


def test_one_hot_values():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    assert one_hot(np.arange(10)).shape == (10, 10)


# ------------------------------------------------------------------------------------------------
# dtypes, in-place behaviour, initialisation
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layers_keep_their_dtype(dtype):
    rng = np.random.default_rng(0)
    lin = Linear(5, 3, rng=1, dtype=dtype)
    X = rng.standard_normal((4, 5))  # float64 input is converted to the layer's dtype
    Z = lin.forward(X)
    assert Z.dtype == dtype and lin.params["W"].dtype == dtype
    for act in (ReLU(), Sigmoid(), Tanh()):
        H = act.forward(Z.copy())
        assert H.dtype == dtype and act.backward(np.ones_like(H)).dtype == dtype
    assert lin.backward(np.ones((4, 3), dtype)).dtype == dtype
    assert lin.grads["W"].dtype == dtype and lin.grads["b"].dtype == dtype
    loss = SoftmaxCrossEntropy()
    loss.forward(Z, np.array([0, 1, 2, 0]))
    assert loss.backward().dtype == dtype


def test_relu_inplace_matches_out_of_place_and_default_leaves_input_alone():
    rng = np.random.default_rng(1)
    X, dY = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    plain, inplace = ReLU(), ReLU(inplace=True)
    X0, dY0 = X.copy(), dY.copy()
    Y, dX = plain.forward(X), plain.backward(dY)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(dY, dY0)
    np.testing.assert_array_equal(inplace.forward(X.copy()), Y)
    np.testing.assert_array_equal(inplace.backward(dY.copy()), dX)


def test_linear_init_is_seeded_and_scaled():
    a, b = Linear(400, 300, rng=5), Linear(400, 300, rng=5)
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    assert not np.array_equal(a.params["W"], Linear(400, 300, rng=6).params["W"])
    assert a.params["W"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert Linear(400, 300, init="xavier").params["W"].std() == pytest.approx(
        np.sqrt(2 / 700), rel=0.02)
    assert not Linear(4, 3, init="zeros").params["W"].any()
    assert not a.params["b"].any()


def test_linear_grads_are_overwritten_not_accumulated():
    lin = Linear(3, 2, dtype=np.float64)
    X, dZ = np.ones((2, 3)), np.ones((2, 2))
    lin.forward(X)
    lin.backward(dZ)
    first = lin.grads["W"].copy()
    lin.backward(dZ)
    np.testing.assert_array_equal(lin.grads["W"], first)
    assert lin.backward(dZ, need_dX=False) is None


# ------------------------------------------------------------------------------------------------
# error messages name what was expected and what came
# ------------------------------------------------------------------------------------------------

def test_linear_wrong_shape_message():
    with pytest.raises(ValueError, match=r"Linear\(784, 128\)\.forward expected X of shape "
                                         r"\(N, 784\), got \(32, 780\)"):
        Linear(784, 128).forward(np.zeros((32, 780), np.float32))
    with pytest.raises(ValueError, match=r"got \(784,\).*X\[None, :\]"):
        Linear(784, 128).forward(np.zeros(784, np.float32))


def test_integer_input_is_rejected():
    with pytest.raises(TypeError, match="floating-point X, got dtype int64"):
        Linear(2, 2).forward(np.array([[1, 2]], dtype=np.int64))
    with pytest.raises(TypeError, match="floating-point X"):
        ReLU().forward(np.array([1, 2]))


@pytest.mark.parametrize("layer", [Linear(2, 3), ReLU(), Sigmoid(), Tanh()])
def test_layer_backward_before_forward(layer):
    with pytest.raises(RuntimeError, match=r"backward called before forward"):
        layer.backward(np.zeros((1, 3)))


@pytest.mark.parametrize("loss", [SoftmaxCrossEntropy(), MSE(), BinaryCrossEntropy()])
def test_loss_backward_before_forward(loss):
    with pytest.raises(RuntimeError, match=r"backward called before forward"):
        loss.backward()


def test_backward_shape_mismatch():
    lin = Linear(2, 3)
    lin.forward(np.zeros((4, 2), np.float32))
    with pytest.raises(ValueError, match=r"expected dZ of shape \(4, 3\), got \(4, 2\)"):
        lin.backward(np.zeros((4, 2), np.float32))
    act = Tanh()
    act.forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"expected dY of shape \(2, 2\).*got \(3, 2\)"):
        act.backward(np.zeros((3, 2)))


def test_label_errors():
    loss = SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match=r"labels in 0\.\.2 \(3 classes\), got label 3"):
        loss.forward(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="got label -1"):
        loss.forward(np.zeros((2, 3)), np.array([-1, 0]))
    with pytest.raises(TypeError, match="integer class labels, got dtype float64"):
        loss.forward(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"expected y of shape \(2,\), got \(3,\)"):
        loss.forward(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="row 1 sums to 2"):
        loss.forward(np.zeros((2, 3)), np.array([[1, 0, 0], [1, 1, 0]]))
    with pytest.raises(ValueError, match="labels in 0..1"):
        one_hot(np.array([2]), 2)


def test_loss_target_errors():
    with pytest.raises(ValueError, match=r"target of shape \(3, 2\).*got \(3,\)"):
        MSE().forward(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*from_logits=True"):
        BinaryCrossEntropy().forward(np.array([2.0, 0.5]), np.array([1, 0]))
    with pytest.raises(ValueError, match=r"targets t in \[0, 1\]"):
        BinaryCrossEntropy(from_logits=True).forward(np.zeros(2), np.array([2, 0]))
    with pytest.raises(ValueError, match=r"shape \(N,\) or \(N, 1\), got \(2, 2\)"):
        BinaryCrossEntropy(from_logits=True).forward(np.zeros((2, 2)), np.zeros((2, 2)))
