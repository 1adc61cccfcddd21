"""Calling a student's function under watch: forbidden calls, inputs modified in place, what it printed.

:func:`call_watched` runs the function in *this* process and returns a :class:`CallOutcome` (plain data:
the autograder's sandbox agent runs the same function and sends the outcome back as JSON). It never
raises for the answer's own faults; the caller (:meth:`fclab.checks.Exercise.call`) turns the outcome
into a verdict.

Forbidden calls are seen by a profiler (``sys.setprofile``) that is active only while the answer runs and
only when something is forbidden: it matches the *code objects* of the forbidden Python functions (and
of the methods a forbidden class defines) and the identity of forbidden builtins, so an alias
(``f = ref.dense``), a ``getattr(ref, "de" + "nse")`` or a call from a helper the answer wrote are all
seen. The static scan of the answer's source is :mod:`fclab.checks._forbid`.
"""

import contextlib
import dataclasses
import importlib
import inspect
import io
import sys
import traceback
import warnings

import numpy as np

MAX_STDOUT = 20_000
MAX_TRACEBACK = 4_000


@dataclasses.dataclass(frozen=True)
class ErrorInfo:
    """An exception raised by an answer, as plain text.

    Attributes:
        type_name: ``"ValueError"``.
        message: ``str(exc)``.
        traceback_text: the answer's frames (formatted), clipped.
        explanation: :func:`fclab.explain.explain`'s paragraph for a shape error, else None.
    """

    type_name: str
    message: str
    traceback_text: str = ""
    explanation: str = None

    @classmethod
    def from_exception(cls, exc):
        from fclab.explain import explain

        tb = exc.__traceback__
        tb = tb.tb_next if tb is not None and tb.tb_next is not None else tb  # drop call_watched's own frame
        text = "".join(traceback.format_exception(type(exc), exc, tb))
        try:
            explanation = explain(exc)
        except Exception:  # an explanation is a bonus; never let it hide the real error
            explanation = None
        return cls(type(exc).__name__, str(exc), text[-MAX_TRACEBACK:], explanation)

    @property
    def line(self):
        return f"{self.type_name}: {self.message}" if self.message else self.type_name


@dataclasses.dataclass(frozen=True)
class CallOutcome:
    """What happened when an answer was called.

    Attributes:
        value: what it returned (None when it raised).
        error: :class:`ErrorInfo` when it raised, else None.
        forbidden: dotted names of forbidden callables it called (in order of first call).
        mutated: names (or ``"argument 0"``) of array arguments it modified in place.
        stdout: what it printed (already shown as it ran, in the lab).
        warnings: the warnings it raised (``"RuntimeWarning: overflow encountered in exp"``), every one of
            them (not only the first per line, as Python's default filter would), numpy's floating-point
            errors included; they are also written to stderr as they would be without the watch.
    """

    value: object = None
    error: ErrorInfo = None
    forbidden: tuple = ()
    mutated: tuple = ()
    stdout: str = ""
    warnings: tuple = ()


def resolve(dotted):
    """The object a dotted path names (``"fclab.reference.dense"``); raises ValueError when it names none."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            break
        return obj
    raise ValueError(f"forbid: {dotted!r} names nothing importable; use a dotted path such as "
                     f"'fclab.reference.dense'")


def _code_objects(obj):
    """Code objects that running ``obj`` enters (a function's, or the methods a class defines itself)."""
    obj = inspect.unwrap(obj) if callable(obj) else obj
    code = getattr(getattr(obj, "__func__", obj), "__code__", None)
    if code is not None:
        return {code}
    if isinstance(obj, type):
        found = set()
        for value in vars(obj).values():
            value = getattr(value, "__func__", value)
            if hasattr(value, "__code__"):
                found.add(value.__code__)
        return found
    return set()


def forbidden_targets(forbid):
    """``(codes, builtins)``: ``{code object: dotted}`` and ``{id(builtin): dotted}`` for a forbid list."""
    codes, builtins = {}, {}
    for dotted in forbid:
        obj = resolve(dotted)
        found = _code_objects(obj)
        for code in found:
            codes.setdefault(code, dotted)
        if not found:
            builtins[id(obj)] = dotted
    return codes, builtins


class _Tee(io.TextIOBase):
    """Write to the real stream and keep a copy (up to ``MAX_STDOUT`` characters)."""

    def __init__(self, stream):
        self.stream, self.parts, self.size = stream, [], 0

    def write(self, text):
        if self.size < MAX_STDOUT:
            self.parts.append(text[: MAX_STDOUT - self.size])
            self.size += len(self.parts[-1])
        return self.stream.write(text) if self.stream is not None else len(text)

    def flush(self):
        if self.stream is not None:
            self.stream.flush()

    def text(self):
        return "".join(self.parts)


def _arrays(args, kwargs, names):
    """``[(label, array)]`` of the ndarray arguments (also inside lists, tuples and dicts)."""
    found = []

    def walk(label, value, depth=0):
        if isinstance(value, np.ndarray):
            found.append((label, value))
        elif depth < 3 and isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                walk(f"{label}[{i}]", item, depth + 1)
        elif depth < 3 and isinstance(value, dict):
            for key, item in value.items():
                walk(f"{label}[{key!r}]", item, depth + 1)

    for i, value in enumerate(args):
        walk(names[i] if i < len(names) else f"argument {i}", value)
    for key, value in kwargs.items():
        walk(key, value)
    return found


def _parameter_names(fn):
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return []


def call_watched(fn, args=(), kwargs=None, forbid=(), watch_inputs=True):
    """Call ``fn(*args, **kwargs)`` here, watching it; returns a :class:`CallOutcome` (never raises for it).

    Args:
        fn: the answer.
        args, kwargs: its arguments (passed as they are: copy them first if the caller needs them intact).
        forbid: dotted names the answer may not call (see module docstring).
        watch_inputs: report array arguments the answer modified in place.
    """
    kwargs = dict(kwargs or {})
    watched = _arrays(args, kwargs, _parameter_names(fn)) if watch_inputs else []
    before = [(label, array, array.copy()) for label, array in watched]
    codes, builtins = forbidden_targets(forbid) if forbid else ({}, {})
    seen = []

    def profiler(frame, event, arg):
        if event == "call":
            name = codes.get(frame.f_code)
        elif event == "c_call":
            name = builtins.get(id(arg))
        else:
            return
        if name is not None and name not in seen:
            seen.append(name)

    tee = _Tee(sys.stdout)
    value, error = None, None
    previous = sys.getprofile()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(tee), np.errstate(over="warn", divide="warn", invalid="warn"):
                if codes or builtins:
                    sys.setprofile(profiler)
                try:
                    value = fn(*args, **kwargs)
                finally:
                    if codes or builtins:
                        sys.setprofile(previous)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # the answer's own fault, reported as data
            error = ErrorInfo.from_exception(exc)
    raised = tuple(f"{w.category.__name__}: {w.message}" for w in caught)
    for line in dict.fromkeys(raised):  # shown as Python would show them (once per text)
        print(line, file=sys.stderr)
    mutated = tuple(label for label, array, copy in before
                    if array.shape != copy.shape or not np.array_equal(array, copy, equal_nan=array.dtype.kind in "fc"))
    return CallOutcome(value=value, error=error, forbidden=tuple(seen), mutated=mutated, stdout=tee.text(),
                       warnings=raised)
