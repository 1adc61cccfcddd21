"""fclab.reference.activations equals keras.activations, and its derivatives equal tf.GradientTape."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_strategies import DTYPES, EXPECTED_KERAS_WARNINGS, FEW, arrays, assert_close, shapes

pytestmark = [pytest.mark.tf, *EXPECTED_KERAS_WARNINGS]

ELEMENTWISE = ("linear", "relu", "sigmoid", "tanh", "leaky_relu")
SLOPES = (0.01, 0.2, 0.3)


def _kwargs(name, data):
    if name == "leaky_relu":
        return {"negative_slope": data.draw(st.sampled_from(SLOPES), label="negative_slope")}
    return {}


def _as_tensorflow_has_it(kwargs):
    # TensorFlow's LeakyRelu op keeps negative_slope as a float32 attribute even for float64 tensors
    # (0.2 becomes 0.20000000298...): give the reference that same number, then compare to 1e-10.
    return {k: float(np.float32(v)) for k, v in kwargs.items()}


def test_names_are_the_keras_activations(ref, keras):
    for name in ref.activations.NAMES:
        assert callable(getattr(keras.activations, name)), f"keras.activations has no {name!r}"
        assert ref.activations.get(name) is getattr(ref.activations, name)


@pytest.mark.parametrize("name", ELEMENTWISE)
@FEW
@given(shape=shapes(), dtype=st.sampled_from(DTYPES), data=st.data())
def test_activation_matches_keras(ref, keras, tf, name, shape, dtype, data):
    x = data.draw(arrays(shape, dtype), label="x")
    kwargs = _kwargs(name, data)
    got = getattr(ref.activations, name)(x, **_as_tensorflow_has_it(kwargs))
    expected = getattr(keras.activations, name)(tf.constant(x), **kwargs).numpy()
    assert got.dtype == np.dtype(dtype), f"{name}: {dtype} in gave {got.dtype} out"
    assert_close(got, expected, dtype, what=f"{name}{kwargs} on {shape}")


@FEW
@given(shape=shapes(), dtype=st.sampled_from(DTYPES), data=st.data())
def test_softmax_matches_keras_on_any_axis(ref, keras, tf, shape, dtype, data):
    x = data.draw(arrays(shape, dtype), label="x")
    axis = data.draw(st.sampled_from([-1] + list(range(len(shape)))), label="axis")
    got = ref.activations.softmax(x, axis=axis)
    expected = keras.activations.softmax(tf.constant(x), axis=axis).numpy()
    assert got.dtype == np.dtype(dtype)
    assert_close(got, expected, dtype, what=f"softmax(axis={axis}) on {shape}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_is_stable_for_huge_logits(ref, keras, tf, dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    got = ref.activations.softmax(x)
    assert np.isfinite(got).all(), f"softmax of ±1e4 logits is not finite: {got}"
    assert_close(got, keras.activations.softmax(tf.constant(x)).numpy(), dtype, what="softmax(±1e4)")


def _tape_derivative(tf, keras, name, x, kwargs):
    variable = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = getattr(keras.activations, name)(variable, **kwargs)
    return tape.gradient(y, variable).numpy()


@pytest.mark.parametrize("name", ELEMENTWISE)
@FEW
@given(shape=shapes(), dtype=st.sampled_from(DTYPES), data=st.data())
def test_derivative_matches_gradient_tape(ref, keras, tf, name, shape, dtype, data):
    # Exact zeros are drawn on purpose: relu'(0) and leaky_relu'(0) follow TensorFlow's convention.
    x = data.draw(arrays(shape, dtype), label="x")
    kwargs = _kwargs(name, data)
    got = ref.activations.derivative(name, x, **_as_tensorflow_has_it(kwargs))
    expected = _tape_derivative(tf, keras, name, x, kwargs)
    assert got.dtype == np.dtype(dtype)
    assert_close(got, expected, dtype, what=f"d/dx {name}{kwargs} on {shape}")


@FEW
@given(shape=shapes(max_leading=32, max_size=64), dtype=st.sampled_from(DTYPES), data=st.data())
def test_softmax_jacobian_matches_gradient_tape(ref, keras, tf, shape, dtype, data):
    x = data.draw(arrays(shape, dtype), label="x")
    n = shape[-1]
    x_var = tf.Variable(x)
    with tf.GradientTape(persistent=True) as tape:
        y = keras.activations.softmax(x_var)
    # Row i of the Jacobian, d y_i / d x, is the gradient of y with upstream gradient e_i.
    rows = [
        tape.gradient(y, x_var, output_gradients=tf.one_hot(i, n, dtype=dtype) + tf.zeros_like(y))
        for i in range(n)
    ]
    del tape
    expected = np.stack([r.numpy() for r in rows], axis=-2)
    got = ref.activations.softmax_jacobian(x)
    assert_close(got, expected, dtype, what=f"softmax_jacobian on {shape}")


def test_softmax_has_no_elementwise_derivative(ref):
    with pytest.raises(ValueError, match="softmax_jacobian"):
        ref.activations.derivative("softmax", np.zeros((2, 3), "float32"))
