"""Nothing of the engine outlives the main process; a sandbox can be ended at once.

Chain of lifetimes (each link dies with the one before it, even on SIGKILL):

- worker -> trusted zygote and runners (outside the sandbox): :func:`die_with_parent` at their start;
- main process -> workers: a worker watches the main process's pidfd (:func:`die_with`, the pool's
  initializer) and kills itself when it exits; a pool worker's parent is the forkserver, which the main
  process does not outlive either, so a parent-death signal alone would not do;
- worker -> bwrap: ``bwrap --die-with-parent``;
- bwrap -> the namespace's init: ``--die-with-parent`` again, and ``setpriv --pdeathsig KILL`` after the
  uid change that clears it (the zygote is the init under ``--as-pid-1``);
- init -> every other process of the PID namespace: the kernel kills them all when the init dies.

Shapes: pids are host pids (ints).
"""

import ctypes
import os
import pathlib
import select
import signal
import threading

PR_SET_PDEATHSIG = 1


def set_parent_death_signal(signum=signal.SIGKILL):
    """Ask the kernel to send ``signum`` to this process when its parent thread exits (Linux)."""
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0


PARENT_ENV = "AUTOGRADER_PARENT_PID"


def die_with_parent(expected=None):
    """SIGKILL this process as soon as its parent process exits (even if it is already gone).

    ``expected``: the parent's pid (default: ``$AUTOGRADER_PARENT_PID``, else the current parent). A pidfd
    watch, not a parent-death signal: that one fires when the parent *thread* ends, and the engine starts
    some of these processes from short-lived threads.
    """
    die_with(expected or int(os.environ.get(PARENT_ENV, "0")) or os.getppid(), parent_signal=False)


def die_with(main_pid, parent_signal=True):
    """Kill this process (SIGKILL) as soon as process ``main_pid`` exits. Returns the watching thread.

    Used as the worker pool's initializer: the watcher blocks on the main process's pidfd, so it costs
    nothing while the main process lives. If ``main_pid`` is already gone, this process dies now.
    ``parent_signal``: also die with the parent (a pool worker's parent is the single-threaded forkserver).
    """
    if parent_signal:
        set_parent_death_signal()
    try:
        fd = os.pidfd_open(main_pid)
    except ProcessLookupError:
        os.kill(os.getpid(), signal.SIGKILL)
        raise

    def watch():
        select.select([fd], [], [])
        os.kill(os.getpid(), signal.SIGKILL)

    thread = threading.Thread(target=watch, name=f"die-with-{main_pid}", daemon=True)
    thread.start()
    return thread


def pids_of(uid):
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def bwrap_processes(runtime_dir):
    """Host pids of the bwrap processes (the outer ones) that bind ``runtime_dir``."""
    needle = os.fsencode(str(runtime_dir))
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            argv = pathlib.Path(entry.path, "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"bwrap") and needle in argv and b"--bind" in argv:
            found.append(int(entry.name))
    return found


def children(pid):
    try:
        text = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


