"""The course in a real browser: JupyterLab in headless Chromium, driven as a student would.

Every lecture is restarted and run through the UI on a copy with cleared outputs; the saved result
must show every cell executed, no error and no warning, every widget rendered, and one widget
operated (a slider moved or a button pressed) must change what it shows. One problem set is run as
released (it fails with "not implemented"), then one answer is pasted in and its tests pass. The
nbgrader extension's pages open. Screenshots: build/browser-screenshots/<test>/.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from pathlib import Path

import nbformat
import pytest
from labdriver import ROOT, Lab, venv_python

# Time-outs: the default (pyproject.toml) unless a test says; method="signal" fails the test and
# lets the session's fixtures stop JupyterLab and Chromium (the "thread" method would exit).
pytestmark = [pytest.mark.browser, pytest.mark.timeout(method="signal")]

LECTURE_TIMEOUT = 300  # seconds for one lecture to run all its cells
# a whole lecture test: opening it (kernel start), the run, screenshots and a widget operated
LECTURE_TEST_TIMEOUT = LECTURE_TIMEOUT + 300
# the problem-set test: two runs of the notebook (240 s each at most) and two validations
PROBLEM_SET_TEST_TIMEOUT = 900
LECTURES = sorted(p.name for p in (ROOT / "lectures").glob("*.ipynb"))
SOLUTION_MARKERS = re.compile(r"^\s*#+ ?(BEGIN|END) SOLUTION\s*$\n?", re.MULTILINE)
NOT_IMPLEMENTED = re.compile(r"not ?implemented", re.IGNORECASE)


def _write_notebook(path: Path, cells: list[str]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


SLIDER_AND_BUTTON = [
    "import sys, helpers\nprint(sys.executable)\nprint(helpers.__file__)",
    """import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
out = w.Output()
s = w.FloatSlider(value=1.0, min=0.5, max=3.0, step=0.1, description='freq')
def draw(change=None):
    with out:
        out.clear_output(wait=True)
        x = np.linspace(0, 6, 200)
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.plot(x, np.sin(s.value * x))
        plt.show()
        print(f'freq = {s.value:.1f}')
s.observe(draw, 'value')
draw()
w.VBox([s, out])""",
    """b = w.Button(description='step')
count = w.Label('count 0')
def on_click(_):
    count.value = f'count {int(count.value.split()[1]) + 1}'
b.on_click(on_click)
w.HBox([w.Button(description='Reset'), b, count])  # Reset does nothing""",
]


def test_harness_runs_a_notebook_and_operates_a_slider(lab: Lab):
    """The machinery itself, on a notebook of ours: venv kernel, helpers importable, widgets."""
    rel = "_selftest/slider.ipynb"
    _write_notebook(lab.server.root / rel, SLIDER_AND_BUTTON)
    lab.open_notebook(rel)
    result = lab.run_and_check(rel)
    lab.screenshot_notebook("run")
    assert not result.errors and not result.not_executed, (result.errors, result.not_executed)
    printed = result.notebook.cells[0].outputs[0].text.split()
    assert printed[0] == venv_python(), f"the kernel is not the project's python: {printed[0]}"
    assert Path(printed[1]).resolve() == ROOT / "helpers" / "__init__.py"
    widgets = lab.widgets()
    assert [w["cell"] for w in widgets] == result.widget_outputs == [1, 2], widgets
    assert all(w["height"] > 10 and not w["error"] for w in widgets), widgets
    op = lab.operate_first_widget()
    assert op["kind"] == "slider"
    assert (op["readout_before"], op["readout_after"]) == ("1.00", "1.30")
    assert "freq = 1.0" in op["before"]["text"] and "freq = 1.3" in op["after"]["text"], op
    assert op["before"]["images"] != op["after"]["images"], "the plot did not change"
    op = lab.operate_first_widget(only="button")
    assert (op["kind"], op["label"]) == ("button", "step")
    assert (op["before"]["text"], op["after"]["text"]) == ("count 0", "count 1"), op


def test_harness_sees_errors_warnings_and_unexecuted_cells(lab: Lab):
    """The checks can fail: a warning, an error, and a cell that never ran are all reported."""
    rel = "_selftest/broken.ipynb"
    _write_notebook(lab.server.root / rel, [
        "import warnings\nwarnings.warn('careful', RuntimeWarning)",
        "import matplotlib.pyplot as plt\nplt.figure(figsize=(30, 2))\nplt.plot([0, 1])\n"
        "plt.show()",
        "import ipywidgets as w\nw.Label('x', layout=w.Layout(width='60px'))",
        "w.Button(description='a button far too narrow for its text', "
        "layout=w.Layout(width='50px'))",
        "s = w.IntSlider()\ndisplay(s)\ns.close()  # leaves an empty output behind",
        "raise ValueError('on purpose')",
        "print('never runs')",
    ])
    lab.open_notebook(rel)
    result = lab.run_and_check(rel)
    lab.screenshot_notebook("run")
    assert result.errors == [(5, "ValueError: on purpose")]
    assert result.not_executed == [6]
    assert len(result.warnings) == 1 and "RuntimeWarning: careful" in result.warnings[0][1]
    assert "ValueError" in lab.cell_error_text(5)
    widgets = lab.widgets()
    assert [(w["cell"], w["closed"]) for w in widgets] == [(2, False), (3, False), (4, True)]
    assert result.widget_outputs == [2, 3, 4]
    layout = lab.layout_report()
    assert [(x["cell"], x["text"]) for x in layout["truncated"]] == [
        (3, "a button far too narrow for its text")], layout
    assert [x["cell"] for x in layout["shrunk"]] == [1], layout


@pytest.mark.timeout(LECTURE_TEST_TIMEOUT, method="signal")
@pytest.mark.parametrize("name", LECTURES or [pytest.param(
    "none", marks=pytest.mark.skip(reason="no lectures/*.ipynb yet"))])
def test_lecture(lab: Lab, name: str):
    """Restart and run all; no errors or warnings; widgets render; one widget reacts."""
    rel = f"lectures/{name}"
    t0 = time.monotonic()
    lab.open_notebook(rel)
    t1 = time.monotonic()
    result = lab.run_and_check(rel, timeout=LECTURE_TIMEOUT)
    t2 = time.monotonic()
    lab.screenshot_notebook("run")
    layout = lab.layout_report()
    (lab.shots / "run.json").write_text(json.dumps({
        "seconds": {"open": round(t1 - t0, 1), "run all": round(result.seconds, 1),
                    "run and save": round(t2 - t1, 1),
                    "screenshots": round(time.monotonic() - t2, 1)},
        "errors": result.errors, "warnings": result.warnings, "page_errors": lab.page_errors,
        "layout": layout}, indent=1))
    assert not result.errors, f"{name}: cells raised {result.errors}"
    assert not result.not_executed, f"{name}: cells never ran: {result.not_executed}"

    widgets = lab.widgets()
    broken = [w for w in widgets if w["error"] or w["loading"]
              or (w["height"] < 5 and not w["closed"])]
    assert not broken, f"{name}: widgets that did not render: {broken}"
    assert [w["cell"] for w in widgets] == result.widget_outputs, (
        f"{name}: the saved notebook has widget outputs in cells {result.widget_outputs}, "
        f"the page shows widgets in cells {[w['cell'] for w in widgets]}")

    assert not layout["truncated"], f"{name}: widget text cut off: {layout['truncated']}"
    for kind, what in (("shrunk", "plots scaled below 70 % (small text)"),
                       ("overflowing", "outputs wider than the page")):
        if layout[kind]:
            warnings.warn(f"{name}: {what}: {layout[kind]}", stacklevel=1)

    op = lab.operate_first_widget()
    assert op["kind"], f"{name}: no slider or button to operate"
    assert not op["after"]["errors"], f"{name}: operating {op['label']!r} printed {op['after']}"
    if op["kind"].startswith("slider"):
        assert op["readout_after"] != op["readout_before"], f"{name}: the slider did not move"
    assert (op["after"]["text"], op["after"]["images"]) != (
        op["before"]["text"], op["before"]["images"]), (
        f"{name}: operating the {op['kind']} {op['label']!r} changed nothing in its output")
    if op["before"]["images"]:  # a plot next to the control must be redrawn, not left stale
        assert op["after"]["images"] != op["before"]["images"], (
            f"{name}: operating the {op['kind']} {op['label']!r} left its plot unchanged")
    assert not result.warnings, f"{name}: warnings shown to the student: {result.warnings}"


def _problem_set() -> tuple[str, Path] | None:
    """The first released notebook that has an nbgrader source in solutions/."""
    for released in sorted((ROOT / "exercises").glob("*/*.ipynb")):
        source = ROOT / "solutions" / released.parent.name / released.name
        if source.exists():
            return str(released.relative_to(ROOT)), source
    return None


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def check_problem_set(lab: Lab, rel: str, source: nbformat.NotebookNode) -> None:
    """Run released notebook `rel` (in the server root): it fails with NotImplementedError.
    Paste the first answer from `source` (the nbgrader source): that question's tests pass."""
    released = nbformat.read(lab.server.root / rel, as_version=4)
    answers = [i for i, c in enumerate(released.cells)
               if c.cell_type == "code" and _nbgrader(c).get("solution")]
    assert answers, f"{rel} has no solution cell"
    first = answers[0]
    until = answers[1] if len(answers) > 1 else len(released.cells)
    tests = [i for i in range(first + 1, until) if released.cells[i].cell_type == "code"
             and _nbgrader(released.cells[i]).get("grade")]
    assert tests, f"{rel}: no test cell after the first solution cell"
    grade_id = _nbgrader(released.cells[first])["grade_id"]
    answer = next(c.source for c in source.cells if _nbgrader(c).get("grade_id") == grade_id)
    answer = SOLUTION_MARKERS.sub("", answer)

    lab.open_notebook(rel)
    result = lab.run_and_check(rel)
    lab.screenshot_notebook("released_run")
    assert result.errors, f"{rel}: the released notebook ran without any failure"
    cell, error = result.errors[0]
    assert first <= cell <= tests[0] and NOT_IMPLEMENTED.search(error), result.errors
    assert NOT_IMPLEMENTED.search(lab.cell_error_text(cell)), "the failure is not on the page"
    report = lab.validate()
    assert NOT_IMPLEMENTED.search(report), report[:1000]
    failed_before = report.count("The following cell failed")

    lab.set_cell_source(first, answer)
    result = lab.run_and_check(rel)
    lab.screenshot_notebook("answered_run")
    assert result.notebook.cells[first].source.strip() == answer.strip(), "the paste went wrong"
    for i in [first, *tests]:
        assert i not in result.not_executed, f"{rel}: cell {i} did not run after the answer"
        assert i not in [c for c, _ in result.errors], f"{rel}: cell {i} failed: {result.errors}"
    if result.errors:  # the next unanswered question stops Run All, as it should
        assert result.errors[0][0] > tests[-1] and NOT_IMPLEMENTED.search(result.errors[0][1])
    report = lab.validate()
    failed_after = report.count("The following cell failed")
    assert failed_after < failed_before, (
        f"Validate still reports {failed_after} failing cells (before the answer: "
        f"{failed_before}):\n{report[:1000]}")
    if len(answers) == 1:
        assert failed_after == 0 and not NOT_IMPLEMENTED.search(report), report[:1000]


@pytest.mark.timeout(PROBLEM_SET_TEST_TIMEOUT, method="signal")
def test_problem_set(lab: Lab):
    """Released: fails with NotImplementedError. One answer pasted in: its tests pass."""
    found = _problem_set()
    assert found is not None, "no exercises/<ps>/<nb>.ipynb with a source in solutions/"
    rel, source = found
    check_problem_set(lab, rel, nbformat.read(source, as_version=4))


def test_nbgrader_pages_open(lab: Lab):
    """The nbgrader lab extension: Assignment List and Formgrader open without an error."""
    page = lab.page
    page.goto(lab.server.url("lab", reset=""))
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Nbgrader$")).wait_for()
    lab.menu("Nbgrader", "Assignment List")
    panel = page.locator(".lm-DockPanel-widget:not(.lm-mod-hidden)").last
    panel.wait_for()
    # the list asks the server for released assignments: "Loading, please wait..." until it
    # answers, then the list (or its placeholder) or an error box
    page.locator("#released_assignments_list_loading").wait_for(state="hidden", timeout=60_000)
    lab.next_paint()
    lab.screenshot("assignment_list")
    text = panel.inner_text()
    assert "Released assignments" in text, text[:500]
    assert page.locator("#released_assignments_list_error").is_hidden(), text[:500]
    assert "error" not in text.lower(), text[:500]

    lab.menu("Nbgrader", "Formgrader")
    frame = page.frame_locator("iframe").last
    frame.get_by_text("Manage Assignments").first.wait_for(timeout=30_000)
    loading = frame.get_by_text("Loading, please wait")
    try:
        loading.first.wait_for(state="hidden", timeout=60_000)
    except Exception:  # noqa: BLE001 - turned into a clear failure below
        lab.screenshot("formgrader_stuck")
        raise AssertionError("the formgrader's assignment list never loaded (an API call failed:"
                             " see build/browser-screenshots/jupyter-lab.log)") from None
    course = lab.server.root  # the copy the server serves, made at the start of the session
    if (course / "nbgrader_config.py").exists():  # the course's problem sets are listed
        for ps in sorted({p.parent.name for p in (course / "solutions").glob("*/*.ipynb")}):
            frame.get_by_text(ps, exact=True).first.wait_for(timeout=30_000)
    lab.next_paint()
    lab.screenshot("formgrader")
    body = frame.locator("body").inner_text()
    assert "error" not in body.lower(), body[:500]
    assert frame.locator(".alert-danger:visible").count() == 0, body[:500]
