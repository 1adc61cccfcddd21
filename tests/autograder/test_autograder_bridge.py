"""The trust boundary piece by piece, in one process (fast): the wire codec, the agent, the proxies, the
trusted runner's cells, the name analysis and the decision. The end-to-end runs are in
test_autograder_adversarial.py."""

import base64
import io
import json
import sys
import types

import numpy as np
import pytest

from autograder import decide, names, protocol, proxies, runner
from autograder.sandboxed import agent as agent_module
from autograder.sandboxed import wire

STUDENT = '''
import numpy as np
def add_bias(X, b):
    print("student says hi")
    return X + b
def shout(x):
    raise ValueError("bad input " + str(x))
def double_in_place(X):
    X *= 2
    return X
def not_done(X):
    raise NotImplementedError()
def seeded():
    return np.random.rand(3)
def apply(fn, x):
    return fn(x)
class Net:
    def __init__(self):
        self.w = np.ones(3)
        self.items = [1, 2, 3]
    def forward(self, x):
        return x * self.w
    def __len__(self):
        return 3
    def __getitem__(self, k):
        return self.items[k]
    def __eq__(self, other):
        return True
    def __array__(self, dtype=None, copy=None):
        return np.full(3, 7.0)
net = Net()
z_by_hand = np.arange(4.0)
config = {"units": 3, "names": ("a", "b"), 1: None}
'''


@pytest.fixture(autouse=True)
def _restore_the_lab():
    """The runner installs the grading Runtime and seed recorders in this process: put the lab's back."""
    from fclab.checks import _runtime

    runtime, seed_fn = _runtime.get_runtime(), np.random.seed
    yield
    _runtime.set_runtime(runtime)
    np.random.seed = seed_fn
    proxies.recorder_state.update(session=None, inside=False)


@pytest.fixture
def session():
    namespace = {}
    exec(STUDENT, namespace)  # noqa: S102  (the "student's kernel" of these tests)
    agent = agent_module.install(namespace)
    return proxies.Session(lambda request: proxies.reply_from_text(agent.handle(json.dumps(request))))


@pytest.fixture
def trusted(session):
    students = ("add_bias", "shout", "double_in_place", "not_done", "seeded", "apply", "Net", "net", "z_by_hand",
                "config")
    run = runner.Runner(protocol.RunnerInit(workdir=".", student_names=students), session._ask)
    return lambda source: run.run(protocol.CellRun(index=0, source=source, kind="test", grade_id="t_test"))


def _texts(done, kind):
    return "".join(o.get("text", "") for o in done.outputs if o["output_type"] == "stream" and o["name"] == kind)


def _errors(done):
    return [o for o in done.outputs if o["output_type"] == "error"]


# -- wire -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, "text", [1, [2, "x"]], (1, (2.0, None)), {"a": 1, 2: [3], None: (4,)},
    np.arange(6, dtype=np.float32).reshape(2, 3), np.array([True, False]), np.array([1 + 2j]), np.float32(1.5),
    np.int64(7), np.zeros((0, 3)),
])
def test_wire_round_trips_plain_data(value):
    text = json.dumps(wire.encode(value, _refuse))
    back = wire.decode(json.loads(text), _no_handles)
    if isinstance(value, (np.ndarray, np.generic)):
        assert type(back) is type(value) and back.dtype == value.dtype and np.array_equal(back, value)
    else:
        assert back == value and type(back) is type(value)


def test_wire_keeps_nan_and_infinity():
    back = wire.decode(json.loads(json.dumps(wire.encode([float("nan"), float("inf")], _refuse))), _no_handles)
    assert np.isnan(back[0]) and back[1] == float("inf")


def _refuse(value):
    raise wire.CannotCross(type(value).__name__)


def _no_handles(*args):
    raise AssertionError("no handle expected")


def test_wire_refuses_what_is_not_plain_data():
    with pytest.raises(wire.CannotCross, match="raw JSON list"):
        wire.decode([1, 2], _no_handles)
    with pytest.raises(wire.CannotCross, match="references only go into the sandbox"):
        wire.decode({"$ref": "os.system"}, _no_handles)
    with pytest.raises(wire.CannotCross, match="unknown encoded value"):
        wire.decode({"$pickle": "gASV"}, _no_handles)
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)  # an .npy holding a pickle
    with pytest.raises(wire.CannotCross, match="malformed array"):
        wire.array_from_text(base64.b64encode(buffer.getvalue()).decode())
    with pytest.raises(wire.CannotCross, match="at most 64 MB"):
        wire.npy_text(np.zeros(9 * 2**20))
    assert wire.encode(np.array(["a"]), lambda v: "fallback") == "fallback"  # a string array is not numeric


def test_a_keras_config_too_large_in_total_is_refused_before_anything_is_built():
    dense = {"class_name": "Dense", "module": "keras.layers", "config": {"units": 65_536}}
    huge = {"class_name": "Sequential", "module": "keras", "config": {"layers": [
        {"class_name": "InputLayer", "module": "keras.layers", "config": {"batch_shape": [None, 8]}}] + [dense] * 100}}
    with pytest.raises(wire.CannotCross, match="a Keras model of about 425,208,840,192 weights"):
        wire.keras_from_wire({"config": huge, "weights": []})
    small = {"class_name": "Sequential", "module": "keras", "config": {"layers": [
        {"class_name": "InputLayer", "module": "keras.layers", "config": {"batch_shape": [None, 64]}},
        dict(dense, config={"units": 256}), dict(dense, config={"units": 10})]}}
    assert wire.estimated_params(small) == 64 * 256 + 256 + 256 * 10 + 10


def test_the_runner_keeps_at_most_a_megabyte_of_a_cells_output():
    outputs, budget = [], {"left": runner.CELL_TEXT_LIMIT, "cut": False}
    out, err = runner._Stream("stdout", outputs, budget), runner._Stream("stderr", outputs, budget)
    for _ in range(30):
        out.write("x" * 100_000)
        err.write("y" * 10)
    kept = sum(len(o["text"]) for o in outputs)
    assert runner.CELL_TEXT_LIMIT <= kept < runner.CELL_TEXT_LIMIT + 200
    assert sum("output cut" in o["text"] for o in outputs) == 1


def test_wire_references_reach_only_public_library_functions():
    assert wire.resolve_ref("numpy.maximum") is np.maximum
    assert wire.ref_name(np.maximum) == "numpy.maximum" and wire.ref_name(np.linalg.norm) == "numpy.linalg.norm"
    assert wire.ref_name(lambda x: x) is None and wire.ref_name(print) is None
    for name in ("os.system", "numpy._core.multiarray", "builtins.eval", "numpy.__class__"):
        with pytest.raises(wire.CannotCross):
            wire.resolve_ref(name)


# -- agent and proxies ------------------------------------------------------------------------------------
def test_calls_bring_back_plain_data_and_the_student_output(trusted):
    done = trusted("import numpy as np\nfrom fclab.checks import check_close\nX = np.ones((2, 3))\n"
                   "b = np.arange(3.0)\ncheck_close(add_bias(X, b), X + b, name='add_bias')")
    assert not _errors(done) and "student says hi" in _texts(done, "stdout")
    assert [r["passed"] for r in done.records] == [True]


def test_a_kernel_whose_call_watch_was_removed_gets_no_unwatched_call(trusted, monkeypatch):
    monkeypatch.setitem(sys.modules, "fclab.checks._calls", None)  # what `sys.modules[...] = None` in a cell does
    done = trusted("import numpy as np\nfrom fclab.checks import check_close\nX = np.ones((2, 3))\n"
                   "check_close(add_bias(X, np.zeros(3)), X, name='add_bias')")
    error = _errors(done)[0]
    assert "the grader's call watch is missing in this kernel" in error["evalue"]
    assert "student says hi" not in _texts(done, "stdout")  # the answer was never called
    assert not done.records or not all(r["passed"] for r in done.records)


def test_a_warning_in_a_test_cell_is_printed_without_its_source_line(trusted):
    done = trusted("import numpy as np\nimport warnings\nwarnings.simplefilter('always')\n"
                   "big = np.float32(3e38) * np.float32(10)  # HIDDEN_LINE_TEXT")
    err = _texts(done, "stderr")
    assert "RuntimeWarning: overflow encountered" in err and "raised in a test cell" in err
    assert "HIDDEN_LINE_TEXT" not in err and "np.float32(3e38)" not in err


def test_student_exceptions_keep_their_builtin_type(trusted):
    error = _errors(trusted("shout(3)"))[0]
    assert error["ename"] == "ValueError" and error["evalue"] == "bad input 3"
    assert "raised in the student's code" in "\n".join(error["traceback"])
    assert _errors(trusted("not_done(1)"))[0]["ename"] == "NotImplementedError"


def test_arrays_modified_in_place_come_back_where_the_test_asks_for_it(trusted):
    done = trusted("import numpy as np\nfrom fclab import checks\nY = np.ones(3)\n"
                   "with checks.exercise('in_place', watch_inputs=False):\n    out = double_in_place(Y)\n"
                   "print(Y.tolist(), out.tolist())")
    assert "[2.0, 2.0, 2.0] [2.0, 2.0, 2.0]" in _texts(done, "stdout")


def test_a_plain_call_that_changes_the_tests_arrays_fails(trusted):
    done = trusted("import numpy as np\nY = np.ones(3)\nout = double_in_place(Y)\nprint('reached')")
    error = _errors(done)[0]
    assert error["ename"] == "AssertionError" and "in place" in error["evalue"], error
    assert "reached" not in _texts(done, "stdout")


def test_a_hostile_object_stays_opaque(trusted):
    done = trusted("import numpy as np\nfrom fclab.checks import check_close\nprint(net == 1, len(net), net[1], "
                   "list(net), net.forward(np.ones(3)).tolist(), np.asarray(net).tolist())\n"
                   "check_close(net, np.full(3, 7.0))")
    # numpy reads it as the sequence its forwarded len/items make; its own __eq__ and __array__ never run here
    assert "False 3 2 [1, 2, 3] [1.0, 1.0, 1.0] [1, 2, 3]" in _texts(done, "stdout")
    assert _errors(done)[0]["ename"] == "AssertionError"


def test_values_and_dicts_are_fetched_as_data(trusted):
    done = trusted("print(type(z_by_hand).__name__, z_by_hand.sum(), config)")
    assert "ndarray 6.0 {'units': 3, 'names': ('a', 'b'), 1: None}" in _texts(done, "stdout")


def test_a_lambda_cannot_cross_and_the_error_says_so(trusted):
    error = _errors(trusted("apply(lambda x: x, 1)"))[0]
    assert error["ename"] == "CannotCross" and "'<lambda>' (function) cannot be passed" in error["evalue"]
    assert "apply(lambda x: x, 1)" in "\n".join(error["traceback"])  # the construct, in the cell's traceback
    done = trusted("import numpy as np\nprint(apply(np.abs, -2))")  # a library function crosses by name
    assert "2" in _texts(done, "stdout") and not _errors(done)


def test_seeds_set_in_a_test_are_forwarded_with_the_next_call(trusted):
    first = trusted("import numpy as np\nnp.random.seed(5)\nprint(seeded().tolist())")
    np.random.seed(5)
    assert str(np.random.rand(3).tolist()) in _texts(first, "stdout")


def test_fclab_call_returns_a_call_outcome(session, monkeypatch):
    seen = {}

    def call_watched(fn, args, kwargs, forbid, watch_inputs=True):
        seen.update(forbid=forbid, watch=watch_inputs)
        value = fn(*args, **kwargs)
        error = None
        return types.SimpleNamespace(value=value, error=error, forbidden=("fclab.reference.dense",),
                                     mutated=(), stdout="printed\n")

    stub = types.ModuleType("fclab.checks._calls")
    stub.call_watched = call_watched
    monkeypatch.setitem(sys.modules, "fclab.checks._calls", stub)
    fn = session.fetch("add_bias")
    outcome = fn.__fclab_call__((np.ones(2), np.ones(2)), {}, ["fclab.reference.dense"], True)
    assert seen == {"forbid": ["fclab.reference.dense"], "watch": True}
    assert outcome.forbidden == ("fclab.reference.dense",) and outcome.error is None
    assert np.array_equal(outcome.value, np.full(2, 2.0)) and outcome.stdout == "printed\n"


def test_a_forged_reply_is_only_data(session):
    forged = proxies.Session(lambda request: {"value": {"$handle": 1, "type": "ndarray", "callable": True}})
    value = forged.fetch("anything")
    assert isinstance(value, proxies.RemoteObject) and not isinstance(value, np.ndarray)
    with pytest.raises(wire.CannotCross):
        proxies.Session(lambda request: {"value": {"$ref": "os.system"}}).fetch("x")
    assert "error" in proxies.reply_from_text("[1, 2]") and "error" in proxies.reply_from_text("x" * 10, limit=5)


def test_an_interrupted_call_is_a_timeout(session):
    with pytest.raises(TimeoutError, match="time limit"):
        proxies.raise_student_error({"type": "KeyboardInterrupt", "message": ""})
    with pytest.raises(proxies.AnswerError, match="MyError: boom"):
        proxies.raise_student_error({"type": "MyError", "message": "boom"})


# -- names ------------------------------------------------------------------------------------------------
def _cell(source, kind="setup", origin="source"):
    meta = {"autograder": {"origin": origin}}
    if kind == "test":
        meta["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    elif kind == "solution":
        meta["nbgrader"] = {"grade": False, "solution": True, "grade_id": "s"}
    return {"cell_type": "code", "source": source, "metadata": meta}


def test_student_names_and_needed_setup_cells():
    cells = [_cell("import numpy as np\nfrom fclab import checks"), _cell("W = np.ones((3, 2))"),
             _cell("%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1])"),
             _cell("import numpy as np\ndef dense(X, W, b):\n    return X @ W + b\nz = 1", "solution", "student"),
             _cell("def helper():\n    pass", origin="student"),
             _cell("checks.check_close(dense(X, W, 0), X @ W)\nX = 1", "test"),
             _cell("np.random.seed(0)"), _cell("late = 1")]
    students = names.student_names(cells, {"s": "def dense(X, W, b):\n    out = X @ W + b\n    return out"})
    # the instructor's solution's top-level names only: not its local `out`, not the student's `z`/`helper`,
    # not np (a protected cell imports it)
    assert students == {"dense"}
    assert names.needed_setup(cells, students) == [0, 1, 6]


def test_a_builtin_or_setup_name_the_student_rebinds_stays_the_courses():
    cells = [_cell("import numpy as np\ndef helper(n):\n    return list(range(n))"),
             _cell("def relu(x):\n    return x\nenumerate = lambda *a: []\nhelper = lambda n: []\nlen = print",
                   "solution", "student"),
             _cell("for i, v in enumerate(helper(3)):\n    assert relu(v) == v", "test")]
    students = names.student_names(cells, {"s": "def relu(x):\n    return np.maximum(x, 0)"})
    assert students == {"relu"}


def test_the_static_scan_follows_the_answer_into_its_helpers_cells(monkeypatch):
    from fclab import checks
    from fclab.checks import _runtime

    sources = {"dense_forward": "def dense_forward(X, W, b):\n    return _inner(X, W, b)",
               "_inner": "import fclab.reference as ref\ndef _inner(X, W, b):\n    return _deeper(X, W) + b",
               "_deeper": "def _deeper(X, W):\n    return ref.dense(X, W, 0)",
               "unrelated": "def unrelated():\n    return ref.dense"}
    assert [h for h, _ in runner.helper_cells("dense_forward", sources)] == ["_inner", "_deeper"]
    assert runner.helper_cells("missing", sources) == []

    class Fake(_runtime.Runtime):
        def answer_source(self, fn):
            return sources["dense_forward"]

        def helper_sources(self, fn):
            return runner.helper_cells("dense_forward", sources)

        def namespace(self, fn):
            import fclab.reference as ref
            return {"ref": ref}

    monkeypatch.setattr(_runtime, "_current", Fake())
    ex = checks.exercise("ex_helpers", forbid=["fclab.reference.dense"])
    findings = ex.static_findings(lambda: None)
    assert [f.target for f in findings] == ["fclab.reference.dense"]
    assert "(in the cell that defines _deeper)" in findings[0].text


def test_free_names_are_read_before_the_cell_binds_them():
    source = ("cases = [(ex.normal((2, 3)), W) for _ in range(2)]\n"
              "for X, W2 in cases:\n    total += X.sum()\n"
              "def f():\n    return late\nlate = 1\nimport numpy as np\nnp.ones(1)\nY = Y + 1\n")
    assert names.free_names(source) == {"ex", "W", "total", "late", "range", "Y"}
    cells = [_cell("X = np.ones(3)"), _cell("W = np.ones((3, 2))"),
             _cell("X = ex.normal((2, 3))\ncheck(dense(X, W))", "test")]
    assert names.needed_setup(cells, frozenset({"dense"})) == [1]  # the test draws its own X


# -- decide -----------------------------------------------------------------------------------------------
def test_decide_follows_nbgrader_rules():
    ok = decide.Observation(index=3, status="ok", seconds=1.0, records=({"passed": True},))
    assert decide.decide(ok, 2.0) == decide.CellDecision(2.0, 2.0, "passed", 1.0, ({"passed": True},))
    partial = decide.Observation(index=3, status="ok", seconds=1.0, nbgrader_score=0.5)
    assert decide.decide(partial, 2.0).reason == "partial credit 0.5 of 2"
    for obs, reason in [(decide.Observation(3, "ok", 1.0, stderr="warning"), "wrote to stderr"),
                        (decide.Observation(3, "error", 1.0, error="ValueError: x"), "raised ValueError: x"),
                        (decide.Observation(3, "not-run", 0.0, fault="the kernel died"), "the kernel died"),
                        (decide.Observation(3, "interrupted", 9.0), "time limit")]:
        decision = decide.decide(obs, 2.0)
        assert decision.points == 0.0 and reason in decision.reason
    assert decide.Observation.from_dict(ok.to_dict()) == ok


def test_diagnosis_lines_are_read_from_a_failing_check():
    error = {"ename": "AssertionError", "evalue": "check_close 'out': got differs\n  largest error 1.0\n"
                                                  "Diagnosis: the bias is missing.\nWhat to do next: add b."}
    assert decide._diagnosis(error) == "Diagnosis: the bias is missing."


def test_a_function_of_a_setup_cell_crosses_as_the_kernels_copy(session):
    namespace = {}
    exec("def square(v):\n    return v * v\ndef apply(fn, x):\n    return fn(x)\n", namespace)  # noqa: S102
    agent = agent_module.install(namespace)
    session = proxies.Session(lambda request: proxies.reply_from_text(agent.handle(json.dumps(request))))
    run = runner.Runner(protocol.RunnerInit(workdir=".", student_names=("apply",)), session._ask)
    run.run(protocol.CellRun(index=0, source="def square(v):\n    return v * v", kind="setup"))
    done = run.run(protocol.CellRun(index=1, source="print(apply(square, 3))", kind="test", grade_id="t"))
    assert _texts(done, "stdout") == "9\n" and not _errors(done)
    done = run.run(protocol.CellRun(index=2, source="def cube(v):\n    return v ** 3\napply(cube, 2)", kind="test"))
    assert "'cube' (function) cannot be passed" in _errors(done)[0]["evalue"]  # a test cell's own function


def test_a_class_of_a_setup_cell_lives_in_the_kernel_during_test_cells():
    """A layer class the lesson gives: the test's objects of it are the kernel's, so student code can use them."""
    given = "class Layer:\n    def __init__(self, w):\n        self.w = w\n    def forward(self, x):\n        return x * self.w\n"
    namespace = {"__name__": "__main__"}
    exec(given + "def chain(layers, x):\n    for layer in layers:\n        x = layer.forward(x)\n    return x\n",
         namespace)  # noqa: S102  (the kernel: the given cell and the student's answer)
    agent = agent_module.install(namespace)
    session = proxies.Session(lambda request: proxies.reply_from_text(agent.handle(json.dumps(request))))
    run = runner.Runner(protocol.RunnerInit(workdir=".", student_names=("chain",)), session._ask)
    run.run(protocol.CellRun(index=0, source=given, kind="setup"))
    done = run.run(protocol.CellRun(index=1, source="print(chain([Layer(2.0), Layer(3.0)], 1.0))", kind="test",
                                    grade_id="t"))
    assert _texts(done, "stdout") == "6.0\n" and not _errors(done)
    done = run.run(protocol.CellRun(index=2, source="print(type(Layer(1.0)).__name__, Layer(4.0).w)", kind="setup"))
    assert _texts(done, "stdout") == "Layer 4.0\n"  # setup cells keep the trusted class


CONTRACT_ANSWERS = {
    "dense_ok": "def dense_ok(X, W, b):\n    return X @ W + b",
    "dense_cheat": "import fclab.reference as ref\ndef dense_cheat(X, W, b):\n    return ref.dense(X, W, b)",
    "dense_hidden_cheat": "def dense_hidden_cheat(X, W, b):\n    import fclab.reference as r\n"
                          "    return getattr(r, 'de' + 'nse')(X, W, b)",
}
CONTRACT_TEST = '''from fclab import checks
import fclab.reference as ref
with checks.exercise("ex_dense", forbid=["fclab.reference.dense"]) as ex:
    X, W, b = ex.normal((2, 3)), ex.normal((3, 4)), ex.normal(4) + 0.5
    checks.check_function({fn}, ref.dense, [(X, W, b)], name="dense with batch=2, in=3, out=4")'''


@pytest.mark.parametrize("answer, passes, why", [("dense_ok", True, None),
                                                 ("dense_cheat", False, "fclab.reference.dense"),
                                                 ("dense_hidden_cheat", False, "fclab.reference.dense")])
def test_a_contract_test_cell_through_proxies(answer, passes, why):
    """checks.exercise + check_function against a proxy: ex.call uses __fclab_call__, the sandbox side runs
    call_watched (the dynamic forbid watch), the trusted side scans the student's cell text (static)."""
    namespace = {}
    for source in CONTRACT_ANSWERS.values():
        exec(source, namespace)  # noqa: S102
    agent = agent_module.install(namespace)
    session = proxies.Session(lambda request: proxies.reply_from_text(agent.handle(json.dumps(request))))
    run = runner.Runner(protocol.RunnerInit(workdir=".", student_names=tuple(CONTRACT_ANSWERS), label="a|n|s",
                                            sources=tuple(CONTRACT_ANSWERS.items())), session._ask)
    done = run.run(protocol.CellRun(index=0, source=CONTRACT_TEST.format(fn=answer), kind="test", grade_id="t"))
    assert bool(_errors(done)) is not passes, _errors(done)
    assert done.records and all(r["passed"] is passes for r in done.records)
    assert all(r["exercise"] == "ex_dense" and isinstance(r["seed"], int) for r in done.records)
    if why:
        assert why in _errors(done)[0]["evalue"]
        assert any("forbidden_call" in r["diagnoses"] for r in done.records)


def test_grading_seeds_are_fixed_per_student_and_exercise():
    from fclab.checks import get_runtime

    seeds = []
    for label in ("a|n|alice", "a|n|alice", "a|n|bob"):
        runner.Runner(protocol.RunnerInit(workdir=".", student_names=(), label=label), lambda request: {})
        runtime = get_runtime()
        seeds.append((runtime.grading, runtime.seed_for("ex1"), runtime.seed_for("ex2")))
    assert seeds[0] == seeds[1] and seeds[0] != seeds[2] and seeds[0][0] is True and seeds[0][1] != seeds[0][2]


def test_a_keras_config_too_large_to_rebuild_is_refused_before_keras_sees_it():
    dense = {"class_name": "Dense", "module": "keras.layers", "config": {"units": 10**9}}
    with pytest.raises(wire.CannotCross, match="units=1000000000"):
        wire.check_keras_config({"class_name": "Sequential", "module": "keras", "config": {"layers": [dense]}})
    wire.check_keras_config({"class_name": "InputLayer", "module": "keras.layers",
                             "config": {"batch_shape": [None, 784]}})
