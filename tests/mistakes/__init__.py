"""Catalogues of typical mistakes in the problem sets, one module per problem set.

Each module ``tests/mistakes/<ps>.py`` (e.g. ``ps1_chain_rule.py``) defines

    PS: str                  the problem set, e.g. "ps1_chain_rule" (its notebook is
                             solutions/<PS>/<PS>.ipynb)
    MISTAKES: list[dict]     one dict per mistaken submission, with exactly these keys:
        "name"               str, unique within the module, e.g. "dLdw_missing_sigma_prime"
        "grade_id"           str, the grade_id of the solution cell (nbgrader metadata) whose
                             source the student's submission replaces
        "source"             str, the student's full source of that cell, with the mistake (no
                             ### BEGIN/END SOLUTION lines: what a student would have typed)
        "expected_failing"   list[str], grade_ids of the autograded test cells that must fail
                             (score 0) with this submission; every other test cell must pass
        "feedback_keywords"  list[str], words the feedback must contain: each keyword is a
                             case-sensitive substring of the error output (ename + evalue) of at
                             least one of the expected_failing cells, e.g. "sign". (A later cell
                             may fail as a consequence, e.g. training with a wrong gradient, with
                             numpy's own error; the keywords are about the gradient's cell.)

A submission is the solution notebook with that one cell's source replaced (all other solution
cells keep the reference solution). The sources are built from the reference solution with a
small textual edit (``make(old, new)`` below asserts that ``old`` occurs), so a change to the
notebook that makes a mistake stale fails loudly instead of silently testing nothing.

``ALL`` maps each problem set to its list.
"""
from __future__ import annotations

import importlib

import nbformat

from tools.problem_sets import problem_sets, solution_notebook

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def cell_source(ps: str, grade_id: str) -> str:
    """Source of the answer cell ``grade_id`` of ``solutions/<ps>/<ps>.ipynb`` without the solution
    delimiters: what a student who found the reference answer would have typed."""
    nb = nbformat.read(solution_notebook(ps), as_version=4)
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return "\n".join(line for line in c.source.splitlines()
                             if line.strip() not in SOLUTION_MARKERS)
    raise KeyError(f"{ps} has no cell {grade_id!r}")


def make(ps: str, name: str, grade_id: str, old: str, new: str, failing: list[str],
         keywords: list[str], count: int = 1) -> dict:
    """A mistake: the reference source of ``grade_id`` with ``old`` replaced by ``new``."""
    src = cell_source(ps, grade_id)
    if src.count(old) != count:
        raise ValueError(f"{ps}/{name}: {old!r} occurs {src.count(old)} times in {grade_id}, "
                         f"expected {count}")
    return {"name": name, "grade_id": grade_id, "source": src.replace(old, new),
            "expected_failing": list(failing), "feedback_keywords": list(keywords)}


def load_all() -> dict[str, list[dict]]:
    """``{ps: MISTAKES}`` for the problem sets (tools.problem_sets) whose catalogue exists."""
    out = {}
    for ps in problem_sets():
        try:
            mod = importlib.import_module(f"tests.mistakes.{ps}")
        except ModuleNotFoundError as e:
            if e.name != f"tests.mistakes.{ps}":
                raise
            continue
        out[ps] = mod.MISTAKES
    return out
