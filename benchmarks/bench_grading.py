"""How long autograding a class takes with tools/grade_class.py: before and after the bytecode fix,
with and without the kernel pool.

A generated class (tests/hostile/corpus.py ``class_submissions``: solutions, untouched releases
and typical mistakes, every student submitting every problem set) is graded with 2 workers three
times, back to back, on three copies of one course: first as before this round (``no bytecode``:
every process of the run reads ``.pyc`` files from an empty folder and writes none, so it compiles
every module it imports, which is what happened in CI, where PYTHONDONTWRITEBYTECODE is set, and
in every grading kernel, whose uid may not write into the venv); then as today (the bytecode the
set-up writes, each grading kernel started when its notebook runs, the default); then with the
pool of pre-started kernels (``--kernel-pool``: ``KernelPool`` in
tools/grader_kernel/nbgrader_hooks.py). Rows:

- ``grading / per submission, 2 workers, <variant>``: wall seconds per submission (grade_class's
  whole run / submissions); ``ratio`` is the "before" time / this variant's time.

2026-12-02 10:55 UTC (load average about 2.5 from other work), 40 submissions: before 2.362 s
per submission, today 1.157 s (ratio 2.04), with the pool 1.174 s (2.01); 800 submissions
extrapolated: 1890 s, 926 s, 939 s.

The figures below are from before the bytecode fix; the pool's gain was measured then.
- ``grading / class of 800, 2 workers, ...``: 200 students x 4 problem sets, extrapolated from
  the rate above (target: at most 900 s on the 2-core machine). ``ratio`` = 900 / that time.

Where a submission's time goes (2026-12-02, the 2-core machine *shared with about five other
workers*, load average 3-4 during these runs, so absolute times are about twice those of a quiet
day; compare within a run). One grading process, in-process ``NbGraderAPI.autograde`` of 8
submissions (2 students x problem sets 1-4), two rounds alternating no pool / pool, seconds per
submission:

=========================================  ===========  ===========  ==============
                                           no pool, r1  no pool, r2  pool (warm), r2
=========================================  ===========  ===========  ==============
whole submission                              4.72         5.51         3.17
kernel: wait until it answers (start-up)      1.91         2.48         0.22
kernel: Popen of launch.py                    0.06         0.02         (in take) 0.02
kernel: shutdown, wait for the launcher       0.56         0.79         0.11 (+0.003)
the cells (kernel busy)                       1.48         1.72         2.11
nbgrader's own work (the rest)                0.71         0.50         0.71
  of which saving scores / tamper screen      0.32 / 0.05  0.09 / 0.10  0.14 / 0.09
=========================================  ===========  ===========  ==============

(The pool's first round, with half its kernels still cold, took 4.29 s.) In the kernel's
start-up, measured as separate ``python -s -P -c`` processes at the same time (medians of 5):
an empty interpreter 0.08 s, ``import ipykernel.kernelapp`` (IPython) 1.54 s, ``import numpy``
0.55 s, ``import helpers.grading`` (numpy included) 0.87 s. So importing ipykernel is most of
the 1.9-2.5 s start-up; the launcher and the sandbox (scratch folder, data copy, mount namespace,
uid switch) are the remaining ~0.4-0.9 s (derived, not timed separately); numpy and helpers are
imported by the first cell and count under "the cells". Under a heavier load (load average 7-16),
cProfile of the same 8 submissions gave 10.4 s each: ~4.5 s waiting for the kernel, ~1.1 s for
its shutdown, ~2.8 s of cells, ~2 s of nbgrader (gradebook writes through SQLAlchemy ~0.6 s,
``init_assignment`` ~0.5 s).

The pool removes the start-up and shutdown waits from the path (the next kernel starts while the
current notebook runs; a used kernel's exit overlaps with nbgrader's work); the cells get slower
by the CPU the starting kernel takes. With one grading process that is a clear gain (above:
5.51 to 3.17 s); with 2 workers on 2 cores the processors are already busy, and the gain is not
reliable. ``make bench`` (40 submissions, 2 workers, both paths in the same run), twice on
2026-12-02: at 07:28-07:34 UTC (load average rising from ~4 to ~30 during the pool's part) no
pool 4.31 s per submission (172 s), pool 3.54 s (142 s), ratio 1.22, a class of 800
extrapolated to 3444 s and 2833 s; at 07:48-07:54 UTC (load average 2-7) no pool 2.663 s, pool
2.651 s, ratio 1.00, 2131 s and 2121 s for 800. So ``tools/grade_class.py`` leaves the pool off
unless asked (``--kernel-pool``). Not cut: importing ipykernel and numpy in each kernel (a
pre-forked "zygote" that has imported them would save that CPU, which is what 2 workers need),
nbgrader's per-submission gradebook work.

Earlier figures (2026-12-01, nothing else running): 40 submissions, 1 worker 3.57 s, 2 workers
2.01 s per submission; 200 submissions with 2 workers 388 s (1.94 s each).

``size="tiny"``: 2 submissions of the first problem set, 2 workers, pool only (checks that it
works). ``size="full"``: 40 submissions, both paths.
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


def _grade(course: Path, workers: int, kernel_pool: bool, bytecode: bool = True) -> float:
    """Seconds grade_class takes for the whole course (its own figure, in its report).

    ``bytecode=False`` replays the set-up before bytecode was written at install: every Python
    process of the run (grade_class, nbgrader, the grading kernels) looks for ``.pyc`` files in
    an empty folder (``PYTHONPYCACHEPREFIX``) and may write none, so it compiles every module
    it imports from source, as it did in CI, where PYTHONDONTWRITEBYTECODE is set.
    """
    from nbgrader_utils import nbgrader_env

    env = nbgrader_env(course.parent)
    if not bytecode:
        empty = course.parent / "no-pycache"
        empty.mkdir(exist_ok=True)
        env.update(PYTHONPYCACHEPREFIX=str(empty), PYTHONDONTWRITEBYTECODE="1")
    report = course.parent / f"report-{workers}-{int(kernel_pool)}-{int(bytecode)}.json"
    subprocess.run([sys.executable, str(ROOT / "tools" / "grade_class.py"), "--course",
                    str(course), "--workers", str(workers), "--report", str(report),
                    "--kernel-pool" if kernel_pool else "--no-kernel-pool"],
                   cwd=course, env=env, check=True, capture_output=True, text=True)
    return float(json.loads(report.read_text())["seconds"])


# (label, kernel pool, bytecode): the baseline first, then today's default, then the pool
VARIANTS = [
    ("no pool, no bytecode (before)", False, False),
    ("no pool", False, True),
    ("kernel pool", True, True),
]
BASELINE = VARIANTS[0][0]


def run(size: str) -> list[dict]:
    n = {"tiny": 2, "full": 40}[size]
    variants = VARIANTS if size == "full" else VARIANTS[2:]
    root = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    rows = []
    per = {}
    try:
        course = _course(n, root / "v0", first_only=size == "tiny")
        # each variant on its own copy of the class, all copied before any is graded; then
        # graded back to back
        folders = [course]
        for i in range(1, len(variants)):
            folders.append(root / f"v{i}" / "course")
            shutil.copytree(course, folders[-1])
        for folder, (label, pool, bytecode) in zip(folders, variants):
            seconds = _grade(folder, 2, pool, bytecode)
            per[label] = seconds / n
            against = label != BASELINE and BASELINE in per
            rows.append(_row("grading", f"per submission, 2 workers, {label}",
                             round(per[label], 3),
                             f"per submission, 2 workers, {BASELINE}" if against else None,
                             round(per[BASELINE] / per[label], 2) if against else None,
                             f"{n} submissions in {seconds:.1f} s"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for label, seconds in per.items():
        whole = seconds * CLASS
        rows.append(_row("grading", f"class of 800, 2 workers, {label}",
                         round(whole, 1), None, round(TARGET_SECONDS / whole, 2),
                         "200 students x 4 problem sets, extrapolated; ratio = 900 s target / "
                         "time"))
    return rows
