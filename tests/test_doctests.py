"""Every docstring example of ``helpers`` runs and shows what it claims.

The docstrings are what a student reads first (``help(...)``, ``?`` in Jupyter), so an example
that prints a wrong number teaches a wrong number. Each module of the package is searched with
``doctest`` and each example is run as a student would run it: in a namespace whose ``__name__``
is ``"__main__"`` (functions it defines belong to the student, not to the module), with the
module's names available, ``...`` allowed in expected output.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import types
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import helpers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["helpers"] + sorted(m.name for m in pkgutil.walk_packages(helpers.__path__, "helpers."))


class _IgnoringTerminalCodes(doctest.OutputChecker):
    """Outside a notebook, ``Output.clear_output`` writes the terminal codes ESC [2K CR (clear
    the line): they are not output of the example."""

    def check_output(self, want, got, optionflags):
        got = re.sub("\x1b\\[2K\r?", "", got)
        return super().check_output(want, got if got.strip() else "", optionflags)


def run_examples(module: types.ModuleType) -> tuple[doctest.TestResults, str]:
    """Run every docstring example of ``module``; (failed and attempted counts, the report)."""
    report: list[str] = []
    runner = doctest.DocTestRunner(checker=_IgnoringTerminalCodes(), verbose=False,
                                   optionflags=doctest.ELLIPSIS)
    finder = doctest.DocTestFinder(exclude_empty=True)
    try:
        for test in finder.find(module, module.__name__, extraglobs={"__name__": "__main__"}):
            runner.run(test, out=report.append)
    finally:
        plt.close("all")
    return runner.summarize(verbose=False), "".join(report)


def test_every_module_is_searched():
    """The list covers the package's modules, the widget subpackage included."""
    assert {"helpers.autograd", "helpers.layers", "helpers.gradcheck", "helpers.plots",
            "helpers.network", "helpers.data", "helpers.grading",
            "helpers.widgets.graph_stepper"} <= set(MODULES), MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_show_what_they_claim(name):
    module = importlib.import_module(name)
    result, report = run_examples(module)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} fail:\n{report}"
    source = module.__loader__.get_source(name) or ""
    if ">>>" in source:
        assert result.attempted > 0, f"{name} has examples that doctest did not find"


def test_a_wrong_example_is_reported():
    """The check can fail: an example claiming a wrong number is counted and reported."""
    module = types.ModuleType("wrong_example")
    module.__doc__ = ">>> round(0.1 + 0.2, 4)\n0.3\n>>> 2 + 2\n5\n"
    result, report = run_examples(module)
    assert result == (1, 2) and "Expected:\n    5" in report, report


def test_notation_page_examples_hold():
    """docs/notation.md states the shapes, the bias's column sums, where 1/N goes and how the
    column-vector form converts, each with an example checked against finite differences."""
    page = ROOT / "docs" / "notation.md"
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS,
                              verbose=False, report=True, encoding="utf-8")
    assert result.attempted >= 15 and result.failed == 0, result
