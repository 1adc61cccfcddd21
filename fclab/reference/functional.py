"""The dense (fully-connected) layer as one function: ``activation(x @ kernel + bias)``.

This is what ``keras.layers.Dense`` computes, written with numpy. It acts on the LAST axis of ``x`` for
any rank >= 2: an input of shape ``(2, 5, 16)`` with a kernel ``(16, 32)`` gives ``(2, 5, 32)``. Keras does
not flatten the leading axes; use ``Flatten`` for that.
"""

import numpy as np

from fclab.reference import activations
from fclab.reference._arrays import as_float, shape_text


def dense(x, kernel, bias=None, activation=None):
    """Compute ``activation(x @ kernel + bias)`` on the last axis.

    Example (the 2×3 @ 3×2 + 2 case, out[i, j] = sum_k x[i, k] * kernel[k, j] + bias[j])::

        >>> x = np.array([[1., 2., 3.], [4., 5., 6.]], dtype="float32")
        >>> kernel = np.array([[1., 0.], [0., 1.], [1., 1.]], dtype="float32")
        >>> dense(x, kernel, np.array([0.5, -1.], dtype="float32"))
        array([[ 4.5,  4. ],
               [10.5, 10. ]], dtype=float32)

    Args:
        x: (..., in) input; rank >= 2, e.g. (batch, in).
        kernel: (in, units) weight matrix (Keras's ``kernel``: rows are inputs, columns are units).
        bias: (units,) or None for no bias.
        activation: a name from ``activations.NAMES``, a function, or None (linear).

    Returns:
        (..., units) array; float32 for float32 inputs.

    Raises:
        ValueError: when ``x`` has rank < 2, ``kernel`` is not 2-D, the last axis of ``x`` is not
            ``kernel.shape[0]``, or ``bias`` is not ``(units,)``; the message names all shapes involved.
    """
    x = as_float(x)
    kernel = as_float(kernel)
    act = activations.get(activation)
    if kernel.ndim != 2:
        raise ValueError(
            f"kernel must be 2-D with shape (in, units); received kernel of shape {shape_text(kernel.shape)}. "
            "A Dense kernel has one row per input feature and one column per unit."
        )
    if x.ndim < 2:
        raise ValueError(
            f"x must have rank >= 2, shape (batch, in) or (..., in); received x of shape {shape_text(x.shape)}. "
            f"Add a batch axis, e.g. x[None, :] or x.reshape(1, -1) for a single example with kernel "
            f"{shape_text(kernel.shape)}."
        )
    if x.shape[-1] != kernel.shape[0]:
        hint = (
            " The kernel looks transposed: use kernel.T."
            if x.shape[-1] == kernel.shape[1]
            else ""
        )
        raise ValueError(
            f"x @ kernel needs the last axis of x to equal kernel.shape[0]: x has shape {shape_text(x.shape)} "
            f"({x.shape[-1]} features) but kernel has shape {shape_text(kernel.shape)} ({kernel.shape[0]} "
            f"input rows). Expected kernel of shape ({x.shape[-1]}, units) or x of shape (..., "
            f"{kernel.shape[0]}).{hint}"
        )
    out = np.matmul(x, kernel)
    if bias is not None:
        bias = as_float(bias)
        if bias.shape != (kernel.shape[1],):
            raise ValueError(
                f"bias must have shape (units,) = ({kernel.shape[1]},) to match kernel "
                f"{shape_text(kernel.shape)}; received bias of shape {shape_text(bias.shape)}."
            )
        out = out + bias
    return act(out)
