"""Backward passes equal tf.GradientTape; numeric_gradient agrees; gradient_check passes and fails correctly."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_strategies import (
    DTYPES,
    EXPECTED_KERAS_WARNINGS,
    FEW,
    arrays,
    assert_close,
    matmul_atol,
    rng_from,
    shapes,
)

pytestmark = [pytest.mark.tf, *EXPECTED_KERAS_WARNINGS]

NAMES = ("linear", "relu", "sigmoid", "tanh", "leaky_relu", "softmax")


@FEW
@given(shape=shapes(), units=st.integers(1, 128), dtype=st.sampled_from(DTYPES), data=st.data())
def test_dense_backward_matches_gradient_tape(ref, keras, tf, shape, units, dtype, data):
    rng = rng_from(data)
    x = data.draw(arrays(shape, dtype), label="x")
    dout = rng.standard_normal(shape[:-1] + (units,)).astype(dtype)
    layer = keras.layers.Dense(units, dtype=dtype)
    layer.build((None, shape[-1]))
    layer.bias.assign(rng.standard_normal(units).astype(dtype))
    x_var = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = layer(x_var)
    expected = tape.gradient(y, [x_var, layer.kernel, layer.bias], output_gradients=tf.constant(dout))
    kernel = layer.kernel.numpy()
    got = ref.backward.dense_backward(dout, x, kernel)
    flat_x, flat_dout = x.reshape(-1, shape[-1]), dout.reshape(-1, units)
    atols = {  # each gradient is a sum of products: dout @ kernel.T, x.T @ dout, ones @ dout
        "dx": matmul_atol(dout, kernel.T, dtype),
        "dkernel": matmul_atol(flat_x.T, flat_dout, dtype),
        "dbias": matmul_atol(np.ones((1, len(flat_dout))), flat_dout, dtype),
    }
    for name, g, e in zip(("dx", "dkernel", "dbias"), got, expected):
        assert np.asarray(g).dtype == np.dtype(dtype), f"{name}: {dtype} in gave {np.asarray(g).dtype}"
        assert_close(g, np.asarray(e), dtype, what=f"{name} for x {shape}, units {units}", atol=atols[name])


@pytest.mark.parametrize("name", NAMES)
@FEW
@given(shape=shapes(), dtype=st.sampled_from(DTYPES), data=st.data())
def test_activation_backward_matches_gradient_tape(ref, keras, tf, name, shape, dtype, data):
    x = data.draw(arrays(shape, dtype), label="x")
    dout = rng_from(data).standard_normal(shape).astype(dtype)
    x_var = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = getattr(keras.activations, name)(x_var)
    expected = tape.gradient(y, x_var, output_gradients=tf.constant(dout)).numpy()
    got = ref.backward.activation_backward(name, dout, x)
    assert_close(got, expected, dtype, what=f"activation_backward({name!r}) on {shape}")


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"])
@FEW
@given(shape=shapes(), dtype=st.sampled_from(DTYPES), data=st.data())
def test_softmax_cross_entropy_backward_matches_gradient_tape(ref, keras, tf, reduction, shape, dtype, data):
    rng = rng_from(data)
    logits = (rng.standard_normal(shape) * 3).astype(dtype)
    y = np.eye(shape[-1], dtype=dtype)[rng.integers(0, shape[-1], shape[:-1])]
    loss = keras.losses.CategoricalCrossentropy(from_logits=True, reduction=reduction, dtype=dtype)
    logits_var = tf.Variable(logits)
    with tf.GradientTape() as tape:
        value = loss(tf.constant(y), logits_var)
    expected = tape.gradient(value, logits_var).numpy()
    got = ref.backward.softmax_cross_entropy_backward(logits, y, reduction=reduction)
    assert_close(got, expected, dtype, what=f"softmax_cross_entropy_backward {reduction} on {shape}")


@FEW
@given(shape=shapes(max_rank=3, max_size=12, max_leading=12), units=st.integers(1, 8), data=st.data())
def test_numeric_gradient_matches_gradient_tape(ref, tf, shape, units, data):
    rng = rng_from(data)
    x = rng.standard_normal(shape)
    kernel = rng.standard_normal((shape[-1], units))

    def f(v):
        return np.sum(np.tanh(v @ kernel) ** 2)

    x_var = tf.Variable(x)
    with tf.GradientTape() as tape:
        value = tf.reduce_sum(tf.tanh(x_var @ tf.constant(kernel)) ** 2)
    expected = tape.gradient(value, x_var).numpy()
    got = ref.backward.numeric_gradient(f, x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def _dense_loss_problem(ref, rng, n=5, features=4, units=3):
    x = rng.standard_normal((n, features))
    kernel = rng.standard_normal((features, units))
    bias = rng.standard_normal(units)
    dout = rng.standard_normal((n, units))

    def loss_of_kernel(k):
        return np.sum(ref.dense(x, k, bias) * dout)

    _, dkernel, _ = ref.backward.dense_backward(dout, x, kernel)
    return loss_of_kernel, kernel, dkernel


@FEW
@given(seed=st.integers(0, 2**32 - 1))
def test_gradient_check_passes_correct_code_and_fails_a_planted_bug(ref, seed):
    rng = np.random.default_rng(seed)
    f, kernel, dkernel = _dense_loss_problem(ref, rng)
    result = ref.backward.gradient_check(f, kernel, dkernel)
    assert result.passed and bool(result) and result.relative_error <= result.threshold == 1e-6
    assert str(result).startswith("PASS"), str(result)

    index = tuple(int(i) for i in rng.integers(0, kernel.shape))
    planted = dkernel.copy()
    planted[index] += 0.05 * (1 + abs(planted[index]))  # one wrong entry
    result = ref.backward.gradient_check(f, kernel, planted)
    assert not result.passed and not bool(result) and result.relative_error > result.threshold
    assert result.worst_index == index, f"planted the bug at {index}, check points at {result.worst_index}"
    verdict = str(result)
    assert verdict.startswith("FAIL") and str(index) in verdict, verdict

    result = ref.backward.gradient_check(f, kernel, 2 * dkernel)  # the classic missing-1/2 bug
    assert not result.passed and "2 times" in str(result), str(result)


def test_gradient_check_agrees_with_gradient_tape(ref, keras, tf):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5))
    y = np.eye(4)[rng.integers(0, 4, 6)]
    layer = keras.layers.Dense(4, dtype="float64")
    layer.build((None, 5))
    with tf.GradientTape() as tape:
        loss = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")(y, layer(x))
    tape_grad = tape.gradient(loss, layer.kernel).numpy()
    bias = layer.bias.numpy()

    def f(kernel):
        return np.mean(ref.losses.categorical_crossentropy(y, ref.dense(x, kernel, bias), from_logits=True))

    result = ref.backward.gradient_check(f, layer.kernel.numpy(), tape_grad)
    assert result.passed, str(result)
