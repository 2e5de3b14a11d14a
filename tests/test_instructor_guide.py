"""The instructor guide's "Adding a problem set" section, followed step by step in a temporary copy
of the course: a new problem set notebook with the cell metadata nbgrader's Create Assignment
toolbar writes (its set-up cell and test cell are the guide's code blocks), the guide's check
module, ``make validate``, ``make release``, then ``make autograde`` of one correct and one wrong
submission; the gradebook must show full and partial marks.

The copy's ``helpers`` (with the new check module) is put first on ``PYTHONPATH``; the grading
sandbox is off (``BACKPROP_GRADER_SANDBOX=0``) because its kernel imports the installed ``helpers``
on purpose (tests/test_hostile_submissions.py covers the sandbox).
"""
from __future__ import annotations

import re
import shutil
import textwrap

import nbformat
import pytest

from tests.nbgrader_utils import BIN, REPO, nbgrader_env, run, scores

pytestmark = pytest.mark.integration

GUIDE = REPO / "docs" / "instructor-guide.md"
PS = "ps9_tiny"  # the guide's example check is "ps9.dcube"
COURSE_PARTS = ("Makefile", "mk", "nbgrader_config.py", "pyproject.toml", "helpers", "tools",
                "solutions")


def guide_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("## Adding a problem set\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def guide_code_blocks() -> list[str]:
    """The ```python blocks of the section, dedented: set-up cell, test cell, check module."""
    blocks = [textwrap.dedent(b) for b in
              re.findall(r"^ *```python\n(.*?)^ *```", guide_section(), re.S | re.M)]
    assert len(blocks) == 3, f"expected 3 code blocks in the guide's section, found {len(blocks)}"
    return blocks


def toolbar_cell(kind: str, source: str, n: int, *, grade=False, solution=False, locked=False,
                 points=None):
    """A cell as the Create Assignment toolbar leaves it: ``grade_id`` "cell-<16 hex>", a random
    looking cell id, schema 3 metadata with ``task``; points only on graded cells."""
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    meta = {"grade": grade, "grade_id": f"cell-{n:016x}", "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    cell.id = f"{0x5EED0000 + n:08x}-guide"
    return cell


def new_problem_set(setup: str, test_cell: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        toolbar_cell("markdown", "# Problem set 9\nDerivatives of powers.", 1, locked=True),
        toolbar_cell("code", setup, 2, locked=True),
        toolbar_cell("markdown", "d(x³)/dx = 3x², by the power rule.", 3, grade=True,
                     solution=True, points=1),
        toolbar_cell("code", "def dcube(x):\n    ### BEGIN SOLUTION\n    return 3 * x ** 2\n"
                     "    ### END SOLUTION", 4, solution=True),
        toolbar_cell("code", test_cell, 5, grade=True, locked=True, points=2),
        toolbar_cell("code", "def dsquare(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                     "    ### END SOLUTION", 6, solution=True),
        toolbar_cell("code", "assert dsquare(3.0) == 6.0, 'dsquare(3) should be 6'", 7,
                     grade=True, locked=True, points=1),
    ]
    nbformat.validate(nb)
    return nb


def test_adding_a_problem_set_as_the_guide_says(tmp_path):
    setup, test_cell, check_module = guide_code_blocks()
    course = tmp_path / "course"
    for part in COURSE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, course / part, ignore=shutil.ignore_patterns(
                "__pycache__", ".ipynb_checkpoints"))
        else:
            course.mkdir(exist_ok=True)
            shutil.copy(src, course / part)
    env = nbgrader_env(tmp_path, PYTHONPATH=str(course), BACKPROP_GRADER_SANDBOX="0")
    make = ["make", "--no-print-directory", "STAMP=", f"BIN={BIN}", f"PS={PS}"]

    # 1-2. the notebook, named like its folder, marked with the toolbar's metadata
    source = course / "solutions" / PS / f"{PS}.ipynb"
    source.parent.mkdir(parents=True)
    nbformat.write(new_problem_set(setup, test_cell), source)
    # 3. a new kind of check: the check module named like the problem set
    (course / "helpers" / "grading" / f"{PS}.py").write_text(
        f'"""The checks of problem set 9 (the guide\'s example)."""\n\n\n{check_module}')
    # 4. validate and release
    run([*make, "validate"], cwd=course, env=env)
    run([*make, "release"], cwd=course, env=env)
    release = course / "exercises" / PS / f"{PS}.ipynb"
    released = "\n".join(c.source for c in nbformat.read(release, as_version=4).cells)
    assert "raise NotImplementedError()" in released and "BEGIN SOLUTION" not in released
    assert "backprop-grading:check" not in released, "the hidden part was released"
    failing = run([*make, "validate", f"VALIDATE_NBS=exercises/{PS}/{PS}.ipynb"], cwd=course,
                  env=env, check=False)
    assert failing.returncode != 0 and "FAILED" in failing.stdout

    # autograde (the guide's route without an exchange: submitted/<student>/<ps>/<ps>.ipynb)
    wrong = nbformat.read(release, as_version=4)
    for cell in wrong.cells:
        if "def dcube" in cell.source:
            cell.source = "def dcube(x):\n    return 3 * x  # forgot the power"
        elif "def dsquare" in cell.source:
            cell.source = "def dsquare(x):\n    return 2 * x"
    for student, notebook in (("alice", nbformat.read(source, as_version=4)), ("bob", wrong)):
        folder = course / "submitted" / student / PS
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{PS}.ipynb")
    run([*make, "autograde"], cwd=course, env=env)
    got = scores(course, PS)
    check_cell, assert_cell = "cell-0000000000000005", "cell-0000000000000007"
    assert got["alice"] == {check_cell: (2.0, 2.0), assert_cell: (1.0, 1.0)}, got
    assert got["bob"] == {check_cell: (0.0, 2.0), assert_cell: (1.0, 1.0)}, got
    feedback = course / "autograded" / "bob" / PS / f"{PS}.ipynb"
    errors = [o for c in nbformat.read(feedback, as_version=4).cells
              if c.metadata.get("nbgrader", {}).get("grade_id") == check_cell
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and "d(x³)/dx is wrong" in errors[0].evalue, errors


def test_the_guides_example_follows_the_rules_it_states(tmp_path):
    """The guide's test cell has the sealed form and its check module the check-module rules
    (the same rules tests/test_grading.py and tests/test_problem_set_notebooks.py apply)."""
    import importlib.util

    from tests.test_grading import _check_module_rules
    from tests.test_problem_set_notebooks import sealed_form_problems

    setup, test_cell, check_module = guide_code_blocks()
    assert "import helpers.grading" in setup
    problems = sealed_form_problems(test_cell + "\n")
    assert problems == ["unknown checks ['ps9.dcube'] (helpers.grading.specs())"], problems
    path = tmp_path / f"{PS}.py"
    path.write_text(f'"""The guide\'s example."""\n\n\n{check_module}')
    spec = importlib.util.spec_from_file_location(PS, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert not _check_module_rules(module)
