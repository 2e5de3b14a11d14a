"""Tests of helpers.plots under the Agg backend: each function returns a Figure showing what it was
given (the lines, images, counts and boxes are checked against the input), and bad input raises a
clear error."""

import math
import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from helpers.autograd import MLP, Value, topological_order  # noqa: E402
from helpers.plots import (  # noqa: E402
    draw_graph,
    plot_confusion,
    plot_decision_boundary,
    plot_digit_probs,
    plot_digits,
    plot_function_2d,
    plot_gd_path,
    plot_loss,
    plot_weight_images,
    weight_images,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def render(fig):
    """Draw the figure (layout and arrows are computed at draw time) and return it."""
    fig.canvas.draw()
    return fig


# -- plot_loss ------------------------------------------------------------------------------------
def test_plot_loss_from_a_list():
    losses = [2.0, 1.0, 0.5, 0.25]
    fig = render(plot_loss(losses, title="XOR"))
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    (line,) = fig.axes[0].get_lines()
    assert list(line.get_ydata()) == losses and list(line.get_xdata()) == [1, 2, 3, 4]
    assert fig.axes[0].get_ylabel() == "loss" and fig._suptitle.get_text() == "XOR"


def test_plot_loss_from_a_history_with_validation_and_accuracy():
    rng = np.random.default_rng(0)
    h = SimpleNamespace(loss=list(rng.uniform(size=7)), accuracy=list(rng.uniform(size=7)),
                        val_loss=list(rng.uniform(size=7)), val_accuracy=list(rng.uniform(size=7)))
    fig = render(plot_loss(h, logy=True))
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert [list(ln.get_ydata()) for ln in loss_ax.get_lines()] == [h.loss, h.val_loss]
    assert [list(ln.get_ydata()) for ln in acc_ax.get_lines()] == [h.accuracy, h.val_accuracy]
    assert loss_ax.get_yscale() == "log" and loss_ax.get_legend() is not None
    texts = [t.get_text() for t in loss_ax.get_legend().get_texts()]
    assert texts == ["training", "validation"]


def test_plot_loss_from_a_dict_skips_missing_and_empty_curves():
    fig = plot_loss({"loss": [3, 2, 1], "val_loss": [], "accuracy": None})
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 1


@pytest.mark.parametrize("bad,err,msg", [
    ({"acc": [1, 2]}, ValueError, "none of the keys"),
    ("loss", TypeError, "expects a History"),
    (42, TypeError, "got int"),
    ([[1, 2], [3, 4]], ValueError, r"1-D.*\(2, 2\)"),
    ({"accuracy": [0.5]}, ValueError, "no loss values"),
])
def test_plot_loss_bad_input(bad, err, msg):
    with pytest.raises(err, match=msg):
        plot_loss(bad)


# -- plot_decision_boundary -----------------------------------------------------------------------
def _xor_points(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def _boundary_lines(ax):
    """The line contours (not the filled map) drawn at 0.5."""
    return [c for c in ax.collections
            if getattr(c, "filled", True) is False and 0.5 in getattr(c, "levels", [])]


def test_decision_boundary_with_labels_and_probabilities():
    X, y = _xor_points()
    seen = []

    def predict(P):
        seen.append(P.shape)
        return (P[:, 0] * P[:, 1] > 0).astype(int)

    fig = render(plot_decision_boundary(predict, X, y, resolution=50))
    assert seen == [(2500, 2)]
    ax = fig.axes[0]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points) == 2  # one scatter per class
    assert sorted(len(c.get_offsets()) for c in points) == sorted(np.bincount(y))
    drawn = np.vstack([c.get_offsets() for c in points])
    assert sorted(map(tuple, drawn)) == sorted(map(tuple, X))
    # probabilities: a smooth map and the 0.5 contour
    fig2 = render(plot_decision_boundary(lambda P: 1 / (1 + np.exp(-5 * P[:, 0] * P[:, 1])),
                                         X, y, resolution=40))
    assert _boundary_lines(fig2.axes[0])


def test_decision_boundary_with_scores_and_given_axes():
    X, y = _xor_points()
    fig, (a, b) = plt.subplots(1, 2)
    scores = lambda P: np.column_stack([-P[:, 0], P[:, 0], np.zeros(len(P))])
    out = plot_decision_boundary(scores, X, y, ax=b, resolution=30, title="three classes")
    assert out is fig and b.get_title() == "three classes" and not a.collections


def test_decision_boundary_bad_input():
    X, y = _xor_points()
    with pytest.raises(ValueError, match=r"shape \(N, 2\).*\(60, 3\)"):
        plot_decision_boundary(lambda P: P[:, 0], np.ones((60, 3)), y)
    with pytest.raises(ValueError, match=r"y must have shape \(60,\)"):
        plot_decision_boundary(lambda P: P[:, 0], X, y[:10])
    with pytest.raises(ValueError, match="predict_fn returned shape"):
        plot_decision_boundary(lambda P: P[:5, 0], X, y, resolution=10)
    with pytest.raises(TypeError, match="predict_fn must be a function"):
        plot_decision_boundary("net", X, y)


# -- plot_digits ----------------------------------------------------------------------------------
def test_plot_digits_grid_images_and_titles():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(30, 784)).astype(np.float32)
    y = np.arange(30) % 10
    pred = y.copy()
    pred[[1, 4]] = 0
    fig = render(plot_digits(X, y=y, pred=pred, n=12, ncols=5))
    assert len(fig.axes) == 12
    images = [ax.get_images() for ax in fig.axes]
    assert all(len(im) == 1 for im in images)
    np.testing.assert_array_equal(images[3][0].get_array(), X[3].reshape(28, 28))
    titles = [ax.title for ax in fig.axes]
    assert titles[4].get_text() == "label 4\npred 0"
    red = [i for i, t in enumerate(titles) if matplotlib.colors.same_color(t.get_color(), "red")]
    assert red == [1, 4]


def test_plot_digits_accepts_28x28_and_caps_n():
    fig = plot_digits(np.zeros((3, 28, 28)), n=10, ncols=8)
    assert len(fig.axes) == 3 and fig.axes[0].get_title() == ""


@pytest.mark.parametrize("kwargs,msg", [
    (dict(X=np.zeros((4, 100))), r"\(N, 784\).*\(4, 100\)"),
    (dict(X=np.zeros((4, 784)), y=[1, 2]), "y has 2 labels, but 4 images"),
    (dict(X=np.zeros((4, 784)), n=0), "n must be a positive int"),
    (dict(X=np.zeros((4, 784)), ncols=2.5), "ncols must be a positive int"),
])
def test_plot_digits_bad_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        plot_digits(**kwargs)


# -- plot_confusion -------------------------------------------------------------------------------
def test_confusion_counts_in_cells():
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 4, size=200)
    y_pred = np.where(rng.uniform(size=200) < 0.7, y_true, rng.integers(0, 4, size=200))
    fig = render(plot_confusion(y_true, y_pred, num_classes=4))
    ax = fig.axes[0]
    cells = {}
    for t in ax.texts:
        x, y = t.get_position()
        cells[(int(y), int(x))] = int(t.get_text())
    assert len(cells) == 16
    for i in range(4):
        for j in range(4):
            assert cells[(i, j)] == np.sum((y_true == i) & (y_pred == j))
    acc = np.mean(y_true == y_pred)
    assert f"{acc:.1%}" in ax.get_title()
    np.testing.assert_array_equal(ax.get_images()[0].get_array(),
                                  [[cells[(i, j)] for j in range(4)] for i in range(4)])


@pytest.mark.parametrize("yt,yp,msg", [
    ([0, 1], [0], "same length"),
    ([0, 10], [0, 1], r"labels in \[0, 10\).*0 to 10"),
    ([0.5, 1], [0, 1], "integer class labels"),
    ([], [], "non-empty"),
])
def test_confusion_bad_input(yt, yp, msg):
    with pytest.raises(ValueError, match=msg):
        plot_confusion(yt, yp)


# -- draw_graph -----------------------------------------------------------------------------------
def _boxes(fig):
    return [t for t in fig.axes[0].texts if t.get_bbox_patch() is not None]


def test_draw_graph_one_box_per_node_one_arrow_per_edge():
    a, b, c, f = (Value(v, label=n) for v, n in ((2.0, "a"), (-3.0, "b"), (10.0, "c"), (-2.0, "f")))
    e = a * b
    e.label = "e"
    d = e + c
    L = d * f
    L.label = "L"
    L.backward()
    fig = render(draw_graph(L))
    boxes = _boxes(fig)
    nodes = topological_order(L)
    assert len(boxes) == len(nodes) == 7
    arrows = [t for t in fig.axes[0].texts if isinstance(t, Annotation)]
    assert len(arrows) == sum(len(n.parents) for n in nodes) == 6
    text = {t.get_text() for t in boxes}
    assert "a\ndata 2\ngrad 6" in text and "L (*)\ndata -8\ngrad 1" in text
    assert "e (*)\ndata -6\ngrad -2" in text and "+\ndata 4\ngrad -2" in text


def test_draw_graph_arrows_point_right_and_reuse_is_drawn_twice():
    x = Value(0.5, label="x")
    h = x.tanh()
    out = h * h + h          # h used three times, one edge skips a column
    out.backward()
    fig = render(draw_graph(out, title="reuse"))
    boxes = _boxes(fig)
    assert len(boxes) == 4
    arrows = [t for t in fig.axes[0].texts if isinstance(t, Annotation)]
    assert len(arrows) == 5  # x->tanh, tanh->* twice, tanh->+, *->+
    xs = {t.get_text().split("\n")[0]: t.get_position()[0] for t in boxes}
    assert xs["x"] < xs["tanh"] < xs["*"] < xs["+"]
    assert fig.axes[0].get_title() == "reuse"


def test_draw_graph_of_a_small_mlp_and_limits():
    net = MLP(2, [3, 1], rng=0)
    out = net([1.0, -1.0])
    fig = render(draw_graph(out, show_grad=False))
    assert len(_boxes(fig)) == len(topological_order(out))
    assert not any("grad" in t.get_text() for t in _boxes(fig))
    big = Value(0.0)
    for _ in range(50):
        big = big + 1.0
    with pytest.raises(ValueError, match="101 nodes, more than max_nodes=80"):
        draw_graph(big)
    assert len(_boxes(draw_graph(big, max_nodes=200))) == 101
    with pytest.raises(TypeError, match="expects a Value.*float"):
        draw_graph(3.0)


def test_draw_graph_single_leaf():
    fig = render(draw_graph(Value(1.5, label="w")))
    (box,) = _boxes(fig)
    assert box.get_text() == "w\ndata 1.5\ngrad 0"


def _scalar_net():
    """Lecture 2's graph: Yp = sigmoid(X*W1 + b1)*W2 + b2, L = 1/2 (Yp - Y)^2 (15 nodes, 9 deep)."""
    X, Y, W1, b1, W2, b2 = (Value(v, label=n) for v, n in ((0.5, "X"), (1.0, "Y"), (1.5, "W1"),
                                                           (-0.5, "b1"), (2.0, "W2"), (0.1, "b2")))
    Yp = (X * W1 + b1).sigmoid() * W2 + b2
    Yp.label = "Yp"
    L = Value(0.5, label="half") * (Yp - Y) ** 2
    L.label = "L"
    L.backward()
    return L


def _drawn_arrow_tips(fig, monkeypatch):
    """Draw ``fig`` once; for each arrow, (its target box, the tip of the arrow as drawn) in
    display coordinates: the vertex nearest the target box's centre, recorded while drawing."""
    drawn = {}
    original = FancyArrowPatch.draw

    def recording_draw(self, renderer):
        drawn[id(self)] = self.get_transform().transform_path(self.get_path()).vertices
        return original(self, renderer)

    monkeypatch.setattr(FancyArrowPatch, "draw", recording_draw)
    fig.canvas.draw()
    out = []
    for ann in (t for t in fig.axes[0].texts if isinstance(t, Annotation)):
        target = ann.xycoords.get_bbox_patch().get_window_extent()
        centre = np.array([(target.x0 + target.x1) / 2, (target.y0 + target.y1) / 2])
        verts = drawn[id(ann.arrow_patch)]
        out.append((target, verts[np.argmin(np.hypot(*(verts - centre).T))]))
    return out


def test_draw_graph_text_is_readable_at_notebook_width():
    # A notebook cell is about 9.5 inches wide at 100 dpi: a wider figure is shrunk to fit, and
    # lecture 2's graph came out with 6-pixel text. Now it must fit at >= 10 pt, boxes apart.
    fig = render(draw_graph(_scalar_net(), title="Yp = σ(X·W1 + b1)·W2 + b2"))
    width, _ = fig.get_size_inches()
    assert width <= 9.5 + 1e-9
    boxes = _boxes(fig)
    assert len(boxes) == 15 and min(t.get_fontsize() for t in boxes) >= 10
    extents = [t.get_bbox_patch().get_window_extent() for t in boxes]
    for i, a in enumerate(extents):
        assert fig.bbox.x0 <= a.x0 and a.x1 <= fig.bbox.x1 and fig.bbox.y0 <= a.y0 <= a.y1 <= \
            fig.axes[0].bbox.y1, f"box {boxes[i].get_text()!r} is outside the figure"
        for j in range(i + 1, len(extents)):
            assert not a.overlaps(extents[j]), (boxes[i].get_text(), boxes[j].get_text())


def test_draw_graph_wraps_a_long_flat_graph_into_bands():
    L = _scalar_net()
    flat = render(draw_graph(L, max_width=None))
    wrapped = render(draw_graph(L))
    rows = lambda fig: {round(t.get_position()[1], 6) for t in _boxes(fig)}
    # two rows, and single boxes half-way between them: three heights per band
    assert flat.get_size_inches()[0] > 9.5 and len(rows(flat)) == 3      # 9 columns in one band
    assert len(rows(wrapped)) == 6 and wrapped.get_size_inches()[0] <= 9.5   # two bands
    xs = {t.get_text().split("\n")[0]: t.get_position()[0] for t in _boxes(wrapped)}
    assert xs["X"] < xs["Yp (+)"] and xs["L (*)"] < xs["Yp (+)"]   # the second band runs back
    n_arrows = sum(isinstance(t, Annotation) for t in wrapped.axes[0].texts)
    assert n_arrows == sum(len(n.parents) for n in topological_order(L)) == 14
    with pytest.raises(ValueError, match="max_width must be a positive"):
        draw_graph(L, max_width=0)


@pytest.mark.parametrize("max_width", [None, 9.5])
def test_draw_graph_arrow_heads_touch_their_target_box(max_width, monkeypatch):
    # Arrows are clipped to the box outlines, which are placed when the boxes are drawn: an
    # arrow drawn before its boxes ends at the centre, its head hidden under the box.
    tips = _drawn_arrow_tips(draw_graph(_scalar_net(), max_width=max_width), monkeypatch)
    assert len(tips) == 14
    for target, tip in tips:
        assert target.expanded(1.0, 1.0).padded(3).contains(*tip), "the head stops short"
        assert not target.padded(-3).contains(*tip), "the head is hidden inside the box"


# -- plot_function_2d and plot_gd_path ------------------------------------------------------------
def test_function_2d_vectorised_and_pointwise_give_the_same_picture():
    f_np = lambda x, y: -(np.cos(x) ** 2 + np.cos(y) ** 2) ** 2
    f_math = lambda x, y: -(math.cos(x) ** 2 + math.cos(y) ** 2) ** 2   # scalars only
    a = render(plot_function_2d(f_np, (-3, 3), (-3, 3), resolution=40, levels=12))
    b = render(plot_function_2d(f_math, (-3, 3), (-3, 3), resolution=40, levels=12))
    la, lb = a.axes[0].collections[0].levels, b.axes[0].collections[0].levels
    np.testing.assert_allclose(la, lb)
    assert la.min() <= -4 + 1e-9 and la.max() >= 0 - 1e-9   # f ranges over [-4, 0]
    assert len(a.axes) == 2   # the plot and its colour bar
    c = plot_function_2d(f_np, filled=False, resolution=20)
    assert len(c.axes) == 1 and c.axes[0].texts  # contour labels


def test_function_2d_bad_input():
    with pytest.raises(ValueError, match="xlim must be"):
        plot_function_2d(lambda x, y: x, (1, 0), (0, 1))
    with pytest.raises(TypeError, match="f must be a function"):
        plot_function_2d(3.0)
    with pytest.raises(TypeError, match="calling it failed"):
        plot_function_2d(lambda x: x, resolution=5)


def test_gd_path_draws_every_iterate():
    f = lambda x, y: x**2 + 10 * y**2
    path = [np.array([2.0, 1.0])]
    for _ in range(12):
        x, y = path[-1]
        path.append(path[-1] - 0.09 * np.array([2 * x, 20 * y]))
    path = np.array(path)
    fig = render(plot_gd_path(f, path))
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["iterates"].get_xydata(), path)
    np.testing.assert_allclose(lines["start"].get_xydata()[0], path[0])
    np.testing.assert_allclose(lines["end"].get_xydata()[0], path[-1])
    x0, x1 = ax.get_xlim()
    assert x0 < path[:, 0].min() and x1 > path[:, 0].max()
    assert "12 steps" in ax.get_title()


def test_gd_path_bad_input():
    f = lambda x, y: x**2 + y**2
    with pytest.raises(ValueError, match=r"shape \(K, 2\).*\(3,\)"):
        plot_gd_path(f, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="non-finite iterate at step 2.*diverge"):
        plot_gd_path(f, [[1.0, 1.0], [2.0, 2.0], [np.inf, 1.0]])


def test_gd_path_draws_several_runs_each_with_its_label():
    f = lambda x, y: x**2 + 10 * y**2
    runs = []
    for lr in (0.02, 0.09):
        p = [np.array([2.0, 1.0])]
        for _ in range(5 if lr == 0.02 else 9):     # runs of different lengths
            p.append(p[-1] - lr * np.array([2 * p[-1][0], 20 * p[-1][1]]))
        runs.append(np.array(p))
    fig = render(plot_gd_path(f, runs, (-3, 3), (-2, 2), labels=["slow", "fast"]))
    ax = fig.axes[0]
    shown = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    assert sorted(shown) == ["fast", "slow"]
    np.testing.assert_allclose(shown["slow"].get_xydata(), runs[0])
    np.testing.assert_allclose(shown["fast"].get_xydata(), runs[1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["slow", "fast"]
    assert ax.get_xlim() == (-3, 3) and ax.get_ylim() == (-2, 2)   # the paths do not widen it
    assert "2 runs" in ax.get_title()
    # two runs of the same length are two paths too (an (R, K, 2) array)
    fig2 = plot_gd_path(f, np.stack([runs[0], runs[0][::-1]]))
    assert {ln.get_label() for ln in fig2.axes[0].get_lines()} >= {"run 0", "run 1"}


def test_gd_path_names_the_bad_run_and_checks_the_labels():
    f = lambda x, y: x**2 + y**2
    good = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"path 1 must have shape \(K, 2\).*\(3, 3\)"):
        plot_gd_path(f, [good, np.zeros((3, 3))])
    with pytest.raises(ValueError, match="labels must have one entry per path \\(2\\), got 1"):
        plot_gd_path(f, [good, good[:2]], labels=["only one"])


def test_decision_boundary_in_given_limits_and_no_boundary_when_none_is_crossed():
    X, y = _xor_points()
    fig = render(plot_decision_boundary(lambda P: 1 / (1 + np.exp(-P[:, 0])), X, y,
                                        resolution=30, xlim=(-0.5, 1.5), ylim=(-2, 3)))
    ax = fig.axes[0]
    assert ax.get_xlim() == (-0.5, 1.5) and ax.get_ylim() == (-2, 3)
    assert _boundary_lines(ax)
    # probabilities that stay below 0.5 everywhere: a map, no boundary line (and no warning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig2 = render(plot_decision_boundary(lambda P: np.full(len(P), 0.2), X, y,
                                             resolution=20))
    assert fig2.axes[0].collections and not _boundary_lines(fig2.axes[0])
    with pytest.raises(ValueError, match="xlim must be"):
        plot_decision_boundary(lambda P: P[:, 0], X, y, xlim=(1, 0))


# -- plot_digit_probs, weight_images, plot_weight_images ------------------------------------------
def _view(true, pred, seed=0):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(10))
    probs[pred] = probs.max() + 0.5
    probs /= probs.sum()
    return {"image": rng.random((28, 28)), "true": true, "pred": pred, "probs": probs,
            "index": 17}


def test_digit_probs_bars_are_the_probabilities_true_green_wrong_red():
    view = _view(true=3, pred=8)
    fig = render(plot_digit_probs(view))
    ax_img, ax_bar = fig.axes
    np.testing.assert_array_equal(ax_img.images[0].get_array(), view["image"])
    heights = [bar.get_height() for bar in ax_bar.patches]
    np.testing.assert_allclose(heights, view["probs"])
    colors = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in ax_bar.patches]
    assert colors[3] == "#1a7f37" and colors[8] == "#cf222e"
    assert {colors[k] for k in range(10) if k not in (3, 8)} == {"#bbbbbb"}
    assert "sample 17: true 3, predicted 8" in ax_img.get_title()
    right = render(plot_digit_probs(_view(true=4, pred=4)))
    assert matplotlib.colors.to_hex(right.axes[1].patches[4].get_facecolor()) == "#1a7f37"


def test_digit_probs_names_the_missing_keys():
    view = _view(1, 2)
    del view["probs"], view["index"]
    with pytest.raises(ValueError, match=r"missing \['index', 'probs'\]"):
        plot_digit_probs(view)


def test_weight_images_are_the_columns_scaled_and_drawn_with_their_titles():
    rng = np.random.default_rng(5)
    W = rng.normal(size=(784, 6)) * 3
    imgs = weight_images(W, units=[4, 1])
    assert imgs.shape == (2, 28, 28)
    np.testing.assert_allclose(imgs[0], W[:, 4].reshape(28, 28) / np.abs(W[:, 4]).max())
    fig = render(plot_weight_images(W, units=[4, 1], ncols=2, titles=["four", "one"]))
    drawn = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in drawn] == ["four", "one"]
    np.testing.assert_allclose(drawn[1].images[0].get_array(), imgs[1])
    fig = plot_weight_images(W, ncols=4)          # 6 images in a 2 x 4 grid
    assert len(fig.axes) == 8 and len([ax for ax in fig.axes if ax.images]) == 6
    with pytest.raises(ValueError, match=r"W must have shape \(784, M\).*got \(6, 784\)"):
        weight_images(W.T)


def test_gd_path_one_labelled_run_is_drawn_as_a_run():
    f = lambda x, y: x**2 + y**2
    path = np.array([[1.0, 1.0], [0.5, 0.5], [0.25, 0.25]])
    ax = plot_gd_path(f, path, labels=["lr = 0.25"]).axes[0]
    shown = [ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert shown == ["lr = 0.25"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lr = 0.25"]
