"""Tests of the network widgets (lectures 3 and 4): the pure functions, then the ipywidgets UI.

No browser: the UI objects are built, their sliders and buttons driven from Python, and what they
computed is compared with independent computations.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from helpers import widgets as w  # noqa: E402
from helpers.data import xor_table  # noqa: E402


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- the XOR network -------------------------------------------------------------------------

def test_hand_built_xor_outputs_of_the_slides():
    # COMP 755 prints 0.149132886381 and 0.893163783089 for F = 5.
    _, yhat = w.xor_forward(w.hand_built_xor(5.0), w.XOR_INPUTS)
    np.testing.assert_allclose(yhat, [0.149132886381, 0.893163783089, 0.893163783089,
                                      0.149132886381], atol=1e-11)


@given(F=st.floats(0.1, 30))
@settings(max_examples=30, deadline=None)
def test_hand_built_xor_matches_the_slide_formulas(F):
    _, yhat = w.xor_forward(w.hand_built_xor(F), w.XOR_INPUTS)
    for (x1, x2), got in zip(w.XOR_INPUTS, yhat):
        h1 = _sigmoid(F * (-0.5 + x1 - x2))
        h2 = _sigmoid(F * (-0.5 - x1 + x2))
        assert got == pytest.approx(_sigmoid(F * (-0.5 + h1 + h2)), rel=1e-12, abs=1e-15)


def test_hand_built_xor_classifies_xor_only_when_F_is_large_enough():
    # sigma(F(-0.5 + 2 sigma(-F/2))) < 0.5 needs 2 sigma(-F/2) < 0.5, i.e. F > 2 ln 3 = 2.197...
    for F, correct in ((2.0, False), (2.3, True), (5.0, True)):
        rows = w.xor_output_table(w.hand_built_xor(F))
        ok = all((r["yhat"] > 0.5) == bool(r["target"]) for r in rows)
        assert ok is correct, F


@given(seed=st.integers(0, 10_000), H=st.integers(1, 5))
@settings(max_examples=25, deadline=None)
def test_xor_forward_is_the_rows_form_one_sample_at_a_time(seed, H):
    rng = np.random.default_rng(seed)
    p = {"W1": rng.normal(size=(2, H)) * 3, "b1": rng.normal(size=H),
         "W2": rng.normal(size=(H, 1)) * 3, "b2": rng.normal(size=1)}
    X = rng.normal(size=(7, 2))
    hidden, yhat = w.xor_forward(p, X)
    assert hidden.shape == (7, H) and yhat.shape == (7,)
    for n in range(len(X)):
        h = [_sigmoid(sum(X[n, d] * p["W1"][d, j] for d in range(2)) + p["b1"][j])
             for j in range(H)]                       # unit j: column j of W1
        out = _sigmoid(sum(h[j] * p["W2"][j, 0] for j in range(H)) + p["b2"][0])
        np.testing.assert_allclose(hidden[n], h, rtol=1e-12)
        assert yhat[n] == pytest.approx(out, rel=1e-12)
    # the slides' column form (z = W h + b, W1 (H, 2), W2 (1, H)) is recognised and transposed
    columns = {"W1": p["W1"].T, "b1": p["b1"], "W2": p["W2"].T, "b2": p["b2"]}
    hidden_c, yhat_c = w.xor_forward(columns, X)
    np.testing.assert_array_equal(hidden_c, hidden)
    np.testing.assert_array_equal(yhat_c, yhat)


def test_hand_built_xor_is_in_the_rows_form():
    p = w.hand_built_xor(2.0)
    assert {k: v.shape for k, v in p.items()} == {"W1": (2, 2), "b1": (2,), "W2": (2, 1),
                                                  "b2": (1,)}
    np.testing.assert_array_equal(p["W2"], [[2.0], [2.0]])
    np.testing.assert_array_equal(w.XOR_INPUTS, xor_table()[0])
    np.testing.assert_array_equal(w.XOR_TARGETS, xor_table()[1])


def test_xor_forward_is_stable_for_huge_weights():
    _, yhat = w.xor_forward(w.hand_built_xor(1e4), w.XOR_INPUTS)
    assert np.all(np.isfinite(yhat))
    np.testing.assert_allclose(yhat, [0, 1, 1, 0], atol=1e-12)


def test_output_table_rows_and_losses():
    rows = w.xor_output_table(w.hand_built_xor(5.0))
    assert [(r["x1"], r["x2"], r["target"]) for r in rows] == [
        (0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)]
    for r in rows:
        assert r["loss"] == pytest.approx(0.5 * (r["yhat"] - r["target"]) ** 2)
        # h1 is on for (1, 0) and h2 for (0, 1), as in the table of the slides
    assert rows[2]["h1"] > 0.9 > 0.1 > rows[2]["h2"]
    assert rows[1]["h2"] > 0.9 > 0.1 > rows[1]["h1"]


def test_xor_grid_orientation_and_values():
    p = w.hand_built_xor(5.0)
    xs, ys, P = w.xor_grid(p, n=5, lim=(0.0, 1.0))
    assert P.shape == (5, 5)
    _, at = w.xor_forward(p, np.array([[xs[4], ys[0]], [xs[0], ys[4]], [xs[1], ys[3]]]))
    # P[i, j] is the output at (xs[j], ys[i])
    np.testing.assert_allclose([P[0, 4], P[4, 0], P[3, 1]], at)


@pytest.mark.parametrize(("params", "match"), [
    ({"W1": np.eye(2), "b1": np.zeros(2), "W2": np.ones((1, 3)), "b2": np.zeros(1)},
     r"params\['W2'\] must have shape \(2, 1\), got \(1, 3\)"),
    ({"W1": np.ones((2, 3)), "b1": np.zeros(2), "W2": np.ones((3, 1)), "b2": np.zeros(1)},
     r"params\['b1'\] must have shape \(3,\), got \(2,\) \(H = 3"),
    ({"W1": np.eye(2), "b1": np.zeros(2)}, r"missing \['W2', 'b2'\]"),
])
def test_bad_params_name_what_was_expected(params, match):
    with pytest.raises(ValueError, match=match):
        w.xor_forward(params, w.XOR_INPUTS)


def test_bad_inputs_name_what_came():
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(4, 3\)"):
        w.xor_forward(w.hand_built_xor(), np.zeros((4, 3)))
    with pytest.raises(TypeError, match="params must be a dict"):
        w.xor_forward([1, 2, 3], w.XOR_INPUTS)
    with pytest.raises(ValueError, match="n must be at least 2, got 1"):
        w.xor_grid(w.hand_built_xor(), n=1)
    with pytest.raises(ValueError, match="F must be a finite number"):
        w.hand_built_xor(float("nan"))


def test_plot_xor_net_draws_boundary_and_points():
    fig = w.plot_xor_net(w.hand_built_xor(5.0), title="F = 5")
    ax = fig.axes[0]
    assert ax.get_title() == "F = 5"
    assert len(ax.collections) >= 3          # filled contour, boundary, two scatters
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["$z_1=0$", "$z_2=0$"]


# --- the XOR weights explorer --------------------------------------------------------------

def test_explorer_starts_at_the_hand_built_net_and_follows_the_sliders():
    box = w.xor_weights_explorer(5.0)
    assert round(box.rows[0]["yhat"], 4) == 0.1491
    assert round(box.rows[1]["yhat"], 4) == 0.8932
    box.sliders["b2[0]"].value = 2.5                    # output bias flipped: everything "1"
    expected = w.xor_output_table(dict(w.hand_built_xor(5.0), b2=np.array([2.5])))
    assert box.rows == expected
    assert all(r["yhat"] > 0.5 for r in box.rows)
    np.testing.assert_array_equal(box.params()["b2"], [2.5])


def test_explorer_reset_uses_the_F_slider():
    box = w.xor_weights_explorer(5.0)
    box.sliders["W1[0,1]"].value = 3.0
    box.sliders["F"].value = 10.0
    box.reset()
    for key, val in w.hand_built_xor(10.0).items():
        np.testing.assert_array_equal(box.params()[key], val)
    assert box.rows == w.xor_output_table(w.hand_built_xor(10.0))


def test_training_replay_walks_through_the_snapshots():
    snaps = {0: w.hand_built_xor(0.5), 5: w.hand_built_xor(2.0), 9: w.hand_built_xor(5.0)}
    losses = np.linspace(1.0, 0.1, 10)
    box = w.xor_training_replay(snaps, losses)
    assert box.iterations == [0, 5, 9] and box.current == 0
    box.buttons["next"].click()
    assert box.current == 5
    box.slider.value = 2
    assert box.current == 9 and box.buttons["next"].disabled
    fig = w.plot_xor_training(snaps[5], losses, 5)
    ax_loss = fig.axes[0]
    assert ax_loss.get_title() == "iteration 5: loss 0.5"
    x_mark, y_mark = ax_loss.lines[1].get_data()
    assert (x_mark[0], y_mark[0]) == (5, losses[5])


def test_training_replay_rejects_bad_input():
    with pytest.raises(ValueError, match="snapshots is empty"):
        w.xor_training_replay({}, [1.0])
    with pytest.raises(ValueError, match=r"saved iterations must be in 0 … 2 .* got 0 … 3"):
        w.xor_training_replay({0: w.hand_built_xor(), 3: w.hand_built_xor()}, [1.0, 0.5, 0.2])
    with pytest.raises(IndexError, match=r"iteration must be in 0 … 1, got 2"):
        w.plot_xor_training(w.hand_built_xor(), [1.0, 0.5], 2)


# --- misclassified digits ------------------------------------------------------------------

@given(seed=st.integers(0, 10_000), n=st.integers(1, 60))
@settings(max_examples=40, deadline=None)
def test_misclassified_indices_are_exactly_the_mistakes_most_confident_first(seed, n):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(10), size=n)
    y = rng.integers(0, 10, size=n)
    idx = w.misclassified_indices(y, probs)
    pred = probs.argmax(1)
    assert sorted(idx.tolist()) == np.flatnonzero(pred != y).tolist()
    conf = probs[idx, pred[idx]]
    assert np.all(np.diff(conf) <= 0)


def test_misclassified_indices_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"probs must have 3 rows .* got shape \(2, 10\)"):
        w.misclassified_indices([1, 2, 3], np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"probs must have shape \(N, C\), got \(3,\)"):
        w.misclassified_indices([1, 2, 3], np.zeros(3))


def test_digit_view_reshapes_row_major_and_reports_labels():
    rng = np.random.default_rng(1)
    X = rng.random((4, 784))
    probs = rng.dirichlet(np.ones(10), size=4)
    v = w.digit_view(X, [5, 6, 7, 8], probs, 2)
    assert v["image"][3, 5] == X[2, 3 * 28 + 5]
    assert (v["true"], v["pred"], v["index"]) == (7, int(probs[2].argmax()), 2)
    np.testing.assert_array_equal(v["probs"], probs[2])
    with pytest.raises(IndexError, match=r"0 … 3, got 4"):
        w.digit_view(X, [5, 6, 7, 8], probs, 4)
    with pytest.raises(ValueError, match=r"X must have shape \(4, 784\)"):
        w.digit_view(X[:, :100], [5, 6, 7, 8], probs, 0)


def test_misclassified_browser_steps_through_the_mistakes():
    rng = np.random.default_rng(2)
    X = rng.random((30, 784))
    probs = rng.dirichlet(np.ones(10), size=30)
    y = rng.integers(0, 10, size=30)
    box = w.misclassified_browser(X, y, probs)
    idx = w.misclassified_indices(y, probs)
    assert len(idx) >= 3
    np.testing.assert_array_equal(box.indices, idx)
    assert box.view["index"] == idx[0] and box.buttons["prev"].disabled
    box.buttons["next"].click()
    box.buttons["next"].click()
    assert box.slider.value == 2 and box.view["index"] == idx[2]
    box.buttons["prev"].click()
    assert box.view["index"] == idx[1]
    assert box.view["true"] == y[idx[1]] and box.view["pred"] != y[idx[1]]
    box.slider.value = len(idx) - 1
    assert box.buttons["next"].disabled


def test_misclassified_browser_with_no_mistakes_says_so():
    box = w.misclassified_browser(np.zeros((2, 784)), [0, 1], np.eye(10)[[0, 1]])
    assert "No misclassified" in box.children[0].value


# --- first-layer weights -------------------------------------------------------------------

@given(seed=st.integers(0, 10_000))
@settings(max_examples=20, deadline=None)
def test_weight_images_are_columns_scaled_to_unit_max(seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(784, 5)) * rng.uniform(0.01, 100)
    imgs = w.weight_images(W)
    assert imgs.shape == (5, 28, 28)
    np.testing.assert_allclose(np.abs(imgs).max(axis=(1, 2)), 1.0)
    j, r, c = 3, 10, 17
    assert imgs[j, r, c] == pytest.approx(W[r * 28 + c, j] / np.abs(W[:, j]).max())
    np.testing.assert_array_equal(np.sign(imgs[1].ravel()), np.sign(W[:, 1]))


def test_weight_images_zero_column_and_bad_shape():
    imgs = w.weight_images(np.zeros((784, 2)), units=[1])
    assert imgs.shape == (1, 28, 28) and not np.any(imgs)
    with pytest.raises(ValueError, match=r"W must have shape \(784, M\).*got \(10, 784\)"):
        w.weight_images(np.zeros((10, 784)))


def test_weights_browser_finds_the_inputs_that_excite_a_unit():
    rng = np.random.default_rng(3)
    W = rng.normal(size=(784, 4))
    X = rng.random((50, 784))
    box = w.weights_browser(W, X)
    box.slider.value = 2
    expected = np.argsort(-(X @ W[:, 2]))[:8]
    np.testing.assert_array_equal(box.top, expected)
    fig = w.plot_weight_images(W, ncols=2)
    assert len([a for a in fig.axes if a.images]) == 4


def test_weights_browser_can_show_other_weights_but_ranks_by_W():
    rng = np.random.default_rng(4)
    W = rng.normal(size=(784, 3))
    X = rng.random((20, 784))
    box = w.weights_browser(W, X, show=W - 1.0)
    box.slider.value = 1
    np.testing.assert_array_equal(box.top, np.argsort(-(X @ W[:, 1]))[:8])
    with pytest.raises(ValueError, match=r"shape of W \(784, 3\), got \(784, 2\)"):
        w.weights_browser(W, X, show=W[:, :2])
