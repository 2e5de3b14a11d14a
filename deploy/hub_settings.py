"""Settings of the course hub, read from the environment (one place for deploy/hub.py and
deploy/jupyterhub_config.py), and the per-user nbgrader configuration the hub writes.

| variable | default | what |
|---|---|---|
| BACKPROP_HUB_PREFIX | /opt/backprop-course | where the servers' environment lives |
| BACKPROP_HUB_VENV | $BACKPROP_HUB_PREFIX/venv | the environment of the hub and every server |
| BACKPROP_HUB_STATE | $BACKPROP_HUB_PREFIX/hub | hub database, cookie secret (0700) |
| BACKPROP_EXCHANGE | /srv/nbgrader/exchange | nbgrader's exchange, shared by everyone |
| BACKPROP_COURSE_ID | backprop | nbgrader course id (as in nbgrader_config.py) |
| BACKPROP_INSTRUCTOR | (none) | the local account that owns the course folder and grades |
| BACKPROP_COURSE_FOLDER | backprop | the course folder's name in the instructor's home |
| BACKPROP_HUB_IP | 127.0.0.1 | address of the public proxy (put a TLS proxy in front) |
| BACKPROP_HUB_PORT | 8000 | port of the public proxy |
| BACKPROP_HUB_API_PORT | 8081 | the hub's own port (on 127.0.0.1) |
| BACKPROP_PROXY_API_PORT | 8001 | the proxy's REST API port (on 127.0.0.1) |
| BACKPROP_HUB_PROXY | build/hub/node_modules/.bin/configurable-http-proxy | the proxy command |
| BACKPROP_HUB_AUTHENTICATOR | pam | any JupyterHub authenticator (name or import path) |
| BACKPROP_HUB_ALLOWED_USERS | (none) | comma-separated accounts that may log in |
| BACKPROP_HUB_ALLOWED_GROUPS | (none) | comma-separated Unix groups that may log in (PAM) |
| BACKPROP_HUB_ADMINS | (none) | comma-separated hub administrators |
| BACKPROP_HUB_ADMIN_TOKEN | (none) | if set, a service `course-admin` with this API token |
"""

from __future__ import annotations

import os
import pwd
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
TEMPLATES = DEPLOY / "nbgrader"
# The interpreter of the servers' environment and of anything run as another account: it must be
# readable by every account (a pyenv under a 0700 /root is not: "bad interpreter").
SYSTEM_PYTHON = Path(os.environ.get("BACKPROP_HUB_PYTHON", "/usr/bin/python3"))


def _list(env, name: str) -> list[str]:
    return [x.strip() for x in env.get(name, "").split(",") if x.strip()]


@dataclass
class Settings:
    prefix: Path
    venv: Path
    state: Path
    exchange: Path
    course_id: str
    instructor: str
    course_folder: str
    ip: str
    port: int
    hub_api_port: int
    proxy_api_port: int
    proxy: Path
    authenticator: str
    allowed_users: list[str] = field(default_factory=list)
    allowed_groups: list[str] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)
    admin_token: str = ""

    @classmethod
    def from_env(cls, environ=None) -> Settings:
        """Settings from ``environ`` (default: this process's environment)."""
        environ = os.environ if environ is None else environ
        env = environ.get
        prefix = Path(env("BACKPROP_HUB_PREFIX", "/opt/backprop-course"))
        return cls(
            prefix=prefix,
            venv=Path(env("BACKPROP_HUB_VENV", str(prefix / "venv"))),
            state=Path(env("BACKPROP_HUB_STATE", str(prefix / "hub"))),
            exchange=Path(env("BACKPROP_EXCHANGE", "/srv/nbgrader/exchange")),
            course_id=env("BACKPROP_COURSE_ID", "backprop"),
            instructor=env("BACKPROP_INSTRUCTOR", ""),
            course_folder=env("BACKPROP_COURSE_FOLDER", "backprop"),
            ip=env("BACKPROP_HUB_IP", "127.0.0.1"),
            port=int(env("BACKPROP_HUB_PORT", "8000")),
            hub_api_port=int(env("BACKPROP_HUB_API_PORT", "8081")),
            proxy_api_port=int(env("BACKPROP_PROXY_API_PORT", "8001")),
            proxy=Path(env("BACKPROP_HUB_PROXY", str(
                REPO / "build" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"))),
            authenticator=env("BACKPROP_HUB_AUTHENTICATOR", "pam"),
            allowed_users=_list(environ, "BACKPROP_HUB_ALLOWED_USERS"),
            allowed_groups=_list(environ, "BACKPROP_HUB_ALLOWED_GROUPS"),
            admins=_list(environ, "BACKPROP_HUB_ADMINS"),
            admin_token=env("BACKPROP_HUB_ADMIN_TOKEN", ""),
        )

    def course_dir(self, instructor: str | None = None) -> Path:
        """The instructor's course folder: a copy of the repository in their home."""
        return Path(pwd.getpwnam(instructor or self.instructor).pw_dir) / self.course_folder

    def server_path(self) -> str:
        return os.pathsep.join([str(self.venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])


def user_nbgrader_config(settings: Settings, username: str) -> str:
    """The text of ``~/.jupyter/nbgrader_config.py`` for ``username`` (instructor or student)."""
    role = "instructor" if username == settings.instructor else "student"
    template = Template((TEMPLATES / f"{role}_nbgrader_config.py").read_text())
    course_dir = str(settings.course_dir()) if role == "instructor" else ""
    return template.substitute(course_id=settings.course_id, exchange=str(settings.exchange),
                               course_dir=course_dir)


# Runs as the user: root never writes into a folder the user controls (a symlink planted in
# ~/.jupyter could otherwise make root overwrite any file).
_WRITE_AS_USER = r"""
import os, sys
folder = os.path.join(os.path.expanduser("~"), ".jupyter")
os.makedirs(folder, mode=0o700, exist_ok=True)
path = os.path.join(folder, "nbgrader_config.py")
tmp = path + ".tmp"
with open(tmp, "w") as fh:
    fh.write(sys.stdin.read())
os.replace(tmp, path)
"""


def secure_home(username: str) -> Path:
    """chmod 700 the user's home (Debian creates homes 0755: anyone could read the work in it)."""
    home = Path(pwd.getpwnam(username).pw_dir)
    if home.is_dir() and not home.is_symlink() and home.stat().st_mode & 0o077:
        os.chmod(home, 0o700)
    return home


def write_user_nbgrader_config(settings: Settings, username: str,
                               python: str | None = None) -> None:
    """Write ``~username/.jupyter/nbgrader_config.py`` as that user (called as root)."""
    entry = pwd.getpwnam(username)
    subprocess.run(
        [python or str(SYSTEM_PYTHON), "-c", _WRITE_AS_USER],
        input=user_nbgrader_config(settings, username), text=True, check=True,
        user=entry.pw_uid, group=entry.pw_gid, extra_groups=[], cwd=entry.pw_dir,
        env={"HOME": entry.pw_dir, "PATH": "/usr/bin:/bin"}, timeout=60,
    )
