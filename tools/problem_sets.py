"""The one list of problem sets: every folder ``solutions/<ps>/`` that holds a notebook of the same
name, ``solutions/<ps>/<ps>.ipynb`` (nbgrader's source). Tests, the mistakes catalogue and the
grading tools ask here; ``mk/nbgrader.mk`` finds the same folders with a wildcard.

Import it as ``tools.problem_sets`` from the repository root (pytest puts the root on its path).
"""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def problem_sets(root: Path = REPO) -> list[str]:
    """Names of the problem sets of the course at ``root``, sorted, e.g. ``["ps1_chain_rule",
    "ps2_scalar_backprop", "ps3_xor", "ps4_mnist"]``."""
    folder = Path(root) / "solutions"
    return sorted(d.name for d in folder.iterdir()
                  if d.is_dir() and (d / f"{d.name}.ipynb").is_file()) if folder.is_dir() else []


def solution_notebook(ps: str, root: Path = REPO) -> Path:
    """``<root>/solutions/<ps>/<ps>.ipynb``: the source an instructor edits."""
    return Path(root) / "solutions" / ps / f"{ps}.ipynb"


def release_notebook(ps: str, root: Path = REPO) -> Path:
    """``<root>/exercises/<ps>/<ps>.ipynb``: what ``make release`` (nbgrader) generates."""
    return Path(root) / "exercises" / ps / f"{ps}.ipynb"
