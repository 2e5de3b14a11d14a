"""Autograde a corpus of broken and hostile submissions together with correct ones.

The corpus (tests/hostile/corpus.py) is built from the real problem sets. The whole class is graded
with ``tools/grade_class.py`` (2 workers) under the course's real nbgrader_config.py, so the
sandboxed grading kernel, its limits and the tamper screen are what is tested. Asserted:

* grading finishes; correct submissions get full marks, the same as when graded alone;
* every bad submission gets exactly the marks it earned (per test cell, or equal to an honest
  twin), and a message for every cell that lost points;
* one gradebook row per submission, the database intact, no file of the course changed;
* tampering never turns a failing test into a pass (tamper cases sit on unanswered cells);
* loops and memory bombs cost only their own cells (timeouts / MemoryError shown there), output
  floods are cut;
* as root (the kernel runs under a throw-away uid): the kernel cannot read solutions/, the
  gradebook or other students' work, nor write to the course. Without root those checks are
  skipped with the reason (only the limits apply then; the guide says so);
* timed-out cells are reported as timed out and the cells after them still run (no assertion on
  wall-clock time: the notebook budget, 40 s here, is what a broken kernel may cost);
* the hostile cases of tests/hostile/integrity.py: files handed in change nothing the tests
  import, displayed results before a failing check score nothing, and the report shows both.

The course lives in a folder other users can traverse, so only the grader's own protection keeps
the kernel out. Takes a few minutes (cell timeout 10 s for the loops).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from tests.hostile.corpus import build_corpus, load_problem_sets, write_submissions
from tests.nbgrader_utils import (
    PROBLEM_SETS,
    REPO,
    make_course,
    nbgrader,
    nbgrader_env,
    run,
)

pytestmark = pytest.mark.integration
AVAILABLE = PROBLEM_SETS  # every solutions/<ps>/<ps>.ipynb (tools.problem_sets)
ENFORCED = os.geteuid() == 0
NOT_ENFORCED = "not root: the grading kernel runs as the grader's own user (limits only)"
CELL_TIMEOUT = 10
BUDGET = 40  # seconds for a whole notebook (BACKPROP_NOTEBOOK_BUDGET)


def _digest(paths: list[Path]) -> dict[str, str]:
    out = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def graded():
    if not AVAILABLE:
        pytest.skip("no problem sets under solutions/ yet")
    root = Path(tempfile.mkdtemp(prefix="hostile-", dir="/tmp"))
    cases = []
    try:
        os.chmod(root, 0o755)  # other users may traverse: only the grader's protection counts
        env = nbgrader_env(root, BACKPROP_CELL_TIMEOUT=str(CELL_TIMEOUT),
                           BACKPROP_KERNEL_CPU_SECONDS="300", BACKPROP_NOTEBOOK_BUDGET=str(BUDGET))
        course = make_course(root, AVAILABLE)
        for folder in [course, *course.rglob("*")]:
            if folder.is_dir():
                os.chmod(folder, 0o755)
        for ps in AVAILABLE:
            nbgrader(course, env, "generate_assignment", ps, "--force", "--log-level=WARN")
        problem_sets = load_problem_sets(course, AVAILABLE)
        cases = build_corpus(problem_sets, course, REPO)
        write_submissions(course, cases)
        for folder in [course / "submitted", *(course / "submitted").rglob("*")]:
            if folder.is_dir():
                os.chmod(folder, 0o755)
        watched = [course / "nbgrader_config.py", course / "solutions", course / "exercises",
                   course / "submitted"]
        before = _digest(watched)
        grader = [sys.executable, str(REPO / "tools" / "grade_class.py"), "--course", str(course)]
        correct = [c.student for c in cases if c.name.startswith("correct-")]
        run([*grader, "--workers", "1", "--students", *correct, "--report",
             str(root / "alone.json")], cwd=course, env=env, timeout=1800)
        alone = json.loads((root / "alone.json").read_text())["students"]
        proc = run([*grader, "--workers", "2", "--report", str(root / "all.json")], cwd=course,
                   env=env, timeout=3600)
        report = json.loads((root / "all.json").read_text())
        if os.environ.get("BACKPROP_HOSTILE_REPORT"):  # keep the report to read it
            shutil.copy(root / "all.json", os.environ["BACKPROP_HOSTILE_REPORT"])
        print("\n" + _table(cases, report["students"]))
        yield {"course": course, "cases": cases, "report": report, "alone": alone,
               "before": before, "after": _digest(watched), "log": proc.stdout + proc.stderr,
               "problem_sets": {p.ps: p for p in problem_sets}}
    finally:
        shutil.rmtree(root, ignore_errors=True)
        for path in (p for case in cases for p in case.writes_outside):
            if os.path.exists(path):
                os.remove(path)


def _table(cases, students) -> str:
    lines = []
    for case in cases:
        e = students.get(case.student, {}).get(case.ps, {})
        why = next((c.get("message", "") for c in e.get("cells", {}).values()
                    if c.get("message")), e.get("error", ""))
        lines.append(f"{case.name:32} {e.get('score', '?'):>5}/{e.get('max_score', '?'):<5} "
                     f"{e.get('seconds', '?'):>7}s  {why[:110]}")
    return "\n".join(lines)


def _autograded(course: Path, case) -> nbformat.NotebookNode | None:
    path = course / "autograded" / case.student / case.ps / case.filename
    return nbformat.read(path, as_version=4) if path.is_file() else None


def _text(nb) -> str:
    return "" if nb is None else json.dumps([c.get("outputs", []) for c in nb.cells])


def test_corpus_is_big_and_spread(graded):
    bad = [c for c in graded["cases"] if not c.name.startswith("correct-")]
    assert len(bad) >= 30, f"only {len(bad)} bad submissions"
    used = {c.ps for c in bad}
    assert used == set(AVAILABLE), f"bad submissions cover {sorted(used)} of {AVAILABLE}"


def test_every_submission_has_one_row_and_the_database_is_intact(graded):
    course = graded["course"]
    con = sqlite3.connect(course / "gradebook.db")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = con.execute(
            "SELECT s.student_id, a.name FROM submitted_assignment s "
            "JOIN assignment a ON a.id = s.assignment_id").fetchall()
    finally:
        con.close()
    expected = sorted((c.student, c.ps) for c in graded["cases"])
    assert sorted(rows) == expected, "gradebook rows differ from the submissions"
    report = graded["report"]["students"]
    for case in graded["cases"]:
        assert case.ps in report.get(case.student, {}), f"{case.name} missing from the report"


def test_correct_submissions_get_full_marks_alone_and_together(graded):
    report, alone = graded["report"]["students"], graded["alone"]
    for case in graded["cases"]:
        if not case.name.startswith("correct-"):
            continue
        together = report[case.student][case.ps]
        cells = {g: c["score"] for g, c in together["cells"].items()}
        assert cells == case.expected, f"{case.name}: {together}"
        assert {g: c["score"] for g, c in alone[case.student][case.ps]["cells"].items()} == cells


def test_bad_submissions_get_the_marks_they_earned_with_a_reason(graded):
    report = graded["report"]["students"]
    problems = []
    for case in graded["cases"]:
        entry = report[case.student][case.ps]
        got = {g: c["score"] for g, c in entry["cells"].items()}
        points = graded["problem_sets"][case.ps].points
        if case.twin:
            twin = report[case.twin][case.ps]["cells"]
            want = {g: c["score"] for g, c in twin.items()}
        else:
            want = case.expected
        for gid, maximum in points.items():
            score = got.get(gid, 0.0)
            if case.at_most_twin:
                if score > want.get(gid, 0.0):
                    problems.append(f"{case.name} {gid}: tampering raised {want.get(gid)} to "
                                    f"{score}")
            elif want.get(gid) is not None and score != want[gid]:
                problems.append(f"{case.name} {gid}: got {score}, expected {want[gid]} "
                                f"({entry['cells'].get(gid, {}).get('message', entry['error'])})")
            if score > maximum:
                problems.append(f"{case.name} {gid}: {score} > max {maximum}")
            if score < maximum:
                message = entry["cells"].get(gid, {}).get("message", "") or entry["error"]
                if not message or message == "no error shown":
                    problems.append(f"{case.name} {gid}: lost points without a message")
        if case.must_not_grade:
            assert entry["score"] == 0.0, f"{case.name}: {entry}"
    assert not problems, "\n".join(problems)


def test_tampering_never_passes_a_failing_test(graded):
    report = graded["report"]["students"]
    tampered = [c for c in graded["cases"] if c.at_most_twin]
    assert len(tampered) >= 12
    for case in tampered:
        twin = report[case.twin][case.ps]["cells"]
        failing = {g for g, c in twin.items() if c["score"] < c["max_score"]}
        assert failing, f"{case.twin} fails no test: the tamper case {case.name} proves nothing"
        cells = report[case.student][case.ps]["cells"]
        passed = {g for g in failing if cells[g]["score"] > twin[g]["score"]}
        assert not passed, f"{case.name} turned failing tests into passes: {sorted(passed)}"
    for case in graded["cases"]:
        if case.name.startswith(("edited-", "duplicate-")):
            assert report[case.student][case.ps]["score"] == 0.0, case.name


def test_loops_and_memory_bombs_cost_only_their_own_cells(graded):
    course = graded["course"]
    by_name = {c.name.rsplit("-", 1)[0]: c for c in graded["cases"]}
    loop = _text(_autograded(course, by_name["loop-in-function"]))
    assert "CellTimeoutError" in loop or "Timeout" in loop
    bomb = _text(_autograded(course, by_name["membomb-in-function"]))
    assert "MemoryError" in bomb
    flood = course / "autograded" / by_name["print-flood"].student / by_name["print-flood"].ps
    size = sum(p.stat().st_size for p in flood.glob("*.ipynb"))
    assert size < 5 * 2**20, f"a print flood left a {size / 2**20:.0f} MB notebook"


def test_timed_out_cells_say_so_and_later_cells_still_run(graded):
    """A loop costs its own cells: they are reported as timed out, and the cells after them ran.

    (No wall-clock assertion: the notebook budget and the cell timeout are checked by what the
    autograded notebook says, not by how long the machine took.)
    """
    course = graded["course"]
    by_name = {c.name.rsplit("-", 1)[0]: c for c in graded["cases"]}
    for name in ("loop-in-function", "loop-top-level"):
        case = by_name[name]
        nb = _autograded(course, case)
        assert nb is not None, f"{case.name} has no autograded notebook"
        code = [c for c in nb.cells if c.cell_type == "code"]
        timed_out = [i for i, c in enumerate(code) if any(
            o.get("output_type") == "error" and o.get("ename") in ("CellTimeoutError",
                                                                   "KeyboardInterrupt")
            or "Timeout" in json.dumps(o) for o in c.get("outputs", []))]
        assert timed_out, f"{case.name}: no cell is reported as timed out"
        later = code[timed_out[0] + 1:]
        assert later, f"{case.name}: the timed-out cell is the last one"
        not_run = [c for c in later if c.get("execution_count") is None
                   and any(o.get("ename") == "NotRun" for o in c.get("outputs", []))]
        assert not not_run, f"{case.name}: cells after the timeout were not run"
        assert any(c.get("execution_count") for c in later), (
            f"{case.name}: no cell after the timed-out one ran")


def test_report_shows_unexpected_files_displayed_results_and_tampering(graded):
    report = graded["report"]["students"]
    cases = [c for c in graded["cases"] if c.report]
    assert len(cases) >= 12, f"only {len(cases)} integrity cases"
    for case in cases:
        entry = report[case.student][case.ps]
        assert sorted(entry["unexpected_files"]) == sorted(case.report.get("unexpected_files",
                                                                           [])), entry
        missing = [g for g in case.report["errored"] if g not in entry["errored_cells"]]
        assert not missing, f"{case.name}: cells that raised are not listed: {missing}"
        if case.report.get("displayed"):
            assert set(case.report["errored"]) & set(entry["displayed_results"]), entry
        assert bool(entry["tamper_screen"]) == bool(case.report.get("tamper")), entry
        assert entry["needs_a_look"], f"{case.name}: nothing odd reported"
    for case in graded["cases"]:
        if case.name.startswith(("patch-", "custom-exc", "input-transformer", "sys-modules")):
            assert report[case.student][case.ps]["tamper_screen"], case.name


@pytest.mark.skipif(not ENFORCED, reason=NOT_ENFORCED)
def test_student_code_cannot_read_secrets(graded):
    course = graded["course"]
    for case in graded["cases"]:
        if not case.reads_secrets:
            continue
        text = _text(_autograded(course, case))
        assert "denied" in text, "the secret-reading cell did not run"
        hidden = graded["problem_sets"][case.ps].hidden_lines
        leaked = [line for line in hidden if json.dumps(line)[1:-1] in text]
        assert not leaked, f"{case.name} read hidden tests: {leaked[:3]}"


@pytest.mark.skipif(not ENFORCED, reason=NOT_ENFORCED)
def test_student_code_cannot_change_the_course_or_write_outside(graded):
    assert graded["before"] == graded["after"], "a submission changed files of the course"
    left = [p for case in graded["cases"] for p in case.writes_outside if os.path.exists(p)]
    assert not left, f"a submission wrote outside its grading folder: {left}"
    course = graded["course"]
    for case in graded["cases"]:
        if case.name.startswith(("vandal-files", "gradebook-write")):
            text = _text(_autograded(course, case))
            assert "denied" in text and "DAMAGED" not in text, text[:2000]


