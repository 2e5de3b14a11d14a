"""Scores that cannot be gamed, through real ``nbgrader autograde``, the gradebook and the report.

Two problem sets of the course, each submitted with wrong answers (every answer function returns
2r+1: the *twin*), and the hostile cases of ``tests/hostile/integrity.py`` on top of the same wrong
answers: files handed in next to the notebook that would replace what the tests import
(``helpers.py``, a ``helpers/`` package, a ``numpy/`` package, a link, ``sitecustomize.py``, a
``.pth``, kernel configuration files, a module imported later) and answers that write a result to
the display hook before their check fails.

Asserted:

1. ``nbgrader autograde`` (the command line, the course's real nbgrader_config.py) gives every file
   case exactly its twin's marks in the gradebook: no handed-in file changed what a test ran;
2. every display case gets its twin's marks (at most, when the tamper screen flagged it): a test
   cell that raised scores 0 whatever it displayed before;
3. ``tools/grade_class.py --report-only`` (``make grading-report``) reports, per submission, the
   unexpected files by name, the test cells that raised, the displayed results and the tamper
   screen's verdict, and its printed summary names each of these submissions as needing a look.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.hostile.corpus import Case, _dump, load_problem_sets, write_submissions
from tests.hostile.integrity import DISPLAY_CASES, FILE_CASES, integrity_cases, wrong_answers
from tests.nbgrader_utils import (
    PROBLEM_SETS,
    REPO,
    make_course,
    nbgrader,
    nbgrader_env,
    run,
    scores,
)

pytestmark = pytest.mark.integration
AVAILABLE = PROBLEM_SETS  # every solutions/<ps>/<ps>.ipynb (tools.problem_sets)
SETS = [ps for ps in ("ps1_chain_rule", "ps3_xor") if ps in AVAILABLE] or AVAILABLE[:2]


@pytest.fixture(scope="module")
def graded():
    if not SETS:
        pytest.skip("no problem sets under solutions/ yet")
    root = Path(tempfile.mkdtemp(prefix="integrity-"))
    try:
        env = nbgrader_env(root, BACKPROP_CELL_TIMEOUT="60")
        course = make_course(root, SETS)
        for ps in SETS:
            nbgrader(course, env, "generate_assignment", ps, "--force", "--log-level=WARN")
        problem_sets = load_problem_sets(course, SETS)
        twins = {}
        cases = []
        for ps in problem_sets:
            nb, _ = wrong_answers(ps)
            twin = Case(name=f"wrong-{ps.ps.split('_')[0]}", ps=ps.ps, filename=ps.filename,
                        content=_dump(nb), note="wrong answers, nothing else")
            twins[ps.ps] = twin.name
            cases.append(twin)
        hostile = integrity_cases(problem_sets, twins)
        write_submissions(course, cases + hostile)
        runs = {ps: nbgrader(course, env, "autograde", ps, "--force", check=False)
                for ps in SETS}
        gradebook = {ps: scores(course, ps) for ps in SETS}
        yield {"cases": hostile, "gradebook": gradebook, "course": course, "env": env,
               "root": root, "runs": runs}
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def reported(graded):
    """The report and printed summary of ``grade_class --report-only`` for what was graded."""
    course, out = graded["course"], graded["root"] / "report.json"
    proc = run([sys.executable, str(REPO / "tools" / "grade_class.py"), "--course", str(course),
                "--report-only", "--report", str(out)], cwd=course, env=graded["env"],
               timeout=600)
    return dict(graded, report=json.loads(out.read_text())["students"], printed=proc.stdout)


def _marks(graded, case: Case, student: str | None = None) -> dict[str, float]:
    cells = graded["gradebook"][case.ps][student or case.student]
    return {gid: score for gid, (score, _) in cells.items()}


def test_autograde_grades_every_submission(graded):
    """No submission crashes nbgrader (a displayed number above the points used to)."""
    for ps, proc in graded["runs"].items():
        assert proc.returncode == 0, f"autograde {ps} failed:\n{proc.stderr[-3000:]}"


def test_the_twins_fail_the_tests_of_their_wrong_answers(graded):
    for case in graded["cases"]:
        twin = _marks(graded, case, case.twin)
        failing = [g for g, score in twin.items() if score == 0.0]
        assert set(case.report["errored"]) <= set(failing), (
            f"{case.twin}: the tests of its wrong answers passed: {twin}")
        assert failing, f"{case.twin} fails no test: the case {case.name} proves nothing"


@pytest.mark.parametrize("label", FILE_CASES)
def test_files_handed_in_change_nothing_the_tests_run(graded, label):
    (case,) = [c for c in graded["cases"] if c.name.startswith(label + "-")]
    assert _marks(graded, case) == _marks(graded, case, case.twin), (
        f"{case.name} ({', '.join(case.report['unexpected_files'])} handed in) changed the marks "
        "of wrong answers")


@pytest.mark.parametrize("label", sorted(DISPLAY_CASES))
def test_a_test_cell_that_raised_scores_zero_whatever_it_displayed(graded, label):
    (case,) = [c for c in graded["cases"] if c.name.startswith(label + "-")]
    got, twin = _marks(graded, case), _marks(graded, case, case.twin)
    if case.at_most_twin:  # flagged by the tamper screen: later tests get nothing
        raised = {g: (got[g], twin[g]) for g in got if got[g] > twin[g]}
        assert not raised, f"{case.name} raised marks above its twin's: {raised}"
        assert sum(got.values()) < sum(twin.values()) or sum(twin.values()) == 0
    else:
        assert got == twin, f"{case.name}: displayed results changed the marks: {got} vs {twin}"
    for gid in case.report["errored"]:
        assert got[gid] == 0.0, f"{case.name}: {gid} raised and still scored {got[gid]}"


@pytest.mark.parametrize("label", FILE_CASES + sorted(DISPLAY_CASES))
def test_the_report_shows_what_happened(reported, label):
    graded = reported
    (case,) = [c for c in graded["cases"] if c.name.startswith(label + "-")]
    entry = graded["report"][case.student][case.ps]
    assert entry["status"] == "graded", entry
    want = case.report
    assert sorted(entry["unexpected_files"]) == sorted(want.get("unexpected_files", [])), entry
    missing = [g for g in want["errored"] if g not in entry["errored_cells"]]
    assert not missing, f"{case.name}: cells that raised are not listed: {missing}\n{entry}"
    assert all(entry["errored_cells"][g] for g in want["errored"])
    if want.get("displayed"):
        assert set(want["errored"]) & set(entry["displayed_results"]), entry
    assert bool(entry["tamper_screen"]) == bool(want.get("tamper")), entry
    assert entry["needs_a_look"], f"{case.name}: nothing odd reported: {entry}"
    printed = graded["printed"]
    assert f"{case.student}/{case.ps}: " in printed and "NEEDS A LOOK" in printed
    block = printed.split(f"{case.student}/{case.ps}: ", 1)[1].split("\n  ", 1)[0]
    assert "NEEDS A LOOK" in block, block
    for name in want.get("unexpected_files", []):
        assert name in printed, f"{name} of {case.name} is not in the printed summary"


def test_twins_need_no_look_but_list_their_errors(reported):
    """The report is not noise: wrong answers alone are listed as errors, not as odd."""
    graded = reported
    for student in {c.twin for c in graded["cases"]}:
        for entry in graded["report"].get(student, {}).values():
            assert entry["needs_a_look"] == [], entry
            assert entry["errored_cells"], entry
            assert entry["unexpected_files"] == [] and entry["tamper_screen"] == []
