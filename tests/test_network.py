"""helpers.network: Sequential backprop against finite differences, SGD, the training loop
(convergence on XOR, determinism, every sample once per epoch, quiet mode) and errors."""

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
)
from helpers.network import SGD, History, Sequential, evaluate, mlp, train, train_epoch

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
XOR_Y = np.array([0, 1, 1, 0])


def noisy_xor(n=400, noise=0.15, seed=0):
    """Corners of the unit square with Gaussian noise; label = XOR of the corner."""
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, (n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    return X, corners[:, 0] ^ corners[:, 1]


# ------------------------------------------------------------------------------------------------
# Sequential
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), N=st.integers(1, 5))
def test_sequential_gradients_match_finite_differences(activation, seed, N):
    rng = np.random.default_rng(seed)
    net = mlp([3, 5, 4, 3], activation=activation, rng=rng, dtype=np.float64)
    for _, p, _ in net.parameters():
        p[...] = rng.standard_normal(p.shape)  # non-zero biases too
    X, y = rng.standard_normal((N, 3)), rng.integers(0, 3, N)
    loss = SoftmaxCrossEntropy()
    f = lambda: loss.forward(net.forward(X), y)
    f()
    dX = net.backward(loss.backward())
    analytic = {name: g.copy() for name, _, g in net.parameters()}
    for name, p, _ in net.parameters():
        num = numerical_grad(f, p)
        np.testing.assert_allclose(analytic[name], num, rtol=1e-5, atol=1e-7, err_msg=name)
    np.testing.assert_allclose(dX, numerical_grad(f, X), rtol=1e-5, atol=1e-7)


def test_backward_without_input_gradient_gives_same_parameter_grads():
    rng = np.random.default_rng(0)
    net = mlp([4, 6, 2], rng=1, dtype=np.float64)
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 2, 5)
    loss = SoftmaxCrossEntropy()
    loss.forward(net.forward(X), y)
    net.backward(loss.backward())
    full = [g.copy() for _, _, g in net.parameters()]
    loss.forward(net.forward(X), y)
    assert net.backward(loss.backward(), need_dX=False) is None
    for a, (_, _, b) in zip(full, net.parameters()):
        np.testing.assert_array_equal(a, b)


def test_parameters_are_the_live_arrays_with_names():
    net = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=1))
    params = net.parameters()
    assert [name for name, _, _ in params] == ["0.W", "0.b", "2.W", "2.b"]
    assert params[0][1] is net[0].params["W"] and params[0][2] is net[0].grads["W"]
    assert [p.shape for _, p, _ in params] == [(2, 3), (3,), (3, 1), (1,)]


def test_mlp_structure_and_dtype():
    net = mlp([784, 128, 64, 10])
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert all(p.dtype == np.float32 for _, p, _ in net.parameters())
    assert net.forward(np.zeros((3, 784))).dtype == np.float32
    assert [type(layer) for layer in mlp([2, 3, 1], activation="tanh").layers][1] is Tanh
    assert [type(layer) for layer in mlp([2, 3, 1], activation="sigmoid").layers][1] is Sigmoid
    np.testing.assert_array_equal(mlp([5, 4, 2], rng=3)[0].params["W"],
                                  mlp([5, 4, 2], rng=3)[0].params["W"])


def test_predict_argmax_and_threshold():
    net = Sequential(Linear(2, 2, init="zeros", dtype=np.float64))
    net[0].params["W"][...] = [[1, 0], [0, 1]]
    np.testing.assert_array_equal(net.predict(np.array([[2.0, 1.0], [0.0, 3.0]])), [0, 1])
    one = Sequential(Linear(1, 1, init="zeros", dtype=np.float64))
    one[0].params["W"][...] = 1.0
    X = np.array([[-1.0], [0.3], [0.7]])
    np.testing.assert_array_equal(one.predict(X), [0, 0, 1])
    np.testing.assert_array_equal(one.predict(X, threshold=0.0), [0, 1, 1])


# ------------------------------------------------------------------------------------------------
# SGD
# ------------------------------------------------------------------------------------------------

def test_sgd_step_updates_in_place_and_leaves_grads():
    rng = np.random.default_rng(2)
    net = mlp([3, 4, 2], rng=0, dtype=np.float64)
    before, ids = [], []
    for _, p, g in net.parameters():
        g[...] = rng.standard_normal(g.shape)
        before.append((p.copy(), g.copy()))
        ids.append(id(p))
    SGD(0.1).step(net)
    for (p0, g0), (_, p, g) in zip(before, net.parameters()):
        np.testing.assert_allclose(p, p0 - 0.1 * g0, rtol=1e-15)
        np.testing.assert_array_equal(g, g0)
    assert ids == [id(p) for _, p, _ in net.parameters()]


@pytest.mark.parametrize("lr", [0, -1, float("nan")])
def test_sgd_rejects_bad_learning_rate(lr):
    with pytest.raises(ValueError, match="positive finite learning rate"):
        SGD(lr)


# ------------------------------------------------------------------------------------------------
# training
# ------------------------------------------------------------------------------------------------

def test_training_reduces_loss_on_noisy_xor():
    X, y = noisy_xor(400, seed=0)
    X_val, y_val = noisy_xor(200, seed=1)
    net = mlp([2, 16, 2], rng=0)
    hist = train(net, SoftmaxCrossEntropy(), X, y, epochs=40, batch_size=32, lr=0.2, seed=0,
                 X_val=X_val, y_val=y_val, quiet=True)
    assert isinstance(hist, History) and len(hist) == 40
    assert len(hist.accuracy) == len(hist.val_loss) == len(hist.val_accuracy) == 40
    assert hist.loss[-1] < 0.5 * hist.loss[0]
    assert hist.accuracy[-1] > 0.9 and hist.val_accuracy[-1] > 0.9
    val_loss, val_acc = evaluate(net, SoftmaxCrossEntropy(), X_val, y_val)
    assert val_loss == pytest.approx(hist.val_loss[-1]) and val_acc == hist.val_accuracy[-1]
    assert np.mean(net.predict(X_val) == y_val) == val_acc


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_reaches_100_percent_on_the_xor_table(activation):
    net = mlp([2, 8, 2], activation=activation, rng=0)
    hist = train(net, SoftmaxCrossEntropy(), XOR_X, XOR_Y, epochs=500, lr=0.5, quiet=True)
    np.testing.assert_array_equal(net.predict(XOR_X), XOR_Y)
    assert hist.accuracy[-1] == 1.0 and hist.loss[-1] < 0.1


def test_xor_with_one_sigmoid_output_and_bce():
    """The COMP 755 / Alberta set-up: one sigmoid output unit and binary cross-entropy."""
    net = Sequential(*mlp([2, 8, 1], activation="tanh", rng=1).layers, Sigmoid())
    hist = train(net, BinaryCrossEntropy(), XOR_X, XOR_Y, epochs=1000, lr=1.0, quiet=True)
    np.testing.assert_array_equal(net.predict(XOR_X), XOR_Y)
    assert hist.accuracy[-1] == 1.0
    logits = mlp([2, 8, 1], activation="tanh", rng=1)
    hist = train(logits, BinaryCrossEntropy(from_logits=True), XOR_X, XOR_Y, epochs=1000,
                 lr=1.0, quiet=True)
    np.testing.assert_array_equal(logits.predict(XOR_X, threshold=0.0), XOR_Y)
    assert hist.accuracy[-1] == 1.0


def test_mse_training_on_one_hot_targets():
    X, y = noisy_xor(200, seed=4)
    T = np.eye(2)[y]
    hist = train(mlp([2, 16, 2], rng=0), MSE(), X, T, epochs=60, batch_size=20, lr=0.1,
                 quiet=True)
    assert hist.loss[-1] < hist.loss[0] and hist.accuracy[-1] > 0.9


def test_same_seed_same_result_other_seed_differs():
    X, y = noisy_xor(200, seed=2)

    def run(seed):
        net = mlp([2, 8, 2], rng=0)
        hist = train(net, SoftmaxCrossEntropy(), X, y, epochs=3, batch_size=16, lr=0.1,
                     seed=seed, quiet=True)
        return hist.loss, net[0].params["W"].copy()

    (l1, w1), (l2, w2), (l3, w3) = run(0), run(0), run(1)
    assert l1 == l2 and l1 != l3
    np.testing.assert_array_equal(w1, w2)
    assert not np.array_equal(w1, w3)


class _Spy:
    """A parameter-free layer that records which rows (column 0 holds the row id) it sees."""

    def __init__(self):
        self.params, self.grads, self.seen = {}, {}, []

    def forward(self, X):
        self.seen.append(X[:, 0].copy())
        return X

    def backward(self, dY):
        return dY


@pytest.mark.parametrize("N,B", [(10, 3), (12, 4), (7, 100), (5, None)])
def test_every_sample_once_per_epoch_in_shuffled_minibatches(N, B):
    spy = _Spy()
    net = Sequential(spy, Linear(2, 2, rng=0, dtype=np.float64))
    X = np.stack([np.arange(N, dtype=np.float64), np.ones(N)], axis=1)
    y = np.arange(N) % 2
    train(net, SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=B, lr=1e-3, quiet=True)
    B = N if B is None else min(B, N)
    sizes = [len(s) for s in spy.seen]
    assert sizes == ([B] * (N // B) + ([N % B] if N % B else [])) * 2
    per_epoch = len(sizes) // 2
    first = np.concatenate(spy.seen[:per_epoch])
    second = np.concatenate(spy.seen[per_epoch:])
    np.testing.assert_array_equal(np.sort(first), np.arange(N))
    np.testing.assert_array_equal(np.sort(second), np.arange(N))
    if N >= 10 and B < N:
        assert not np.array_equal(first, np.arange(N))  # shuffled
        assert not np.array_equal(first, second)  # a new order every epoch


def test_train_epoch_matches_manual_loop():
    """train_epoch is plain minibatch SGD: redo it by hand with the same permutation."""
    X, y = noisy_xor(50, seed=3)
    a, b = mlp([2, 4, 2], rng=0, dtype=np.float64), mlp([2, 4, 2], rng=0, dtype=np.float64)
    loss = SoftmaxCrossEntropy()
    train_epoch(a, loss, X, y, batch_size=16, optimizer=SGD(0.3), rng=np.random.default_rng(7))
    order = np.random.default_rng(7).permutation(50)
    for s in range(0, 50, 16):
        idx = order[s:s + 16]
        loss.forward(b.forward(X[idx]), y[idx])
        b.backward(loss.backward())
        for _, p, g in b.parameters():
            p -= 0.3 * g
    for (_, pa, _), (_, pb, _) in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(pa, pb, rtol=1e-12, atol=1e-15)


def test_float64_data_goes_into_a_float32_net():
    net = mlp([2, 4, 2], rng=0)
    train(net, SoftmaxCrossEntropy(), XOR_X, XOR_Y, epochs=2, lr=0.1, quiet=True)
    assert all(p.dtype == np.float32 for _, p, _ in net.parameters())


def test_quiet_prints_nothing(capsys):
    train(mlp([2, 4, 2]), SoftmaxCrossEntropy(), XOR_X, XOR_Y, epochs=5, lr=0.1, quiet=True)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_progress_bar_when_not_quiet(capsys):
    train(mlp([2, 4, 2]), SoftmaxCrossEntropy(), XOR_X, XOR_Y, epochs=5, lr=0.1)
    out, err = capsys.readouterr()
    assert "5/5" in out + err


def test_zero_epochs_gives_empty_history():
    hist = train(mlp([2, 4, 2]), SoftmaxCrossEntropy(), XOR_X, XOR_Y, epochs=0, lr=0.1,
                 quiet=True)
    assert len(hist) == 0 and hist.val_loss == []


# ------------------------------------------------------------------------------------------------
# errors
# ------------------------------------------------------------------------------------------------

def test_train_errors():
    net, loss = mlp([2, 4, 2]), SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match=r"4 labels/targets for 4 samples.*got y of shape \(3,\)"):
        train(net, loss, XOR_X, XOR_Y[:3], epochs=1, lr=0.1, quiet=True)
    with pytest.raises(TypeError, match="floating-point X, got dtype int64"):
        train(net, loss, XOR_X.astype(np.int64), XOR_Y, epochs=1, lr=0.1, quiet=True)
    with pytest.raises(ValueError, match=r"positive int batch_size.*got 0"):
        train(net, loss, XOR_X, XOR_Y, epochs=1, batch_size=0, lr=0.1, quiet=True)
    with pytest.raises(ValueError, match="both X_val and y_val"):
        train(net, loss, XOR_X, XOR_Y, epochs=1, lr=0.1, X_val=XOR_X, quiet=True)
    with pytest.raises(ValueError, match=r"expected X of shape \(N, D\), got \(4,\)"):
        train(net, loss, XOR_Y.astype(float), XOR_Y, epochs=1, lr=0.1, quiet=True)
    with pytest.raises(ValueError, match=r"Linear\(2, 4\)\.forward expected X of shape \(N, 2\)"):
        train(net, loss, np.zeros((4, 3)), XOR_Y, epochs=1, lr=0.1, quiet=True)
    with pytest.raises(ValueError, match=r"labels in 0\.\.1"):
        train(net, loss, XOR_X, XOR_Y + 1, epochs=1, lr=0.1, quiet=True)


def test_construction_errors():
    with pytest.raises(ValueError, match=r"at least two positive ints, got \[784\]"):
        mlp([784])
    with pytest.raises(ValueError, match="activation in"):
        mlp([2, 2], activation="softplus")
    with pytest.raises(TypeError, match="forward/backward, got int at position 1"):
        Sequential(Linear(2, 2), 3)


# ------------------------------------------------------------------------------------------------
# the MLP benchmark compares like with like
# ------------------------------------------------------------------------------------------------

def _bench():
    return pytest.importorskip("benchmarks.bench_mlp")


def test_benchmark_per_sample_loop_computes_the_same_training():
    """Nielsen-style loop and helpers.train (float64) end an epoch with the same weights."""
    bm = _bench()
    X, y = bm.make_data(2 * bm.BATCH + 10, seed=1)  # two full minibatches and a short one
    weights = bm.initial_weights()
    ours, loop = [], []
    bm.time_helpers(X, y, weights, trained=ours, dtype=np.float64)
    bm.time_per_sample(X, y, weights, trained=loop)
    for (Wa, ba), (Wb, bb), (W0, _) in zip(ours[0], loop[0], weights):
        assert not np.allclose(Wa, W0)  # it trained
        np.testing.assert_allclose(Wa, Wb, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ba, bb, rtol=1e-9, atol=1e-12)


def test_benchmark_rows_follow_the_harness_format():
    bm = _bench()
    bm.SIZES["_test"] = {"n": 300, "n_loop": 20, "repeats": 1, "torch": False}
    try:
        rows = bm.run("_test")
    finally:
        del bm.SIZES["_test"]
    keys = {"benchmark", "variant", "seconds", "baseline", "ratio", "note"}
    assert all(set(r) == keys for r in rows)
    variants = {r["variant"] for r in rows}
    assert {"GEMM limit", "per-sample loop", "helpers", "torch"} <= variants
    ratios = {r["baseline"]: r["ratio"] for r in rows if r["variant"] == "helpers"}
    assert set(ratios) == {"GEMM limit", "per-sample loop"}
    assert all(r > 0 for r in ratios.values())


def test_benchmark_torch_variant_computes_the_same_training():
    """One minibatch (order-free) in PyTorch gives helpers' weights (float32 tolerance)."""
    pytest.importorskip("torch")
    bm = _bench()
    X, y = bm.make_data(bm.BATCH, seed=2)
    weights = bm.initial_weights()
    ours, theirs = [], []
    bm.time_helpers(X, y, weights, trained=ours)
    bm.make_torch_timer()(X, y, weights, trained=theirs)
    for (Wa, ba), (Wb, bb) in zip(ours[0], theirs[0]):
        np.testing.assert_allclose(Wa, Wb, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(ba, bb, rtol=1e-4, atol=1e-6)
