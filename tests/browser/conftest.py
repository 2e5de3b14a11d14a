"""Fixtures for the browser suite: a private JupyterLab server and headless Debian Chromium.

The server runs from the project's environment on 127.0.0.1 (random free port, a token) with its own
HOME, Jupyter dirs and JupyterLab user settings (``overrides.json`` here: no news pop-up, the kernel
starts by itself, every cell is attached to the page), serving a temporary copy of the course whose
notebooks have their outputs cleared. Chromium is Debian's ``/usr/bin/chromium`` (``$CHROMIUM`` to
change), driven by Playwright with ``executable_path``: no browser is ever downloaded. Without
it, every test here is skipped with a reason that says how to install it
(``tools/install_chromium.sh``).

Screenshots go to ``build/browser-screenshots/<test name>/`` (``$BROWSER_SCREENSHOTS`` to change).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from labdriver import ROOT, venv_python

from tests.chromium import CHROMIUM, CHROMIUM_FLAGS

HERE = Path(__file__).resolve().parent
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "build" / "browser-screenshots"))
SKIP_REASON = (
    f"Chromium not found at {CHROMIUM} "
    "(install it with tools/install_chromium.sh, i.e. `apt-get install -y chromium`, as root)"
)
_skipped: dict[str, str] = {}  # nodeid -> why the browser suite did not run


def _playwright_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright is not importable ({exc})"
    return None


def pytest_collection_modifyitems(config, items):
    """Mark every test here `browser`; skip them all, with one clear reason, without Chromium."""
    reason = None
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = SKIP_REASON
    else:
        reason = _playwright_missing()
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"browser suite not run: {reason}"))
                _skipped[item.nodeid] = reason


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_sep("=", "browser suite NOT run", yellow=True, bold=True)
        reason = next(iter(_skipped.values()))
        terminalreporter.write_line(f"{len(_skipped)} browser tests skipped: {reason}")


# ----------------------------------------------------------------------------- course copy

def clear_outputs(src: Path, dst: Path) -> None:
    """Copy notebook `src` to `dst` with every output, execution count and widget state removed."""
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    dst.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dst)


def copy_course(dest: Path) -> Path:
    """A copy of lectures/, exercises/, solutions/ and nbgrader_config.py with cleared notebooks."""
    for name in ("lectures", "exercises", "solutions"):
        src = ROOT / name
        if not src.is_dir():
            continue
        shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns(
            ".ipynb_checkpoints", "__pycache__"))
        for nb in (dest / name).rglob("*.ipynb"):
            clear_outputs(nb, nb)
    if (ROOT / "nbgrader_config.py").exists():
        shutil.copy(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    return dest


def write_user_settings(overrides: Path, settings_dir: Path) -> None:
    """Turn ``{"pkg:plugin": {...}}`` into JupyterLab user-settings files under `settings_dir`."""
    for plugin_id, values in json.loads(overrides.read_text()).items():
        package, plugin = plugin_id.split(":")
        path = settings_dir / package / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))


# ----------------------------------------------------------------------------- server

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A JupyterLab server on 127.0.0.1 serving `root`; `url(path)` adds the token."""

    def __init__(self, root: Path, base: Path):
        self.root = root
        self.base = base
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.log_path = base / "jupyter-lab.log"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        home = self.base / "home"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "MPLBACKEND", "PYTEST", "COV_"))}
        env.update(
            HOME=str(home),
            IPYTHONDIR=str(home / ".ipython"),
            MPLCONFIGDIR=str(home / ".matplotlib"),
            JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
            JUPYTER_DATA_DIR=str(home / ".local" / "share" / "jupyter"),
            JUPYTER_RUNTIME_DIR=str(home / ".local" / "share" / "jupyter" / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(self.base / "lab-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.base / "lab-workspaces"),
            BACKPROP_DATA=str(home / "backprop-data"),
            BACKPROP_EXCHANGE=str(self.base / "exchange"),  # read by the course's nbgrader_config
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            # as in an activated environment: nbgrader runs `alembic` from PATH
            PATH=os.pathsep.join([str(Path(venv_python()).parent), os.environ.get("PATH", "")]),
        )
        return env

    def url(self, path: str = "lab", **query: str) -> str:
        q = "".join(f"&{k}={v}" if v != "" else f"&{k}" for k, v in query.items())
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}?token={self.token}{q}"

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            data = resp.read()
        return json.loads(data) if data else None

    def start(self, timeout: float = 60.0) -> None:
        env = self.env()
        for key in ("HOME", "IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
                    "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
            Path(env[key]).mkdir(parents=True, exist_ok=True)
        write_user_settings(HERE / "overrides.json", Path(env["JUPYTERLAB_SETTINGS_DIR"]))
        exchange = self.base / "exchange"
        exchange.mkdir(exist_ok=True)
        (Path(env["JUPYTER_CONFIG_DIR"]) / "nbgrader_config.py").write_text(
            f"c = get_config()  # noqa\nc.Exchange.root = {str(exchange)!r}\n")
        cmd = [
            venv_python(), "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}", "--LabApp.news_url=None",
            "--ServerApp.open_browser=False",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n"
                                   + self.log_path.read_text()[-3000:])
            try:
                self.api("status")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)  # poll again: the server is not answering yet
        self.stop()
        raise RuntimeError(f"jupyter lab not ready after {timeout} s:\n"
                           + self.log_path.read_text()[-3000:])

    def shutdown_kernels(self) -> None:
        """Delete every session and kernel (a kernel outlives the page that started it)."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.api("shutdown", method="POST")
                self.proc.wait(timeout=15)
            except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        self.proc = None


@pytest.fixture(scope="session")
def lab_base():
    base = Path(tempfile.mkdtemp(prefix="backprop-browser-"))
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def lab_server(lab_base):
    """The running server; its root is a copy of the course with cleared outputs."""
    root = copy_course(lab_base / "course")
    root.mkdir(exist_ok=True)
    server = LabServer(root, lab_base)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # keep the server's log for a post-mortem
        shutil.copy(server.log_path, SCREENSHOTS / "jupyter-lab.log")
        write_index(SCREENSHOTS)


def write_index(folder: Path) -> Path:
    """``index.html`` in `folder`: every test's screenshots, in order, to look through at once."""
    parts = ["<!doctype html><meta charset='utf-8'><title>browser screenshots</title>",
             "<style>img{max-width:48%;border:1px solid #ccc;margin:2px}</style>"]
    for test in sorted(p for p in folder.iterdir() if p.is_dir()):
        parts.append(f"<h2>{test.name}</h2>")
        parts += [f"<a href='{test.name}/{png.name}'><img src='{test.name}/{png.name}' "
                  f"title='{png.name}'></a>" for png in sorted(test.glob("*.png"))]
    index = folder / "index.html"
    index.write_text("\n".join(parts))
    return index


@pytest.fixture(scope="session")
def browser_context(lab_base):
    """Headless Debian Chromium with a new empty profile, one per session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=str(lab_base / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
            device_scale_factor=1,
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


def _safe_name(nodeid: str) -> str:
    name = nodeid.split("::", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


@pytest.fixture
def screenshot_dir(request) -> Path:
    """``build/browser-screenshots/<test name>/``, emptied at the start of the test."""
    folder = SCREENSHOTS / _safe_name(request.node.nodeid)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def lab(lab_server, browser_context, screenshot_dir):
    """A fresh page driving the server; kernels are shut down after the test."""
    from labdriver import Lab

    page = browser_context.new_page()
    driver = Lab(page, lab_server, screenshot_dir)
    try:
        yield driver
    finally:
        try:
            driver.screenshot("zz_last")
        except Exception:  # noqa: BLE001 - a screenshot must not hide the test's own failure
            pass
        page.close()
        lab_server.shutdown_kernels()
