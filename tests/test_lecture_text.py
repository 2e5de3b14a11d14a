"""What a student reads in a lecture: no test-harness markers in the cells.

nbval's markers (``# NBVAL_IGNORE_OUTPUT`` and friends) work as comments, but a comment is part of
the cell a student reads. nbval 0.11 reads the same markers from cell tags
(``nbval-ignore-output``, ``nbval-skip``, ``nbval-check-output``, ``nbval-raises-exception`` or
``raises-exception``), which JupyterLab keeps out of sight; in the ``.py`` twin a tag is written in
the cell header, ``# %% tags=["nbval-ignore-output"]``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "lectures").glob("*.ipynb"))
NBVAL_COMMENT = re.compile(r"NBVAL_|PYTEST_VALIDATE_")
NBVAL_TAGS = {"nbval-ignore-output", "nbval-check-output", "nbval-skip", "nbval-raises-exception",
              "raises-exception"}


def marker_comments(nb) -> list[str]:
    """'cell <id>: <line>' for every cell line that carries an nbval marker."""
    return [f"cell {cell.get('id')}: {line.strip()}" for cell in nb.cells
            for line in cell.source.splitlines() if NBVAL_COMMENT.search(line)]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_cell_shows_an_nbval_marker(notebook: Path):
    found = marker_comments(nbformat.read(notebook, as_version=4))
    assert not found, (f"{notebook.name}: nbval markers in what students read ({found}); use the "
                       "cell tag instead, e.g. `# %% tags=[\"nbval-ignore-output\"]` in the .py")


def test_widget_cells_are_tagged_instead():
    """The markers moved to tags: every lecture that shows a widget tags its cell (nbval cannot
    compare a widget's view), and every tag used is one nbval knows."""
    for notebook in NOTEBOOKS:
        nb = nbformat.read(notebook, as_version=4)
        tags = {t for c in nb.cells for t in c.metadata.get("tags", [])}
        assert tags <= NBVAL_TAGS | {"hide-input", "hide-output", "remove-input"}, tags
        widget_cells = [c for c in nb.cells if c.cell_type == "code" and any(
            "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.outputs)]
        for cell in widget_cells:
            assert "nbval-ignore-output" in cell.metadata.get("tags", []), \
                f"{notebook.name} cell {cell.id} shows a widget without the nbval-ignore-output tag"


def test_a_marker_comment_is_found():
    """The check can fail: a cell with the comment is reported."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nx = 1")])
    assert marker_comments(nb) == [f"cell {nb.cells[0].id}: # NBVAL_IGNORE_OUTPUT"]


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_cell_links_the_notation_page(notebook: Path):
    first = nbformat.read(notebook, as_version=4).cells[0].source
    links = {(notebook.parent / target).resolve() for target in LINK.findall(first)}
    linked = (ROOT / "docs" / "notation.md").resolve() in links
    assert linked, f"{notebook.name}: the first cell must link ../docs/notation.md"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_relative_links_resolve(notebook: Path):
    nb = nbformat.read(notebook, as_version=4)
    targets = [t for c in nb.cells if c.cell_type == "markdown" for t in LINK.findall(c.source)
               if "://" not in t and not t.startswith("mailto:")]
    broken = [t for t in targets if not (notebook.parent / t).exists()]
    assert not broken, f"{notebook.name} links to missing files {broken}"
