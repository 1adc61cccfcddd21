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


def assign_all(variables, weights, owner, label="name"):
    """Assign ``weights`` (arrays, in order) to ``variables`` after checking the count and every shape.

    Nothing is assigned unless everything fits. ``owner`` names the layer or model in messages, e.g.
    ``"layer 'dense'"``; ``label`` is the Variable attribute that names a weight in them ("name" for a
    layer's own weights, "path" for a model's).

    Raises:
        ValueError: a wrong number of arrays (the message lists the expected weights and shapes), or an
            array whose shape differs from its variable's (it names the index, the variable, the expected
            and the received shapes, and spots a transposed kernel).
    """
    weights = list(weights)
    if len(weights) != len(variables):
        expected = ", ".join(f"{getattr(v, label)} {shape_text(v.shape)}" for v in variables)
        raise ValueError(
            f"You called `set_weights(weights)` on {owner} with a weight list of length {len(weights)}, "
            f"but the {owner.split()[0]} was expecting {len(variables)} weights: "
            f"{expected or 'none yet (build it first: .build(input_shape))'}."
        )
    arrays = [np.asarray(w) for w in weights]
    for index, (variable, value) in enumerate(zip(variables, arrays)):
        if value.shape != variable.shape:
            raise ValueError(
                f"{owner[0].upper()}{owner[1:]} weight {index} ('{getattr(variable, label)}') has shape "
                f"{shape_text(variable.shape)}, which is not compatible with the provided weight shape "
                f"{shape_text(value.shape)}. Pass arrays in get_weights() order with the same shapes"
                + (" (a transposed kernel? use .T)" if value.shape == variable.shape[::-1] else "")
                + "."
            )
    for variable, value in zip(variables, arrays):
        variable.assign(value)


def count_scalars(owner, variables, built):
    """Number of scalars in ``variables``; ValueError (like Keras's) when ``owner`` is not built yet."""
    if not built:
        raise ValueError(
            f"You tried to call `count_params` on layer '{owner}', but the layer isn't built. "
            "You can build it manually via: `layer.build(input_shape)`."
        )
    return int(sum(v.size for v in variables))
