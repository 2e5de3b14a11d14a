"""Session-wide isolation: tests never write to the real home folder or need a display."""

import builtins
import os
import shutil
import tempfile

import pytest

_HOME = tempfile.mkdtemp(prefix="backprop-test-home-")
os.environ.update(
    {
        "HOME": _HOME,
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(_HOME, ".matplotlib"),
        "IPYTHONDIR": os.path.join(_HOME, ".ipython"),
        "JUPYTER_CONFIG_DIR": os.path.join(_HOME, ".jupyter"),
        "JUPYTER_DATA_DIR": os.path.join(_HOME, ".local", "share", "jupyter"),
        "JUPYTER_RUNTIME_DIR": os.path.join(_HOME, ".local", "share", "jupyter", "runtime"),
        "BACKPROP_DATA": os.path.join(_HOME, "backprop-data"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
)


@pytest.fixture
def isolated_home(tmp_path, monkeypatch):
    """A fresh HOME for one test (for tools that write caches or config under it)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


# ----------------------------------------------------------------------------- tiers
# The class-sized load test belongs to the `load` tier (`make test-load`, and at CI size in
# `make test-all`); these node ids are marked `load` here until their module marks them itself.
LOAD_TESTS = {
    "tests/test_grade_class.py::test_two_workers_give_exactly_the_grades_of_a_serial_run",
}
# A load test grades every submission twice (2 workers, then serially), about 6 s each on a quiet
# 2-core machine: its time-out grows with BACKPROP_LOAD_SUBMISSIONS, with room for a busy day.
LOAD_SECONDS_PER_SUBMISSION = 20
LOAD_SECONDS_FIXED = 600


def load_timeout() -> int:
    submissions = int(os.environ.get("BACKPROP_LOAD_SUBMISSIONS", "200"))
    return LOAD_SECONDS_FIXED + LOAD_SECONDS_PER_SUBMISSION * submissions


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid in LOAD_TESTS and item.get_closest_marker("load") is None:
            item.add_marker(pytest.mark.load)
        if item.get_closest_marker("load") and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(load_timeout()))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Undo a test's rebinding of builtins (``len``, ``range``...) as soon as its body ends.

    pytest-xdist sends each test's report from the worker process before the test's fixtures
    (monkeypatch) are torn down; with ``len`` or ``range`` still rebound, that message is
    corrupted and the worker dies. The fixtures' own teardown then finds the originals in place.
    """
    saved = dict(vars(builtins))
    try:
        yield
    finally:
        current = vars(builtins)
        for name, value in saved.items():
            if current.get(name) is not value:
                setattr(builtins, name, value)


def pytest_unconfigure(config):
    """Remove this process's temporary HOME (each xdist worker has its own)."""
    shutil.rmtree(_HOME, ignore_errors=True)
