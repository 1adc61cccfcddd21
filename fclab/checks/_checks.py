"""The value checks test cells call. Each one emits a record, then passes or raises AssertionError."""

import dataclasses

import numpy as np

from fclab.checks import _records
from fclab.checks._compare import close_mask, describe, difference_report, shape_text
from fclab.checks._diagnose import from_arrays, from_candidates, from_shapes
from fclab.checks._exercise import format_failure

BIG = 64  # an array with more entries than this gets no "recompute this entry by hand" advice


def _raise(message, cause=None):
    """Raise the check's AssertionError, chained from ``cause`` when there is one.

    A separate frame on purpose: IPython and pytest hide frames that set ``__tracebackhide__`` except the
    last one, so a student's traceback shows their own line and then only this short one.
    """
    if cause is None:
        raise AssertionError(message)
    raise AssertionError(message) from cause


@dataclasses.dataclass
class Comparison:
    """The outcome of comparing one result with the expected one."""

    passed: bool
    lines: list
    got_record: dict
    diagnoses: list = dataclasses.field(default_factory=list)  # [(code, sentence or None)]
    next_step: str = None

    @property
    def codes(self):
        return [code for code, _ in self.diagnoses]

    def message(self, title):
        return format_failure(title, self.lines, self.codes, self.next_step,
                              {code: says for code, says in self.diagnoses if says})


def as_numeric(got):
    """``got`` as a numeric ndarray, or (None, reason) when it cannot be one."""
    if got is None:
        return None, "got None: the function returned nothing. Did it end with `return <result>`?"
    try:
        array = np.asarray(got)
    except (TypeError, ValueError) as exc:  # ragged lists and the like
        return None, f"got {describe(got)}, which is not an array of numbers ({exc})."
    if array.dtype.kind not in "biuf":
        return None, (f"got {describe(got)} (dtype {array.dtype}), which is not an array of numbers: return "
                      "a numpy array (or a list of numbers).")
    return array, None


def normalise_candidates(mistakes):
    """``[(code, array, says)]`` from a dict ``{code: array}`` or a list of ``(code, array[, says])``."""
    if not mistakes:
        return []
    items = mistakes.items() if isinstance(mistakes, dict) else mistakes
    out = []
    for item in items:
        code, candidate, *rest = item
        out.append((code, candidate, rest[0] if rest else None))
    return out


def compare(got, expected, rtol, atol, candidates=()):
    """Compare ``got`` with ``expected`` like check_close -> :class:`Comparison`.

    ``candidates``: ``[(code, wrong_output, sentence or None)]`` recomputed wrong answers, or a function
    returning that list (called only when the result is wrong: candidates can be costly).
    """
    expected = np.asarray(expected)
    array, problem = as_numeric(got)
    if array is None:
        code = "returned_none" if got is None else "not_numeric"
        return Comparison(False, [problem], _records.encode(describe(got)), [(code, None)],
                          "return a numpy array with the expected shape.")
    lines = [f"got      {describe(array)}", f"expected {describe(expected)}"]
    if array.shape != expected.shape:
        lines.insert(0, f"shape {shape_text(array.shape)} but expected {shape_text(expected.shape)}; "
                        "values are compared only when the shapes agree (no broadcasting).")
        found = from_candidates(array, expected, _listed(candidates), rtol, atol) or from_shapes(array.shape,
                                                                                               expected.shape)
        return Comparison(False, lines, _records.encode_array(array), found,
                          "print the shapes of your intermediate arrays and find where the axes first go wrong.")
    ok = close_mask(array, expected, rtol, atol)
    if ok.all():
        return Comparison(True, lines, _records.encode_array(array))
    lines += difference_report(array, expected, rtol, atol, ok)
    with np.errstate(all="ignore"):
        found = from_candidates(array, expected, _listed(candidates), rtol, atol)
        facts = from_arrays(array, expected, rtol, atol, array.dtype, expected.dtype)
    if found:  # a candidate names the cause; keep only the dtype fact beside it
        found += [f for f in facts if f[0] == "integer_dtype"]
    else:
        found = facts
    step = None
    if not found and expected.size <= BIG and expected.ndim:
        first_bad = np.unravel_index(int(np.argmin(ok.reshape(-1))), expected.shape)
        step = (f"recompute the entry at {shape_text(first_bad)} by hand from the inputs and compare it with "
                "both numbers above.")
    elif not found:
        step = ("print a small part of your result next to the expected one and look for a pattern: which "
                "rows or columns differ, by how much.")
    return Comparison(False, lines, _records.encode_array(array), found, step)


def _listed(candidates):
    return list(candidates() if callable(candidates) else candidates or ())


def check_shape(got, expected_shape, name="output"):
    """Check that ``got`` (an array, tensor or anything with ``.shape``) has ``expected_shape``.

    Args:
        got: array-like or object with a ``shape`` attribute (numpy, TensorFlow, Keras tensors).
        expected_shape: tuple of ints; ``None`` matches any length on that axis (e.g. ``(None, 10)``).
        name: what is checked (static text), for the message and the record.

    Raises:
        AssertionError: naming both shapes, with a diagnosis (transposed, extra axis of length 1, ...).
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    raw = getattr(got, "shape", None)
    try:
        got_shape = tuple(np.shape(got)) if raw is None else tuple(None if d is None else int(d) for d in raw)
    except (TypeError, ValueError):
        got_shape = ("?",)
    expected_shape = tuple(None if d is None else int(d) for d in expected_shape)
    passed = len(got_shape) == len(expected_shape) and all(
        e is None or g == e for g, e in zip(got_shape, expected_shape))
    found = [] if passed else from_shapes(got_shape, expected_shape)
    _records.emit(_records.make_record("check_shape", name, passed, _records.encode(got_shape),
                                       _records.encode(expected_shape), diagnoses=[c for c, _ in found]))
    if not passed:
        _raise(format_failure(
            f"check_shape {name!r}: got shape {shape_text(got_shape)}, expected {shape_text(expected_shape)} "
            "(None matches any length).", [f"got: {describe(got)}"], [c for c, _ in found],
            "print the shape after each step of your computation (X @ W has shape (batch, units)).",
            {c: s for c, s in found if s}))


def check_close(got, expected, rtol=1e-5, atol=1e-6, name="output", mistakes=None, context=None):
    """Check that ``got`` equals ``expected`` elementwise within ``atol + rtol * |expected|``.

    Shapes must be equal (no broadcasting); dtypes may differ (both are shown).

    Args:
        got: the student's array (or anything ``np.asarray`` turns into numbers).
        expected: the reference array.
        rtol, atol: relative and absolute tolerance.
        name: what is checked (static text), for the message and the record.
        mistakes: ``{code: wrong_output}`` (or ``[(code, wrong_output, sentence)]``): recomputed wrong
            answers; the one ``got`` equals names the cause.
        context: ``{"x": X (batch, in), "kernel": W (in, units), "bias": b (units,)}`` of a dense layer:
            adds the dense-layer mistakes (bias missing, kernel transposed, ...) as candidates.

    Raises:
        AssertionError: got vs expected (shapes, dtypes, largest error and where, first differing index,
            a few entries side by side, the tolerance) and a diagnosis where one fits.
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    candidates = normalise_candidates(mistakes) + dense_candidates(context, expected)
    result = compare(got, expected, rtol, atol, candidates)
    _records.emit(_records.make_record("check_close", name, result.passed, result.got_record,
                                       _records.encode_array(np.asarray(expected)), rtol, atol,
                                       diagnoses=result.codes))
    if not result.passed:
        _raise(result.message(f"check_close {name!r}: got differs from expected."))


def dense_candidates(context, expected):
    """Dense-layer mistake candidates from a ``{"x", "kernel", "bias"}`` context (activation guessed)."""
    if not context or "x" not in context or "kernel" not in context:
        return []
    from fclab.checks.mistakes import _activations, dense_forward

    try:
        x = np.asarray(context["x"], dtype=np.float64)
        kernel = np.asarray(context["kernel"], dtype=np.float64)
        bias = np.zeros(kernel.shape[-1]) if context.get("bias") is None else np.asarray(context["bias"], np.float64)
        z = x @ kernel + bias
    except (TypeError, ValueError):
        return []
    from fclab.checks._diagnose import matches

    activation = next((n for n, f in _activations().items() if n != "linear" and matches(expected, f(z))), None)
    out = []
    for mistake in dense_forward(activation=activation):
        try:
            out.append((mistake.code, mistake.compute(x, kernel, bias), mistake.says))
        except (ValueError, TypeError):
            continue
    return out


def _equal(got, expected):
    if isinstance(got, np.ndarray) or isinstance(expected, np.ndarray):
        g, e = np.asarray(got), np.asarray(expected)
        if g.shape != e.shape:
            return False
        both_float = g.dtype.kind == "f" and e.dtype.kind == "f"
        return bool(np.array_equal(g, e, equal_nan=both_float))
    if isinstance(got, (tuple, list)) and isinstance(expected, (tuple, list)):
        return len(got) == len(expected) and all(_equal(g, e) for g, e in zip(got, expected))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(_equal(got[k], expected[k]) for k in got)
    result = got == expected
    if not isinstance(result, (bool, np.bool_)):
        raise TypeError(f"comparing {describe(got)} with == gave {type(result).__name__}, not True or False")
    return bool(result)


def check_equal(got, expected, name="value", mistakes=None):
    """Check exact equality (ints, strings, tuples, dicts, small arrays; a tuple equals a list with the same
    items).

    Args:
        mistakes: ``{code: wrong_value}``: a wrong value the answer may have (e.g. the parameter count
            without biases); when ``got`` equals one, its diagnosis fires.

    Raises:
        AssertionError: showing both values (and shapes for arrays).
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    if isinstance(got, np.ndarray) or isinstance(expected, np.ndarray):
        got_cmp, expected_cmp = np.asarray(got), np.asarray(expected)
    else:
        got_cmp, expected_cmp = got, expected
    try:
        passed = _equal(got_cmp, expected_cmp)
    except (TypeError, ValueError) as exc:
        passed, error = False, exc
    else:
        error = None
    found = []
    if not passed:
        for code, wrong, *says in normalise_candidates(mistakes):
            try:
                hit = _equal(got_cmp, wrong) and not _equal(expected_cmp, wrong)
            except (TypeError, ValueError):
                hit = False
            if hit:
                found.append((code, says[0] if says else None))
        if not found and isinstance(got_cmp, np.ndarray) and got_cmp.shape != np.shape(expected_cmp):
            found = from_shapes(got_cmp.shape, np.shape(expected_cmp))
    _records.emit(_records.make_record("check_equal", name, passed, _records.encode(got_cmp),
                                       _records.encode(expected_cmp), diagnoses=[c for c, _ in found]))
    if passed:
        return
    lines = [f"got      {describe(got)}: {_short(got)}", f"expected {describe(expected)}: {_short(expected)}"]
    if isinstance(got_cmp, np.ndarray) and isinstance(expected_cmp, np.ndarray) and got_cmp.shape == expected_cmp.shape \
            and got_cmp.size:
        bad = np.flatnonzero(got_cmp.reshape(-1) != expected_cmp.reshape(-1))
        if bad.size:
            i = int(bad[0])
            lines.append(f"{bad.size} of {got_cmp.size} entries differ; first at index "
                         f"{shape_text(np.unravel_index(i, got_cmp.shape))}: got {got_cmp.reshape(-1)[i]!r}, "
                         f"expected {expected_cmp.reshape(-1)[i]!r}.")
    message = format_failure(f"check_equal {name!r}: got {_short(got)}, expected {_short(expected)}.", lines,
                             [c for c, _ in found], "compare the two values above; the check is exact (no "
                             "tolerance).", {c: s for c, s in found if s})
    _raise(message, error)


def _short(value):
    text = np.array2string(value, threshold=20) if isinstance(value, np.ndarray) else repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def check_true(condition, message, code=None, says=None):
    """Check a fact (``loss_after < loss_before``); ``message`` (static text) says what was expected to hold.

    Args:
        code: a diagnosis code that fires when the condition is false (only when it is the likely cause).
        says: the sentence for that code, when the catalogue's does not fit.

    Raises:
        AssertionError: with ``message``.
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    codes = [code] if code else []
    try:
        passed = bool(condition)
    except ValueError as exc:  # an array with several entries
        _records.emit(_records.make_record("check_true", message, False, _records.encode_error(exc),
                                           _records.encode(True)))
        _raise(f"check_true: the condition is {describe(condition)}, which is neither true nor false. Reduce it "
               f"with .all() or .any(). Expected: {message}", exc)
    _records.emit(_records.make_record("check_true", message, passed, _records.encode(passed),
                                       _records.encode(True), diagnoses=[] if passed else codes))
    if not passed:
        _raise(format_failure(f"check_true failed: expected {message}.", [], codes, None,
                              {code: says} if code and says else None))
