"""The worker's side of the trust boundary: cells for the trusted runner, the runner's requests to the agent.

:class:`TrustedRelay` is mixed into :class:`autograder.kernel.GradingClient`. The kernel runs the notebook
without its test cells; around it:

- before the first cell, the agent (:mod:`autograder.sandboxed.agent`) is loaded into the kernel by path
  (``AGENT_LOADER``, one user expression) and bound as ``__fclab_agent__``;
- a setup cell the tests need (:func:`autograder.names.needed_setup`) is sent to the runner as soon as the
  kernel has run it, and the runner works on it while the kernel goes on (:meth:`_start_setup`);
- a test cell waits for those, then runs in the runner only (:meth:`_run_trusted`); its outputs become the
  cell's outputs (byte-capped like the kernel's);
- while the runner works, each :class:`~autograder.protocol.AgentRequest` it sends is evaluated in the
  kernel as ``__fclab_agent__.handle('<json>')`` (``user_expressions`` of an execute request with empty
  code, so no input transformer of the student's sees it) and the JSON string comes back as an
  :class:`~autograder.protocol.AgentReply`. A request that runs past the cell's time is interrupted; a
  kernel that does not stop then is killed (:class:`CellStuck`, a fault).

Each test cell has the course's cell time limit (``Execute.timeout``) for its whole trusted run, requests
included; a runner that does not finish in time is killed and the remaining test cells fail with the
reason, as does a runner that stopped.
"""

import ast
import asyncio
import pathlib
import time
from queue import Empty

from autograder import protocol
from autograder.spec import gid
from autograder.trusted_warm import RunnerError

AGENT_PATH = pathlib.Path(__file__).resolve().parent / "sandboxed" / "agent.py"
AGENT_LOADER = ("(lambda u: (lambda s: (lambda m: (s.loader.exec_module(m), m.install(get_ipython().user_ns), "
                "'ok')[-1])(u.module_from_spec(s)))(u.spec_from_file_location('autograder_agent', {path!r})))"
                "(__import__('importlib.util').util)")


class CellStuck(Exception):
    """A cell ran past its time limit and did not stop when interrupted."""


class AgentFailed(Exception):
    """The agent could not be loaded into a fresh kernel (an engine or environment problem)."""


class TrustedRelay:
    """Mixin for the kernel client (needs ``kc``, ``km``, ``sandbox``, ``runner`` and the output caps)."""

    runner = None
    runner_fault = None

    async def _load_agent(self):
        reply = await self._expression(AGENT_LOADER.format(path=str(AGENT_PATH)), timeout=60)
        if expression_text(reply) != "ok":
            raise AgentFailed(f"the grader's agent could not be loaded into a fresh kernel: "
                              f"{expression_problem(reply)}")

    def _start_setup(self, cell, index):
        """Send a setup cell to the runner without waiting for it (collected by the next test cell)."""
        try:
            self.runner.send(protocol.CellRun(index=index, source=cell.source, kind="setup", grade_id=gid(cell)))
        except RunnerError as exc:
            self._runner_stopped(exc, index, late=False)
            return
        self._pending.append((index, time.monotonic()))

    async def _drain(self):
        """Wait for the setup cells sent so far (relaying their requests, if any)."""
        budget = self.sandbox.limits.cell_timeout
        while self._pending:
            index, sent = self._pending.pop(0)
            done = await self._collect(sent + budget, index)
            self.trusted_log[index] = {"kind": "setup", "seconds": done.seconds, "records": list(done.records)}

    async def _collect(self, deadline, index):
        """Receive until the runner's CellDone, answering its agent requests (raises RunnerError)."""
        while True:
            try:
                message = await _in_thread(self.runner.receive, max(0.5, deadline - time.monotonic() + 2))
            except RunnerError as exc:
                self._runner_stopped(exc, index, late=time.monotonic() > deadline)
                raise
            if isinstance(message, protocol.AgentRequest):
                await self._relay(message, deadline)
            elif isinstance(message, protocol.CellDone):
                return message

    def _runner_stopped(self, exc, index, late):
        if self.runner is None:
            return
        self.runner.kill()
        self.runner = None
        self.runner_fault = (f"the trusted runner ran past the cell time limit ({self.sandbox.limits.cell_timeout:.0f}"
                             f" s) in cell {index}" if late else str(exc))

    async def _run_trusted(self, cell, index):
        """Run a test cell in the trusted runner; the cell takes its outputs."""
        started = time.monotonic()
        done = None
        try:
            if self.runner is None:
                raise RunnerError(self.runner_fault or "the trusted runner is not running")
            await self._drain()
            self.runner.send(protocol.CellRun(index=index, source=cell.source, kind="test", grade_id=gid(cell)))
            done = await self._collect(time.monotonic() + self.sandbox.limits.cell_timeout, index)
            outputs = list(done.outputs)
        except RunnerError as exc:
            self._runner_stopped(exc, index, late=False)
            why = self.runner_fault or str(exc)
            outputs = [{"output_type": "error", "ename": "GradingError", "evalue": f"{why}: cell {index} was not "
                        f"graded", "traceback": [f"GradingError: {why}"]}]
        self.timings["trusted"] += time.monotonic() - started
        self.trusted_log[index] = {"kind": "test", "seconds": time.monotonic() - started,
                                   "records": list(done.records) if done else []}
        cell.outputs = [o for o in (self._cap_output(o, index) for o in outputs) if o is not None]
        cell.execution_count = self.code_cells_executed + 1
        self.code_cells_executed += 1
        return cell

    async def _relay(self, message, deadline):
        """One agent request from the runner -> the kernel -> the runner (a failure becomes the reply)."""
        t0 = time.monotonic()
        try:
            expression = f"__fclab_agent__.handle({message.payload!r})"
            reply = await self._expression(expression, timeout=max(1.0, deadline - time.monotonic()))
            text = expression_text(reply)
            answer = protocol.AgentReply(payload=text) if text is not None else protocol.AgentReply(
                failure=expression_problem(reply))
        finally:
            self.timings["agent"] += time.monotonic() - t0
        self.runner.send(answer)

    async def _expression(self, expression, timeout):
        """Evaluate one user expression in the kernel -> the execute_reply; interrupts when late."""
        msg_id = await ensure(self.kc.execute("", silent=True, store_history=False,
                                              user_expressions={"r": expression}))
        reply = await self._reply(msg_id, timeout)
        if reply is None:  # late: interrupt, and give the kernel a few seconds to answer with the interruption
            await ensure(self.km.interrupt_kernel())
            reply = await self._reply(msg_id, 10)
            if reply is None:
                raise CellStuck()
            return {"content": {"status": "ok", "user_expressions": {"r": {
                "status": "error", "ename": "TimeoutError",
                "evalue": f"the student's code ran past the cell time limit ({self.sandbox.limits.cell_timeout:.0f} "
                          f"s) and was interrupted"}}}}
        return reply

    async def _reply(self, msg_id, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = await ensure(self.kc.shell_channel.get_msg(timeout=min(1.0, deadline - time.monotonic())))
            except Empty:
                await self._async_check_alive()
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg
        return None


def expression_text(reply):
    """The string the user expression returned (the agent's JSON), or None."""
    try:
        result = reply["content"]["user_expressions"]["r"]
        if result.get("status") != "ok":
            return None
        text = ast.literal_eval(result["data"]["text/plain"])
    except (KeyError, TypeError, ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return text if isinstance(text, str) else None


def expression_problem(reply):
    try:
        result = reply["content"]["user_expressions"]["r"]
    except (KeyError, TypeError):
        return "no reply from the kernel"
    if result.get("status") != "ok":
        return f"{result.get('ename')}: {str(result.get('evalue'))[:300]}"
    return "the reply was not a string (the agent was replaced in the kernel?)"


async def _in_thread(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


async def ensure(value):
    return await value if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future) else value
