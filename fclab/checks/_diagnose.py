"""Diagnoses: recognising the common mistakes behind a wrong dense-layer output.

:func:`diagnose` looks at ``got`` and ``expected`` (same shape, already known to differ) and, when a
context ``{"x": X, "kernel": W, "bias": b}`` is given, recomputes the usual wrong answers from it:

- the kernel used transposed (``X @ W.T``, when W is square), the output transposed,
- the bias missing, added twice or with its sign flipped,
- the activation missing (e.g. relu), a different one applied, relu applied before the bias,
- softmax over the wrong axis or rows not summing to 1.

Without a context it reasons from the two arrays alone (transposed output, rows that do not sum to 1,
negative values where relu gives 0, the same offset on every row, the sign flipped, NaN or inf).
Each diagnosis is one sentence saying what happened and what to change.
"""

import numpy as np

from fclab.checks._compare import num, shape_text


def _activations():
    from fclab.reference import activations

    return {name: getattr(activations, name) for name in ("linear", "relu", "sigmoid", "tanh", "softmax")}


def _matches(got, candidate, rtol, atol):
    """True when ``got`` equals ``candidate`` within a tolerance a little looser than the check's."""
    candidate = np.asarray(candidate, dtype=np.float64)
    if candidate.shape != got.shape or not np.all(np.isfinite(candidate)):
        return False
    scale = float(np.max(np.abs(candidate))) if candidate.size else 0.0
    return bool(np.allclose(got, candidate, rtol=max(rtol, 1e-4), atol=max(atol, 1e-5 * max(scale, 1.0))))


def _context_arrays(context):
    """(x, kernel, bias) as float64 arrays (bias may be None), or None when unusable."""
    try:
        x = np.asarray(context["x"], dtype=np.float64)
        kernel = np.asarray(context["kernel"], dtype=np.float64)
        bias = context.get("bias")
        bias = None if bias is None else np.asarray(bias, dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        return None
    if x.ndim < 1 or kernel.ndim != 2 or x.shape[-1] != kernel.shape[0]:
        return None
    if bias is not None and bias.shape != (kernel.shape[1],):
        return None
    return x, kernel, bias


def _with_bias(z, bias, factor=1.0):
    return z if bias is None else z + factor * bias


def _from_context(got, expected, context, rtol, atol):
    """Diagnoses that recompute wrong answers from X, W and b."""
    arrays = _context_arrays(context)
    if arrays is None:
        return []
    x, kernel, bias = arrays
    acts = _activations()
    xw = x @ kernel
    z = _with_bias(xw, bias)
    act_name = next((name for name, f in acts.items() if _matches(expected, f(z), 1e-4, 1e-5)), None)
    if act_name is None:
        return []
    act = acts[act_name]
    found = []
    has_bias = bias is not None and np.any(bias != 0)
    if has_bias and _matches(got, act(xw), rtol, atol):
        found.append("bias missing: got equals the output computed without the bias. Add it: X @ W + b "
                     f"(b has shape {shape_text(bias.shape)} and broadcasts over the rows).")
    if has_bias and _matches(got, act(_with_bias(xw, bias, -1.0)), rtol, atol):
        found.append("bias sign flipped: got equals the output computed with X @ W - b. Use + b.")
    if has_bias and _matches(got, act(_with_bias(xw, bias, 2.0)), rtol, atol):
        found.append("bias added twice: got equals the output computed with X @ W + 2 b. Add b once.")
    if kernel.shape[0] == kernel.shape[1] and not np.allclose(kernel, kernel.T):
        if _matches(got, act(_with_bias(x @ kernel.T, bias)), rtol, atol):
            found.append("kernel transposed: got equals the output of X @ W.T. The kernel is (in, units) "
                         f"= {shape_text(kernel.shape)}: use X @ W as it is (if you built W as (units, in), "
                         "transpose it once where you create it).")
    for other, f in acts.items():
        if other == act_name or not _matches(got, f(z), rtol, atol):
            continue
        if other == "linear":
            found.append(f"{act_name} missing: got equals the pre-activation X @ W + b. "
                         f"Apply {act_name} to it.")
        else:
            found.append(f"wrong activation: got equals {other}(X @ W + b) but the expected output is "
                         f"{act_name}(X @ W + b).")
    if act_name == "relu" and has_bias and _matches(got, acts["relu"](xw) + bias, rtol, atol):
        found.append("relu applied before the bias: got equals relu(X @ W) + b. Add the bias first, then "
                     "apply relu: relu(X @ W + b).")
    if act_name == "softmax" and z.ndim >= 2 and _matches(got, acts["softmax"](z, axis=0), rtol, atol):
        found.append("softmax over the wrong axis: got is normalised over axis 0 (the batch). Each row "
                     "(one example's scores) must sum to 1: use axis=-1.")
    return found


def _from_arrays(got, expected, rtol, atol):
    """Diagnoses that need only the two arrays."""
    found = []
    bad_got = ~np.isfinite(got) & np.isfinite(expected)
    if bad_got.any():
        where = np.unravel_index(int(np.flatnonzero(bad_got)[0]), got.shape) if got.ndim else ()
        found.append(f"got has {int(bad_got.sum())} NaN/inf entries where expected is finite (first at "
                     f"{shape_text(where)}): an overflow (exp of a large number: subtract the row maximum "
                     "before exp) or a division by zero.")
        return found
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _matches(got.T, expected, rtol, atol) \
            and not _matches(got, got.T, rtol, atol):
        found.append("output transposed: got.T equals expected. Keep the batch on axis 0: X @ W gives "
                     "(batch, units).")
    if got.size > 1 and np.all(expected >= 0) and np.any(got < 0) \
            and _matches(np.maximum(got, 0), expected, rtol, atol):
        found.append("relu missing: got has negative entries exactly where expected has 0, and agrees "
                     "elsewhere. Apply relu (np.maximum(z, 0)).")
    if expected.ndim >= 2 and expected.shape[-1] > 1 and np.all(expected >= 0) \
            and np.allclose(expected.sum(axis=-1), 1.0, atol=1e-4):
        row_sums = got.sum(axis=-1)
        if not np.allclose(row_sums, 1.0, atol=1e-4):
            if got.ndim == 2 and np.all(got >= 0) and np.allclose(got.sum(axis=0), 1.0, atol=1e-4):
                found.append("softmax over the wrong axis: the columns of got sum to 1, its rows do not. "
                             "Normalise over the last axis (axis=-1): one row per example.")
            else:
                sums = ", ".join(num(s) for s in row_sums.reshape(-1)[:4])
                found.append(f"softmax rows do not sum to 1: expected rows are probabilities, got's rows sum "
                             f"to {sums}{', ...' if row_sums.size > 4 else ''}. Divide exp(z) by its sum "
                             "over axis=-1 (keepdims=True), or apply softmax.")
    if got.ndim >= 2 and got.shape[0] > 1:
        diff = (got - expected).reshape(got.shape[0], -1)
        if np.allclose(diff, diff[0], rtol=1e-4, atol=max(atol, 1e-6)) and np.any(np.abs(diff[0]) > atol):
            vec = ", ".join(num(v) for v in diff[0][:4])
            found.append(f"every row is off by the same vector ({vec}{', ...' if diff.shape[1] > 4 else ''}): "
                         "a bias missing, added twice or with the wrong sign. Check the + b.")
    if np.any(expected != 0) and _matches(got, -expected, rtol, atol):
        found.append("sign flipped: got equals -expected. Check a subtraction written the wrong way round.")
    if not np.any(got) and np.any(expected):
        found.append("got is all zeros: a placeholder left in, or a result array that was never filled.")
    return found


def diagnose(got, expected, rtol, atol, context=None):
    """List of one-sentence diagnoses for ``got`` != ``expected`` (same shapes; may be empty)."""
    try:
        g = np.asarray(got, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return []
    found = []
    if context:
        with np.errstate(all="ignore"):
            found.extend(_from_context(g, e, context, rtol, atol))
    if not found:
        with np.errstate(all="ignore"):
            found.extend(_from_arrays(g, e, rtol, atol))
    return found


def diagnose_shapes(got_shape, expected_shape):
    """One-sentence diagnoses for a shape that differs from the expected one."""
    got_shape, expected_shape = tuple(got_shape), tuple(expected_shape)
    found = []
    if len(got_shape) == len(expected_shape) == 2 and got_shape == expected_shape[::-1]:
        found.append("the axes are swapped: the output is transposed. Keep the batch on axis 0 "
                     "(X @ W gives (batch, units)); if you computed W @ X or W.T @ X.T, use X @ W.")
    elif None not in got_shape and None not in expected_shape:
        squeezed_got = tuple(d for d in got_shape if d != 1)
        squeezed_exp = tuple(d for d in expected_shape if d != 1)
        if squeezed_got == squeezed_exp:
            found.append("the same entries with an extra or missing axis of length 1: use reshape, "
                         "np.squeeze or keepdims to get exactly the expected shape (broadcasting (n,) against "
                         "(n, 1) silently makes an (n, n) array).")
        elif int(np.prod(got_shape)) == int(np.prod(expected_shape)):
            found.append("the same number of entries arranged differently: check the order of the "
                         "operands in the product and any reshape.")
    if len(got_shape) == len(expected_shape) and len(got_shape) >= 1 and got_shape[:-1] == expected_shape[:-1]:
        found.append(f"only the last axis differs ({got_shape[-1]} vs {expected_shape[-1]}): the number of "
                     "units (columns of W) is wrong.")
    return found
