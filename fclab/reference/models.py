"""``Input`` and ``Sequential``: a stack of reference layers, the numpy twin of ``keras.Sequential``.

>>> from fclab.reference import Input, Sequential, Dense
>>> model = Sequential([Input(shape=(3,)), Dense(2), Dense(2), Dense(2)])
>>> model.count_params()            # (3*2 + 2) + (2*2 + 2) + (2*2 + 2) = 8 + 6 + 6
20

Starting with ``Input(shape)`` builds every layer at once (Keras 3 style); without it the model is
built on the first call or by ``model.build((None, in))``. Variables are created inside the model's
name scope, so their ``path`` is ``"<model>/<layer>/<weight>"`` as in Keras.
"""

import numpy as np

from fclab.reference import naming
from fclab.reference._arrays import shape_text
from fclab.reference.base_layer import Layer, normalize_shape
from fclab.reference.summary import summary_text
from fclab.reference.variables import assign_all, count_scalars


class Input:
    """The input of a model: ``Input(shape=(3,))`` stands for a batch of shape ``(None, 3)``.

    Args:
        shape: shape of ONE example, without the batch axis, e.g. ``(3,)`` or ``(28, 28)``.
        name: default "input_layer", "input_layer_1", ...
        dtype: default float32.

    Attributes:
        shape: ``(None, *shape)``; the batch size is left open (None).
    """

    def __init__(self, shape, name=None, dtype="float32"):
        if isinstance(shape, int):
            raise ValueError(
                f"Input(shape=...) takes a tuple: use Input(shape=({shape},)) for {shape} features; "
                f"received shape={shape!r}."
            )
        self.shape = (None, *normalize_shape(shape))
        self.name = name or naming.unique_name("input_layer")
        self.dtype = np.dtype(dtype).name

    def __repr__(self):
        return f"<Input name={self.name}, shape={shape_text(self.shape)}>"


class Sequential:
    """A linear stack of layers: ``model(x)`` is ``layers[-1](... layers[0](x))``.

    Args:
        layers: optional list of layers, optionally starting with ``Input(shape)``.
        name: default "sequential", "sequential_1", ...
        trainable: False freezes every layer.

    Attributes:
        layers: the layers (without the Input), name, built, input_shape, output_shape,
        variables / trainable_variables / non_trainable_variables (Keras's names) and the
        weights / trainable_weights / non_trainable_weights aliases.
    """

    def __init__(self, layers=None, name=None, trainable=True):
        self.name = name or naming.unique_name("sequential")
        self._layers = []
        self._input_shape = None
        self._output_shapes = None
        self.built = False
        self._trainable = bool(trainable)
        for layer in layers or ():
            self.add(layer)

    # --- assembling -------------------------------------------------------------------------------
    def add(self, layer):
        """Append a layer (or, first, an ``Input``); builds it at once when the input shape is known."""
        if isinstance(layer, Input):
            if self._layers or self._input_shape is not None:
                raise ValueError(
                    f"Input(shape=...) can only be the first element of a Sequential model; model '{self.name}' "
                    f"already has {len(self._layers)} layer(s) or an input shape {shape_text(self._input_shape or ())}."
                )
            self._input_shape = layer.shape
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Only instances of fclab.reference layers (Dense, Activation, Dropout, BatchNormalization, "
                f"Flatten, or a Layer subclass) can be added to a Sequential model. Received: {layer!r} "
                f"(of type {type(layer).__name__})."
            )
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the `name` argument "
                "to pass a unique name."
            )
        if not self._layers and self._input_shape is None and layer._input_shape_arg is not None:
            self._input_shape = layer._input_shape_arg
        self._layers.append(layer)
        if self._input_shape is not None:
            try:
                self._build_layers(self._input_shape)
            except Exception:
                self._layers.pop()
                raise

    def pop(self):
        """Remove and return the last layer."""
        if not self._layers:
            raise TypeError(f"There are no layers in model '{self.name}' to pop.")
        layer = self._layers.pop()
        if self._output_shapes is not None:
            self._output_shapes = self._output_shapes[: len(self._layers)]
        return layer

    def build(self, input_shape=None):
        """Build every layer for inputs of ``input_shape``, e.g. ``(None, 3)`` (batch None).

        Raises:
            ValueError: without an input shape (and no ``Input``), or when a layer already built for
                another shape does not fit.
        """
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError(
                f"You must provide an `input_shape` argument to build model '{self.name}', e.g. "
                "model.build((None, 3)) for 3 features, or start the model with Input(shape=(3,))."
            )
        self._build_layers(normalize_shape(input_shape))

    def _build_layers(self, input_shape):
        shape = input_shape
        shapes = []
        with naming.name_scope(self.name):
            for layer in self._layers:
                layer.assert_input_compatible(shape)
                if not layer.built:
                    layer.build(shape)
                shape = layer.compute_output_shape(shape)
                shapes.append(shape)
        self._input_shape = input_shape
        self._output_shapes = shapes
        self.built = True

    # --- running ----------------------------------------------------------------------------------
    def __call__(self, inputs, training=False):
        """Run the layers in order. x: (batch, ...) -> (batch, ...) as ``output_shape`` says.

        ``training=True`` is passed to every layer (Dropout drops, BatchNormalization uses batch
        statistics and updates its moving ones).
        """
        x = np.asarray(inputs)
        expected = self._input_shape
        if expected is not None and len(expected) == x.ndim:
            if any(e is not None and e != r for e, r in zip(expected[1:], x.shape[1:])):
                raise ValueError(
                    f"Input 0 of model '{self.name}' is incompatible with the model: expected shape "
                    f"{shape_text(expected)}, but received input with shape {shape_text(x.shape)}. Pass "
                    f"inputs whose shape after the batch axis is {shape_text(expected[1:])}."
                )
        if not self.built:
            self.build(x.shape)  # Keras keeps the batch size of the first call in the summary
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    def predict(self, x, batch_size=None, verbose=0):
        """Inference on ``x`` (``training=False``), in batches of ``batch_size`` when given."""
        x = np.asarray(x)
        if batch_size is None or len(x) <= batch_size:
            return self(x)
        return np.concatenate([self(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])

    def compute_output_shape(self, input_shape):
        """Shape after the last layer for ``input_shape`` (does not build anything)."""
        shape = normalize_shape(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def layer_output_shapes(self):
        """Output shape of each layer (batch None) once built, else None."""
        return None if self._output_shapes is None else list(self._output_shapes)

    # --- structure -----------------------------------------------------------------------------------
    @property
    def layers(self):
        return list(self._layers)

    @property
    def input_shape(self):
        """``(None, in)`` once known (from Input, build or the first call), else None."""
        return self._input_shape

    @property
    def output_shape(self):
        if not self._output_shapes:
            raise AttributeError(f"Model '{self.name}' has no output shape until it is built.")
        return self._output_shapes[-1]

    def get_layer(self, name=None, index=None):
        """A layer by name or by index."""
        if index is not None:
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: {[l.name for l in self._layers]}.")

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = self._trainable

    # --- weights ---------------------------------------------------------------------------------------
    @property
    def weights(self):
        """All Variables, layer by layer (each layer's trainable ones first)."""
        return [v for layer in self._layers for v in layer.weights]

    @property
    def trainable_weights(self):
        return [v for layer in self._layers for v in layer.trainable_weights] if self._trainable else []

    @property
    def non_trainable_weights(self):
        if not self._trainable:
            return self.weights
        return [v for layer in self._layers for v in layer.non_trainable_weights]

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        """Copies of all weights as ndarrays, in ``weights`` order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Set all weights from a list of arrays in ``weights`` order; checks the count and every shape."""
        assign_all(self.weights, weights, f"model '{self.name}'", label="path")

    def count_params(self):
        """Total number of scalars in all weights (ValueError before the build, like Keras)."""
        return count_scalars(self.name, self.weights, self.built)

    def summary(self, print_fn=print):
        """Print Keras's summary table: name (type), output shape (batch None), params, and totals.

        An unbuilt model shows "?" shapes and "0 (unbuilt)" params, like Keras.
        ``print_fn`` receives the whole text in one call.
        """
        print_fn(summary_text(self))

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self._trainable,
            "input_shape": self._input_shape,
            "layers": [{"class_name": type(l).__name__, "config": l.get_config()} for l in self._layers],
        }

    def __repr__(self):
        return f"<Sequential name={self.name}, built={self.built}>"
