"""The nbgrader pipeline, end to end, in temporary course folders.

(a) exercises/ is exactly what nbgrader generates from solutions/ now (the notebooks' static
    rules are in tests/test_problem_set_notebooks.py); every solution notebook passes validation;
    every release fails it only because its answers are missing (NotImplementedError).
(b) autograde: solutions score full marks on every autograded cell, an untouched release scores
    zero without crashing, and each typical-mistake submission from tests/mistakes/<ps>.py scores
    the expected marks and gets feedback that names the mistake.
(c) the whole instructor/student workflow through a filesystem exchange, and the feedback HTML
    shows no hidden-test source.

A tiny problem set made on the fly exercises the configuration even when no real problem set is
there. nbgrader runs in this process through its Python API (importing it costs seconds on a busy
machine); HOME, the Jupyter folders and the exchange are temporary.
"""

from __future__ import annotations

import csv
import html
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from tests.mistakes import load_all
from tests.nbgrader_utils import (
    BIN,
    PROBLEM_SETS,
    REPO,
    bound_names,
    comparable_cells,
    grade_cells,
    hidden_test_lines,
    make_course,
    nbgrader,
    nbgrader_env,
    notebooks,
    run,
    scores,
    tiny_problem_set,
)

pytestmark = pytest.mark.integration

AVAILABLE = PROBLEM_SETS  # every solutions/<ps>/<ps>.ipynb (tools.problem_sets)
TINY = "ps0_tiny"


# ---- fixtures --------------------------------------------------------------------------------
class Course:
    """A temporary course folder with the repo's nbgrader_config.py and an in-process API."""

    def __init__(self, root: Path, problem_sets):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        self.root = root
        self.path = make_course(root, problem_sets)
        self.config = PyFileConfigLoader("nbgrader_config.py", path=str(self.path)).load_config()
        self.config.Exchange.root = str(root / "exchange")  # one exchange per course
        (root / "exchange").mkdir(exist_ok=True)
        self.api = NbGraderAPI(coursedir=CourseDirectory(config=self.config), config=self.config)

    def call(self, method: str, *args, **kwargs) -> dict:
        """An NbGraderAPI method; fails the test with nbgrader's log when it does not succeed."""
        result = getattr(self.api, method)(*args, **kwargs)
        assert result["success"], f"nbgrader {method}{args} failed:\n{result.get('error')}\n" \
                                  f"{result.get('log', '')[-4000:]}"
        return result

    def exchange_step(self, kind: str, assignment: str, student: str, workdir: Path):
        """A student's exchange step (FetchAssignment, Submit, FetchFeedback) in ``workdir``."""
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        app = getattr(self.api.exchange, kind)(
            coursedir=coursedir, authenticator=self.api.authenticator, config=self.config
        )
        app.assignment_dir = str(workdir)
        app.cache = str(workdir / ".nbgrader_cache")  # each student has their own (in ~)
        return app.start()

    def submit_directly(self, assignment: str, student: str, notebook: Path, name: str):
        """Put a notebook where `collect` would: submitted/<student>/<assignment>/<name>."""
        dest = self.path / "submitted" / student / assignment
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, dest / name)

    def validate(self, notebook: Path) -> dict:
        from nbgrader.validator import Validator

        return Validator(config=self.config).validate(str(notebook))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """Temporary HOME/Jupyter folders and exchange for the whole module."""
    root = tmp_path_factory.mktemp("nbgrader")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in nbgrader_env(root).items():
            mp.setenv(key, value)
        yield root


@pytest.fixture(scope="module")
def tiny(sandbox):
    """A course with the throwaway problem set, generated."""
    src = tiny_problem_set(sandbox / "tiny-src" / TINY, TINY)
    course = Course(sandbox / "tiny", {TINY: src.parent})
    course.config.Execute.timeout = 6  # so that the endless-loop student costs little
    course.call("generate_assignment", TINY)
    return course


@pytest.fixture(scope="module")
def real(sandbox):
    """A course with every problem set that exists under solutions/, generated from scratch."""
    if not AVAILABLE:
        pytest.skip("no problem sets under solutions/ yet")
    course = Course(sandbox / "real", AVAILABLE)
    for ps in AVAILABLE:
        course.call("generate_assignment", ps)
    return course


def _notebook(folder: Path) -> Path:
    found = notebooks(folder)
    assert len(found) == 1, f"expected one notebook in {folder}, found {[p.name for p in found]}"
    return found[0]


# ---- (a) release and validation --------------------------------------------------------------
@pytest.mark.parametrize("ps", AVAILABLE)
def test_exercises_are_what_nbgrader_generates_now(real, ps):
    committed = REPO / "exercises" / ps
    generated = real.path / "exercises" / ps
    assert committed.is_dir(), f"exercises/{ps} is missing: run `make release` and commit it"
    names = lambda d: sorted(
        str(p.relative_to(d)) for p in d.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    )
    assert names(committed) == names(generated), "run `make release` and commit exercises/"
    for nb in notebooks(generated):
        assert comparable_cells(committed / nb.name) == comparable_cells(nb), (
            f"exercises/{ps}/{nb.name} differs from what nbgrader generates from solutions/{ps}: "
            "run `make release` and commit exercises/"
        )
        release = nbformat.read(committed / nb.name, as_version=4)
        for cell in release.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (
                    f"exercises/{ps}/{nb.name} has outputs: releases are committed cleared"
                )


@pytest.mark.parametrize("ps", AVAILABLE)
def test_solution_passes_validation(real, ps):
    nb = _notebook(real.path / "solutions" / ps)
    assert real.validate(nb) == {}


def _assert_fails_only_for_missing_answers(result: dict, source: Path):
    assert set(result) == {"failed"}, f"unexpected validation result: {sorted(result)}"
    names = bound_names(source)
    for cell in result["failed"]:
        error = re.sub(r"\x1b\[[0-9;]*m", "", cell["raw_error"])  # no terminal colours
        if "NotImplementedError" in error or error == "You did not provide a response.":
            continue
        missing = re.search(r"NameError: name '(\w+)' is not defined", error)
        assert missing and missing.group(1) in names, (
            f"the release fails for a reason other than a missing answer:\n{error[-1500:]}"
        )


@pytest.mark.parametrize("ps", AVAILABLE)
def test_release_fails_validation_only_for_missing_answers(real, ps):
    release = _notebook(real.path / "exercises" / ps)
    _assert_fails_only_for_missing_answers(real.validate(release), _notebook(real.path /
                                                                            "solutions" / ps))


def test_tiny_solution_validates_and_release_fails_for_missing_answers(tiny):
    assert tiny.validate(_notebook(tiny.path / "solutions" / TINY)) == {}
    result = tiny.validate(_notebook(tiny.path / "exercises" / TINY))
    _assert_fails_only_for_missing_answers(result, _notebook(tiny.path / "solutions" / TINY))
    assert len(result["failed"]) == 3  # two test cells and the derivation


def test_release_check_rejects_other_errors(tiny, tmp_path):
    """The 'only missing answers' check can fail: a release with a broken import is caught."""
    nb = nbformat.read(_notebook(tiny.path / "exercises" / TINY), as_version=4)
    nb.cells[1].source = "import numpy as np\nimport not_a_module_anywhere"
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    result = tiny.validate(broken)
    with pytest.raises(AssertionError):
        _assert_fails_only_for_missing_answers(result, _notebook(tiny.path / "solutions" / TINY))


# ---- (b) autograde ---------------------------------------------------------------------------
def load_mistakes(ps: str) -> list[dict]:
    """The typical-mistake catalogue of a problem set (format: tests/mistakes/__init__.py)."""
    return list(load_all().get(ps, []))


def pack_mistakes(mistakes: list[dict]) -> list[list[dict]]:
    """Group mistakes into as few submissions as possible.

    Mistakes share a submission only if they edit different cells and expect different test cells
    to fail: each catalogued mistake leaves every other test passing, so the marks and the
    feedback of every cell still tell which mistake they come from. Autograding costs seconds per
    submission; this halves the count.
    """
    groups: list[list[dict]] = []
    for mistake in mistakes:
        for group in groups:
            if all(mistake["grade_id"] != other["grade_id"]
                   and not set(mistake["expected_failing"]) & set(other["expected_failing"])
                   for other in group):
                group.append(mistake)
                break
        else:
            groups.append([mistake])
    return groups


def mistaken_submission(solution: Path, mistakes: list[dict], dest: Path) -> Path:
    """The solution notebook with the sources of some answer cells replaced by mistakes."""
    nb = nbformat.read(solution, as_version=4)
    for mistake in mistakes:
        cells = [c for c in nb.cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == mistake["grade_id"]]
        assert len(cells) == 1, f"{mistake['name']}: no single cell {mistake['grade_id']!r}"
        assert cells[0].metadata["nbgrader"].get("solution"), f"{mistake['grade_id']}: no answer"
        cells[0].source = mistake["source"]
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest


def _feedback_cells(course: Course, student: str, ps: str) -> dict[str, str]:
    """Text of each graded cell (input and output) in a student's feedback HTML, by grade_id."""
    files = list((course.path / "feedback" / student / ps).glob("*.html"))
    assert files, f"no feedback for {student}/{ps}"
    cells = {}
    for chunk in files[0].read_text(encoding="utf-8").split('<div class="cell border-box-sizing'):
        anchor = re.search(r'<a name="([A-Za-z0-9_\-]+)"></a>', chunk)
        if anchor:
            cells[anchor.group(1)] = html.unescape(re.sub(r"<[^>]+>", "", chunk))
    return cells


def _feedback_text(course: Course, student: str, ps: str) -> str:
    files = list((course.path / "feedback" / student / ps).glob("*.html"))
    assert files, f"no feedback for {student}/{ps}"
    raw = "\n".join(f.read_text(encoding="utf-8") for f in files)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def _autograded_cells(source: Path) -> dict[str, float]:
    return {
        c["grade_id"]: float(c["points"])
        for c in grade_cells(source)
        if c.get("grade") and c["cell_type"] == "code"
    }


@pytest.fixture(scope="module")
def graded_tiny(tiny):
    """Solution, untouched release and a hidden-test-only mistake, autograded in one run."""
    solution = _notebook(tiny.path / "solutions" / TINY)
    release = _notebook(tiny.path / "exercises" / TINY)
    tiny.submit_directly(TINY, "solution", solution, release.name)
    tiny.submit_directly(TINY, "untouched", release, release.name)
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        if "def dsquare" in cell.source:
            cell.source = "def dsquare(x):\n    return 6.0  # hard-coded: passes the visible test"
        elif "def dcube" in cell.source:
            cell.source = "def dcube(x):\n    return 3 * x ** 2"
    hard_coded = tiny.root / "hard_coded.ipynb"
    nbformat.write(nb, hard_coded)
    tiny.submit_directly(TINY, "hardcoded", hard_coded, release.name)
    for cell in nb.cells:
        if "def dsquare" in cell.source:
            cell.source = "while True:\n    pass"  # never ends: interrupted by the timeout
    endless = tiny.root / "endless.ipynb"
    nbformat.write(nb, endless)
    tiny.submit_directly(TINY, "endless", endless, release.name)
    corrupt = tiny.root / "corrupt.ipynb"
    corrupt.write_text("{ this is not a notebook")
    tiny.submit_directly(TINY, "corrupt", corrupt, release.name)
    result = tiny.api.autograde(TINY, "*")
    failed = set(re.findall(r"error processing assignment '[^']+' for student '([^']+)'",
                            result.get("log", "")))
    assert failed == {"corrupt"}, result.get("log", "")[-8000:]
    tiny.call("generate_feedback", TINY)
    return tiny, scores(tiny.path, TINY), result


def test_tiny_autograde_scores(graded_tiny):
    course, got, result = graded_tiny
    assert got["solution"] == {"test_dsquare": (2.0, 2.0), "test_dcube": (1.0, 1.0)}
    assert got["untouched"] == {"test_dsquare": (0.0, 2.0), "test_dcube": (0.0, 1.0)}
    assert got["hardcoded"] == {"test_dsquare": (0.0, 2.0), "test_dcube": (1.0, 1.0)}
    # an endless loop is interrupted after Execute.timeout; the later cells still run
    assert got["endless"] == {"test_dsquare": (0.0, 2.0), "test_dcube": (1.0, 1.0)}
    # a corrupted notebook fails only its own student: zero marks, and the run reports it
    assert all(score == 0.0 for score, _ in got.get("corrupt", {}).values())
    assert not result["success"] and "student 'corrupt'" in result["log"]


def test_feedback_hides_hidden_tests_but_keeps_the_message(graded_tiny):
    course, _, _ = graded_tiny
    text = _feedback_text(course, "hardcoded", TINY)
    assert "secret_hidden_marker: dsquare(-1.5)" in text  # the assertion message is shown
    assert "assert dsquare(-1.5)" not in text  # the hidden test's source is not
    assert "BEGIN HIDDEN TESTS" not in text
    assert "dsquare(3) should be 6" in _feedback_text(course, "untouched", TINY)


@pytest.fixture(scope="module")
def graded_real(real):
    """Every problem set: solution, untouched release and each catalogued mistake, autograded."""
    expectations = {}
    for ps in AVAILABLE:
        solution = _notebook(real.path / "solutions" / ps)
        release = _notebook(real.path / "exercises" / ps)
        real.submit_directly(ps, "solution", solution, release.name)
        real.submit_directly(ps, "untouched", release, release.name)
        for i, group in enumerate(pack_mistakes(load_mistakes(ps))):
            student = f"mistakes-{i}"
            path = mistaken_submission(solution, group,
                                       real.root / "mistakes" / ps / f"{student}.ipynb")
            real.submit_directly(ps, student, path, release.name)
            expectations[(ps, student)] = group
    # one `nbgrader autograde` per problem set, two at a time (separate processes share the
    # sqlite gradebook safely when they grade different submissions)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(
            lambda ps: nbgrader(real.path, dict(os.environ), "autograde", ps, "--force",
                                check=False),
            AVAILABLE,
        ))
    for ps, proc in zip(AVAILABLE, runs):
        assert proc.returncode == 0, f"autograde {ps} failed:\n{proc.stderr[-6000:]}"
    for ps in AVAILABLE:
        real.call("generate_feedback", ps)
    return real, {ps: scores(real.path, ps) for ps in AVAILABLE}, expectations


@pytest.mark.parametrize("ps", AVAILABLE)
def test_solution_scores_full_marks_on_every_autograded_cell(graded_real, ps):
    course, got, _ = graded_real
    expected = _autograded_cells(_notebook(REPO / "solutions" / ps))
    assert got[ps]["solution"] == {gid: (pts, pts) for gid, pts in expected.items()}


@pytest.mark.parametrize("ps", AVAILABLE)
def test_untouched_release_scores_zero(graded_real, ps):
    course, got, _ = graded_real
    expected = _autograded_cells(_notebook(REPO / "solutions" / ps))
    assert got[ps]["untouched"] == {gid: (0.0, pts) for gid, pts in expected.items()}


@pytest.mark.parametrize("ps", AVAILABLE)
def test_typical_mistakes_score_expected_marks_and_are_named(graded_real, ps):
    course, got, expectations = graded_real
    cases = {student: group for (p, student), group in expectations.items() if p == ps}
    if not cases:
        pytest.skip(f"tests/mistakes/{ps}.py has no mistakes yet")
    full = _autograded_cells(_notebook(REPO / "solutions" / ps))
    problems = []
    for student, group in cases.items():
        marks = {gid: score for gid, (score, _) in got[ps][student].items()}
        failing = {gid: m["name"] for m in group for gid in m["expected_failing"]}
        for gid, pts in full.items():
            expected = 0.0 if gid in failing else pts
            if marks.get(gid) != expected:
                culprit = failing.get(gid, " + ".join(m["name"] for m in group))
                problems.append(f"{culprit}: {gid} scored {marks.get(gid)}, expected {expected}")
        cells = _feedback_cells(course, student, ps)
        for mistake in group:
            text = "\n".join(cells.get(gid, "") for gid in mistake["expected_failing"])
            missing = [k for k in mistake["feedback_keywords"] if k not in text]
            if missing:
                problems.append(f"{mistake['name']}: the feedback of "
                                f"{mistake['expected_failing']} does not say {missing}")
    assert not problems, f"{ps}:\n" + "\n".join(problems)


@pytest.mark.parametrize("ps", AVAILABLE)
def test_real_feedback_shows_no_hidden_test_source(graded_real, ps):
    course, _, _ = graded_real
    hidden = hidden_test_lines(_notebook(REPO / "solutions" / ps),
                               visible=_notebook(course.path / "exercises" / ps))
    if not hidden:
        pytest.skip(f"{ps} has no hidden tests")
    for student in ("solution", "untouched"):
        text = _feedback_text(course, student, ps)
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"feedback of {student} shows hidden tests: {leaked[:3]}"


# ---- (c) the whole workflow through the exchange ---------------------------------------------
def _workflow(course: Course, ps: str, answers: dict[str, Path | None], tmp: Path):
    """release → fetch → (answer) → submit → collect → autograde → feedback → fetch → export."""
    course.call("release_assignment", ps)
    for student, answer in answers.items():
        workdir = tmp / student
        workdir.mkdir()
        course.exchange_step("FetchAssignment", ps, student, workdir)
        fetched = _notebook(workdir / ps)
        if answer is not None:
            shutil.copy(answer, fetched)
        course.exchange_step("Submit", ps, student, workdir)
    course.call("collect", ps)
    for student in answers:
        assert (course.path / "submitted" / student / ps).is_dir(), f"{student} not collected"
    course.call("autograde", ps, "*")
    course.call("generate_feedback", ps)
    course.call("release_feedback", ps)
    feedback = {}
    for student in answers:
        course.exchange_step("FetchFeedback", ps, student, tmp / student)
        files = list((tmp / student / ps / "feedback").rglob("*.html"))
        assert len(files) == 1, f"{student} fetched {len(files)} feedback files, expected 1"
        feedback[student] = html.unescape(re.sub(r"<[^>]+>", "", files[0].read_text("utf-8")))
    grades_csv = course.path / "grades.csv"
    from nbgrader.apps import ExportApp

    app = ExportApp(config=course.config)
    app.coursedir = course.api.coursedir
    app.config.ExportPlugin.to = str(grades_csv)
    app.start()
    with open(grades_csv, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["assignment"] == ps]
    return feedback, {r["student_id"]: r for r in rows}


def test_exchange_workflow_tiny(sandbox, tmp_path):
    src = tiny_problem_set(sandbox / "flow-src" / TINY, TINY)
    course = Course(sandbox / "flow", {TINY: src.parent})
    course.call("generate_assignment", TINY)
    answer = sandbox / "flow-answer.ipynb"
    nb = nbformat.read(_notebook(course.path / "exercises" / TINY), as_version=4)
    for cell in nb.cells:
        if "def dsquare" in cell.source:
            cell.source = "def dsquare(x):\n    return 6.0"
        elif "def dcube" in cell.source:
            cell.source = "def dcube(x):\n    return 3 * x ** 2"
    nbformat.write(nb, answer)
    feedback, grades = _workflow(course, TINY, {"alice": src, "bob": answer, "carol": None},
                                 tmp_path)
    assert float(grades["alice"]["raw_score"]) == 3.0
    assert float(grades["bob"]["raw_score"]) == 1.0
    assert float(grades["carol"]["raw_score"]) == 0.0
    assert float(grades["alice"]["max_score"]) == 4.0  # 3 autograded + 1 for the derivation
    for text in feedback.values():
        assert "assert dsquare(-1.5)" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "secret_hidden_marker" in feedback["bob"]
    assert "NotImplementedError" in feedback["carol"]
    assert "NotImplementedError" not in feedback["bob"] + feedback["alice"]


@pytest.mark.parametrize("ps", AVAILABLE[:1])
def test_exchange_workflow_real(sandbox, tmp_path, ps):
    course = Course(sandbox / f"flow-{ps}", [ps])
    course.call("generate_assignment", ps)
    solution = _notebook(course.path / "solutions" / ps)
    feedback, grades = _workflow(course, ps, {"ada": solution, "ben": None}, tmp_path)
    full = sum(_autograded_cells(solution).values())
    assert float(grades["ada"]["raw_score"]) == pytest.approx(full)
    assert float(grades["ben"]["raw_score"]) == 0.0
    hidden = hidden_test_lines(solution, visible=_notebook(course.path / "exercises" / ps))
    for student, text in feedback.items():
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"feedback of {student} shows hidden tests: {leaked[:3]}"


def test_make_targets_release_and_validate(tiny, sandbox, tmp_path):
    """`make release` gives what nbgrader generates, byte for byte; `make validate` fails on
    failure (nbgrader's own `validate` command exits 0 even then)."""
    src = tiny_problem_set(sandbox / "make-src" / TINY, TINY)
    course = make_course(tmp_path, {TINY: src.parent})
    shutil.copy(REPO / "Makefile", course / "Makefile")
    (course / "mk").mkdir()
    shutil.copy(REPO / "mk" / "nbgrader.mk", course / "mk" / "nbgrader.mk")
    env = nbgrader_env(tmp_path)
    make = ["make", "--no-print-directory", "STAMP=", f"BIN={BIN}"]
    run([*make, "release"], cwd=course, env=env)
    release = course / "exercises" / TINY / f"{TINY}.ipynb"
    assert release.read_bytes() == (tiny.path / "exercises" / TINY / release.name).read_bytes()
    run([*make, "validate"], cwd=course, env=env)
    failing = run([*make, "validate", f"VALIDATE_NBS=exercises/{TINY}/{TINY}.ipynb"],
                  cwd=course, env=env, check=False)
    assert failing.returncode != 0 and "FAILED" in failing.stdout
