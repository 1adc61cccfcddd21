"""Backward passes by hand, numeric gradients, and a gradient check that gives a verdict.

Convention (CS231n's): ``dout`` is the gradient of a scalar loss with respect to a layer's output, of
the output's shape; a backward function returns the gradients with respect to the layer's inputs and
weights, each of the shape of what it differentiates.

For ``out = x @ kernel + bias`` with x (N, in), kernel (in, units), bias (units,), dout (N, units)::

    dx      = dout @ kernel.T        (N, in)
    dkernel = x.T @ dout             (in, units)
    dbias   = dout.sum(axis=0)       (units,)

``gradient_check`` compares an analytic gradient with central differences in float64 and returns a
``GradientCheckResult`` whose ``str`` is a verdict ("PASS: ..." / "FAIL: ... at index ...").
"""

import numpy as np

from fclab.reference import activations
from fclab.reference._arrays import as_float, shape_text
from fclab.reference.gradcheck import GradientCheckResult, gradient_check, numeric_gradient

__all__ = [
    "dense_backward",
    "activation_backward",
    "softmax_cross_entropy_backward",
    "numeric_gradient",
    "gradient_check",
    "GradientCheckResult",
]


def dense_backward(dout, x, kernel):
    """Gradients of ``out = x @ kernel + bias`` (any rank >= 2; leading axes are summed over).

    Args:
        dout: (..., units) gradient of the loss with respect to ``out``.
        x: (..., in) the layer's input in the forward pass.
        kernel: (in, units).

    Returns:
        (dx, dkernel, dbias) of shapes (..., in), (in, units), (units,).

    Raises:
        ValueError: when the shapes do not fit together; the message names all three.
    """
    dout, x, kernel = as_float(dout), as_float(x), as_float(kernel)
    expected_dout = x.shape[:-1] + (kernel.shape[-1],) if kernel.ndim == 2 and x.ndim >= 2 else None
    if kernel.ndim != 2 or x.ndim < 2 or x.shape[-1] != kernel.shape[0] or dout.shape != expected_dout:
        raise ValueError(
            "dense_backward needs x (..., in), kernel (in, units) and dout (..., units) with the same leading "
            f"axes as x; received x {shape_text(x.shape)}, kernel {shape_text(kernel.shape)}, dout "
            f"{shape_text(dout.shape)}"
            + (f" (expected dout {shape_text(expected_dout)})" if expected_dout else "")
            + ". dout must have the shape of the forward output x @ kernel."
        )
    dx = dout @ kernel.T
    flat_x = x.reshape(-1, x.shape[-1])
    flat_dout = dout.reshape(-1, dout.shape[-1])
    dkernel = flat_x.T @ flat_dout
    dbias = flat_dout.sum(axis=0)
    return dx, dkernel, dbias


def activation_backward(name, dout, x, **kwargs):
    """Gradient through an activation: ``dx = dout * f'(x)`` (softmax: the Jacobian-vector product).

    Args:
        name: an activation name (``"relu"``, ``"softmax"``, ...) or one of ``activations``' functions.
        dout: (...) gradient with respect to ``f(x)``.
        x: (...) the pre-activation of the forward pass, same shape as ``dout``.
        **kwargs: the activation's arguments (e.g. ``negative_slope``).

    Returns:
        (...) dx, same shape as ``x``. For softmax over the last axis:
        ``dx = s * (dout - sum(dout * s, axis=-1, keepdims=True))`` with ``s = softmax(x)``.
    """
    dout, x = as_float(dout), as_float(x)
    if dout.shape != x.shape:
        raise ValueError(
            f"activation_backward needs dout and x of the same shape; received dout {shape_text(dout.shape)} "
            f"and x {shape_text(x.shape)}."
        )
    fn = activations.get(name)
    if (name if isinstance(name, str) else activations.name_of(fn)) == "softmax":
        s = activations.softmax(x, **kwargs)
        axis = kwargs.get("axis", -1)
        return s * (dout - np.sum(dout * s, axis=axis, keepdims=True))
    return dout * activations.derivative(name, x, **kwargs)


def softmax_cross_entropy_backward(logits, y_onehot, reduction="sum_over_batch_size"):
    """Gradient of categorical cross-entropy on softmax(logits) with respect to the logits.

    With Keras's default reduction (the loss ``model.fit`` minimises: the mean over the batch of
    ``categorical_crossentropy(y, logits, from_logits=True)``) this is ``(softmax(logits) - y) / N``,
    N being the number of per-sample losses (``batch`` for 2-D logits).

    Args:
        logits: (N, classes) or (..., classes) raw scores.
        y_onehot: same shape, one-hot (or probability) targets.
        reduction: ``"sum_over_batch_size"`` (mean, the default), ``"sum"``, or ``"none"`` (per-sample
            gradients ``softmax(logits) - y``).

    Returns:
        dlogits, same shape as ``logits``.
    """
    logits, y = as_float(logits), as_float(y_onehot)
    if logits.shape != y.shape:
        raise ValueError(
            f"softmax_cross_entropy_backward needs logits and y_onehot of the same shape; received logits "
            f"{shape_text(logits.shape)} and y_onehot {shape_text(y.shape)}. One-hot encode integer labels first."
        )
    grad = activations.softmax(logits) - y
    if reduction == "sum_over_batch_size":
        return grad / grad.dtype.type(max(1, int(np.prod(logits.shape[:-1]))))
    if reduction in ("sum", "none"):
        return grad
    raise ValueError(f"Unknown reduction {reduction!r}; use 'sum_over_batch_size', 'sum' or 'none'.")

