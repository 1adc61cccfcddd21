"""Dropout and BatchNormalization equal Keras's in training and at inference (incl. moving statistics)."""

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_strategies import DTYPES, FEW, arrays, assert_close, rng_from, shapes
from keras_strategies import assert_close as _assert_close

pytestmark = pytest.mark.tf

RATES = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9])


@FEW
@given(shape=shapes(), rate=RATES, data=st.data())
def test_dropout_at_inference_is_the_identity_like_keras(ref, keras, shape, rate, data):
    x = data.draw(arrays(shape), label="x")
    got = ref.Dropout(rate, seed=0)(x)
    expected = keras.layers.Dropout(rate, seed=0)(x).numpy()
    np.testing.assert_array_equal(expected, x)
    np.testing.assert_array_equal(got, x)


@FEW
@given(shape=shapes(), rate=RATES, data=st.data())
def test_dropout_in_training_scales_kept_entries_like_keras(ref, keras, shape, rate, data):
    x = data.draw(arrays(shape, zeros=False), label="x")  # no zeros: a 0 output then means "dropped"
    seed = data.draw(st.integers(0, 2**16), label="seed")
    got = ref.Dropout(rate, seed=seed)(x, training=True)
    expected = keras.layers.Dropout(rate, seed=seed)(x, training=True).numpy()
    assert got.shape == x.shape and got.dtype == x.dtype
    for label, out in (("reference", got), ("keras", expected)):
        kept = out != 0
        # Every kept entry is x / (1 - rate), the same scaling on both sides.
        assert_close(out[kept], x[kept] / np.float32(1 - rate), what=f"{label} kept entries, rate={rate}",
                     rtol=1e-6, atol=0)
    # Both keep a fraction 1 - rate of the entries (binomial: within 5 standard deviations plus one).
    n = x.size
    sd = np.sqrt(n * rate * (1 - rate))
    for label, out in (("reference", got), ("keras", expected)):
        kept_count = np.count_nonzero(out)
        assert abs(kept_count - n * (1 - rate)) <= 5 * sd + 1, f"{label}: kept {kept_count} of {n}, rate {rate}"


def test_dropout_keeps_the_expected_fraction_on_a_large_input(ref, keras):
    x = np.ones((1000, 100), "float32")
    for rate in (0.2, 0.5):
        got = ref.Dropout(rate, seed=1)(x, training=True)
        expected = keras.layers.Dropout(rate, seed=1)(x, training=True).numpy()
        assert set(np.unique(got)) <= {0.0, np.float32(1 / (1 - rate))}
        assert abs(np.mean(got != 0) - np.mean(expected != 0)) < 0.01
        assert abs(got.mean() - 1.0) < 0.02  # the scaling keeps the expected value


def test_seeded_dropout_is_reproducible(ref):
    x = np.ones((64, 32), "float32")
    first = ref.Dropout(0.5, seed=3)(x, training=True)
    again = ref.Dropout(0.5, seed=3)(x, training=True)
    other = ref.Dropout(0.5, seed=4)(x, training=True)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def _bn_twins(ref, keras, shape, momentum, epsilon, dtype, rng):
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype=dtype)
    layer.build((None,) + shape[1:])
    c = shape[-1]
    gamma, beta, mean = (rng.standard_normal(c) for _ in range(3))
    variance = rng.random(c) * 2 + 0.1
    layer.set_weights([w.astype(dtype) for w in (gamma, beta, mean, variance)])
    twin = ref.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype=dtype)
    twin.build((None,) + shape[1:])
    assert [w.name for w in twin.weights] == [w.name for w in layer.weights]
    assert [w.trainable for w in twin.weights] == [w.trainable for w in layer.weights]
    twin.set_weights(layer.get_weights())
    return layer, twin


@FEW
@given(
    shape=shapes(),
    momentum=st.sampled_from([0.99, 0.9, 0.5]),
    epsilon=st.sampled_from([1e-3, 1e-5]),
    dtype=st.sampled_from(DTYPES),
    data=st.data(),
)
def test_batchnorm_matches_keras_in_both_modes(ref, keras, shape, momentum, epsilon, dtype, data):
    offset = data.draw(st.sampled_from([0.0, 1.0]), label="offset")  # a batch mean far from 0 must be removed
    x = data.draw(arrays(shape, dtype, scales=(0.5, 1.0, 4.0)), label="x") + np.asarray(offset, dtype)
    layer, twin = _bn_twins(ref, keras, shape, momentum, epsilon, dtype, rng_from(data))
    what = f"BatchNormalization(momentum={momentum}, epsilon={epsilon}) on {shape} {dtype}"
    # Rounding of the batch mean (a sum of N values) is amplified by inv = gamma / sqrt(var + eps):
    # allow 8 ulps * sqrt(N) of |x| * inv. float64 examples check the formula itself to ~1e-12.
    variance = np.concatenate([layer.moving_variance.numpy(), x.reshape(-1, shape[-1]).var(axis=0)])
    inv = np.abs(layer.gamma.numpy()).max() / np.sqrt(variance.min() + epsilon)
    n = int(np.prod(shape[:-1]))
    atol = 8 * np.finfo(dtype).eps * np.sqrt(n) * float(np.abs(x).max() * inv)
    atol += {"float32": 1e-6, "float64": 1e-12}[dtype]
    assert_close = functools.partial(_assert_close, atol=atol)

    assert_close(twin(x), layer(x).numpy(), dtype, what=f"{what}, inference")
    # Inference leaves the moving statistics alone.
    assert_close(twin.moving_mean.numpy(), layer.moving_mean.numpy(), dtype, what="moving_mean after inference")

    assert_close(twin(x, training=True), layer(x, training=True).numpy(), dtype, what=f"{what}, training")
    # One training call moved the statistics toward the batch's, by the same amount on both sides.
    assert_close(twin.moving_mean.numpy(), layer.moving_mean.numpy(), dtype, what="moving_mean after training")
    assert_close(
        twin.moving_variance.numpy(), layer.moving_variance.numpy(), dtype, what="moving_variance after training"
    )
    # And inference now uses the updated statistics.
    assert_close(twin(x), layer(x).numpy(), dtype, what=f"{what}, inference after one training step")


def test_batchnorm_defaults_and_counts_equal_keras(ref, keras):
    layer, twin = keras.layers.BatchNormalization(), ref.BatchNormalization()
    assert (twin.momentum, twin.epsilon) == (layer.momentum, layer.epsilon) == (0.99, 1e-3)
    layer.build((None, 5))
    twin.build((None, 5))
    for attribute in ("trainable_weights", "non_trainable_weights"):
        assert [w.name for w in getattr(twin, attribute)] == [w.name for w in getattr(layer, attribute)]
    assert twin.count_params() == layer.count_params() == 20
    for got, expected in zip(twin.get_weights(), layer.get_weights()):
        np.testing.assert_array_equal(got, expected)  # gamma 1, beta 0, moving mean 0, variance 1
