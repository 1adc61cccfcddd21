"""check_function (a student function against a reference, case by case) and check_accuracy."""

import inspect

import numpy as np

from fclab.checks import _records
from fclab.checks._checks import _raise, compare, dense_candidates
from fclab.checks._compare import describe, num
from fclab.checks._exercise import call_answer, copy_arguments, format_failure


def _split_case(case):
    """A case -> (args, kwargs): a tuple is positional arguments, a dict keyword arguments, else one arg."""
    if isinstance(case, tuple):
        return case, {}
    if isinstance(case, dict):
        return (), case
    return (case,), {}


def _bound(fn, args, kwargs):
    """{parameter name: value} for a call of ``fn``, or {} when the signature cannot be read."""
    try:
        return dict(inspect.signature(fn).bind(*args, **kwargs).arguments)
    except (TypeError, ValueError):
        return {}


def _case_text(index, args, kwargs, named):
    """``case 0 (X=float32 (4, 3), W=...)``."""
    if named:
        parts = [f"{k}={_arg_text(v)}" for k, v in named.items()]
    else:
        parts = [_arg_text(a) for a in args] + [f"{k}={_arg_text(v)}" for k, v in kwargs.items()]
    return f"case {index} ({', '.join(parts)})"


def _arg_text(value):
    if isinstance(value, np.ndarray):
        return f"{value.dtype} {value.shape}"
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        return f"{type(value).__name__} of {len(value)} arrays"
    if isinstance(value, (list, tuple, dict)) and len(repr(value)) > 60:
        return f"{type(value).__name__} of {len(value)} items"
    return describe(value)


_CONTEXT_NAMES = {"x": "x", "X": "x", "inputs": "x", "kernel": "kernel", "W": "kernel", "w": "kernel",
                  "bias": "bias", "b": "bias"}


def _context(named):
    context = {_CONTEXT_NAMES[k]: v for k, v in named.items() if k in _CONTEXT_NAMES}
    return context if "x" in context and "kernel" in context else None


def _is_multi(value):
    return isinstance(value, (tuple, list)) and any(isinstance(v, np.ndarray) for v in value)


def _candidates(mistakes, args, kwargs, item=None):
    """``[(code, wrong_output, says)]`` of the mistakes on this case (item ``k`` of a tuple output)."""
    out = []
    for mistake in mistakes or ():
        try:
            wrong = mistake.compute(*copy_arguments(args), **copy_arguments(kwargs))
        except Exception:  # a candidate that does not apply to these inputs (shapes) is no candidate
            continue
        if item is not None:
            if not isinstance(wrong, (tuple, list)) or len(wrong) <= item:
                continue
            wrong = wrong[item]
        out.append((mistake.code, wrong, mistake.says))
    return out


def _compare_output(got, expected, rtol, atol, candidates_for):
    """(comparison, expected_record, label) for one case's output (an array or a tuple of arrays)."""
    if not _is_multi(expected):
        result = compare(got, expected, rtol, atol, lambda: candidates_for(None))
        return result, _records.encode_array(np.asarray(expected)), ""
    expected_record = _records.encode_items([np.asarray(e) for e in expected])
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        result = compare(None, np.zeros(0), rtol, atol)
        result.lines = [f"got {describe(got)}, expected a tuple of {len(expected)} arrays"]
        result.diagnoses, result.got_record = [], _records.encode(type(got).__name__)
        result.next_step = f"return all {len(expected)} results, in the order the docstring gives."
        return result, expected_record, ""
    for k, (g, e) in enumerate(zip(got, expected)):
        result = compare(g, e, rtol, atol, lambda k=k: candidates_for(k))
        if not result.passed:
            result.lines = [f"item {k} of the returned tuple is the first that differs:"] + result.lines
            result.got_record = _records.encode_items([_safe_array(x) for x in got])
            return result, expected_record, f" (item {k})"
    result.got_record = _records.encode_items([_safe_array(x) for x in got])
    return result, expected_record, ""


def _safe_array(x):
    try:
        array = np.asarray(x)
    except (TypeError, ValueError):
        return repr(x)
    return array if array.dtype.kind in "biuf" else repr(x)


def _same(a, b):
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _ignores_input(student_fn, reference_fn, cases, index, seen):
    """True when the answer returned the same value for two cases whose right answers differ.

    Earlier cases are in ``seen``; when there are none, the answer is called once more on another case,
    quietly (any failure there means "no evidence").
    """
    got, expected = seen[-1]
    if any(_same(got, g) and not _same(expected, e) for g, e in seen[:-1]):
        return True
    for other in cases[index + 1:index + 2] + cases[:index][:1]:
        args, kwargs = _split_case(other)
        try:
            other_expected = reference_fn(*copy_arguments(args), **copy_arguments(kwargs))
            other_got = student_fn(*copy_arguments(args), **copy_arguments(kwargs))
        except Exception:
            return False
        return _same(got, other_got) and not _same(expected, other_expected)
    return False


def check_function(student_fn, reference_fn, cases, rtol=1e-5, atol=1e-6, name=None, mistakes=None):
    """Call ``student_fn`` and ``reference_fn`` on each case and compare their outputs like check_close.

    The answer is called under the active exercise's watch (forbidden calls, inputs modified in place, an
    exception explained) with its own copy of the arguments. Outputs may be arrays or tuples of arrays
    (then the first item that differs is named).

    Args:
        student_fn: the answer.
        reference_fn: the trusted function with the same signature.
        cases: list of cases: a tuple is the positional arguments, a dict the keyword arguments, anything
            else a single argument.
        rtol, atol: tolerance, as in check_close.
        name: static text shown in messages and records (default: ``student_fn.__name__``).
        mistakes: :class:`fclab.checks.Mistake` candidates (same signature as the reference); when not
            given and the reference's arguments are named X/W/b, the dense-layer mistakes are used.

    Raises:
        AssertionError: naming the case (index and argument shapes) with got vs expected and a diagnosis.
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    name = name or getattr(student_fn, "__name__", "function")
    if not cases:
        raise ValueError(f"check_function {name!r}: cases is empty; give at least one argument tuple.")
    seen = []  # (got, expected) of earlier cases, to recognise an answer that ignores its input
    for index, case in enumerate(cases):
        args, kwargs = _split_case(case)
        expected = reference_fn(*copy_arguments(args), **copy_arguments(kwargs))
        named = _bound(reference_fn, args, kwargs)
        where = _case_text(index, args, kwargs, named)
        got = call_answer(student_fn, args, kwargs, where)  # a failed call emits its own record and raises
        context = _context(named) if mistakes is None else None

        def candidates_for(item, args=args, kwargs=kwargs, context=context):
            if context is not None and item is None:
                return dense_candidates(context, expected)
            return _candidates(mistakes, args, kwargs, item)

        result, expected_record, label = _compare_output(got, expected, rtol, atol, candidates_for)
        seen.append((got, expected))
        if not result.passed and not result.diagnoses and _ignores_input(student_fn, reference_fn, cases, index, seen):
            result.diagnoses = [("ignores_input", None)]
        _records.emit(_records.make_record("check_function", name, result.passed, result.got_record,
                                           expected_record, rtol, atol, diagnoses=result.codes, case=index))
        if not result.passed:
            _raise(result.message(f"check_function {name!r}: wrong output on {where}{label}."))


def _labels(values):
    """Class labels from predictions or targets: argmax of (n, k>1), threshold of (n,)/(n, 1) scores."""
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] > 1:
        return np.argmax(values, axis=-1)
    values = values.reshape(values.shape[0], -1)[:, 0] if values.ndim == 2 else values
    if values.dtype.kind == "f" and not np.all(values == np.round(values)):
        cut = 0.5 if values.min() >= 0 and values.max() <= 1 else 0.0  # probabilities vs logits
        return (values > cut).astype(np.int64)
    return values.astype(np.int64)


def _predict(model_or_fn, x):
    predict = getattr(model_or_fn, "predict", None)
    if predict is None:
        return model_or_fn(x)
    try:
        verbose = "verbose" in inspect.signature(predict).parameters
    except (TypeError, ValueError):
        verbose = False
    return predict(x, verbose=0) if verbose else predict(x)


def check_accuracy(model_or_fn, x, y, at_least, name="accuracy"):
    """Check that a model (Keras, anything with ``predict``, or a function) reaches ``at_least`` accuracy.

    Args:
        model_or_fn: a Keras model, an object with ``predict(x)``, or a function ``x -> scores``.
        x: (n, features) inputs.
        y: (n,) integer labels or (n, classes) one-hot targets.
        at_least: the accuracy (0..1) the model must reach.
        name: static text shown in messages and records.

    Predictions of shape (n, k>1) are turned into labels with argmax; (n,) or (n, 1) scores with a threshold
    (0.5 for probabilities, 0 for logits).

    Raises:
        AssertionError: with the accuracy reached, the number of examples, and the most common confusion.
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    y_true = _labels(y)
    y_pred = _labels(_predict(model_or_fn, x))
    if y_pred.shape != y_true.shape:
        _records.emit(_records.make_record("check_accuracy", name, False, _records.encode(list(y_pred.shape)),
                                           _records.encode(float(at_least)), at_least=float(at_least),
                                           n=int(y_true.size)))
        _raise(f"check_accuracy {name!r}: the model gave {y_pred.shape[0]} predictions for "
               f"{y_true.shape[0]} labels (prediction labels shape {y_pred.shape}, labels shape "
               f"{y_true.shape}). Predict on the same x the labels belong to.")
    accuracy = float(np.mean(y_pred == y_true)) if y_true.size else 0.0
    passed = accuracy >= at_least
    _records.emit(_records.make_record("check_accuracy", name, passed, _records.encode(accuracy),
                                       _records.encode(float(at_least)), at_least=float(at_least),
                                       n=int(y_true.size), diagnoses=[] if passed else ["accuracy_below"]))
    if passed:
        return
    lines = [f"accuracy {num(accuracy)} ({int(np.sum(y_pred == y_true))} of {y_true.size} correct), "
             f"expected at least {num(at_least)}."]
    wrong = y_pred != y_true
    if wrong.any():
        pairs, counts = np.unique(np.stack([y_true[wrong], y_pred[wrong]], axis=1), axis=0, return_counts=True)
        t, p = pairs[int(np.argmax(counts))]
        lines.append(f"most common mistake: true class {t} predicted as {p} ({int(counts.max())} times).")
    if len(np.unique(y_pred)) == 1:
        lines.append(f"the model predicts class {y_pred[0]} for every example: it has not learned yet.")
    _raise(format_failure(
        f"check_accuracy {name!r}: accuracy {num(accuracy)} is below {num(at_least)}.", lines,
        ["accuracy_below"], "train longer or with a better learning rate, check that the labels match the loss "
        "(integer labels need sparse_categorical_crossentropy, one-hot labels categorical_crossentropy), and "
        "that the output layer has one unit per class."))
