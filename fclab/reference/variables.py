"""``Variable``: a named, mutable ndarray, the numpy twin of ``keras.Variable``.

A layer's weights are Variables: ``layer.kernel.path == "sequential/dense/kernel"``,
``layer.kernel.name == "kernel"``, ``layer.kernel.numpy()`` is a copy of its values (a snapshot, as in
Keras: it does not change when training changes the variable). A Variable works wherever an array does
(``x @ layer.kernel``, ``v.shape``, ``v.T``, ``v[0]``); the result of arithmetic is a plain ndarray, as with
Keras variables. ``v.value`` (and ``np.asarray(v)``) is the live array itself, which optimizers update in
place.
"""

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from fclab.reference._arrays import shape_text


def _unwrap(value):
    return value._value if isinstance(value, Variable) else value


class Variable(NDArrayOperatorsMixin):
    """A named array with a Keras-style ``path``.

    Args:
        value: the initial array (copied, cast to ``dtype``).
        name: short name, e.g. ``"kernel"``.
        path: full path, e.g. ``"sequential/dense/kernel"`` (defaults to ``name``).
        trainable: whether an optimizer updates it (False for BatchNormalization's moving statistics).
        dtype: defaults to ``value``'s dtype when it is floating, else float32.

    Attributes:
        name, path, trainable, shape, dtype, ndim, size.
    """

    __hash__ = object.__hash__  # identity, so Variables can key dicts (== is elementwise, like arrays)

    def __init__(self, value, name, path=None, trainable=True, dtype=None):
        value = np.asarray(_unwrap(value))
        if dtype is None:
            dtype = value.dtype if np.issubdtype(value.dtype, np.floating) else np.dtype("float32")
        self._value = np.array(value, dtype=dtype, copy=True)
        self.name = name
        self.path = path or name
        self.trainable = bool(trainable)

    # --- the array -------------------------------------------------------------------------------
    @property
    def value(self):
        """The live ndarray (mutating it changes the variable; ``numpy()`` gives a copy)."""
        return self._value

    def numpy(self):
        """A copy of the values, like ``keras.Variable.numpy()``: later updates do not change it."""
        return self._value.copy()

    def assign(self, value):
        """Replace the contents with ``value`` (same shape required); returns the variable.

        Raises:
            ValueError: if the shapes differ; the message names both.
        """
        value = np.asarray(_unwrap(value))
        if value.shape != self._value.shape:
            raise ValueError(
                f"Cannot assign a value of shape {shape_text(value.shape)} to variable '{self.path}' of shape "
                f"{shape_text(self._value.shape)}. A layer's weight shapes are fixed when it is built; reshape "
                "the value or make a new layer."
            )
        self._value[...] = value
        return self

    def assign_add(self, delta):
        """``v += delta`` in place; returns the variable."""
        return self.assign(self._value + np.asarray(_unwrap(delta)))

    def assign_sub(self, delta):
        """``v -= delta`` in place; returns the variable."""
        return self.assign(self._value - np.asarray(_unwrap(delta)))

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def size(self):
        return self._value.size

    @property
    def T(self):
        return self._value.T

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return iter(self._value)

    def __getitem__(self, index):
        return self._value[index]

    def __setitem__(self, index, value):
        self._value[index] = _unwrap(value)

    def __array__(self, dtype=None, copy=None):
        if dtype is None and not copy:
            return self._value
        return np.array(self._value, dtype=dtype, copy=True)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(_unwrap(i) for i in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(_unwrap(o) for o in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __float__(self):
        return float(self._value)

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={shape_text(self.shape)}, dtype={self.dtype}, "
            f"value={np.array2string(self._value)}>"
        )
