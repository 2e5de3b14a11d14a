"""Session-wide isolation: tests never write to the real home folder or need a display."""

import os
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
