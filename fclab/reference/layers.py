"""The reference layers: ``Dense``, ``Activation``, ``Dropout``, ``BatchNormalization``, ``Flatten``.

Each is the numpy twin of the ``keras.layers`` class of the same name: same constructor arguments (the
ones this course uses), same weights (names, shapes, order of ``get_weights``), same results. The shared
machinery (lazy build, input checks, weights, ``set_weights``) lives in ``base_layer.Layer``.

Shapes: ``x`` is ``(batch, in)`` or more generally ``(..., in)``; Dense's ``kernel`` is ``(in, units)``
and ``bias`` ``(units,)``.
"""

import math

import numpy as np

from fclab.reference import activations, initializers
from fclab.reference._arrays import shape_text
from fclab.reference.base_layer import InputSpec, Layer, normalize_shape
from fclab.reference.functional import dense

__all__ = ["Layer", "InputSpec", "Dense", "Activation", "Dropout", "BatchNormalization", "Flatten"]


def _activation_name(fn):
    return activations.name_of(fn) or getattr(fn, "__name__", repr(fn))


def _initializer_name(init):
    return initializers.name_of(init) or repr(init)


class Dense(Layer):
    """Fully-connected layer: ``outputs = activation(inputs @ kernel + bias)``, like ``keras.layers.Dense``.

    The weights are created lazily, by ``build(input_shape)`` or on the first call, because the number of
    input features is known only then. For inputs of rank > 2 it acts on the LAST axis:
    ``(batch, d1, in) -> (batch, d1, units)`` (Keras does not flatten; add ``Flatten`` for that).

    Args:
        units: positive int, the number of outputs.
        activation: a name from ``activations.NAMES``, a function, or None (linear).
        use_bias: whether to add ``bias``.
        kernel_initializer: name or initializer (default ``"glorot_uniform"``).
        bias_initializer: name or initializer (default ``"zeros"``).
        name: default "dense", "dense_1", ...
        seed: int seed for the kernel initializer when it is given by name (reproducible weights).
        **kwargs: ``trainable``, ``dtype``, ``input_shape`` (see ``Layer``).

    Attributes:
        kernel: Variable (in, units), after the build.
        bias: Variable (units,), after the build (None when ``use_bias=False``).
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        name=None,
        seed=None,
        **kwargs,
    ):
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. Received: units={units!r}"
            )
        super().__init__(name=name, **kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.seed = seed
        self.kernel_initializer = initializers.get(kernel_initializer, seed=seed)
        self.bias_initializer = initializers.get(bias_initializer)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        """Create ``kernel`` (in, units) and ``bias`` (units,) for inputs of shape ``(..., in)``."""
        if len(input_shape) < 1 or input_shape[-1] is None:
            raise ValueError(
                f"Dense needs to know the number of input features (the last axis) to build; received "
                f"input_shape={shape_text(input_shape)}. Use e.g. build((None, 3)) or Input(shape=(3,))."
            )
        self._kernel = self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)
        self._bias = self.add_weight("bias", (self.units,), self.bias_initializer) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})

    @property
    def kernel(self):
        """The (in, units) weight Variable. AttributeError before the build, like Keras."""
        if not self.built:
            raise AttributeError(
                "You must build the layer before accessing 'kernel' (Keras: `kernel`): its shape (in, units) "
                f"needs the number of input features. Call {self.name}.build((None, in)) or call the layer on "
                "an input first; `layer.built` tells whether it is built."
            )
        return self._kernel

    @property
    def bias(self):
        """The (units,) bias Variable, or None with ``use_bias=False``. AttributeError before the build."""
        if not self.built:
            raise AttributeError(
                f"You must build the layer before accessing 'bias': layer '{self.name}' is not built yet. "
                "Call layer.build(input_shape) or call the layer on an input first."
            )
        return self._bias

    def call(self, inputs, training=False):
        return dense(inputs, self._kernel, None if self._bias is None else self._bias, self.activation)

    def compute_output_shape(self, input_shape):
        return normalize_shape(input_shape)[:-1] + (self.units,)

    def _constructor_hint(self):
        return f"Dense({self.units})"

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": _activation_name(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _initializer_name(self.kernel_initializer),
            "bias_initializer": _initializer_name(self.bias_initializer),
            "seed": self.seed,
        }


class Activation(Layer):
    """Applies an activation function elementwise (softmax: over the last axis); no weights.

    Args:
        activation: a name from ``activations.NAMES`` or a function.
        name: default "activation", "activation_1", ...
    """

    def __init__(self, activation, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs, training=False):
        return np.asarray(self.activation(inputs), dtype=self.dtype)

    def get_config(self):
        return {**super().get_config(), "activation": _activation_name(self.activation)}


class Dropout(Layer):
    """Randomly zeroes inputs during training and scales the rest by ``1 / (1 - rate)``.

    ``layer(x, training=True)``: each entry is kept with probability ``1 - rate`` (then multiplied by
    ``1 / (1 - rate)``, so the expected value is unchanged) or set to 0. ``layer(x)`` (inference, the
    default) returns ``x`` unchanged. Every training call draws a new mask from a numpy Generator created
    from ``seed``: the sequence of masks is reproducible for a fixed seed. (Keras draws its masks with its
    own generator, so the masks themselves differ from Keras's; the statistics are the same. Keras also
    lists its generator's state, ``seed_generator_state``, among ``model.variables``; this twin has no
    such variable and no weights at all.)

    Args:
        rate: float in [0, 1], the fraction dropped (rate 1 gives zeros, as in Keras).
        noise_shape: optional shape of the mask, broadcast to the input (None entries: the input's size).
        seed: int or None.
        name: default "dropout", "dropout_1", ...
    """

    def __init__(self, rate, noise_shape=None, seed=None, name=None, **kwargs):
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) or not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                f"Received: rate={rate!r}. rate is the fraction of units dropped, e.g. Dropout(0.5)."
            )
        super().__init__(name=name, **kwargs)
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else normalize_shape(noise_shape)
        self.seed = seed
        self.generator = np.random.default_rng(seed)

    def call(self, inputs, training=False):
        if not training or self.rate == 0.0:
            return inputs
        if self.rate == 1.0:
            return np.zeros_like(inputs)
        mask_shape = inputs.shape
        if self.noise_shape is not None:
            if len(self.noise_shape) != inputs.ndim:
                raise ValueError(
                    f"noise_shape {shape_text(self.noise_shape)} must have the rank of the input "
                    f"{shape_text(inputs.shape)}."
                )
            mask_shape = tuple(n if d is None else d for d, n in zip(self.noise_shape, inputs.shape))
        keep = self.generator.random(mask_shape) >= self.rate
        scale = inputs.dtype.type(1.0 / (1.0 - self.rate))
        return np.where(keep, inputs * scale, inputs.dtype.type(0))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape}


class BatchNormalization(Layer):
    """Normalises each feature: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``, like Keras.

    Training (``layer(x, training=True)``): ``mean`` and ``var`` are the batch's, over every axis but
    ``axis`` (the biased variance, divided by N as Keras does), and the moving statistics move toward them::

        moving_mean     = momentum * moving_mean     + (1 - momentum) * mean
        moving_variance = momentum * moving_variance + (1 - momentum) * var

    Inference (the default): ``mean = moving_mean``, ``var = moving_variance``. These start at 0 and 1,
    so with momentum 0.99 an early model is barely normalised at inference: a common surprise.
    A layer with ``trainable=False`` uses the moving statistics even in training (Keras 3 does too).

    Args:
        axis: the feature axis (default -1).
        momentum: weight of the old moving statistics (default 0.99).
        epsilon: added to the variance (default 1e-3, Keras's; not 1e-5).
        center / scale: whether to use ``beta`` / ``gamma``.
        name: default "batch_normalization", "batch_normalization_1", ...

    Weights (in ``get_weights`` order): gamma (C,), beta (C,) trainable; moving_mean (C,),
    moving_variance (C,) non-trainable; C = ``input_shape[axis]``.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, name=None, **kwargs):
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1]; received momentum={momentum}.")
        if epsilon <= 0:
            raise ValueError(f"epsilon must be positive; received epsilon={epsilon}.")
        super().__init__(name=name, **kwargs)
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        """Create gamma, beta, moving_mean, moving_variance of shape ``(input_shape[axis],)``."""
        if not -len(input_shape) <= self.axis < len(input_shape) or input_shape[self.axis] is None:
            raise ValueError(
                f"BatchNormalization(axis={self.axis}) needs a known size on that axis; received input_shape="
                f"{shape_text(input_shape)}."
            )
        shape = (input_shape[self.axis],)
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, initializers.Ones())
        if self.center:
            self.beta = self.add_weight("beta", shape, initializers.Zeros())
        self.moving_mean = self.add_weight("moving_mean", shape, initializers.Zeros(), trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape, initializers.Ones(), trainable=False)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: input_shape[self.axis]})

    def _reduction_axes(self, ndim):
        axis = self.axis % ndim
        return tuple(a for a in range(ndim) if a != axis)

    def _broadcast(self, v, ndim):
        shape = [1] * ndim
        shape[self.axis] = -1
        return np.reshape(v, shape)

    def call(self, inputs, training=False):
        ndim = inputs.ndim
        if training and self.trainable:
            axes = self._reduction_axes(ndim)
            # Sums accumulate in float64 and are rounded once: numpy's float32 running sum over the batch
            # axes would drift from TensorFlow's tree-shaped reductions by a few ulps of the mean.
            mean = inputs.mean(axis=axes, dtype=np.float64, keepdims=True).astype(inputs.dtype)
            variance = np.square(inputs - mean).mean(axis=axes, dtype=np.float64).astype(inputs.dtype)
            mean = mean.reshape(-1)
            m = inputs.dtype.type(self.momentum)
            self.moving_mean.assign(self.moving_mean.value * m + mean * (1 - m))
            self.moving_variance.assign(self.moving_variance.value * m + variance * (1 - m))
        else:
            mean, variance = self.moving_mean.value, self.moving_variance.value
        # Same arrangement as Keras: x * inv + (beta - mean * inv), inv = gamma / sqrt(var + eps).
        inv = 1.0 / np.sqrt(variance + inputs.dtype.type(self.epsilon))
        if self.gamma is not None:
            inv = inv * self.gamma.value
        offset = -mean * inv
        if self.beta is not None:
            offset = offset + self.beta.value
        out = inputs * self._broadcast(inv, ndim) + self._broadcast(offset, ndim)
        return out.astype(inputs.dtype, copy=False)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
        }


class Flatten(Layer):
    """Reshapes ``(batch, d1, ..., dk)`` to ``(batch, d1 * ... * dk)``; ``(batch,)`` becomes ``(batch, 1)``."""

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs, training=False):
        return inputs.reshape(inputs.shape[0], -1) if inputs.ndim != 1 else inputs.reshape(-1, 1)

    def compute_output_shape(self, input_shape):
        input_shape = normalize_shape(input_shape)
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))
