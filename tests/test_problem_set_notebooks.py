"""The problem sets' source notebooks are well-formed nbgrader sources (fast: no kernel, nbgrader).

``solutions/<ps>/<ps>.ipynb`` is edited by hand (nbgrader's Create Assignment toolbar), so what a
script used to guarantee when it generated them is checked here, on every problem set that
``tools.problem_sets`` finds: nbgrader metadata and unique, valid grade_ids with points; cleared
outputs; a locked first code cell that installs the checker; solution regions in answer cells;
every autograded test cell has a visible part and a hidden part, and the hidden part repeats each
visible check in the sealed form (no name a student could rebind); the release in ``exercises/``
has the same graded cells and points.
"""
from __future__ import annotations

import re

import nbformat
import pytest

from helpers import grading
from tools.problem_sets import problem_sets, release_notebook, solution_notebook

PROBLEM_SETS = problem_sets()
GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]+$")
REQUIRED = {"schema_version", "grade", "grade_id", "locked", "solution"}
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
VISIBLE_CHECK = re.compile(r'^check\("(?P<name>[^"]+)", (?P<call>.*?)\)$', re.S | re.M)
SEALED_CHECK = re.compile(
    r'_io = \[\]\n'
    r'\(lambda: 0\)\.__defaults__ = \("backprop-grading:ask", "(?P<name>[^"]+)", _io\)\n'
    r'_fn = \((?P<call>.*?)\)\n'
    r'_answer = _fn\(\*_io\[1\]\)\n'
    r'\(lambda: 0\)\.__defaults__ = \("backprop-grading:check", "(?P=name)", _io, _answer, _fn\)',
    re.S)
# a check of a value, not of a function: the visible check("name", lambda: value)
SEALED_VALUE = re.compile(
    r'_io = \[\]\n'
    r'\(lambda: 0\)\.__defaults__ = \("backprop-grading:ask", "(?P<name>[^"]+)", _io\)\n'
    r'\(lambda: 0\)\.__defaults__ = \("backprop-grading:check", "(?P=name)", _io, '
    r'(?P<value>[^\n]*)\)')


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _squash(code: str) -> str:
    return re.sub(r"\s+", "", code)


def test_problem_sets_are_discovered():
    assert PROBLEM_SETS, "no solutions/<ps>/<ps>.ipynb found"
    for ps in PROBLEM_SETS:
        assert solution_notebook(ps).is_file()


@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_every_cell_has_valid_nbgrader_metadata_and_unique_grade_ids(ps):
    nb = nbformat.read(solution_notebook(ps), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    ids = []
    for cell in nb.cells:
        meta = _meta(cell)
        assert REQUIRED <= set(meta), (ps, cell.source[:60], meta)
        assert meta["schema_version"] == 3
        assert GRADE_ID.match(meta["grade_id"]), meta["grade_id"]
        ids.append(meta["grade_id"])
        if meta["grade"]:
            assert meta.get("points", 0) > 0, f"{ps}/{meta['grade_id']}: graded without points"
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"{ps}: grade_id used twice: {duplicates}"
    kinds = {(c.cell_type, _meta(c)["solution"]) for c in nb.cells if _meta(c)["grade"]}
    assert ("code", False) in kinds, f"{ps} has no autograded test cell"
    assert ("markdown", True) in kinds, f"{ps} has no hand-graded derivation cell"


@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_cell_kinds_follow_the_toolbar(ps):
    """Answer cells: unlocked with a solution region (code); test cells locked, never answers;
    outputs cleared; the first code cell is locked and installs the checker."""
    code = [c for c in _cells(solution_notebook(ps)) if c.cell_type == "code"]
    assert _meta(code[0])["locked"] and "import helpers.grading" in code[0].source, (
        f"{ps}: the first code cell must be locked and import helpers.grading (it installs the "
        "checker before any student code runs)")
    for cell in code:
        meta = _meta(cell)
        assert cell.outputs == [] and cell.execution_count is None, (
            f"{ps}/{meta['grade_id']}: sources are committed with cleared outputs")
        if meta["solution"]:
            assert not meta["locked"] and not meta["grade"], meta
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, (
                f"{ps}/{meta['grade_id']}: an answer cell needs ### BEGIN/END SOLUTION")
        if meta["grade"]:
            assert meta["locked"] and not meta["solution"], meta
        if BEGIN_HIDDEN in cell.source:
            assert meta["grade"] and meta["locked"], f"{ps}: hidden tests outside a test cell"


def sealed_form_problems(source: str) -> list[str]:
    """What is wrong with a test cell's split into a visible part and hidden parts (empty: none).

    The visible part (before the first ``### BEGIN HIDDEN TESTS``) calls ``check(name, call)``;
    the hidden blocks repeat each of those checks in the sealed form, and nothing else."""
    visible, begin, rest = source.partition(BEGIN_HIDDEN)
    if not begin or END_HIDDEN not in rest:
        return ["no ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS part"]
    blocks, outside = [], []
    for chunk in (BEGIN_HIDDEN + rest).split(BEGIN_HIDDEN)[1:]:
        inside, _, after = chunk.partition(END_HIDDEN)
        blocks.append(inside)
        outside.append(after)
    hidden = "\n".join(blocks)
    problems = []
    shown = [(m["name"], _squash(m["call"])) for m in VISIBLE_CHECK.finditer(visible)]
    if not shown:
        problems.append("the visible part calls no check(...)")
    sealed = [(m["name"], _squash(m["call"])) for m in SEALED_CHECK.finditer(hidden)]
    sealed += [(m["name"], _squash("lambda: " + m["value"]))
               for m in SEALED_VALUE.finditer(hidden)]
    if sorted(sealed) != sorted(shown):
        problems.append(f"the hidden part repeats {sorted(sealed)} in the sealed form, the "
                        f"visible part checks {sorted(shown)}")
    if hidden.count("backprop-grading:") != 2 * len(sealed):
        problems.append("the hidden part has requests outside the sealed form")
    if re.search(r"(?<![\w.])check\(", hidden):
        problems.append("the hidden part calls check(...), which a student can rebind")
    if any(part.strip() for part in outside):
        problems.append("visible code after a ### END HIDDEN TESTS")
    unknown = [name for name, _ in shown if name not in grading.specs()]
    if unknown:
        problems.append(f"unknown checks {unknown} (helpers.grading.specs())")
    return problems


@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_every_test_cell_has_a_visible_part_and_a_sealed_hidden_part(ps):
    tests = [c for c in _cells(solution_notebook(ps))
             if c.cell_type == "code" and _meta(c)["grade"]]
    problems = {_meta(c)["grade_id"]: sealed_form_problems(c.source) for c in tests}
    problems = {gid: p for gid, p in problems.items() if p}
    assert not problems, f"{ps}: {problems}"


@pytest.mark.parametrize("source,words", [
    ('check("ps1.dg", dg)\n', "no ### BEGIN HIDDEN"),
    ('check("ps1.dg", dg)\n' + BEGIN_HIDDEN + '\ncheck("ps1.dg", dg)\n' + END_HIDDEN,
     "which a student can rebind"),
    ('check("ps1.dg", dg)\n' + BEGIN_HIDDEN + '\n_io = []\n'
     '(lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.dg", _io)\n_fn = (dg)\n'
     '_answer = _fn(*_io[1])\n'
     '(lambda: 0).__defaults__ = ("backprop-grading:check-seeded", "ps1.dg", _io, _answer, _fn)\n'
     + END_HIDDEN, "repeats []"),
    ('check("ps1.nope", dg)\n', "no ### BEGIN HIDDEN"),
])
def test_the_sealed_form_rule_catches_a_bad_test_cell(source, words):
    problems = sealed_form_problems(source)
    assert any(words in p for p in problems), problems


@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_the_release_has_the_same_graded_cells_and_points(ps):
    """A grade_id renamed or re-pointed in solutions/ without `make release` (or the other way
    round) would grade students against cells they never had."""
    def graded(path):
        return [(c.cell_type, _meta(c)["grade_id"], _meta(c).get("points"))
                for c in _cells(path) if _meta(c).get("grade")]
    release = release_notebook(ps)
    assert release.is_file(), f"exercises/{ps} is missing: run `make release`"
    assert graded(release) == graded(solution_notebook(ps)), "run `make release` and commit"


@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_no_file_next_to_a_source_notebook_holds_answers_or_hidden_tests(ps):
    """nbgrader releases every file of solutions/<ps>/ next to the notebook as it is: a jupytext
    twin (``<ps>.py``) would hand out the solutions and the hidden tests. So the sources are not
    paired, and no other file there may contain solution or hidden-test regions."""
    leaks = [p.name for p in solution_notebook(ps).parent.rglob("*")
             if p.is_file() and p != solution_notebook(ps)
             and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
             and any(m in p.read_bytes() for m in (b"BEGIN SOLUTION", b"BEGIN HIDDEN TESTS"))]
    assert not leaks, f"solutions/{ps}: {leaks} would be released with answers in them"
