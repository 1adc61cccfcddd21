"""Warm kernels: one sandboxed "zygote" per worker imports TensorFlow once, then forks a kernel per job.

A fresh kernel spends most of its life importing TensorFlow (about 7 s of CPU here, more than the lesson's
own cells). The zygote is a small Python process started by each worker inside the same bubblewrap
sandbox and rlimits as a normal kernel (``--as-pid-1`` of its own PID namespace); it imports the modules
the source notebooks import (``preload``), IPython and ipykernel, marks itself non-dumpable (no ptrace,
no ``/proc/<pid>/mem`` for the kernels it forks), and then, on request, forks a child that becomes an
ipykernel for one submission. Only one child lives at a time; between two submissions :meth:`Zygote.reset`
kills every other process in the namespace (``kill(-1)`` from a helper: a fork bomb's leftovers too),
removes System V IPC objects, and empties ``/tmp``, the home folder and ``/dev/shm``; the worker empties
the working and socket folders. The next student starts from the zygote's pristine memory and empty
folders, as with a fresh kernel, minus the import time.

Semantics: the preloaded modules are already in ``sys.modules`` when the notebook imports them (the same
modules, imported with the same environment). If the zygote cannot start or a child does not come up, the
job falls back to a fresh kernel (:func:`autograder.pipeline._execute`).
"""

import ast
import json
import pathlib
import shutil
import signal
import subprocess
import sys
import time

from jupyter_client.provisioning import LocalProvisioner

from autograder.spec import is_solution

PRELOADABLE = ("numpy", "tensorflow", "keras", "sklearn", "scipy", "pandas", "fclab.reference", "fclab.checks",
               "fclab.data", "fclab.explain", "fclab.keras_check")

ZYGOTE_MODULE = pathlib.Path(__file__).resolve().parent / "sandboxed" / "zygote.py"


class ZygoteError(RuntimeError):
    """The zygote could not start or stopped answering."""


class Zygote:
    """The worker's handle on its zygote (see module docstring).

    Args:
        sandbox: the :class:`~autograder.sandbox.Sandbox` (bubblewrap + rlimits) to start it in.
        workdir, runtime_dir: the fixed folders its kernels use (bound into its sandbox).
        preload: module names to import once.
    """

    def __init__(self, sandbox, workdir, runtime_dir, preload):
        self.sandbox, self.workdir, self.runtime_dir = sandbox, workdir, runtime_dir
        self.preload = tuple(preload)
        sandbox.prepare_dirs(workdir, runtime_dir)
        argv = [sys.executable, str(ZYGOTE_MODULE), json.dumps(list(self.preload))]
        command = sandbox.wrap(argv, workdir, runtime_dir, as_pid_1=True)
        self.log = open(runtime_dir.parent / "zygote.log", "ab")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                        env=sandbox.env(), cwd=str(workdir), text=True, bufsize=1,
                                        start_new_session=True)
        self.warnings = []
        while True:
            reply = self._read(timeout=300)
            if "warning" in reply:
                self.warnings.append(reply["warning"])
            elif reply.get("ready"):
                break

    def alive(self):
        return self.process.poll() is None

    def _read(self, timeout=30):
        line = self.process.stdout.readline()
        if not line:
            raise ZygoteError(f"the warm-kernel zygote stopped (exit status {self.process.poll()}); see "
                              f"{self.runtime_dir.parent / 'zygote.log'}")
        return json.loads(line)

    def ask(self, **command):
        if not self.alive():
            raise ZygoteError(f"the warm-kernel zygote is not running (exit status {self.process.poll()})")
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._read()

    def spawn(self, argv):
        return self.ask(op="spawn", argv=argv, cwd=str(self.workdir),
                        log=str(self.runtime_dir / "kernel.log"))["pid"]

    def reset(self):
        self.ask(op="reset")

    def empty_folders(self):
        """Remove everything in the working and socket folders (before the next job fills them)."""
        for folder in (self.workdir, self.runtime_dir):
            for entry in folder.iterdir():
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()

    def close(self):
        if self.alive():
            self.process.kill()
            self.process.wait()
        self.log.close()


class WarmChild:
    """A Popen look-alike for a kernel forked by the zygote (its pid is inside the sandbox's namespace)."""

    def __init__(self, zygote, pid):
        self.zygote, self.pid, self.returncode = zygote, pid, None
        self.stdin = self.stdout = self.stderr = None

    def poll(self):
        if self.returncode is None:
            try:
                self.returncode = self.zygote.ask(op="poll", pid=self.pid)["code"]
            except ZygoteError:
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("warm kernel", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum):
        self.zygote.ask(op="signal", pid=self.pid, signal=int(signum))

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


class WarmProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching by asking the zygote instead of ``Popen``."""

    zygote = None

    async def launch_kernel(self, cmd, **kwargs):
        argv = cmd[cmd.index("-m") + 2:] if "-m" in cmd else cmd[1:]  # "-m ipykernel_launcher -f conn ..."
        self.process = WarmChild(self.zygote, self.zygote.spawn(argv))
        self.pid, self.pgid = self.process.pid, None  # never signal a host process group
        return self.connection_info


def preload_for(specs):
    """Modules worth importing once: the heavy ones the source notebooks import (see PRELOADABLE)."""
    return preload_for_cells(cell for spec in specs for cell in spec.template["cells"])


def preload_for_cells(cells):
    """The PRELOADABLE modules that the non-solution code cells among ``cells`` import."""
    wanted = set()
    for cell in cells:
        if cell.get("cell_type") != "code" or is_solution(cell):
            continue
        try:
            tree = ast.parse(cell["source"])
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            wanted |= {n for n in names for p in PRELOADABLE if n == p or n.startswith(p + ".")}
    return tuple(sorted(wanted))
