"""Step 3, Run: execute a rebuilt notebook in a sandboxed kernel with nbclient, outputs capped in bytes.

:class:`SandboxKernelManager` is jupyter_client's kernel manager with the launch command wrapped by
:class:`autograder.sandbox.Sandbox` and the ``ipc`` transport (the sandbox has its own network
namespace, so TCP on loopback would not reach it). :class:`GradingClient` is nbclient's NotebookClient
with four additions:

- every output message is charged to a per-cell and a per-notebook byte budget; past it, text is cut
  with a marker and further output dropped (a 200 MB one-line print never enters the notebook);
- with a trusted runner (:mod:`autograder.runner`), test cells are never sent to the kernel: the runner
  runs them (and the setup cells they need) outside the sandbox, and its requests for the student's names
  go to the agent in the kernel (:mod:`autograder.relay`); the runner's outputs become the test cell's
  outputs, within the same byte caps;
- a cell that does not stop after an interrupt, a dead kernel, or the notebook's wall clock ends the run
  (``fault``) instead of hanging: the cells run so far keep their outputs;
- timings per cell, for the report.
"""

import asyncio
import atexit
import json
import os
import pathlib
import signal
import time
import uuid

import zmq
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets import Any

from autograder.relay import AgentFailed, CellStuck, TrustedRelay, ensure as _ensure
from autograder.spec import is_test
from autograder.warm import WarmProvisioner

MARKER = "\n[autograder: output truncated: more than {cap} bytes of output in this {scope}]\n"
from fclab.checks._records import MIME_TYPE as RECORD_MIME  # one constant, imported
RECORD_MAX_BYTES = 256 * 1024
SIGNALS = {int(s): s.name for s in signal.Signals}


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is started inside :class:`autograder.sandbox.Sandbox`."""

    sandbox = Any()
    workdir = Any()
    runtime_dir = Any()

    def client(self, **kwargs):
        kc = super().client(**{"context": self.sandbox.client_context(), **kwargs})  # refuses huge messages
        kc._created_context = True  # destroyed with the client, like jupyter_client's own
        return kc

    def format_kernel_cmd(self, extra_arguments=None):
        argv = super().format_kernel_cmd(extra_arguments)
        # SIGINT to the process group would hit bubblewrap; ask ipykernel over the control channel
        self.kernel_spec.interrupt_mode = "message"
        self.sandbox.prepare_dirs(self.runtime_dir)  # the connection file was just written (mode 0600)
        return self.sandbox.wrap(argv, self.workdir, self.runtime_dir)


class GradingClient(TrustedRelay, NotebookClient):
    """nbclient's client with byte-capped outputs, test cells run by the trusted runner, and hard stops.

    Args:
        nb: the notebook to run (NotebookNode).
        sandbox: a :class:`~autograder.sandbox.Sandbox` (its ``limits`` give timeouts and caps).
        workdir, runtime_dir: the kernel's working folder and socket folder (both writable by it).
        runner: a :class:`~autograder.trusted_warm.RunnerLink` to the trusted runner, or None to run the
            test cells in the kernel (self-study ``check``).
        setup_cells: indexes of the non-test cells the runner also runs (after the kernel ran them).
    """

    def __init__(self, nb, sandbox, workdir, runtime_dir, runner=None, setup_cells=(), zygote=None, **kw):
        lim = sandbox.limits
        super().__init__(nb, timeout=int(lim.cell_timeout), interrupt_on_timeout=True, allow_errors=True,
                         kernel_name="python3", shutdown_kernel="immediate", startup_timeout=120,
                         iopub_timeout=10, **kw)
        self.sandbox, self.workdir, self.runtime_dir = sandbox, pathlib.Path(workdir), pathlib.Path(runtime_dir)
        self.runner, self.setup_cells, self.zygote = runner, set(setup_cells), zygote
        self._spent, self._total, self._cut = {}, 0, set()
        self._interrupted = set()
        self.cell_log, self.trusted_log, self._pending = [], {}, []
        self.runner_fault = None
        self.fault, self.timings = None, {"kernel_start": 0.0, "cells": 0.0, "trusted": 0.0, "agent": 0.0}

    # -- kernel ---------------------------------------------------------------------------------------
    def create_kernel_manager(self):
        self.km = SandboxKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                       ip=str(self.runtime_dir / "kernel"),
                                       connection_file=str(self.runtime_dir / "kernel.json"),
                                       sandbox=self.sandbox, workdir=self.workdir, runtime_dir=self.runtime_dir)
        if self.zygote is not None:  # a warm kernel forked by the worker's zygote (autograder.warm)
            self.km.kernel_id = str(uuid.uuid4())
            self.km.provisioner = WarmProvisioner(kernel_id=self.km.kernel_id, kernel_spec=self.km.kernel_spec,
                                                  parent=self.km)
            self.km.provisioner.zygote = self.zygote
        return self.km

    async def run(self):
        """Execute every cell; never raises for the notebook's own faults (see ``self.fault``)."""
        lim = self.sandbox.limits
        deadline = time.monotonic() + lim.notebook_timeout
        log = open(self.runtime_dir / "kernel.log", "wb")
        start = time.monotonic()
        try:
            async with self.async_setup_kernel(cwd=str(self.workdir), env=self.sandbox.env(), stdout=log,
                                               stderr=log):
                self.timings["kernel_start"] = time.monotonic() - start
                await self.async_wait_for_reply(await _ensure(self.kc.kernel_info()))
                if self.runner is not None:
                    await self._load_agent()
                await self._run_cells(deadline)
        except DeadKernelError:
            self.fault = self.fault or self._death("while starting or stopping")
        except AgentFailed as exc:
            self.fault = f"{exc}; {self._log_tail()}"
        except RuntimeError as exc:  # kernel failed to start (nbclient re-raises RuntimeError)
            self.fault = f"the kernel could not start: {exc}; {self._log_tail()}"
        except zmq.ZMQError as exc:  # nbclient's second shutdown on the context _kill() closed: keep the reason
            self.fault = self.fault or f"the kernel's channels failed: {exc}"
        finally:
            log.close()
            atexit.unregister(self._cleanup_kernel)
        return self.nb

    async def _run_cells(self, deadline):
        iopub = self.sandbox.watch(self.kc.iopub_channel.socket)  # a refused oversized message closes it
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type != "code":
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.fault = (f"the notebook's time limit ({self.sandbox.limits.notebook_timeout:.0f} s) ran "
                              f"out before cell {index}")
                break
            t0 = time.monotonic()
            try:
                await asyncio.wait_for(self.async_execute_cell(cell, index), timeout=remaining)
                status = "error" if any(o.get("output_type") == "error" for o in cell.outputs) else "ok"
                status = "interrupted" if id(cell) in self._interrupted else status
            except (asyncio.TimeoutError, DeadKernelError) as exc:
                # nbclient turns the cancellation by wait_for into DeadKernelError
                if isinstance(exc, DeadKernelError) and time.monotonic() < deadline:
                    self.fault, status = self._death(f"in cell {index}"), "died"
                else:
                    self.fault = (f"the notebook's time limit ({self.sandbox.limits.notebook_timeout:.0f} s) "
                                  f"ran out in cell {index}")
                    status = "timeout"
            except CellStuck as exc:
                how = (f"with {exc} processes of its own running: the whole sandbox was ended" if exc.args
                       else "and did not stop when interrupted: the kernel was killed")
                self.fault = f"cell {index} ran past the {self.sandbox.limits.cell_timeout:.0f} s cell limit {how}"
                status = "timeout"
            if not self.fault and self.sandbox.closed(iopub):
                self.fault = (f"cell {index} sent a message over {self.sandbox.limits.message_bytes} bytes on the "
                              f"kernel's output channel (not through print): the channel was closed")
            self.cell_log.append({"index": index, "status": status, "seconds": time.monotonic() - t0})
            self.timings["cells"] += time.monotonic() - t0
            if self.fault:
                await self._kill()
                break

    async def _kill(self):
        try:
            await _ensure(self.km.shutdown_kernel(now=True))
        except Exception:  # already gone
            pass

    def _death(self, where):
        code = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = code.poll() if code is not None else None
        why = ""
        if code is not None:
            sig = -code if code < 0 else code - 128 if code > 128 else None
            why = f" (exit status {code}" + (f", {SIGNALS.get(sig, sig)}" if sig else "") + ")"
            if sig == signal.SIGXCPU:
                why += f": the CPU time limit of {self.sandbox.limits.cpu_seconds} s was reached"
        return f"the kernel died {where}{why}; cells after it did not run"

    def _log_tail(self):
        try:  # the folder is the sandbox's: never follow a link it may have planted
            fd = os.open(self.runtime_dir / "kernel.log", os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as handle:
                handle.seek(max(0, os.fstat(fd).st_size - 800))
                text = handle.read().decode(errors="replace")
        except OSError:
            return "no kernel log"
        return f"kernel log: {text.strip()}"

    # -- cells ----------------------------------------------------------------------------------------
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self.runner is not None and is_test(cell):
            return await self._run_trusted(cell, cell_index)
        cell = await super().async_execute_cell(cell, cell_index, execution_count=self.code_cells_executed + 1,
                                                store_history=store_history)
        if self.runner is not None and cell_index in self.setup_cells:
            self._start_setup(cell, cell_index)  # runs in the trusted runner while the kernel goes on
        return cell

    def _cap_output(self, output, cell_index):
        """An nbformat output from the trusted runner within the cell's and notebook's byte budget (or None)."""
        kind = output.get("output_type")
        content = {k: v for k, v in output.items() if k != "output_type"}
        msg = self._capped({"msg_type": kind, "content": content}, cell_index)
        if msg is None:
            return None
        return dict(msg["content"], output_type=kind)

    async def _async_handle_timeout(self, timeout, cell=None):
        key = id(cell)
        if key in self._interrupted:
            raise CellStuck()
        strays = self.sandbox.strays(self.runtime_dir)
        if strays:  # it forked (a fork bomb?): end the sandbox's namespace, never interrupt every fork
            self.sandbox.end(self.runtime_dir)
            raise CellStuck(strays)
        self._interrupted.add(key)
        return await super()._async_handle_timeout(timeout, cell)

    # -- output caps ----------------------------------------------------------------------------------
    def process_message(self, msg, cell, cell_index):
        kind = msg["msg_type"]
        if kind in ("stream", "display_data", "execute_result", "error", "update_display_data"):
            msg = self._capped(msg, cell_index)
            if msg is None:
                return None
        return super().process_message(msg, cell, cell_index)

    def _budget(self, cell_index):
        lim = self.sandbox.limits
        return max(0, min(lim.cell_output_bytes - self._spent.get(cell_index, 0),
                          lim.notebook_output_bytes - self._total))

    def _charge(self, cell_index, size):
        self._spent[cell_index] = self._spent.get(cell_index, 0) + size
        self._total += size

    def _exhaust(self, cell_index):
        """Mark the cell's budget used up; returns the marker text the first time only."""
        self._charge(cell_index, self._budget(cell_index))
        if cell_index in self._cut:
            return None
        self._cut.add(cell_index)
        lim = self.sandbox.limits
        if self._spent.get(cell_index, 0) >= lim.cell_output_bytes:
            return MARKER.format(cap=lim.cell_output_bytes, scope="cell")
        return MARKER.format(cap=lim.notebook_output_bytes, scope="notebook")

    def _capped(self, msg, cell_index):
        """``msg`` within the byte budget (possibly cut, with a marker once), or None to drop it."""
        content, kind = msg["content"], msg["msg_type"]
        budget = self._budget(cell_index)
        if kind == "stream":
            text = content.get("text", "")
            kept = _truncate_utf8(text, budget)
            self._charge(cell_index, len(kept.encode("utf-8", "surrogatepass")))
            if kept != text:
                kept += self._exhaust(cell_index) or ""
            return dict(msg, content=dict(content, text=kept)) if kept else None
        if kind == "error":
            evalue, tb = str(content.get("evalue", "")), list(content.get("traceback", []))
            size = len(evalue) + sum(len(line) for line in tb)
            if size > budget:
                tb = [_truncate_utf8("\n".join(tb), budget // 2), self._exhaust(cell_index) or ""]
                evalue = _truncate_utf8(evalue, min(2000, budget // 2))
            self._charge(cell_index, min(size, budget))
            return dict(msg, content=dict(content, evalue=evalue, traceback=tb))
        data = content.get("data", {})
        if set(data) == {RECORD_MIME}:
            return msg if len(json.dumps(data[RECORD_MIME])) <= RECORD_MAX_BYTES else None
        size = sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())
        if size <= budget:
            self._charge(cell_index, size)
            return msg
        marker = self._exhaust(cell_index)
        if kind == "update_display_data" or marker is None:
            return None
        return dict(msg, content=dict(content, data={"text/plain": marker.strip()}, metadata={}))


def _truncate_utf8(text, max_bytes):
    """The longest prefix of ``text`` whose UTF-8 encoding fits in ``max_bytes``."""
    if len(text) * 4 <= max_bytes:
        return text
    head = text[:max_bytes].encode("utf-8", "surrogatepass")
    if len(head) <= max_bytes and len(text) <= max_bytes:
        return text
    return head[:max_bytes].decode("utf-8", "ignore")


def run_notebook(nb, sandbox, workdir, runtime_dir, runner=None, setup_cells=(), zygote=None):
    """Run ``nb`` (NotebookNode) in a sandboxed kernel -> the finished :class:`GradingClient`.

    With ``zygote`` (:class:`autograder.warm.Zygote`) the kernel is forked from it instead of started fresh;
    ``workdir`` and ``runtime_dir`` must then be the zygote's.
    """
    os.makedirs(runtime_dir, exist_ok=True)
    sandbox.prepare_dirs(workdir, runtime_dir)
    client = GradingClient(nb, sandbox, workdir, runtime_dir, runner=runner, setup_cells=setup_cells, zygote=zygote)
    asyncio.run(client.run())
    return client
