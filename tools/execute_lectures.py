"""Execute lecture notebooks in place, top to bottom, so that a second run leaves no diff.

``make notebooks`` calls this after ``jupytext --sync`` (and syncs again afterwards), in an
environment it isolates (HOME, IPYTHONDIR, MPLCONFIGDIR, JUPYTER_* in a temporary folder; one BLAS
thread). For each notebook:

1. execute a copy with nbclient (``--timeout`` seconds per cell, no execution timestamps), and
   merge consecutive pieces of one stream (a busy machine flushes a cell's prints in pieces);
2. give the widget models ids that follow from their order in the notebook instead of random ones;
3. keep a cell's stored outputs when the new ones differ only in what varies between runs (the
   rules of ``tests/nbval_sanitize.cfg``: wall times, memory addresses, widget model ids), and keep
   the stored widget state when no cell's outputs changed. So re-running an unchanged lecture
   rewrites nothing, and a real change shows as a diff of exactly the cells it changed.

Usage: ``python -m tools.execute_lectures [--timeout S] lectures/03_xor_network.ipynb ...``
"""

from __future__ import annotations

import argparse
import configparser
import copy
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
MODEL_ID = re.compile(r"\b[0-9a-f]{32}\b")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def sanitize_rules(path: Path = SANITIZE) -> list[tuple[re.Pattern, str]]:
    """The (regex, replacement) pairs of an nbval sanitize file, in order."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def comparable(outputs, rules) -> str:
    """The outputs as one string, compared as nbval compares them: consecutive pieces of a
    stream joined, every text masked with the sanitize rules."""

    def mask(value):
        if isinstance(value, str):
            for regex, replace in rules:
                value = regex.sub(replace, value)
            return MODEL_ID.sub("MODEL_ID", value)
        if isinstance(value, dict):
            return {key: mask(v) for key, v in value.items()}
        if isinstance(value, list):
            return [mask(v) for v in value]
        return value

    merged = []                    # a cell's prints, however the kernel's flushes split them
    for out in outputs:
        if (merged and out.get("output_type") == "stream"
                and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + out["text"]}
        else:
            merged.append(dict(out))
    return json.dumps(mask(merged), sort_keys=True)


def widget_ids_in_order(nb) -> list[str]:
    """Widget model ids: those shown by outputs in cell order, each followed by the models it
    refers to (depth first), then any model no output reaches, in a content-defined order."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    order: list[str] = []

    def visit(model_id: str):
        if model_id in order or model_id not in state:
            return
        order.append(model_id)
        for ref in re.findall(r"IPY_MODEL_([0-9a-f]{32})", json.dumps(state[model_id],
                                                                      sort_keys=True)):
            visit(ref)

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view:
                visit(view["model_id"])
    rest = [m for m in state if m not in order]
    rest.sort(key=lambda m: MODEL_ID.sub("", json.dumps(state[m], sort_keys=True)))
    for model_id in rest:
        visit(model_id)
    return order


def renumber_widgets(nb, name: str):
    """Replace random widget model ids by ids derived from ``name`` and each model's position."""
    mapping = {old: hashlib.md5(f"{name}:{i}".encode()).hexdigest()
               for i, old in enumerate(widget_ids_in_order(nb))}
    if not mapping:
        return nb
    pattern = re.compile("|".join(map(re.escape, mapping)))
    text = pattern.sub(lambda m: mapping[m.group(0)], nbformat.writes(nb))
    return nbformat.reads(text, as_version=4)


def settle(old, new, rules):
    """Keep ``old``'s outputs wherever ``new``'s differ only in run-to-run noise (see above).

    The stored widget state is kept when no cell changed; otherwise the new run's (renumbered)
    state is used, and so are the new outputs of every cell that shows a widget."""
    old_cells = {c.get("id"): c for c in old.cells if c.cell_type == "code"}
    code = [c for c in new.cells if c.cell_type == "code"]
    same = {}
    for cell in code:
        before = old_cells.get(cell.get("id"))
        same[id(cell)] = (before is not None and before.source == cell.source
                          and before.execution_count == cell.execution_count
                          and comparable(before.outputs, rules) == comparable(cell.outputs, rules))
    changed = not all(same.values())
    for cell in code:
        shows_widget = any(WIDGET_VIEW in out.get("data", {}) for out in cell.outputs)
        if same[id(cell)] and not (changed and shows_widget):
            cell.outputs = old_cells[cell.get("id")].outputs
    if not changed and "widgets" in old.metadata:
        new.metadata["widgets"] = old.metadata["widgets"]
    return new


def execute(path: Path, timeout: int, rules) -> bool:
    """Execute the notebook at ``path`` in place; return whether its file changed."""
    old = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(old)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})   # one print, one stream output
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb = settle(old, renumber_widgets(nb, path.stem), rules)
    nbformat.validate(nb)
    text = nbformat.writes(nb) + "\n"
    if text == path.read_text():
        return False
    path.write_text(text)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    rules = sanitize_rules()
    for path in args.notebooks:
        changed = execute(path, args.timeout, rules)
        print(f"{path}: {'outputs changed' if changed else 'executed, nothing changed'}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
