"""Launcher of the ``backprop-grader`` kernel: an IPython kernel with limits, in a sandbox folder.

Jupyter starts it (``kernels/backprop-grader/kernel.json``) as ``python launch.py -f CONN``.
It prepares the kernel and stays as a small parent that cleans up when the kernel ends:

1. A private scratch folder (``$BACKPROP_GRADER_SCRATCH`` or the system temp folder) receives a copy
   of the connection file and of the data files the problem set ships (``--backprop-data=DIR``,
   the problem set's source folder; never notebooks, never a file of the submission). The kernel
   runs in ``work/`` there with ``python -s -P``: its HOME, IPython, matplotlib and Jupyter folders
   are inside the scratch folder, the environment is scrubbed, and ``kernel_main.py`` keeps the
   working folder off ``sys.path``, so the ``helpers`` it imports is the installed one.
2. As root (and unless ``BACKPROP_KERNEL_USER=none``) the kernel runs under a throw-away uid/gid
   (``1_000_000_000 + launcher pid``: no two kernels share one, so they cannot signal or read each
   other, and the process limit is per kernel), in a private mount namespace where /tmp,
   /var/tmp, /dev/shm and /run/lock are fresh tmpfs (size ``BACKPROP_KERNEL_FILE_MB``) and the
   only other user-visible place it can write is its scratch folder; parents of the interpreter
   that other users cannot traverse (a pyenv under a 0700 /root) are opened by bind-mounting
   just that path. Before that, the launcher removes the "other"
   permissions from the secrets of the course being graded and of the course whose ``helpers``
   package the kernel imports: ``solutions/`` ``source/`` ``submitted/`` ``autograded/``
   ``feedback/`` ``gradebook.db*`` ``.git``. Without root, only the limits apply.
3. Limits (``setrlimit``, environment variables, defaults in brackets):
   address space ``BACKPROP_KERNEL_MEMORY_MB`` [2048], CPU seconds of the kernel process
   ``BACKPROP_KERNEL_CPU_SECONDS`` [900], size of any file it writes ``BACKPROP_KERNEL_FILE_MB``
   [64], processes/threads of its uid ``BACKPROP_KERNEL_NPROC`` [64] (only with a uid switch), no
   core dumps. Output is capped per cell in the kernel (``kernel_main.py``,
   ``BACKPROP_KERNEL_OUTPUT_BYTES``) and again in the grading process (``nbgrader_hooks.py``).
4. When the kernel exits (or is killed: it gets SIGKILL if this parent dies, and this parent gets
   SIGTERM if the grading process dies), every process left under its uid is killed and the
   scratch folder removed.

Example (what Jupyter runs)::

    python tools/grader_kernel/launch.py -f /run/user/0/jupyter/kernel-1234.json \
        --backprop-data=/course/solutions/ps1_chain_rule
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import stat
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
UID_BASE = 1_000_000_000
SECRETS = ("solutions", "source", "submitted", "autograded", "feedback", ".git",
           "gradebook.db", "gradebook.db-journal", "gradebook.db-wal", "gradebook.db-shm")
DATA_COPY_LIMIT = 50 * 2**20  # bytes of data files copied next to the kernel
DATA_ARG = "--backprop-data"  # folder whose data files the kernel gets (the problem set's source)
PYTHON_FLAGS = ("-s", "-P") if sys.version_info >= (3, 11) else ("-s",)
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "MPLBACKEND", "PYTHONHASHSEED",
            "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NBGRADER_EXECUTION",
            "BACKPROP_KERNEL_OUTPUT_BYTES", "PYDEVD_DISABLE_FILE_VALIDATION",
            "PYTHONPYCACHEPREFIX")  # where to read bytecode (make bench's "before" replays none)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError:
        sys.exit(f"launch.py: {name} must be an integer, got {raw!r}")


def limits() -> dict[int, int]:
    """The rlimits the kernel gets: ``{resource.RLIMIT_*: value}`` from the environment."""
    mb = 2**20
    return {
        resource.RLIMIT_AS: _env_int("BACKPROP_KERNEL_MEMORY_MB", 2048) * mb,
        resource.RLIMIT_CPU: _env_int("BACKPROP_KERNEL_CPU_SECONDS", 900),
        resource.RLIMIT_FSIZE: _env_int("BACKPROP_KERNEL_FILE_MB", 64) * mb,
        resource.RLIMIT_CORE: 0,
    }


def course_roots(start: Path) -> list[Path]:
    """Course folders whose secrets must be hidden from the kernel.

    The nearest folder above ``start`` with ``nbgrader_config.py`` or ``gradebook.db`` (the course
    being graded) and the folder that holds the imported ``helpers`` package, if it is a course.
    """
    roots = []
    for folder in [start, *start.parents]:
        if (folder / "nbgrader_config.py").is_file() or (folder / "gradebook.db").is_file():
            roots.append(folder)
            break
    import importlib.util

    spec = importlib.util.find_spec("helpers")
    if spec and spec.origin:
        repo = Path(spec.origin).resolve().parent.parent
        if (repo / "nbgrader_config.py").is_file() and repo not in roots:
            roots.append(repo)
    return roots


def protect(root: Path) -> list[str]:
    """Remove the permissions of "other" users from the secrets of a course; return what changed."""
    changed = []
    mode = root.stat().st_mode
    if mode & stat.S_IWOTH:  # others could replace the secrets: refuse silently fixing less
        os.chmod(root, mode & ~stat.S_IWOTH)
        changed.append(str(root))
    for name in SECRETS:
        path = root / name
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(mode):
            continue
        if mode & 0o007:
            os.chmod(path, mode & ~0o007)
            changed.append(str(path))
    return changed


SKIPPED_PARTS = {".ipynb_checkpoints", "__pycache__", ".pytest_cache", ".hypothesis", "feedback"}


def copy_data_files(src: Path, dest: Path) -> None:
    """Copy the data files of a problem set (never notebooks, caches or links), bounded.

    ``src`` is the problem set's folder in the course's source directory (``--backprop-data``,
    passed by ``nbgrader_hooks.GradingExecute``): only files the instructor ships reach the
    kernel, never a file handed in with a submission.
    """
    dest.mkdir(parents=True, exist_ok=True)
    budget = DATA_COPY_LIMIT
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.suffix in (".ipynb", ".pyc") or path.is_symlink() \
                or SKIPPED_PARTS.intersection(rel.parts):
            continue
        if path.is_dir():
            (dest / rel).mkdir(parents=True, exist_ok=True)
        elif path.is_file() and path.stat().st_size <= budget:
            budget -= path.stat().st_size
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / rel)


def chown_tree(root: Path, uid: int, gid: int) -> None:
    for folder, dirs, files in os.walk(root):
        os.chown(folder, uid, gid)
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


def kill_uid(uid: int) -> None:
    """Kill every process of ``uid`` (run as root; a child takes the uid and signals -1)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)  # every process of this uid, this one included
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def blocked_ancestors(paths: list[str]) -> list[tuple[Path, Path]]:
    """``(folder, child)`` pairs on the way to ``paths`` that other users cannot traverse.

    E.g. ``(/root, /root/.pyenv)`` when the interpreter lives in a pyenv under a 0700 ``/root``.
    """
    found = []
    for target in paths:
        real = Path(os.path.realpath(target))
        for child in [real, *real.parents]:
            folder = child.parent
            if folder == child:
                break
            if not folder.stat().st_mode & stat.S_IXOTH and (folder, child) not in found:
                found.append((folder, child))
    return found


_LIBC = None


def _mount(source, target, fstype, flags, data=None) -> None:
    global _LIBC
    _LIBC = _LIBC or ctypes.CDLL(None, use_errno=True)
    enc = lambda x: None if x is None else str(x).encode()  # noqa: E731
    if _LIBC.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 1 << 18
TMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")


def new_mount_namespace() -> None:
    """Enter a private mount namespace (needs root with CAP_SYS_ADMIN); ``OSError`` otherwise."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x00020000) != 0:  # CLONE_NEWNS
        err = ctypes.get_errno()
        raise OSError(err, f"unshare(CLONE_NEWNS): {os.strerror(err)}")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)


def open_paths(blocked: list[tuple[Path, Path]], stubs: Path) -> None:
    """In the mount namespace, make each blocked folder traversable, showing only the child.

    A root-owned 0711 stub folder holding a bind mount of ``child`` is mounted over ``folder``;
    the rest of ``folder`` stays invisible to the kernel.
    """
    for i, (folder, child) in enumerate(blocked):
        stub = stubs / str(i)
        (stub / child.name).mkdir(parents=True, exist_ok=True)
        os.chmod(stub, 0o711)
        _mount(child, stub / child.name, None, MS_BIND | MS_REC)
        _mount(stub, folder, None, MS_BIND | MS_REC)


def private_tmp(keep: list[Path], size_mb: int) -> None:
    """In the mount namespace, give the kernel empty, size-limited /tmp, /var/tmp, /dev/shm...

    Folders of ``keep`` that live in one of them (the scratch folder, and the interpreter or the
    course's tools if they happen to be there) are put back at their paths, so the kernel writes
    into its scratch folder and nowhere that other users can see.
    """
    tmps = [Path(t) for t in TMP_DIRS if os.path.isdir(t) and not os.path.islink(t)]
    keep = sorted({Path(os.path.realpath(k)) for k in keep
                   if any(Path(os.path.realpath(k)).is_relative_to(t) for t in tmps)})
    handles = [(k, os.open(k, os.O_PATH | os.O_DIRECTORY)) for k in keep if k.is_dir()]
    try:
        for folder in tmps:
            _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode=1777")
        for path, handle in handles:
            path.mkdir(parents=True, exist_ok=True)
            for parent in [path, *path.parents]:
                if parent == Path("/") or parent in tmps:
                    break
                os.chmod(parent, 0o711)
            _mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC)
    finally:
        for _, handle in handles:
            os.close(handle)


def _set_parent_death_signal(signum: int = signal.SIGKILL) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signum, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def parse_args(argv: list[str]) -> tuple[Path, Path | None, list[str]]:
    """``(connection file, data folder or None, the other arguments)`` of the command line.

    Example::

        >>> parse_args(["launch.py", "-f", "c.json", "--backprop-data=/c/solutions/ps1", "-x"])
        (PosixPath('c.json'), PosixPath('/c/solutions/ps1'), ['launch.py', '-x'])
    """
    conn = Path(argv[argv.index("-f") + 1])
    data = [a.split("=", 1)[1] for a in argv if a.startswith(DATA_ARG + "=")]
    rest = [a for i, a in enumerate(argv) if a != "-f" and (i == 0 or argv[i - 1] != "-f")
            and not a.startswith(DATA_ARG + "=")]
    return conn, (Path(data[-1]) if data and data[-1] else None), rest


def main(argv: list[str]) -> int:
    if "-f" not in argv or argv.index("-f") + 1 >= len(argv):
        print("usage: launch.py -f CONNECTION_FILE", file=sys.stderr)
        return 2
    conn, data, rest = parse_args(argv)
    grader = os.getppid()
    _set_parent_death_signal(signal.SIGTERM)  # the grading process died: so does the kernel
    if os.getppid() != grader:
        return 1
    cwd = Path.cwd()
    base = os.environ.get("BACKPROP_GRADER_SCRATCH") or tempfile.gettempdir()
    Path(base).mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="backprop-kernel-", dir=base))
    work = scratch / "work"
    home = scratch / "home"
    work.mkdir()
    if data is not None and data.is_dir():
        copy_data_files(data, work)  # the instructor's data files, never the submission's
    home.mkdir()
    conn_copy = scratch / "connection.json"
    shutil.copyfile(conn, conn_copy)
    os.chmod(conn_copy, 0o600)

    switch = os.geteuid() == 0 and os.environ.get("BACKPROP_KERNEL_USER", "auto") != "none"
    uid = UID_BASE + os.getpid()
    if switch:
        for root in course_roots(cwd):
            for path in protect(root):
                print(f"backprop-grader: removed access of other users to {path}", file=sys.stderr)
        chown_tree(scratch, uid, uid)
        os.chmod(scratch, 0o700)

    env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
    env.update({
        "HOME": str(home), "USER": "grader", "LOGNAME": "grader", "TMPDIR": str(scratch),
        "IPYTHONDIR": str(home / ".ipython"), "MPLCONFIGDIR": str(home / ".matplotlib"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_DATA_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(scratch), "BACKPROP_DATA": str(home / "data"),
        "MPLBACKEND": env.get("MPLBACKEND", "Agg"), "PYTHONDONTWRITEBYTECODE": "1",
        "BACKPROP_GRADING_KERNEL": "1",
    })
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    log = scratch / "kernel.log"
    log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if switch:
        os.fchown(log_fd, uid, uid)
    nproc = _env_int("BACKPROP_KERNEL_NPROC", 64)
    import importlib.util

    spec = importlib.util.find_spec("helpers")  # where the kernel will import it from
    needed = [sys.executable, sys.prefix, sys.base_prefix, str(HERE)]
    if spec and spec.origin:
        needed.append(os.path.dirname(spec.origin))
        env["BACKPROP_HELPERS_ORIGIN"] = os.path.realpath(spec.origin)  # kernel_main checks it
    blocked = blocked_ancestors(needed) if switch else []
    stubs = Path(tempfile.mkdtemp(prefix="backprop-stubs-", dir=base)) if blocked else None
    parent = os.getpid()

    child = os.fork()
    if child == 0:  # the kernel
        try:
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(log_fd, 1)
            os.dup2(log_fd, 2)
            if switch:
                try:
                    new_mount_namespace()
                    if blocked:
                        open_paths(blocked, stubs)
                    private_tmp([scratch, *needed], _env_int("BACKPROP_KERNEL_FILE_MB", 64))
                except OSError as exc:
                    if blocked:
                        raise  # the interpreter would be unreachable under another uid
                    os.write(2, f"backprop-grader: no private /tmp ({exc})\n".encode())
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            _set_parent_death_signal()  # after setuid, which clears it
            if os.getppid() != parent:
                os._exit(1)
            for which, value in limits().items():
                resource.setrlimit(which, (value, value))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # oversized writes fail with EFBIG
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.chdir(work)
            # -s: no user site-packages; -P: neither the working folder nor the script's
            # folder goes on sys.path (kernel_main.py removes the working folder again)
            os.execve(sys.executable, [sys.executable, *PYTHON_FLAGS, str(HERE / "kernel_main.py"),
                                       "-f", str(conn_copy), *rest[1:]], env)
        except BaseException as exc:  # noqa: BLE001 - report anything, then leave
            os.write(2, f"backprop-grader: cannot start the kernel: {exc!r}\n".encode())
        os._exit(127)

    # the parent: interrupts (SIGINT to the process group) are for the kernel only
    os.close(log_fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os.kill(child, signal.SIGKILL))
    status = 0
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    if switch:
        kill_uid(uid)
    try:
        tail = log.read_bytes()[-2000:].decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0 and tail.strip():
            print(tail, file=sys.stderr)
    except OSError:
        pass
    shutil.rmtree(scratch, ignore_errors=True)
    if stubs:
        shutil.rmtree(stubs, ignore_errors=True)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
