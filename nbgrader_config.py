"""nbgrader configuration of the backprop course (read by every `nbgrader` command run from here).

Layout: `solutions/<ps>/` is nbgrader's source (solutions, visible and hidden tests),
`exercises/<ps>/` the generated student release (committed). Grading state (gradebook.db,
submitted/, autograded/, feedback/) stays in this folder and is git-ignored.

Environment variables:
  BACKPROP_EXCHANGE      exchange folder shared by instructor and students
                         (default: .exchange/ in this folder; use /srv/nbgrader/exchange on a
                         shared server)
  BACKPROP_CELL_TIMEOUT  seconds a single cell may run during validate/autograde (default 120)
"""

import os

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

c = get_config()  # noqa: F821  (injected by traitlets when it loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- course layout ---------------------------------------------------------------------------
c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")
# Data files next to a notebook are released with it; never ship caches.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache", ".hypothesis",
]

# ---- exchange (release / fetch / submit / collect / feedback) --------------------------------
c.Exchange.root = os.environ.get("BACKPROP_EXCHANGE", os.path.join(HERE, ".exchange"))

# ---- execution (validate and autograde) ------------------------------------------------------
# A runaway cell is interrupted after this many seconds; the run goes on with the next cell.
c.Execute.timeout = int(os.environ.get("BACKPROP_CELL_TIMEOUT", "120"))
c.Execute.interrupt_on_timeout = True


# ---- feedback: never show hidden tests -------------------------------------------------------
class StripTestTracebacks(Preprocessor):
    """Shorten errors of test cells to ``ErrorName: message``.

    ``ClearHiddenTests`` removes hidden tests from a cell's source, but an error's traceback quotes
    the failing source lines, hidden ones included. The message of ``helpers.grading`` checks is
    what a student needs; the traceback is dropped.
    """

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
        return cell, resources


from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [
    GetGrades,
    ClearHiddenTests,
    StripTestTracebacks,
    CSSHTMLHeaderPreprocessor,
]


# ---- grading untrusted code (docs/instructor-guide.md, "Threat model") -------------------------
# Autograde runs submissions in the sandboxed, resource-limited "backprop-grader" kernel, screens
# answers for tampering and scores a test cell only if it raised nothing
# (tools/grader_kernel/nbgrader_hooks.py). The tools are found next to this file, else in the
# course repository that provides the installed `helpers` package, and loaded by their file path
# (nothing is added to sys.path). BACKPROP_GRADER_SANDBOX=0 turns this off (plain nbgrader).
def _grader_tools():
    import importlib.util

    candidates = [os.environ.get("BACKPROP_GRADER_DIR", ""),
                  os.path.join(HERE, "tools", "grader_kernel")]
    spec = importlib.util.find_spec("helpers")
    if spec and spec.origin:
        repo = os.path.dirname(os.path.dirname(os.path.abspath(spec.origin)))
        candidates.append(os.path.join(repo, "tools", "grader_kernel"))
    found = [d for d in candidates if d and os.path.isfile(os.path.join(d, "nbgrader_hooks.py"))]
    return found[0] if found else None


def _load_grader_hooks(folder):
    """``folder/nbgrader_hooks.py``, loaded once per process as ``backprop_grader_hooks``."""
    import importlib.util
    import sys

    path = os.path.join(folder, "nbgrader_hooks.py")
    loaded = sys.modules.get("backprop_grader_hooks")
    if loaded is not None and os.path.samefile(loaded.__file__, path):
        return loaded
    spec = importlib.util.spec_from_file_location("backprop_grader_hooks", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["backprop_grader_hooks"] = module  # classes pickle and re-import by this name
    spec.loader.exec_module(module)
    return module


if os.environ.get("BACKPROP_GRADER_SANDBOX", "1") != "0" and _grader_tools():
    _kernels_parent = _grader_tools()
    _load_grader_hooks(_kernels_parent).configure(c)
    # KernelSpecManager.kernel_dirs is not a configurable trait, so the kernelspec is found
    # through JUPYTER_PATH (read by every kernel manager this process starts).
    _path = os.environ.get("JUPYTER_PATH", "")
    if _kernels_parent not in _path.split(os.pathsep):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (_kernels_parent, _path) if p)
