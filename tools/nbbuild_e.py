"""Small shared helpers for tools/build_lecture_01.py and tools/build_lecture_02.py.

Build a notebook from a list of ("md" | "code", source) cells with nbformat, execute it with
nbclient in a throw-away HOME (so nothing lands in the real home folder), and write it with
its outputs.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def md(text: str):
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(text: str):
    return nbformat.v4.new_code_cell(textwrap.dedent(text).strip("\n"))


def build(cells, out: Path, *, execute: bool = True, timeout: int = 300) -> Path:
    """Write ``cells`` as a notebook to ``out``, executed top to bottom when ``execute``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):  # stable ids keep diffs between builds small
        cell["id"] = f"{out.stem[:2]}-{i:03d}"
    if execute:
        with tempfile.TemporaryDirectory(prefix="build-lecture-") as home:
            env = {"HOME": home, "IPYTHONDIR": os.path.join(home, ".ipython"),
                   "MPLCONFIGDIR": os.path.join(home, ".mpl"),
                   "JUPYTER_CONFIG_DIR": os.path.join(home, ".jupyter"),
                   "JUPYTER_DATA_DIR": os.path.join(home, ".jupyter-data"),
                   "JUPYTER_RUNTIME_DIR": os.path.join(home, ".jupyter-runtime"),
                   "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
            old = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                NotebookClient(nb, timeout=timeout, kernel_name="python3",
                               resources={"metadata": {"path": str(out.parent)}}).execute()
            finally:
                for k, v in old.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
    for cell in nb.cells:  # execution timestamps only make diffs between builds noisy
        cell.metadata.pop("execution", None)
    nbformat.validate(nb)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return out
