"""Run a reference object and its Keras twin on the same input and say whether they agree.

>>> from fclab import reference, keras_check          # doctest: +SKIP
>>> layer = reference.Dense(3, activation="relu")      # doctest: +SKIP
>>> x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")   # doctest: +SKIP
>>> layer.build(x.shape)                               # doctest: +SKIP
>>> print(keras_check.compare(layer, keras_check.to_keras(layer), x))    # doctest: +SKIP
PASS: reference and Keras agree on CPU:0 for output (4, 3): max abs error 0, max rel error 0 ...
"""

import dataclasses
import inspect

import numpy as np

from fclab import _tf
from fclab.keras_check._device import device, tf32_disabled


@dataclasses.dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`compare`.

    Attributes:
        max_abs_error: max over elements of ``|reference - keras|`` (nan when an output is not finite).
        max_rel_error: max of ``|reference - keras| / |keras|`` over elements where they differ (inf
            when Keras gives exactly 0 there, as ``numpy.testing`` reports it).
        device: the TensorFlow device Keras ran on, ``"GPU:0"`` or ``"CPU:0"``.
        passed: True when every element satisfies ``|reference - keras| <= atol + rtol * |keras|``.
        rtol, atol: the tolerances used.
        shape: the shape of both outputs.
        worst_index: index of the element furthest outside (or closest to) the tolerance.
        reference_value, keras_value: the two outputs at ``worst_index``.
        training: the ``training`` flag both were called with.
        output_scale: the largest ``|keras|``, to judge whether an error is float rounding.
    """

    max_abs_error: float
    max_rel_error: float
    device: str
    passed: bool
    rtol: float = 1e-5
    atol: float = 1e-6
    shape: tuple = ()
    worst_index: tuple = ()
    reference_value: float = float("nan")
    keras_value: float = float("nan")
    training: bool = False
    output_scale: float = float("nan")

    def __bool__(self):
        return bool(self.passed)

    def __str__(self):
        errors = f"max abs error {self.max_abs_error:.3g}, max rel error {self.max_rel_error:.3g}"
        tolerance = f"rtol={self.rtol:g}, atol={self.atol:g}"
        where = f"for output {self.shape}" if self.shape else "for a scalar output"
        if self.passed:
            return (
                f"PASS: reference and Keras agree on {self.device} {where}: {errors}, "
                f"within |reference - keras| <= atol + rtol * |keras| with {tolerance}."
            )
        if self.max_abs_error <= 1e-4 * self.output_scale:
            advice = (
                f"The errors are below 1e-4 of the output's scale ({self.output_scale:.3g}): that looks like "
                "float32 rounding of long sums (a Dense with hundreds of inputs), not a bug; compare with "
                "atol=1e-5 or in float64."
            )
        elif self.training:
            advice = (
                "Check that the weights were copied (to_keras / from_keras); with training=True a Dropout "
                "draws different masks on each side, so compare it with training=False or rate=0."
            )
        else:
            advice = (
                "Check that the weights were copied (to_keras / from_keras) and that both use the same "
                "activation."
            )
        return (
            f"FAIL: reference and Keras disagree on {self.device} {where}: {errors}; allowed "
            f"|reference - keras| <= atol + rtol * |keras| with {tolerance}. Worst element at index "
            f"{self.worst_index}: reference {self.reference_value:.7g}, Keras {self.keras_value:.7g}. {advice}"
        )


def _accepts_training(fn):
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "training" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def _run_keras(keras_obj, x, training):
    tf, keras = _tf.tf(), _tf.keras()
    with tf32_disabled(), tf.device(device()):
        inputs = tf.constant(x)
        if isinstance(keras_obj, keras.layers.Layer):
            outputs = keras_obj(inputs, training=training)
        else:
            outputs = keras_obj(inputs)
        return np.asarray(keras.ops.convert_to_numpy(outputs))


def _run_reference(ref, x, training):
    if _accepts_training(ref):
        return np.asarray(ref(x, training=training))
    return np.asarray(ref(x))


def _errors(got, expected, rtol, atol):
    wide = np.promote_types(np.result_type(got, expected), np.float64)
    got, expected = got.astype(wide), expected.astype(wide)
    diff = np.abs(got - expected)
    scale = np.abs(expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(diff == 0, 0.0, diff / scale)
    excess = diff - (atol + rtol * scale)
    if got.size == 0:
        return 0.0, 0.0, (), float("nan"), float("nan")
    worst = np.unravel_index(int(np.nanargmax(np.where(np.isnan(excess), np.inf, excess))), got.shape)
    max_abs = float(np.nan if np.isnan(diff).any() else diff.max())
    max_rel = float(np.nan if np.isnan(relative).any() else relative.max())
    return max_abs, max_rel, tuple(int(i) for i in worst), float(got[worst]), float(expected[worst])


def compare(ref, keras_obj, x, rtol=1e-5, atol=1e-6, training=False):
    """Run ``ref`` (numpy) and ``keras_obj`` (TensorFlow) on ``x`` and compare the outputs elementwise.

    Keras runs on :func:`device` (the GPU when TensorFlow sees one) with TF32 off (:func:`tf32_disabled`).

    Args:
        ref: a ``fclab.reference`` layer or Sequential, or any function of one array.
        keras_obj: a Keras layer or model (called with ``training=``), or any function of one tensor
            (e.g. ``keras.activations.relu``).
        x: (batch, ...) array, given unchanged to both (its dtype decides float32 or float64).
        rtol, atol: element ``i`` passes when ``|ref_i - keras_i| <= atol + rtol * |keras_i|``.
        training: passed to both calls (Dropout and BatchNormalization behave differently).

    Returns:
        :class:`Comparison`; ``str()`` of it is a one-paragraph verdict, ``bool()`` of it is ``passed``.

    Raises:
        ValueError: when the two outputs have different shapes (both are named).
    """
    x = np.asarray(x)
    expected = _run_keras(keras_obj, x, training)
    got = _run_reference(ref, x, training)
    if got.shape != expected.shape:
        raise ValueError(
            f"The reference output has shape {got.shape} but the Keras output has shape {expected.shape} "
            f"for input of shape {x.shape}; expected equal shapes. Check that both were built for the same "
            "input and have the same units (to_keras / from_keras build a twin with the same shape)."
        )
    max_abs, max_rel, worst, ref_value, keras_value = _errors(got, expected, rtol, atol)
    passed = bool(np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=False))
    return Comparison(
        max_abs_error=max_abs,
        max_rel_error=max_rel,
        device=device(),
        passed=passed,
        rtol=rtol,
        atol=atol,
        shape=tuple(got.shape),
        worst_index=worst,
        reference_value=ref_value,
        keras_value=keras_value,
        training=bool(training),
        output_scale=float(np.abs(expected).max()) if expected.size else 0.0,
    )
