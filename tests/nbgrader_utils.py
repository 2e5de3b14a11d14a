"""Shared machinery for tests that drive nbgrader: temporary courses, the CLI, the gradebook.

Everything happens in a temporary course folder that holds a copy of the repository's
``nbgrader_config.py`` (so the real configuration is what gets tested) and of the problem sets it
needs; HOME, the Jupyter folders and the exchange are temporary too, so nothing lands in the real
home folder or the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from tools.problem_sets import REPO, problem_sets

BIN = Path(sys.executable).parent
NBGRADER = str(BIN / "nbgrader")
PROBLEM_SETS = problem_sets()  # every solutions/<ps>/<ps>.ipynb, discovered


# ---- environment and course folders ----------------------------------------------------------
def nbgrader_env(root: Path, **extra: str) -> dict[str, str]:
    """Environment with HOME, Jupyter/IPython/matplotlib folders and the exchange under ``root``."""
    home = root / "home"
    env = dict(os.environ)
    env.update(
        {
            "HOME": str(home),
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(home / ".matplotlib"),
            "IPYTHONDIR": str(home / ".ipython"),
            "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
            "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
            "JUPYTER_RUNTIME_DIR": str(home / ".local" / "share" / "jupyter" / "runtime"),
            "BACKPROP_EXCHANGE": str(root / "exchange"),
            "BACKPROP_DATA": str(home / "backprop-data"),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", ""),
        }
    )
    env.update(extra)
    home.mkdir(parents=True, exist_ok=True)
    return env


def make_course(root: Path, problem_sets: dict[str, Path] | list[str] | None = None) -> Path:
    """A course folder under ``root`` with the repo's config and copies of the given sources.

    ``problem_sets`` maps a name to a source folder (or lists names under the repo's solutions/).
    """
    course = root / "course"
    (course / "solutions").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    if problem_sets is None:
        problem_sets = []
    if isinstance(problem_sets, list):
        problem_sets = {ps: REPO / "solutions" / ps for ps in problem_sets}
    for name, src in problem_sets.items():
        shutil.copytree(
            src, course / "solutions" / name,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
    return course


def run(args: list[str], cwd: Path, env: dict[str, str], check: bool = True,
        timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a command; on failure the assertion shows its output."""
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited with {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
        )
    return proc


def nbgrader(course: Path, env: dict[str, str], *args: str, check: bool = True,
             cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``nbgrader <args>`` run in ``course`` (or ``cwd``) with the test environment."""
    return run([NBGRADER, *args], cwd=cwd or course, env=env, check=check)


# ---- notebooks -------------------------------------------------------------------------------
def notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def comparable_cells(path: Path) -> list[dict]:
    """Cell type, source and nbgrader metadata: what must match between two releases."""
    nb = nbformat.read(path, as_version=4)
    return [
        {
            "cell_type": cell.cell_type,
            "source": cell.source,
            "nbgrader": json.loads(json.dumps(cell.metadata.get("nbgrader", {}))),
        }
        for cell in nb.cells
    ]


def grade_cells(path: Path) -> list[dict]:
    """nbgrader metadata of every cell that carries a grade_id, with the cell type and source."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id"):
            out.append({"cell_type": cell.cell_type, "source": cell.source, **meta})
    return out


def hidden_test_lines(notebook, visible: Path | None = None, min_length: int = 12) -> list[str]:
    """Non-trivial source lines (at least ``min_length`` characters, not comments) inside
    ``### BEGIN/END HIDDEN TESTS`` blocks of a notebook (a path or an already read notebook).

    Lines that also occur in the ``visible`` notebook (the release) are left out: showing them
    gives nothing away.
    """
    shown = ""
    if visible is not None:
        shown = "\n".join(c.source for c in nbformat.read(visible, as_version=4).cells)
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(notebook, as_version=4)
    lines = []
    for cell in notebook.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) >= min_length and not line.strip().startswith("#"):
                if line.strip() not in shown:
                    lines.append(line.strip())
    return lines


def bound_names(path: Path) -> set[str]:
    """Names that the notebook's code cells bind at the top level (def, class, assignment).

    In a release, a test that meets an undefined one of these failed because the cell that binds
    it failed first (an answer still raising NotImplementedError), not because of a typo.
    """
    names: set[str] = set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            names.update(re.findall(r"^(?:def|class)\s+(\w+)", cell.source, re.M))
            for targets in re.findall(r"^([\w\s,()\[\]]+?)\s*=(?!=)", cell.source, re.M):
                names.update(re.findall(r"\w+", targets))
    return names


# ---- gradebook -------------------------------------------------------------------------------
def scores(course: Path, assignment: str) -> dict[str, dict[str, tuple[float, float]]]:
    """``{student: {grade_id: (score, max_score)}}`` for the autograded cells of an assignment."""
    from nbgrader.api import Gradebook

    out: dict[str, dict[str, tuple[float, float]]] = {}
    with Gradebook("sqlite:///" + str(course / "gradebook.db"), course_id="backprop") as gb:
        for submission in gb.assignment_submissions(assignment):
            cells = out.setdefault(submission.student_id, {})
            for nb in submission.notebooks:
                for grade in nb.grades:
                    if grade.cell.cell_type == "code":
                        score = grade.auto_score if grade.manual_score is None else grade.score
                        cells[grade.name] = (float(score or 0.0), float(grade.max_score))
    return out


# ---- a tiny throwaway problem set ------------------------------------------------------------
def _cell(kind: str, source: str, grade_id: str | None = None, *, grade=False, solution=False,
          locked=False, points=None):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    meta = {"schema_version": 3, "grade": grade, "solution": solution, "locked": locked,
            "task": False}
    if grade_id:
        meta["grade_id"] = grade_id
    if points is not None:
        meta["points"] = points
    if grade_id or locked:
        cell.metadata["nbgrader"] = meta
    return cell


def tiny_problem_set(folder: Path, name: str = "ps0_tiny") -> Path:
    """A two-question problem set with visible and hidden tests and a manually graded answer."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.cells = [
        _cell("markdown", "# Tiny problem set\nDerivatives of squares.", "intro", locked=True),
        _cell("code", "import numpy as np", "imports", locked=True),
        _cell("markdown", "**Q1.** Derive d(x²)/dx.", "q1", locked=True),
        _cell("markdown", "d(x²)/dx = 2x", "derivation", grade=True, solution=True, points=1),
        _cell("code", "def dsquare(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
              "    ### END SOLUTION", "dsquare", solution=True),
        _cell("code", "assert dsquare(3.0) == 6.0, 'dsquare(3) should be 6'\n"
              "### BEGIN HIDDEN TESTS\n"
              "assert dsquare(-1.5) == -3.0, 'secret_hidden_marker: dsquare(-1.5)'\n"
              "### END HIDDEN TESTS", "test_dsquare", grade=True, locked=True, points=2),
        _cell("code", "def dcube(x):\n    ### BEGIN SOLUTION\n    return 3 * x ** 2\n"
              "    ### END SOLUTION", "dcube", solution=True),
        _cell("code", "assert dcube(1.0) == 3.0, 'dcube(1) should be 3'",
              "test_dcube", grade=True, locked=True, points=1),
    ]
    for i, cell in enumerate(nb.cells):
        cell.id = f"{name}-{i}"  # stable ids: two copies are byte-for-byte equal
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path
