"""Every catalogued mistake of the scalar problem sets fails the same cells at many fresh points.

The hidden tests draw a fresh random point at every run, so a test point at which a mistake's
effect is smaller than the tolerance (a left-out branch whose message is near 0, 1 - a² against
1 - tanh²(a) near a = 0) makes a wrong answer pass now and then: the mark of that student would
change from one grading run to the next. tests/test_grading.py runs each mistake once; this runs
the cheap problem sets' mistakes (scalar checks, no training) at ``RUNS`` more sets of points.
The catalogue's expected cells must fail at every one of them.
"""
from __future__ import annotations

import pytest

from tests.test_grading import CATALOGUES, run_notebook

RUNS = 8
SCALAR_SETS = ("ps1_chain_rule", "ps2_scalar_backprop")
CASES = [pytest.param(ps, m, id=f"{ps}-{m['name']}")
         for ps in SCALAR_SETS for m in CATALOGUES.get(ps, [])]


@pytest.mark.parametrize("ps,mistake", CASES)
def test_a_mistake_fails_its_cells_at_every_fresh_point(ps, mistake, capsys):
    outcomes = set()
    for _ in range(RUNS):
        results = run_notebook(ps, {mistake["grade_id"]: mistake["source"]})
        outcomes.add(tuple(sorted(k for k, v in results.items() if v is not None)))
    capsys.readouterr()  # the notebooks' prints
    assert outcomes == {tuple(sorted(mistake["expected_failing"]))}, outcomes


def test_the_cases_cover_both_scalar_sets():
    assert {p.values[0] for p in CASES} == set(SCALAR_SETS)
