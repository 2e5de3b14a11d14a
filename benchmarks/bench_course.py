"""How long students and instructors wait: executing the notebooks and autograding one student.

Rows (seconds are medians of the repeats; targets from the performance issue):
- ``notebooks / empty kernel``: start a kernel, run an empty cell: what every notebook pays.
- ``notebooks / <name>``: execute one lecture or solution notebook top to bottom (nbclient).
- ``notebooks / all``: their sum (target <= 120 s).
- ``autograde / <ps>``: autograde one student's submission of one problem set with nbgrader
  (target <= 10 s per problem set), in a temporary course folder.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _execute(nb: nbformat.NotebookNode, cwd: Path) -> float:
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def _time_notebook(path: Path | None, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        if path is None:
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
            cwd = ROOT
        else:
            nb = nbformat.read(path, as_version=4)
            cwd = path.parent
        times.append(_execute(nb, cwd))
    return statistics.median(times)


def _row(benchmark, variant, seconds, baseline=None, ratio=None, note=""):
    return {
        "benchmark": benchmark,
        "variant": variant,
        "seconds": seconds,
        "baseline": baseline,
        "ratio": ratio,
        "note": note,
    }


def notebook_rows(size: str) -> list[dict]:
    repeats = 1 if size == "tiny" else 3
    empty = _time_notebook(None, repeats)
    rows = [_row("notebooks", "empty kernel", empty, note="kernel start + one empty cell")]
    paths = sorted(ROOT.glob("lectures/*.ipynb")) + sorted(ROOT.glob("solutions/*/*.ipynb"))
    if size == "tiny":
        paths = paths[:1]
    total = 0.0
    for path in paths:
        seconds = _time_notebook(path, repeats)
        total += seconds
        rows.append(
            _row(
                "notebooks",
                str(path.relative_to(ROOT)),
                seconds,
                "empty kernel",
                seconds / empty,
                "ratio = seconds / empty-kernel seconds",
            )
        )
    if size == "full":
        rows.append(
            _row(
                "notebooks",
                "all",
                total,
                "empty kernel",
                total / empty,
                f"target <= 120 s; {len(paths)} notebooks",
            )
        )
    return rows


def autograde_rows(size: str) -> list[dict]:
    """Autograde one student's solutions of every problem set in a throwaway course folder."""
    problem_sets = (
        sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
        if (ROOT / "solutions").exists()
        else []
    )
    if not problem_sets:
        return [_row("autograde", "none", None, note="no problem sets in solutions/")]
    if size == "tiny":
        problem_sets = problem_sets[:1]
    nbgrader = [sys.executable, "-m", "nbgrader"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        course = Path(tmp)
        shutil.copytree(ROOT / "solutions", course / "solutions")
        shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        # nbgrader runs `alembic` from PATH when it creates the gradebook: put the venv first.
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        env = dict(os.environ, HOME=str(course / "home"), PATH=path)
        subprocess.run(
            nbgrader + ["db", "student", "add", "s1"],
            cwd=course,
            env=env,
            check=True,
            capture_output=True,
        )
        for ps in problem_sets:
            subprocess.run(
                nbgrader + ["generate_assignment", ps, "--force"],
                cwd=course,
                env=env,
                check=True,
                capture_output=True,
            )
            shutil.copytree(course / "solutions" / ps, course / "submitted" / "s1" / ps)
            start = time.perf_counter()
            subprocess.run(
                nbgrader + ["autograde", ps, "--student", "s1", "--force"],
                cwd=course,
                env=env,
                check=True,
                capture_output=True,
            )
            seconds = time.perf_counter() - start
            rows.append(
                _row(
                    "autograde",
                    ps,
                    seconds,
                    None,
                    None,
                    "one student, whole nbgrader command; target <= 10 s",
                )
            )
    return rows


def run(size: str) -> list[dict]:
    if size == "tiny":
        # Kernels are already exercised by nbval and the nbgrader tests; at tiny size (what
        # `make test` runs) only the row structure is kept, so the harness never waits on a kernel.
        return [_row("notebooks", "skipped", None, note="tiny size: run `make bench` for timings")]
    return notebook_rows(size) + autograde_rows(size)
