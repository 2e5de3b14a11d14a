"""Tests of the shape of helpers.widgets: one module per subject, imports only downwards, every
name a lecture calls still there, and every docstring example runs."""

import ast
import doctest
import importlib
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import widgets  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("descent", "graph_stepper", "xor_network", "mnist")
# what a widget module may import from helpers: the modules below it
BELOW = {"layers", "data", "plots", "autograd", "gradcheck", "network"}


def _helpers_imports(path: Path) -> set[str]:
    """The helpers modules a file imports (relative or absolute), e.g. {"layers", "widgets"}."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level and path.parent.name == "widgets":
                parts = module.split(".") if node.level == 2 else ["widgets", *module.split(".")]
            elif node.level:
                parts = module.split(".") if module else []
            elif module.startswith("helpers"):
                parts = module.split(".")[1:]
            else:
                continue
            if parts and parts[0]:
                found.add(parts[0])
            else:   # "from . import a, b" / "from .. import a"
                found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("helpers.")}
    return found


def test_one_module_per_subject_each_saying_its_idea():
    files = sorted(p.stem for p in (ROOT / "helpers" / "widgets").glob("*.py"))
    assert files == sorted(["__init__", *MODULES])
    for name in MODULES:
        module = importlib.import_module(f"helpers.widgets.{name}")
        assert module.__doc__ and len(module.__doc__.split()) > 10, name
        for public in module.__all__:
            assert getattr(widgets, public) is getattr(module, public), public
            assert getattr(module, public).__doc__, f"{name}.{public} has no docstring"
    names = [n for m in MODULES for n in importlib.import_module(f"helpers.widgets.{m}").__all__]
    assert sorted(widgets.__all__) == sorted(names) and len(set(names)) == len(names)


@pytest.mark.parametrize("name", MODULES)
def test_widget_modules_import_only_downwards(name):
    imported = _helpers_imports(ROOT / "helpers" / "widgets" / f"{name}.py")
    assert imported <= BELOW, f"helpers.widgets.{name} imports {sorted(imported - BELOW)}"


def test_nothing_below_imports_widgets():
    for path in sorted((ROOT / "helpers").glob("*.py")):
        if path.name != "__init__.py":
            assert "widgets" not in _helpers_imports(path), path.name
    assert "widgets" not in _helpers_imports(ROOT / "helpers" / "__init__.py")


def test_every_widget_name_a_lecture_calls_exists():
    used = set()
    for nb in sorted((ROOT / "lectures").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                used |= set(re.findall(r"\bwidgets\.(\w+)", "".join(cell["source"])))
    assert used, "no lecture calls helpers.widgets: is the pattern still right?"
    missing = sorted(n for n in used if not hasattr(widgets, n))
    assert not missing, f"the lectures call widgets.{missing}, which helpers.widgets lacks"


class _IgnoringTerminalCodes(doctest.OutputChecker):
    """Outside a notebook, ``Output.clear_output`` writes the terminal codes ESC [2K CR (clear
    the line): they are not output of the example."""

    def check_output(self, want, got, optionflags):
        got = re.sub("\x1b\\[2K\r?", "", got)
        return super().check_output(want, got if got.strip() else "", optionflags)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"helpers.widgets.{name}")
    runner = doctest.DocTestRunner(checker=_IgnoringTerminalCodes(), verbose=False,
                                   optionflags=doctest.ELLIPSIS)
    try:
        for test in doctest.DocTestFinder().find(module):
            runner.run(test)
    finally:
        plt.close("all")
    result = runner.summarize(verbose=False)
    assert result.attempted > 0 and result.failed == 0, result
