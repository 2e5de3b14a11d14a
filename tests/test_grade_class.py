"""Load test of tools/grade_class.py: a generated class graded with 2 workers equals a serial run.

``BACKPROP_LOAD_SUBMISSIONS`` (default 200) submissions over the problem sets: students who each
submit every set, with the solutions, the untouched release or a typical mistake from
tests/mistakes/. The class is graded twice in two copies of one course, once with ``--workers 1``
and once with ``--workers 2``; every student's per-cell scores must be identical, every
submission must have been graded, solutions get full marks and the untouched release none.

It takes several minutes, so it runs only when ``BACKPROP_LOAD_TEST=1`` (``make test-load``, which
CI runs); ``make test`` skips it with that reason. A small smoke test of the command line (4
submissions, always on) checks the arguments, the report and that no student is graded twice.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.hostile.corpus import class_submissions, load_problem_sets, write_submissions
from tests.nbgrader_utils import (
    PROBLEM_SETS,
    REPO,
    make_course,
    nbgrader,
    nbgrader_env,
    run,
)
from tools import grade_class

pytestmark = pytest.mark.integration
AVAILABLE = PROBLEM_SETS  # every solutions/<ps>/<ps>.ipynb (tools.problem_sets)
GRADER = [sys.executable, str(REPO / "tools" / "grade_class.py")]


def _mistakes() -> dict[str, list[dict]]:
    try:
        from tests import mistakes

        return mistakes.load_all()
    except Exception:  # noqa: BLE001 - the catalogue is optional for this test
        return {}


def _course(root: Path, n: int):
    env = nbgrader_env(root)
    course = make_course(root, AVAILABLE)
    for ps in AVAILABLE:
        nbgrader(course, env, "generate_assignment", ps, "--force", "--log-level=WARN")
    cases = class_submissions(load_problem_sets(course, AVAILABLE), n, _mistakes())
    write_submissions(course, cases)
    return course, env, cases


def _scores(report: dict) -> dict:
    return {s: {ps: {g: c["score"] for g, c in e["cells"].items()} for ps, e in sets.items()}
            for s, sets in report["students"].items()}


@pytest.fixture
def workdir():
    root = Path(tempfile.mkdtemp(prefix="grade-class-test-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(not AVAILABLE, reason="no problem sets under solutions/ yet")
def test_command_line_grades_a_small_class(workdir):
    course, env, cases = _course(workdir, 4)
    bad = run([*GRADER, "--course", str(workdir), "--workers", "2"], cwd=workdir, env=env,
              check=False)
    assert bad.returncode != 0 and "nbgrader_config.py" in bad.stderr
    zero = run([*GRADER, "--course", str(course), "--workers", "0"], cwd=course, env=env,
               check=False)
    assert zero.returncode != 0 and "workers" in zero.stderr
    proc = run([*GRADER, "--course", str(course), "--workers", "2"], cwd=course, env=env)
    assert "graded 4 submissions" in proc.stdout
    report = json.loads((course / "grading-report.json").read_text())
    assert report["submissions"] == 4 and report["workers"] == 2
    for case in cases:
        entry = report["students"][case.student][case.ps]
        assert entry["status"] == "graded", entry
        if case.note == "correct":
            assert entry["score"] == entry["max_score"] > 0, entry


@pytest.mark.skipif(os.environ.get("BACKPROP_LOAD_TEST") != "1",
                    reason="load test: run `make test-load` (BACKPROP_LOAD_TEST=1)")
@pytest.mark.skipif(not AVAILABLE, reason="no problem sets under solutions/ yet")
def test_two_workers_give_exactly_the_grades_of_a_serial_run(workdir):
    n = int(os.environ.get("BACKPROP_LOAD_SUBMISSIONS", "200"))
    course, env, cases = _course(workdir / "a", n)
    twin = workdir / "b" / "course"
    shutil.copytree(course, twin)
    reports = {}
    for workers, folder in [(2, course), (1, twin)]:
        run([*GRADER, "--course", str(folder), "--workers", str(workers), "--report",
             str(workdir / f"w{workers}.json")], cwd=folder, env=env, timeout=4 * 3600)
        reports[workers] = json.loads((workdir / f"w{workers}.json").read_text())
    parallel, serial = _scores(reports[2]), _scores(reports[1])
    assert reports[2]["submissions"] == reports[1]["submissions"] == n
    differ = {(s, ps): {w: reports[w]["students"][s][ps] for w in (2, 1)}
              for s in serial for ps in serial[s] if parallel.get(s, {}).get(ps) != serial[s][ps]}
    assert not differ, f"2 workers and a serial run disagree on {len(differ)} submissions:\n" + \
        "\n".join(f"{key}: {json.dumps(entries)[:3000]}" for key, entries in differ.items())
    for case in cases:
        entry = reports[2]["students"][case.student][case.ps]
        assert entry["status"] == "graded", (case.name, case.ps, entry)
        if case.note == "correct":
            assert entry["score"] == entry["max_score"] > 0, (case.name, case.ps, entry)
        elif case.note == "untouched":
            assert entry["score"] == 0, (case.name, case.ps, entry)
    print(f"\n{n} submissions: 2 workers {reports[2]['seconds']:.0f} s, "
          f"serial {reports[1]['seconds']:.0f} s")


def test_cached_metadata_validation_still_rejects_bad_cells():
    """grade_class reuses one JSON-schema validator: a cell nbgrader rejects is still rejected."""
    import jsonschema
    import nbformat
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    grade_class._validate_metadata_once_per_schema()
    validator = MetadataValidatorV3()
    good = nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {
        "schema_version": 3, "grade": True, "solution": False, "locked": True,
        "grade_id": "t1", "points": 1, "task": False}})
    validator.validate_cell(good)
    for bad_value in ({"points": "one"}, {"grade_id": 7}, {"grade": "yes"}):
        bad = nbformat.from_dict(good)
        bad.metadata.nbgrader.update(bad_value)
        with pytest.raises(jsonschema.ValidationError):
            validator.validate_cell(bad)
