"""Ask the warm self-check server (:mod:`autograder.check_server`) for a clean run; start it when needed.

Used by ``python -m autograder check`` and by the clean-run button in the lab (from inside the student's
kernel, so this module imports only the standard library: it costs nothing to load).

The server lives in a folder of the user's own (``$XDG_RUNTIME_DIR/fclab-check`` or
``/tmp/fclab-check-<uid>``, mode 0700, refused when another user owns it): ``server.sock``, ``server.log``.
A server running other code than this checkout's (a ``git pull`` since it started) is stopped and started
again, so a check never runs yesterday's tests.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import pathlib
import socket
import stat
import subprocess
import sys
import tempfile
import time

PACKAGE_ROOT = pathlib.Path(__file__).resolve().parent.parent  # holds autograder/ and fclab/
START_SECONDS = 60


class CheckError(RuntimeError):
    """The check could not be run; the message says why and what to do."""


def state_dir():
    """The server's folder, made private to this user (see module docstring)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    folder = pathlib.Path(base) / "fclab-check" if base and os.path.isdir(base) else \
        pathlib.Path(tempfile.gettempdir()) / f"fclab-check-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise CheckError(f"{folder} is not a private folder of yours (owner uid {info.st_uid}, mode "
                         f"{stat.filemode(info.st_mode)}): remove it, or set XDG_RUNTIME_DIR to a folder of yours")
    return folder


def fingerprint(no_sandbox=False):
    """A hash of the code a check runs (autograder/ and fclab/ file names, sizes and times, the Python)."""
    digest = hashlib.sha256(f"{sys.executable}|{no_sandbox}".encode())
    for package in ("autograder", "fclab"):
        for path in sorted((PACKAGE_ROOT / package).rglob("*.py")):
            info = path.stat()
            digest.update(f"{path.relative_to(PACKAGE_ROOT)}|{info.st_size}|{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def ask(request, folder=None, timeout=None):
    """Send one request, return the reply (a dict); raises OSError when no server answers."""
    folder = folder or state_dir()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(5)
        conn.connect(str(folder / "server.sock"))
        conn.settimeout(timeout)
        conn.sendall((json.dumps(request) + "\n").encode())
        line = conn.makefile("r", encoding="utf-8").readline()
    if not line:
        raise CheckError(f"the self-check server stopped while answering; its log: {folder / 'server.log'}")
    return json.loads(line)


def ensure_server(no_sandbox=False, idle=None):
    """The folder of a running server with this checkout's code (started here when there is none)."""
    folder, wanted = state_dir(), fingerprint(no_sandbox)
    with _lock(folder):
        try:
            if ask({"op": "ping"}, folder, timeout=10).get("fingerprint") == wanted:
                return folder
            ask({"op": "stop"}, folder, timeout=30)  # other code (a git pull since): start it again
        except (OSError, ValueError):
            pass
        _start(folder, wanted, no_sandbox, idle)
    return folder


def _start(folder, wanted, no_sandbox, idle):
    env = {k: v for k, v in os.environ.items() if k not in ("JPY_SESSION_NAME", "JPY_PARENT_PID")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    argv = [sys.executable, "-m", "autograder.check_server", "--dir", str(folder), "--fingerprint", wanted]
    argv += ["--no-sandbox"] if no_sandbox else []
    argv += ["--idle", str(idle)] if idle else []
    with open(folder / "server.log", "ab") as log:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                   cwd=str(folder), start_new_session=True)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckError(f"the self-check server stopped as it started (exit status {process.returncode}); "
                             f"its log: {folder / 'server.log'}")
        try:
            if ask({"op": "ping"}, folder, timeout=10).get("fingerprint") == wanted:
                return
        except (OSError, ValueError):
            time.sleep(0.1)
    process.kill()
    raise CheckError(f"the self-check server did not answer within {START_SECONDS} s; its log: "
                     f"{folder / 'server.log'}")


@contextlib.contextmanager
def _lock(folder):
    with open(folder / "start.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check(path, no_sandbox=False):
    """A clean run of the saved notebook at ``path`` -> the server's result dict (see
    :class:`autograder.selfcheck.CheckResult`); raises :class:`CheckError` when it could not run."""
    path = pathlib.Path(path).resolve()
    if not path.is_file():
        raise CheckError(f"there is no file {path}: save the notebook first (Ctrl-S), then check again")
    folder = ensure_server(no_sandbox)
    try:
        reply = ask({"op": "check", "path": str(path)}, folder)
    except OSError as exc:
        raise CheckError(f"the self-check server did not answer ({exc}); its log: {folder / 'server.log'}") from exc
    if not reply.get("ok"):
        raise CheckError(reply.get("error", "the self-check server gave no reason"))
    return reply["result"]


def stop():
    """Stop this user's server; True when one was running."""
    try:
        ask({"op": "stop"}, timeout=30)
    except (OSError, ValueError, CheckError):
        return False
    return True
