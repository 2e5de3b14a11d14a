"""Fast checks of the grading hooks' pieces, in-process (no kernel, no nbgrader run).

How a test cell is scored (errors only, never what it displayed), which handed-in files are
unexpected, what ``FinalVerdict`` records, how the launcher reads its arguments and which data
files it gives the kernel, how the kernel keeps its working folder off ``sys.path``, and what the
report of ``tools/grade_class.py`` says needs a look. The end-to-end versions are in
tests/test_grading_integrity.py and tests/test_hostile_submissions.py.
"""

from __future__ import annotations

import json
import os
import sys

import nbformat
import pytest

from tools import grade_class
from tools.grader_kernel import kernel_main, launch, nbgrader_hooks


def _test_cell(*outputs, points=2):
    cell = nbformat.v4.new_code_cell("check('x', f)")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": "test-x", "points": points, "schema_version": 3}
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


RESULT = {"output_type": "execute_result", "execution_count": 3, "metadata": {},
          "data": {"text/plain": "'all checks passed'"}}
ERROR = {"output_type": "error", "ename": "AssertionError", "evalue": "wrong at 3 of 4 entries",
         "traceback": []}


def test_a_cell_that_raised_scores_zero_whatever_it_displayed_before():
    from nbgrader.utils import determine_grade

    cell = _test_cell(RESULT, ERROR)
    assert determine_grade(cell)[0] == 2.0, "nbgrader alone stops at the displayed result"
    assert nbgrader_hooks.score_of_test_cell(cell) == 0.0
    assert nbgrader_hooks.score_of_test_cell(_test_cell(ERROR, RESULT)) == 0.0
    stderr = {"output_type": "stream", "name": "stderr", "text": "warning"}
    assert nbgrader_hooks.score_of_test_cell(_test_cell(stderr)) == 0.0


def test_a_cell_that_raised_nothing_scores_all_whatever_it_displayed():
    from nbgrader.utils import determine_grade

    small = dict(RESULT, data={"text/plain": "0.25"})
    assert determine_grade(_test_cell(small))[0] == 0.25, "nbgrader reads it as partial credit"
    assert nbgrader_hooks.score_of_test_cell(_test_cell(small)) == 2.0
    assert nbgrader_hooks.score_of_test_cell(_test_cell()) == 2.0


def test_final_verdict_hides_results_from_nbgrader_and_records_them():
    from nbgrader.utils import determine_grade

    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("def f(x):\n    return x")
    nb.cells = [answer, _test_cell(RESULT, ERROR), _test_cell(RESULT)]
    nb.cells[2].metadata["nbgrader"]["grade_id"] = "test-y"
    resources = {"backprop_grading": {"tamper_screen": ["the code of cell a imports sys"]}}
    nb, _ = nbgrader_hooks.FinalVerdict().preprocess(nb, resources)
    assert [determine_grade(c)[0] for c in nb.cells[1:]] == [0.0, 2.0]
    assert all(o.output_type != "execute_result" for c in nb.cells for o in c.outputs)
    assert nb.cells[2].outputs[0].data == RESULT["data"], "still shown in the feedback"
    record = nb.metadata["backprop_grading"]
    assert record["test_cells"] == {
        "test-x": {"displayed_result": True, "error": "AssertionError: wrong at 3 of 4 entries"},
        "test-y": {"displayed_result": True}}
    assert record["tamper_screen"] == ["the code of cell a imports sys"]


def test_unexpected_files_are_everything_the_problem_set_does_not_ship(tmp_path):
    source, submitted = tmp_path / "solutions" / "ps", tmp_path / "submitted" / "ann" / "ps"
    (source / "data").mkdir(parents=True)
    (source / "ps.ipynb").write_text("{}")
    (source / "data" / "x.npz").write_bytes(b"1")
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "m.pyc").write_bytes(b"")
    (submitted / "data").mkdir(parents=True)
    (submitted / "helpers").mkdir()
    (submitted / "empty").mkdir()
    for rel in ("ps.ipynb", "data/x.npz", "timestamp.txt", "submission_secret.txt",
                "helpers/grading.py", "numpy.pth", "data/extra.csv"):
        (submitted / rel).write_text("x")
    (submitted / "link.py").symlink_to(submitted / "numpy.pth")
    found = nbgrader_hooks.unexpected_files(submitted, source)
    assert found == ["data/extra.csv", "empty/", "helpers/grading.py", "link.py (a link)",
                     "numpy.pth"]
    assert nbgrader_hooks.unexpected_files(tmp_path / "nobody", source) == []


def test_the_kernel_gets_the_instructors_data_files_only(tmp_path):
    source, dest = tmp_path / "solutions" / "ps", tmp_path / "work"
    (source / "__pycache__").mkdir(parents=True)
    (source / "ps.ipynb").write_text("{hidden tests}")
    (source / "table.csv").write_text("1,2")
    (source / "__pycache__" / "x.pyc").write_bytes(b"")
    launch.copy_data_files(source, dest)
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()) == \
        ["table.csv"]


def test_launcher_reads_its_data_folder_and_passes_the_rest_on():
    conn, data, rest = launch.parse_args(["launch.py", "-f", "k.json", "--backprop-data=/c/s/ps",
                                          "--HistoryManager.hist_file=:memory:"])
    assert (str(conn), str(data)) == ("k.json", "/c/s/ps")
    assert rest == ["launch.py", "--HistoryManager.hist_file=:memory:"]
    assert launch.parse_args(["launch.py", "-f", "k.json"])[1] is None


def test_kernel_keeps_its_working_folder_off_sys_path(tmp_path, monkeypatch):
    inside = tmp_path / "sub"
    inside.mkdir()
    kept = list(sys.path)
    monkeypatch.setattr(sys, "path", ["", ".", str(tmp_path), str(inside), *kept])
    monkeypatch.chdir(tmp_path)
    removed = kernel_main.pin_sys_path()
    assert removed == ["", ".", str(tmp_path), str(inside)]
    assert sys.path == [p for p in kept if not p.startswith(str(tmp_path))]


def test_kernel_refuses_another_helpers(monkeypatch, tmp_path):
    import helpers

    monkeypatch.setenv("BACKPROP_HELPERS_ORIGIN", helpers.__file__)
    kernel_main.check_helpers_origin()  # the installed one: fine
    monkeypatch.setenv("BACKPROP_HELPERS_ORIGIN", str(tmp_path / "helpers" / "__init__.py"))
    with pytest.raises(SystemExit, match="refusing to grade"):
        kernel_main.check_helpers_origin()


def test_report_says_what_needs_a_look():
    base = {"status": "graded", "error": "", "score": 8.0, "max_score": 8.0, "cells": {},
            "tamper_screen": [], "unexpected_files": [], "errored_cells": {},
            "displayed_results": []}
    assert grade_class.needs_a_look(base) == []
    odd = dict(base, unexpected_files=["helpers.py"], displayed_results=["test-dg"],
               tamper_screen=["the code of cell x (line 1) imports sys"])
    reasons = grade_class.needs_a_look(odd)
    assert len(reasons) == 3 and "helpers.py" in reasons[1] and "test-dg" in reasons[2]
    wrong = dict(base, score=0.0, errored_cells={"test-dg": "AssertionError: wrong"})
    report = {"students": {"ann": {"ps1": dict(odd, needs_a_look=reasons)},
                           "bob": {"ps1": dict(wrong, needs_a_look=[])},
                           "cid": {"ps1": dict(base, needs_a_look=[])}}}
    lines = grade_class.summary_lines(report)
    assert lines[0] == "ann/ps1: 8/8  NEEDS A LOOK"
    assert "bob/ps1: 0/8" in lines and "    test-dg raised AssertionError: wrong" in lines
    assert not any(line.startswith("cid/") for line in lines)


def test_configuration_loads_the_hooks_without_touching_sys_path():
    from traitlets.config.loader import PyFileConfigLoader

    from tests.nbgrader_utils import REPO

    before = list(sys.path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert sys.path == before
    names = [p.__name__ for p in config.Autograde.autograde_preprocessors]
    if os.environ.get("BACKPROP_GRADER_SANDBOX", "1") != "0":
        assert names.index("TamperScreen") < names.index("FinalVerdict") < \
            names.index("SaveTestScores")
        assert "SaveAutoGrades" not in names


def test_config_values():
    """The settings the course relies on, read from the real nbgrader_config.py."""
    from traitlets.config.loader import PyFileConfigLoader

    from tests.nbgrader_utils import REPO

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.CourseDirectory.course_id == "backprop"
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "exercises"
    assert config.Execute.timeout > 0
    names = [p.__name__ for p in config.GenerateFeedback.preprocessors]
    assert "ClearHiddenTests" in names
    assert names.index("ClearHiddenTests") > names.index("GetGrades")
    assert json.dumps(config.Exchange.root)  # a plain string path


def _kernel_dying_at_start(tmp_path, monkeypatch, deaths: int):
    """A kernelspec ``flaky`` whose first ``deaths`` starts exit at once (no answer); the file it
    returns counts the starts."""
    starts = tmp_path / "starts"
    script = tmp_path / "flaky_kernel.py"
    script.write_text(
        "import pathlib, sys\n"
        f"p = pathlib.Path({str(starts)!r})\n"
        "n = int(p.read_text()) if p.exists() else 0\n"
        "p.write_text(str(n + 1))\n"
        f"if n < {deaths}:\n"
        "    sys.exit(1)\n"
        "from ipykernel.kernelapp import launch_new_instance\n"
        "launch_new_instance()\n")
    spec = tmp_path / "kernels" / "flaky"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(script), "-f", "{connection_file}"],
        "display_name": "flaky", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return starts


def _run_in(kernel_name: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    execute = nbgrader_hooks.GradingExecute(kernel_name=kernel_name, start_attempts=3)
    nb, _ = execute.preprocess(nb, {})
    return nb.cells[0].outputs


def test_a_kernel_that_dies_before_answering_is_started_again(tmp_path, monkeypatch):
    """No cell has run before the kernel's first answer, so a death then (two workers' kernels
    given the same port) costs a restart, not the submission's marks."""
    starts = _kernel_dying_at_start(tmp_path, monkeypatch, deaths=2)
    outputs = _run_in("flaky")
    assert starts.read_text() == "3"
    assert outputs[0]["text"] == "42\n", outputs


def test_a_kernel_that_never_answers_fails_after_the_last_attempt(tmp_path, monkeypatch):
    starts = _kernel_dying_at_start(tmp_path, monkeypatch, deaths=5)
    with pytest.raises(RuntimeError, match="died before replying"):
        _run_in("flaky")
    assert starts.read_text() == "3"
