"""records_match: re-deciding a student's check from its record against the instructor's trusted record.

Pure (numpy only, no IPython): the autograder calls it outside the student's kernel. A student's record
counts only when

1. it is the same check (``check`` kind, ``name``, and ``case`` for check_function; check_true's name is
   its message, compared with the numbers in it masked, since messages often show run-time values);
2. the test was not altered: the same tolerances (``rtol``, ``atol``, ``at_least``) and an ``expected`` equal
   to the trusted one (arrays within ``min(rtol, 1e-5)`` / ``min(atol, 1e-6)``, everything else exactly);
3. the check, recomputed from the student's ``got`` against the TRUSTED ``expected`` with the trusted
   tolerances, passes (sampled arrays: same shape, the sampled entries within tolerance, and sums within
   the bound that entrywise tolerance implies: ``n * atol + rtol * sum|expected|``);
4. the record says ``passed`` and the trusted record does too.
"""

import re

import numpy as np

from fclab.checks._compare import close_mask, index_text, num
from fclab.checks._records import RECORD_VERSION, sample_indices

EXPECTED_RTOL = 1e-5
EXPECTED_ATOL = 1e-6
FLOAT64_SLACK = 1e-8  # float64 values are written with 9 significant digits


class _Mismatch(Exception):
    pass


def _decode(values):
    """Record values (numbers and "nan"/"inf"/"-inf" strings) -> float64 array."""
    return np.array([float(v) for v in values], dtype=np.float64)


def _slack(a, b):
    return FLOAT64_SLACK if "float64" in (a.get("dtype"), b.get("dtype")) else 0.0


def _first_bad(got, expected, ok, shape, rtol, atol):
    i = int(np.flatnonzero(~ok)[0])
    return (f"got differs from expected at {index_text(i, shape)}: {num(got[i])} vs {num(expected[i])} "
            f"(rtol={rtol:g}, atol={atol:g}; {int((~ok).sum())} of {ok.size} compared entries differ)")


def _close_arrays(got, expected, rtol, atol, what="got"):
    """Raise _Mismatch unless encoded arrays ``got`` and ``expected`` agree within the tolerance."""
    if "error" in got:
        raise _Mismatch(f"the student's function raised instead of returning: {got['error']}")
    if "items" in expected:
        items = got.get("items")
        if items is None or len(items) != len(expected["items"]):
            raise _Mismatch(f"{what} is not a tuple of {len(expected['items'])} results")
        for k, (g, e) in enumerate(zip(items, expected["items"])):
            try:
                _close_arrays(g, e, rtol, atol, what)
            except _Mismatch as exc:
                raise _Mismatch(f"item {k}: {exc}") from None
        return
    if "shape" not in got:
        raise _Mismatch(f"{what} is not an array: {got.get('value')!r}")
    if got["shape"] != expected["shape"]:
        raise _Mismatch(f"{what} has shape {tuple(got['shape'])}, expected {tuple(expected['shape'])}")
    shape = tuple(expected["shape"])
    slack = _slack(got, expected)
    if "data" in expected:
        if "data" not in got:
            raise _Mismatch(f"{what} is sampled although its shape calls for full data")
        g, e = _decode(got["data"]), _decode(expected["data"])
        ok = close_mask(g, e, rtol, atol, slack)
        if not ok.all():
            raise _Mismatch(_first_bad(g, e, ok, shape, rtol, atol))
        return
    idx = sample_indices(shape)
    if got.get("sample_idx") != idx or expected.get("sample_idx") != idx:
        raise _Mismatch("the sampled indices are not the ones the shape determines")
    g, e = _decode(got["sample"]), _decode(expected["sample"])
    ok = close_mask(g, e, rtol, atol, slack)
    if not ok.all():
        j = int(np.flatnonzero(~ok)[0])
        raise _Mismatch(f"got differs from expected at sampled index {index_text(idx[j], shape)}: "
                        f"{num(g[j])} vs {num(e[j])} (rtol={rtol:g}, atol={atol:g})")
    if "sum" in expected:
        n = int(np.prod(shape))
        for key in ("sum", "abs_sum"):
            gs, es, abs_e = float(got[key]), float(expected[key]), float(expected["abs_sum"])
            if not (np.isfinite(gs) and np.isfinite(es)):
                if str(got[key]) != str(expected[key]):
                    raise _Mismatch(f"{key} of got is {got[key]}, of expected {expected[key]}")
                continue
            bound = n * atol + rtol * abs_e + 1e-9 * (abs(gs) + abs_e) + slack * (abs(gs) + abs_e)
            if abs(gs - es) > bound:
                raise _Mismatch(f"{key} of got is {num(gs)}, of expected {num(es)}: they differ by "
                                f"{num(abs(gs - es))}, more than the tolerance allows ({num(bound)})")


def _equal_encoded(got, expected, what):
    """Raise _Mismatch unless two encodings hold equal values (array dtype may differ, as in check_equal)."""
    if "shape" in got and "shape" in expected:
        keys = ("shape", "data") if "data" in expected else ("shape", "sample_idx", "sample", "sum", "abs_sum")
        for key in keys:
            if got.get(key) != expected.get(key):
                raise _Mismatch(f"{what} differs from expected ({key}: {_clip(got.get(key))} vs "
                                f"{_clip(expected.get(key))})")
        return
    if got != expected:
        raise _Mismatch(f"{what} is {_clip(got)}, expected {_clip(expected)}")


def _clip(value):
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _same_shape(got, expected):
    g, e = got.get("value"), expected.get("value")
    return (isinstance(g, list) and isinstance(e, list) and len(g) == len(e)
            and all(b is None or a == b for a, b in zip(g, e)))


def _message_shape(text):
    """check_true's name is its message, which often shows run-time values ("loss 0.41 < 0.5", an object's
    repr): compare it with numbers and hex addresses masked and white space removed."""
    if not isinstance(text, str):
        return text
    text = re.sub(r"0x[0-9a-fA-F]+", "#", text)
    text = re.sub(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", "#", text)
    return re.sub(r"\s+", "", text)


def _check(trusted, student):
    if not isinstance(student, dict) or student.get("v") not in (1, RECORD_VERSION):
        raise _Mismatch(f"not a version-{RECORD_VERSION} check record: {_clip(student)}")
    for key in ("check", "name", "case"):
        if key == "name" and trusted.get("check") == "check_true":
            same = _message_shape(student.get(key)) == _message_shape(trusted.get(key))
        else:
            same = student.get(key) == trusted.get(key)
        if not same:
            raise _Mismatch(f"a different check ran here: {key} {student.get(key)!r}, expected "
                            f"{trusted.get(key)!r}")
    for key in ("rtol", "atol", "at_least"):
        if student.get(key) != trusted.get(key):
            raise _Mismatch(f"the test was altered: {key} is {student.get(key)!r}, the trusted test uses "
                            f"{trusted.get(key)!r}")
    kind = trusted["check"]
    got, expected, t_expected = student["got"], student["expected"], trusted["expected"]
    rtol, atol = trusted["rtol"], trusted["atol"]
    if kind in ("check_close", "check_function"):
        try:
            _close_arrays(expected, t_expected, min(rtol, EXPECTED_RTOL), min(atol, EXPECTED_ATOL), "expected")
        except _Mismatch as exc:
            raise _Mismatch(f"the test was altered: its expected values differ from the trusted ones: {exc}")
        _close_arrays(got, t_expected, rtol, atol)
    else:
        if expected != t_expected:
            raise _Mismatch(f"the test was altered: expected is {_clip(expected)}, the trusted test has "
                            f"{_clip(t_expected)}")
        if kind == "check_shape":
            if not _same_shape(got, t_expected):
                raise _Mismatch(f"got shape {got.get('value')}, expected {t_expected.get('value')}")
        elif kind == "check_equal":
            _equal_encoded(got, t_expected, "got")
        elif kind == "check_true":
            if got != {"value": True}:
                raise _Mismatch(f"the condition was {_clip(got)}, not true")
        elif kind == "check_accuracy":
            value = got.get("value")
            if not isinstance(value, (int, float)) or value < trusted["at_least"]:
                raise _Mismatch(f"accuracy {value!r} is below {trusted['at_least']}")
        else:
            raise _Mismatch(f"unknown check kind {kind!r}")
    if student.get("passed") is not True:
        raise _Mismatch("the record's values pass but the record says it failed (inconsistent record)")


def records_match(trusted, student):
    """Re-decide one check: does the student's record pass against the instructor's trusted record?

    Args:
        trusted: the record from the instructor's run of the source notebook (trusted kernel).
        student: the record the student's kernel emitted at the same place.

    Returns:
        ``(ok, reason)``: ok is True only when the student's record is the same check, with the test
        unaltered, and its values pass against the trusted expected values; ``reason`` says why not (or
        ``"... passes against the trusted record"``), e.g.
        ``"check 2 (check_close 'output'): got differs from expected at (1, 0): 0.52 vs 0.5 (...)"``.
    """
    if not isinstance(trusted, dict):
        return False, f"the trusted record is not a record: {_clip(trusted)}"
    label = f"check {trusted.get('seq')} ({trusted.get('check')} {trusted.get('name')!r}"
    label += f" case {trusted['case']})" if "case" in trusted else ")"
    if trusted.get("passed") is not True:
        return False, f"{label}: the trusted run failed this check; fix the source notebook"
    try:
        _check(trusted, student)
    except _Mismatch as exc:
        return False, f"{label}: {exc}"
    except (KeyError, TypeError, ValueError) as exc:
        return False, f"{label}: malformed record ({type(exc).__name__}: {exc})"
    return True, f"{label}: passes against the trusted record"
