"""Hostile submissions against the integrity of scores: files handed in, displayed results.

Every case sits on top of *wrong* answers (each answer function returns 2r+1, the corpus's
``wrong-values`` submission of the same problem set, its ``twin``) and must get exactly the twin's
marks: whatever a submission hands in next to the notebook or displays, a failing check stays a
failing check. Each case also says what the grading report must show about it (``report``):

* ``unexpected_files``: files handed in that the problem set does not ship (and that never reach
  the grading kernel);
* ``errored``: test cells right after the changed answers, which must be listed as errored;
* ``displayed``: whether those test cells displayed a result (ignored for the score);
* ``tamper``: the tamper screen flagged a cell.

Two classes:

1. *Files that would change what the tests import.* A payload that, once imported in the kernel,
   blanks every cell that calls a check (an IPython input transformer) and replaces
   ``helpers.grading`` by a module whose checks do nothing: loaded, it gives full marks to wrong
   answers. It is handed in as ``helpers.py``, as a ``helpers/`` package whose ``grading`` is a
   sub-package, as a ``numpy/`` package that loads the real numpy, behind a symbolic link, as
   ``sitecustomize.py``, a ``.pth`` file, an IPython kernel configuration file, and as a module
   the answers import later (``threadpoolctl.py``).
2. *Displayed results before a failing check.* An answer function writes a value to the display
   hook (reached through ``sys`` attributes of modules the tamper screen allows: ``contextlib.sys``,
   ``typing.sys``, ``collections._sys``), a number (nbgrader reads a number as partial credit), a
   display that fails to format, a rich ``display`` (not a result), and the same through a flagged
   ``import sys`` (the tamper screen's verdict must be final).
"""

from __future__ import annotations

import copy

from tests.hostile.corpus import WRONG, Case, ProblemSet, _after_setup, _code, _dump, _wrap_all

# ---- the payload: blank the test cells, fake the checks ---------------------------------------
PAYLOAD = '''
import sys as _sys
import types as _types


def _fake_grading():
    fake = _types.ModuleType("helpers.grading")
    fake.check = lambda *args, **kwargs: None
    fake.register_data = lambda *args, **kwargs: None
    fake.__getattr__ = lambda name: (lambda *args, **kwargs: None)
    return fake


def _blank_checks():
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.input_transformers_post.append(
            lambda lines: ["pass\\n"] if any("check(" in line or "backprop-grading" in line
                                            for line in lines) else lines)


_blank_checks()
'''

# a module that stands in for the package `helpers`: real sub-modules, fake checks
HELPERS_MODULE = PAYLOAD + '''
import importlib.machinery as _machinery

for _finder in _sys.meta_path:
    if _finder is _machinery.PathFinder or not hasattr(_finder, "find_spec"):
        continue
    _spec = _finder.find_spec("helpers", None)
    if _spec is not None and _spec.submodule_search_locations:
        __path__ = list(_spec.submodule_search_locations)
        break
else:
    __path__ = []
_sys.modules["helpers.grading"] = grading = _fake_grading()
'''

# a numpy package that installs the payload, then hands over the real numpy
NUMPY_PACKAGE = PAYLOAD + '''
import os as _os

_here = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
_saved = list(_sys.path)
_sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or ".") != _here]
del _sys.modules["numpy"]
import numpy as _real  # noqa: E402
import helpers as _helpers  # noqa: E402

_sys.path[:] = _saved
_helpers.grading = _sys.modules["helpers.grading"] = _fake_grading()
_sys.modules["numpy"] = _real
'''

# a standalone module imported by the answers (after the checker is installed)
LATE_MODULE = PAYLOAD + '''
_sys.modules["helpers.grading"] = _fake_grading()


def threadpool_limits(*args, **kwargs):
    import contextlib
    return contextlib.nullcontext()
'''

PTH = "import sys; exec(open(__file__.replace('.pth', '_payload.py')).read())\n"


def _files(label: str) -> tuple[dict[str, bytes], dict[str, str], list[str], bool]:
    """(files, links, names the report must list, import threadpoolctl in the answers)."""
    b = str.encode
    if label == "helpers-module":
        return {"helpers.py": b(HELPERS_MODULE)}, {}, ["helpers.py"], False
    if label == "helpers-subpackage":
        own = HELPERS_MODULE.replace(
            '_sys.modules["helpers.grading"] = grading = _fake_grading()',
            "import os as _os\n__path__.insert(0, _os.path.dirname(__file__))\n")
        files = {"helpers/__init__.py": b(own),
                 "helpers/grading/__init__.py": b(PAYLOAD + "\ncheck = register_data = "
                                                  "lambda *args, **kwargs: None\n")}
        return files, {}, list(files), False
    if label == "numpy-package":
        return {"numpy/__init__.py": b(NUMPY_PACKAGE)}, {}, ["numpy/__init__.py"], False
    if label == "linked-helpers":
        files = {"store/helpers.py": b(HELPERS_MODULE)}
        return files, {"helpers.py": "store/helpers.py"}, ["store/helpers.py",
                                                           "helpers.py (a link)"], False
    if label == "sitecustomize":
        files = {"sitecustomize.py": b(HELPERS_MODULE), "usercustomize.py": b(HELPERS_MODULE)}
        return files, {}, list(files), False
    if label == "pth-file":
        files = {"zz_grading.pth": b(PTH), "zz_grading_payload.py": b(HELPERS_MODULE)}
        return files, {}, list(files), False
    if label == "kernel-config":
        files = {name: b(PAYLOAD + '\n_sys.modules["helpers.grading"] = _fake_grading()\n')
                 for name in ("ipython_kernel_config.py", "ipython_config.py",
                              "jupyter_config.py")}
        return files, {}, list(files), False
    if label == "late-import":
        return {"threadpoolctl.py": b(LATE_MODULE)}, {}, ["threadpoolctl.py"], True
    raise KeyError(label)


FILE_CASES = ["helpers-module", "helpers-subpackage", "numpy-package", "linked-helpers",
              "sitecustomize", "pth-file", "kernel-config", "late-import"]

# name -> (code defining _shout(r), flagged by the tamper screen)
DISPLAY_CASES = {
    "displayhook-contextlib": ("import contextlib\n\ndef _shout(r):\n"
                               "    contextlib.sys.displayhook('all checks passed')\n"
                               "    return r\n", False),
    "displayhook-number": ("import typing\n\ndef _shout(r):\n"
                           "    typing.sys.displayhook(1000)\n    return r\n", False),
    "displayhook-collections": ("import collections\n\ndef _shout(r):\n"
                                "    collections._sys.displayhook(True)\n"
                                "    collections._sys.displayhook(None)\n    return r\n", False),
    "displayhook-bad-repr": ("import dataclasses\n\nclass _Loud:\n"
                             "    def __repr__(self):\n"
                             "        raise RuntimeError('cannot show this')\n\n"
                             "def _shout(r):\n    dataclasses.sys.displayhook(1.0)\n"
                             "    dataclasses.sys.displayhook(_Loud())\n    return r\n", False),
    "rich-display": ("def _shout(r):\n    display({'text/plain': 'ok'}, raw=True)\n"
                     "    display(1.0)\n    return r\n", False),
    "displayhook-flagged": ("import sys\n\ndef _shout(r):\n    sys.displayhook(1.0)\n"
                            "    return r\n", True),
}


def wrong_answers(ps: ProblemSet) -> tuple:
    """The solutions with every answer function returning 2r+1 (and the answer cells changed)."""
    nb = copy.deepcopy(ps.correct)
    changed = _wrap_all(nb, ps, "_wrong(r)")
    nb.cells.insert(_after_setup(nb), _code(WRONG))
    return nb, changed


def _tests_of(ps: ProblemSet, answers: set[str]) -> list[str]:
    return sorted(gid for gid, owner in ps.owner.items() if owner in answers)


def integrity_cases(problem_sets: list[ProblemSet], twins: dict[str, str],
                    suffix: str = "") -> list[Case]:
    """The cases above, spread over ``problem_sets``; ``twins[ps]`` is the wrong-values case."""
    cases = []
    labels = FILE_CASES + list(DISPLAY_CASES)
    for i, label in enumerate(labels):
        ps = problem_sets[i % len(problem_sets)]
        report: dict = {}
        files: dict[str, bytes] = {}
        links: dict[str, str] = {}
        if label in DISPLAY_CASES:
            code, flagged = DISPLAY_CASES[label]
            nb = copy.deepcopy(ps.correct)
            changed = _wrap_all(nb, ps, "_shout(_wrong(r))")
            nb.cells.insert(_after_setup(nb), _code(WRONG + "\n\n" + code))
            report = {"errored": _tests_of(ps, changed), "tamper": flagged,
                      "displayed": True}
        else:
            nb, changed = wrong_answers(ps)
            files, links, listed, late = _files(label)
            if late:
                nb.cells.insert(_after_setup(nb) + 1, _code(
                    "from threadpoolctl import threadpool_limits\n"))
            report = {"unexpected_files": listed, "errored": _tests_of(ps, changed)}
        cases.append(Case(name=f"{label}-{ps.ps.split('_')[0]}{suffix}", ps=ps.ps,
                          filename=ps.filename, content=_dump(nb), twin=twins[ps.ps],
                          at_most_twin=bool(report.get("tamper")), extra_files=files,
                          links=links, report=report, note="wrong answers plus " + label))
    return cases
