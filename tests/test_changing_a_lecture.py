"""The instructor guide's "Changing a lecture", followed in a temporary copy of the course.

Two ways to change one sentence of lecture 3, each one edit of one file and no command:

- in JupyterLab: jupytext's contents manager (what JupyterLab saves through) writes both files of
  the pair; nothing else to do;
- in a text editor, the .py only: ``make test`` syncs the pair first (text only, nothing executed)
  and its checks pass (integration test: it runs nbval on lecture 3).

Either way the notebook then shows the new sentence and keeps every output it had.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
OLD = "Now we put the pieces together into the object the whole field is named after:"
NEW = "Now we assemble the pieces into the object the whole field is named after:"


def lecture3(root: Path) -> Path:
    return sorted((root / "lectures").glob("03_*.ipynb"))[0]


def code_outputs(notebook: Path):
    nb = nbformat.read(notebook, as_version=4)
    return [(c.source, c.execution_count, c.outputs) for c in nb.cells if c.cell_type == "code"]


def copy_course(dest: Path, lectures=("03_*",), tests=()) -> Path:
    """The files `make test` needs for the chosen lectures and test modules (mtimes kept): the
    make files, the folders its lint step reads, the chosen lectures and tests."""
    for name in ("Makefile", "pyproject.toml", "jupytext.toml"):
        shutil.copy2(ROOT / name, dest / name)
    caches = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "results", "node_modules")
    linted = re.search(r"ruff check (.+)", (ROOT / "Makefile").read_text()).group(1).split()
    for sub in ["mk", *(d for d in linted if d not in ("tests", "lectures"))]:
        shutil.copytree(ROOT / sub, dest / sub, ignore=caches)
    for sub in ("lectures", "tests"):
        (dest / sub).mkdir()
    for pattern in lectures:
        for f in (ROOT / "lectures").glob(pattern):
            shutil.copy2(f, dest / "lectures" / f.name)
    for name in ("conftest.py", "nbval_sanitize.cfg", *tests):
        shutil.copy2(ROOT / "tests" / name, dest / "tests" / name)
    return dest


def test_the_sentence_is_in_lecture_3():
    assert OLD in lecture3(ROOT).with_suffix(".py").read_text()
    assert any(OLD in c.source for c in nbformat.read(lecture3(ROOT), as_version=4).cells)


def test_saving_in_jupyterlab_writes_both_files_and_keeps_the_outputs(tmp_path):
    from jupytext import TextFileContentsManager

    course = copy_course(tmp_path)
    before = code_outputs(lecture3(course))
    manager = TextFileContentsManager(root_dir=str(course))
    path = f"lectures/{lecture3(course).name}"
    model = manager.get(path)
    cells = model["content"]["cells"]
    edited = [c for c in cells if c["cell_type"] == "markdown" and OLD in c["source"]]
    assert len(edited) == 1
    edited[0]["source"] = edited[0]["source"].replace(OLD, NEW)
    manager.save(model, path)

    py, ipynb = lecture3(course).with_suffix(".py"), lecture3(course)
    assert NEW in py.read_text() and OLD not in py.read_text()
    assert [c.source for c in jupytext.read(ipynb).cells] == \
        [c.source for c in jupytext.read(py).cells]
    assert any(NEW in c.source for c in nbformat.read(ipynb, as_version=4).cells)
    assert code_outputs(ipynb) == before


@pytest.mark.integration
def test_editing_a_sentence_of_the_py_needs_no_command_before_make_test(tmp_path):
    """The guide: edit the .py (one file), run the tests with `make test`: they pass, and the
    notebook shows the new sentence with all its outputs, nothing re-executed."""
    course = copy_course(tmp_path, tests=("test_lecture_pairs.py",))
    py, ipynb = lecture3(course).with_suffix(".py"), lecture3(course)
    before = code_outputs(ipynb)
    py.write_text(py.read_text().replace(OLD, NEW))    # the one edit

    venv = Path(sys.prefix)
    result = subprocess.run(
        ["make", "-o", f"{venv}/.installed-stamp", f"VENV={venv}", "test"],
        cwd=course, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # the fast tier runs on xdist workers, whose summary names no files: count what passed
    passed = re.search(r"(\d+) passed", result.stdout)
    code_cells = sum(c.cell_type == "code" for c in nbformat.read(ipynb, as_version=4).cells)
    pair_tests = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "tests/test_lecture_pairs.py"], cwd=course, capture_output=True, text=True).stdout
    n_pair = len([ln for ln in pair_tests.splitlines() if "::" in ln])
    assert n_pair > 0, pair_tests
    assert passed and int(passed.group(1)) >= code_cells + n_pair, \
        f"nbval of lecture 3 ({code_cells} cells) and the pair checks ({n_pair}) did not " \
        f"all run: {result.stdout[-2000:]}"

    nb = nbformat.read(ipynb, as_version=4)
    assert any(NEW in c.source for c in nb.cells if c.cell_type == "markdown")
    assert not any(OLD in c.source for c in nb.cells)
    assert code_outputs(ipynb) == before, "the prose edit changed or re-ran code cells"
    assert NEW in py.read_text()


def test_inserting_a_cell_keeps_every_other_cell_id(tmp_path):
    """Cell ids are not positions: a cell added to the .py gets a new id after the sync, and every
    other cell keeps its id and outputs (what `make lectures-sync` runs)."""
    from jupytext.cli import jupytext as jupytext_cli

    course = copy_course(tmp_path)
    py, ipynb = lecture3(course).with_suffix(".py"), lecture3(course)
    before = nbformat.read(ipynb, as_version=4)
    text = py.read_text()
    first_code = text.index("\n# %%\n")
    py.write_text(text[:first_code] + "\n# %% [markdown]\n# A new paragraph.\n" + text[first_code:])
    jupytext_cli(["--sync", "--quiet", str(py)])

    after = nbformat.read(ipynb, as_version=4)
    assert len(after.cells) == len(before.cells) + 1
    new = [c for c in after.cells if c.source == "A new paragraph."]
    assert len(new) == 1 and new[0].id not in {c.id for c in before.cells}
    kept = [c for c in after.cells if c.source != "A new paragraph."]
    assert [c.id for c in kept] == [c.id for c in before.cells]
    assert [c.get("outputs") for c in kept] == [c.get("outputs") for c in before.cells]
