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
import sys
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


def run_all(size: str, only: list[str] | None = None) -> list[dict]:
    """Run the benchmarks with BLAS pinned to one thread; a failing module gives an error row."""
    from threadpoolctl import threadpool_limits

    rows: list[dict] = []
    with threadpool_limits(limits=1):
        for name in discover():
            if only and not any(o in name for o in only):
                continue
            try:
                module = importlib.import_module(f"benchmarks.{name}")
                rows.extend(module.run(size))
            except Exception as exc:  # keep going: one broken benchmark must not hide the others
                traceback.print_exc()
                rows.append({"benchmark": name, "variant": "ERROR", "seconds": None,
                             "baseline": None, "ratio": None, "note": repr(exc)})
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
    args = parser.parse_args(argv)
    rows = run_all(args.size, args.only)
    print(table(rows))
    out = args.out or HERE / "results" / f"{args.size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine(), "size": args.size, "rows": rows}, indent=2))
    print(f"\nwritten to {out}")
    return 1 if any(r["variant"] == "ERROR" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
