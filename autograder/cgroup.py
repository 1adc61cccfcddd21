"""A pids cgroup per sandbox: the process limit that holds for root and counts only that sandbox.

``RLIMIT_NPROC`` counts every process of the *real uid* on the host, and root is exempt from it, so the
engine's first line of defence against a fork bomb is a pids cgroup: the main process makes a folder
``autograder-<main pid>`` in the pids hierarchy (cgroup v1, or v2 where the controller is delegated to us),
every sandbox gets a child folder with ``pids.max`` set to :attr:`~autograder.sandbox.Limits.processes`,
and :mod:`autograder.confine` moves the sandbox's first process into it before ``bwrap`` starts, so
everything the sandbox forks is counted there, threads included. Where no pids cgroup is writable the
sandbox falls back to a uid of its own with ``RLIMIT_NPROC`` (:mod:`autograder.sandbox`).

Shapes: a cgroup is a :class:`pathlib.Path` (a folder of the cgroup file system); members are host pids.
"""

import functools
import os
import pathlib
import signal
import time

V1_ROOT = pathlib.Path("/sys/fs/cgroup/pids")
V2_ROOTS = (pathlib.Path("/sys/fs/cgroup"), pathlib.Path("/sys/fs/cgroup/unified"))
PREFIX = "autograder-"


def _own_path(controller):
    """This process's cgroup path in the hierarchy of ``controller`` ("" for the v2 unified line)."""
    try:
        lines = pathlib.Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if controller in names.split(",") or (controller == "" and names == ""):
            return path.lstrip("/")
    return None


def _candidates():
    """``[(label, folder)]``: where a pids cgroup of ours could go, v1 first."""
    found = []
    own = _own_path("pids")
    if own is not None and (V1_ROOT / "cgroup.procs").exists():
        found.append(("cgroup v1", V1_ROOT / own))
    own2 = _own_path("")
    for root in V2_ROOTS:
        try:
            controllers = (root / "cgroup.controllers").read_text().split()
        except OSError:
            continue
        if own2 is not None and "pids" in controllers:
            found.append(("cgroup v2 (delegated)", root / own2))
    return found


@functools.lru_cache(maxsize=None)
def probe():
    """``(parent folder or None, description)``: can this process create pids cgroups, and where?

    The description names what is in force or why not (it is shown once per grading run).
    """
    reasons = []
    for label, parent in _candidates():
        test = parent / f"{PREFIX}probe-{os.getpid()}"
        try:
            test.mkdir()
        except OSError as exc:
            reasons.append(f"{label} at {parent} is not writable ({exc.strerror})")
            continue
        try:
            usable = (test / "pids.max").exists() and (test / "cgroup.procs").exists()
        finally:
            test.rmdir()
        if usable:
            return parent, f"a pids cgroup of its own ({label}, under {parent})"
        reasons.append(f"{label} at {parent} has no pids controller for its children (needs delegation)")
    return None, "no writable pids cgroup: " + ("; ".join(reasons) or "no pids controller mounted")


def run_folder(owner_pid):
    """The grading run's own folder (``autograder-<main pid>``) under the probed parent, or None."""
    parent, _ = probe()
    return None if parent is None else parent / f"{PREFIX}{owner_pid}"


def create(folder, max_pids):
    """Make ``folder`` (parents included) and set its ``pids.max``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pids.max").write_text(str(max_pids))
    return folder


def members(folder):
    """Host pids of every process in ``folder`` and its children (empty when it is gone)."""
    pids = []
    for procs in [folder / "cgroup.procs", *folder.glob("*/cgroup.procs")]:
        try:
            pids += [int(p) for p in procs.read_text().split()]
        except (OSError, ValueError):
            continue
    return pids


def kill_all(folder, rounds=50):
    """SIGKILL everything in ``folder`` (no new process can start meanwhile), then remove it.

    Returns the number of processes that were still there after ``rounds`` (0 when it worked).
    """
    for limit in [folder / "pids.max", *folder.glob("*/pids.max")]:
        try:
            limit.write_text("0")  # forks fail from now on, so the loop below converges
        except OSError:
            pass
    left = members(folder)
    for _ in range(rounds):
        if not left:
            break
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)
        left = members(folder)
    remove(folder)
    return len(left)


def remove(folder):
    """Remove ``folder`` and its (empty) children; a folder that still has members stays."""
    for child in sorted(folder.glob("**/"), key=lambda p: -len(p.parts)):
        try:
            child.rmdir()
        except OSError:
            pass


def sweep():
    """Kill and remove the run folders whose main process is gone (a run that was SIGKILLed)."""
    parent, _ = probe()
    if parent is None:
        return
    for folder in parent.glob(f"{PREFIX}*"):
        owner = folder.name[len(PREFIX):]
        if owner.isdigit() and not pathlib.Path(f"/proc/{owner}").exists():
            kill_all(folder)
