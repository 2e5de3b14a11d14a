"""The route without an exchange, end to end, with the make targets an instructor runs.

In a temporary copy of the course (Makefile, mk/nbgrader.mk, nbgrader_config.py, two small problem
sets made on the fly), as the instructor guide describes it:

1. ``make import-submissions DIR=... PS=...`` takes a folder as a learning platform gives it (a
   notebook per student named after them, a student's folder with a notebook of another name and
   a file next to it, a name that is not a valid student id) and puts each submission in
   ``submitted/<student>/<ps>/`` under the problem set's notebook name, with a timestamp; it
   refuses the invalid name, says why, and exits non-zero;
2. one student of the first problem set submits through the exchange as usual (``make publish``,
   fetch, submit, ``make collect``), so both routes meet;
3. ``make autograde``: the first problem set holds a corrupted notebook, so its autograde fails,
   and the second problem set is graded all the same (the target exits non-zero, naming it);
4. ``make feedback`` writes feedback HTML for every graded submission, releases through the
   exchange only the one that came through it (the student fetches it), and names the folders of
   the others; ``make grades`` exports everyone.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest

from tests.nbgrader_utils import BIN, NBGRADER, REPO, make_course, nbgrader_env, run, scores
from tests.nbgrader_utils import tiny_problem_set as make_tiny

pytestmark = pytest.mark.integration
FIRST, SECOND = "ps0_first", "ps0_tiny"


def _answers(release: Path, dest: Path) -> Path:
    """The release with both answers right."""
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        if "def dsquare" in cell.source:
            cell.source = "def dsquare(x):\n    return 2 * x"
        elif "def dcube" in cell.source:
            cell.source = "def dcube(x):\n    return 3 * x ** 2"
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("no-exchange")
    sources = {name: make_tiny(root / "src" / name, name).parent for name in (FIRST, SECOND)}
    course = make_course(root, sources)
    shutil.copy(REPO / "Makefile", course / "Makefile")
    (course / "mk").mkdir()
    shutil.copy(REPO / "mk" / "nbgrader.mk", course / "mk" / "nbgrader.mk")
    shutil.copytree(REPO / "tools", course / "tools",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = nbgrader_env(root, BACKPROP_CELL_TIMEOUT="30")
    (root / "exchange").mkdir()
    make = ["make", "--no-print-directory", "STAMP=", f"BIN={BIN}"]
    steps = {"release": run([*make, "release"], cwd=course, env=env)}
    release = {ps: course / "exercises" / ps / f"{ps}.ipynb" for ps in (FIRST, SECOND)}

    # an LMS download of the second problem set
    lms = root / "downloads" / SECOND
    _answers(release[SECOND], lms / "alice.ipynb")
    (lms / "bob").mkdir(parents=True)
    shutil.copy(release[SECOND], lms / "bob" / "my work (final).ipynb")
    (lms / "bob" / "notes.txt").write_text("handed in next to the notebook")
    _answers(release[SECOND], lms / "carol x.ipynb")  # a space: not a valid student id
    steps["import-second"] = run([*make, "import-submissions", f"DIR={lms}", f"PS={SECOND}"],
                                 cwd=course, env=env, check=False)
    # the first problem set: one good notebook and a corrupted one, by download
    lms1 = root / "downloads" / FIRST
    _answers(release[FIRST], lms1 / "alice.ipynb")
    lms1.joinpath("mallory.ipynb").write_text("{ this is not a notebook")
    steps["import-first"] = run([*make, "import-submissions", f"DIR={lms1}", f"PS={FIRST}"],
                                cwd=course, env=env)

    # ... and one student of the first problem set through the exchange
    steps["publish"] = run([*make, "publish", f"PS={FIRST}"], cwd=course, env=env)
    student = root / "erin"
    student.mkdir()
    common = ["--course=backprop", f"--Exchange.root={env['BACKPROP_EXCHANGE']}"]
    run([NBGRADER, "fetch_assignment", FIRST, *common], cwd=student, env=env)
    _answers(release[FIRST], student / FIRST / f"{FIRST}.ipynb")
    run([NBGRADER, "submit", FIRST, "--student=erin", *common], cwd=student, env=env)
    steps["collect"] = run([*make, "collect", f"PS={FIRST}"], cwd=course, env=env)

    steps["autograde"] = run([*make, "autograde"], cwd=course, env=env, check=False,
                             timeout=900)
    steps["feedback"] = run([*make, "feedback"], cwd=course, env=env, check=False, timeout=900)
    run([NBGRADER, "fetch_feedback", FIRST, "--student=erin", *common], cwd=student, env=env)
    steps["grades"] = run([*make, "grades"], cwd=course, env=env)
    with open(course / "grades.csv", newline="") as fh:
        grades = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(fh)}
    return {"course": course, "steps": steps, "student": student, "grades": grades,
            "scores": {ps: scores(course, ps) for ps in (FIRST, SECOND)}}


def test_import_puts_each_submission_where_nbgrader_expects_it(term):
    course, step = term["course"], term["steps"]["import-second"]
    for student in ("alice", "bob"):
        folder = course / "submitted" / student / SECOND
        assert (folder / f"{SECOND}.ipynb").is_file(), step.stdout + step.stderr
        stamp = (folder / "timestamp.txt").read_text()
        assert stamp.endswith(" UTC") and stamp[:4].isdigit(), stamp
    assert (course / "submitted" / "bob" / SECOND / "notes.txt").is_file()
    assert not list((course / "submitted" / "bob" / SECOND).glob("my work*"))


def test_import_refuses_a_name_that_is_not_a_student_id_and_says_why(term):
    course, step = term["course"], term["steps"]["import-second"]
    assert step.returncode != 0
    assert "carol x.ipynb" in step.stdout and "student id" in step.stdout, step.stdout
    assert not any("carol" in p.name for p in (course / "submitted").iterdir())


def test_a_failing_problem_set_does_not_stop_the_others(term):
    step = term["steps"]["autograde"]
    assert step.returncode != 0, "a corrupted notebook should make autograde report a failure"
    assert f"autograde failed for: {FIRST}" in step.stdout, step.stdout[-3000:]
    second = term["scores"][SECOND]
    assert second["alice"] == {"test_dsquare": (2.0, 2.0), "test_dcube": (1.0, 1.0)}
    assert second["bob"] == {"test_dsquare": (0.0, 2.0), "test_dcube": (0.0, 1.0)}
    first = term["scores"][FIRST]
    assert first["erin"] == first["alice"] == {"test_dsquare": (2.0, 2.0),
                                               "test_dcube": (1.0, 1.0)}


def test_feedback_for_everyone_released_only_through_the_exchange_it_came_by(term):
    course, step = term["course"], term["steps"]["feedback"]
    for student, ps in [("alice", FIRST), ("erin", FIRST), ("alice", SECOND), ("bob", SECOND)]:
        assert list((course / "feedback" / student / ps).glob("*.html")), (
            f"no feedback for {student}/{ps}:\n{step.stdout[-3000:]}\n{step.stderr[-3000:]}")
    fetched = list((term["student"] / FIRST / "feedback").rglob("*.html"))
    assert len(fetched) == 1, "erin, who submitted through the exchange, gets her feedback"
    for student, ps in [("alice", FIRST), ("alice", SECOND), ("bob", SECOND)]:
        assert f"feedback/{student}/{ps}/" in step.stdout, step.stdout[-3000:]
    assert "feedback/erin/" not in step.stdout


def test_grades_export_every_student(term):
    grades = term["grades"]
    assert float(grades[("alice", SECOND)]["raw_score"]) == 3.0
    assert float(grades[("bob", SECOND)]["raw_score"]) == 0.0
    assert float(grades[("erin", FIRST)]["raw_score"]) == 3.0
