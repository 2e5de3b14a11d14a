"""The benchmark harness runs once on tiny sizes to keep it working (no timings).

The harness run grades a tiny class in the sandbox and starts kernels, so it is in the integration
tier; the table formatting is a fast check."""

import json

import pytest

from benchmarks import run


@pytest.mark.integration
def test_harness_runs_every_benchmark_on_tiny_sizes(tmp_path, capsys):
    out = tmp_path / "bench.json"
    status = run.main(["--size", "tiny", "--out", str(out)])
    printed = capsys.readouterr().out
    result = json.loads(out.read_text())
    rows = result["rows"]
    errors = [r for r in rows if r["variant"] == "ERROR"]
    assert status == 0 and not errors, f"benchmarks failed: {errors}"
    names = {r["benchmark"] for r in rows}
    modules = run.discover()
    assert modules, "no benchmarks/bench_*.py found"
    assert len(names) >= len(modules), f"some modules produced no rows: {modules} vs {names}"
    for r in rows:
        assert set(run.COLUMNS) <= set(r), f"row lacks columns: {r}"
        if r["seconds"] is not None:
            assert r["seconds"] > 0, r
    assert "| benchmark" in printed and result["machine"]["cpus"] >= 1


def test_table_formats_missing_values():
    text = run.table([{"benchmark": "b", "variant": "v", "seconds": None, "baseline": None,
                       "ratio": 1.23456, "note": "not installed"}])
    assert "1.235" in text and "not installed" in text and " - " in text
