"""Where a submission's kernel runs: bubblewrap when it works here, a process limit that holds, rlimits always.

With bubblewrap (probed once per process) the kernel gets: no network (its own network namespace; the
kernel talks to us over ``ipc`` sockets in a folder bound into the sandbox), its own PID namespace, a
private ``/tmp`` and home (tmpfs), read-only ``/usr``, ``/etc``, Python and the venv, the fclab package
folder read-only, and exactly two writable folders: the submission's working copy and the kernel's socket
folder. The course, source/, the gradebook and other submissions are not mounted at all. The venv and
fclab live inside the repository, so they are bound one by one, never the repository itself.

Every sandbox this process starts is a :class:`Box`, named by its socket folder (``runtime_dir``):

- **process limit**: a pids cgroup of its own where one is writable (:mod:`autograder.cgroup`, entered by
  :mod:`autograder.confine` before bwrap starts); the named fallback is ``RLIMIT_NPROC`` on a uid of its
  own (run as root, the kernel drops to it with ``setpriv``; ``RLIMIT_NPROC`` counts the real uid across
  the host, so two sandboxes never share one). :attr:`Sandbox.process_limit` says which is in force.
- **lifetime**: ``bwrap --die-with-parent`` and ``setpriv --pdeathsig KILL`` (a uid change clears the
  parent-death signal bwrap set, so it is set again after it): when the worker dies, the namespace's
  init dies, and with it every process of the namespace. :meth:`Sandbox.end` ends a sandbox the same way
  (SIGKILL to the namespace's init), which stops a fork bomb at once instead of signalling every fork.

rlimits (``prlimit``): CPU seconds, address space, number of processes, file size, no core files.
The environment is rebuilt from an allow-list: no inherited secrets.
"""

import atexit
import dataclasses
import functools
import importlib.util
import itertools
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import fclab.env

from autograder import cgroup
from autograder.lifetime import bwrap_processes, children, kill, pids_of

ENV_ALLOW = ("PATH", "LANG", "LC_ALL", "TZ", "KERAS_BACKEND", "MPLBACKEND", "CUDA_VISIBLE_DEVICES",
             "OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "PYTHONHASHSEED")
HOME = "/home/student"
UID_BASE = 100_000
UIDS_PER_PROCESS = 64  # sandbox uids of one worker: UID_BASE + pid * 64 + (0..63), never shared by two workers
CONFINE = str(pathlib.Path(__file__).with_name("confine.py"))
KERNEL_PATH = str(pathlib.Path(__file__).with_name("kernel_path"))  # modules the kernel itself imports
OUTSTREAM = "--IPKernelApp.outstream_class=autograder_stream.CappedOutStream"


@dataclasses.dataclass
class Limits:
    """Resource limits of one submission's kernel (defaults sized for a TensorFlow lesson)."""

    cpu_seconds: int = 900
    memory_bytes: int = 6 * 2**30
    processes: int = 256
    file_bytes: int = 256 * 2**20
    cell_timeout: float = 300.0
    notebook_timeout: float = 1200.0
    cell_output_bytes: int = 1 * 2**20
    notebook_output_bytes: int = 8 * 2**20

    @property
    def message_bytes(self):
        """The largest message the worker accepts from a kernel: bigger ones never reach its memory."""
        return 2 * max(self.cell_output_bytes, self.notebook_output_bytes) + 2**20


@functools.lru_cache(maxsize=None)
def probe_bwrap():
    """``(works, reason)``: can bubblewrap start a process with its own network namespace here?"""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap (bwrap) is not installed (apt-get install bubblewrap)"
    argv = [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--die-with-parent", "--",
            "/bin/true"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap failed to start: {exc}"
    if done.returncode != 0:
        return False, f"bubblewrap cannot create namespaces here: {done.stderr.strip()[:200]}"
    return True, "bubblewrap works"


@dataclasses.dataclass
class Sandbox:
    """How to wrap a kernel command. ``use_bwrap=False`` means rlimits only.

    Args:
        limits: the rlimits and wall clocks.
        use_bwrap: wrap in bubblewrap (only when :func:`probe_bwrap` says it works).
        extra_ro: more host folders to mount read-only (e.g. a data set folder).
    """

    limits: Limits = dataclasses.field(default_factory=Limits)
    use_bwrap: bool = True
    extra_ro: tuple = ()
    cgroup_run: str = None  # the grading run's pids cgroup folder (None: the RLIMIT_NPROC fallback)
    process_limit: str = ""  # what limits the number of processes, in words (shown once per run)

    @classmethod
    def create(cls, limits=None, sandbox=True):
        """A Sandbox for this machine; returns ``(sandbox, warning or None)``.

        Called in the main process: it also decides the process limit (see :attr:`process_limit`) and
        removes the pids cgroups of earlier runs that were killed.
        """
        limits = limits or Limits()
        if not sandbox:
            box, warning = cls(limits, use_bwrap=False), "--no-sandbox: kernels run with rlimits only"
        else:
            works, reason = probe_bwrap()
            box, warning = cls(limits, use_bwrap=works), None if works else (
                f"{reason}: kernels run with rlimits only (no network or file isolation)")
        box.cgroup_run, box.process_limit = _process_limit(box)
        return box, warning

    def uid(self, runtime_dir=None):
        """The uid the sandbox named by ``runtime_dir`` runs as (None: keep ours)."""
        if not (self.use_bwrap and os.geteuid() == 0 and shutil.which("setpriv")):
            return None
        return self.box(runtime_dir).uid

    def box(self, runtime_dir):
        """The :class:`Box` of the sandbox whose socket folder is ``runtime_dir`` (made on first use)."""
        key = os.path.realpath(runtime_dir or ".")
        if key not in _BOXES:
            _forget_finished()
            uid = None
            if self.use_bwrap and os.geteuid() == 0 and shutil.which("setpriv"):
                uid = UID_BASE + os.getpid() * UIDS_PER_PROCESS + next(_UID_SERIAL) % UIDS_PER_PROCESS
            folder = None
            if self.cgroup_run:
                try:
                    folder = cgroup.create(pathlib.Path(self.cgroup_run) / f"{os.getpid()}-{next(_SERIAL)}",
                                           self.limits.processes)
                except OSError:  # e.g. a dask worker on a machine without it: RLIMIT_NPROC still holds
                    folder = None
            _BOXES[key] = Box(key, uid, folder)
        return _BOXES[key]

    def members(self, runtime_dir):
        """Host pids of the sandbox's processes (its cgroup, else the processes of its uid)."""
        box = _BOXES.get(os.path.realpath(runtime_dir))
        if box is None:
            return []
        if box.cgroup is not None:
            return cgroup.members(box.cgroup)
        return pids_of(box.uid) if box.uid is not None else []

    def strays(self, runtime_dir):
        """How many processes the sandbox runs beyond its kernel (and zygote, bwrap): forks of the code."""
        box = _BOXES.get(os.path.realpath(runtime_dir))
        return 0 if box is None or not box.started else max(0, len(self.members(runtime_dir)) - box.at_rest)

    def end(self, runtime_dir):
        """Kill the whole sandbox named by ``runtime_dir``: its namespace's init, then anything left."""
        box = _BOXES.pop(os.path.realpath(runtime_dir), None)
        if box is None:
            return
        for outer in bwrap_processes(runtime_dir):
            for child in children(outer):  # the namespace's init: the kernel kills the namespace with it
                kill(child)
            kill(outer)
        if box.cgroup is not None:
            cgroup.kill_all(box.cgroup)
        elif box.uid is not None:
            for _ in range(50):
                left = pids_of(box.uid)
                if not left:
                    break
                for pid in left:
                    kill(pid)
                time.sleep(0.02)

    def client_context(self):
        """A ZeroMQ context for the worker's end of the kernel channels: a message over
        :attr:`Limits.message_bytes` (a 200 MB print) is refused by the transport as it arrives, never
        read whole into the worker; the kernel's byte budget (:mod:`autograder.kernel`) cuts the rest."""
        import zmq.asyncio

        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, self.limits.message_bytes)
        return context

    @staticmethod
    def watch(socket):
        """A monitor of ``socket`` (from :meth:`client_context`) for :meth:`closed`: a refused message
        closes the connection for good (ZeroMQ does not reconnect after it)."""
        import zmq

        return zmq.Socket.shadow(socket.get_monitor_socket(zmq.EVENT_DISCONNECTED).underlying)

    @staticmethod
    def closed(monitor):
        """Has the watched socket lost its connection since the last call?"""
        import zmq

        try:
            monitor.recv_multipart(zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True

    def prepare_dirs(self, *dirs):
        """Make the writable folders usable by the sandbox uid (the last folder is the sandbox's socket
        folder: it names the sandbox, see :meth:`box`)."""
        uid = self.uid(dirs[-1]) if dirs else None
        for folder in dirs:
            for root, subdirs, files in os.walk(folder):
                for name in [root] + [os.path.join(root, f) for f in subdirs + files]:
                    if uid is not None:
                        os.chown(name, uid, uid, follow_symlinks=False)

    def env(self):
        """The kernel's environment: an allow-list of ours plus fixed values."""
        env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
        env.update(HOME=HOME if self.use_bwrap else os.environ.get("HOME", "/tmp"),
                   PYTHONDONTWRITEBYTECODE="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
                   MPLCONFIGDIR="/tmp/matplotlib", IPYTHONDIR="/tmp/ipython", JUPYTER_PLATFORM_DIRS="1")
        env.update(fclab.env.KERNEL_ENV)  # quiet TensorFlow, Keras on TensorFlow: the one place they live
        env.setdefault("LANG", "C.UTF-8")
        env["PATH"] = f"{pathlib.Path(sys.executable).parent}:/usr/bin:/bin"
        # the fclab we grade with (a worktree's, say), not whatever the venv points at; the capped stdout
        env["PYTHONPATH"] = os.pathsep.join(p for p in (KERNEL_PATH, fclab_home()) if p)
        env["AUTOGRADER_STREAM_BYTES"] = str(self.limits.cell_output_bytes)
        return env

    def wrap(self, argv, workdir, runtime_dir, as_pid_1=False):
        """The full command line: ``bwrap … -- setpriv … prlimit … <argv>``.

        ``as_pid_1``: the command is the PID namespace's init (the warm-kernel zygote reaps and cleans it).
        """
        box = self.box(runtime_dir)
        box.started = True
        box.at_rest = 3 if box.cgroup is not None else 2 if as_pid_1 else 1  # + bwrap and its init in a cgroup
        confine = [sys.executable, "-I", "-S", CONFINE, str(box.cgroup), "--"] if box.cgroup is not None else []
        argv = list(argv) + ([OUTSTREAM] if "ipykernel_launcher" in argv else [])
        return (confine + self._bwrap(workdir, runtime_dir, as_pid_1) + self._setpriv(box.uid)
                + self._prlimit(box.uid) + argv)

    def _prlimit(self, uid):
        lim = self.limits
        prlimit = shutil.which("prlimit")
        values = {"cpu": lim.cpu_seconds, "as": lim.memory_bytes, "nproc": self._nproc(uid),
                  "fsize": lim.file_bytes, "core": 0}
        if prlimit:
            return [prlimit] + [f"--{k}={v}" for k, v in values.items()] + ["--"]
        code = ("import os,resource as r,sys;"
                + "".join(f"r.setrlimit(r.RLIMIT_{k.upper()},({v},{v}));" for k, v in values.items())
                + "os.execv(sys.argv[1],sys.argv[1:])")
        return [sys.executable, "-c", code]

    def _nproc(self, uid):
        if uid is not None or os.geteuid() == 0:
            return self.limits.processes
        # RLIMIT_NPROC counts all processes of the real uid: leave room for the ones already running
        return self.limits.processes + _tasks_of(os.getuid())

    def _setpriv(self, uid):
        if uid is None:
            return []
        # the uid change clears the parent-death signal bwrap set: set it again (--as-pid-1 needs it)
        return [shutil.which("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--pdeathsig", "KILL", "--"]

    def _bwrap(self, workdir, runtime_dir, as_pid_1=False):
        if not self.use_bwrap:
            return []
        args = [shutil.which("bwrap")] + (["--as-pid-1"] if as_pid_1 else [])
        args += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                 "--die-with-parent", "--hostname", "sandbox",
                 # the kernel's parent is the namespace's init: don't let ipykernel poll the outer pid
                 "--unsetenv", "JPY_PARENT_PID"]
        if os.geteuid() != 0:
            args.append("--unshare-user")
        for top in ("/usr", "/etc"):
            args += ["--ro-bind", top, top]
        for link in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(link):
                args += ["--symlink", os.readlink(link), link]
            elif os.path.isdir(link):
                args += ["--ro-bind", link, link]
        args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
                 "--perms", "0755", "--dir", "/home", "--perms", "1777", "--tmpfs", HOME]
        made = {"/", "/usr", "/etc", "/tmp", "/home", HOME, "/proc", "/dev"}
        binds = [(p, "--ro-bind") for p in self.read_only_paths()] + [
            (str(workdir), "--bind"), (str(runtime_dir), "--bind")]
        for path, how in binds:
            for parent in reversed(pathlib.PurePosixPath(path).parents):
                if str(parent) not in made:
                    args += ["--perms", "0755", "--dir", str(parent)]
                    made.add(str(parent))
            args += [how, path, path]
            made.add(path)
        for target, link in self.links():
            for parent in reversed(pathlib.PurePosixPath(link).parents):
                if str(parent) not in made:
                    args += ["--perms", "0755", "--dir", str(parent)]
                    made.add(str(parent))
            args += ["--symlink", target, link]
        return args + ["--chdir", str(workdir), "--"]

    @staticmethod
    def links():
        """``[(target, link)]``: the venv reached through a symlink (a worktree's ``.venv``) exists inside too."""
        seen = os.path.abspath(sys.prefix)
        real = os.path.realpath(sys.prefix)
        if seen == real:
            return []
        # the outermost symlinked folder on the way, e.g. /work/wt/x/.venv -> /work/main/.venv
        path = pathlib.PurePosixPath(seen)
        for parent in [*reversed(path.parents), path][1:]:
            if os.path.islink(parent):
                return [(os.path.realpath(parent), str(parent))]
        return []

    def read_only_paths(self):
        """Host folders the kernel needs (Python, the venv, fclab), minus what /usr already covers."""
        paths = [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), KERNEL_PATH, *self.extra_ro]
        spec = importlib.util.find_spec("fclab")
        if spec is not None:
            paths += [os.path.realpath(p) for p in (spec.submodule_search_locations or [])
                      if os.path.isdir(p)]
        kept = []
        for path in sorted(set(paths), key=len):
            if path.startswith("/usr/") or any(path == k or path.startswith(k + "/") for k in kept):
                continue
            kept.append(path)
        return kept


def fclab_home():
    """The folder holding the ``fclab`` package this process imports (bound read-only into the sandbox)."""
    spec = importlib.util.find_spec("fclab")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.dirname(os.path.realpath(list(spec.submodule_search_locations)[0]))


@dataclasses.dataclass
class Box:
    """One sandbox started by this process (never leaves it): its uid, its pids cgroup, its size at rest.

    ``at_rest``: processes of a sandbox whose kernel runs nothing else (bwrap, the namespace's init or
    zygote, the kernel); anything beyond is a process the submission started.
    """

    runtime_dir: str
    uid: int = None
    cgroup: pathlib.Path = None
    started: bool = False
    at_rest: int = 1


_BOXES = {}  # realpath(runtime_dir) -> Box, in this process
_SERIAL = itertools.count()
_UID_SERIAL = itertools.count()  # uids are reused only after 64 sandboxes of one worker


def _forget_finished():
    """Drop the boxes of this process whose processes are all gone (their cgroup folders too)."""
    for key, box in list(_BOXES.items()):
        if box.started and box.cgroup is not None and not cgroup.members(box.cgroup):
            cgroup.remove(box.cgroup)
            del _BOXES[key]
        elif box.started and box.cgroup is None and not os.path.isdir(key):
            del _BOXES[key]


def _process_limit(box):
    """``(cgroup run folder or None, description)`` for the main process (see :class:`Sandbox`)."""
    n = box.limits.processes
    if os.geteuid() == 0 or box.use_bwrap:
        cgroup.sweep()
        parent, why = cgroup.probe()
        if parent is not None:
            folder = cgroup.create(cgroup.run_folder(os.getpid()), "max")
            atexit.register(cgroup.kill_all, folder)
            return str(folder), f"process limit: {n} per sandbox, counted by {why}"
    else:
        why = "not root"
    if box.use_bwrap and os.geteuid() == 0 and shutil.which("setpriv"):
        return None, (f"process limit: {n} per sandbox, counted by RLIMIT_NPROC on a uid of its own per sandbox "
                      f"(fallback: {why})")
    return None, (f"process limit: RLIMIT_NPROC of uid {os.getuid()}, {n} above what it already runs, shared "
                  f"by all kernels of this run (fallback: {why}; run as root with bubblewrap for a limit per "
                  f"sandbox)")


def _tasks_of(uid):
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += len(os.listdir(f"/proc/{entry.name}/task")) if os.stat(entry.path).st_uid == uid else 0
            except OSError:
                continue
    return count
