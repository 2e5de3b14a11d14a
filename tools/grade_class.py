"""Autograde a whole class in parallel: N worker processes, never the same student twice at once.

Reads ``submitted/<student>/<ps>/`` of a course folder (the one holding ``nbgrader_config.py``),
makes sure each problem set is in the gradebook (``generate_assignment`` once, serially), then
hands out *students* to ``--workers`` processes. Each worker imports nbgrader once and autogrades
every problem set of the students it takes through nbgrader's Python API, so a student's
submissions are graded by one process, one after the other (two processes grading one student at
the same time race on ``autograded/<student>``), and students run in parallel against one sqlite
gradebook. The course's nbgrader_config.py applies (sandboxed grading kernel, limits, tamper
screen: see docs/instructor-guide.md). With ``--kernel-pool`` (off by default: not measurably
faster with 2 workers on 2 cores, see benchmarks/bench_grading.py) each worker starts the grading
kernel of its next submission while it grades the current one (a fresh sandboxed kernel per
submission all the same: ``KernelPool`` in tools/grader_kernel/nbgrader_hooks.py).

Writes a JSON report (``--report``, default ``grading-report.json`` in the course) with, for each
student and problem set, the status, the score, for every autograded cell its score and, when
it lost points, why (the first line of the error the cell showed, or the nbgrader failure), and
what grading noticed: the tamper screen's verdicts (``tamper_screen``), files handed in that the
problem set does not ship (``unexpected_files``), every test cell that raised
(``errored_cells``), test cells that displayed a result (``displayed_results``, ignored for the
score) and, summing these up, ``needs_a_look``. The printed summary lists them per submission.

Usage::

    python tools/grade_class.py --course . --workers 2             # everything in submitted/
    python -m tools.grade_class --course . --workers 2             # the same, from the repository
    python tools/grade_class.py --workers 2 --ps ps1_chain_rule --students alice bob
    python tools/grade_class.py --report-only      # after `make autograde`: the report alone
    python tools/grade_class.py --kernel-pool      # pre-started kernels (see below)

Example (from Python)::

    report = grade_class(Path("course"), workers=2)
    report["students"]["alice"]["ps1_chain_rule"]["score"]   # -> 7.0
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

_API = None  # one NbGraderAPI per worker process


def _load_config(course: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def _validate_metadata_once_per_schema() -> None:
    """Make nbgrader's cell-metadata validation build its JSON-schema validator once.

    nbgrader checks every cell's ``nbgrader`` metadata with ``jsonschema.validate(meta, schema)``,
    which first re-checks the schema itself: about half a second per problem set, a sixth of the
    time of grading one. Here the schema is checked once and its validator reused; the cells are
    validated exactly as before (an invalid cell still raises ``jsonschema.ValidationError``).
    """
    import types

    import jsonschema
    from nbgrader.nbgraderformat import common

    validators: dict[int, tuple] = {}

    def validate(instance, schema):
        if id(schema) not in validators:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validators[id(schema)] = (schema, cls(schema))  # keep schema alive: its id stays
        error = jsonschema.exceptions.best_match(validators[id(schema)][1].iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = types.SimpleNamespace(validate=validate)


def _api(course: Path):
    global _API
    if _API is None:
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        os.chdir(course)
        config = _load_config(course)
        config.CourseDirectory.root = str(course)
        _validate_metadata_once_per_schema()
        _API = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    return _API


def _worker_init(course: str, env: dict[str, str]) -> None:
    os.environ.update(env)
    _api(Path(course))


def _grade_student(course: str, student: str, problem_sets: list[str]) -> dict:
    """Autograde every problem set of one student (runs in a worker process)."""
    api = _api(Path(course))
    out = {}
    for ps in problem_sets:
        start = time.perf_counter()
        try:
            result = api.autograde(ps, student, force=True, create=True)
        except Exception as exc:  # noqa: BLE001 - one student's failure must not stop the class
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}", "log": ""}
        out[ps] = {
            "success": bool(result.get("success")),
            "error": "" if result.get("success") else _reason(result),
            "log_tail": (result.get("log") or "")[-2000:] if not result.get("success") else "",
            "seconds": round(time.perf_counter() - start, 3),
        }
    return {"student": student, "results": out}


def _reason(result: dict) -> str:
    """The most specific line of a failed autograde: the exception nbgrader hit, or its log."""
    lines = [ln.strip() for ln in ((result.get("error") or "") + "\n"
                                   + (result.get("log") or "")).splitlines() if ln.strip()]
    generic = ("Please see the", "There was an error processing", "Removing failed")
    specific = [ln for ln in lines if re.match(r"^[\w.]*(Error|Exception|Exit)\w*:", ln)
                and not any(g in ln for g in generic)]
    logged = [ln for ln in lines if ln.startswith("[ERROR]") and not any(g in ln for g in generic)]
    found = specific or logged or lines or ["autograde failed"]
    return found[-1][:500]


def submissions(course: Path, problem_sets: list[str] | None = None,
                students: list[str] | None = None) -> dict[str, list[str]]:
    """``{student: [problem sets submitted]}`` found under ``course/submitted``."""
    found: dict[str, list[str]] = {}
    root = course / "submitted"
    if not root.is_dir():
        return found
    for sdir in sorted(p for p in root.iterdir() if p.is_dir()):
        if students and sdir.name not in students:
            continue
        sets = sorted(p.name for p in sdir.iterdir() if p.is_dir()
                      and (problem_sets is None or p.name in problem_sets))
        if sets:
            found[sdir.name] = sets
    return found


def ensure_assignments(course: Path, problem_sets: list[str]) -> None:
    """``generate_assignment`` each problem set not yet in the gradebook (serially)."""
    from nbgrader.api import Gradebook, MissingEntry

    config = _load_config(course)
    db_url = config.CourseDirectory.db_url if "db_url" in config.CourseDirectory \
        else f"sqlite:///{course / 'gradebook.db'}"
    missing = []
    with Gradebook(db_url, course_id=config.CourseDirectory.get("course_id", "")) as gb:
        for ps in problem_sets:
            try:
                gb.find_assignment(ps)
            except MissingEntry:
                missing.append(ps)
    for ps in missing:
        result = _api(course).generate_assignment(ps, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"generate_assignment {ps} failed:\n{result.get('log', '')[-3000:]}")


def grader_hooks():
    """tools/grader_kernel/nbgrader_hooks.py, loaded by its path (as nbgrader_config.py does)."""
    import importlib.util

    path = Path(__file__).resolve().parent / "grader_kernel" / "nbgrader_hooks.py"
    loaded = sys.modules.get("backprop_grader_hooks")
    if loaded is not None and Path(loaded.__file__).resolve() == path:
        return loaded
    spec = importlib.util.spec_from_file_location("backprop_grader_hooks", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["backprop_grader_hooks"] = module
    spec.loader.exec_module(module)
    return module


def _record(nb, submitted: Path, source: Path) -> dict:
    """What grading noticed about a submission (``FinalVerdict`` wrote it into the notebook).

    For a notebook that could not be graded, the unexpected files are listed from the folders.
    """
    record = dict(nb.metadata.get("backprop_grading", {})) if nb is not None else {}
    if "unexpected_files" not in record:
        record["unexpected_files"] = grader_hooks().unexpected_files(submitted, source)
    return record


def _cell_message(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            value = str(output.get("evalue", "")).strip().splitlines()
            return f"{output.get('ename')}: {value[0] if value else ''}"[:300]
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return ("wrote to stderr: " + output.get("text", "").strip()[:200])[:300]
    return "no error shown"


def collect_grades(course: Path, jobs: dict[str, dict]) -> dict:
    """Scores from the gradebook and per-cell reasons from autograded notebooks."""
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    config = _load_config(course)
    db_url = config.CourseDirectory.db_url if "db_url" in config.CourseDirectory \
        else f"sqlite:///{course / 'gradebook.db'}"
    from nbgrader.coursedir import CourseDirectory

    config.CourseDirectory.root = str(course)
    coursedir = CourseDirectory(config=config)
    report: dict[str, dict] = {}
    with Gradebook(db_url, course_id=config.CourseDirectory.get("course_id", "")) as gb:
        for student, results in sorted(jobs.items()):
            for ps, job in sorted(results.items()):
                entry = {"status": "graded" if job["success"] else "failed",
                         "error": job["error"], "seconds": job["seconds"],
                         "score": 0.0, "max_score": 0.0, "cells": {},
                         "tamper_screen": [], "unexpected_files": [], "errored_cells": {},
                         "displayed_results": []}
                submitted = Path(coursedir.format_path(coursedir.submitted_directory,
                                                       student, ps))
                source = Path(coursedir.format_path(coursedir.source_directory, ".", ps))
                try:
                    submission = gb.find_submission(ps, student)
                except MissingEntry:
                    submission = None
                records = []
                if submission is not None:
                    for nb in submission.notebooks:
                        path = Path(coursedir.format_path(coursedir.autograded_directory,
                                                          student, ps)) / f"{nb.name}.ipynb"
                        cells = {}
                        read = None
                        if path.is_file():
                            try:
                                read = nbformat.read(path, as_version=4)
                                cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c
                                         for c in read.cells}
                            except Exception:  # noqa: BLE001
                                cells = {}
                        records.append(_record(read, submitted, source))
                        for grade in nb.grades:
                            if grade.cell.cell_type != "code":
                                continue
                            score = grade.auto_score if grade.manual_score is None \
                                else grade.manual_score
                            score = float(score or 0.0)
                            cell = {"score": score, "max_score": float(grade.max_score)}
                            if score < grade.max_score:
                                if grade.name in cells:
                                    cell["message"] = _cell_message(cells[grade.name])
                                elif not job["success"]:
                                    cell["message"] = "not graded: " + (job["error"] or "failed")
                                else:
                                    cell["message"] = "cell missing from the submission"
                            entry["cells"][grade.name] = cell
                            entry["score"] += score
                            entry["max_score"] += float(grade.max_score)
                if not records:
                    records.append(_record(None, submitted, source))
                for record in records:
                    entry["tamper_screen"] += record.get("tamper_screen", [])
                    for name in record.get("unexpected_files", []):
                        if name not in entry["unexpected_files"]:
                            entry["unexpected_files"].append(name)
                    for gid, note in record.get("test_cells", {}).items():
                        if note.get("error"):
                            entry["errored_cells"][gid] = note["error"]
                        if note.get("displayed_result"):
                            entry["displayed_results"].append(gid)
                entry["needs_a_look"] = needs_a_look(entry)
                report.setdefault(student, {})[ps] = entry
    return report


def needs_a_look(entry: dict) -> list[str]:
    """Why a submission needs a person to look at it, whatever its score (empty: nothing odd).

    Example: ``["tamper screen: the code of cell ... imports sys ...",
    "unexpected files: helpers.py"]``.
    """
    reasons = []
    if entry["status"] != "graded":
        reasons.append(f"not graded: {entry['error']}")
    reasons += [f"tamper screen: {verdict}" for verdict in entry["tamper_screen"]]
    if entry["unexpected_files"]:
        reasons.append("unexpected files (not given to the grading kernel): "
                       + ", ".join(entry["unexpected_files"]))
    if entry["displayed_results"]:
        reasons.append("test cells displayed a result (ignored for the score): "
                       + ", ".join(entry["displayed_results"]))
    return reasons


def summary_lines(report: dict) -> list[str]:
    """The per-submission part of the printed summary: oddities first, then cells that raised."""
    lines = []
    for student, sets in sorted(report["students"].items()):
        for ps, entry in sorted(sets.items()):
            if not (entry["needs_a_look"] or entry["errored_cells"]):
                continue
            lines.append(f"{student}/{ps}: {entry['score']:g}/{entry['max_score']:g}"
                         + ("  NEEDS A LOOK" if entry["needs_a_look"] else ""))
            lines += [f"    {reason}" for reason in entry["needs_a_look"]]
            for gid, error in sorted(entry["errored_cells"].items()):
                lines.append(f"    {gid} raised {error}")
    return lines


def grade_class(course: Path, workers: int = 2, problem_sets: list[str] | None = None,
                students: list[str] | None = None, report_path: Path | None = None,
                quiet: bool = False, regrade: bool = True,
                kernel_pool: bool | None = None) -> dict:
    """Autograde ``course/submitted`` with ``workers`` processes; return (and write) the report.

    ``kernel_pool`` (default: off unless ``BACKPROP_KERNEL_POOL=1``): each worker starts the
    grading kernel of its next submission while it grades the current one (``KernelPool`` in
    ``tools/grader_kernel/nbgrader_hooks.py``); off, each kernel starts when its notebook does.
    Every submission gets its own fresh sandboxed kernel either way.

    ``regrade=False`` grades nothing: the report is made from the gradebook and the autograded
    notebooks that ``make autograde`` (``nbgrader autograde``) left; a submission without an
    autograded notebook is reported as not graded.

    Returns ``{"students": {student: {ps: entry}}, "seconds": float, "submissions": int,
    "workers": int}`` where ``entry`` has ``status`` ("graded"/"failed"), ``score``,
    ``max_score``, ``cells`` (``{grade_id: {score, max_score, message?}}``) and ``error``.
    """
    course = Path(course).resolve()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if not (course / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"no nbgrader_config.py in {course}: pass the course folder")
    todo = submissions(course, problem_sets, students)
    start = time.perf_counter()
    if not regrade:
        return _write_report(course, _graded_before(course, todo), todo, start, 0, report_path)
    scratch = Path(tempfile.mkdtemp(prefix="grade-class-"))
    os.chmod(scratch, 0o711)  # kernels make private folders inside
    if kernel_pool is None:
        kernel_pool = os.environ.get("BACKPROP_KERNEL_POOL", "0") == "1"
    env = {"BACKPROP_GRADER_SCRATCH": str(scratch),
           "BACKPROP_KERNEL_POOL": "1" if kernel_pool else "0"}
    os.environ["BACKPROP_GRADER_SCRATCH"] = str(scratch)  # the workers get all of env
    try:
        all_sets = sorted({ps for sets in todo.values() for ps in sets})
        ensure_assignments(course, all_sets)
        jobs: dict[str, dict] = {}
        ctx = get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                 initargs=(str(course), env)) as pool:
            futures = {pool.submit(_grade_student, str(course), s, sets): s
                       for s, sets in todo.items()}
            for done, future in enumerate(as_completed(futures), 1):
                student = futures[future]
                try:
                    jobs[student] = future.result()["results"]
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails its student
                    jobs[student] = {ps: {"success": False, "error": f"worker crashed: {exc}",
                                          "log_tail": "", "seconds": 0.0}
                                     for ps in todo[student]}
                if not quiet:
                    print(f"[{done}/{len(todo)}] {student}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _write_report(course, jobs, todo, start, workers, report_path, kernel_pool)


def _graded_before(course: Path, todo: dict[str, list[str]]) -> dict[str, dict]:
    """Jobs as if just graded, from what an earlier autograde left in ``autograded/``."""
    from nbgrader.coursedir import CourseDirectory

    config = _load_config(course)
    config.CourseDirectory.root = str(course)
    coursedir = CourseDirectory(config=config)
    jobs: dict[str, dict] = {}
    for student, sets in todo.items():
        for ps in sets:
            folder = Path(coursedir.format_path(coursedir.autograded_directory, student, ps))
            done = folder.is_dir() and any(folder.glob("*.ipynb"))
            jobs.setdefault(student, {})[ps] = {
                "success": done, "log_tail": "", "seconds": 0.0,
                "error": "" if done else "no autograded notebook: run make autograde"}
    return jobs


def _write_report(course, jobs, todo, start, workers, report_path, kernel_pool=False) -> dict:
    report = {
        "students": collect_grades(course, jobs),
        "seconds": round(time.perf_counter() - start, 2),
        "submissions": sum(len(v) for v in todo.values()),
        "workers": workers,
        "kernel_pool": bool(kernel_pool),
    }
    path = report_path or course / "grading-report.json"
    Path(path).write_text(json.dumps(report, indent=1, sort_keys=True))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=Path("."), help="course folder [.]")
    parser.add_argument("--workers", type=int, default=2, help="parallel processes [2]")
    parser.add_argument("--ps", nargs="*", help="problem sets (default: all submitted)")
    parser.add_argument("--students", nargs="*", help="students (default: all submitted)")
    parser.add_argument("--report", type=Path, help="JSON report [COURSE/grading-report.json]")
    parser.add_argument("--report-only", action="store_true",
                        help="grade nothing: report what an earlier autograde left")
    parser.add_argument("--kernel-pool", dest="kernel_pool", action="store_true",
                        default=None, help="start each worker's next grading kernel while it "
                        "grades the current submission (also BACKPROP_KERNEL_POOL=1)")
    parser.add_argument("--no-kernel-pool", dest="kernel_pool", action="store_false",
                        help="start each grading kernel when its notebook runs (the default)")
    args = parser.parse_args(argv)
    report = grade_class(args.course, args.workers, args.ps, args.students, args.report,
                         regrade=not args.report_only, kernel_pool=args.kernel_pool)
    failed = [(s, ps) for s, sets in report["students"].items() for ps, e in sets.items()
              if e["status"] != "graded"]
    n = max(report["submissions"], 1)
    if args.report_only:
        print(f"report of {report['submissions']} submissions of {len(report['students'])} "
              f"students (graded earlier); {len(failed)} have no autograded notebook")
    else:
        print(f"graded {report['submissions']} submissions of {len(report['students'])} students "
              f"with {report['workers']} workers in {report['seconds']:.1f} s "
              f"({report['seconds'] / n:.2f} s per submission); {len(failed)} could not be "
              "graded")
    for student, ps in failed:
        print(f"  {student}/{ps}: {report['students'][student][ps]['error']}")
    odd = [(s, ps) for s, sets in report["students"].items() for ps, e in sets.items()
           if e["needs_a_look"]]
    print(f"{len(odd)} submissions need a look (tamper screen, unexpected files, displayed "
          f"results, not graded); test cells that raised, per submission:")
    for line in summary_lines(report):
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
