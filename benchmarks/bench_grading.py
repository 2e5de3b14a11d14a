"""How long autograding a class takes with tools/grade_class.py (sandboxed kernel, tamper screen).

A generated class (tests/hostile/corpus.py ``class_submissions``: solutions, untouched releases
and typical mistakes, every student submitting every problem set) is graded in a temporary copy of
the course with 1 and 2 workers. Rows:

- ``grading / per submission, N workers``: wall seconds per submission (whole run / submissions).
- ``grading / class of 800, 2 workers``: 200 students x 4 problem sets, extrapolated from the
  2-worker rate (target: at most 900 s on the 2-core machine). ``ratio`` = 900 / that time.

Measured on the 2-core machine (2026-12-01, nothing else running, problem sets 1-4, sandboxed
kernel and tamper screen on; ``make bench`` and ``make test-load``):

- 40 submissions: 1 worker 3.57 s per submission, 2 workers 2.01 s (1.78x).
- 200 submissions (50 students x 4 sets, ``make test-load``): 2 workers 388 s (1.94 s per
  submission), serial 848 s (4.24 s); identical grades.
- So a class of 200 x 4 = 800 takes about 26-27 minutes with 2 workers: *over* the 15-minute
  target. Per submission (ps1, one worker): ~1.2 s to start the sandboxed kernel, ~0.6 s of
  nbgrader in the grading process, the cells (ps4's training ~1.4 s). Already removed: importing
  matplotlib in the graded kernel (``helpers`` loads ``plots`` lazily, -0.8 s) and nbgrader
  re-checking its metadata schema for every cell (``tools/grade_class.py``, -0.5 s).

``size="tiny"``: 2 submissions of the first problem set, 2 workers (checks that it works).
``size="full"``: 40 submissions per worker count (the load test, ``make test-load``, grades 200
twice).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

TARGET_SECONDS = 900.0
CLASS = 800


def _row(benchmark, variant, seconds, baseline=None, ratio=None, note=""):
    return {"benchmark": benchmark, "variant": variant, "seconds": seconds,
            "baseline": baseline, "ratio": ratio, "note": note}


def _course(n: int, root: Path, first_only: bool = False) -> Path:
    """A course with ``n`` generated submissions (tests/hostile/corpus.py) under ``root``."""
    from hostile.corpus import class_submissions, load_problem_sets, write_submissions
    from nbgrader_utils import PROBLEM_SETS, make_course, nbgrader, nbgrader_env, notebooks

    available = [ps for ps in PROBLEM_SETS if notebooks(ROOT / "solutions" / ps)]
    if first_only:
        available = available[:1]
    env = nbgrader_env(root)
    course = make_course(root, available)
    for ps in available:
        nbgrader(course, env, "generate_assignment", ps, "--force", "--log-level=WARN")
    try:
        import mistakes

        catalogue = mistakes.load_all()
    except Exception:  # noqa: BLE001 - optional
        catalogue = {}
    write_submissions(course, class_submissions(load_problem_sets(course, available), n,
                                                catalogue))
    return course


def _grade(course: Path, workers: int, kernel_pool: bool) -> float:
    """Seconds grade_class takes for the whole course (its own figure, in its report)."""
    from nbgrader_utils import nbgrader_env

    env = nbgrader_env(course.parent)
    report = course.parent / f"report-{workers}-{int(kernel_pool)}.json"
    subprocess.run([sys.executable, str(ROOT / "tools" / "grade_class.py"), "--course",
                    str(course), "--workers", str(workers), "--report", str(report),
                    *([] if kernel_pool else ["--no-kernel-pool"])],
                   cwd=course, env=env, check=True, capture_output=True, text=True)
    return float(json.loads(report.read_text())["seconds"])


def run(size: str) -> list[dict]:
    n = {"tiny": 2, "full": 40}[size]
    root = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    rows = []
    per = {}
    try:
        course = _course(n, root / "a", first_only=size == "tiny")
        twin = root / "b" / "course"
        shutil.copytree(course, twin)
        # the old path first, then the pool, back to back, each on its own copy of the class
        for pool, folder in ((False, course), (True, twin)) if size == "full" else ((True, twin),):
            seconds = _grade(folder, 2, pool)
            per[pool] = seconds / n
            variant = f"per submission, 2 workers, {'kernel pool' if pool else 'no pool'}"
            against = pool and False in per
            rows.append(_row("grading", variant, round(per[pool], 3),
                             "per submission, 2 workers, no pool" if against else None,
                             round(per[False] / per[True], 2) if against else None,
                             f"{n} submissions in {seconds:.1f} s"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for pool in sorted(per):
        whole = per[pool] * CLASS
        label = "kernel pool" if pool else "no pool"
        rows.append(_row("grading", f"class of 800, 2 workers, {label}",
                         round(whole, 1), None, round(TARGET_SECONDS / whole, 2),
                         "200 students x 4 problem sets, extrapolated; ratio = 900 s target / "
                         "time"))
    return rows
