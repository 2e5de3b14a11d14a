"""Fast checks of the grader's pieces, without an nbgrader run: the tamper screen reads source as
it should (flags every way into the grader, leaves honest answers alone), and the kernel launcher
protects the right folders, finds folders other users cannot traverse, reads its limits from the
environment and never copies notebooks next to the kernel. The corpus itself is graded end to end
in tests/test_hostile_submissions.py (integration tier)."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.grader_kernel import launch, nbgrader_hooks

TAMPER_SNIPPETS = [
    "import numpy as np\nnp.allclose = lambda *a, **k: True",
    "import helpers.grading as g\ng.check = print",
    "get_ipython().input_transformers_post.append(lambda l: [])",
    "%load_ext autoreload",
    "!rm -rf /",
    "import ctypes",
    "import sys\nsys.modules['helpers.grading'] = None",
    "def f():\n    import gc\n    return gc.get_objects()",
    "setattr(print, 'x', 1)",
    "x = (lambda: 0).__globals__",
    "exec('1')",
    "len = lambda x: 0",
    "class check:\n    pass",
    "for abs in range(3):\n    pass",
    "import builtins\nbuiltins.abs = None",
    "__builtins__['abs'] = None",
]
HONEST = [
    "import numpy as np\n\ndef grad(x):\n    return 2 * np.asarray(x)",
    "class Var:\n    def __init__(self, v):\n        self.v = v\n        self.grad = 0.0\n"
    "    def __add__(self, o):\n        out = Var(self.v + o.v)\n        self.grad += 1\n"
    "        return out",
    "from helpers import one_hot, softmax\nfrom threadpoolctl import threadpool_limits",
    "def f(x, check=None):\n    np = 3\n    return x + np",
]


@pytest.mark.parametrize("source", TAMPER_SNIPPETS)
def test_screen_flags_ways_into_the_grader(source):
    found = nbgrader_hooks.screen_source(source, {"np", "check"})
    assert found is not None, f"not flagged: {source!r}"
    line, reason = found
    assert line >= 1 and reason


@pytest.mark.parametrize("source", HONEST)
def test_screen_leaves_honest_answers_alone(source):
    assert nbgrader_hooks.screen_source(source, {"np", "check"}) is None


NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda n: n not in nbgrader_hooks.BUILTIN_NAMES and n not in {"np", "check"}
    and not __import__("keyword").iskeyword(n))


@settings(max_examples=60, deadline=None)
@given(NAMES, NAMES, st.integers(-5, 5), st.sampled_from(["+", "-", "*", "/", "**"]))
def test_screen_never_flags_plain_arithmetic_functions(fn, arg, k, op):
    source = f"def {fn}({arg}):\n    y = {arg} {op} {k}\n    return np.exp(y) {op} {arg}\n"
    assert nbgrader_hooks.screen_source(source, {"np", "check"}) is None


@settings(max_examples=60, deadline=None)
@given(NAMES, st.sampled_from(sorted(nbgrader_hooks.FORBIDDEN_CALLS - {"__builtins__"})))
def test_screen_always_flags_forbidden_calls_anywhere(fn, call):
    source = f"def {fn}(x):\n    if x > 0:\n        return {call}('x')\n    return x\n"
    assert nbgrader_hooks.screen_source(source, set()) == (3, f"uses {call}")


def test_protect_removes_only_other_users_access(tmp_path):
    (tmp_path / "solutions").mkdir(mode=0o755)
    (tmp_path / "exercises").mkdir(mode=0o755)
    (tmp_path / "gradebook.db").write_text("db")
    os.chmod(tmp_path / "gradebook.db", 0o666)
    changed = launch.protect(tmp_path)
    assert (tmp_path / "solutions").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "gradebook.db").stat().st_mode & 0o777 == 0o660
    assert (tmp_path / "exercises").stat().st_mode & 0o777 == 0o755, "the release is public"
    assert set(changed) == {str(tmp_path / "solutions"), str(tmp_path / "gradebook.db")}
    assert launch.protect(tmp_path) == [], "a second call changes nothing"


def test_launcher_finds_folders_other_users_cannot_traverse(tmp_path):
    inner = tmp_path / "closed" / "open" / "python"
    inner.mkdir(parents=True)
    for folder in (tmp_path, tmp_path / "closed" / "open", inner):
        os.chmod(folder, 0o755)
    os.chmod(tmp_path / "closed", 0o700)
    blocked = launch.blocked_ancestors([str(inner)])
    assert (tmp_path / "closed", tmp_path / "closed" / "open") in blocked
    os.chmod(tmp_path / "closed", 0o711)
    assert (tmp_path / "closed", tmp_path / "closed" / "open") not in \
        launch.blocked_ancestors([str(inner)])


def test_launcher_limits_come_from_the_environment(monkeypatch):
    import resource

    monkeypatch.setenv("BACKPROP_KERNEL_MEMORY_MB", "512")
    monkeypatch.setenv("BACKPROP_KERNEL_CPU_SECONDS", "7")
    got = launch.limits()
    assert got[resource.RLIMIT_AS] == 512 * 2**20 and got[resource.RLIMIT_CPU] == 7
    monkeypatch.setenv("BACKPROP_KERNEL_CPU_SECONDS", "lots")
    with pytest.raises(SystemExit, match="BACKPROP_KERNEL_CPU_SECONDS"):
        launch.limits()


def test_copy_data_files_never_copies_notebooks(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "data").mkdir(parents=True)
    (src / "ps.ipynb").write_text("{hidden tests}")
    (src / "data" / "x.npz").write_bytes(b"123")
    launch.copy_data_files(src, dest)
    assert (dest / "data" / "x.npz").read_bytes() == b"123"
    assert not list(dest.rglob("*.ipynb"))
