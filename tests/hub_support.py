"""Machinery of the hub tests (tests/test_hub.py): local accounts that are always removed, the hub
started with `deploy/hub.py`, its REST API and the users' servers' APIs through the proxy.

Everything a test creates lives under one temporary folder (homes, exchange, hub state) or is a
local account or a process: `Users.remove_all` and `Hub.stop` undo them, by PID and by name,
whatever happened in the test.
"""

from __future__ import annotations

import json
import os
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

REPO = Path(__file__).resolve().parent.parent
HUB_PY = REPO / "deploy" / "hub.py"
VENV = Path(os.environ.get("BACKPROP_HUB_VENV", "/opt/backprop-course/venv"))
PROXY = REPO / "build" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE_ID = "backprop"


def skip_reason() -> str | None:
    """Why the hub tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "the hub tests need root (they create local accounts and run servers as them)"
    if not PROXY.exists() and not (shutil.which("node") and shutil.which("npm")):
        return ("Node.js/npm missing (configurable-http-proxy comes from npm): "
                "apt-get install -y nodejs npm")
    for tool in ("useradd", "userdel", "su"):
        if not shutil.which(tool):
            return f"{tool} missing (the hub tests create local accounts)"
    if not Path("/usr/bin/python3").exists():
        return "/usr/bin/python3 missing (the servers' environment is built from it)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HTTPFailure(AssertionError):
    """An HTTP request answered with an error status."""


def wait_for(check, timeout: float, what: str, interval: float = 0.25):
    """Poll ``check()`` until it returns something true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except (OSError, urllib.error.URLError, ValueError, KeyError, HTTPFailure) as exc:
            result, last_error = None, exc
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}"
                         + (f" (last error: {last_error})" if last_error else ""))


def run(cmd: list, check: bool = True, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("timeout", 600)
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited with {proc.returncode}\n"
                             f"--- stdout ---\n{proc.stdout[-4000:]}\n"
                             f"--- stderr ---\n{proc.stderr[-4000:]}")
    return proc


# ---- processes and accounts -----------------------------------------------------------------
def pids_of_uid(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        pids.append(int(entry.name))
                    break
        except (OSError, ValueError):
            continue
    return pids


def kill_pids(pids: list[int], timeout: float = 10) -> None:
    """SIGTERM each process, then SIGKILL those still there after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
            time.sleep(0.1)


class Users:
    """Local accounts with unique names (``prefix`` + random suffix), homes under ``base``."""

    def __init__(self, base: Path, prefix: str = "bph"):
        self.base = base
        self.prefix = f"{prefix}{secrets.token_hex(2)}"
        self.created: list[str] = []

    def create(self, role: str) -> str:
        name = f"{self.prefix}{role}{len(self.created)}"
        home = self.base / "home" / name
        home.parent.mkdir(parents=True, exist_ok=True)
        self.created.append(name)  # before useradd: a half-made account is removed too
        run(["useradd", "--create-home", "--home-dir", home, "--user-group",
             "--shell", "/bin/sh", name])
        return name

    def uid(self, name: str) -> int:
        import pwd

        return pwd.getpwnam(name).pw_uid

    def remove_all(self) -> list[str]:
        """Kill every process of every account made here, remove the accounts and their homes.
        Returns what could not be removed."""
        import grp
        import pwd

        problems = []
        for name in self.created:
            try:
                kill_pids(pids_of_uid(pwd.getpwnam(name).pw_uid))
            except KeyError:
                pass
        for name in self.created:
            try:
                pwd.getpwnam(name)
            except KeyError:
                continue
            proc = run(["userdel", "--remove", name], check=False)
            if proc.returncode not in (0, 12):  # 12: home could not be removed (done below)
                problems.append(f"userdel {name}: {proc.stderr.strip()}")
            try:
                grp.getgrnam(name)
                run(["groupdel", name], check=False)
            except KeyError:
                pass
        return problems

    def can_read(self, name: str, path: Path | str) -> bool:
        """Whether ``name`` can read ``path`` (``cat`` run under that account's uid)."""
        proc = run(["su", "-s", "/bin/sh", name, "-c", f"cat -- '{path}' > /dev/null"],
                   check=False, timeout=60)
        return proc.returncode == 0

    def can_list(self, name: str, path: Path | str) -> bool:
        proc = run(["su", "-s", "/bin/sh", name, "-c", f"ls -- '{path}' > /dev/null"],
                   check=False, timeout=60)
        return proc.returncode == 0


# ---- the hub --------------------------------------------------------------------------------
class Hub:
    """The hub as `deploy/hub.py start` runs it, on free loopback ports, with a service token."""

    def __init__(self, base: Path, instructor: str, students: list[str]):
        self.base = base
        self.instructor = instructor
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(24)
        self.password = secrets.token_urlsafe(12)
        self.log_path = base / "hub.log"
        self.proc: subprocess.Popen | None = None
        self.env = {
            "HOME": str(base / "state"),
            "BACKPROP_HUB_VENV": str(VENV),
            "BACKPROP_HUB_STATE": str(base / "state"),
            "BACKPROP_EXCHANGE": str(base / "exchange"),
            "BACKPROP_INSTRUCTOR": instructor,
            "BACKPROP_HUB_PORT": str(self.port),
            "BACKPROP_HUB_API_PORT": str(free_port()),
            "BACKPROP_PROXY_API_PORT": str(free_port()),
            "BACKPROP_HUB_AUTHENTICATOR": "dummy",
            "BACKPROP_HUB_TEST_ONLY": "1",
            "BACKPROP_HUB_DUMMY_PASSWORD": self.password,
            "BACKPROP_HUB_ADMIN_TOKEN": self.token,
            "BACKPROP_HUB_ALLOWED_USERS": ",".join(students),
        }

    @property
    def exchange(self) -> Path:
        return Path(self.env["BACKPROP_EXCHANGE"])

    def command(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """``deploy/hub.py ARGS`` with this hub's settings (what docs/deploy.md shows)."""
        return run([sys.executable, HUB_PY, *args], env=self.full_env(), timeout=timeout)

    def full_env(self) -> dict[str, str]:
        """This process's environment (proxies, certificates for the registries) without the
        test session's Jupyter folders, plus the hub's settings."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "PYTEST", "IPYTHON", "MPL"))}
        return {**env, **self.env}

    # -- lifecycle
    def start(self, timeout: float = 90) -> None:
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, str(HUB_PY), "start"], env=self.full_env(),
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"the hub exited with {self.proc.returncode}:\n"
                                     + self.log_text())
            return self.api("GET", "")

        wait_for(up, timeout, "the hub's REST API")

    def log_text(self, tail: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                for user in self.api("GET", "users"):
                    if user.get("servers"):
                        self.api("DELETE", f"users/{user['name']}/server")
            except (OSError, urllib.error.URLError, AssertionError):
                pass
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the hub and its proxy
                self.proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.log.close()
        self.proc = None

    # -- HTTP
    def _request(self, method: str, url: str, body=None, timeout: float = 120):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, method=method, data=data, headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise HTTPFailure(f"{method} {url} -> {exc.code}: "
                                 f"{exc.read().decode(errors='replace')[:2000]}") from None
        if not raw:
            return {}
        return json.loads(raw)

    def api(self, method: str, path: str, body=None):
        """The hub's REST API (``/hub/api/<path>``) with the service token."""
        return self._request(method, f"{self.url}/hub/api/{path}", body)

    def server(self, user: str, method: str, path: str, body=None, timeout: float = 300,
               **query: str):
        """A user's server through the proxy (``/user/<name>/<path>``)."""
        q = ("?" + urllib.parse.urlencode(query)) if query else ""
        path = urllib.parse.quote(path.lstrip("/"), safe="/")
        return self._request(method, f"{self.url}/user/{user}/{path}{q}", body,
                             timeout=timeout)

    def spawn(self, names: list[str], timeout: float = 180) -> None:
        """Start the servers of ``names`` at once and wait until every one answers."""
        known = {user["name"] for user in self.api("GET", "users")}
        for name in names:
            if name not in known:
                self.api("POST", f"users/{name}")
        for name in names:
            self.api("POST", f"users/{name}/server")
        for name in names:
            wait_for(lambda n=name: self.api("GET", f"users/{n}")["servers"].get("", {})
                     .get("ready"), timeout, f"the server of {name}")
            wait_for(lambda n=name: self.server(n, "GET", "api/status"), 60,
                     f"{name}'s server API through the proxy")
