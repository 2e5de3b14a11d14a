"""The `make bench` harness: run every benchmarks/bench_*.py, print a table, write JSON.

Each benchmark module exposes ``run(size) -> list[dict]`` with rows
``{"benchmark", "variant", "seconds", "baseline", "ratio", "note"}``: ``seconds`` is the median of
several repeats, ``baseline`` names the row of the same benchmark the ratio is taken against (both
measured in this run), ``ratio`` is baseline_time / time (or a throughput ratio, as the note says).
BLAS is pinned to one thread for the whole run with threadpoolctl.

    python -m benchmarks.run              # full sizes, writes benchmarks/results/latest.json
    python -m benchmarks.run --size tiny  # a few seconds; what `make test` runs to keep it working
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ("benchmark", "variant", "seconds", "baseline", "ratio", "note")


def discover() -> list[str]:
    """Names of the benchmark modules, e.g. ``["bench_engine", "bench_mlp"]``."""
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def machine() -> dict:
    """What the figures were measured on."""
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def run_module(name: str, size: str) -> list[dict]:
    """One benchmark module's rows, BLAS pinned to one thread; a failure gives an error row."""
    from threadpoolctl import threadpool_limits

    try:
        with threadpool_limits(limits=1):
            return importlib.import_module(f"benchmarks.{name}").run(size)
    except Exception as exc:  # keep going: one broken benchmark must not hide the others
        traceback.print_exc()
        return [{"benchmark": name, "variant": "ERROR", "seconds": None, "baseline": None,
                 "ratio": None, "note": repr(exc)}]


def run_all(size: str, only: list[str] | None = None) -> list[dict]:
    """Run each benchmark module in a fresh Python process, so that what one imports (PyTorch,
    nbgrader) cannot slow down another (more live objects make Python's cycle collector slower)."""
    rows: list[dict] = []
    for name in discover():
        if only and not any(o in name for o in only):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "rows.json"
            done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--size", size,
                                   "--module", name, "--rows", str(out)], cwd=HERE.parent)
            if done.returncode == 0 and out.exists():
                rows.extend(json.loads(out.read_text()))
            else:
                rows.append({"benchmark": name, "variant": "ERROR", "seconds": None,
                             "baseline": None, "ratio": None,
                             "note": f"the benchmark process exited with {done.returncode}"})
    return rows


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table(rows: list[dict]) -> str:
    """A plain-text table of the rows (markdown-compatible)."""
    cells = [[_fmt(r.get(c)) for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) if cells else len(c)
              for i, c in enumerate(COLUMNS)]
    line = lambda vals: "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths)) + " |"
    out = [line(COLUMNS), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("tiny", "full"), default="full")
    parser.add_argument("--only", nargs="*", help="substrings of benchmark module names")
    parser.add_argument("--out", type=Path, help="JSON file to write")
    parser.add_argument("--module", help=argparse.SUPPRESS)  # internal: one module, in this process
    parser.add_argument("--rows", type=Path, help=argparse.SUPPRESS)  # where --module writes rows
    args = parser.parse_args(argv)
    if args.module:
        args.rows.write_text(json.dumps(run_module(args.module, args.size)))
        return 0
    rows = run_all(args.size, args.only)
    print(table(rows))
    out = args.out or HERE / "results" / f"{args.size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine(), "size": args.size, "rows": rows}, indent=2))
    print(f"\nwritten to {out}")
    return 1 if any(r["variant"] == "ERROR" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
