"""``checks.exercise(...)``: the block every test cell runs in (fresh inputs, a seed, the call watch).

>>> with checks.exercise("ex3_dense_forward", forbid=["fclab.reference.dense"]) as ex:   # doctest: +SKIP
...     X = ex.normal((5, 3))
...     checks.check_function(dense_forward, ref.dense, [(X, ex.normal((3, 4)), ex.normal(4))])

Inside the block:

- ``ex.rng`` is a ``numpy.random.Generator`` seeded with ``ex.seed`` (fresh on every run in the lab,
  pinned with :func:`fclab.checks.seed`, fixed per student in grading); ``ex.normal``, ``ex.uniform``,
  ``ex.integers`` draw float32/int arrays from it;
- every check's record carries the exercise id, the seed and ``hidden``;
- ``ex.call(fn, *args)`` (and ``check_function``) call the answer under watch: a forbidden call, an input
  modified in place, or an exception raised inside the answer fails the test with a message that says so;
- a failing check's message ends with the exercise, the seed (how to replay it) and how to get a hint.
"""

import dataclasses
import time

import numpy as np

from fclab.checks import _records
from fclab.checks._calls import CallOutcome, call_watched
from fclab.checks._catalogue import entry
from fclab.checks._forbid import scan
from fclab.checks._runtime import get_runtime

_stack = []
_hints = {}  # exercise id -> [hint, ...] (registered by the visible part of a test cell)
_revealed = {}  # exercise id -> how many hints were shown
_latest = {}  # exercise id -> the Exercise of its latest visible run (the score card reads it)


def latest_runs():
    """``{exercise id: Exercise}`` of the latest visible run of each exercise in this session."""
    return dict(_latest)


def active_exercise():
    """The innermost :class:`Exercise` block being run, or None."""
    return _stack[-1] if _stack else None


class Exercise:
    """One exercise's test block (use :func:`exercise`).

    Attributes:
        exercise_id: the grade_id of the exercise's solution cell.
        forbid: dotted names the answer may not call.
        hidden: True for the hidden part of a test cell.
        seed: the seed of this run's inputs; ``rng`` the generator seeded with it.
        watch_inputs: fail an answer that modifies an array argument in place.
    """

    def __init__(self, exercise_id, forbid=(), hints=(), hidden=False, seed=None, watch_inputs=True):
        if not isinstance(exercise_id, str) or not exercise_id:
            raise ValueError(f"checks.exercise: the exercise id must be the solution cell's grade_id, got "
                             f"{exercise_id!r}")
        self.exercise_id = exercise_id
        self.forbid = tuple(forbid)
        self.hidden = bool(hidden)
        self.watch_inputs = bool(watch_inputs)
        self.hints = tuple(hints)
        self._fixed_seed = seed
        self.seed = None
        self.rng = None
        self._scanned = {}
        self.records = []  # the records its checks emitted
        self.last_outcome = None  # the CallOutcome of the latest call of an answer (warnings, stdout, ...)
        self.failed = ""  # the first line of an error that ended the block, if not a check's

    # -- the block ---------------------------------------------------------------------------------------
    def __enter__(self):
        runtime = get_runtime()
        self.seed = int(self._fixed_seed) if self._fixed_seed is not None else int(runtime.seed_for(self.exercise_id))
        self.rng = np.random.default_rng(self.seed)
        if self.hints:
            _hints[self.exercise_id] = list(self.hints)
        _stack.append(self)
        self.started_at = time.time()  # the in-lab clean run compares it with the saved file's time
        if not self.hidden:
            _latest[self.exercise_id] = self
        return self

    def __exit__(self, exc_type, exc, tb):
        _stack.remove(self)
        if exc is not None and not isinstance(exc, AssertionError):
            self.failed = f"{exc_type.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
        if isinstance(exc, AssertionError):
            text = str(exc.args[0]) if exc.args else ""
            exc.args = (text + "\n" + self.footer(),) + tuple(exc.args[1:])
        return False

    def footer(self):
        """The last lines of a failure: exercise, seed and how to replay it, how to get a hint."""
        part = "hidden tests of " if self.hidden else ""
        lines = [f"({part}exercise {self.exercise_id}, inputs drawn with seed {self.seed})"]
        if not get_runtime().grading and not self.hidden:
            lines.append(f"To run this test again on the same inputs: run `checks.seed({self.seed})`, then this "
                         "cell (`checks.seed(None)` goes back to fresh inputs).")
        if _hints.get(self.exercise_id) and not get_runtime().grading:
            shown = _revealed.get(self.exercise_id, 0)
            total = len(_hints[self.exercise_id])
            if shown < total:
                lines.append(f"Stuck? `checks.hint({self.exercise_id!r})` shows hint {shown + 1} of {total}.")
        return "\n".join(lines)

    # -- inputs ------------------------------------------------------------------------------------------
    def normal(self, shape, dtype="float32", scale=1.0):
        """Standard normal draws times ``scale``, as ``dtype`` (an array, or a number for ``shape=()``)."""
        return (self.rng.standard_normal(shape) * scale).astype(dtype)

    def uniform(self, shape, low=-1.0, high=1.0, dtype="float32"):
        """Uniform draws in [low, high)."""
        return self.rng.uniform(low, high, size=shape).astype(dtype)

    def integers(self, low, high, shape=None, dtype="int64"):
        """Integers in [low, high) (a Python int when ``shape`` is None)."""
        if shape is None:
            return int(self.rng.integers(low, high))
        return self.rng.integers(low, high, size=shape).astype(dtype)

    def choice(self, options):
        """One of ``options``, drawn from the exercise's generator."""
        return options[int(self.rng.integers(0, len(options)))]

    # -- calling the answer ------------------------------------------------------------------------------
    def call(self, fn, *args, **kwargs):
        """Call the answer ``fn`` under watch; return its value or fail the test (AssertionError).

        Arrays in the arguments are copied first, so the test's own data is never changed by the answer.
        """
        __tracebackhide__ = True
        outcome = self.outcome(fn, copy_arguments(args), copy_arguments(kwargs))
        return self.verdict(fn, outcome)

    def outcome(self, fn, args, kwargs):
        """The raw :class:`CallOutcome` (no verdict): through the grader's proxy, or here."""
        remote = getattr(type(fn), "__fclab_call__", None)
        if remote is not None:
            outcome = fn.__fclab_call__(args, kwargs, self.forbid, self.watch_inputs)
        else:
            outcome = call_watched(fn, args, kwargs, self.forbid, self.watch_inputs)
        if not isinstance(outcome, CallOutcome):
            raise TypeError(f"the call of {describe_fn(fn)} gave {type(outcome).__name__}, not a CallOutcome")
        self.last_outcome = outcome
        return outcome

    def static_findings(self, fn):
        """Forbidden references in the answer's source and in the cells of the helpers it uses (cached per
        function); a helper's finding says which name's cell it is in."""
        if not self.forbid:
            return []
        key = id(fn)
        if key not in self._scanned:
            runtime = get_runtime()
            namespace = runtime.namespace(fn) or {}
            found = list(scan(runtime.answer_source(fn), namespace, self.forbid))
            for helper, source in runtime.helper_sources(fn):
                found += [dataclasses.replace(f, text=f"{f.text}   (in the cell that defines {helper})")
                          for f in scan(source, namespace, self.forbid)]
            self._scanned[key] = found
        return self._scanned[key]

    def verdict(self, fn, outcome, where=""):
        """``outcome.value``, or raise the AssertionError that describes what went wrong (and record it)."""
        __tracebackhide__ = True
        name = describe_fn(fn)
        findings = self.static_findings(fn)
        problem, codes = None, []
        if outcome.forbidden or findings:
            called = list(outcome.forbidden) or [f.target for f in findings]
            lines = [f"{name} calls {', '.join(called)}, which this exercise asks you to implement yourself."]
            lines += [f"  line {f.line} of your code: {f.text}" for f in findings]
            problem, codes = "\n".join(lines), ["forbidden_call"]
        elif outcome.error is not None:
            error = outcome.error
            if error.type_name == "NotImplementedError":
                problem, codes = f"{name} is not answered yet (it raised NotImplementedError).", ["not_answered"]
            else:
                lines = [f"{name} raised {error.line}"]
                if error.explanation:
                    lines.append(error.explanation)
                    codes = ["shape_error"]
                else:
                    codes = ["raised_exception"]
                if error.traceback_text:
                    lines.append("Where, in your code:\n" + _indent(_answer_frames(error.traceback_text)))
                problem = "\n".join(lines)
        elif outcome.mutated:
            problem = (f"{name} modified its argument(s) {', '.join(outcome.mutated)} in place; the caller's data "
                       "must stay as it was.")
            codes = ["input_modified_in_place"]
        if problem is None:
            return outcome.value
        title = problem if not where else f"{problem}\n(called on {where})"
        _records.emit(_records.make_record("call", name, False, {"error": problem[:_records.MAX_TEXT]},
                                           {"value": None}, diagnoses=codes))
        raise AssertionError(format_failure(title, [], codes, None))


def _answer_frames(text):
    """The traceback's last lines (the answer's own frames: the checks' frame is already dropped)."""
    lines = [line for line in text.splitlines() if line.strip() != "Traceback (most recent call last):"]
    return "\n".join(lines[-12:])


def _indent(text):
    return "\n".join("    " + line for line in text.splitlines())


def describe_fn(fn):
    """``dense_forward(...)`` for a function, its repr otherwise."""
    name = getattr(fn, "__name__", None)
    return f"{name}(...)" if name else repr(fn)[:60]


def copy_arguments(value):
    """A copy of the arrays in ``value`` (also inside lists, tuples and dicts); other objects as they are."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # namedtuple
        return type(value)(*(copy_arguments(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(copy_arguments(v) for v in value)
    if isinstance(value, dict):
        return {k: copy_arguments(v) for k, v in value.items()}
    return value


def format_failure(title, lines, codes, next_step, sentences=None):
    """The text of a failing check: title, details, ``Diagnosis:`` lines, ``What to do next:``."""
    text = [title] + ["  " + line for line in lines]
    sentences = dict(sentences or {})
    for code in codes:
        text.append(f"Diagnosis [{code}]: {sentences.get(code) or entry(code).sentence}")
    if next_step:
        text.append("What to do next: " + next_step)
    return "\n".join(text)


def call_answer(fn, args, kwargs, where=""):
    """Call an answer with copied arguments under the active exercise's watch (or a plain watch outside one).

    Returns ``(value, args_copy, kwargs_copy)``; raises the AssertionError of :meth:`Exercise.verdict`.
    """
    __tracebackhide__ = True
    ex = active_exercise() or OUTSIDE_EXERCISE
    args, kwargs = copy_arguments(tuple(args)), copy_arguments(dict(kwargs))
    outcome = ex.outcome(fn, args, kwargs)
    return ex.verdict(fn, outcome, where)


OUTSIDE_EXERCISE = Exercise("(outside an exercise block)")  # watches inputs, forbids nothing


def exercise(exercise_id, forbid=(), hints=(), hidden=False, seed=None, watch_inputs=True):
    """The block a test cell runs in; see the module docstring. Returns an :class:`Exercise`."""
    return Exercise(exercise_id, forbid=forbid, hints=hints, hidden=hidden, seed=seed, watch_inputs=watch_inputs)


def hint(exercise_id):
    """Show the next hint of ``exercise_id`` (run its test cell once first; hints are in it)."""
    hints = _hints.get(exercise_id)
    if not hints:
        known = ", ".join(sorted(_hints)) or "none yet"
        print(f"No hints for {exercise_id!r} in this session: run its test cell first (exercises with hints "
              f"so far: {known}).")
        return None
    shown = min(_revealed.get(exercise_id, 0) + 1, len(hints))
    _revealed[exercise_id] = shown
    for i in range(shown):
        print(f"Hint {i + 1} of {len(hints)} for {exercise_id}: {hints[i]}")
    if shown == len(hints):
        print("(that was the last hint)")
    return hints[shown - 1]
