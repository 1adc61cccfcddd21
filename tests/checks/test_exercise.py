"""The exercise block: seeds, the call watch (forbidden calls, in-place changes), hints, records, runtimes."""

import numpy as np
import pytest

from fclab import checks
from fclab import reference as ref
from fclab.checks import _exercise, _forbid
from fclab.reference import activations


def _fail(fn, *args, **kwargs):
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def _dense_cases(ex, n=2):
    return [(ex.normal((5, 3)), ex.normal((3, 4)), ex.normal(4) + 0.5) for _ in range(n)]


def _run(answer, forbid=(), exercise_id="ex_dense", mistakes=None, seed=None):
    with checks.exercise(exercise_id, forbid=forbid, seed=seed) as ex:
        checks.check_function(answer, ref.dense, _dense_cases(ex), mistakes=mistakes)


def test_fresh_seed_every_run_and_pinned_seed_replays():
    seen = set()
    for _ in range(3):
        with checks.exercise("ex_seed") as ex:
            seen.add((ex.seed, float(ex.normal(()))))
    assert len(seen) == 3
    checks.seed(1234)
    try:
        draws = []
        for _ in range(2):
            with checks.exercise("ex_seed") as ex:
                draws.append((ex.seed, ex.normal((3,)).tolist()))
        assert draws[0] == draws[1] and draws[0][0] == 1234
    finally:
        checks.seed(None)
    with pytest.raises(ValueError):
        checks.seed(-1)


def test_failure_names_exercise_seed_and_how_to_replay():
    message = _fail(_run, lambda X, W, b: X @ W)
    seed = checks.records[-1]["seed"]
    assert f"exercise ex_dense, inputs drawn with seed {seed}" in message
    assert f"checks.seed({seed})" in message
    record = checks.records[-1]
    assert record["exercise"] == "ex_dense" and record["hidden"] is False and record["v"] == 2
    assert record["diagnoses"] == ["bias_missing"]
    assert str(seed) not in record["name"]


def test_correct_answers_in_several_styles_pass_over_many_seeds():
    def loops(X, W, b):
        out = np.zeros((X.shape[0], W.shape[1]), dtype=np.float32)
        for i in range(X.shape[0]):
            for j in range(W.shape[1]):
                out[i, j] = sum(X[i, k] * W[k, j] for k in range(X.shape[1])) + b[j]
        return out

    def einsum(X, W, b):
        return np.einsum("bi,io->bo", X, W) + b

    for _ in range(20):
        _run(loops)
        _run(einsum)
        _run(lambda X, W, b: np.dot(X.astype("float64"), W) + b)


def test_hard_coded_answer_fails_as_ignoring_its_input():
    with checks.exercise("ex_hard", seed=5) as ex:
        cases = _dense_cases(ex)
    fixed = ref.dense(*cases[0])
    message = _fail(_run, lambda X, W, b: fixed.copy(), exercise_id="ex_hard")
    assert checks.records[-1]["diagnoses"] == ["ignores_input"] and "same value for different inputs" in message


@pytest.mark.parametrize("answer", [
    lambda X, W, b: ref.dense(X, W, b),
    lambda X, W, b: (lambda f: f(X, W, b))(ref.dense),
    lambda X, W, b: getattr(ref, "de" + "nse")(X, W, b),
    lambda X, W, b: ref.Dense(W.shape[1], weights=None).__class__ and ref.dense(X, W, b),
])
def test_forbidden_calls_are_caught_however_they_are_written(answer):
    message = _fail(_run, answer, forbid=["fclab.reference.dense"])
    assert "calls fclab.reference.dense" in message and "implement yourself" in message
    assert checks.records[-1]["diagnoses"] == ["forbidden_call"]


def test_forbidden_calls_inside_a_helper_and_forbidden_classes():
    def helper(z):
        return activations.softmax(z)

    def answer(z):
        return helper(z)

    with checks.exercise("ex_softmax", forbid=["fclab.reference.activations.softmax"]) as ex:
        z = ex.normal((3, 4))
        with pytest.raises(AssertionError, match="calls fclab.reference.activations.softmax"):
            ex.call(answer, z)
    with checks.exercise("ex_layer", forbid=["fclab.reference.Dense"]) as ex:
        with pytest.raises(AssertionError, match="calls fclab.reference.Dense"):
            ex.call(lambda: ref.Dense(3))


def test_allowed_answers_are_not_flagged_by_the_watch():
    _run(lambda X, W, b: X @ W + b, forbid=["fclab.reference.dense", "fclab.reference.activations.relu"])


def test_static_scan_resolves_aliases_and_local_imports():
    source = (
        "def answer(X, W, b):\n"
        "    import fclab.reference as r\n"
        "    from fclab.reference.activations import softmax as sm\n"
        "    f = ref.dense\n"
        "    return sm(r.dense(X, W, b))\n"
    )
    found = _forbid.scan(source, {"ref": ref}, ["fclab.reference.dense", "fclab.reference.activations.softmax"])
    texts = {(f.text, f.target) for f in found}
    assert ("ref.dense", "fclab.reference.dense") in texts
    assert ("r.dense", "fclab.reference.dense") in texts
    assert ("sm", "fclab.reference.activations.softmax") in texts
    assert _forbid.scan("def a(X):\n    return X @ X.T\n", {"ref": ref}, ["fclab.reference.dense"]) == []
    assert _forbid.scan("this is not python (", {}, ["fclab.reference.dense"]) == []
    with pytest.raises(ValueError, match="names nothing importable"):
        _forbid.scan("x", {}, ["fclab.reference.no_such_thing"])


def test_static_scan_sees_a_name_spelled_in_pieces_for_getattr():
    source = ("def answer(X, W, b):\n    f = getattr(ref, 'de' + 'nse')\n"
              "    g = getattr(ref.activations, f'{\"re\"}lu')\n    return f(X, W, b)\n")
    found = _forbid.scan(source, {"ref": ref}, ["fclab.reference.dense", "fclab.reference.activations.relu"])
    assert [(f.text, f.line) for f in found] == [("ref.dense", 2)]  # f"{'re'}lu" has a formatted value: unknown
    assert _forbid.scan("def a(X, name):\n    return getattr(ref, name)\n", {"ref": ref},
                        ["fclab.reference.dense"]) == []  # a name computed at run time: the call watch's job


def test_in_place_change_is_caught_and_the_test_data_stays_intact():
    def answer(X, W, b):
        X += b[: X.shape[1]].mean()
        return X @ W + b

    with checks.exercise("ex_inplace") as ex:
        X = ex.normal((5, 3))
        before = X.copy()
        with pytest.raises(AssertionError, match="modified its argument"):
            ex.call(answer, X, ex.normal((3, 4)), ex.normal(4))
        np.testing.assert_array_equal(X, before)
    with checks.exercise("ex_update", watch_inputs=False) as ex:
        ex.call(answer, ex.normal((5, 3)), ex.normal((3, 4)), ex.normal(4))


def test_hints_are_revealed_one_by_one(capsys):
    with pytest.raises(AssertionError, match=r"checks.hint\('ex_hint'\)` shows hint 1 of 2"):
        with checks.exercise("ex_hint", hints=["first", "second"]):
            checks.check_equal(1, 2)
    assert checks.hint("ex_hint") == "first"
    assert checks.hint("ex_hint") == "second"
    assert "last hint" in capsys.readouterr().out
    assert checks.hint("no_such_exercise") is None


def test_score_card_from_this_sessions_records():
    with checks.exercise("card_pass"):
        checks.check_equal(1, 1)
    with pytest.raises(AssertionError):
        with checks.exercise("card_fail"):
            checks.check_close(np.zeros(3), np.ones(3))
    with pytest.raises(AssertionError):
        with checks.exercise("card_hidden_only", hidden=True):
            checks.check_equal(1, 2)
    card = checks.score_card(points={"card_pass": 2, "card_fail": 1, "card_untried": 3})
    states = {r.exercise: (r.state, r.points) for r in card.rows}
    assert states["card_pass"] == ("passing", 2)
    assert states["card_fail"][0] == "failing" and "all zeros" in [r.why for r in card.rows if r.exercise == "card_fail"][0]
    assert states["card_untried"] == ("not tried", 0)
    assert "card_hidden_only" not in states
    assert card.total == (2, 6) and "<table>" in card._repr_html_() and "total 2/6" in repr(card)


class _GradingRuntime(checks.Runtime):
    grading = True

    def __init__(self):
        super().__init__()
        self.collected = []

    def seed_for(self, exercise_id):
        return 777

    def emit(self, record):
        self.collected.append(record)


class _Proxy:
    """What the grader's proxy looks like to the checks: ``__fclab_call__`` returns a CallOutcome."""

    __name__ = "dense_forward"

    def __init__(self, value):
        self.value, self.calls = value, []

    def __fclab_call__(self, args, kwargs, forbid, watch_inputs):
        self.calls.append((len(args), tuple(forbid), watch_inputs))
        return checks.CallOutcome(value=self.value(*args))


def test_a_grading_runtime_fixes_seeds_collects_records_and_proxies_are_used():
    runtime = _GradingRuntime()
    previous = checks.set_runtime(runtime)
    try:
        proxy = _Proxy(lambda X, W, b: X @ W + b)
        with checks.exercise("ex_graded", forbid=["fclab.reference.dense"]) as ex:
            assert ex.seed == 777
            checks.check_function(proxy, ref.dense, _dense_cases(ex))
        assert proxy.calls == [(3, ("fclab.reference.dense",), True)] * 2
        message = _fail(_run, _Proxy(lambda X, W, b: X @ W))
        assert "checks.seed(" not in message  # no replay advice in grading
    finally:
        checks.set_runtime(previous)
    assert [r["seed"] for r in runtime.collected] == [777] * len(runtime.collected)
    assert runtime.collected[-1]["diagnoses"] == ["bias_missing"]


def test_unknown_diagnosis_codes_are_refused_where_the_test_is_written():
    with pytest.raises(ValueError, match="unknown diagnosis code"):
        checks.Mistake("no_such_code", lambda x: x)
    assert _exercise.entry("bias_missing").section.startswith("01")


def test_warnings_raised_by_the_answer_are_all_recorded_and_shown(capsys):
    def naive_sigmoid(z):
        return 1 / (1 + np.exp(-z))

    with checks.exercise("ex_warn") as ex:
        z = np.array([-1000.0, 0.0, 1000.0], dtype="float32")
        for _ in range(2):  # Python's default filter would show the second one no more
            ex.call(naive_sigmoid, z)
            assert ex.last_outcome.warnings == ("RuntimeWarning: overflow encountered in exp",)
        ex.call(lambda z: z * 2, z)
        assert ex.last_outcome.warnings == ()
    assert capsys.readouterr().err.count("overflow encountered in exp") == 2
