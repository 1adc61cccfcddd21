"""check_function (a student function against a reference, case by case) and check_accuracy."""

import inspect

import numpy as np

from fclab.checks import _records
from fclab.checks._checks import _CONTEXT_NAMES, _compare, _message, _raise
from fclab.checks._compare import describe, num
from fclab.explain import explain


def _split_case(case):
    """A case -> (args, kwargs): a tuple is positional arguments, a dict keyword arguments, else one arg."""
    if isinstance(case, tuple):
        return case, {}
    if isinstance(case, dict):
        return (), case
    return (case,), {}


def _fresh(value):
    """A copy of the arrays in ``value`` (also inside lists, tuples and dicts); other objects as they are."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(v) for v in value)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return value


def _bound(fn, args, kwargs):
    """{parameter name: value} for a call of ``fn``, or {} when the signature cannot be read."""
    try:
        return dict(inspect.signature(fn).bind(*args, **kwargs).arguments)
    except (TypeError, ValueError):
        return {}


def _case_text(index, args, kwargs, named):
    """``case 0 (x=float32 array of shape (4, 3), W=...)``."""
    if named:
        parts = [f"{k}={_arg_text(v)}" for k, v in named.items()]
    else:
        parts = [_arg_text(a) for a in args] + [f"{k}={_arg_text(v)}" for k, v in kwargs.items()]
    return f"case {index} ({', '.join(parts)})"


def _arg_text(value):
    if isinstance(value, np.ndarray):
        return f"{value.dtype} {value.shape}"
    return describe(value)


def _context(named):
    context = {_CONTEXT_NAMES[k]: v for k, v in named.items() if k in _CONTEXT_NAMES}
    return context if "x" in context and "kernel" in context else None


def _is_multi(value):
    return isinstance(value, (tuple, list)) and any(isinstance(v, np.ndarray) for v in value)


def _compare_output(got, expected, rtol, atol, context):
    """(passed, lines, got_record, expected_record, diagnoses, next step) for one case's output."""
    if not _is_multi(expected):
        passed, lines, got_record, found, step = _compare(got, expected, rtol, atol, context)
        return passed, lines, got_record, _records.encode_array(np.asarray(expected)), found, step
    expected_record = _records.encode_items([np.asarray(e) for e in expected])
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        return (False, [f"got {describe(got)}, expected a tuple of {len(expected)} arrays"],
                _records.encode(str(type(got).__name__)), expected_record, [],
                f"return all {len(expected)} results, in the order the docstring gives.")
    items = []
    for k, (g, e) in enumerate(zip(got, expected)):
        passed, lines, got_record, found, step = _compare(g, e, rtol, atol)
        items.append(got_record)
        if not passed:
            lines = [f"item {k} of the returned tuple:"] + lines
            got_items = _records.encode_items([_safe_array(x) for x in got])
            return False, lines, got_items, expected_record, found, step
    return True, [], _records.encode_items([_safe_array(x) for x in got]), expected_record, [], None


def _safe_array(x):
    try:
        array = np.asarray(x)
    except (TypeError, ValueError):
        return repr(x)
    return array if array.dtype.kind in "biuf" else repr(x)


def check_function(student_fn, reference_fn, cases, rtol=1e-5, atol=1e-6, name=None):
    """Call ``student_fn`` and ``reference_fn`` on each case and compare their outputs like check_close.

    Each function gets its own copy of the array arguments, so one that modifies its input in place cannot
    change what the other sees (other objects, e.g. models, are passed as they are). Arguments named
    x/X/inputs, W/kernel and b/bias (in the reference's signature) are the context for diagnoses. Outputs
    may be arrays or tuples of arrays. A shape error raised by the student's function is explained by
    :func:`fclab.explain.explain` in the message.

    Args:
        student_fn: the function under test.
        reference_fn: the trusted function with the same signature.
        cases: list of cases: a tuple is the positional arguments, a dict the keyword arguments, anything
            else a single argument.
        rtol, atol: tolerance, as in check_close.
        name: shown in messages and records (default: ``student_fn.__name__``).

    Raises:
        AssertionError: naming the case (index and argument shapes) with got vs expected. If the student's
            function raises, the AssertionError is chained from that exception so its traceback stays
            visible (NotImplementedError propagates unchanged, with a note naming the case).
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    name = name or getattr(student_fn, "__name__", "function")
    if not cases:
        raise ValueError(f"check_function {name!r}: cases is empty; give at least one argument tuple.")
    for index, case in enumerate(cases):
        args, kwargs = _split_case(case)
        expected = reference_fn(*_fresh(args), **_fresh(kwargs))
        named = _bound(reference_fn, args, kwargs)
        where = _case_text(index, args, kwargs, named)
        extra = {"case": index}
        try:
            got = student_fn(*_fresh(args), **_fresh(kwargs))
        except Exception as exc:
            expected_record = (_records.encode_items([np.asarray(e) for e in expected]) if _is_multi(expected)
                               else _records.encode_array(np.asarray(expected)))
            _records.emit(_records.make_record("check_function", name, False, _records.encode_error(exc),
                                               expected_record, rtol, atol, **extra))
            if isinstance(exc, NotImplementedError):
                exc.add_note(f"check_function {name!r}: {where}: the exercise is not answered yet.")
                raise
            lines = [f"{type(exc).__name__}: {exc}"]
            explanation = explain(exc)
            if explanation:
                lines.append(explanation)
            _raise(_message(
                f"check_function {name!r}: your function raised an exception on {where}.", lines, (),
                "read the original traceback above (the line in your code that raised) and fix it."), exc)
        passed, lines, got_record, expected_record, found, step = _compare_output(
            got, expected, rtol, atol, _context(named))
        _records.emit(_records.make_record("check_function", name, passed, got_record, expected_record,
                                           rtol, atol, **extra))
        if not passed:
            _raise(_message(f"check_function {name!r}: wrong output on {where}.", lines, found, step))


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
        name: shown in messages and records.

    Predictions of shape (n, k>1) are turned into labels with argmax; (n,) or (n, 1) scores with a threshold
    (0.5 for probabilities, 0 for logits).

    Raises:
        AssertionError: with the accuracy reached, the number of examples, and the most common confusion.
    """
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not fclab's
    y_true = _labels(y)
    y_pred = _labels(_predict(model_or_fn, x))
    if y_pred.shape != y_true.shape:
        _raise(f"check_accuracy {name!r}: the model gave {y_pred.shape[0]} predictions for "
                             f"{y_true.shape[0]} labels (prediction labels shape {y_pred.shape}, labels shape "
                             f"{y_true.shape}). Predict on the same x the labels belong to.")
    accuracy = float(np.mean(y_pred == y_true)) if y_true.size else 0.0
    passed = accuracy >= at_least
    _records.emit(_records.make_record("check_accuracy", name, passed, _records.encode(accuracy),
                                       _records.encode(float(at_least)), at_least=float(at_least),
                                       n=int(y_true.size)))
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
    _raise(_message(
        f"check_accuracy {name!r}: accuracy {num(accuracy)} is below {num(at_least)}.", lines, (),
        "train longer or with a better learning rate, check that the labels match the loss (integer labels "
        "need sparse_categorical_crossentropy, one-hot labels categorical_crossentropy), and that the output "
        "layer has one unit per class."))
