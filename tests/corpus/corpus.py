"""The wrong-answer corpus harness: every exercise's test cell against answers that must fail or pass.

A lesson's corpus (``tests/corpus/test_corpus_NN.py``) is a list of :class:`Answer`: the source that
replaces the exercise's solution cell, and either the exact set of diagnosis codes its failing *visible*
test must give (a wrong answer) or ``None`` (a correct answer, which must pass the visible test and the
hidden tests on every seed tried).

How it runs, fast: the lesson's source notebook (instructor solutions in) runs once per test process in a
plain namespace, top to bottom, test cells skipped; each answer then runs in a copy of that namespace (its
arrays copied), followed by the test cell — the released text for the visible test, the source text for
the hidden tests — with seeds fixed by a corpus runtime, so a result can be replayed. A correct answer must pass
the visible test on each of its seeds (20 by default) and the hidden tests (which re-run the visible part)
on every ``HIDDEN_EVERY``-th of them. Test cells run in the
same process as the answer here (that is how the lab runs them); the trusted-boundary grader is exercised
on a sample of the corpus by tests/autograder.
"""

import copy
import dataclasses
import functools
import os
import pathlib
import types

import nbformat
import numpy as np

from fclab.checks._runtime import Runtime

REPO = pathlib.Path(__file__).resolve().parents[2]
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
HIDDEN_EVERY = 4  # a correct answer runs the visible test on every seed, the hidden tests on every 4th

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@dataclasses.dataclass(frozen=True)
class Answer:
    """One answer of the corpus.

    Attributes:
        exercise: grade_id of the solution cell it replaces.
        source: the cell's new source.
        codes: for a wrong answer, the exact diagnosis codes its failing visible test gives (may be empty
            when no diagnosis fits); None for a correct answer.
        label: what the answer represents ("bias missing", "einsum style").
        seeds: how many seeds to try it on (correct answers: at least 20).
    """

    exercise: str
    source: str
    codes: frozenset = None
    label: str = ""
    seeds: int = None

    @property
    def correct(self):
        return self.codes is None

    def __str__(self):
        return f"{self.exercise}:{self.label or ('correct' if self.correct else 'wrong')}"


def wrong(exercise, label, source, *codes, seeds=3):
    """A wrong answer whose visible test must fail with exactly ``codes``."""
    return Answer(exercise, source, frozenset(codes), label, seeds)


def right(exercise, label, source, seeds=20):
    """A correct answer that must pass the visible and the hidden tests on ``seeds`` seeds."""
    return Answer(exercise, source, None, label, seeds)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a test cell did with one answer on one seed."""

    passed: bool
    codes: frozenset
    message: str


class _CorpusRuntime(Runtime):
    """A checks runtime with the seed fixed per run and records collected (no display)."""

    grading = False

    def __init__(self, seed):
        super().__init__()
        self.seed, self.records, self.pinned_seed = seed, [], None

    def seed_for(self, exercise_id):
        return self.seed

    def emit(self, record):
        self.records.append(record)


def _transform(source):
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _grade_id(cell):
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


def _is_test(cell):
    meta = cell.get("metadata", {}).get("nbgrader") or {}
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


class Lesson:
    """One lesson's notebooks and its base namespace (built once, lazily)."""

    def __init__(self, name):
        self.name = name
        self.source = nbformat.read(REPO / "source" / name / f"{name}.ipynb", as_version=4)
        self.release = nbformat.read(REPO / "release" / name / f"{name}.ipynb", as_version=4)
        self.visible = {_grade_id(c): c.source for c in self.release.cells if _is_test(c)}
        self.full = {_grade_id(c): c.source for c in self.source.cells if _is_test(c)}
        self._base = None

    def test_id(self, exercise):
        test_id = f"{exercise}_test"
        if test_id not in self.full:
            raise KeyError(f"{self.name} has no test cell {test_id!r} (test cells: {sorted(self.full)})")
        return test_id

    def base(self):
        """The namespace after running the source notebook with its solutions, test cells skipped."""
        if self._base is None:
            import matplotlib

            matplotlib.use("Agg")
            namespace = {"__name__": "__main__", "__builtins__": __builtins__}
            cwd = os.getcwd()
            os.chdir(REPO / "source" / self.name)
            try:
                for cell in self.source.cells:
                    if cell.cell_type == "code" and not _is_test(cell):
                        exec(compile(_transform(cell.source), f"<{self.name} cell {_grade_id(cell) or ''}>", "exec"),
                             namespace)
            finally:
                os.chdir(cwd)
                import matplotlib.pyplot as plt

                plt.close("all")
            self._base = namespace
        return self._base

    def fresh(self):
        """A copy of the base namespace whose arrays (and lists/dicts of arrays) are copies."""
        out = {}
        for key, value in self.base().items():
            if isinstance(value, np.ndarray):
                value = value.copy()
            elif isinstance(value, (list, dict)) and not isinstance(value, types.ModuleType):
                try:
                    value = copy.deepcopy(value)
                except Exception:  # noqa: BLE001 - objects that cannot be copied are shared
                    pass
            out[key] = value
        return out

    def run(self, answer, seed, hidden=False):
        """Run ``answer`` then its test cell (visible text, or the full text with hidden tests) on ``seed``."""
        from fclab import checks

        namespace = self.fresh()
        runtime = _CorpusRuntime(seed)
        previous = checks.set_runtime(runtime)
        try:
            try:
                exec(compile(_transform(answer.source), f"<answer {answer}>", "exec"), namespace)
            except NotImplementedError:
                pass
            text = self.full[self.test_id(answer.exercise)] if hidden else self.visible[self.test_id(answer.exercise)]
            try:
                exec(compile(_transform(text), f"<test {answer.exercise}>", "exec"), namespace)
            except AssertionError as exc:
                return Outcome(False, _failing_codes(runtime.records), str(exc))
            except Exception as exc:  # noqa: BLE001 - any other error fails the test cell too
                return Outcome(False, _failing_codes(runtime.records), f"{type(exc).__name__}: {exc}")
            return Outcome(True, frozenset(), "")
        finally:
            checks.set_runtime(previous)


def _failing_codes(records):
    return frozenset(code for r in records if not r.get("passed") for code in r.get("diagnoses", []))


@functools.lru_cache(maxsize=None)
def lesson(name):
    """The :class:`Lesson` ``name`` (one per test process)."""
    return Lesson(name)


def check(name, answer, first_seed=1000):
    """Assert the corpus rule for one answer (see module docstring); returns the outcomes."""
    lesson_ = lesson(name)
    seeds = answer.seeds or (20 if answer.correct else 3)
    outcomes = []
    for seed in range(first_seed, first_seed + seeds):
        visible = lesson_.run(answer, seed)
        outcomes.append(visible)
        if answer.correct:
            assert visible.passed, f"{answer} should pass the visible test (seed {seed}) but:\n{visible.message}"
            if (seed - first_seed) % HIDDEN_EVERY == 0:
                graded = lesson_.run(answer, seed, hidden=True)
                assert graded.passed, f"{answer} should pass the hidden tests (seed {seed}) but:\n{graded.message}"
        else:
            assert not visible.passed, f"{answer} should FAIL the visible test (seed {seed}) but passed"
            assert visible.codes == answer.codes, (
                f"{answer} (seed {seed}) gave diagnoses {sorted(visible.codes)}, expected {sorted(answer.codes)}:\n"
                f"{visible.message}")
    return outcomes


def exercises(name):
    """Solution grade_ids of a lesson (every one must have corpus answers)."""
    return [_grade_id(c) for c in lesson(name).source.cells
            if (c.get("metadata", {}).get("nbgrader") or {}).get("solution") and c.cell_type == "code"]


def assert_covers(name, answers, wrong_per_exercise=4, right_per_exercise=2):
    """Every exercise of the lesson has enough wrong and correct answers in ``answers``."""
    missing = []
    for exercise in exercises(name):
        n_wrong = sum(1 for a in answers if a.exercise == exercise and not a.correct)
        n_right = sum(1 for a in answers if a.exercise == exercise and a.correct)
        if n_wrong < wrong_per_exercise or n_right < right_per_exercise:
            missing.append(f"{exercise}: {n_wrong} wrong, {n_right} correct")
    assert not missing, (f"{name}: every exercise needs >= {wrong_per_exercise} wrong and >= {right_per_exercise} "
                         f"correct answers in its corpus; short: {missing}")
