"""The points a student reads in a problem set are the points nbgrader gives.

Each question heading (``## 1. ... (4 points)``) and each part (``**1a (derivation, 2 points).**``)
states its points in a read-only markdown cell; the graded cells that follow it, up to the next
statement of the same level, carry exactly that many points in their nbgrader metadata, and no
graded cell is outside a stated question and part.
"""
from __future__ import annotations

import re

import nbformat
import pytest

from tools.problem_sets import solution_notebook

# the problem sets whose questions state their points (ps3 and ps4: not yet)
STATING_POINTS = ["ps1_chain_rule", "ps2_scalar_backprop"]

HEADING = re.compile(r"^##\s+(\d+)\..*\((\d+) points?\)\s*$", re.M)
PART = re.compile(r"\*\*(\d+[a-z]) \((?:[^()]*?, )?(\d+) points?\)\.?\*\*")


def stated_and_given_points(nb) -> tuple[dict, dict, list[str]]:
    """``(stated, given, orphans)``: ``{question or part: stated points}``, ``{question or part:
    metadata points of the graded cells under it}``, and the graded cells under no statement."""
    stated, given, orphans = {}, {}, []
    question = part = None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("locked"):
            for match in sorted([*HEADING.finditer(cell.source), *PART.finditer(cell.source)],
                                key=lambda m: m.start()):
                if match.re is HEADING:
                    question, part = match.group(1), None
                    key = question
                else:
                    part = match.group(1)
                    key = part
                if key in stated:
                    raise ValueError(f"{key} states its points twice")
                stated[key] = int(match.group(2))
                given[key] = 0
        if meta.get("grade"):
            if question is None or part is None or not part.startswith(question):
                orphans.append(meta["grade_id"])
                continue
            given[question] += meta["points"]
            given[part] += meta["points"]
    return stated, given, orphans


@pytest.mark.parametrize("ps", STATING_POINTS)
def test_stated_points_equal_the_metadata_points(ps):
    nb = nbformat.read(solution_notebook(ps), as_version=4)
    stated, given, orphans = stated_and_given_points(nb)
    assert not orphans, f"graded cells under no question and part that state points: {orphans}"
    assert stated, "no question states its points"
    assert stated == given, {k: (stated[k], given[k]) for k in stated if stated[k] != given[k]}
    total = sum(c.metadata["nbgrader"].get("points", 0) for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade"))
    intro = re.search(r"\((\d+) points\)", nb.cells[0].source)
    assert intro and int(intro.group(1)) == total, (intro and intro.group(0), total)


def _cell(source, grade_id=None, points=None, markdown=True):
    make = nbformat.v4.new_markdown_cell if markdown else nbformat.v4.new_code_cell
    c = make(source)
    if points is None:
        c.metadata["nbgrader"] = {"grade": False, "locked": True, "solution": False,
                                  "grade_id": grade_id or "text"}
    else:
        c.metadata["nbgrader"] = {"grade": True, "locked": not markdown, "solution": markdown,
                                  "grade_id": grade_id, "points": points}
    return c


def test_the_points_rule_catches_a_wrong_statement_and_an_orphan():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("**0a (code, 1 point).**"),
                _cell("x", "early", 1, markdown=False),
                _cell("## 1. A question (3 points)\n\n**1a (derivation, 2 points).** Derive."),
                _cell("answer", "q1a", 2),
                _cell("**1b (code, 2 points).** Code it."),
                _cell("check()", "test-q1b", 1, markdown=False)]
    stated, given, orphans = stated_and_given_points(nb)
    assert orphans == ["early"]
    assert stated == {"0a": 1, "1": 3, "1a": 2, "1b": 2}
    assert given == {"0a": 0, "1": 3, "1a": 2, "1b": 1}
