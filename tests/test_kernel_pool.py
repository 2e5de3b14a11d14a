"""The pool of pre-started grading kernels changes nothing but when kernels start.

A small class (the correct solutions, an untouched release, wrong answers, and hostile cases of
tests/hostile/corpus.py: a top-level infinite loop, a kernel that kills itself, tampering, reading
secrets) is graded with ``tools/grade_class.py`` twice, on two copies of one course: once with the
kernel pool (``--kernel-pool``: ``KernelPool`` in tools/grader_kernel/nbgrader_hooks.py) and
once without (``--no-kernel-pool``, the default). Every submission must get the same status, the
same score per cell, the same reasons and the same report of what grading noticed; the correct
solutions full marks and the release none. The unit tests at the end check the pool's
bookkeeping with a fake kernel manager: a kernel is handed out once, and every kernel it started
is shut down.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.hostile.corpus import build_corpus, load_problem_sets, write_submissions
from tests.nbgrader_utils import (
    PROBLEM_SETS,
    REPO,
    make_course,
    nbgrader,
    nbgrader_env,
    run,
)
from tools import grade_class

AVAILABLE = PROBLEM_SETS  # every solutions/<ps>/<ps>.ipynb (tools.problem_sets)
GRADER = [sys.executable, str(REPO / "tools" / "grade_class.py")]
# cases of the hostile corpus graded here, by the start of their names (the correct solutions of
# every problem set come first); about a dozen submissions
CHOSEN = ("correct-", "untouched-", "raise-before-", "loop-top-level-", "kill-kernel-",
          "wrong-values-", "flipped-flags-", "sys-modules-", "read-secrets-", "print-flood-")


def _what_grading_gave(report: dict) -> dict:
    """Per submission: status, per-cell score and message, and what grading noticed."""
    return {
        (student, ps): {
            "status": entry["status"],
            "cells": {gid: (cell["score"], cell.get("message", "")) for gid, cell in
                      entry["cells"].items()},
            "tamper_screen": entry["tamper_screen"],
            "unexpected_files": entry["unexpected_files"],
            "errored_cells": entry["errored_cells"],
        }
        for student, sets in report["students"].items() for ps, entry in sets.items()
    }


@pytest.mark.integration
@pytest.mark.timeout(3600)
@pytest.mark.skipif(not AVAILABLE, reason="no problem sets under solutions/ yet")
def test_grades_with_the_kernel_pool_equal_grades_without():
    root = Path(tempfile.mkdtemp(prefix="kernel-pool-test-"))
    try:
        env = nbgrader_env(root, BACKPROP_CELL_TIMEOUT="5", BACKPROP_NOTEBOOK_BUDGET="20",
                           BACKPROP_KERNEL_CPU_SECONDS="120")
        course = make_course(root / "a", AVAILABLE)
        for ps in AVAILABLE:
            nbgrader(course, env, "generate_assignment", ps, "--force", "--log-level=WARN")
        corpus = build_corpus(load_problem_sets(course, AVAILABLE), course, REPO)
        cases = [next(c for c in corpus if c.name.startswith(prefix))
                 for prefix in CHOSEN if any(c.name.startswith(prefix) for c in corpus)]
        cases += [c for c in corpus if c.name.startswith("correct-") and c not in cases]
        assert len(cases) >= 8, [c.name for c in cases]
        write_submissions(course, cases)
        twin = root / "b" / "course"
        shutil.copytree(course, twin)
        reports = {}
        for pool, folder in ((True, course), (False, twin)):
            out = root / f"pool-{pool}.json"
            run([*GRADER, "--course", str(folder), "--workers", "2", "--report", str(out),
                 "--kernel-pool" if pool else "--no-kernel-pool"], cwd=folder, env=env,
                timeout=1800)
            reports[pool] = json.loads(out.read_text())
        assert reports[True]["kernel_pool"] and not reports[False]["kernel_pool"]
        with_pool, without = (_what_grading_gave(reports[p]) for p in (True, False))
        assert len(with_pool) == len(cases) == len(without)
        differ = {key: (with_pool[key], without.get(key)) for key in with_pool
                  if with_pool[key] != without.get(key)}
        assert not differ, "the pool changed grades:\n" + "\n".join(
            f"{key}: pool {a}\n  no pool {b}" for key, (a, b) in differ.items())
        for case in cases:
            entry = reports[True]["students"][case.student][case.ps]
            if case.name.startswith("correct-"):
                assert entry["score"] == entry["max_score"] > 0, (case.name, entry)
            elif case.name.startswith(("untouched-", "kill-kernel-")):
                assert entry["score"] == 0 and entry["max_score"] > 0, (case.name, entry)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---- the pool's bookkeeping, with a fake kernel manager ---------------------------------------
class FakeKernelManager:
    """Records what the pool does to it; "alive" until shut down."""

    def __init__(self, kernel_name, config):
        self.kernel_name = kernel_name
        self.alive = False
        self.calls = []
        self.has_kernel = False

    async def start_kernel(self, extra_arguments, cwd):
        self.alive = self.has_kernel = True
        self.calls.append(("start", tuple(extra_arguments)))

    async def is_alive(self):
        return self.alive

    def stop_restarter(self):
        self.calls.append("stop_restarter")

    async def interrupt_kernel(self):
        self.calls.append("interrupt")

    async def request_shutdown(self):
        self.calls.append("request_shutdown")

    async def finish_shutdown(self):
        self.alive = self.has_kernel = False
        self.calls.append("finish_shutdown")

    async def cleanup_resources(self):
        self.calls.append("cleanup")


@pytest.fixture
def pool(monkeypatch):
    import jupyter_client.manager

    hooks = grade_class.grader_hooks()
    started = []

    def make(kernel_name, config):
        started.append(FakeKernelManager(kernel_name, config))
        return started[-1]

    monkeypatch.setattr(jupyter_client.manager, "AsyncKernelManager", make)
    the_pool = hooks.KernelPool()
    yield the_pool, started
    the_pool.close()


def test_pool_hands_out_each_kernel_once_and_starts_the_next(pool):
    the_pool, started = pool
    key = ("backprop-grader", ("--backprop-data=/course/solutions/ps1",))
    first = the_pool.take(key, None, "/course")
    second = the_pool.take(key, None, "/course")
    assert first is not second
    assert first.calls[0] == ("start", key[1]) and second.calls[0] == ("start", key[1])
    assert len(started) == 3 and the_pool.waiting[key] is started[2]  # the next one waits
    other = the_pool.take(("backprop-grader", ("--backprop-data=/x",)), None, "/course")
    assert other not in (first, second, started[2])


def test_pool_replaces_a_kernel_that_died_while_waiting(pool):
    the_pool, started = pool
    key = ("backprop-grader", ())
    the_pool.take(key, None, "/course")
    waiting = the_pool.waiting[key]
    waiting.alive = False  # killed while it waited
    handed = the_pool.take(key, None, "/course")
    assert handed is not waiting and handed.alive
    assert "cleanup" in waiting.calls


def test_retired_and_waiting_kernels_are_all_shut_down(pool):
    the_pool, started = pool
    key = ("backprop-grader", ())
    used = the_pool.take(key, None, "/course")
    the_pool.retire(used)
    assert "request_shutdown" in used.calls and used.alive  # asked, not yet waited for
    the_pool.finish_retired()
    assert not used.alive and used.calls[-1] == "cleanup"
    the_pool.close()
    assert not the_pool.waiting and not any(km.alive for km in started)
    assert all("request_shutdown" in km.calls and "cleanup" in km.calls for km in started)
