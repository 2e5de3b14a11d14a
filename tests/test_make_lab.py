"""`make lab`, the README's first command, started exactly as written, in a copy of the course.

It must start for root and for a normal user (``--allow-root`` only for user id 0, and it says
so), listen on 127.0.0.1 only, open on lecture 1, keep JupyterLab's news pop-up off, and give
nbgrader's Assignment List what it needs (the exchange folder) so that its API reports success;
the formgrader opens. The port comes from ``PORT``, the token from ``JUPYTER_TOKEN``; HOME is a
fresh folder. The test stops the whole process group (make and JupyterLab) itself.
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
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

# method="signal": on a time-out the test fails and its fixture still stops `make lab`
pytestmark = [pytest.mark.integration, pytest.mark.timeout(240, method="signal")]

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)
FIRST_LECTURE = "lectures/01_chain_rule.ipynb"
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "build", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache",
    "*.egg-info", ".ipynb_checkpoints", ".exchange", "gradebook.db", "submitted", "autograded",
    "feedback", "grades.csv", "grading-report.json",
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        return s.connect_ex((host, port)) == 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class MakeLab:
    """`make lab` running in `course`; `get(path)` sends the token and returns (status, body)."""

    def __init__(self, course: Path, home: Path, exchange: Path):
        self.course = course
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.log_path = course.parent / "make-lab.log"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "IPYTHON", "MPL", "PYTEST", "MAKE", "MFLAGS"))
               and k not in {"VIRTUAL_ENV", "BACKPROP_EXCHANGE"}}
        env.update(HOME=str(home), PORT=str(self.port), JUPYTER_TOKEN=self.token,
                   BACKPROP_EXCHANGE=str(exchange), VENV=str(VENV))
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.stopped = False

    def start(self, timeout: float = 150) -> None:
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(["make", "lab"], cwd=self.course, env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"make lab exited with {self.proc.returncode}:\n"
                                     + self.output()[-3000:])
            try:
                if self.get("api/status")[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.25)  # poll again: the server is not answering yet
        raise AssertionError(f"make lab not answering after {timeout} s:\n" + self.output()[-3000:])

    def get(self, path: str, follow_redirects: bool = True) -> tuple[int, str, dict]:
        """(status, body, headers) of GET http://127.0.0.1:PORT/<path>, with the token."""
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/{path}",
                                     headers={"Authorization": f"token {self.token}"})
        opener = (urllib.request.build_opener() if follow_redirects
                  else urllib.request.build_opener(_NoRedirect))
        try:
            with opener.open(req, timeout=30) as resp:
                return resp.status, resp.read().decode(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(errors="replace"), dict(err.headers)

    def get_json(self, path: str) -> dict:
        status, body, _ = self.get(path)
        assert status == 200, f"GET /{path}: {status}\n{body[:1000]}"
        return json.loads(body)

    def output(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> None:
        """SIGTERM to the process group (make and JupyterLab), SIGKILL if it does not end."""
        if self.proc is None or self.stopped:
            return
        self.stopped = True
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        try:  # JupyterLab itself (a child of make) must be gone too
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                os.killpg(self.proc.pid, 0)
                time.sleep(0.1)  # poll again: the group still has a live process
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()


def _setting_defaults(lab: MakeLab, plugin: str) -> dict:
    """The default of every setting of a JupyterLab plugin, as the server hands them out."""
    schema = lab.get_json(f"lab/api/settings/{plugin}")["schema"]
    return {name: prop.get("default") for name, prop in schema["properties"].items()}


@pytest.fixture
def make_lab(tmp_path):
    if not (VENV / ".installed-stamp").exists():
        pytest.skip(f"the tests do not run in an environment made by `make setup` ({VENV})")
    course = tmp_path / "course"
    shutil.copytree(ROOT, course, ignore=NOT_COPIED)  # copy2: the stamp stays newer than
    (tmp_path / "home").mkdir()  # pyproject.toml, so make does not set up again
    lab = MakeLab(course, tmp_path / "home", tmp_path / "exchange")
    try:
        yield lab
    finally:
        lab.stop()


def test_make_lab_starts_on_lecture_one_with_a_working_assignment_list(make_lab):
    exchange = Path(make_lab.env["BACKPROP_EXCHANGE"])
    assert not exchange.exists()
    make_lab.start()
    port = make_lab.port

    out = make_lab.output()
    as_root = "starting JupyterLab with --allow-root" in out
    assert as_root == (os.geteuid() == 0), out[-2000:]
    assert ("--allow-root" in out) == as_root, out[-2000:]  # in the command make prints

    # 127.0.0.1 only: another loopback address of this machine is not served
    assert _accepts("127.0.0.1", port)
    assert not _accepts("127.0.0.2", port), "make lab listens beyond 127.0.0.1"

    status, body, _ = make_lab.get("lab")
    assert status == 200 and "jupyter-config-data" in body, (status, body[:500])
    status, _, headers = make_lab.get("", follow_redirects=False)
    assert status in (301, 302), (status, headers)
    assert urllib.parse.urlsplit(headers["Location"]).path == f"/lab/tree/{FIRST_LECTURE}"
    assert f"127.0.0.1:{port}/lab/tree/{FIRST_LECTURE}?token=" in out, "the URL printed"

    # no news pop-up, no "Select Kernel" dialog: the environment's overrides.json, which
    # JupyterLab applies as the defaults of its settings
    news = _setting_defaults(make_lab, "@jupyterlab/apputils-extension:notification")
    assert (news["fetchNews"], news["checkForUpdates"]) == ("false", False), news
    kernel = _setting_defaults(make_lab, "@jupyterlab/notebook-extension:tracker")
    assert kernel["autoStartDefaultKernel"] is True

    # nbgrader's Assignment List (the lab extension calls /courses and /assignments)
    assert exchange.is_dir(), "make lab did not create the exchange folder"
    for path in ("courses", "assignments?course_id=backprop"):
        answer = make_lab.get_json(path)
        assert answer["success"] is True, (path, answer)
        assert isinstance(answer["value"], list), (path, answer)

    status, body, _ = make_lab.get("formgrader")
    assert status == 200 and re.search(r"formgrader|nbgrader", body, re.IGNORECASE), (
        status, body[:500])

    make_lab.stop()
    assert make_lab.proc.returncode is not None
    assert not _accepts("127.0.0.1", port), "JupyterLab still answers after the stop"
