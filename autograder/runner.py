"""The trusted runner: runs the source notebook's setup cells and its test cells, outside the sandbox.

One runner process per submission (forked from the worker's warm trusted zygote,
:mod:`autograder.trusted_warm`, or started fresh with ``python -m autograder.runner FD``). It holds the
course's own ``fclab`` and numpy/Keras; its cwd is a folder of the engine's holding the source's support
files (never the student's folder, which is not on ``sys.path`` either). It serves one connection from its
worker (:mod:`autograder.protocol` messages):

    RunnerInit  ->  (CellRun  ->  AgentRequest* / AgentReply*  ->  CellDone)*

A cell runs in an IPython shell of its own (magics work; the last expression is an ``execute_result``)
whose outputs are captured as nbformat outputs in order: stdout and stderr streams, displays, the result,
the error with IPython's traceback. Before a cell runs, the student's names it reads are bound to what
:class:`autograder.proxies.Session` fetches (plain data or proxies); a name that cannot cross fails the
cell with the reason, naming the cell and the construct. The fclab.checks records the cell emits are
returned with it.
"""

import hashlib
import io
import os
import pathlib
import sys
import time
import traceback
import warnings

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell

from autograder import names, protocol, proxies
from autograder.sandboxed import wire

from fclab.checks._records import MIME_TYPE as MIME  # one constant, imported


CELL_TEXT_LIMIT = 1 * 2**20  # characters one cell may print in the trusted runner (student output included)
CUT = "\n[autograder: output cut: more than {limit} characters in this test cell]\n"


class _Stream(io.TextIOBase):
    """sys.stdout / sys.stderr during a cell: appends (merging) stream outputs to the cell's list, up to
    ``budget["left"]`` characters for the cell's streams together (the runner's memory stays bounded)."""

    encoding = "utf-8"

    def __init__(self, name, outputs, budget):
        super().__init__()
        self.name, self.outputs, self.budget = name, outputs, budget

    def writable(self):
        return True

    def close(self):
        pass  # a library that kept this stream (absl's logging) closes it at exit

    def write(self, text):
        text = str(text)
        if not text:
            return 0
        written = len(text)
        if len(text) > self.budget["left"]:
            text = text[:self.budget["left"]] + ("" if self.budget["cut"] else CUT.format(limit=CELL_TEXT_LIMIT))
            self.budget["cut"] = True
        self.budget["left"] = max(0, self.budget["left"] - written)
        if not text:
            return written
        if self.outputs and self.outputs[-1].get("output_type") == "stream" and self.outputs[-1]["name"] == self.name:
            self.outputs[-1]["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": self.name, "text": text})
        return written

    def flush(self):
        pass

    def isatty(self):
        return False


class _Publisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.shell.cell_outputs.append({"output_type": "display_data", "data": dict(data),
                                        "metadata": dict(metadata or {})})


class _DisplayHook(DisplayHook):
    def start_displayhook(self):
        self._bundle = None

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.shell.cell_outputs.append({"output_type": "execute_result", "data": dict(format_dict),
                                        "metadata": dict(md_dict or {}), "execution_count": self.prompt_count})

    def finish_displayhook(self):
        sys.stdout.flush()


class TrustedShell(InteractiveShell):
    """An IPython shell whose outputs go to ``cell_outputs`` instead of the terminal."""

    display_pub_class = _Publisher
    displayhook_class = _DisplayHook

    def __init__(self, **kwargs):
        from traitlets.config import Config

        self.cell_outputs = []
        config = Config()
        config.HistoryManager.hist_file = ":memory:"  # no shared history database between runners
        super().__init__(colors="nocolor", config=config, **kwargs)

    def _showtraceback(self, etype, evalue, stb):
        self.cell_outputs.append({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                                  "evalue": str(evalue), "traceback": list(stb)})

    def enable_gui(self, gui=None):
        pass


class Runner:
    """The runner's state for one submission (see module docstring)."""

    def __init__(self, init, ask):
        self.init = init
        self.students = frozenset(init.student_names)
        self.given_classes = {}  # classes the protected setup cells define: {name: the trusted class}
        self.session = proxies.Session(ask)
        self.shell = TrustedShell.instance()
        self.shell.user_ns["__name__"] = "__main__"
        self.count = 0
        _install_runtime(init.label, dict(init.sources), self.shell.user_ns)

    def run(self, cell):
        """One :class:`~autograder.protocol.CellRun` -> :class:`~autograder.protocol.CellDone`."""
        started = time.monotonic()
        self.count += 1
        outputs = self.shell.cell_outputs = []
        before = _records_so_far()
        proxies.record_seeds(self.session)
        stdout, stderr, show = sys.stdout, sys.stderr, warnings.showwarning
        budget = {"left": CELL_TEXT_LIMIT, "cut": False}
        sys.stdout, sys.stderr = _Stream("stdout", outputs, budget), _Stream("stderr", outputs, budget)
        warnings.showwarning = _show_warning_without_source
        try:
            refused = self._bind(cell)
            if refused:
                outputs.append(_error_output("CannotCross", refused, cell))
            else:
                self.shell.execution_count = self.count
                self.shell.run_cell(cell.source, store_history=False, silent=False)
        finally:
            sys.stdout, sys.stderr, warnings.showwarning = stdout, stderr, show
            self.shell.user_ns.update(self.given_classes)  # setup cells keep using the trusted classes
        if cell.kind == "setup":  # its functions may be passed to the student's code: the kernel has them too
            for name in names.bound_and_read(cell.source)[0]:
                value = self.shell.user_ns.get(name)
                if isinstance(value, type) and value.__module__ == "__main__":
                    self.given_classes[name] = value
                elif callable(value) and not isinstance(value, type):
                    self.session.shared[name] = value
        records = _records_so_far()[len(before):] if len(_records_so_far()) >= len(before) else []
        outputs += [{"output_type": "display_data", "data": {MIME: r}, "metadata": {}} for r in records]
        return protocol.CellDone(index=cell.index, outputs=tuple(outputs), records=tuple(records),
                                 seconds=time.monotonic() - started, execution_count=self.count)

    def _bind(self, cell):
        """Bind the student's names the cell reads; returns why one cannot cross, or None.

        In a test cell, a class a protected setup cell defines (a layer the lesson gives) is bound to the
        kernel's own copy of it, so that its objects live where the student's code can use them.
        """
        _, read, _ = names.bound_and_read(cell.source)
        wanted = read & self.students
        if cell.kind == "test":
            wanted |= read & set(self.given_classes)
        for name in sorted(wanted):
            try:
                self.shell.user_ns[name] = self.session.fetch(name)
            except NameError:
                self.shell.user_ns.pop(name, None)  # the cell's own NameError says which name is missing
            except wire.CannotCross as exc:
                return f"the student's {name!r} cannot reach the grader: it is {exc}"
            except Exception as exc:  # the student's code raised while the value was read (a property, ...)
                return f"reading the student's {name!r} raised {type(exc).__name__}: {str(exc)[:300]}"
        return None


def _show_warning_without_source(message, category, filename, lineno, file=None, line=None):
    """A warning raised while a test cell runs, printed without the line of code that raised it: Python's
    own format quotes the source line, which for a hidden test is hidden-test text on its way to feedback."""
    where = "a test cell" if str(filename).startswith("<") or "ipykernel" in str(filename) else \
        f"{pathlib.PurePath(str(filename)).name}:{lineno}"
    (file or sys.stderr).write(f"{getattr(category, '__name__', 'Warning')}: {message} (raised in {where})\n")


def _error_output(ename, message, cell):
    where = f"test cell {cell.grade_id!r}" if cell.grade_id else f"cell {cell.index}"
    text = f"{message} (in {where})"
    return {"output_type": "error", "ename": ename, "evalue": text, "traceback": [f"{ename}: {text}"]}


def _records_so_far():
    from fclab.checks import _records

    return list(_records.records)


def _install_runtime(label, sources, namespace):
    """fclab.checks' Runtime for grading: seeds fixed per (assignment, notebook, student, exercise), records
    collected here, and the student's cell text for the static forbid scan of a proxied answer."""
    try:
        from fclab.checks import _runtime
    except ImportError:  # an fclab.checks older than the contract's Runtime: its defaults apply
        return

    class GradingRuntime(_runtime.Runtime):
        grading = True

        def seed_for(self, exercise_id):
            digest = hashlib.sha256(f"{label}|{exercise_id}".encode()).digest()
            return int.from_bytes(digest[:4], "little") % _runtime.SEED_LIMIT

        def answer_source(self, fn):
            if isinstance(fn, proxies.RemoteObject):
                return sources.get(object.__getattribute__(fn, "_type"))
            return super().answer_source(fn)

        def helper_sources(self, fn):
            """The cells of the student's names the answer's cell reads, and theirs in turn (a forbidden call
            moved into a helper in another cell is seen although the kernel's call watch can be switched off)."""
            if not isinstance(fn, proxies.RemoteObject):
                return []
            return helper_cells(object.__getattribute__(fn, "_type"), sources)

        def namespace(self, fn):
            return namespace if isinstance(fn, proxies.RemoteObject) else super().namespace(fn)

    _runtime.set_runtime(GradingRuntime())


def helper_cells(name, sources):
    """``[(helper name, cell source)]`` reachable from the cell binding ``name`` through the names each cell
    reads (``sources``: ``{name: the student's cell that binds it}``), that cell itself left out."""
    start = sources.get(name)
    if start is None:
        return []
    seen_cells, found, pending = {start}, [], [start]
    while pending:
        _, read, _ = names.bound_and_read(pending.pop())
        for helper in sorted(read & set(sources)):
            cell = sources[helper]
            if cell not in seen_cells:
                seen_cells.add(cell)
                found.append((helper, cell))
                pending.append(cell)
    return found


def serve(connection):
    """Serve one worker over ``connection`` (a multiprocessing Connection) until it closes."""
    try:
        init = connection.recv()
    except EOFError:
        return
    os.chdir(init.workdir)
    os.environ["IPYTHONDIR"] = os.path.join(init.workdir, ".ipython")
    sys.path[:] = [p for p in sys.path if p not in ("", ".", init.workdir)]

    inbox = []  # cells the worker sent while a request was out (it sends setup cells without waiting)

    def ask(request):
        connection.send(protocol.AgentRequest(payload=_dumps(request)))
        while True:
            reply = connection.recv()
            if isinstance(reply, protocol.AgentReply):
                break
            inbox.append(reply)
        if reply.failure:
            return {"error": {"type": "RuntimeError", "message": reply.failure}}
        return proxies.reply_from_text(reply.payload)

    runner = Runner(init, ask)
    while True:
        try:
            cell = inbox.pop(0) if inbox else connection.recv()
        except EOFError:
            return
        if cell is None:
            return
        try:
            done = runner.run(cell)
            connection.send(done)
        except (EOFError, OSError):
            return
        except Exception as exc:  # a fault of the engine, not of the cell: say so in the cell, keep serving
            text = f"the trusted runner failed on this cell ({type(exc).__name__}: {exc})"
            print(traceback.format_exc(), file=sys.__stderr__, flush=True)
            connection.send(protocol.CellDone(index=cell.index, outputs=(
                {"output_type": "error", "ename": "GradingError", "evalue": text, "traceback": [text]},),
                records=(), seconds=0.0))


def _dumps(request):
    import json

    return json.dumps(request, allow_nan=True)


def main(argv=None):
    """``python -m autograder.runner FD``: serve the connection on file descriptor FD (fresh, not forked)."""
    import socket
    from multiprocessing.connection import Connection

    from autograder import lifetime

    lifetime.die_with_parent()  # the worker may be SIGKILLed: never outlive it
    argv = sys.argv[1:] if argv is None else argv
    sock = socket.socket(fileno=int(argv[0]))
    serve(Connection(sock.detach()))


if __name__ == "__main__":
    main()
