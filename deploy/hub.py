#!/usr/bin/env python3
"""Set up and start the course hub on one machine (run as root; `make hub` runs it).

    deploy/hub.py check                     what is missing, and how to get it
    deploy/hub.py proxy                     configurable-http-proxy from npm into build/hub/
    deploy/hub.py env                       the servers' environment ($BACKPROP_HUB_VENV), from
                                            /usr/bin/python3; reused while its inputs are unchanged
    deploy/hub.py exchange                  the exchange folder with nbgrader's permissions
    deploy/hub.py course                    the instructor's course folder and gradebook
    deploy/hub.py setup                     proxy, env, exchange, course
    deploy/hub.py start                     the hub (foreground; Ctrl-C stops it and every server)

Settings come from the environment (deploy/hub_settings.py lists them); the instructor is
BACKPROP_INSTRUCTOR or --instructor, an existing local account. Only the standard library is used,
so any Python 3.10+ runs this file.
"""

from __future__ import annotations

import argparse
import grp
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hub_settings import (  # noqa: E402
    DEPLOY,
    REPO,
    SYSTEM_PYTHON,
    Settings,
    secure_home,
    write_user_nbgrader_config,
)

PROXY_PACKAGE = "configurable-http-proxy@5.3.0"
EXCHANGE_MODULE = DEPLOY / "backprop_hub_exchange.py"
LAB_OVERRIDES = DEPLOY / "lab_overrides.json"
STAMP = ".backprop-hub-inputs"  # hash of the inputs, written when the build succeeded
MARKER = ".backprop-hub-venv"  # written first: a half-built environment may be replaced


class SetupError(SystemExit):
    pass


def say(msg: str) -> None:
    print(f"hub: {msg}", flush=True)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    shown = [str(c) if "\n" not in str(c) else "<script>" for c in cmd]
    say("$ " + " ".join(shown))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def need_root() -> None:
    if os.geteuid() != 0:
        raise SetupError("hub: run as root (it creates folders for other accounts and starts "
                         "their servers under their own uid)")


# ---- check ----------------------------------------------------------------------------------
def missing(settings: Settings) -> list[str]:
    """What the set-up needs and does not find, each with how to get it."""
    out = []
    if os.geteuid() != 0:
        out.append("root: run as root (sudo)")
    if not (settings.proxy.exists() or shutil.which("npm")):
        out.append("npm (for configurable-http-proxy): apt-get install -y nodejs npm")
    if not shutil.which("node") and not settings.proxy.exists():
        out.append("node: apt-get install -y nodejs")
    if not SYSTEM_PYTHON.exists():
        out.append(f"{SYSTEM_PYTHON}: apt-get install -y python3 python3-venv "
                   "(the servers' interpreter must be readable by every account)")
    return out


def cmd_check(settings: Settings, _args) -> None:
    gaps = missing(settings)
    for gap in gaps:
        say("missing " + gap)
    if gaps:
        raise SetupError(1)
    say("root, node/npm and the system Python are there")


# ---- proxy ----------------------------------------------------------------------------------
def cmd_proxy(settings: Settings, _args) -> None:
    if settings.proxy.exists():
        say(f"proxy present: {settings.proxy}")
        return
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        raise SetupError("hub: configurable-http-proxy needs Node.js and npm: "
                         "apt-get install -y nodejs npm")
    prefix = settings.proxy.parent.parent.parent  # <prefix>/node_modules/.bin/<cmd>
    prefix.mkdir(parents=True, exist_ok=True)
    run([npm, "install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error",
         PROXY_PACKAGE])
    if not settings.proxy.exists():
        raise SetupError(f"hub: npm finished but {settings.proxy} is missing")


# ---- the servers' environment ---------------------------------------------------------------
def env_inputs() -> str:
    """Hash of everything the environment is built from."""
    h = hashlib.sha256()
    files = [REPO / "pyproject.toml", EXCHANGE_MODULE, LAB_OVERRIDES]
    files += sorted(p for p in (REPO / "helpers").rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        h.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    version = subprocess.run([str(SYSTEM_PYTHON), "--version"], capture_output=True, text=True)
    h.update((version.stdout + str(SYSTEM_PYTHON)).encode())
    return h.hexdigest()


def _uv() -> str | None:
    here = Path(sys.executable).parent / "uv"
    return str(here) if here.exists() else shutil.which("uv")


def cmd_env(settings: Settings, _args) -> None:
    need_root()
    os.umask(0o022)  # everything in the environment readable by every account
    venv, digest = settings.venv, env_inputs()
    stamp = venv / STAMP
    if stamp.exists() and stamp.read_text().strip() == digest and (
            venv / "bin" / "jupyterhub-singleuser").exists():
        say(f"environment up to date, reused: {venv}")
        return
    if not SYSTEM_PYTHON.exists():
        raise SetupError(f"hub: {SYSTEM_PYTHON} is missing: apt-get install -y python3")
    marker = venv / MARKER
    if venv.exists():
        if not marker.exists() and any(venv.iterdir()):
            raise SetupError(f"hub: {venv} exists and was not made by this command; "
                             "remove it or set BACKPROP_HUB_VENV")
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(venv.parent, 0o755)
    venv.mkdir()
    marker.write_text("made by deploy/hub.py env; rebuilt when its inputs change\n")
    uv = _uv()
    target = f"{REPO}[hub]"
    if uv:
        env = dict(os.environ, UV_CACHE_DIR=str(REPO / "build" / "uv-cache"),
                   UV_LINK_MODE="copy")
        run([uv, "venv", "--quiet", "--allow-existing", "--python", SYSTEM_PYTHON, venv], env=env)
        # --compile-bytecode: students' kernels cannot write .pyc into this venv, so without it
        # every kernel would compile numpy, IPython... from source at each start
        run([uv, "pip", "install", "--quiet", "--compile-bytecode", "--python",
             venv / "bin" / "python", target], env=env)
    else:
        say("uv not found (pip install uv makes this step ~5x faster); using venv + pip")
        run([SYSTEM_PYTHON, "-m", "venv", venv])
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", target])
    purelib = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
         "['purelib'])"], capture_output=True, text=True, check=True).stdout.strip()
    shutil.copy(EXCHANGE_MODULE, Path(purelib) / EXCHANGE_MODULE.name)
    settings_dir = venv / "share" / "jupyter" / "lab" / "settings"
    settings_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(LAB_OVERRIDES, settings_dir / "overrides.json")
    run(["chmod", "-R", "a+rX", venv])
    stamp.write_text(digest + "\n")
    say(f"environment ready: {venv}")


# ---- exchange -------------------------------------------------------------------------------
def _instructor(settings: Settings, args) -> pwd.struct_passwd:
    name = getattr(args, "instructor", None) or settings.instructor
    if not name:
        raise SetupError("hub: name the instructor: --instructor NAME or BACKPROP_INSTRUCTOR")
    settings.instructor = name
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise SetupError(f"hub: no local account {name!r}: create it first "
                         f"(useradd --create-home {name})") from None


def _ensure_dir(path: Path, mode: int, uid: int, gid: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        raise SetupError(f"hub: {path} is a symlink; refusing")
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def cmd_exchange(settings: Settings, args) -> None:
    """Exchange root 1777 (root), course folder owned by the instructor as nbgrader makes it."""
    need_root()
    who = _instructor(settings, args)
    root = settings.exchange
    for parent in reversed(root.parents):
        if not parent.exists():
            _ensure_dir(parent, 0o755, 0, 0)
    _ensure_dir(root, 0o1777, 0, 0)  # everyone creates here; the sticky bit keeps them apart
    course = root / settings.course_id
    uid, gid = who.pw_uid, who.pw_gid
    _ensure_dir(course, 0o755, uid, gid)
    _ensure_dir(course / "outbound", 0o755, uid, gid)  # releases: everyone reads
    _ensure_dir(course / "inbound", 0o2733, uid, gid)  # submissions: write, not list
    _ensure_dir(course / "feedback", 0o711, uid, gid)  # feedback: by unguessable name only
    say(f"exchange ready: {root} (course {settings.course_id}, owner {who.pw_name}, "
        f"group {grp.getgrgid(gid).gr_name})")


# ---- course folder --------------------------------------------------------------------------
def _working_tree_files(repo: Path) -> list[str] | None:
    proc = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others",
                           "--exclude-standard"], capture_output=True)
    if proc.returncode != 0:
        return None
    return [f for f in proc.stdout.decode().split("\0") if f]


def copy_repository(src: Path, dest: Path) -> None:
    """``dest``: a git clone of ``src`` with its working tree (uncommitted changes included)."""
    files = _working_tree_files(src)
    if files is None:  # not a git checkout: copy the tree without environments and build output
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns(
            ".venv", "build", "__pycache__", ".pytest_cache", ".ruff_cache"))
        return
    run(["git", "clone", "--quiet", "--no-hardlinks", src, dest])
    for rel in files:
        source = src / rel
        target = dest / rel
        if source.is_file() and not source.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for rel in _working_tree_files(dest) or []:
        if not (src / rel).exists():
            (dest / rel).unlink()


def as_user(who: pwd.struct_passwd, settings: Settings, cmd: list, cwd: Path) -> None:
    env = {"HOME": who.pw_dir, "USER": who.pw_name, "LOGNAME": who.pw_name,
           "PATH": settings.server_path(), "BACKPROP_EXCHANGE": str(settings.exchange),
           "LANG": os.environ.get("LANG", "C.UTF-8")}
    run(cmd, cwd=cwd, env=env, user=who.pw_uid, group=who.pw_gid, extra_groups=[])


# `nbgrader generate_assignment` for several problem sets in one process (nbgrader's own API, as
# the formgrader's "Generate" button calls it): importing nbgrader once, not once per set.
GENERATE = r"""
import sys
from nbgrader.apps import NbGrader
from nbgrader.apps.api import NbGraderAPI
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory

app = NbGrader()
app.load_config_file()
coursedir = CourseDirectory(config=app.config)
api = NbGraderAPI(coursedir, Authenticator(config=app.config), config=app.config)
failed = []
for ps in sys.argv[1:]:
    result = api.generate_assignment(ps, force=True)
    print(f"generate_assignment {ps}: " + ("ok" if result["success"] else "FAILED"), flush=True)
    if not result["success"]:
        failed.append(ps)
        print(result.get("error") or result.get("log"), file=sys.stderr)
sys.exit(1 if failed else 0)
"""


def cmd_course(settings: Settings, args) -> None:
    """Copy the repository into the instructor's home (owned by them, home 0700) and fill the
    gradebook with every problem set (`nbgrader generate_assignment`, which autograde needs)."""
    need_root()
    who = _instructor(settings, args)
    home = secure_home(who.pw_name)
    dest = settings.course_dir()
    if dest.exists():
        say(f"course folder kept as it is (it holds the gradebook): {dest}")
    else:
        copy_repository(REPO, dest)
        run(["chown", "-R", f"{who.pw_uid}:{who.pw_gid}", dest])
        run(["chmod", "-R", "go-rwx", dest])
        say(f"course folder: {dest}")
    write_user_nbgrader_config(settings, who.pw_name)
    nbgrader = settings.venv / "bin" / "nbgrader"
    if not nbgrader.exists():
        raise SetupError(f"hub: {nbgrader} is missing: run `deploy/hub.py env` first")
    sets = args.problem_sets or sorted(
        p.name for p in (dest / "solutions").iterdir() if list(p.glob("*.ipynb")))
    as_user(who, settings, [settings.venv / "bin" / "python", "-c", GENERATE, *sets], cwd=dest)
    say(f"gradebook ready for {', '.join(sets)} ({home} is 0700)")


# ---- start ----------------------------------------------------------------------------------
def cmd_start(settings: Settings, _args) -> None:
    need_root()
    hub = settings.venv / "bin" / "jupyterhub"
    if not hub.exists():
        raise SetupError(f"hub: {hub} is missing: run `deploy/hub.py env` (make hub-setup)")
    if not settings.proxy.exists():
        raise SetupError(f"hub: {settings.proxy} is missing: run `deploy/hub.py proxy` "
                         "(needs npm: apt-get install -y nodejs npm)")
    settings.state.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.state, 0o700)
    say(f"starting the hub on http://{settings.ip}:{settings.port}/ (state: {settings.state})")
    os.chdir(settings.state)
    os.execv(str(hub), [str(hub), "-f", str(DEPLOY / "jupyterhub_config.py")])


def cmd_setup(settings: Settings, args) -> None:
    cmd_proxy(settings, args)
    cmd_env(settings, args)
    cmd_exchange(settings, args)
    cmd_course(settings, args)


COMMANDS = {"check": cmd_check, "proxy": cmd_proxy, "env": cmd_env, "exchange": cmd_exchange,
            "course": cmd_course, "setup": cmd_setup, "start": cmd_start}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("--instructor", help="local account of the instructor "
                        "(default: $BACKPROP_INSTRUCTOR)")
    parser.add_argument("--problem-sets", nargs="*", default=None,
                        help="problem sets to put in the gradebook (default: all)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.instructor:  # also for the hub's configuration, which reads the environment
        settings.instructor = os.environ["BACKPROP_INSTRUCTOR"] = args.instructor
    try:
        COMMANDS[args.command](settings, args)
    except subprocess.CalledProcessError as exc:
        raise SetupError(f"hub: {' '.join(map(str, exc.cmd))} failed ({exc.returncode})") from exc


if __name__ == "__main__":
    main()
