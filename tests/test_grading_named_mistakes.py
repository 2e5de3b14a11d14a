"""Problem sets 3 and 4: every dimension of every test point differs, and a failing gradient is
named by the mistake that made it and by no other (issue 11, point 5).

The catalogue (tests/mistakes/) checks that each typical mistake gets its words; these tests check
the shapes the checks draw, with the sealed checker's own generator (visible seed and fresh hidden
points), and that a named mistake is exactly the one planted: a gradient that is wrong in another
way gets no name from the per-check lists of known mistakes.
"""
from __future__ import annotations

import ast
import re

import nbformat
import numpy as np
import pytest

import helpers.grading  # noqa: F401 - installs the checker
from helpers.grading import check
from tools.problem_sets import solution_notebook


# ---- the dimensions of the test points --------------------------------------------------------
def _dims_ps3_mlp1(X, t, W1, W2, *lr):
    return {"N": X.shape[0], "D": X.shape[1], "H": W1.shape[1], "outputs": W2.shape[1]}


def _dims_ps3_xor(X, y, P):
    return {"N": X.shape[0], "D": X.shape[1], "H": P["W1"].shape[1],
            "outputs": P["W2"].shape[1]}


def _dims_ps4_logits(logits, Y):
    return {"N": logits.shape[0], "C": logits.shape[1]}


def _dims_ps4_mlp(X, y, P, lam):
    return {"N": X.shape[0], "D": X.shape[1], "H1": P["W1"].shape[1], "H2": P["W2"].shape[1],
            "C": P["W3"].shape[1]}


DIMS = {
    **{f"ps3.{s}_d{w}": _dims_ps3_mlp1 for s in ("hand", "chain") for w in ("W1", "W2")},
    "ps3.update": _dims_ps3_mlp1,
    **{f"ps3.xor_d{k}": _dims_ps3_xor for k in ("W1", "b1", "W2", "b2")},
    "ps4.dlogits": _dims_ps4_logits,
    **{f"ps4.d{k}": _dims_ps4_mlp for k in ("W1", "b1", "W2", "b2", "W3", "b3")},
}


def _drawn_args(name, seed):
    """The inputs the sealed checker hands the student's function for check ``name``."""
    seen = []

    def spy(*args):
        seen.append(args)
        return None  # a wrong answer: the check fails, which is all we need

    with pytest.raises(AssertionError):
        check(name, spy, seed=seed)
    return seen[0]


@pytest.mark.parametrize("name", sorted(DIMS))
def test_every_dimension_of_every_test_point_differs(name):
    """Visible point (seed 0) and fresh hidden points (seed None): all sizes pairwise different."""
    for seed in [0] + [None] * 12:
        dims = DIMS[name](*_drawn_args(name, seed))
        assert len(set(dims.values())) == len(dims), (name, seed, dims)


def _defaults(ps, cell, function):
    nb = nbformat.read(solution_notebook(ps), as_version=4)
    src = next(c.source for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == cell)
    fn = next(n for n in ast.walk(ast.parse(src))
              if isinstance(n, ast.FunctionDef) and n.name == function)
    names = [a.arg for a in fn.args.args][-len(fn.args.defaults):]
    return {k: ast.literal_eval(v) for k, v in zip(names, fn.args.defaults)}


def test_training_shapes_differ_too():
    """The training tests use the notebooks' defaults: no batch size equals a layer width."""
    ps4 = _defaults("ps4_mnist", "p3a-train", "train_mlp")
    sizes = list(ps4["sizes"]) + [ps4["batch_size"]]
    assert len(set(sizes)) == len(sizes), ps4
    ps3 = _defaults("ps3_xor", "p3c-train", "train_xor")
    xor_dims = [4, 2, ps3["hidden"], 1]  # the four XOR points, 2 inputs, hidden units, 1 output
    assert len(set(xor_dims)) == len(xor_dims), ps3


# ---- a mistake is named by its own name only --------------------------------------------------
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ps4_backward(mask1=True, mask2=True, decay=1.0, bias_decay=0.0, scale_W1=1.0):
    def mlp_backward(X, y, P, lam):
        Z1 = X @ P["W1"] + P["b1"]
        A1 = np.maximum(Z1, 0)
        Z2 = A1 @ P["W2"] + P["b2"]
        A2 = np.maximum(Z2, 0)
        logits = A2 @ P["W3"] + P["b3"]
        dZ3 = (_softmax(logits) - np.eye(logits.shape[1])[y]) / X.shape[0]
        dZ2 = (dZ3 @ P["W3"].T) * ((Z2 > 0) if mask2 else 1.0)
        dZ1 = (dZ2 @ P["W2"].T) * ((Z1 > 0) if mask1 else 1.0)
        g = {"W3": A2.T @ dZ3, "W2": A1.T @ dZ2, "W1": scale_W1 * X.T @ dZ1,
             "b3": dZ3.sum(axis=0), "b2": dZ2.sum(axis=0), "b1": dZ1.sum(axis=0)}
        for k in ("W1", "W2", "W3"):
            g[k] = g[k] + decay * lam * P[k]
        for k in ("b1", "b2", "b3"):
            g[k] = g[k] + bias_decay * lam * P[k]
        return g
    return mlp_backward


def _ps3_xor_backward(derivative):
    def xor_backward(X, y, P):
        N = X.shape[0]
        Z1 = X @ P["W1"] + P["b1"]
        A1 = np.logaddexp(0.0, Z1)
        p = _sigmoid(A1 @ P["W2"] + P["b2"])
        dZ2 = (p - y.reshape(-1, 1)) / N
        dZ1 = (dZ2 @ P["W2"].T) * derivative(Z1, A1)
        return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
    return xor_backward


def _ps3_hand(derivative):
    def grads_by_hand(X, t, W1, W2):
        A1 = _sigmoid(X @ W1)
        dY = 2.0 / X.shape[0] * (A1 @ W2 - t)
        return X.T @ ((dY @ W2.T) * derivative(A1)), A1.T @ dY
    return grads_by_hand


def _ps2_reuse(drop_a=(), drop_b=(), scale=1.0):
    """engine_grads for f = tanh(a·b)·a + eᵃ·b + a·a with some uses' messages left out."""
    def grads(x, y):
        t = np.tanh(x * y)
        uses_a = [(1 - t * t) * y * x, t, np.exp(x) * y, x, x]
        uses_b = [(1 - t * t) * x * x, np.exp(x)]
        return [scale * sum(u for i, u in enumerate(uses_a) if i not in drop_a),
                sum(u for i, u in enumerate(uses_b) if i not in drop_b)]
    return grads


NAMED = [
    # (check, wrong function, the one kind its message must name; None: no name from the lists)
    ("ps4.dW1", _ps4_backward(mask1=False), "missing_activation_derivative"),
    ("ps4.dW1", _ps4_backward(mask2=False), "missing_activation_derivative"),
    ("ps4.dW2", _ps4_backward(mask2=False), "missing_activation_derivative"),
    ("ps4.db1", _ps4_backward(mask1=False), "missing_activation_derivative"),
    ("ps4.dW3", _ps4_backward(decay=0.0), "missing_l2_term"),
    ("ps4.dW2", _ps4_backward(decay=2.0), "l2_factor_2"),
    ("ps4.db2", _ps4_backward(bias_decay=1.0), "bias_decayed"),
    ("ps4.dW1", _ps4_backward(scale_W1=1.5), None),
    ("ps4.dW1", _ps4_backward(mask1=False, decay=0.0), None),
    ("ps3.xor_dW1", _ps3_xor_backward(lambda Z, A: 1.0), "missing_activation_derivative"),
    ("ps3.xor_db1", _ps3_xor_backward(lambda Z, A: _sigmoid(Z) * (1 - _sigmoid(Z))),
     "wrong_activation_derivative"),
    ("ps3.xor_dW1", _ps3_xor_backward(lambda Z, A: A), "activation_instead_of_derivative"),
    ("ps3.xor_dW1", _ps3_xor_backward(lambda Z, A: 0.5 * _sigmoid(Z)), "factor_half"),
    ("ps3.xor_dW1", _ps3_xor_backward(lambda Z, A: np.tanh(Z)), None),
    ("ps3.hand_dW1", _ps3_hand(lambda A: 1.0), "missing_activation_derivative"),
    ("ps3.hand_dW1", _ps3_hand(lambda A: A), None),
    ("ps2.engine_mul", lambda a, b: [a, a], "operands_swapped"),
    ("ps2.engine_mul", lambda a, b: [2 * b, a], None),
    ("ps2.engine_tanh", lambda a: [1 - a ** 2], "wrong_activation_derivative"),
    ("ps2.engine_tanh", lambda a: [1.0], None),
    ("ps2.engine_exp", lambda a: [a], "wrong_derivative"),
    ("ps2.engine_pow", lambda a: [3 * a ** 3], "exponent_not_lowered"),
    ("ps2.engine_pow", lambda a: [a ** 2], "missing_factor_k"),
    ("ps2.engine_pow", lambda a: [3 * a], None),
    ("ps2.engine_reuse", _ps2_reuse(drop_a=(3,)), "not_accumulated"),
    ("ps2.engine_reuse", _ps2_reuse(drop_a=(0, 2), drop_b=(1,)), "not_accumulated"),
    ("ps2.engine_reuse", _ps2_reuse(scale=1.01), None),
    ("ps2.reg_wbar", lambda w, b, x, t, lam: {
        "w": (w * np.tanh(w * x + b) - t) * np.tanh(w * x + b) + lam * w}, "missing_branch"),
]


@pytest.mark.parametrize("name,wrong,kind", NAMED,
                         ids=[f"{n}-{k}-{i}" for i, (n, _, k) in enumerate(NAMED)])
def test_a_mistake_is_named_by_its_own_name_only(name, wrong, kind):
    for seed in (0, None):
        with pytest.raises(AssertionError) as info:
            check(name, wrong, seed=seed)
        named = re.findall(r"Likely mistake \((\w+)\)", str(info.value))
        if kind is None:
            assert not named, str(info.value)
        else:
            assert named == [kind], str(info.value)


# ---- points shown where the student reads them -------------------------------------------------
QUESTION = re.compile(r"\*\*(\d[a-z]) \([^,)]+, (\d+) points?\b")
TOTAL = re.compile(r"\*\*Points\.\*\* (\d+) in all")


@pytest.mark.parametrize("ps", ["ps3_xor", "ps4_mnist"])
def test_each_question_shows_the_points_its_graded_cells_carry(ps):
    """"(3 points)" in a question's text equals the points of the graded cells up to the next
    question, and the first cell's total equals the notebook's."""
    nb = nbformat.read(solution_notebook(ps), as_version=4)
    shown, carried, current = {}, {}, None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not meta.get("grade"):
            for qid, points in QUESTION.findall(cell.source):
                current = qid
                shown[qid], carried[qid] = int(points), 0
        if meta.get("grade"):
            assert current is not None, f"{meta['grade_id']} carries points before any question"
            carried[current] += meta["points"]
    assert shown and shown == carried, (shown, carried)
    total = TOTAL.findall(nb.cells[0].source)
    assert total == [str(sum(carried.values()))], (total, sum(carried.values()))


@pytest.mark.parametrize("name", ["ps3.xor_dW1", "ps4.dW1"])
def test_a_matrix_product_with_a_transposed_operand_is_named(name):
    """With every dimension different, ``X @ dZ`` instead of ``X.T @ dZ`` raises numpy's shape
    error inside the student's function: the visible check names it (the hidden part fails on
    the same error, so the score does not depend on this message)."""
    def transposed(X, *rest):
        dZ = np.ones((X.shape[0], 3))
        return {"W1": X @ dZ}

    with pytest.raises(AssertionError, match=r"Likely mistake \(transposed\).*X\.T @ dZ"):
        check(name, transposed)


def test_other_value_errors_of_a_student_function_are_not_renamed():
    def broken(*args):
        raise ValueError("my own bug")

    with pytest.raises(ValueError, match="my own bug"):
        check("ps4.dW1", broken)
