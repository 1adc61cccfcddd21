"""The warm self-check server: clean runs of saved notebooks, each kernel forked from a warm interpreter.

``python -m autograder check`` and the clean-run button under the lab's score card
(:mod:`fclab.checks._clean_run`) both ask this server (through :mod:`autograder.check_client`), which starts
it on first use. It holds a sandboxed zygote (:class:`autograder.warm.Zygote`, the grader's own) that has
imported the lesson's heavy modules (numpy, TensorFlow, Keras, fclab) once; each check copies the
notebook's folder into the zygote's working folder, forks a fresh kernel, runs the notebook top to bottom
(test cells included, as :func:`autograder.selfcheck.check_notebook` does) and resets the zygote. So a
check after the first costs the lesson's own compute plus about a second, not an interpreter start and a
TensorFlow import.

Without bubblewrap (macOS, or Linux without it) the zygote cannot be cleaned between runs (it needs its
own PID namespace), so every check starts a fresh kernel (:class:`autograder.selfcheck.ColdRunner`): it
works, at the speed of a first run, and the result says ``warm: false``.

Protocol: one JSON object per line over a Unix socket in the user's own folder (mode 0700, see
:func:`autograder.check_client.state_dir`): ``{"op": "check", "path": ...}`` answers
``{"ok": true, "result": CheckResult}`` or ``{"ok": false, "error": "..."}``; ``{"op": "ping"}`` answers the
server's fingerprint (the code it runs) and pid; ``{"op": "stop"}`` ends it. Requests are served one at a
time. The server ends itself after ``--idle`` seconds without a request (30 minutes by default).

    python -m autograder.check_server --dir DIR --fingerprint FP [--idle SECONDS]
"""

import argparse
import dataclasses
import json
import os
import pathlib
import shutil
import socket
import sys
import tempfile
import time
import traceback

from autograder import kernel, selfcheck, warm

IDLE_SECONDS = 30 * 60


class WarmRunner:
    """Runs notebooks in kernels forked from one warm zygote (see module docstring).

    The zygote preloads the heavy modules the notebooks import (:data:`autograder.warm.PRELOADABLE`); a
    notebook that needs one it lacks gets a new zygote with both sets.
    """

    def __init__(self, sandbox):
        # the zygote is a module of ours, loaded by path inside the sandbox
        self.sandbox = dataclasses.replace(sandbox, extra_ro=tuple(sandbox.extra_ro) + (str(warm.ZYGOTE_MODULE.parent),))
        self.warm = sandbox.use_bwrap
        self.how = ("a kernel forked from the warm self-check server" if self.warm else
                    "a fresh kernel: without bubblewrap the server cannot fork kernels warm")
        self.zygote, self.base = None, None
        self.cold = selfcheck.ColdRunner(self.sandbox)

    def run(self, notebook, folder):
        if not self.warm:
            return self.cold.run(notebook, folder)
        zygote = self._zygote(warm.preload_for_cells(notebook.cells))
        zygote.empty_folders()
        selfcheck.copy_folder(folder, zygote.workdir)
        try:
            client = kernel.run_notebook(notebook, self.sandbox, zygote.workdir, zygote.runtime_dir,
                                         zygote=zygote)
        finally:
            try:
                zygote.reset()
            except warm.ZygoteError:
                self.close()
        return client

    def _zygote(self, preload):
        if self.zygote is not None and self.zygote.alive() and set(preload) <= set(self.zygote.preload):
            return self.zygote
        wanted = sorted(set(preload) | set(self.zygote.preload if self.zygote else ()))
        self.close()
        self.base = pathlib.Path(tempfile.mkdtemp(prefix=f"autograder-check-warm-{os.getpid()}-"))
        (self.base / "work").mkdir()
        (self.base / "run").mkdir()
        self.zygote = warm.Zygote(self.sandbox, self.base / "work", self.base / "run", wanted)
        return self.zygote

    def close(self):
        if self.zygote is not None:
            self.zygote.close()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
        self.zygote, self.base = None, None


def serve(listener, runner, fingerprint, idle=IDLE_SECONDS, log=sys.stderr):
    """Answer requests on ``listener`` (a bound, listening Unix socket) until ``stop`` or ``idle`` seconds
    pass without one."""
    listener.settimeout(idle)
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            print(f"{time.strftime('%H:%M:%S')} idle for {idle:g} s: stopping", file=log, flush=True)
            return
        with conn:
            conn.settimeout(None)
            try:
                request = json.loads(conn.makefile("r", encoding="utf-8").readline() or "{}")
            except ValueError:
                request = {}
            reply = answer(request, runner, fingerprint, log)
            try:
                conn.sendall((json.dumps(reply) + "\n").encode())
            except OSError:  # the client went away (a kernel restarted mid-check): nothing to tell
                pass
            if request.get("op") == "stop":
                return


def answer(request, runner, fingerprint, log=sys.stderr):
    """The reply to one request (see module docstring)."""
    op = request.get("op")
    if op == "ping":
        return {"ok": True, "fingerprint": fingerprint, "pid": os.getpid(), "warm": runner.warm}
    if op == "stop":
        return {"ok": True}
    if op != "check" or not isinstance(request.get("path"), str):
        return {"ok": False, "error": f"unknown request {str(request)[:200]!r}: expected op check, ping or stop"}
    started = time.monotonic()
    try:
        result = selfcheck.check_notebook(request["path"], runner)
    except ValueError as exc:
        return {"ok": False, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - the server outlives one bad run and says what happened
        traceback.print_exc(file=log)
        return {"ok": False, "error": f"the self-check itself failed ({type(exc).__name__}: {exc}); "
                                      f"try `python -m autograder check --cold {request['path']}`"}
    print(f"{time.strftime('%H:%M:%S')} checked {request['path']} in {time.monotonic() - started:.1f} s "
          f"({'warm' if result.warm else 'cold'})", file=log, flush=True)
    return {"ok": True, "result": result.as_dict()}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.check_server", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=pathlib.Path, help="the state folder (socket, log)")
    parser.add_argument("--fingerprint", required=True, help="the code version the client expects")
    parser.add_argument("--idle", type=float, default=IDLE_SECONDS, help="stop after this many idle seconds")
    parser.add_argument("--no-sandbox", action="store_true", help="skip bubblewrap (rlimits only, cold runs)")
    args = parser.parse_args(argv)
    import fclab.env

    fclab.env.apply()
    sandbox, warning = selfcheck.default_sandbox(sandbox=not args.no_sandbox)
    if warning:
        print(f"note: {warning}", file=sys.stderr, flush=True)
    path = args.dir / "server.sock"
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(8)
    runner = WarmRunner(sandbox)
    try:
        serve(listener, runner, args.fingerprint, args.idle)
    finally:
        runner.close()
        listener.close()
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
