"""Tests of the calculus widgets of lectures 1-2 (helpers.widgets, calculus section).

The pure computations are checked against central finite differences written out here (so these
tests do not depend on helpers.gradcheck); the ipywidgets UIs are driven without a browser by
moving sliders and clicking buttons from Python.
"""

import math

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers import widgets  # noqa: E402

finite = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)


def central(f, x, eps=1e-6):
    """Central differences of scalar f at the float64 array x (test-local ground truth)."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- lecture 1: the cos bowl and gradient descent -------------------------------------------

@settings(max_examples=60, deadline=None)
@given(finite, finite)
def test_cos_bowl_grad_matches_finite_differences(x, y):
    analytic = widgets.cos_bowl_grad(x, y)
    numeric = central(lambda p: widgets.cos_bowl(p[0], p[1]), [x, y])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7)


def test_cos_bowl_known_points():
    assert widgets.cos_bowl(0.0, 0.0) == pytest.approx(-4.0)
    assert widgets.cos_bowl(math.pi / 2, math.pi / 2) == pytest.approx(0.0, abs=1e-12)
    assert widgets.cos_bowl(0.0, math.pi / 2) == pytest.approx(-1.0)
    np.testing.assert_allclose(widgets.cos_bowl_grad(math.pi, 0.0), [0.0, 0.0], atol=1e-12)


def test_cos_bowl_grad_is_vectorised():
    X, Y = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-2, 2, 3))
    G = widgets.cos_bowl_grad(X, Y)
    assert G.shape == (2, 3, 4)
    assert G[0, 1, 2] == pytest.approx(widgets.cos_bowl_grad(X[1, 2], Y[1, 2])[0])


def test_gradient_descent_takes_the_update_rule_step_by_step():
    r = widgets.gradient_descent((1.0, 0.5), lr=0.1, max_steps=5, tol=0.0)
    assert r.path.shape == (6, 2) and r.values.shape == (6,) and r.steps == 5
    for k in range(5):
        expected = r.path[k] - 0.1 * widgets.cos_bowl_grad(*r.path[k])
        np.testing.assert_allclose(r.path[k + 1], expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(r.values, widgets.cos_bowl(r.path[:, 0], r.path[:, 1]))
    assert not r.converged


@settings(max_examples=40, deadline=None)
@given(st.floats(-1.4, 1.4), st.floats(-1.4, 1.4), st.floats(0.001, 0.06))
def test_small_learning_rates_never_increase_f(x, y, lr):
    r = widgets.gradient_descent((x, y), lr=lr, max_steps=60)
    assert np.all(np.diff(r.values) <= 1e-12), r.values


def test_converges_to_the_minimum_and_says_so():
    r = widgets.gradient_descent((1.0, 0.5), lr=0.05)
    assert r.converged
    assert r.steps < 200
    np.testing.assert_allclose(r.path[-1], [0.0, 0.0], atol=1e-6)
    assert np.linalg.norm(widgets.cos_bowl_grad(*r.path[-1])) < 1e-6
    assert "converged after" in r.summary() and "-0.0000" not in r.summary()


def test_too_large_learning_rate_does_not_settle():
    # at the minimum the Hessian is 8·I, so any lr > 2/8 makes the minimum unstable
    r = widgets.gradient_descent((1.0, 0.5), lr=0.3, max_steps=200)
    assert not r.converged and r.steps == 200
    assert r.values[-1] > -3.5


def test_zero_steps_and_start_at_minimum():
    r = widgets.gradient_descent((0.0, 0.0), lr=0.1)
    assert r.converged and r.steps == 0 and r.path.shape == (1, 2)
    r = widgets.gradient_descent((1.0, 0.5), lr=0.1, max_steps=0)
    assert r.steps == 0 and not r.converged


def test_gradient_descent_works_on_another_function():
    f = lambda x, y: x**2 + 10 * y**2
    grad = lambda x, y: np.array([2 * x, 20 * y])
    r = widgets.gradient_descent((2.0, 1.0), lr=0.09, f=f, grad=grad, max_steps=500)
    assert r.converged
    # y oscillates (factor 1 - 0.09*20 = -0.8): the classic zig-zag
    assert np.all(np.sign(r.path[1:6, 1]) == [-1, 1, -1, 1, -1])


@pytest.mark.parametrize("bad", [(1.0,), (1.0, 2.0, 3.0), (np.nan, 0.0), "ab"])
def test_bad_start_is_named(bad):
    with pytest.raises(ValueError, match="start must be two finite numbers"):
        widgets.gradient_descent(bad, lr=0.1)


@pytest.mark.parametrize("lr", [0.0, -0.1, float("inf")])
def test_bad_learning_rate_is_named(lr):
    with pytest.raises(ValueError, match="lr must be a positive finite number"):
        widgets.gradient_descent((1.0, 0.5), lr=lr)


def test_plot_gd_paths_draws_every_path():
    rs = [widgets.gradient_descent((1.0, 0.5), lr=lr) for lr in (0.05, 0.2)]
    fig = widgets.plot_gd_paths(rs, extent=1.5)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == [f"lr = 0.05 ({rs[0].steps} steps)", f"lr = 0.2 ({rs[1].steps} steps)"]
    assert ax.get_xlim() == (-1.5, 1.5)


def test_gd_explorer_recomputes_when_sliders_move():
    box = widgets.gd_explorer(lr=0.05, start=(1.0, 0.5))
    assert box.result.lr == pytest.approx(0.05)
    first_steps = box.result.steps
    box.sliders["lr"].value = 0.3
    assert box.result.lr == pytest.approx(0.3, rel=1e-6)
    assert box.result.steps != first_steps
    box.sliders["x"].value = -2.0
    assert box.result.path[0, 0] == pytest.approx(-2.0)
    label = box.children[0].children[1].value
    assert f"<b>{box.result.steps}</b> steps" in label


# --- lecture 2: the backprop stepper -------------------------------------------------------

def _output_of(nodes, inputs: dict) -> float:
    """Evaluate the graph's output for given input values (for finite differences)."""
    values = dict(inputs)
    for n in nodes:
        if n.parents:
            values[n.name] = n.forward(values)
    return values[nodes[-1].name]


@settings(max_examples=40, deadline=None)
@given(st.floats(-2, 2), st.floats(-2, 2), st.floats(-2, 2), st.floats(0, 1), st.floats(0, 1))
def test_logistic_ls_bars_match_finite_differences(w, b, x, t, lam):
    nodes = widgets.logistic_ls_graph(w, b, x, t, lam)
    bars = widgets.backprop_trace(nodes)[-1].bars
    names = ["w", "b", "x", "t"]
    inputs = dict(zip(names, [w, b, x, t]))
    numeric = central(lambda p: _output_of(nodes, dict(zip(names, p))), [w, b, x, t])
    np.testing.assert_allclose([bars[k] for k in names], numeric, rtol=1e-5, atol=1e-8)
    # and TU Delft's closed forms, with the '+' the slide dropped in w̄
    s = 1 / (1 + math.exp(-(w * x + b)))
    zbar = (s - t) * s * (1 - s)
    assert bars["b"] == pytest.approx(zbar, abs=1e-12)
    assert bars["w"] == pytest.approx(zbar * x + lam * w, abs=1e-12)
    assert _output_of(nodes, inputs) == pytest.approx(0.5 * (s - t) ** 2 + lam * 0.5 * w**2)


def test_xi_chain_reproduces_harvard_numbers_with_the_correct_sign():
    steps = widgets.backprop_trace(widgets.xi_chain_graph(X=3.0, y=1.0, W=3.0))
    v, bars = steps[-1].values, steps[-1].bars
    assert v["xi1"] == -9.0
    assert v["xi2"] == pytest.approx(math.exp(-9))
    assert v["xi4"] == pytest.approx(1 / (1 + math.exp(-9)))
    assert v["L"] == pytest.approx(math.log1p(math.exp(-9)))
    # the slide prints +0.00037018372; increasing W lowers the loss, so the sign is minus
    assert bars["W"] == pytest.approx(-3 * math.exp(-9) / (1 + math.exp(-9)), rel=1e-12)
    assert abs(bars["W"] - (-0.00037018372)) < 1e-11  # the slide's digits, truncated
    numeric = central(lambda p: _output_of(widgets.xi_chain_graph(), {"W": p[0], "X": 3.0,
                                                                       "y": 1.0}), [3.0])
    assert bars["W"] == pytest.approx(numeric[0], rel=1e-6)


def test_trace_has_one_frame_per_node_in_each_pass():
    nodes = widgets.logistic_ls_graph()
    steps = widgets.backprop_trace(nodes)
    n_computed = sum(1 for n in nodes if n.parents)
    assert [s.phase for s in steps].count("forward") == n_computed
    assert [s.phase for s in steps].count("backward") == len(nodes)
    assert steps[0].phase == "start" and steps[-1].phase == "done"
    fwd = [s.node for s in steps if s.phase == "forward"]
    bwd = [s.node for s in steps if s.phase == "backward"]
    assert fwd == ["z", "y", "L", "R", "Lreg"]
    assert bwd == [n.name for n in reversed(nodes)]
    # knowledge only grows, and nothing is known before it is computed
    for a, b in zip(steps, steps[1:]):
        assert set(a.values) <= set(b.values) and set(a.bars) <= set(b.bars)
    assert steps[0].bars == {} and "z" not in steps[0].values
    assert steps[-1].text.startswith("done")
    w_frame = next(s for s in steps if s.node == "w" and s.phase == "backward")
    assert "w̄ = z̄·x + R̄·w" in w_frame.text


def test_graph_must_be_in_topological_order():
    nodes = widgets.logistic_ls_graph()
    with pytest.raises(ValueError, match="before it is defined"):
        widgets.backprop_trace([nodes[3], *nodes[:3], *nodes[4:]])
    with pytest.raises(ValueError, match="needs a value"):
        widgets.backprop_trace([widgets.GraphNode("a")])
    with pytest.raises(ValueError, match="non-empty list"):
        widgets.backprop_trace([])


def test_draw_trace_step_shows_values_and_bars_known_so_far():
    nodes = widgets.logistic_ls_graph()
    steps = widgets.backprop_trace(nodes)
    fig = widgets.draw_trace_step(nodes, steps[2])
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "0.6225" in texts and "overline" not in texts
    fig = widgets.draw_trace_step(nodes, steps[-1])
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert r"$\overline{w}$ = -0.1274" in texts


def test_stepper_buttons_walk_forward_and_back():
    box = widgets.backprop_stepper()
    n = len(box.steps)
    assert box.index == 0 and box.buttons["back"].disabled
    box.buttons["next"].click()
    box.buttons["next"].click()
    assert box.index == 2
    box.buttons["back"].click()
    assert box.index == 1
    for _ in range(n + 3):  # clicking past the end stays on the last frame
        box.buttons["next"].click()
    assert box.index == n - 1 and box.buttons["next"].disabled
    box.buttons["reset"].click()
    assert box.index == 0
    assert "frame 1 /" in box.children[0].children[3].value


def test_stepper_shows_each_frame_text_once(monkeypatch):
    # Above the picture the stepper shows "frame k / n · phase" and the frame's computation.
    # Neither the phase word nor the computation may appear twice: not as a "forward: " prefix
    # of the caption, and not again as the title of the picture.
    drawn = []
    original = widgets.draw_trace_step

    def recording(*args, **kwargs):
        fig = original(*args, **kwargs)
        drawn.append(fig)
        return fig

    monkeypatch.setattr(widgets.graph_stepper, "draw_trace_step", recording)
    box = widgets.backprop_stepper()
    counter, caption = box.children[0].children[3], box.children[1]
    for i, step in enumerate(box.steps):
        box.show(i)
        shown = caption.value.removeprefix("<code>").removesuffix("</code>")
        assert shown and step.text.endswith(shown), (step.text, shown)   # nothing is lost
        visible = counter.value + " " + shown
        assert visible.count(step.phase) == 1, visible
        titles = [t.get_text() for ax in drawn[-1].axes
                  for t in (ax.title, ax._left_title, ax._right_title)]
        assert not any(titles), titles
        assert f"frame {i + 1} / {len(box.steps)}" in counter.value
