"""The adversarial corpus: one submission per attack and fault of issues 5 and 9, with the outcome each must get.

Every case is honest except for its attack, so a wrong score points at exactly one defence. ``points`` is
``(ex1, ex2, ex3)`` out of ``(2, 3, 1)``; ``flag``/``reason``/``note`` are substrings that must appear in the
journal record's integrity flags, cell reasons, or rebuild notes.
"""

import copy
import dataclasses
import json

import nbformat

import autograder_fixture as F

WRONG_ADD_BIAS = "def add_bias(X, b):\n    return X - b"
HONEST = F.honest_answers()


@dataclasses.dataclass
class Case:
    content: object  # NotebookNode, bytes, or None (missing file)
    points: tuple
    flag: str = None
    reason: str = None
    note: str = None


def _with(release, **answers):
    """The release notebook with honest answers, except ``answers`` (keys ex1, ex2, ex3)."""
    merged = dict(HONEST)
    merged.update({_gid(k): v for k, v in answers.items()})
    return F.answer(release, merged)


def _gid(key):
    return {"ex1": "ex1_add_bias", "ex2": "ex2_relu", "ex3": "ex3_count"}.get(key, key)


def _tests_removed(nb):
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    return nb


def _stripped(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata = {}
        cell.pop("id", None)
    nb.nbformat_minor = 4
    return nb


def _duplicated_moved(nb):
    nb = copy.deepcopy(nb)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    before, after = [copy.deepcopy(t) for t in tests[::-1]], [copy.deepcopy(t) for t in tests]
    for n, cell in enumerate(before + after):
        cell["id"] = f"copy-{n}"
    nb.cells = before + nb.cells + after  # duplicated twice, and moved before the solutions
    return nb


def _edited(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "ex1_add_bias_test":
            cell.source = "check_close(add_bias(X, b), X - b, name='add_bias(X, b)')"
        elif gid == "ex2_relu_test":
            cell.source = "pass"
    return nb


def cases(release, course_dir):
    """``{student: Case}`` for a course whose source notebook is :func:`autograder_fixture.source_notebook`."""
    gradebook = (course_dir / "gradebook.db").resolve()
    source = (course_dir.parent / "source" / "ps1" / "ps1.ipynb").resolve()
    relu_wrong = "def relu(x):\n    return x"
    return {
        "honest": Case(_with(release), (2, 3, 1)),
        "blank": Case(release, (0, 0, 0), reason="NotImplementedError"),
        "partial": Case(_with(release, ex2=relu_wrong), (2, 0, 1), reason="relu(x)"),
        "allclose": Case(_with(release, ex1=F.dedent("""
            import numpy as np
            np.allclose = lambda *a, **k: True
            np.isclose = lambda a, b, **k: np.ones(np.shape(a), dtype=bool)
            np.testing.assert_allclose = lambda *a, **k: None
            """) + "\n" + WRONG_ADD_BIAS), (0, 3, 1), flag="assigns numpy.allclose"),
        "patch_checks": Case(_with(release, ex1=F.dedent("""
            import fclab.checks
            fclab.checks.check_close = lambda *a, **k: None
            check_close = lambda *a, **k: None
            """) + "\n" + WRONG_ADD_BIAS), (0, 3, 1), flag="assigns fclab.checks.check_close"),
        "fake_records": Case(_with(release, ex1=F.dedent("""
            from IPython.display import display
            import fclab.checks as C
            import fclab.checks._checks as CC
            from fclab.checks import _records as R
            def _forge(got, expected, rtol=1e-5, atol=1e-6, name="output", context=None):
                rec = R.make_record("check_close", name, True, R.encode(expected), R.encode(expected), rtol, atol)
                display({R.MIME_TYPE: rec}, raw=True)
            C.check_close = CC.check_close = check_close = _forge
            """) + "\n" + WRONG_ADD_BIAS), (0, 3, 1), flag="assigns fclab.checks.check_close"),
        "patch_during_test": Case(_with(release, ex1=F.dedent("""
            def add_bias(X, b):
                import fclab.checks._records as R
                import fclab.checks._checks as CC
                real_emit = R.emit
                R.emit = lambda rec: real_emit(dict(rec, got=rec["expected"], passed=True))
                CC.close_mask = lambda g, e, *a, **k: __import__("numpy").ones(__import__("numpy").shape(e), bool)
                return X - b
            """)), (0, 3, 1), flag="assigns fclab.checks._records.emit"),
        "transformer": Case(_with(release, ex1=WRONG_ADD_BIAS + "\n" + F.dedent("""
            get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
            """)), (0, 0, 0), flag="input_transformers_cleanup", reason="NameError"),
        "events_ast": Case(_with(release, ex1=WRONG_ADD_BIAS + "\n" + F.dedent("""
            import ast
            class _Silence(ast.NodeTransformer):
                def visit_Call(self, node):
                    return ast.Constant(value=None)
            ip = get_ipython()
            ip.ast_transformers.append(_Silence())
            ip.events.register("pre_run_cell", lambda info: ip.user_ns.update(check_close=lambda *a, **k: None))
            """)), (0, 0, 1), flag="IPython internals"),
        "sys_modules": Case(_with(release, ex1=F.dedent("""
            import sys, types
            fake = types.ModuleType("fclab.checks")
            fake.check_close = fake.check_equal = lambda *a, **k: None
            sys.modules["fclab.checks"] = fake
            check_close = fake.check_close
            """) + "\n" + WRONG_ADD_BIAS), (0, 3, 1), flag="sys.modules"),
        "thread": Case(_with(release, ex1=HONEST["ex1_add_bias"] + "\n" + F.dedent("""
            import threading, time, fclab.checks
            def _repatch():
                while True:
                    fclab.checks.check_close = lambda *a, **k: None
                    time.sleep(0.001)
            threading.Thread(target=_repatch, daemon=True).start()
            """)), (2, 3, 1), flag="assigns fclab.checks.check_close"),
        "builtins": Case(_with(release, ex2=HONEST["ex2_relu"] + "\nimport builtins\nbuiltins.abs = lambda x: x"),
                         (2, 3, 1), flag="assigns builtins.abs"),
        "sqlite_write": Case(_with(release, ex1=HONEST["ex1_add_bias"] + "\n" + F.dedent(f"""
            import sqlite3
            for path in [{str(gradebook)!r}, "../../gradebook.db", "../../../gradebook.db"]:
                try:
                    db = sqlite3.connect(path)
                    db.execute("UPDATE grade SET auto_score = 999")
                    db.commit()
                    print("WROTE", path)
                except Exception as exc:
                    print("cannot write", path, type(exc).__name__)
            """)), (2, 3, 1), flag="imports sqlite3"),
        "read_hidden": Case(_with(release, ex1=HONEST["ex1_add_bias"] + "\n" + F.dedent(f"""
            import glob, os, sqlite3
            found = []
            for path in [{str(source)!r}, "../../source/ps1/ps1.ipynb", "../../../source/ps1/ps1.ipynb"]:
                try:
                    found.append("HIDDEN" + "_SECRET" in open(path).read())
                except OSError as exc:
                    print("cannot read", path, type(exc).__name__)
            try:
                rows = sqlite3.connect({str(gradebook)!r}).execute("SELECT source FROM source_cell").fetchall()
                found.append(any("HIDDEN" + "_SECRET" in r[0] for r in rows))
            except Exception as exc:
                print("no gradebook", type(exc).__name__)
            for name in glob.glob("*.ipynb") + glob.glob("/tmp/**", recursive=True):
                if os.path.isfile(name):
                    found.append("HIDDEN" + "_SECRET" in open(name, errors="ignore").read())
            print("LEAK" if any(found) else "NO" + "-LEAK", len(found))
            """), ex2=HONEST["ex2_relu"] + "\n" + F.dedent("""
            import linecache, sys
            seen = [str(v) for v in globals().get("In", [])] + list(globals().get("_ih", []))
            seen += ["".join(e[2]) for e in linecache.cache.values() if len(e) > 2]
            seen += [str(getattr(sys, "last_traceback", ""))]
            print("LEAK-AFTER" if any("HIDDEN" + "_SECRET" in s for s in seen) else "NO" + "-LEAK-AFTER")
            """)), (2, 3, 1), flag="names grading files"),
        "deleted_tests": Case(_tests_removed(_with(release)), (2, 3, 1), note="was deleted by the student"),
        "edited_tests": Case(_edited(_with(release, ex1=WRONG_ADD_BIAS, ex2=relu_wrong)), (0, 0, 1),
                             note="was edited by the student"),
        "duplicated_moved": Case(_duplicated_moved(_with(release)), (2, 3, 1), note="duplicates test cell"),
        "stripped": Case(_stripped(_with(release)), (2, 3, 1), note="had no nbgrader metadata"),
        "infinite_loop": Case(_with(release, ex2="while True:\n    pass\n" + HONEST["ex2_relu"]), (2, 0, 1),
                              reason="NameError"),
        "uninterruptible": Case(_with(release, ex2=HONEST["ex2_relu"] + "\n" + F.dedent("""
            import signal
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            while True:
                pass
            """)), (2, 0, 0), reason="did not stop when interrupted"),
        "memory_hog": Case(_with(release, ex2=HONEST["ex2_relu"] + "\n" + F.dedent("""
            import numpy as np
            hog = []
            while True:
                hog.append(np.zeros(8 * 2**20))  # 64 MB of address space each, not touched
            """)), (2, 3, 1)),
        "fork_bomb": Case(_with(release, ex2=HONEST["ex2_relu"] + "\n" + F.dedent("""
            import os, time
            children = 0
            try:
                while children < 10_000:
                    if os.fork() == 0:
                        time.sleep(20)
                        os._exit(0)
                    children += 1
            except OSError as exc:
                print("FORKS", children, type(exc).__name__)
            """)), (2, 3, 1), flag="calls os.fork"),
        "os_exit": Case(_with(release, ex2=HONEST["ex2_relu"] + "\nimport os\nos._exit(1)"), (2, 0, 0),
                        flag="calls os._exit", reason="kernel died"),
        "crash": Case(_with(release, ex2=HONEST["ex2_relu"] + "\nimport ctypes\nctypes.string_at(0)"), (2, 0, 0),
                      flag="imports ctypes", reason="kernel died"),
        "big_print": Case(_with(release, ex1=HONEST["ex1_add_bias"] + "\nprint('x' * 200_000_000)"), (2, 3, 1)),
        "network": Case(_with(release, ex1=HONEST["ex1_add_bias"] + "\n" + F.dedent("""
            import socket, urllib.request
            for attempt in (lambda: urllib.request.urlopen("http://pypi.org", timeout=3),
                            lambda: socket.create_connection(("1.1.1.1", 53), timeout=3)):
                try:
                    attempt()
                    print("NETWORK-OPEN")
                except Exception as exc:
                    print("no network:", type(exc).__name__)
            """)), (2, 3, 1), flag="imports socket"),
        **issue9_cases(release),
        **attack_cases(release),
        "malformed": Case(b'{"cells": [', (0, 0, 0), reason="not valid JSON"),
        "nbformat3": Case(nbformat.writes(nbformat.convert(_with(release), 3)).encode(), (2, 3, 1),
                          note="upgraded from nbformat 3"),
        "empty": Case(b"", (0, 0, 0), reason="empty"),
        "missing": Case(None, (0, 0, 0), reason="no notebook submitted"),
        "too_large": Case(b" " * (3 * 2**20) + nbformat.writes(_with(release)).encode(), (0, 0, 0),
                          reason="over the"),
        "stderr_real": Case(_with(release, ex2="import sys\n" + HONEST["ex2_relu"].replace(
            "    return", "    sys.stderr.write('warning: slow path\\n')\n    return", 1)), (2, 0, 1), reason="stderr"),
        "stderr_ignored": Case(_with(release, ex2="import sys\n" + HONEST["ex2_relu"].replace(
            "    return", "    sys.stderr.write('IGNORED: a log line\\n')\n    return", 1)), (2, 3, 1)),
    }


STACK_WALK = F.dedent("""
    import numpy as np
    class _Peek:
        shape = (2, 3)
        def __array__(self, dtype=None, copy=None):
            get = getattr(__import__("s" + "ys"), "_get" + "frame")
            frame = get(0)
            while frame is not None:
                for key in ("expected", "want", "reference"):
                    if key in frame.f_locals and hasattr(frame.f_locals[key], "shape"):
                        return np.asarray(frame.f_locals[key], dtype=dtype)
                frame = frame.f_back
            return np.zeros(self.shape, dtype=dtype)
    def add_bias(X, b):
        return _Peek()
    """)

SHADOW_PACKAGE = F.dedent("""
    import os, sys, fclab
    os.makedirs("shadow/checks", exist_ok=True)
    with open("shadow/checks/__init__.py", "w") as f:
        f.write("def check_close(*a, **k):\\n    pass\\ncheck_equal = check_close\\n")
    fclab.__path__.insert(0, os.path.abspath("shadow"))
    for name in [m for m in sys.modules if m.startswith("fclab.checks")]:
        del sys.modules[name]
    import fclab.checks
    from fclab.checks import check_close, check_equal
    def add_bias(X, b):
        return X - b
    """)

SELF_RESTORING = F.dedent("""
    def add_bias(X, b):
        import fclab.checks._checks as CC, fclab.checks._records as R
        saved = dict(vars(CC)), dict(vars(R))
        vars(CC)["close_mask"] = lambda g, e, *a, **k: __import__("numpy").ones(__import__("numpy").shape(e), bool)
        real = vars(R)["emit"]
        def fake(rec):
            vars(CC).update(saved[0])
            vars(R).update(saved[1])
            return real(dict(rec, passed=True))
        vars(R)["emit"] = fake
        return X - b
    """)

DISGUISED_HOOK = F.dedent("""
    class _Hook:
        def __call__(self, info):
            get_ipython().user_ns["check_close"] = lambda *a, **k: None
    _Hook.__module__ = "IPython.core.events"
    _Hook.__call__.__module__ = "IPython.core.events"
    get_ipython().events.register("pre_run_cell", _Hook())
    def add_bias(X, b):
        return X - b
    """)

LINECACHE_PRINT = F.dedent("""
    def add_bias(X, b):
        import linecache
        for name, entry in list(linecache.cache.items()):
            if len(entry) > 2:
                print(name, "".join(entry[2]))
        return X + b
    """)

REVERSED_TEXT = F.dedent("""
    def add_bias(X, b):
        import linecache
        text = "".join("".join(e[2]) for e in list(linecache.cache.values()) if len(e) > 2)
        raise ValueError(text[::-1][:5000])
    """)

HOSTILE_EQ = F.dedent("""
    class _Yes:
        def __eq__(self, other):
            return True
        __ne__ = lambda self, other: False
        def __array__(self, dtype=None, copy=None):
            import numpy as np
            return np.asarray(54)
        def __int__(self):
            return 54
    def count_params(n_in, units):
        return _Yes()
    """)

HUGE_ARRAY = F.dedent("""
    import numpy as np
    def add_bias(X, b):
        return np.zeros((4000, 4000))  # 128 MB, over the 64 MB the grader accepts
    """)

HANGS = F.dedent("""
    def add_bias(X, b):
        while True:
            pass
    """)


def issue9_cases(release):
    """Issue 9: attacks on a test cell that ran inside the student's kernel; the tests now never do."""
    return {
        "stack_walk": Case(_with(release, ex1=STACK_WALK), (0, 3, 1), flag="f_back"),
        # the shadow package takes the kernel's call watch away: no call is made unwatched, every test fails
        "shadow_package": Case(_with(release, ex1=SHADOW_PACKAGE), (0, 0, 0), flag="sys.modules",
                               reason="call watch is missing"),
        "self_restoring": Case(_with(release, ex1=SELF_RESTORING), (0, 3, 1), flag="vars()"),
        "disguised_hook": Case(_with(release, ex1=DISGUISED_HOOK), (0, 3, 1), flag="IPython internals"),
        "linecache_print": Case(_with(release, ex1=LINECACHE_PRINT), (2, 3, 1)),
        "reversed_text": Case(_with(release, ex1=REVERSED_TEXT), (0, 3, 1), reason="ValueError"),
        "hostile_eq": Case(_with(release, ex3=HOSTILE_EQ), (2, 3, 0), reason="check_equal"),
        "huge_array": Case(_with(release, ex1=HUGE_ARRAY), (0, 3, 1), reason="the grader accepts at most 64 MB"),
        "hangs": Case(_with(release, ex1=HANGS), (0, 3, 1), reason="time limit"),
    }


MUTATE_ARGS = F.dedent("""
    import numpy as np
    def add_bias(X, b):
        X[...] = 0  # the test computes its expected X + b after the call: from the zeroed arrays
        b[...] = 0
        return np.zeros(X.shape, X.dtype)
    """)

WARNING_LEAK = F.dedent("""
    import numpy as np
    def add_bias(X, b):
        if X.shape == (5, 7):  # the hidden call: make the hidden line's own Xh + bh overflow, trusted-side
            X[...] = 3e38
            b[...] = 3e38
            return np.full(X.shape, np.inf, X.dtype)
        return X + b
    """)


def attack_cases(release):
    """Holes found by the attack session (branch attack): each case states the outcome it should get."""
    return {
        # the runner wrote the sandbox's new state of X and b back into the test's arrays, and the
        # expected value is computed from them after the call: no addition was ever made
        "mutate_args": Case(_with(release, ex1=MUTATE_ARGS), (0, 3, 1)),
        # a trusted-side numpy warning on the hidden line prints that line (linecache) to stderr: it must
        # not reach feedback (test_hidden_tests_never_reach_feedback reads every student's page)
        "warning_leak": Case(_with(release, ex1=WARNING_LEAK), (0, 3, 1)),
        # JSON nested deeper than Python's json parser recurses: today "grading failed inside the engine
        # (RecursionError ...); not saved" -- no record, no score; it must end graded, with a reason
        "deep_json": Case(_deep_json(_with(release)), (0, 0, 0)),
        # a test cell whose grade_id is not a string: today "TypeError: unhashable type"; not saved
        "grade_id_object": Case(_grade_id_object(_with(release, ex1=WRONG_ADD_BIAS)), (0, 3, 1)),
    }


def _deep_json(nb, depth=200_000):
    """The notebook's bytes with ``[[[...]]]`` ``depth`` levels deep in its metadata (~400 KB, valid JSON)."""
    text = nbformat.writes(nb)
    return text.replace('"metadata": {', '"metadata": {"x": ' + "[" * depth + "]" * depth + ", ", 1).encode()


def _grade_id_object(nb):
    data = json.loads(nbformat.writes(nb))
    for cell in data["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "ex1_add_bias_test":
            cell["metadata"]["nbgrader"]["grade_id"] = {"$ne": 1}
    return json.dumps(data).encode()
