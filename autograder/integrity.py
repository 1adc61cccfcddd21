"""Step "Scan": flag student code that reaches for the grading machinery (for the instructor to review).

A static ``ast`` scan of the cells holding the student's content (solution cells and cells they added),
after IPython's own transformation (so ``!cmd`` and ``%magic`` lines are seen as the calls they become).
Import aliases are followed (``import numpy as np; np.allclose = ...`` is "assigns numpy.allclose").
Flags never change points by themselves; they go to the CSV and HTML report with the cell and line.

Flagged:
- assigning (or ``setattr``/``del``) attributes of builtins, numpy, fclab, IPython/ipykernel, sys,
  importlib, jupyter_client, ``get_ipython()``, or ``__builtins__``/``__module__``/``__code__``;
- reaching IPython's internals: input/AST transformers, events, display publisher and hooks, the kernel;
- ``sys.modules`` edits, trace/profile hooks, frame and garbage-collector introspection;
- ``open()`` (and friends) of an absolute path or one with ``..``, string constants naming grading files;
- sqlite3, subprocess/os.system/os.popen/os.exec*/os.fork/os.kill, socket/urllib/requests/http, ctypes,
  ``os._exit``, ``__file__``, dynamic code (``exec``/``eval``/``compile``/``__import__`` of a non-literal);
- the grader's agent (any ``__fclab…`` name), ``__import__`` of a guarded module, ``getattr`` with a
  computed name on a guarded module, and strings put together (``"setpro" + "file"``) that spell a risky
  call or a grading word.
"""

import ast
import dataclasses

from IPython.core.inputtransformer2 import TransformerManager

GUARDED_MODULES = ("builtins", "numpy", "fclab", "IPython", "ipykernel", "sys", "importlib", "jupyter_client",
                   "traitlets", "zmq", "linecache", "inspect")
IPYTHON_INTERNALS = {"input_transformers_cleanup", "input_transformers_post", "input_transformer_manager",
                     "ast_transformers", "events", "display_pub", "displayhook", "display_formatter", "kernel",
                     "run_cell", "run_cell_async", "transform_cell", "transform_ast", "run_ast_nodes",
                     "run_code", "user_expressions", "set_custom_exc", "showtraceback", "_showtraceback",
                     "register_magic_function", "compile", "history_manager", "payload_manager"}
RISKY_MODULES = {"sqlite3": "opens SQLite databases (the gradebook is one)", "subprocess": "runs programs",
                 "socket": "opens network connections", "urllib": "uses the network",
                 "requests": "uses the network", "http": "uses the network", "ctypes": "calls C directly",
                 "pty": "opens a terminal", "multiprocessing": "starts processes", "shutil": "moves/deletes files",
                 "gc": "walks the garbage collector (reaching originals)", "pickle": "unpickles arbitrary objects",
                 "importlib": "re-imports modules", "inspect": "introspects frames and source"}
RISKY_CALLS = {"os.system", "os.popen", "os.fork", "os.forkpty", "os.kill", "os.killpg", "os._exit",
               "os.execv", "os.execve", "os.execvp", "os.execl", "os.spawnl", "os.spawnv", "os.posix_spawn",
               "os.remove", "os.unlink", "os.rmdir", "os.chmod", "os.setrlimit", "sys.settrace", "sys.setprofile",
               "sys._getframe", "sys.exit", "threading.settrace", "gc.get_objects", "gc.get_referrers",
               "inspect.stack", "inspect.currentframe", "inspect.getsource", "resource.setrlimit",
               "get_ipython().system", "get_ipython().getoutput", "get_ipython().run_line_magic",
               "get_ipython().run_cell_magic", "get_ipython().events.register"}
OPENERS = {"open", "io.open", "os.open", "os.listdir", "os.scandir", "os.walk", "pathlib.Path", "Path",
           "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "glob.glob", "sqlite3.connect"}
GRADING_WORDS = ("gradebook", "nbgrader", "source/", "/source", "submitted/", "autograded", ".ipynb",
                 "BEGIN HIDDEN", "autograder", "__fclab")
SPELLED = {path.rsplit(".", 1)[-1] for path in RISKY_CALLS if not path.endswith(")")} - {"exit", "remove", "unlink"}
INTERNALS = {"__dict__", "__globals__", "__code__", "__closure__", "__subclasses__", "__mro__", "__bases__",
             "__setattr__", "__delattr__", "f_globals", "f_locals", "f_back", "tb_frame", "gi_frame"}
DUNDERS = {"__builtins__", "__module__", "__code__", "__globals__", "__qualname__", "__class__", "__dict__"}


@dataclasses.dataclass(frozen=True)
class Flag:
    """One finding: where (cell index in the graded notebook, grade_id, line) and what."""

    cell: int
    grade_id: str
    line: int
    what: str
    code: str

    def __str__(self):
        where = f"cell {self.cell}" + (f" ({self.grade_id})" if self.grade_id else "")
        return f"{where}, line {self.line}: {self.what}: {self.code}"


def scan_notebook(notebook):
    """Flags for every cell holding student content (``metadata.autograder.origin == "student"``)."""
    flags = []
    for index, cell in enumerate(notebook["cells"]):
        meta = cell.get("metadata", {})
        if cell.get("cell_type") != "code" or meta.get("autograder", {}).get("origin") != "student":
            continue
        grade_id = (meta.get("nbgrader") or {}).get("grade_id", "")
        flags += scan_source(cell.get("source", ""), index, grade_id)
    return flags


def scan_source(source, cell=0, grade_id=""):
    """Flags for one cell's source (IPython syntax allowed)."""
    try:
        python = TransformerManager().transform_cell(source)
        tree = ast.parse(python)
    except (SyntaxError, ValueError) as exc:
        return [Flag(cell, grade_id, getattr(exc, "lineno", 0) or 0, "does not parse (not scanned)", str(exc)[:80])]
    visitor = _Visitor(python.splitlines())
    visitor.visit(tree)
    return [Flag(cell, grade_id, line, what, code) for line, what, code in visitor.found]


class _Visitor(ast.NodeVisitor):
    def __init__(self, lines):
        self.lines, self.found, self.aliases = lines, [], {}

    def flag(self, node, what):
        line = getattr(node, "lineno", 0)
        code = self.lines[line - 1].strip()[:120] if 0 < line <= len(self.lines) else ""
        if (line, what) not in {(f[0], f[1]) for f in self.found}:
            self.found.append((line, what, code))

    # names -> dotted paths through import aliases ("np.allclose" -> "numpy.allclose")
    def dotted(self, node):
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call) and (self.dotted(node.func) or "").endswith("get_ipython"):
            return "get_ipython()"
        if isinstance(node, ast.Subscript):
            return self.dotted(node.value)
        return None

    def visit_Import(self, node):
        for alias in node.names:
            self.aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else \
                alias.name.split(".")[0]
            self._risky_module(node, alias.name)

    def visit_ImportFrom(self, node):
        module = node.module or ""
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
            self._risky_module(node, f"{module}.{alias.name}")

    def _risky_module(self, node, name):
        top = name.split(".")[0]
        if top in RISKY_MODULES:
            self.flag(node, f"imports {top} ({RISKY_MODULES[top]})")

    def _target(self, target, verb):
        if isinstance(target, ast.Name) and target.id in DUNDERS:
            self.flag(target, f"{verb} {target.id}")
            return
        path = self.dotted(target) if isinstance(target, (ast.Attribute, ast.Subscript)) else None
        if not path:
            return
        if isinstance(target, ast.Attribute) and target.attr in DUNDERS:
            self.flag(target, f"{verb} {path}")
        elif path.startswith("sys.modules"):
            self.flag(target, f"{verb} sys.modules (swaps modules the tests import)")
        elif _guarded(path):
            self.flag(target, f"{verb} {path} (grading machinery)")

    def visit_Assign(self, node):
        value = self.dotted(node.value) if isinstance(node.value, (ast.Name, ast.Attribute, ast.Call)) else None
        if value and _guarded(value):  # ip = get_ipython(); C = fclab.checks
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.aliases[target.id] = value
        for target in node.targets:
            for sub in ast.walk(target):
                if isinstance(sub, (ast.Attribute, ast.Subscript, ast.Name)) and isinstance(
                        getattr(sub, "ctx", None), ast.Store):
                    self._target(sub, "assigns")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._target(node.target, "assigns")
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._target(target, "deletes")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        path = self.dotted(node) or ""
        if node.attr.startswith("__fclab"):
            self.flag(node, f"uses the grader's own name {node.attr}")
        elif node.attr in IPYTHON_INTERNALS and (path.startswith("get_ipython()") or path.startswith("IPython")):
            self.flag(node, f"reaches IPython internals ({path})")
        elif path == "sys.modules" and isinstance(node.ctx, ast.Load):
            self.flag(node, "uses sys.modules (the modules the tests import)")
        elif node.attr in INTERNALS:
            self.flag(node, f"reaches into object internals ({node.attr})")
        self.generic_visit(node)

    def visit_Call(self, node):
        path = self.dotted(node.func) or ""
        if path in RISKY_CALLS:
            self.flag(node, f"calls {path}")
        elif path.endswith("__setattr__") or path.endswith("__delattr__") or (path == "vars" and node.args):
            self.flag(node, f"sets attributes indirectly: {path}()")
        if path in ("setattr", "delattr") and node.args:
            base = self.dotted(node.args[0])
            if base is None or _guarded(base):
                self.flag(node, f"{path}() on {base or 'a computed object'}")
        elif path in ("exec", "eval"):
            self.flag(node, f"runs code from a string: {path}()")
        elif path in ("compile", "__import__", "importlib.import_module", "importlib.reload") and not (
                node.args and isinstance(node.args[0], ast.Constant)):
            self.flag(node, f"dynamic code: {path}() of a computed value")
        elif path == "__import__" and (_guarded(str(node.args[0].value)) or
                                       str(node.args[0].value).split(".")[0] in set(RISKY_MODULES) | {"os"}):
            self.flag(node, f"imports {node.args[0].value} through __import__()")
        if path == "getattr" and len(node.args) >= 2 and not isinstance(node.args[1], ast.Constant):
            base = node.args[0]
            name = self.dotted(base) or ""
            through_import = isinstance(base, ast.Call) and self.dotted(base.func) == "__import__"
            if through_import or (name and _guarded(name)):
                self.flag(node, f"getattr() with a computed name on {name or 'a module from __import__()'}")
        if path in OPENERS or path.endswith(".read_text") or path.endswith(".read_bytes"):
            self._path_argument(node, path)
        self.generic_visit(node)

    def _path_argument(self, node, path):
        arg = node.args[0] if node.args else None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if arg.value.startswith("/") or ".." in arg.value.split("/"):
                self.flag(node, f"{path}() of a path outside the working folder: {arg.value!r}")
        elif arg is not None and any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(arg)):
            self.flag(node, f"{path}() of a path relative to __file__")

    def visit_BinOp(self, node):
        text = _folded(node)
        if text and (text in SPELLED or any(w in text for w in GRADING_WORDS)):
            self.flag(node, f"puts together the string {text[:60]!r}")
            return
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id.startswith("__fclab"):
            self.flag(node, f"uses the grader's own name {node.id}")
        elif node.id == "__file__":
            self.flag(node, "reads __file__ (locating the course files)")
        elif node.id == "__builtins__":
            self.flag(node, "uses __builtins__ directly")
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and any(w in node.value for w in GRADING_WORDS):
            self.flag(node, f"names grading files or markers: {node.value[:60]!r}")


def _folded(node):
    """The string a ``+`` of string constants makes (``"setpro" + "file"``), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded(node.left), _folded(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _guarded(path):
    return path.split(".")[0] in GUARDED_MODULES or path.startswith("get_ipython()")
