"""Comparing arrays and describing the difference: the "got vs expected" part of every message."""

import numpy as np

from fclab._text import shape_text  # noqa: F401  (re-exported: the checks use it from here)

SIDE_BY_SIDE = 5  # differing entries shown side by side


def close_mask(got, expected, rtol, atol, slack=0.0):
    """Boolean mask of entries where ``|got - expected| <= atol + rtol * |expected|`` (float64 math).

    Equal infinities and NaN opposite NaN count as close (like ``np.testing.assert_allclose``).
    ``slack`` widens the bound by ``slack * (|got| + |expected|)`` (for values rounded in a record).
    Shapes must already be equal.
    """
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        bound = atol + rtol * np.abs(expected) + slack * (np.abs(got) + np.abs(expected))
        ok = np.abs(got - expected) <= bound
    ok |= got == expected
    ok |= np.isnan(got) & np.isnan(expected)
    return ok


def describe(value):
    """Short description of a value: ``float32 array of shape (4, 3)``, ``int 3``, ``None``."""
    if isinstance(value, np.ndarray):
        return f"{value.dtype} array of shape {shape_text(value.shape)}"
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def index_text(flat_index, shape):
    """Flat index -> ``(1, 0)`` in ``shape``."""
    if not shape:
        return "()"
    return shape_text(np.unravel_index(int(flat_index), shape))


def num(x):
    """A number for a message, short but exact enough to see a difference."""
    x = float(x)
    if not np.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x)) if abs(x) >= 1 or x == 0 else f"{x:.6g}"
    return f"{x:.6g}"


def difference_report(got, expected, rtol, atol, ok=None):
    """Lines describing where and by how much ``got`` differs from ``expected`` (same shapes).

    Returns a list of text lines: how many entries differ, the largest error and where, the first
    differing index, and the first few differing entries side by side.
    """
    if ok is None:
        ok = close_mask(got, expected, rtol, atol)
    g = np.asarray(got, dtype=np.float64).reshape(-1)
    e = np.asarray(expected, dtype=np.float64).reshape(-1)
    bad = np.flatnonzero(~ok.reshape(-1))
    shape = np.shape(expected)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(g - e)
    err_for_max = np.where(np.isnan(err), np.inf, err)
    worst = int(np.argmax(np.where(ok.reshape(-1), -1.0, err_for_max)))
    lines = [
        f"{bad.size} of {e.size} entries differ (tolerance: |got - expected| <= atol + rtol * |expected|, "
        f"rtol={rtol:g}, atol={atol:g}).",
        f"Largest error {num(err[worst])} at index {index_text(worst, shape)}: "
        f"got {num(g[worst])}, expected {num(e[worst])}.",
        f"First differing index {index_text(bad[0], shape)}: got {num(g[bad[0]])}, expected {num(e[bad[0]])}.",
        "Side by side (first differing entries):",
        f"    {'index':<14}{'got':>14}{'expected':>14}{'difference':>14}",
    ]
    for i in bad[:SIDE_BY_SIDE]:
        lines.append(f"    {index_text(i, shape):<14}{num(g[i]):>14}{num(e[i]):>14}{num(g[i] - e[i]):>14}")
    if bad.size > SIDE_BY_SIDE:
        lines.append(f"    ... and {bad.size - SIDE_BY_SIDE} more")
    return lines
