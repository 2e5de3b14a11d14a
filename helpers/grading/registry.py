"""The check modules of the problem sets, and the one table of checks built from them.

A check module is a module of this package named after its problem set (``ps<N>_<name>.py``, e.g.
``ps1_chain_rule.py``) with a function ``build(K, T)`` that returns ``(specs, forwards)``. Adding
one is all it takes to register it: :func:`check_module_names` finds it by its name.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from .spec_tools import make_tools

CHECK_MODULE = re.compile(r"ps\d+_\w+")


def check_module_names() -> list[str]:
    """Names of the check modules, e.g. ``["ps1_chain_rule", ..., "ps4_mnist"]``, sorted."""
    here = [str(Path(__file__).parent)]
    return sorted(m.name for m in pkgutil.iter_modules(here)
                  if CHECK_MODULE.fullmatch(m.name) and not m.ispkg)


def check_modules() -> list:
    """The check modules, imported."""
    return [importlib.import_module(f"{__package__}.{name}") for name in check_module_names()]


def build_specs(K) -> tuple[dict, dict]:
    """``({check name: spec}, {forward name: function})`` of every check module, built from the
    kit ``K`` (see :mod:`helpers.grading.spec_tools`). Two modules may not define the same name.
    """
    tools = make_tools(K)
    specs: dict = {}
    forwards: dict = {"sigmoid": tools["sigmoid"], "softmax": tools["softmax"]}
    for module in check_modules():
        more_specs, more_forwards = module.build(K, tools)
        for table, more in ((specs, more_specs), (forwards, more_forwards)):
            twice = sorted(set(table) & set(more))
            if twice:
                raise ValueError(f"{module.__name__} defines {twice} again")
            table.update(more)
    return specs, forwards
