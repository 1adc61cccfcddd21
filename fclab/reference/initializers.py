"""Weight initializers with Keras's names and formulas, seeded with numpy Generators.

For a kernel of shape ``(fan_in, fan_out)`` (Dense: ``(in, units)``) Keras's variance-scaling family
draws with ``scale / n`` where ``n`` is ``fan_in``, ``fan_out`` or their mean:

=================  ========  ==========  =====================================================
class              scale     n           distribution
=================  ========  ==========  =====================================================
``GlorotUniform``  1         fan avg     uniform(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))
``GlorotNormal``   1         fan avg     normal truncated at 2 sigma, sigma = sqrt(2 / (fan_in + fan_out)) / .8796...
``HeUniform``      2         fan_in      uniform(-limit, limit), limit = sqrt(6 / fan_in)
``HeNormal``       2         fan_in      normal truncated at 2 sigma, sigma = sqrt(2 / fan_in) / .8796...
=================  ========  ==========  =====================================================

The division by 0.87962566103423978 (the standard deviation of a unit normal truncated at ±2) makes the
*truncated* draw have the intended standard deviation. ``Zeros``, ``Ones`` and ``RandomNormal`` (default
``stddev=0.05``, not truncated) complete the set.

Seeding: an initializer built with ``seed=s`` returns the same array every time it is called (like a
seeded Keras initializer); with ``seed=None`` every call draws fresh values.
"""

import math

import numpy as np

TRUNCATED_NORMAL_STDDEV_FACTOR = 0.87962566103423978


def compute_fans(shape):
    """Return ``(fan_in, fan_out)`` for a weight shape, as Keras computes them.

    Args:
        shape: tuple of ints. ``(in, units)`` for a Dense kernel; ``(n,)`` gives ``fan_in = fan_out = n``;
            for rank > 2 (convolution kernels ``(..., in_depth, depth)``) the leading axes multiply both.

    Returns:
        (fan_in, fan_out) as ints.
    """
    shape = tuple(int(d) for d in shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _check_shape(shape):
    try:
        if isinstance(shape, str):
            raise TypeError
        shape = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"An initializer needs a shape tuple of ints such as (784, 512); received {shape!r}."
        ) from None
    if any(d < 0 for d in shape):
        raise ValueError(f"Every dimension of a weight shape must be >= 0; received shape {shape}.")
    return shape


class Initializer:
    """Base class: ``init(shape, dtype="float32")`` returns a new ndarray of that shape and dtype."""

    def __call__(self, shape, dtype="float32"):
        shape = _check_shape(shape)
        return np.asarray(self._draw(shape, np.dtype(dtype)), dtype=dtype)

    def _draw(self, shape, dtype):
        raise NotImplementedError(f"{type(self).__name__} must implement _draw(shape, dtype)")

    def get_config(self):
        """The constructor arguments, as a dict (Keras's ``get_config``)."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros (Keras ``"zeros"``; the default ``bias_initializer`` of Dense)."""

    def _draw(self, shape, dtype):
        return np.zeros(shape, dtype)


class Ones(Initializer):
    """All ones (Keras ``"ones"``; BatchNormalization's gamma and moving variance start here)."""

    def _draw(self, shape, dtype):
        return np.ones(shape, dtype)


class RandomInitializer(Initializer):
    """Base class of the random initializers: holds ``seed`` (an int or None)."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"`seed` must be an int or None; received seed={seed!r}.")
        self.seed = None if seed is None else int(seed)

    def _rng(self):
        return np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """Normal distribution N(mean, stddev**2), not truncated (Keras default ``stddev=0.05``)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = mean
        self.stddev = stddev

    def _draw(self, shape, dtype):
        return self._rng().normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


def truncated_normal(rng, shape, mean, stddev):
    """Draw N(mean, stddev**2) and keep only values within ``mean ± 2*stddev`` (Keras's rule).

    Args:
        rng: a ``numpy.random.Generator``.
        shape: output shape.
        mean, stddev: parameters of the normal *before* truncation.

    Returns:
        float64 ndarray of ``shape``.
    """
    size = math.prod(shape)
    kept = np.empty(0)
    while kept.size < size:
        batch = rng.normal(mean, stddev, size=max(size, 1))
        kept = np.append(kept, batch[(batch >= mean - 2 * stddev) & (batch <= mean + 2 * stddev)])
    return kept[:size].reshape(shape)


class VarianceScaling(RandomInitializer):
    """Keras's variance-scaling family: variance ``scale / n``, n chosen by ``mode``.

    Args:
        scale: positive float.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"uniform"``, ``"truncated_normal"`` (alias ``"normal"``) or ``"untruncated_normal"``.
        seed: int or None.
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"`scale` must be positive; received scale={scale}.")
        if mode not in self.MODES:
            raise ValueError(f"Invalid mode {mode!r}; use one of {', '.join(self.MODES)}.")
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(
                f"Invalid distribution {distribution!r}; use one of {', '.join(self.DISTRIBUTIONS)}."
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution

    def variance(self, shape):
        """The target variance ``scale / n`` for a weight of this shape."""
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        return self.scale / max(1.0, n)

    def limit(self, shape):
        """Half-width of the uniform distribution: ``sqrt(3 * variance)``."""
        return math.sqrt(3.0 * self.variance(shape))

    def _draw(self, shape, dtype):
        variance = self.variance(shape)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(variance), size=shape)
        return truncated_normal(rng, shape, 0.0, math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV_FACTOR)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, **super().get_config()}


class GlorotUniform(VarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))`` (Dense's default)."""

    def __init__(self, seed=None):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    """Truncated normal, ``stddev = sqrt(2 / (fan_in + fan_out)) / 0.8796...`` before truncation at 2σ."""

    def __init__(self, seed=None):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)`` (for relu layers)."""

    def __init__(self, seed=None):
        super().__init__(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    """Truncated normal, ``stddev = sqrt(2 / fan_in) / 0.8796...`` before truncation at 2σ."""

    def __init__(self, seed=None):
        super().__init__(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


_BY_NAME = {
    "zeros": Zeros,
    "ones": Ones,
    "random_normal": RandomNormal,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
}
_BY_CLASS_NAME = {cls.__name__: cls for cls in _BY_NAME.values()}
NAMES = tuple(_BY_NAME)


def get(name_or_instance, seed=None):
    """Return an initializer for a Keras name, a class name, an instance or a function.

    Args:
        name_or_instance: ``"glorot_uniform"`` (or ``"GlorotUniform"``), an ``Initializer`` instance (returned
            unchanged), or a function ``f(shape, dtype) -> array``.
        seed: used when a random initializer is created from a name (ignored otherwise).

    Returns:
        a callable ``init(shape, dtype="float32") -> ndarray``.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if isinstance(name_or_instance, str):
        cls = _BY_NAME.get(name_or_instance) or _BY_CLASS_NAME.get(name_or_instance)
        if cls is None:
            raise ValueError(
                f"Unknown initializer {name_or_instance!r}. Known names: {', '.join(NAMES)} "
                "(or their class names, e.g. 'GlorotUniform')."
            )
        return cls(seed=seed) if issubclass(cls, RandomInitializer) else cls()
    if callable(name_or_instance):
        return name_or_instance
    raise ValueError(
        f"Could not interpret initializer {name_or_instance!r}: pass a name such as 'glorot_uniform', an "
        "initializer instance, or a function f(shape, dtype)."
    )


def name_of(initializer):
    """The Keras name of an initializer instance (``GlorotUniform()`` -> ``"glorot_uniform"``), else None."""
    for name, cls in _BY_NAME.items():
        if type(initializer) is cls:
            return name
    return None
