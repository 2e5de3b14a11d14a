"""The grading kernel process: ipykernel with stream output capped per cell.

Started by ``launch.py`` (never directly by Jupyter). After
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

from ipykernel import iostream
from ipykernel.kernelapp import IPKernelApp

LIMIT = int(os.environ.get("BACKPROP_KERNEL_OUTPUT_BYTES") or 1_000_000)
_written = {"n": 0, "cut": set()}
_write = iostream.OutStream.write


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
    iostream.OutStream.write = _capped_write
    app = IPKernelApp.instance()
    app.initialize(sys.argv[1:])
    app.shell.events.register("pre_execute", _reset)
    app.start()


if __name__ == "__main__":
    main()
