"""Diagnoses: naming the likely cause of a wrong result, each as ``(code, sentence)``.

Two sources, tried in this order:

1. mistake candidates (:mod:`fclab.checks.mistakes`): the wrong answers the test recomputes; one fires
   only when the answer equals it and it differs from the right answer (:func:`from_candidates`);
2. facts about the two arrays alone (:func:`from_arrays`): NaN/inf where the expected values are finite,
   an integer dtype, the transposed result, relu's zeros missing, rows of probabilities that do not sum to
   1, every row off by the same vector, the sign flipped, a constant factor, all zeros. Each is guarded so
   that it cannot fire on a mere numerical difference.

Sentences come from the catalogue (:mod:`fclab.checks._catalogue`) unless a candidate gives its own or
the fact carries numbers (a factor, the row sums).
"""

import numpy as np

from fclab.checks._compare import num, shape_text


def matches(got, candidate, rtol=1e-5, atol=1e-6):
    """True when ``got`` equals ``candidate`` within a tolerance a little looser than the check's."""
    try:
        candidate = np.asarray(candidate, dtype=np.float64)
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if candidate.shape != got.shape or not np.all(np.isfinite(candidate)):
        return False
    scale = float(np.max(np.abs(candidate))) if candidate.size else 0.0
    return bool(np.allclose(got, candidate, rtol=max(rtol, 1e-4), atol=max(atol, 1e-5 * max(scale, 1.0))))


def from_candidates(got, expected, candidates, rtol, atol):
    """``[(code, sentence or None)]`` of the candidates ``got`` equals (``candidates``: [(code, array, says)])."""
    found = []
    for code, candidate, says in candidates:
        if candidate is None or matches(expected, candidate, rtol, atol):
            continue
        if matches(got, candidate, rtol, atol) and code not in [c for c, _ in found]:
            found.append((code, says))
    return found


def _probabilities(expected):
    return (expected.ndim >= 2 and expected.shape[-1] > 1 and np.all(expected >= 0)
            and np.allclose(expected.sum(axis=-1), 1.0, atol=1e-4))


def from_arrays(got, expected, rtol, atol, got_dtype=None, expected_dtype=None):
    """``[(code, sentence or None)]`` from the two arrays alone (same shape, known to differ)."""
    found = []
    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if got_dtype is not None and np.dtype(got_dtype).kind in "iub" and np.dtype(expected_dtype).kind == "f":
        found.append(("integer_dtype", f"your result has integer dtype {got_dtype}, so fractions were lost: "
                                       "compute in float32."))
    bad = ~np.isfinite(g) & np.isfinite(e)
    if bad.any():
        where = np.unravel_index(int(np.flatnonzero(bad)[0]), g.shape) if g.ndim else ()
        code = "softmax_unstable" if _probabilities(e) else "nan_or_inf"
        found.append((code, None if code == "softmax_unstable" else
                      f"your result has {int(bad.sum())} NaN/inf entries where the expected values are finite "
                      f"(first at {shape_text(where)}): an overflow (exp of a large number) or a division by "
                      "zero."))
        return found
    if g.ndim == 2 and g.shape[0] == g.shape[1] > 1 and matches(g.T, e, rtol, atol) and not matches(g, g.T, rtol, atol):
        found.append(("output_transposed", None))
    if g.size > 1 and np.all(e >= 0) and np.any(g < 0) and np.any(e == 0) and matches(np.maximum(g, 0), e, rtol, atol):
        found.append(("activation_missing", "your result has negative entries exactly where the expected result "
                                            "has 0 and agrees elsewhere: relu was not applied "
                                            "(np.maximum(z, 0))."))
    if _probabilities(e) and not np.allclose(g.sum(axis=-1), 1.0, atol=1e-4):
        if g.ndim == 2 and np.all(g >= 0) and np.allclose(g.sum(axis=0), 1.0, atol=1e-4):
            found.append(("softmax_wrong_axis", None))
        else:
            sums = g.sum(axis=-1).reshape(-1)
            found.append(("softmax_not_normalised", "the rows of your result sum to "
                          + ", ".join(num(s) for s in sums[:4]) + (", ..." if sums.size > 4 else "")
                          + " instead of 1: divide exp(z) by its sum over axis=-1 (keepdims=True)."))
    if found:
        return found
    if np.any(e != 0) and matches(g, -e, rtol, atol):
        return [("sign_flipped", None)]
    if not np.any(g) and np.any(e):
        return [("all_zeros", None)]
    factor = _constant_factor(g, e)
    if factor is not None:
        return [("constant_factor", f"your result is the expected one times {num(factor)} (every entry): a "
                                    "scale factor such as 1/N or a mean/sum is off.")]
    if g.ndim >= 2 and g.shape[0] > 1:
        diff = (g - e).reshape(g.shape[0], -1)
        scale = max(float(np.max(np.abs(e))), 1.0)
        if np.allclose(diff, diff[0], rtol=1e-4, atol=max(atol, 1e-5 * scale)) and np.any(np.abs(diff[0]) > 10 * atol + 1e-3 * scale):
            found.append(("rows_offset", None))
    return found


def _constant_factor(g, e):
    """k when g == k * e for one k not in {0, 1, -1} (on the entries where e is not ~0), else None."""
    mask = np.abs(e) > 1e-6 * max(float(np.max(np.abs(e))), 1e-30)
    if mask.sum() < 2:
        return None
    ratios = g[mask] / e[mask]
    k = float(np.median(ratios))
    if not np.isfinite(k) or abs(k) < 1e-12 or abs(abs(k) - 1) < 1e-3:
        return None
    if np.allclose(ratios, k, rtol=1e-4, atol=0) and np.allclose(g[~mask], 0, atol=1e-6 * abs(k)):
        return k
    return None


def from_shapes(got_shape, expected_shape):
    """``[(code, sentence or None)]`` for a result whose shape differs from the expected one."""
    got_shape, expected_shape = tuple(got_shape), tuple(expected_shape)
    if len(got_shape) == len(expected_shape) == 2 and got_shape == expected_shape[::-1]:
        return [("output_transposed", None)]
    if None not in got_shape and None not in expected_shape:
        if tuple(d for d in got_shape if d != 1) == tuple(d for d in expected_shape if d != 1):
            return [("extra_axis", None)]
    if len(got_shape) == len(expected_shape) >= 1 and got_shape[:-1] == expected_shape[:-1]:
        what = ("the number of units (columns of W) is wrong" if len(got_shape) >= 2 else
                "the result has the wrong length")
        return [("wrong_units", f"only the last axis differs ({got_shape[-1]} instead of {expected_shape[-1]}): "
                                f"{what}.")]
    return []
