"""Machine-readable check records: encoding values as JSON and emitting them from the kernel.

Every check in :mod:`fclab.checks` emits one record (pass or fail), so that a grader outside the student's
kernel can re-decide the check from the values themselves (see :func:`fclab.checks.records_match`).

A record is plain JSON::

    {"v": 2, "check": "check_close", "name": "output", "seq": 3, "passed": false,
     "exercise": "ex3_dense_forward", "hidden": false, "seed": 81237, "diagnoses": ["bias_missing"],
     "got": <encoded>, "expected": <encoded>, "rtol": 1e-05, "atol": 1e-06}

``exercise``, ``hidden`` and ``seed`` come from the enclosing :func:`fclab.checks.exercise` block (null,
false and null outside one); ``diagnoses`` are codes of :data:`fclab.checks.CATALOGUE`. A check's ``name``
is static text written in the test: never a random value, never something the answer returned.

An array is encoded as ``{"shape": [...], "dtype": "float32", "data": [flat values]}`` when it has at most
``FULL_DATA_LIMIT`` entries, else as ``{"shape", "dtype", "sample_idx", "sample", "sum", "abs_sum"}`` with
``SAMPLE_SIZE`` flat indices drawn from a generator seeded by the shape (so two arrays of the same shape are
sampled at the same places). Non-finite numbers are the strings ``"nan"``, ``"inf"``, ``"-inf"``. Scalars,
strings and short tuples are ``{"value": ...}``; a tuple of arrays (a function returning several outputs)
is ``{"items": [...]}``; an exception raised instead of a value is ``{"error": "TypeError: ..."}``.

Float32 (and float16) values are written in their shortest round-trip form, so they decode to exactly the
same float32; float64 values are written with ``FLOAT64_DIGITS`` significant digits, which keeps a record
under ~60 KB (:func:`records_match` allows for that rounding).
"""

import itertools
import math

import numpy as np

MIME_TYPE = "application/vnd.fclab.check+json"
RECORD_VERSION = 2
FULL_DATA_LIMIT = 2048
SAMPLE_SIZE = 64
FLOAT64_DIGITS = 9
MAX_KEPT = 1000  # records kept in memory (the kernel's display output keeps all of them)
MAX_TEXT = 300  # characters kept of a string value in a record

records = []
"""Every record emitted in this Python process, oldest first (the last ``MAX_KEPT``)."""

_seq = itertools.count(1)


def _number(x):
    """One JSON-safe number: Python int/float/bool, or "nan"/"inf"/"-inf"."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _float_values(flat):
    """Flat float array -> list of JSON numbers at the precision of its dtype (see module docstring)."""
    if flat.dtype in (np.float32, np.float16):
        text = [str(v) for v in flat.astype(np.float32)]
    else:
        text = [f"{v:.{FLOAT64_DIGITS}g}" for v in flat.astype(np.float64).tolist()]
    out = []
    for t in text:
        if t in ("nan", "inf", "-inf"):
            out.append(t)
        else:
            out.append(float(t))
    return out


def _values(flat):
    """Flat array -> list of JSON values."""
    if flat.dtype.kind == "f":
        return _float_values(flat)
    if flat.dtype.kind in "iub":
        return flat.tolist()
    return [str(v)[:MAX_TEXT] for v in flat.tolist()]


def sample_indices(shape):
    """The ``SAMPLE_SIZE`` flat indices sampled from an array of ``shape`` (deterministic, sorted)."""
    size = int(np.prod(shape, dtype=np.int64))
    rng = np.random.default_rng([len(shape)] + [int(d) for d in shape])
    return sorted(int(i) for i in rng.choice(size, size=min(SAMPLE_SIZE, size), replace=False))


def encode_array(array, limit=FULL_DATA_LIMIT):
    """Encode an ndarray for a record (full data up to ``limit`` entries, else a sample and sums)."""
    array = np.asarray(array)
    if array.dtype.kind == "c":
        raise TypeError(f"complex arrays are not supported in check records (got dtype {array.dtype})")
    flat = array.reshape(-1)
    encoded = {"shape": [int(d) for d in array.shape], "dtype": str(array.dtype)}
    if flat.size <= limit:
        encoded["data"] = _values(flat)
        return encoded
    idx = sample_indices(array.shape)
    encoded["sample_idx"] = idx
    encoded["sample"] = _values(flat[idx])
    if flat.dtype.kind in "fiub":
        as64 = flat.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            encoded["sum"] = _number(np.sum(as64))
            encoded["abs_sum"] = _number(np.sum(np.abs(as64)))
    return encoded


def _plain(value):
    """A JSON-safe copy of a scalar, string, None, or a (nested) short sequence or dict of those.

    Dicts become ``{"dict": [[repr(key), value], ...]}`` sorted, so equal dicts encode equally; anything
    longer than ``FULL_DATA_LIMIT`` or of another type is kept as its (clipped) repr.
    """
    if value is None or isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)):
        return None if value is None else _number(value)
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, (tuple, list)):
        if len(value) > FULL_DATA_LIMIT:
            return repr(value)[:MAX_TEXT]
        return [_plain(v) for v in value]
    if isinstance(value, dict) and len(value) <= FULL_DATA_LIMIT:
        return {"dict": sorted([repr(k)[:MAX_TEXT], _plain(v)] for k, v in value.items())}
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return _plain(value.item())
    return repr(value)[:MAX_TEXT]


def encode(value):
    """Encode any value a check compared: ndarray -> array encoding, else ``{"value": ...}``."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return encode_array(value)
    if isinstance(value, np.ndarray):
        value = value.item()
    return {"value": _plain(value)}


def encode_items(items):
    """Encode a tuple of outputs; the full-data budget is shared so the record stays bounded."""
    limit = max(SAMPLE_SIZE, FULL_DATA_LIMIT // max(1, len(items)))
    return {"items": [encode_array(x, limit) if isinstance(x, np.ndarray) else encode(x) for x in items]}


def encode_error(exc):
    """Encode an exception raised where a value was expected."""
    return {"error": f"{type(exc).__name__}: {exc}"[:MAX_TEXT]}


def make_record(check, name, passed, got, expected, rtol=0.0, atol=0.0, diagnoses=(), **extra):
    """Build a record dict (already encoded values) with the next sequence number and the exercise's id."""
    from fclab.checks._exercise import active_exercise

    exercise = active_exercise()
    record = {"v": RECORD_VERSION, "check": check, "name": str(name)[:MAX_TEXT], "seq": next(_seq),
              "exercise": exercise.exercise_id if exercise else None,
              "hidden": bool(exercise.hidden) if exercise else False,
              "seed": exercise.seed if exercise else None,
              "passed": bool(passed), "diagnoses": [str(code) for code in diagnoses],
              "got": got, "expected": expected, "rtol": float(rtol), "atol": float(atol)}
    record.update(extra)
    return record


def keep(record):
    """Append ``record`` to :data:`records` (the last ``MAX_KEPT``)."""
    records.append(record)
    if len(records) > MAX_KEPT:
        del records[: len(records) - MAX_KEPT]


def emit(record):
    """Hand ``record`` to the runtime in force (the lab keeps and displays it; the grader collects it)."""
    from fclab.checks._exercise import active_exercise
    from fclab.checks._runtime import get_runtime

    exercise = active_exercise()
    if exercise is not None:
        exercise.records.append(record)
    get_runtime().emit(record)
    return record
