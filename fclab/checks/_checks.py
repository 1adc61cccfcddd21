"""The checks test cells call. Each one emits a record, then passes or raises AssertionError."""

import numpy as np

from fclab.checks import _records
from fclab.checks._compare import close_mask, describe, difference_report, shape_text
from fclab.checks._diagnose import diagnose, diagnose_shapes

_CONTEXT_NAMES = {
    "x": "x", "X": "x", "inputs": "x", "input": "x", "h": "x",
    "kernel": "kernel", "W": "kernel", "w": "kernel", "weights": "kernel",
    "bias": "bias", "b": "bias",
}


def _raise(message, cause=None):
    """Raise the check's AssertionError, chained from ``cause`` when there is one.

    A separate frame on purpose: IPython and pytest hide frames that set ``__tracebackhide__`` except the
    last one, so a student's traceback shows their own line and then only this short one.
    """
    if cause is None:
        raise AssertionError(message)
    raise AssertionError(message) from cause


def _message(title, lines, diagnoses=(), next_step=None):
    """Build the AssertionError text: title, indented details, diagnosis, what to do next."""
    text = [title] + ["  " + line for line in lines]
    for d in diagnoses:
        text.append("Diagnosis: " + d)
    if next_step:
        text.append("What to do next: " + next_step)
    return "\n".join(text)


def _as_numeric(got):
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


def _compare(got, expected, rtol, atol, context=None):
    """Core of check_close: (passed, message lines, what to record as got, diagnoses, next step)."""
    expected = np.asarray(expected)
    array, problem = _as_numeric(got)
    if array is None:
        return False, [problem], _records.encode(describe(got)), [], \
            "return a numpy array with the expected shape."
    lines = [f"got      {describe(array)}", f"expected {describe(expected)}"]
    if array.shape != expected.shape:
        lines.insert(0, f"shape {shape_text(array.shape)} but expected {shape_text(expected.shape)}; "
                        "values are compared only when the shapes agree (no broadcasting).")
        return False, lines, _records.encode_array(array), diagnose_shapes(array.shape, expected.shape), \
            "print the shapes of your intermediate arrays and find where the axes first go wrong."
    ok = close_mask(array, expected, rtol, atol)
    if ok.all():
        return True, lines, _records.encode_array(array), [], None
    lines += difference_report(array, expected, rtol, atol, ok)
    if array.dtype.kind in "iub" and expected.dtype.kind == "f":
        lines.append(f"got has integer dtype {array.dtype}: fractions were lost; compute in float32.")
    found = diagnose(array, expected, rtol, atol, context)
    first_bad = np.unravel_index(int(np.argmin(ok.reshape(-1))), expected.shape) if expected.ndim else ()
    step = None if found else (f"recompute the entry at {shape_text(first_bad)} by hand from the inputs and "
                               "compare it with both numbers above.")
    return False, lines, _records.encode_array(array), found, step


def check_shape(got, expected_shape, name="output"):
    """Check that ``got`` (an array, tensor or anything with ``.shape``) has ``expected_shape``.

    Args:
        got: array-like or object with a ``shape`` attribute (numpy, TensorFlow, Keras tensors).
        expected_shape: tuple of ints; ``None`` matches any length on that axis (e.g. ``(None, 10)``).
        name: what is checked, for the message and the record.

    Raises:
        AssertionError: naming both shapes, with a diagnosis (transposed, extra axis of length 1, ...).
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    raw = getattr(got, "shape", None)
    got_shape = tuple(np.shape(got)) if raw is None else tuple(None if d is None else int(d) for d in raw)
    expected_shape = tuple(None if d is None else int(d) for d in expected_shape)
    passed = len(got_shape) == len(expected_shape) and all(
        e is None or g == e for g, e in zip(got_shape, expected_shape))
    _records.emit(_records.make_record("check_shape", name, passed, _records.encode(got_shape),
                                       _records.encode(expected_shape)))
    if not passed:
        _raise(_message(
            f"check_shape {name!r}: got shape {shape_text(got_shape)}, expected {shape_text(expected_shape)} "
            "(None matches any length).",
            [f"got: {describe(got)}"], diagnose_shapes(got_shape, expected_shape),
            "print the shape after each step of your computation (X @ W has shape (batch, units))."))


def check_close(got, expected, rtol=1e-5, atol=1e-6, name="output", context=None):
    """Check that ``got`` equals ``expected`` elementwise within ``atol + rtol * |expected|``.

    Shapes must be equal (no broadcasting); dtypes may differ (both are shown).

    Args:
        got: the student's array (or anything ``np.asarray`` turns into numbers).
        expected: the reference array.
        rtol, atol: relative and absolute tolerance.
        name: what is checked, for the message and the record.
        context: optional ``{"x": X (batch, in), "kernel": W (in, units), "bias": b (units,)}`` used to
            recognise common mistakes (bias missing, kernel transposed, relu missing, ...).

    Raises:
        AssertionError: got vs expected (shapes, dtypes, largest error and where, first differing index,
            a few entries side by side, the tolerance) and a diagnosis where one fits.
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    passed, lines, got_record, found, step = _compare(got, expected, rtol, atol, context)
    _records.emit(_records.make_record("check_close", name, passed, got_record,
                                       _records.encode_array(np.asarray(expected)), rtol, atol))
    if not passed:
        _raise(_message(f"check_close {name!r}: got differs from expected.", lines, found, step))


def _equal(got, expected):
    if isinstance(got, np.ndarray) or isinstance(expected, np.ndarray):
        g, e = np.asarray(got), np.asarray(expected)
        if g.shape != e.shape:
            return False
        both_float = g.dtype.kind == "f" and e.dtype.kind == "f"
        return bool(np.array_equal(g, e, equal_nan=both_float))
    if isinstance(got, (tuple, list)) and isinstance(expected, (tuple, list)):
        return len(got) == len(expected) and all(_equal(g, e) for g, e in zip(got, expected))
    return bool(got == expected)


def check_equal(got, expected, name="value"):
    """Check exact equality (ints, strings, tuples, small arrays; a tuple equals a list with the same items).

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
    _records.emit(_records.make_record("check_equal", name, passed, _records.encode(got_cmp),
                                       _records.encode(expected_cmp)))
    if passed:
        return
    lines = [f"got      {describe(got)}: {_short(got)}", f"expected {describe(expected)}: {_short(expected)}"]
    found = []
    if isinstance(got_cmp, np.ndarray) and got_cmp.shape != expected_cmp.shape:
        found = diagnose_shapes(got_cmp.shape, expected_cmp.shape)
    elif isinstance(got_cmp, np.ndarray) and got_cmp.size:
        bad = np.flatnonzero(got_cmp.reshape(-1) != expected_cmp.reshape(-1))
        if bad.size:
            i = int(bad[0])
            lines.append(f"{bad.size} of {got_cmp.size} entries differ; first at index "
                         f"{shape_text(np.unravel_index(i, got_cmp.shape))}: got {got_cmp.reshape(-1)[i]!r}, "
                         f"expected {expected_cmp.reshape(-1)[i]!r}.")
    message = _message(f"check_equal {name!r}: got {_short(got)}, expected {_short(expected)}.", lines, found,
                    "compare the two values above; the check is exact (no tolerance).")
    if error is not None:
        _raise(message, error)
    _raise(message)


def _short(value):
    text = np.array2string(value, threshold=20) if isinstance(value, np.ndarray) else repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def check_true(condition, message):
    """Check a fact (``loss_after < loss_before``); ``message`` says what was expected to hold.

    Raises:
        AssertionError: with ``message``.
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    try:
        passed = bool(condition)
    except ValueError as exc:  # an array with several entries
        _records.emit(_records.make_record("check_true", message, False, _records.encode_error(exc),
                                           _records.encode(True)))
        _raise(
            f"check_true: the condition is {describe(condition)}, which is neither true nor false. Reduce it "
            f"with .all() or .any(). Expected: {message}", exc)
    _records.emit(_records.make_record("check_true", message, passed, _records.encode(passed),
                                       _records.encode(True)))
    if not passed:
        _raise(f"check_true failed: expected {message}, but the condition was {condition!r}.")
