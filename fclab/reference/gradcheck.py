"""Numeric gradients by central differences and a gradient check that decides.

``numeric_gradient(f, x)`` estimates ``df/dx`` entry by entry::

    df/dx[i] ≈ (f(x + eps*e_i) - f(x - eps*e_i)) / (2*eps)

in float64, whose error is O(eps²) plus rounding; with eps = 1e-5 a correct analytic gradient agrees to
about 1e-9 in relative terms. ``gradient_check`` measures the agreement with one number,

    relative_error = ||analytic - numeric|| / max(||analytic|| + ||numeric||, 1e-12)

(norms over all entries, so entries that are exactly 0, like a dead relu's, do not blow it up), compares
it with a threshold and says which entry is worst and what the mismatch looks like.
"""

import dataclasses

import numpy as np

from fclab.reference._arrays import shape_text

_TINY = 1e-12


def numeric_gradient(f, x, eps=1e-5):
    """Central-difference gradient of a scalar function, in float64.

    Args:
        f: function of one array (x's shape) returning a scalar, e.g.
            ``lambda x: np.sum(dense(x, kernel, bias) * dout)`` for the gradient of a layer with
            upstream gradient ``dout``. It is called with float64 arrays; keep it float64 inside (a
            float32 layer makes the estimate noisy at the 1e-3 level).
        x: (...) the point; not modified.
        eps: the step.

    Returns:
        float64 ndarray of x's shape.

    Raises:
        ValueError: if ``f`` does not return a scalar.
    """
    point = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + eps
        plus = _scalar(f(point), point.shape)
        point[index] = original - eps
        minus = _scalar(f(point), point.shape)
        point[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def _scalar(value, shape):
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise ValueError(
            f"f must return a scalar (e.g. a loss), but for x of shape {shape_text(shape)} it returned an array "
            f"of shape {shape_text(array.shape)}. To check the gradient of an array output y with upstream "
            "gradient dout, use f = lambda x: np.sum(y(x) * dout)."
        )
    return float(array.reshape(()))


@dataclasses.dataclass
class GradientCheckResult:
    """The outcome of ``gradient_check``: truthy when it passed; ``str(result)`` is the verdict.

    Attributes:
        passed: relative_error <= threshold (and shapes equal, values finite).
        relative_error: ||a - n|| / (||a|| + ||n||), inf when the shapes differ.
        threshold: the limit it was compared with.
        worst_index: index of the largest |a - n| (None when the shapes differ).
        analytic_value, numeric_value: the two values there.
        analytic, numeric: the full arrays (float64).
        diagnosis: a hint about the kind of mismatch, or "" when it passed.
    """

    passed: bool
    relative_error: float
    threshold: float
    worst_index: tuple = None
    analytic_value: float = None
    numeric_value: float = None
    analytic: np.ndarray = dataclasses.field(default=None, repr=False)
    numeric: np.ndarray = dataclasses.field(default=None, repr=False)
    diagnosis: str = ""

    def __bool__(self):
        return bool(self.passed)

    def __str__(self):
        if self.passed:
            return f"PASS: relative error {self.relative_error:.2g} <= threshold {self.threshold:g}"
        if self.worst_index is None:
            return f"FAIL: {self.diagnosis}"
        return (
            f"FAIL: relative error {self.relative_error:.2g} > threshold {self.threshold:g}; worst at index "
            f"{self.worst_index}: analytic {self.analytic_value:.6g} vs numeric {self.numeric_value:.6g} — "
            f"{self.diagnosis}"
        )

    def __repr__(self):
        return f"<GradientCheckResult {self}>"


def _close(a, b, tolerance):
    return np.linalg.norm(a - b) <= tolerance * max(np.linalg.norm(a) + np.linalg.norm(b), _TINY)


def _diagnose(analytic, numeric):
    """Name the kind of mismatch between two same-shape gradients when one fits."""
    tol = 1e-4
    if not np.all(np.isfinite(analytic)):
        return "the analytic gradient contains nan or inf; check for a division by zero or an overflow."
    if np.linalg.norm(analytic) <= _TINY < np.linalg.norm(numeric):
        return "the analytic gradient is all zeros; is the backward pass returning a fresh array it never fills?"
    if _close(analytic, -numeric, tol):
        return "the analytic gradient has the wrong sign everywhere (a minus sign lost in the chain rule)."
    if analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] and _close(analytic, numeric.T, tol):
        return "the analytic gradient is the transpose of the right one (x.T @ dout vs dout.T @ x?)."
    ratio = np.vdot(analytic, numeric) / max(np.vdot(numeric, numeric), _TINY)
    if abs(ratio) > _TINY and _close(analytic, ratio * numeric, tol):
        return (
            f"the analytic gradient is {ratio:.4g} times the right one (a missing or extra factor such as "
            "1/N for a mean over the batch, or 2 from a square)."
        )
    return (
        "check the chain rule for the entries that differ (compare analytic and numeric arrays in the "
        "result), and that f and the analytic gradient use the same inputs."
    )


def gradient_check(f, x, analytic_grad, threshold=1e-6, eps=1e-5):
    """Compare an analytic gradient of ``f`` at ``x`` with central differences, and decide.

    Args:
        f: scalar function of one array (see ``numeric_gradient``).
        x: (...) the point (converted to float64).
        analytic_grad: (...) array of x's shape, or a function ``g(x)`` returning it.
        threshold: largest accepted relative error (1e-6 suits float64).
        eps: the central-difference step.

    Returns:
        ``GradientCheckResult`` (truthy when it passed; ``print(result)`` gives the verdict).

    Example::

        >>> import numpy as np
        >>> x = np.array([[1.0, -2.0], [0.5, 3.0]])
        >>> print(gradient_check(lambda v: np.sum(v ** 2), x, 2 * x))  # doctest: +ELLIPSIS
        PASS: relative error ... <= threshold 1e-06
        >>> print(gradient_check(lambda v: np.sum(v ** 2), x, x))  # doctest: +ELLIPSIS
        FAIL: relative error 0.33 > threshold 1e-06; worst at index (1, 1): analytic 3 vs numeric 6 — ... 0.5 times ...
    """
    x64 = np.array(x, dtype=np.float64)
    analytic = analytic_grad(x64.copy()) if callable(analytic_grad) else analytic_grad
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = numeric_gradient(f, x64, eps=eps)
    if analytic.shape != numeric.shape:
        transposed = " (transposed?)" if analytic.shape == numeric.shape[::-1] else ""
        return GradientCheckResult(
            passed=False,
            relative_error=float("inf"),
            threshold=threshold,
            analytic=analytic,
            numeric=numeric,
            diagnosis=(
                f"the analytic gradient has shape {shape_text(analytic.shape)} but x has shape "
                f"{shape_text(numeric.shape)}{transposed}; a gradient always has the shape of what it "
                "differentiates."
            ),
        )
    difference = np.abs(analytic - numeric)
    if np.all(np.isfinite(analytic)):
        relative_error = float(
            np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic) + np.linalg.norm(numeric), _TINY)
        )
        worst = np.unravel_index(int(np.argmax(difference)), difference.shape) if difference.size else ()
    else:
        relative_error = float("inf")
        worst = np.unravel_index(int(np.argmax(~np.isfinite(analytic))), analytic.shape)
    worst = tuple(int(i) for i in worst)
    passed = bool(relative_error <= threshold)
    return GradientCheckResult(
        passed=passed,
        relative_error=relative_error,
        threshold=threshold,
        worst_index=worst,
        analytic_value=float(analytic[worst]) if analytic.size else None,
        numeric_value=float(numeric[worst]) if numeric.size else None,
        analytic=analytic,
        numeric=numeric,
        diagnosis="" if passed else _diagnose(analytic, numeric),
    )
