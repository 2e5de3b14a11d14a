"""The grading kernel process: ipykernel with stream output capped per cell, imports pinned.

Started by ``launch.py`` (never directly by Jupyter, with ``python -s -P``). Nothing of its
working folder is importable: ``''``, the working folder and every folder inside it are removed
from ``sys.path`` before the kernel starts and again after IPython set it up (IPython would insert
the working folder before site-packages), and IPython's ``ignore_cwd`` is on. If the launcher says
which ``helpers`` package the grader uses (``BACKPROP_HELPERS_ORIGIN``), the kernel refuses to start
when the import system would find another one. After
``BACKPROP_KERNEL_OUTPUT_BYTES`` characters (default 1,000,000) of stdout+stderr in one cell,
further output of that cell is dropped and one note says so (on stderr too if stderr was cut, so
that nbgrader still sees that the cell wrote to stderr). A print flood of hundreds of MB then costs
the time of the loop that prints, not the memory or time of sending it to the grader. Student code
runs in this process and could undo the cap; the grading process caps again
(``nbgrader_hooks.GradingExecute``).

Example::

    python kernel_main.py -f connection.json
"""

import os
import sys


def _inside(path: str, folder: str) -> bool:
    real = os.path.realpath(path or ".")
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def pin_sys_path(workdir: str | None = None) -> list[str]:
    """Remove ``''`` and every entry in ``workdir`` (default: the working folder) from sys.path.

    Returns the removed entries. Example: ``pin_sys_path()`` after ``sys.path.insert(0, "")``
    removes that ``""`` again.
    """
    folder = os.path.realpath(workdir or os.getcwd())
    # entries that are no folder (setuptools' "__editable__...__path_hook__" marker) stay
    removed = [p for p in sys.path
               if p in ("", ".") or (_inside(p, folder) and os.path.exists(p))]
    sys.path[:] = [p for p in sys.path if p not in removed]
    return removed


def check_helpers_origin() -> None:
    """Exit if ``helpers`` would come from elsewhere than ``BACKPROP_HELPERS_ORIGIN`` says."""
    import importlib.util

    want = os.environ.get("BACKPROP_HELPERS_ORIGIN", "")
    if not want:
        return
    spec = importlib.util.find_spec("helpers")
    got = os.path.realpath(spec.origin) if spec and spec.origin else "(not found)"
    if got != os.path.realpath(want):
        sys.exit(f"backprop-grader: the kernel would import helpers from {got}, expected the "
                 f"installed package at {want}; refusing to grade")


LIMIT = int(os.environ.get("BACKPROP_KERNEL_OUTPUT_BYTES") or 1_000_000)
_written = {"n": 0, "cut": set()}
_write = None  # ipykernel's OutStream.write, saved by main()


def _capped_write(self, string):
    if not isinstance(string, str):
        return _write(self, string)
    room = LIMIT - _written["n"]
    if room > 0:
        _written["n"] += len(string)
        _write(self, string[:room])
        return len(string)
    if self.name not in _written["cut"]:
        _written["cut"].add(self.name)
        _write(self, f"\n[grader: output of this cell cut after {LIMIT} characters]\n")
    return len(string)


def _reset(*_args):
    _written["n"] = 0
    _written["cut"].clear()


def main():
    global _write
    pin_sys_path()  # before anything is imported from the working folder
    from ipykernel import iostream
    from ipykernel.kernelapp import IPKernelApp

    _write = iostream.OutStream.write
    iostream.OutStream.write = _capped_write
    app = IPKernelApp.instance()
    app.initialize([*sys.argv[1:], "--IPKernelApp.ignore_cwd=True"])
    pin_sys_path()  # IPython may have added the working folder
    check_helpers_origin()
    app.shell.events.register("pre_execute", _reset)
    app.start()


if __name__ == "__main__":
    main()
