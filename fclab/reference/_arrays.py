"""Small array helpers shared by the reference modules (dtype policy and shape text).

The dtype policy is Keras's: floating inputs keep their dtype (float32 in gives float32 out, float64 in
gives float64 out, which gradient checks need); anything else (ints, bools, lists of Python numbers) becomes
float32, Keras's default ``floatx``.
"""

import numpy as np

FLOATX = "float32"


def as_float(x):
    """Return ``x`` as a floating ndarray without copying when it already is one.

    Args:
        x: array-like of any shape.

    Returns:
        ndarray of the same shape; float dtypes are kept, everything else becomes float32.
    """
    array = np.asarray(x)
    if np.issubdtype(array.dtype, np.floating):
        return array
    return array.astype(FLOATX)


def shape_text(shape):
    """Format a shape like Keras prints it: ``(None, 3)``, ``(4, 12)``, ``(5,)``."""
    dims = tuple(None if d is None else int(d) for d in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"
