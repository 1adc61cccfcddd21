"""Build the Keras twin of a ``fclab.reference`` layer or model (and back), weights copied.

Supported: ``Dense``, ``Activation``, ``Dropout``, ``BatchNormalization``, ``Flatten`` and a
``Sequential`` of those. Anything else raises ``TypeError("not supported: ...; supported: ...")``.

Names are carried over (``reference.Dense(name="hidden")`` becomes ``keras.layers.Dense(name="hidden")``)
so that variable paths such as ``sequential/hidden/kernel`` match on both sides. A built object gives a
built twin holding copies of its weights; an unbuilt one gives an unbuilt twin with the same
configuration (initializers included), which draws its own weights when first called.
"""

import functools
import inspect

import numpy as np

from fclab import _tf
from fclab import reference

SUPPORTED = ("Dense", "Activation", "Dropout", "BatchNormalization", "Flatten", "Sequential")


def _not_supported(obj, side):
    return TypeError(
        f"not supported: {type(obj).__name__} ({side}); supported: {', '.join(SUPPORTED)} (a Sequential of "
        "the others). To check it anyway, build its twin by hand and call compare(ref, keras_obj, x)."
    )


# --- activations ----------------------------------------------------------------------------------


def _activation_to_keras(fn):
    """Keras activation for a reference activation function (or a functools.partial of one)."""
    keras = _tf.keras()
    kwargs = {}
    if isinstance(fn, functools.partial):
        fn, kwargs = fn.func, dict(fn.keywords)
    name = reference.activations.name_of(fn)
    if name is None:
        raise ValueError(
            f"not supported: activation {fn!r}; supported: {', '.join(reference.activations.NAMES)} "
            "(from fclab.reference.activations, optionally wrapped in functools.partial)."
        )
    keras_fn = getattr(keras.activations, name)
    return functools.partial(keras_fn, **kwargs) if kwargs else name


def _activation_from_keras(fn):
    """Reference activation for a Keras activation function (or a functools.partial of one)."""
    keras = _tf.keras()
    kwargs = {}
    if isinstance(fn, functools.partial):
        fn, kwargs = fn.func, dict(fn.keywords)
    for name in reference.activations.NAMES:
        if fn is getattr(keras.activations, name):
            ref_fn = reference.activations.get(name)
            return functools.partial(ref_fn, **kwargs) if kwargs else name
    raise ValueError(
        f"not supported: activation {getattr(fn, '__name__', fn)!r}; supported: "
        f"{', '.join(reference.activations.NAMES)}."
    )


def _initializer_to_keras(init):
    keras = _tf.keras()
    return getattr(keras.initializers, type(init).__name__)(**init.get_config())


def _initializer_from_keras(init):
    cls = getattr(reference.initializers, type(init).__name__, None)
    if not (isinstance(cls, type) and issubclass(cls, reference.initializers.Initializer)):
        raise ValueError(
            f"not supported: initializer {type(init).__name__}; supported: GlorotUniform, GlorotNormal, "
            "HeUniform, HeNormal, RandomNormal, Zeros, Ones."
        )
    accepted = inspect.signature(cls).parameters
    config = {key: value for key, value in init.get_config().items() if key in accepted}
    if not isinstance(config.get("seed"), (int, type(None))):
        config["seed"] = None  # a Keras SeedGenerator: the weights are copied anyway
    return cls(**config)


# --- layers: configuration only ---------------------------------------------------------------------


def _layer_to_keras(layer):
    keras = _tf.keras()
    if not isinstance(layer, reference.Layer):
        raise _not_supported(layer, "expected a fclab.reference layer")
    name = layer.name
    if isinstance(layer, reference.Dense):
        return keras.layers.Dense(
            layer.units,
            activation=_activation_to_keras(layer.activation),
            use_bias=layer.use_bias,
            kernel_initializer=_initializer_to_keras(layer.kernel_initializer),
            bias_initializer=_initializer_to_keras(layer.bias_initializer),
            name=name,
        )
    if isinstance(layer, reference.Activation):
        return keras.layers.Activation(_activation_to_keras(layer.activation), name=name)
    if isinstance(layer, reference.Dropout):
        return keras.layers.Dropout(layer.rate, noise_shape=layer.noise_shape, seed=layer.seed, name=name)
    if isinstance(layer, reference.BatchNormalization):
        return keras.layers.BatchNormalization(
            axis=layer.axis,
            momentum=layer.momentum,
            epsilon=layer.epsilon,
            center=layer.center,
            scale=layer.scale,
            name=name,
        )
    if isinstance(layer, reference.Flatten):
        return keras.layers.Flatten(name=name)
    raise _not_supported(layer, "a fclab.reference layer")


def _layer_from_keras(layer):
    keras = _tf.keras()
    if not isinstance(layer, keras.layers.Layer):
        raise _not_supported(layer, "expected a Keras layer")
    name = layer.name
    if isinstance(layer, keras.layers.Dense):
        return reference.Dense(
            layer.units,
            activation=_activation_from_keras(layer.activation),
            use_bias=layer.use_bias,
            kernel_initializer=_initializer_from_keras(layer.kernel_initializer),
            bias_initializer=_initializer_from_keras(layer.bias_initializer),
            name=name,
        )
    if isinstance(layer, keras.layers.Activation):
        return reference.Activation(_activation_from_keras(layer.activation), name=name)
    if isinstance(layer, keras.layers.Dropout):
        return reference.Dropout(layer.rate, noise_shape=layer.noise_shape, seed=layer.seed, name=name)
    if isinstance(layer, keras.layers.BatchNormalization):
        _refuse_option(layer, "renorm", not layer.renorm, "False")
        _refuse_option(layer, "synchronized", not layer.synchronized, "False")
        return reference.BatchNormalization(
            axis=layer.axis,
            momentum=layer.momentum,
            epsilon=layer.epsilon,
            center=layer.center,
            scale=layer.scale,
            name=name,
        )
    if isinstance(layer, keras.layers.Flatten):
        return reference.Flatten(name=name)
    raise _not_supported(layer, "a Keras layer")


def _refuse_option(layer, option, ok, supported):
    """Raise when a Keras layer uses an option its reference twin does not model."""
    if not ok:
        raise TypeError(
            f"not supported: {type(layer).__name__}({option}={getattr(layer, option)!r}); the "
            f"fclab.reference twin supports only {option}={supported}. Use that value to compare."
        )


# --- weights ------------------------------------------------------------------------------------------


def _copy_weights(source, target):
    """Copy ``source``'s weights into ``target`` by variable name (kernel, bias, gamma, ...)."""
    names_in = [w.name for w in source.weights]
    names_out = [w.name for w in target.weights]
    if names_in != names_out:
        raise ValueError(
            f"Cannot copy the weights of {source.name!r}: its variables are {names_in} but its twin's are "
            f"{names_out}; expected the same names in the same order."
        )
    target.set_weights([np.array(w) for w in source.get_weights()])


def _build_shape(layer):
    """A shape to build a standalone twin for, read off the built layer's input spec.

    Dense: ``(None, in)``; BatchNormalization: the rank it was built for, its feature axis filled in.
    Only the sizes the weights depend on are given; the other axes are None.
    """
    spec = layer.input_spec
    if spec is None or not layer.weights:
        return None
    shape = [None] * (spec.ndim or spec.min_ndim or 2)
    for axis, size in (spec.axes or {}).items():
        shape[axis] = size
    return tuple(shape)


# --- public API ---------------------------------------------------------------------------------------


def to_keras(ref):
    """Return the Keras twin of a ``fclab.reference`` layer or Sequential, with copied weights.

    Args:
        ref: ``reference.Dense``, ``Activation``, ``Dropout``, ``BatchNormalization``, ``Flatten`` or a
            ``reference.Sequential`` of those.

    Returns:
        a ``keras.layers.Layer`` or ``keras.Sequential`` (built, holding the same weights, when ``ref`` is).

    Raises:
        TypeError: "not supported: <type> ...; supported: ..." for anything else.
    """
    keras = _tf.keras()
    if isinstance(ref, reference.Sequential):
        layers = [_layer_to_keras(layer) for layer in ref.layers]
        input_shape = ref.input_shape if ref.built else None
        if input_shape is None:
            return keras.Sequential(layers, name=ref.name)
        model = keras.Sequential([keras.Input(shape=tuple(input_shape[1:]))] + layers, name=ref.name)
        for ref_layer, keras_layer in zip(ref.layers, model.layers):
            _copy_weights(ref_layer, keras_layer)
        return model
    return _built_like(ref, _layer_to_keras(ref))


def from_keras(layer_or_model):
    """Return the ``fclab.reference`` twin of a Keras layer or Sequential, with copied weights.

    Args:
        layer_or_model: ``keras.layers.Dense``, ``Activation``, ``Dropout``, ``BatchNormalization``,
            ``Flatten`` or a ``keras.Sequential`` of those.

    Returns:
        a ``reference`` layer or ``reference.Sequential`` (built, holding the same weights, when the
        Keras object is).

    Raises:
        TypeError: "not supported: <type> ...; supported: ..." for anything else (including functional
            models, subclassed models and layer options the reference does not model).
    """
    keras = _tf.keras()
    if isinstance(layer_or_model, keras.Sequential):
        model = layer_or_model
        layers = [_layer_from_keras(layer) for layer in model.layers]
        input_shape = _keras_input_shape(model)
        if input_shape is None:
            return reference.Sequential(layers, name=model.name)
        twin = reference.Sequential([reference.Input(shape=tuple(input_shape[1:]))] + layers, name=model.name)
        for keras_layer, ref_layer in zip(model.layers, twin.layers):
            _copy_weights(keras_layer, ref_layer)
        return twin
    if isinstance(layer_or_model, keras.Model):
        raise _not_supported(layer_or_model, "a Keras model other than keras.Sequential")
    return _built_like(layer_or_model, _layer_from_keras(layer_or_model))


def _built_like(source, twin):
    """Build ``twin`` (a layer of the other kind) for ``source``'s input shape and copy its weights.

    An unbuilt ``source`` gives an unbuilt ``twin``. Returns ``twin``.
    """
    shape = _build_shape(source) if source.built else None
    if shape is not None:
        twin.build(shape)
        _copy_weights(source, twin)
    return twin


def _keras_input_shape(model):
    if not model.built:
        return None
    try:
        return tuple(model.input_shape)
    except (AttributeError, ValueError):
        return None
