"""``Layer``: the base class with Keras's three seams, config / build / call.

A subclass keeps its configuration in ``__init__``, creates its weights in ``build(input_shape)`` with
``add_weight`` and computes in ``call(inputs, training=False)``. Calling the layer (``layer(x)``) does the
rest, in one place, as ``keras.layers.Layer.__call__`` does:

1. converts ``x`` to an ndarray of the layer's dtype (float32 by default, like Keras);
2. checks ``x`` against ``layer.input_spec`` (minimum rank; after the build, the feature axis), raising
   a ValueError that names the expected and received shapes;
3. builds the layer on first use from ``x.shape`` (lazy weights);
4. runs ``call``.

A second ``build`` of a layer that owns weights is refused like Keras 3 does ("You cannot add new
elements of state ... already built"): the weights' shapes are fixed; make a new layer instead.
"""

import dataclasses
import functools
import warnings

import numpy as np

from fclab.reference import naming
from fclab.reference._arrays import shape_text
from fclab.reference.variables import Variable, assign_all, count_scalars


@dataclasses.dataclass
class InputSpec:
    """What a layer accepts, like ``keras.InputSpec``: a minimum or exact rank, and fixed axis sizes.

    Attributes:
        min_ndim: smallest accepted rank (Dense: 2), or None.
        ndim: exact rank, or None.
        axes: ``{axis: size}``, e.g. ``{-1: 20}`` for a Dense built for 20 features.
    """

    min_ndim: int = None
    ndim: int = None
    axes: dict = dataclasses.field(default_factory=dict)


def normalize_shape(shape):
    """Turn a shape-like (tuple, list, ``TensorShape``) into a tuple of ints and Nones."""
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except TypeError:
        raise ValueError(f"Expected a shape such as (None, 3); received {shape!r}.") from None


def _wrap_build(build):
    """Run a subclass's ``build`` inside the layer's name scope, refuse a rebuild, then mark it built."""

    @functools.wraps(build)
    def wrapper(self, input_shape):
        if getattr(self, "_in_build", False):  # a subclass calling super().build(...)
            return build(self, input_shape)
        input_shape = normalize_shape(input_shape)
        if self.built and self._variables:
            raise self._already_built_error(input_shape)
        self._in_build = True
        try:
            with naming.name_scope(self.name):
                build(self, input_shape)
        finally:
            self._in_build = False
        self.built = True
        self._build_input_shape = input_shape

    wrapper._fclab_wrapped = True
    return wrapper


class Layer:
    """Base class of the reference layers.

    Args:
        name: the layer's name; default: the snake-case class name made unique ("dense", "dense_1", ...).
        trainable: False freezes every weight (they move to ``non_trainable_weights``).
        dtype: the dtype of weights and computation (default float32, like Keras).
        input_shape: deprecated Keras style for a first layer, e.g. ``Dense(2, input_shape=(3,))``; warns
            like Keras and tells to use ``Input(shape)`` instead.

    Attributes:
        name, built, trainable, dtype, input_spec, weights, trainable_weights, non_trainable_weights.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_fclab_wrapped", False):
            cls.build = _wrap_build(build)

    def __init__(self, name=None, trainable=True, dtype="float32", input_shape=None):
        if name is None:
            name = naming.unique_name(naming.to_snake_case(type(self).__name__))
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"A layer name must be a non-empty string without '/'; received name={name!r}.")
        self.name = name
        self.trainable = bool(trainable)
        self.dtype = np.dtype(dtype).name
        self.built = False
        self.input_spec = None
        self._variables = []
        self._build_input_shape = None
        self._input_shape_arg = None
        if input_shape is not None:
            warnings.warn(
                "Do not pass an `input_shape` argument to a layer. When using Sequential models, prefer using "
                "an `Input(shape)` object as the first layer in the model instead.",
                UserWarning,
                stacklevel=3,
            )
            self._input_shape_arg = (None, *normalize_shape(input_shape))

    # --- the three seams ---------------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of ``input_shape`` (e.g. ``(None, in)``). Default: no weights."""

    def call(self, inputs, training=False):
        """The computation on an ndarray ``inputs``; subclasses override it."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(inputs, training=False).")

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape`` (batch may be None). Default: unchanged."""
        return normalize_shape(input_shape)

    def __call__(self, inputs, training=False):
        """Validate ``inputs``, build on first use, then ``call``. Returns an ndarray of ``self.dtype``."""
        x = np.asarray(inputs)
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        self.assert_input_compatible(x.shape)
        if not self.built:
            self.build(x.shape)
        return self.call(x, training=bool(training))

    # --- validation, in one place -----------------------------------------------------------------
    def assert_input_compatible(self, shape):
        """Raise ValueError (Keras's wording plus what to do) if ``shape`` does not fit ``input_spec``."""
        spec = self.input_spec
        if spec is None:
            return
        shape = normalize_shape(shape)
        head = f"Input 0 of layer '{self.name}' is incompatible with the layer: "
        if spec.min_ndim is not None and len(shape) < spec.min_ndim:
            raise ValueError(
                head + f"expected min_ndim={spec.min_ndim}, found ndim={len(shape)}. Full shape received: "
                f"{shape_text(shape)}. Add a batch axis, e.g. x.reshape(1, -1) for one example."
            )
        if spec.ndim is not None and len(shape) != spec.ndim:
            raise ValueError(
                head + f"expected ndim={spec.ndim}, found ndim={len(shape)}. Full shape received: "
                f"{shape_text(shape)}."
            )
        for axis, size in spec.axes.items():
            received = shape[axis] if -len(shape) <= axis < len(shape) else None
            if received is not None and received != size:
                raise ValueError(
                    head + f"expected axis {axis} of input shape to have value {size}, but received input "
                    f"with shape {shape_text(shape)}. Layer '{self.name}' was built for inputs of shape "
                    f"{shape_text(self._build_input_shape or ())}; pass inputs whose axis {axis} is {size}, or "
                    f"create a new layer for inputs with {received} there."
                )

    def _already_built_error(self, input_shape):
        owned = ", ".join(f"{v.name} {shape_text(v.shape)}" for v in self._variables)
        return ValueError(
            "You cannot add new elements of state (variables or sub-layers) to a layer that is already built. "
            f"Layer '{self.name}' was built for input shape {shape_text(self._build_input_shape)} and owns "
            f"{owned}; build({shape_text(input_shape)}) cannot re-create them. Make a new layer instead "
            f"(e.g. {self._constructor_hint()}), or use set_weights(...) to change the values."
        )

    def _constructor_hint(self):
        return f"{type(self).__name__}(...)"

    # --- weights ---------------------------------------------------------------------------------
    def add_weight(self, name, shape, initializer, trainable=True):
        """Create a ``Variable`` of ``shape`` filled by ``initializer`` (call this from ``build``)."""
        if self.built:
            raise self._already_built_error(self._build_input_shape)
        value = initializer(tuple(shape), dtype=self.dtype)
        variable = Variable(value, name=name, path=naming.current_path(name), trainable=trainable, dtype=self.dtype)
        self._variables.append(variable)
        return variable

    @property
    def weights(self):
        """All weight Variables, trainable first (Keras's order)."""
        return [v for v in self._variables if v.trainable] + [v for v in self._variables if not v.trainable]

    @property
    def trainable_weights(self):
        """Variables an optimizer updates (none when ``trainable`` is False)."""
        return [v for v in self.weights if v.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self):
        """Variables an optimizer leaves alone (all of them when ``trainable`` is False)."""
        return self.weights if not self.trainable else [v for v in self.weights if not v.trainable]

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        """Copies of the weights as ndarrays, in ``weights`` order (Dense: [kernel, bias])."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Set every weight from a list of arrays, in ``weights`` order, checking count and shapes.

        Raises:
            ValueError: wrong number of arrays, or an array whose shape differs from its weight's
                (the message names the index, the weight, the expected and the received shapes).
        """
        assign_all(self.weights, weights, f"layer '{self.name}'")

    def count_params(self):
        """Number of scalars in all weights. Raises ValueError before the layer is built (like Keras)."""
        return count_scalars(self.name, self.weights, self.built)

    def get_config(self):
        """The constructor arguments as a dict (names and plain values)."""
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


# Subclasses get their own build wrapped in __init_subclass__; the base class's no-op build is wrapped
# here, so that weightless layers (Activation, Dropout, Flatten) are marked built the same way.
Layer.build = _wrap_build(Layer.build)
