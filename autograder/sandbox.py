"""Where a submission's kernel runs: bubblewrap when it works here, rlimits always.

With bubblewrap (probed once per process) the kernel gets: no network (its own network namespace; the
kernel talks to us over ``ipc`` sockets in a folder bound into the sandbox), its own PID namespace (a
fork bomb dies with it), a private ``/tmp`` and home (tmpfs), read-only ``/usr``, ``/etc``, Python and
the venv, the fclab package folder read-only, and exactly two writable folders: the submission's
working copy and the kernel's socket folder. The course, source/, the gradebook and other submissions
are not mounted at all. The venv and fclab live inside the repository, so they are bound one by one,
never the repository itself. Run as root, the kernel drops to a uid of its own (``setpriv``), so the
process limit counts only this sandbox's processes.

rlimits (``prlimit``): CPU seconds, address space, number of processes, file size, no core files.
The environment is rebuilt from an allow-list: no inherited secrets.
"""

import dataclasses
import functools
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys

ENV_ALLOW = ("PATH", "LANG", "LC_ALL", "TZ", "KERAS_BACKEND", "MPLBACKEND", "CUDA_VISIBLE_DEVICES",
             "OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "PYTHONHASHSEED")
HOME = "/home/student"
UID_BASE = 100_000


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

    @classmethod
    def create(cls, limits=None, sandbox=True):
        """A Sandbox for this machine; returns ``(sandbox, warning or None)``."""
        limits = limits or Limits()
        if not sandbox:
            return cls(limits, use_bwrap=False), "--no-sandbox: kernels run with rlimits only"
        works, reason = probe_bwrap()
        if works:
            return cls(limits, use_bwrap=True), None
        return cls(limits, use_bwrap=False), (f"{reason}: kernels run with rlimits only (no network or file "
                                              f"isolation)")

    def uid(self):
        """The uid a kernel started from this process runs as (None: keep ours)."""
        if self.use_bwrap and os.geteuid() == 0 and shutil.which("setpriv"):
            return UID_BASE + os.getpid()
        return None

    def prepare_dirs(self, *dirs):
        """Make the writable folders usable by the sandbox uid."""
        uid = self.uid()
        for folder in dirs:
            for root, subdirs, files in os.walk(folder):
                for name in [root] + [os.path.join(root, f) for f in subdirs + files]:
                    if uid is not None:
                        os.chown(name, uid, uid, follow_symlinks=False)

    def env(self):
        """The kernel's environment: an allow-list of ours plus fixed values."""
        env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
        env.update(HOME=HOME if self.use_bwrap else os.environ.get("HOME", "/tmp"),
                   TF_CPP_MIN_LOG_LEVEL="2", PYTHONDONTWRITEBYTECODE="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
                   MPLCONFIGDIR="/tmp/matplotlib", IPYTHONDIR="/tmp/ipython", JUPYTER_PLATFORM_DIRS="1")
        env.setdefault("LANG", "C.UTF-8")
        env["PATH"] = f"{pathlib.Path(sys.executable).parent}:/usr/bin:/bin"
        home = fclab_home()
        if home is not None:  # the fclab we grade with (a worktree's, say), not whatever the venv points at
            env["PYTHONPATH"] = home
        return env

    def wrap(self, argv, workdir, runtime_dir, as_pid_1=False):
        """The full command line: ``bwrap … -- setpriv … prlimit … <argv>``.

        ``as_pid_1``: the command is the PID namespace's init (the warm-kernel zygote reaps and cleans it).
        """
        return self._bwrap(workdir, runtime_dir, as_pid_1) + self._setpriv() + self._prlimit() + list(argv)

    def _prlimit(self):
        lim = self.limits
        prlimit = shutil.which("prlimit")
        values = {"cpu": lim.cpu_seconds, "as": lim.memory_bytes, "nproc": self._nproc(),
                  "fsize": lim.file_bytes, "core": 0}
        if prlimit:
            return [prlimit] + [f"--{k}={v}" for k, v in values.items()] + ["--"]
        code = ("import os,resource as r,sys;"
                + "".join(f"r.setrlimit(r.RLIMIT_{k.upper()},({v},{v}));" for k, v in values.items())
                + "os.execv(sys.argv[1],sys.argv[1:])")
        return [sys.executable, "-c", code]

    def _nproc(self):
        if self.uid() is not None or os.geteuid() == 0:
            return self.limits.processes
        # RLIMIT_NPROC counts all processes of the real uid: leave room for the ones already running
        return self.limits.processes + _tasks_of(os.getuid())

    def _setpriv(self):
        uid = self.uid()
        if uid is None:
            return []
        return [shutil.which("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--"]

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
        paths = [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), *self.extra_ro]
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


def _tasks_of(uid):
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += len(os.listdir(f"/proc/{entry.name}/task")) if os.stat(entry.path).st_uid == uid else 0
            except OSError:
                continue
    return count
