"""Every lecture is a jupytext pair, in sync, committed executed top to bottom.

A lecture is ``lectures/NN_name.ipynb`` (what students open: cells and outputs) paired with
``lectures/NN_name.py`` (the same cells as jupytext py:percent text, for diffs and text editors);
``jupytext.toml`` declares the pairing. nbval (``make test``) re-runs every lecture and compares its
outputs; these tests check what nbval does not: that the two files of a pair hold the same cells,
and that the notebook was executed top to bottom with nothing volatile left in it.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_config

ROOT = Path(__file__).resolve().parents[1]
LECTURES = ROOT / "lectures"
NOTEBOOKS = sorted(LECTURES.glob("*.ipynb"))
TWINS = sorted(LECTURES.glob("*.py"))


def cells(path: Path) -> list[tuple[str, str]]:
    """(cell type, source) of every cell, as jupytext reads the file (.ipynb or .py)."""
    return [(c.cell_type, c.source) for c in jupytext.read(path).cells]


def differences(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> list[str]:
    """Readable differences between two cell lists (empty when they are the same)."""
    if len(a) != len(b):
        return [f"{len(a)} cells against {len(b)}"] + differences(a[:min(len(a), len(b))],
                                                                  b[:min(len(a), len(b))])
    return [f"cell {i}: {x[0]} {x[1][:60]!r}... against {y[0]} {y[1][:60]!r}..."
            for i, (x, y) in enumerate(zip(a, b)) if x != y]


def test_there_are_lectures():
    assert NOTEBOOKS and all(re.fullmatch(r"\d\d_\w+", p.stem) for p in NOTEBOOKS), NOTEBOOKS


def test_every_lecture_has_its_pair():
    stems = lambda paths: {p.stem for p in paths}
    assert stems(NOTEBOOKS) - stems(TWINS) == set(), "notebooks without a .py twin"
    assert stems(TWINS) - stems(NOTEBOOKS) == set(), ".py files without a notebook"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_pair_holds_the_same_cells(notebook: Path):
    found = differences(cells(notebook), cells(notebook.with_suffix(".py")))
    assert not found, (f"{notebook.name} and its .py differ ({'; '.join(found[:3])}). Saving in "
                       "JupyterLab writes both; after editing one file elsewhere, `make "
                       "lectures-sync` (or `make test`, which runs it first) updates the other.")


def test_the_pair_check_sees_a_changed_sentence(tmp_path):
    """The check above can fail: one changed word in a markdown cell of the .py is a difference."""
    py = sorted(LECTURES.glob("03_*.py"))[0]
    text = py.read_text()
    sentence = re.search(r"^# XOR is the smallest problem", text, re.MULTILINE)
    assert sentence, "lecture 3 no longer has the sentence this test edits"
    edited = tmp_path / py.name
    edited.write_text(text.replace("XOR is the smallest problem", "XOR is the tiniest problem"))
    found = differences(cells(py.with_suffix(".ipynb")), cells(edited))
    assert len(found) == 1 and "markdown" in found[0], found


def test_pairing_is_declared_for_lectures_only():
    """jupytext.toml pairs lectures/*.ipynb with py:percent, and not nbgrader's notebooks."""
    config = load_jupytext_config(str(LECTURES / "01_chain_rule.ipynb"))
    assert config is not None, "no jupytext configuration found"
    formats = config.default_formats(str(LECTURES / "01_chain_rule.ipynb"))
    assert formats and "py:percent" in formats and "ipynb" in formats, formats
    for other in ("solutions/ps1/ps1.ipynb", "exercises/ps1/ps1.ipynb", "docs/notes.ipynb"):
        assert config.default_formats(str(ROOT / other)) is None, other


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lecture_is_executed_top_to_bottom(notebook: Path):
    """What the old build scripts made sure of: a valid notebook for the python3 kernel, every
    code cell executed once in order, no error outputs, no execution timestamps, unique ids."""
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), \
        f"{notebook.name} is not executed top to bottom: run `make notebooks`"
    errors = [o.get("ename") for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{notebook.name} has error outputs {errors}"
    timed = [c.id for c in nb.cells if "execution" in c.metadata]
    assert not timed, f"cells {timed} keep execution timestamps"
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids)), "duplicate cell ids"


def test_pytest_does_not_collect_the_twins_as_test_modules():
    """`pytest tests lectures --nbval` must only run notebooks from lectures/: no .py twin may
    match pytest's module patterns (python_files; the default, test_*.py and *_test.py)."""
    import tomllib

    ini = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    patterns = ini.get("python_files", ["test_*.py", "*_test.py"])
    patterns = patterns.split() if isinstance(patterns, str) else patterns
    collected = [p.name for p in TWINS for pat in patterns if fnmatch.fnmatch(p.name, pat)]
    assert not collected, collected
