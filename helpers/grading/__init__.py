"""The checks that the problem sets' nbgrader test cells run.

A check compares what a student's function returns with what it should return at a fresh random
point: gradients with central finite differences of a *forward* function that lives here (not in
the notebook), values with the same forward function. A failing check raises ``AssertionError``
with a message a student can act on: which gradient, which entries, how far off, and the mistake
:func:`helpers.gradcheck.diagnose` recognises (sign, factor 2, transpose, batch sum, ...).

Importing this package installs the sealed checker
---------------------------------------------------
``import helpers.grading`` calls :func:`helpers.grading.sealed.install`: it adds a process-wide
audit hook that answers the grading requests (once per process; later imports change nothing).
That is deliberate and the one place it happens: the locked first cell of every problem set
imports this package, so the checker captures its state before any student code runs, which the
hidden tests rely on. ``import helpers`` alone does not import this package. In a Jupyter kernel
the hook also watches every cell; only in the grading kernel (``BACKPROP_GRADING_KERNEL=1``) does it
refuse debuggers and profilers (see :mod:`helpers.grading.sealed`).

Using it
--------
In a visible test cell::

    from helpers.grading import check
    check("ps1.grad_f_z", grad_f_z)        # calls grad_f_z(z) at a fixed point, compares

In the hidden part of the same cell, the same check written out so that nothing the notebook
redefines can skip it (``_io`` receives the fresh inputs, the last line submits the answer and
the function, whose code is scanned)::

    _io = []
    (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.grad_f_z", _io)
    _fn = (grad_f_z)
    _answer = _fn(*_io[1])
    (lambda: 0).__defaults__ = ("backprop-grading:check", "ps1.grad_f_z", _io, _answer, _fn)

Modules: :mod:`~helpers.grading.api` (:func:`check`, :func:`register_data`, :func:`specs`,
:func:`describe`, :func:`forward`), :mod:`~helpers.grading.sealed` (the checker and why the hidden
check is written like that), :mod:`~helpers.grading.registry` (which check modules exist),
:mod:`~helpers.grading.spec_tools` (their building blocks and rules), and one check module per
problem set (``ps1_chain_rule`` ... ``ps4_mnist``).
"""
from __future__ import annotations

from . import sealed as _sealed
from .api import check, describe, forward, register_data, specs

__all__ = ["check", "register_data", "specs", "describe", "forward"]

_sealed.install()
