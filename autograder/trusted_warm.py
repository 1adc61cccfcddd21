"""Trusted runner processes: a warm zygote per worker, one forked runner per submission.

The trusted runner (:mod:`autograder.runner`) needs the course's numpy, fclab and, for TensorFlow lessons,
Keras: seconds of imports. Each worker starts one *trusted zygote* (``python -m autograder.trusted_warm
'["numpy", ...]'``, outside the sandbox, its cwd a folder of its own) that imports those modules once,
without running a TensorFlow op, and then forks one runner per submission, so nothing of one student's run
reaches the next. The worker hands the zygote one end of a fresh socket pair (``SCM_RIGHTS``); the forked
runner serves it and exits when the worker closes its end. Without the warm zygote
(``--fresh-kernels``) :func:`start_fresh` starts ``python -m autograder.runner FD`` instead.

:class:`RunnerLink` is the worker's end: send, receive with a deadline, kill.
"""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import traceback
from multiprocessing.connection import Connection

import fclab.env

from autograder import lifetime

ROOT = pathlib.Path(__file__).resolve().parents[1]


def runner_env():
    """The trusted processes' environment: ours, quiet TensorFlow, this repository first on the path."""
    env = dict(os.environ, **fclab.env.KERNEL_ENV, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env[lifetime.PARENT_ENV] = str(os.getpid())  # they die with this worker (autograder.lifetime)
    return env


class RunnerError(RuntimeError):
    """The trusted runner could not start, stopped, or ran past its time."""


class RunnerLink:
    """The worker's end of one runner's connection."""

    def __init__(self, connection, pid, process=None):
        self.connection, self.pid, self.process = connection, pid, process

    def send(self, message):
        try:
            self.connection.send(message)
        except (OSError, ValueError) as exc:
            raise RunnerError(f"the trusted runner stopped ({exc})") from None

    def receive(self, timeout):
        """The next message, or raise RunnerError when none comes within ``timeout`` seconds or it stopped."""
        try:
            if not self.connection.poll(max(0.0, timeout)):
                raise RunnerError(f"the trusted runner did not answer within {timeout:.0f} s")
            return self.connection.recv()
        except (EOFError, OSError) as exc:
            raise RunnerError(f"the trusted runner stopped ({type(exc).__name__})") from None

    def close(self):
        try:
            self.connection.close()
        except OSError:
            pass
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        self.close()


def start_fresh(workdir):
    """A runner in a new Python process (no zygote): ``python -m autograder.runner FD``."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    process = subprocess.Popen([sys.executable, "-m", "autograder.runner", str(theirs.fileno())],
                               pass_fds=[theirs.fileno()], cwd=str(workdir), env=runner_env(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True)
    theirs.close()
    return RunnerLink(Connection(ours.detach()), process.pid, process)


class TrustedZygote:
    """The worker's handle on its trusted zygote (see module docstring)."""

    def __init__(self, preload, workdir, log_path):
        self.preload = tuple(preload)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.log = open(log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.trusted_warm", str(theirs.fileno()), json.dumps(list(self.preload))],
            pass_fds=[theirs.fileno()], cwd=str(workdir), env=runner_env(), stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=self.log, start_new_session=True)
        theirs.close()
        self.control = ours
        self.control.settimeout(600)
        try:
            ready = self._read()
        except (OSError, ValueError) as exc:
            self.close()
            raise RunnerError(f"the trusted zygote did not start ({exc}); see {log_path}") from None
        if not ready.get("ready"):
            self.close()
            raise RunnerError(f"the trusted zygote did not start: {ready}; see {log_path}")
        self.seconds = time.monotonic() - started

    def _read(self):
        data = b""
        while not data.endswith(b"\n"):
            chunk = self.control.recv(4096)
            if not chunk:
                raise OSError(f"exit status {self.process.poll()}")
            data += chunk
        return json.loads(data)

    def alive(self):
        return self.process.poll() is None

    def spawn(self):
        """A fresh runner forked from the zygote -> :class:`RunnerLink`."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(self.control, [b"spawn\n"], [theirs.fileno()])
            reply = self._read()
        except (OSError, ValueError) as exc:
            raise RunnerError(f"the trusted zygote stopped ({exc})") from None
        finally:
            theirs.close()
        return RunnerLink(Connection(ours.detach()), int(reply["pid"]))

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.control.close()
        self.log.close()


def main(argv=None):
    """The zygote process: import, then fork a runner for every socket received (see module docstring)."""
    import importlib

    lifetime.die_with_parent()  # the worker may be SIGKILLed: never outlive it
    argv = sys.argv[1:] if argv is None else argv
    control = socket.socket(fileno=int(argv[0]))
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    for name in json.loads(argv[1]):
        try:
            importlib.import_module(name)
        except Exception as exc:  # the runner imports it again and reports the error in the cell
            print(f"preload {name}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    from autograder import runner

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # runners are reaped by the kernel
    control.sendall(b'{"ready": true}\n')
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(control, 64, 1)
        except OSError:
            return
        if not fds:
            return  # the worker closed the control socket
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            lifetime.die_with_parent(zygote)
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = 0
            try:
                runner.serve(Connection(fds[0]))
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stderr.flush()
                os._exit(code)
        os.close(fds[0])
        control.sendall(json.dumps({"pid": pid}).encode() + b"\n")


if __name__ == "__main__":
    main()
