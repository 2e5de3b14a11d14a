"""Shared pieces of the problem-set builders (tools/build_ps*.py).

Each builder describes its notebook as a list of cells made with the functions below and writes
``solutions/<ps>/<ps>.ipynb`` (nbgrader's source: solutions and hidden tests, outputs cleared).
Run ``python tools/build_ps1.py`` (etc.) after editing; never edit the notebooks by hand.

Metadata follows nbgrader's schema version 3 (see /work/shared/notes/verified-facts.md).
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points=None) -> dict:
    if not re.fullmatch(r"[a-zA-Z0-9_\-]+", grade_id):
        raise ValueError(f"grade_id must match [a-zA-Z0-9_-]+, got {grade_id!r}")
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def text(grade_id: str, source: str):
    """A read-only markdown cell."""
    return nbformat.v4.new_markdown_cell(source.strip("\n"), metadata=_meta(
        grade_id, grade=False, solution=False, locked=True))


def setup(grade_id: str, source: str):
    """A read-only code cell (imports, given functions)."""
    return nbformat.v4.new_code_cell(source.strip("\n"), metadata=_meta(
        grade_id, grade=False, solution=False, locked=True))


def derivation(grade_id: str, points: float, model_answer: str):
    """A markdown answer graded by a person; the model answer becomes "YOUR ANSWER HERE"."""
    return nbformat.v4.new_markdown_cell(model_answer.strip("\n"), metadata=_meta(
        grade_id, grade=True, solution=True, locked=False, points=points))


def solution(grade_id: str, source: str):
    """A code answer cell; source must contain ### BEGIN SOLUTION / ### END SOLUTION."""
    if "### BEGIN SOLUTION" not in source:
        raise ValueError(f"{grade_id}: a solution cell needs ### BEGIN SOLUTION")
    return nbformat.v4.new_code_cell(source.strip("\n"), metadata=_meta(
        grade_id, grade=False, solution=True, locked=False))


def hidden_check(name: str, call: str) -> str:
    """The hidden part of a test: the check again at a fresh random point, via the sealed channel.

    ``call`` is an expression for the function to test, e.g. ``"grad_f4"``.
    """
    return (
        "### BEGIN HIDDEN TESTS\n"
        "# the same check at a fresh random point, written so that nothing redefined above\n"
        "# can skip it: _io receives the inputs, the last line submits the answer\n"
        "_io = []\n"
        f'(lambda: 0).__defaults__ = ("backprop-grading:ask", "{name}", _io)\n'
        f"_fn = ({call})\n"
        "_answer = _fn(*_io[1])\n"
        f'(lambda: 0).__defaults__ = ("backprop-grading:check", "{name}", _io, _answer, _fn)\n'
        "### END HIDDEN TESTS"
    )


def test(grade_id: str, points: float, checks: list[tuple[str, str]], visible_extra: str = ""):
    """An autograded test cell: a visible ``check`` per (name, call), then the hidden repeats."""
    lines = [visible_extra.strip("\n")] if visible_extra else []
    lines += [f'check("{name}", {call})' for name, call in checks]
    lines += [hidden_check(name, call) for name, call in checks]
    return nbformat.v4.new_code_cell("\n".join(lines), metadata=_meta(
        grade_id, grade=True, solution=False, locked=True, points=points))


def raw_test(grade_id: str, points: float, source: str):
    """An autograded test cell with hand-written source."""
    return nbformat.v4.new_code_cell(source.strip("\n"), metadata=_meta(
        grade_id, grade=True, solution=False, locked=True, points=points))


def write(ps: str, cells: list) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb.cells = cells
    ids = [c.metadata["nbgrader"]["grade_id"] for c in cells]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate grade_ids: {sorted(dup)}")
    for c, gid in zip(cells, ids):
        c["id"] = gid[:64]  # stable: the grade_id, not the position
    nbformat.validate(nb)
    path = ROOT / "solutions" / ps / f"{ps}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def cell_source(ps: str, grade_id: str) -> str:
    """Source of a cell of a built problem set, without the solution delimiters (as a student
    would write it). Used by tests/mistakes."""
    nb = nbformat.read(ROOT / "solutions" / ps / f"{ps}.ipynb", as_version=4)
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return "\n".join(line for line in c.source.splitlines()
                             if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    raise KeyError(f"{ps} has no cell {grade_id!r}")
