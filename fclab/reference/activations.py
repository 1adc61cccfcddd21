"""Activation functions by their Keras names, their derivatives, and ``get``.

Every function takes an array ``x`` of any shape ``(...)`` and returns an array of the same shape and
dtype (float32 in gives float32 out; ints become float32), computed the way ``keras.activations`` does:

====================  ==========================================  =====================================
name                  f(x)                                        f'(x) (``derivative(name, x)``)
====================  ==========================================  =====================================
``linear``            x                                           1
``relu``              max(x, 0)                                   1 where x > 0, else 0 (0 at x = 0)
``sigmoid``           1 / (1 + exp(-x))                           s(x) (1 - s(x))
``tanh``              tanh(x)                                     1 - tanh(x)^2
``leaky_relu``        x if x > 0 else negative_slope * x          1 where x > 0, else negative_slope
``softmax``           exp(x_i) / sum_j exp(x_j) along ``axis``    not elementwise: ``softmax_jacobian``
====================  ==========================================  =====================================

>>> import numpy as np
>>> relu(np.array([-2.0, 0.0, 3.0], dtype="float32"))
array([0., 0., 3.], dtype=float32)
"""

import numpy as np

from fclab.reference._arrays import as_float

NAMES = ("linear", "relu", "sigmoid", "tanh", "leaky_relu", "softmax")


def linear(x):
    """Identity: ``linear(x) = x``.

    Args:
        x: (...) array.

    Returns:
        (...) array, same dtype as ``x`` (float32 for non-float input).
    """
    return as_float(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, ``max(x, 0)``, with Keras's optional arguments.

    With the defaults this is ``max(x, 0)``. Like ``keras.activations.relu``: values at or below
    ``threshold`` become ``negative_slope * (x - threshold)``, values above it stay ``x``, and the result
    is capped at ``max_value`` when one is given.

    Args:
        x: (...) array.
        negative_slope: slope below the threshold (0.0: plain relu).
        max_value: upper cap, or None for no cap.
        threshold: the point where the function switches from the slope to the identity.

    Returns:
        (...) array, same dtype as ``x``.
    """
    x = as_float(x)
    dtype = x.dtype.type
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return leaky_relu(x, negative_slope=negative_slope)
    if threshold != 0:
        out = np.where(x > threshold, x, dtype(0))
    else:
        out = np.maximum(x, dtype(0))
    if max_value is not None:
        out = np.clip(out, dtype(0), dtype(max_value))
    if negative_slope != 0.0:
        out = out - dtype(negative_slope) * np.maximum(dtype(threshold) - x, dtype(0))
    return out.astype(x.dtype, copy=False)


def sigmoid(x):
    """Logistic sigmoid, ``1 / (1 + exp(-x))``, computed without overflow for large ``|x|``.

    Args:
        x: (...) array.

    Returns:
        (...) array in (0, 1) (exactly 0 or 1 only where float32 rounds), same dtype as ``x``.
    """
    x = as_float(x)
    # exp of a non-positive number never overflows: use exp(-|x|) on both sides.
    e = np.exp(-np.abs(x))
    one = x.dtype.type(1)
    return np.where(x >= 0, one / (one + e), e / (one + e)).astype(x.dtype, copy=False)


def tanh(x):
    """Hyperbolic tangent, ``(exp(x) - exp(-x)) / (exp(x) + exp(-x))``.

    Args:
        x: (...) array.

    Returns:
        (...) array in [-1, 1], same dtype as ``x``.
    """
    return np.tanh(as_float(x))


def leaky_relu(x, negative_slope=0.2):
    """Leaky relu: ``x`` where ``x > 0``, else ``negative_slope * x``.

    The default slope 0.2 is the one of the *function* ``keras.activations.leaky_relu``. Note that the
    *layer* ``keras.layers.LeakyReLU`` defaults to ``negative_slope=0.3``; pass the slope explicitly when
    you compare with that layer. (Old code writes ``alpha=``: Keras 3 calls it ``negative_slope``.)

    Args:
        x: (...) array.
        negative_slope: slope for ``x <= 0``.

    Returns:
        (...) array, same dtype as ``x``.
    """
    x = as_float(x)
    return np.where(x > 0, x, _slope(negative_slope, x.dtype) * x).astype(x.dtype, copy=False)


def _slope(negative_slope, dtype):
    # TensorFlow's LeakyRelu op stores the slope as a float32 attribute, also for float64 inputs:
    # round it the same way so that float64 results equal Keras's to the last bit.
    return np.dtype(dtype).type(np.float32(negative_slope))


def softmax(x, axis=-1):
    """Softmax along ``axis``: ``exp(x_i) / sum_j exp(x_j)``, each slice sums to 1.

    Stable for any finite logits (±1e4 included): the slice maximum is subtracted first, which leaves
    the result unchanged mathematically and keeps ``exp`` from overflowing.

    Args:
        x: (..., n) array of logits (or any shape, with ``axis`` naming the class axis).
        axis: the axis that is normalised (default: the last one, like Keras).

    Returns:
        array of the same shape and dtype, non-negative, summing to 1 along ``axis``.
    """
    x = as_float(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return (e / np.sum(e, axis=axis, keepdims=True)).astype(x.dtype, copy=False)


def softmax_jacobian(x):
    """Jacobian of softmax over the last axis: ``J[..., i, j] = d s_i / d x_j = s_i (delta_ij - s_j)``.

    Args:
        x: (..., n) array of logits.

    Returns:
        (..., n, n) array, same dtype as ``x``.
    """
    s = softmax(x, axis=-1)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


def _relu_derivative(x, negative_slope=0.0, max_value=None, threshold=0.0):
    x = as_float(x)
    dtype = x.dtype.type
    slope = np.where(x > threshold, dtype(1), dtype(0))
    if max_value is not None:
        slope = np.where(x >= max_value, dtype(0), slope)
    if negative_slope != 0.0:
        slope = np.where(x > threshold, slope, dtype(negative_slope))
    return slope.astype(x.dtype, copy=False)


def _sigmoid_derivative(x):
    s = sigmoid(x)
    return s * (s.dtype.type(1) - s)


def _tanh_derivative(x):
    t = tanh(x)
    return t.dtype.type(1) - t * t


def _leaky_relu_derivative(x, negative_slope=0.2):
    x = as_float(x)
    return np.where(x > 0, x.dtype.type(1), _slope(negative_slope, x.dtype)).astype(x.dtype, copy=False)


def _linear_derivative(x):
    return np.ones_like(as_float(x))


_FUNCTIONS = {
    "linear": linear,
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "leaky_relu": leaky_relu,
    "softmax": softmax,
}

_DERIVATIVES = {
    "linear": _linear_derivative,
    "relu": _relu_derivative,
    "sigmoid": _sigmoid_derivative,
    "tanh": _tanh_derivative,
    "leaky_relu": _leaky_relu_derivative,
}


def get(name_or_callable):
    """Return the activation function for a Keras name, a callable, or None.

    Args:
        name_or_callable: one of ``NAMES`` (e.g. ``"relu"``), a callable (returned unchanged), or None
            (which means ``linear``, as in ``Dense(activation=None)``).

    Returns:
        a function ``f(x) -> array``.

    Raises:
        ValueError: for an unknown name or a value that is neither a string nor callable.
    """
    if name_or_callable is None:
        return linear
    if isinstance(name_or_callable, str):
        try:
            return _FUNCTIONS[name_or_callable]
        except KeyError:
            raise ValueError(
                f"Unknown activation {name_or_callable!r}. Known names: {', '.join(NAMES)}. "
                "Pass one of these names, a function, or None for linear."
            ) from None
    if callable(name_or_callable):
        return name_or_callable
    raise ValueError(
        f"Could not interpret activation {name_or_callable!r} (type {type(name_or_callable).__name__}). "
        f"Expected one of {', '.join(NAMES)}, a function, or None."
    )


def name_of(fn):
    """The Keras name of one of this module's functions (``relu`` -> ``"relu"``), or None for others."""
    for name, known in _FUNCTIONS.items():
        if fn is known:
            return name
    return None


def derivative(name_or_fn, x, **kwargs):
    """Elementwise derivative ``f'(x)`` of an activation, same shape and dtype as ``x``.

    Args:
        name_or_fn: a name from ``NAMES`` (except ``"softmax"``), one of this module's functions, or any
            other elementwise function of one array (its derivative is then estimated by central
            differences in float64, step 1e-5, and returned in ``x``'s dtype).
        x: (...) array of pre-activations.
        **kwargs: the activation's own arguments, e.g. ``negative_slope=0.1`` for ``leaky_relu``.

    Returns:
        (...) array ``f'(x)``.

    Raises:
        ValueError: for ``"softmax"`` (each output depends on every input of its slice: use
            ``softmax_jacobian(x)``, shape (..., n, n)) and for unknown names.
    """
    fn = get(name_or_fn)
    name = name_or_fn if isinstance(name_or_fn, str) else name_of(fn)
    if name == "softmax":
        raise ValueError(
            "softmax has no elementwise derivative: every output depends on every logit of its row. "
            "Use softmax_jacobian(x), which returns (..., n, n) for x of shape (..., n), or, for a "
            "softmax followed by cross-entropy, backward.softmax_cross_entropy_backward."
        )
    if name is not None:
        return _DERIVATIVES[name](x, **kwargs)
    x = as_float(x)
    x64 = x.astype("float64")
    step = 1e-5
    slope = (np.asarray(fn(x64 + step, **kwargs), "float64") - np.asarray(fn(x64 - step, **kwargs), "float64"))
    return (slope / (2 * step)).astype(x.dtype)
