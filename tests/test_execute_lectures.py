"""`make notebooks` re-runs lectures and leaves no noise in the diff (tools/execute_lectures)."""

from __future__ import annotations

import copy
import json
import re

import nbformat
import pytest

from tools.execute_lectures import (
    comparable,
    renumber_widgets,
    sanitize_rules,
    settle,
    widget_ids_in_order,
)

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


def notebook(printed: str, ids=("a" * 32, "b" * 32)) -> nbformat.NotebookNode:
    """A small executed notebook: a printing cell and a widget (a box with one layout)."""
    box, layout = ids
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("train()", id="cell-1", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    view = nbformat.v4.new_code_cell("widget()", id="cell-2", execution_count=2)
    view.outputs = [nbformat.v4.new_output("display_data", data={
        VIEW: {"model_id": box, "version_major": 2, "version_minor": 0},
        "text/plain": "VBox()"})]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title", id="text-1"), cell, view]
    nb.metadata["widgets"] = {STATE: {"version_major": 2, "version_minor": 0, "state": {
        layout: {"model_name": "LayoutModel", "state": {"width": "420px"}},
        box: {"model_name": "VBoxModel", "state": {"layout": f"IPY_MODEL_{layout}"}},
    }}}
    return nb


@pytest.fixture(scope="module")
def rules():
    return sanitize_rules()


def test_wall_times_are_noise_and_numbers_are_not(rules):
    a = [{"output_type": "stream", "text": "trained in 3.4 s\n"}]
    b = [{"output_type": "stream", "text": "trained in 12.9 s\n"}]
    c = [{"output_type": "stream", "text": "accuracy 0.912\n"}]
    d = [{"output_type": "stream", "text": "accuracy 0.913\n"}]
    assert comparable(a, rules) == comparable(b, rules)
    assert comparable(c, rules) != comparable(d, rules)


def test_a_rerun_that_differs_only_in_noise_keeps_the_stored_notebook(rules):
    old = notebook("trained in 3.4 s\n")
    new = notebook("trained in 2.8 s\n", ids=("c" * 32, "d" * 32))
    settled = settle(old, renumber_widgets(new, "lecture"), rules)
    assert nbformat.writes(settled) == nbformat.writes(old)


def test_a_real_change_shows_in_that_cell_only(rules):
    old = notebook("trained in 3.4 s\naccuracy 0.912\n")
    new = notebook("trained in 2.8 s\naccuracy 0.915\n", ids=("c" * 32, "d" * 32))
    settled = settle(old, renumber_widgets(copy.deepcopy(new), "lecture"), rules)
    assert settled.cells[1].outputs[0].text.endswith("accuracy 0.915\n")
    state = settled.metadata["widgets"][STATE]["state"]              # the new run's, renumbered
    assert settled.cells[2].outputs[0].data[VIEW]["model_id"] in state  # and what shows it
    assert "a" * 32 not in nbformat.writes(settled) and "c" * 32 not in nbformat.writes(settled)


def test_widget_ids_follow_from_the_notebook_not_from_chance():
    one = renumber_widgets(notebook("x"), "03_xor_network")
    two = renumber_widgets(notebook("x", ids=("e" * 32, "f" * 32)), "03_xor_network")
    assert nbformat.writes(one) == nbformat.writes(two)
    text = nbformat.writes(one)
    assert "a" * 32 not in text and "b" * 32 not in text
    state = one.metadata["widgets"][STATE]["state"]
    shown = one.cells[2].outputs[0].data[VIEW]["model_id"]
    assert shown in state and widget_ids_in_order(one)[0] == shown
    refs = re.findall(r"IPY_MODEL_([0-9a-f]{32})", json.dumps(state))
    assert refs and all(r in state for r in refs)


def test_prints_split_by_the_kernel_compare_equal_to_one_stream(rules):
    one = [{"output_type": "stream", "name": "stdout", "text": "a\nb\n"}]
    two = [{"output_type": "stream", "name": "stdout", "text": "a\n"},
           {"output_type": "stream", "name": "stdout", "text": "b\n"}]
    other = [{"output_type": "stream", "name": "stdout", "text": "a\n"},
             {"output_type": "stream", "name": "stderr", "text": "b\n"}]
    assert comparable(one, rules) == comparable(two, rules) != comparable(other, rules)
