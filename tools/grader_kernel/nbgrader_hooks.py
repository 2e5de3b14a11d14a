"""nbgrader settings for grading untrusted submissions (loaded by the course's nbgrader_config.py).

``configure(c)`` changes *autograde only* (validation and the student's own kernel are untouched):

* ``GradingExecute`` runs every submission in the ``backprop-grader`` kernel (``launch.py``:
  limits, sandbox folder, a throw-away uid when root) whatever kernel the notebook names, and caps
  each cell's output in the grading process too (``BACKPROP_GRADE_OUTPUT_BYTES``, default 1 MB of
  text per cell): a kernel whose own cap was removed cannot fill the grader's memory. Output
  clearing (``clear_output``) in graded test cells is ignored, so an error cannot be wiped away.
* With ``BACKPROP_KERNEL_POOL=1`` (``tools/grade_class.py --kernel-pool``; off by default),
  ``GradingExecute`` takes a kernel started ahead of time (``KernelPool``): a fresh sandboxed
  kernel per notebook all the same, that nothing was sent to before; it only starts earlier.
* A cell that crashes the kernel (or trips an iopub timeout) no longer fails the whole notebook:
  that cell and every later code cell get an error saying so, earlier tests keep their marks.
  A notebook has a total time budget (``BACKPROP_NOTEBOOK_BUDGET``, default 900 s): a kernel
  that ignores interrupts costs at most that, not "cell timeout x every remaining cell".
* ``RestoreCellFlags`` and ``DropEmptyNbgraderMetadata`` make two edits that crash plain nbgrader
  harmless: flipping a graded cell's ``grade``/``solution`` flags ("Inconsistent checksums"), and
  a copied graded cell (nbgrader's ``DeduplicateIds`` leaves ``{}`` metadata that fails the
  schema check).
* Only the problem set's own data files reach the kernel (copied from its source folder by
  ``launch.py``; the submission's files never), and the kernel imports nothing from its working
  folder (``kernel_main.py``). ``FinalVerdict`` reports every file handed in that the problem set
  does not ship.
* A test cell scores only if it raised nothing (``score_of_test_cell``, saved by
  ``SaveTestScores``): a result it displayed before an error, or a number, does not count.
  ``FinalVerdict`` records in the notebook's metadata (``backprop_grading``) the tamper screen's
  verdicts, unexpected files and the test cells that errored, for ``tools/grade_class.py``.
* ``TamperScreen`` reads, outside the student's process, the source of every code cell that is not
  the instructor's (a cell's source is trusted only if it equals a locked or graded cell of the
  release, as stored in the gradebook). The first cell that uses a way to reach into the grader
  (``get_ipython``, magics, ``exec``/``eval``/``compile``/``__import__``, ``setattr``/``globals``,
  dunder attributes, imports outside an allow-list such as ``sys``, ``ctypes``, ``gc``, ``os``, or
  assigning to an imported module or rebinding an imported/builtin name) turns every graded test
  cell after it into an error: no marks, and a message that names the cell, the line and the reason
  (an instructor can override the score in the formgrader after reading the code).

Example (in nbgrader_config.py, which loads this file by its path)::

    hooks.configure(c)
"""

from __future__ import annotations

import ast
import builtins
import os
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    Execute,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets import Integer, Unicode

HERE = Path(__file__).resolve().parent
KERNEL_NAME = "backprop-grader"
KERNELS = HERE / "kernels"

ALLOWED_IMPORTS = {
    "numpy", "math", "cmath", "random", "itertools", "functools", "operator", "collections",
    "dataclasses", "typing", "statistics", "time", "copy", "string", "re", "fractions",
    "decimal", "numbers", "abc", "enum", "heapq", "bisect", "matplotlib", "tqdm", "helpers",
    "__future__", "threadpoolctl", "contextlib",
}
FORBIDDEN_CALLS = {
    "get_ipython", "exec", "eval", "compile", "__import__", "globals", "locals", "vars",
    "setattr", "delattr", "breakpoint", "__builtins__", "__builtin__", "memoryview",
}
ALLOWED_DUNDERS = {"__init__", "__name__", "__doc__", "__len__", "__qualname__"}
BUILTIN_NAMES = set(dir(builtins))


# ---- the static screen -----------------------------------------------------------------------
def _python_source(source: str) -> str:
    """Cell source as Python (IPython magics and shell escapes become ``get_ipython()`` calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def screen_source(source: str, protected: set[str] = frozenset()) -> tuple[int, str] | None:
    """First way to tamper with grading found in a cell: ``(line, reason)``, or None.

    ``protected`` are names the instructor's cells bind (``np``, ``check``...), which student code
    must not rebind at the top level. Builtin names are always protected.

    Example::

        >>> screen_source("import numpy as np\\nnp.allclose = lambda *a, **k: True")
        (2, 'assigns to an attribute of the imported module np')
    """
    try:
        tree = ast.parse(_python_source(source))
    except (SyntaxError, ValueError):
        return None  # it cannot run either
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
    guarded = set(protected) | imported | BUILTIN_NAMES
    findings: list[tuple[int, str]] = []

    def flag(node, reason):
        findings.append((getattr(node, "lineno", 1), reason))

    def root_name(node):
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    def targets(node):
        if isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                yield from targets(elt)
        elif isinstance(node, ast.Starred):
            yield from targets(node.value)
        else:
            yield node

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in ALLOWED_IMPORTS:
                    flag(node, f"imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").split(".")[0] not in ALLOWED_IMPORTS:
                flag(node, f"imports from {node.module or '.'}")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_CALLS:
            flag(node, f"uses {node.id}")
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__") and node.attr.endswith("__") \
                    and node.attr not in ALLOWED_DUNDERS:
                flag(node, f"uses the attribute {node.attr}")
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                if name in guarded:
                    flag(node, f"declares {name} global")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            tlist = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for tgt in (t for tt in tlist for t in targets(tt)):
                if isinstance(tgt, (ast.Attribute, ast.Subscript)):
                    name = root_name(tgt)
                    if name in imported or name in BUILTIN_NAMES or name in protected:
                        flag(node, f"assigns to an attribute of the imported module {name}"
                             if name in imported else f"assigns into {name}")
    # top-level rebinding of protected names (functions and classes may use any local names)
    for node in tree.body:
        bound: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With)):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                    bound.append(sub.id)
        for sub in ast.walk(node):
            if isinstance(sub, ast.NamedExpr):
                bound.append(sub.target.id)
        for name in bound:
            if name in guarded:
                flag(node, f"rebinds the name {name}")
    return min(findings) if findings else None


def _trusted_sources(resources) -> tuple[set[str], set[str]]:
    """Sources of the instructor's locked/graded cells and the names their imports bind."""
    from nbgrader.api import Gradebook

    info = resources.get("nbgrader", {})
    sources: set[str] = set()
    with Gradebook(info["db_url"], info.get("course_id", "")) as gb:
        notebook = gb.find_notebook(info["notebook"], info["assignment"])
        for cell in notebook.source_cells:
            if cell.locked or cell.name in {g.name for g in notebook.grade_cells}:
                sources.add(cell.source.strip())
    names: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(_python_source(source))
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return sources, names


def _is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def tamper_error(message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename="TamperScreen", evalue=message,
                        traceback=[f"TamperScreen: {message}"])


class TamperScreen(NbGraderPreprocessor):
    """Zero the test cells that follow student code able to reach into the grader (see module)."""

    def preprocess(self, nb, resources):
        sources, names = _trusted_sources(resources)
        reason = None
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if _is_test_cell(cell) and reason:
                cell.outputs.append(tamper_error(reason))  # after the cell's own error, if any
                continue
            if reason or cell.source.strip() in sources:
                continue
            found = screen_source(cell.source, names)
            if found:
                line, why = found
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", f"#{index + 1}")
                reason = (f"the code of cell {grade_id} (line {line}) {why}, a way to change how "
                          "the grader works; the tests after it are not trusted and get no "
                          "points. Remove it; an instructor reviews flagged notebooks.")
                self.log.warning("TamperScreen: %s", reason)
                resources.setdefault("backprop_grading", {}).setdefault(
                    "tamper_screen", []).append(reason)
        return nb, resources


# ---- sanitizing: metadata edits must cost marks, not crash the grader --------------------------
class RestoreCellFlags(NbGraderPreprocessor):
    """Reset grade/solution/locked/points of cells with a known grade_id to the gradebook's."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        info = resources.get("nbgrader", {})
        with Gradebook(info["db_url"], info.get("course_id", "")) as gb:
            source = gb.find_notebook(info["notebook"], info["assignment"])
            cells = {c.name: c for c in source.source_cells}
            grades = {c.name: c.max_score for c in source.grade_cells}
            solutions = {c.name for c in source.solution_cells}
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader")
            if not isinstance(meta, dict) or meta.get("grade_id") not in cells:
                continue
            gid = meta["grade_id"]
            meta.update(grade=gid in grades, solution=gid in solutions,
                        locked=bool(cells[gid].locked), schema_version=3)
            if gid in grades:
                meta["points"] = float(grades[gid])
        return nb, resources


class DropEmptyNbgraderMetadata(NbGraderPreprocessor):
    """Remove the ``{}`` nbgrader metadata DeduplicateIds leaves on duplicated cells."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {})
        if "nbgrader" in meta and not meta["nbgrader"]:
            del meta["nbgrader"]
        return cell, resources


# ---- execution in the grading kernel ---------------------------------------------------------
def _error(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message,
                        traceback=[f"{ename}: {message}"])

class GradingExecute(Execute):
    """nbgrader's Execute in the sandboxed kernel, with a per-cell output cap on this side."""

    kernel_name = Unicode(KERNEL_NAME).tag(config=True)
    output_cap = Integer(
        int(os.environ.get("BACKPROP_GRADE_OUTPUT_BYTES") or 1_000_000),
        help="characters of text output kept per cell; the rest is dropped with a note",
    ).tag(config=True)

    notebook_budget = Integer(
        int(os.environ.get("BACKPROP_NOTEBOOK_BUDGET") or 900),
        help="seconds one notebook may run in all; later cells are not run (and say so)",
    ).tag(config=True)

    def kernel_arguments(self, resources) -> list[str]:
        """The kernel's extra arguments: the problem set's data folder (``--backprop-data``)."""
        info = (resources or {}).get("nbgrader", {})
        if not info.get("assignment"):
            return list(self.extra_arguments)
        folder = source_folder(self.config, info["assignment"])
        args = [a for a in self.extra_arguments if not a.startswith("--backprop-data=")]
        return [*args, f"--backprop-data={folder}"]

    start_attempts = Integer(
        3, help="times a kernel that dies before it answers (no cell has run) is started",
    ).tag(config=True)

    async def async_start_new_kernel(self, **kwargs):
        """Start the kernel with the problem set's data folder (``launch.py --backprop-data``)."""
        self.extra_arguments = self.kernel_arguments(self.resources)
        self.__dict__["_start_kwargs"] = kwargs
        return await super().async_start_new_kernel(**kwargs)

    async def async_start_new_kernel_client(self):
        """Connect to the kernel; start it again if it died before answering.

        Before its first answer no cell of the submission has run, so a kernel that died then
        (e.g. two workers' kernels were given the same free port, and the second could not bind
        it) says nothing about the submission: it is started again, up to ``start_attempts``
        times in all, and only then does the submission fail.
        """
        for attempt in range(1, self.start_attempts + 1):
            try:
                return await super().async_start_new_kernel_client()
            except RuntimeError as exc:
                if (attempt == self.start_attempts or not self.owns_km
                        or "died before replying" not in str(exc)):
                    raise
                self.log.warning("grading kernel died while starting (%s); starting another "
                                 "(attempt %d of %d)", exc, attempt + 1, self.start_attempts)
            self.km = self.create_kernel_manager()
            await self.async_start_new_kernel(**self.__dict__.get("_start_kwargs", {}))

    # nbclient's synchronous wrappers (used by nbconvert's preprocess) were made from its own
    # coroutines: rebuilt from these, so that the overrides above are the ones that run
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess(self, nb, resources=None, km=None):
        """Run the notebook; with the kernel pool on, in a pre-started kernel (``KernelPool``).

        The kernel comes from ``kernel_pool().take``: started for this problem set, sent nothing
        yet. Before it runs anything, the previous submission's kernel has exited and its
        launcher has cleaned up. Afterwards this kernel is asked to shut down (``retire``); the
        next submission waits for its exit before running anything.
        """
        if km is not None or not kernel_pool_enabled():
            return super().preprocess(nb, resources, km)
        from nbgrader.coursedir import CourseDirectory

        pool = kernel_pool()
        pool.finish_retired()
        key = (self.kernel_name, tuple(self.kernel_arguments(resources)))
        km = pool.take(key, self.config, CourseDirectory(config=self.config).root)
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None
            self.km = None
            pool.retire(km)

    def preprocess_cell(self, cell, resources, index):
        import time

        start = self.__dict__.setdefault("_start", time.monotonic())
        if not self.__dict__.get("_dead") and time.monotonic() - start > self.notebook_budget:
            self.__dict__["_dead"] = (f"not run: the notebook used up its time budget of "
                                      f"{self.notebook_budget} s")
        if self.__dict__.get("_dead"):
            if cell.cell_type == "code":
                cell.outputs = [_error("NotRun", self.__dict__["_dead"])]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self.__dict__["_dead"] = "not run: the grading kernel died in an earlier cell"
            cell.outputs.append(_error(
                "DeadKernelError", "the grading kernel died while running this cell (it exited, "
                "crashed, was killed, or used up its CPU time limit)"))
        except CellTimeoutError as exc:
            cell.outputs.append(_error("CellTimeoutError", str(exc).splitlines()[0][:300]))
        return cell, resources

    def _budget(self, cell_index):
        budgets = self.__dict__.setdefault("_budgets", {})
        return budgets.setdefault(cell_index, {"left": self.output_cap, "cut": set()})

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        kind = msg.get("msg_type")
        size = 0
        if kind == "stream":
            size = len(content.get("text", ""))
        elif kind in ("display_data", "execute_result", "update_display_data"):
            size = sum(len(str(v)) for v in content.get("data", {}).values())
        elif kind == "error":
            content["traceback"] = list(content.get("traceback", []))[-50:]
            content["evalue"] = str(content.get("evalue", ""))[:10_000]
        budget = self._budget(cell_index)
        if size and size > budget["left"]:
            name = content.get("name", "stdout") if kind == "stream" else "stdout"
            budget["left"] = 0
            if name in budget["cut"]:
                return None
            budget["cut"].add(name)
            note = f"\n[grader: output cut after {self.output_cap} characters]\n"
            msg = dict(msg, msg_type="stream", content={"name": name, "text": note})
        else:
            budget["left"] -= size
        return super().output(outs, msg, display_id, cell_index)

    def clear_output(self, outs, msg, cell_index):
        if 0 <= cell_index < len(self.nb.cells) and _is_test_cell(self.nb.cells[cell_index]):
            return  # a test cell's error must stay visible
        return super().clear_output(outs, msg, cell_index)


# ---- a pool of pre-started grading kernels (tools/grade_class.py turns it on) ----------------
POOL_VARIABLE = "BACKPROP_KERNEL_POOL"


def kernel_pool_enabled() -> bool:
    """Whether ``GradingExecute`` takes its kernels from the pool (``BACKPROP_KERNEL_POOL=1``)."""
    return os.environ.get(POOL_VARIABLE, "0") == "1"


class KernelPool:
    """Grading kernels started ahead of time, one waiting per (kernel name, arguments).

    Every kernel is an ordinary ``backprop-grader`` kernel (``launch.py``: its own scratch folder,
    throw-away uid, private /tmp, rlimits) started by an ``AsyncKernelManager``; the pool only
    changes *when* it starts. ``take`` hands out the waiting kernel (or starts one) and at once
    starts the next one for the same problem set, so that its start-up (the launcher, the
    sandbox, importing ipykernel) overlaps with the grading of this submission. A kernel handed
    out has had nothing sent to it: no client connected to it before, so it has run no code of
    any student. Each kernel is used for one notebook only: ``retire`` asks it to shut down (as
    nbclient does: interrupt, then a shutdown request) and ``finish_retired`` waits for it to exit
    (killing it after ``shutdown_wait_time``), which ``GradingExecute`` calls before the next
    notebook runs. Kernels still waiting when the process exits are shut down the same way
    (and a launcher whose grading process dies takes its kernel with it, see ``launch.py``).

    One pool per grading process (``kernel_pool()``); not thread-safe.
    """

    def __init__(self):
        self.waiting: dict[tuple, object] = {}
        self.retired: list = []
        self.started = 0
        import atexit

        atexit.register(self.close)

    @staticmethod
    def _run(coroutine_function, *args, **kwargs):
        return run_sync(coroutine_function)(*args, **kwargs)

    def _start(self, key: tuple, config, cwd: str):
        from jupyter_client.manager import AsyncKernelManager

        name, arguments = key
        km = AsyncKernelManager(kernel_name=name, config=config)
        self._run(km.start_kernel, extra_arguments=list(arguments), cwd=cwd)
        self.started += 1
        return km

    def take(self, key: tuple, config, cwd: str):
        """A started kernel for ``key`` that has run nothing; start the next one for ``key``."""
        km = self.waiting.pop(key, None)
        if km is not None and not self._run(km.is_alive):
            self.retire(km)  # died while waiting (killed, out of memory): never used
            self.finish_retired()
            km = None
        if km is None:
            km = self._start(key, config, cwd)
        try:
            self.waiting[key] = self._start(key, config, cwd)
        except Exception as exc:  # noqa: BLE001 - the next submission starts its own then
            import logging

            logging.getLogger(__name__).warning("could not pre-start a grading kernel: %s", exc)
        return km

    def retire(self, km) -> None:
        """Ask a kernel to shut down (it is never used again); ``finish_retired`` waits for it."""
        try:
            km.stop_restarter()
            km.shutting_down = True
            if self._run(km.is_alive):
                self._run(km.interrupt_kernel)
                self._run(km.request_shutdown)
        except Exception:  # noqa: BLE001 - finish_retired kills it if it did not hear
            pass
        self.retired.append(km)

    def finish_retired(self) -> None:
        """Wait until every retired kernel has exited (killed if it takes too long)."""
        while self.retired:
            km = self.retired.pop()
            try:
                if km.has_kernel:
                    self._run(km.finish_shutdown)
                self._run(km.cleanup_resources)
            except Exception as exc:  # noqa: BLE001 - e.g. nbclient cleaned it up already
                import logging

                logging.getLogger(__name__).debug("retired kernel: %s", exc)

    def close(self) -> None:
        """Shut down the waiting kernels and wait for every kernel of the pool to exit."""
        while self.waiting:
            self.retire(self.waiting.popitem()[1])
        self.finish_retired()


_POOL: KernelPool | None = None


def kernel_pool() -> KernelPool:
    """This process's ``KernelPool`` (created on first use)."""
    global _POOL
    if _POOL is None:
        _POOL = KernelPool()
    return _POOL


# ---- what a submission may hand in ------------------------------------------------------------
NBGRADER_FILES = {"timestamp.txt", "submission_secret.txt"}  # written by `nbgrader submit`


def source_folder(config, assignment: str) -> Path:
    """The problem set's folder in the course's source directory (``solutions/<ps>``)."""
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    return Path(coursedir.format_path(coursedir.source_directory, ".", assignment))


def shipped_files(source: Path) -> set[str]:
    """Relative paths of the files a problem set ships: its notebooks and data files."""
    if not source.is_dir():
        return set()
    skipped = {".ipynb_checkpoints", "__pycache__", ".pytest_cache", ".hypothesis", "feedback"}
    return {str(p.relative_to(source)) for p in source.rglob("*")
            if (p.is_file() or p.is_symlink()) and not skipped.intersection(p.relative_to(
                source).parts) and p.suffix != ".pyc"}


def unexpected_files(submitted: Path, source: Path) -> list[str]:
    """Files handed in under ``submitted`` that the problem set does not ship (sorted).

    Only the problem set's own files are expected (``shipped_files``: its notebooks and data
    files, whose instructor copies are what the kernel gets) and the two files ``nbgrader submit``
    writes. Every other file, folder content or link is reported; none reaches the kernel.

    Example: a ``helpers/grading.py`` next to the notebook gives ``["helpers/grading.py"]``.
    """
    if not submitted.is_dir():
        return []
    expected = shipped_files(source) | NBGRADER_FILES
    found = []
    for path in sorted(submitted.rglob("*")):
        rel = str(path.relative_to(submitted))
        if path.is_symlink() or path.is_file():
            if rel not in expected:
                found.append(rel + (" (a link)" if path.is_symlink() else ""))
        elif path.is_dir() and not any(path.iterdir()):
            found.append(rel + "/")
    return found


# ---- scores: a test cell scores only if it raised nothing ------------------------------------
def score_of_test_cell(cell) -> float:
    """Points of a test cell: 0 if any output is an error (or stderr, as in nbgrader), else all.

    Unlike nbgrader's ``determine_grade``, nothing a cell *displays* counts: a result written to
    the display hook before an error (or a number, which nbgrader reads as partial credit) does
    not change the score.
    """
    points = float(cell.metadata["nbgrader"]["points"])
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return 0.0
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return 0.0
    return points


def _first_line(output) -> str:
    value = str(output.get("evalue", "")).strip().splitlines()
    return f"{output.get('ename')}: {value[0] if value else ''}"[:300]


class FinalVerdict(NbGraderPreprocessor):
    """Make displayed results irrelevant to scores and record what happened in the notebook.

    Runs after execution and the tamper screen, before the scores are saved. In every test cell,
    ``execute_result`` outputs become ``display_data`` (same content, shown in the feedback), so
    nbgrader's scoring, which stops at the first ``execute_result``, sees every error. It writes
    ``nb.metadata["backprop_grading"]`` for the report (``tools/grade_class.py``):
    ``tamper_screen`` (the screen's verdicts), ``unexpected_files`` (handed in, not shipped with
    the problem set, never given to the kernel) and ``test_cells`` (for each test cell that
    errored or displayed something, a result or rich output: ``error`` and/or
    ``displayed_result``), and logs each oddity.
    """

    def preprocess(self, nb, resources):
        record = {"tamper_screen": [], "unexpected_files": [], "test_cells": {}}
        record.update(resources.get("backprop_grading", {}))
        info = resources.get("nbgrader", {})
        if info.get("assignment") and info.get("student"):
            from nbgrader.coursedir import CourseDirectory

            coursedir = CourseDirectory(config=self.config)
            submitted = Path(coursedir.format_path(coursedir.submitted_directory,
                                                   info["student"], info["assignment"]))
            record["unexpected_files"] = unexpected_files(
                submitted, source_folder(self.config, info["assignment"]))
            for name in record["unexpected_files"]:
                self.log.warning("unexpected file handed in (not given to the kernel): %s", name)
        for index, cell in enumerate(nb.cells):
            if not _is_test_cell(cell):
                continue
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", f"#{index + 1}")
            note = {}
            for output in cell.get("outputs", []):
                if output.get("output_type") == "execute_result":
                    output["output_type"] = "display_data"
                    output.pop("execution_count", None)
                    note["displayed_result"] = True
                elif output.get("output_type") == "display_data":
                    note["displayed_result"] = True
                elif output.get("output_type") == "error" and "error" not in note:
                    note["error"] = _first_line(output)
            if note:
                record["test_cells"][gid] = note
            if note.get("error") and note.get("displayed_result"):
                self.log.warning("test cell %s displayed a result and raised %s: scored 0",
                                 gid, note["error"])
        nb.metadata["backprop_grading"] = record
        return nb, resources


class SaveTestScores(SaveAutoGrades):
    """nbgrader's SaveAutoGrades with ``score_of_test_cell`` for test cells (see FinalVerdict)."""

    def _add_score(self, cell, resources):
        if not _is_test_cell(cell):
            return super()._add_score(cell, resources)
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"],
                                          self.notebook_id, self.assignment_id, self.student_id)
        grade.auto_score = score_of_test_cell(cell)
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()


def kernel_available() -> bool:
    return (KERNELS / KERNEL_NAME / "kernel.json").is_file()


def configure(c) -> None:
    """Apply the grading settings to an nbgrader config object ``c`` (see module docstring)."""
    from jupyter_core.paths import jupyter_path

    if os.environ.get("BACKPROP_GRADER_SANDBOX", "1") == "0":
        return  # documented escape hatch: plain nbgrader autograde
    # BACKPROP_TAMPER_SCREEN=0 leaves the screen out (to see what the checks alone stop)
    dirs = list(jupyter_path("kernels"))
    c.KernelSpecManager.kernel_dirs = [*dirs, str(KERNELS)] if str(KERNELS) not in dirs else dirs
    c.Autograde.sanitize_preprocessors = [
        ClearOutput, DeduplicateIds, DropEmptyNbgraderMetadata, RestoreCellFlags,
        OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
    ]
    screen = [TamperScreen] if os.environ.get("BACKPROP_TAMPER_SCREEN", "1") != "0" else []
    c.Autograde.autograde_preprocessors = [
        GradingExecute, IgnorePattern, _clear_metadata(), LimitOutput, *screen, FinalVerdict,
        SaveTestScores, AssignLatePenalties, CheckCellMetadata,
    ]


def _clear_metadata():
    from nbconvert.preprocessors import ClearMetadataPreprocessor

    return ClearMetadataPreprocessor
