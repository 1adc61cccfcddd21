"""Dropout (training vs inference, scaling, statistics, seeding) and BatchNormalization (both modes,
moving statistics), Activation and Flatten layers."""

import numpy as np
import pytest

import fclab.reference as R
from fclab.reference import BatchNormalization, Dropout, Flatten


def test_dropout_inference_is_identity():
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    layer = Dropout(0.5, seed=0)
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer(x, training=False), x)


def test_dropout_training_drops_at_rate_and_scales_the_rest():
    rate = 0.3
    out = Dropout(rate, seed=1)(np.ones((400, 250), "float32"), training=True)
    assert out.dtype == np.float32
    kept = out != 0
    # 100,000 Bernoulli draws: the dropped fraction is within 0.5% of the rate (about 3.5 sigma)
    assert abs((~kept).mean() - rate) < 0.005
    np.testing.assert_allclose(out[kept], 1 / (1 - rate), rtol=1e-6)
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # the scaling keeps the expected value


def test_dropout_seeding():
    x = np.ones((20, 20), "float32")
    a, b = Dropout(0.5, seed=7), Dropout(0.5, seed=7)
    first_a, first_b = a(x, training=True), b(x, training=True)
    np.testing.assert_array_equal(first_a, first_b)  # same seed, same sequence of masks
    assert not np.array_equal(first_a, a(x, training=True))  # each training call draws a new mask
    assert not np.array_equal(first_a, Dropout(0.5, seed=8)(x, training=True))


def test_dropout_edge_rates_and_noise_shape():
    x = np.ones((4, 6), "float32")
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True), x)
    np.testing.assert_array_equal(Dropout(1.0)(x, training=True), np.zeros_like(x))  # as Keras
    out = Dropout(0.5, noise_shape=(1, None), seed=0)(x, training=True)
    assert np.all(out == out[0])  # one mask shared by every row


@pytest.mark.parametrize("rate", [-0.1, 1.5, "0.5", None])
def test_dropout_rate_validation(rate):
    with pytest.raises(ValueError, match=r"between 0 and 1. Received: rate="):
        Dropout(rate)


def _bn_with(gamma, beta, mean, var, momentum=0.99):
    layer = BatchNormalization(momentum=momentum)
    layer.build((None, len(gamma)))
    layer.set_weights([np.asarray(w, "float32") for w in (gamma, beta, mean, var)])
    return layer


def test_batchnorm_weights_shapes_and_trainability():
    layer = BatchNormalization()
    layer.build((None, 5))
    assert [(v.name, v.shape, v.trainable) for v in layer.weights] == [
        ("gamma", (5,), True),
        ("beta", (5,), True),
        ("moving_mean", (5,), False),
        ("moving_variance", (5,), False),
    ]
    np.testing.assert_array_equal(layer.moving_mean.numpy(), 0)
    np.testing.assert_array_equal(layer.moving_variance.numpy(), 1)
    assert layer.count_params() == 20 and len(layer.trainable_weights) == 2
    assert layer.epsilon == 1e-3 and layer.momentum == 0.99


def test_batchnorm_training_uses_batch_statistics_and_updates_moving_ones():
    x = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]], "float32")
    layer = _bn_with(gamma=[2.0, 1.0], beta=[0.5, -1.0], mean=[1.0, 2.0], var=[4.0, 9.0], momentum=0.9)
    out = layer(x, training=True)
    mean = x.mean(axis=0)  # [3, 30]
    var = ((x - mean) ** 2).mean(axis=0)  # biased: [8/3, 1400/3]
    expected = np.array([2.0, 1.0]) * (x - mean) / np.sqrt(var + 1e-3) + np.array([0.5, -1.0])
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.9 * np.array([1.0, 2.0]) + 0.1 * mean, rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 * np.array([4.0, 9.0]) + 0.1 * var, rtol=1e-6)


def test_batchnorm_inference_uses_moving_statistics_and_changes_nothing():
    x = np.array([[1.0, 10.0], [3.0, 20.0]], "float32")
    layer = _bn_with(gamma=[2.0, 1.0], beta=[0.5, -1.0], mean=[1.0, 2.0], var=[4.0, 9.0])
    out = layer(x)
    expected = np.array([2.0, 1.0]) * (x - [1.0, 2.0]) / np.sqrt(np.array([4.0, 9.0]) + 1e-3) + [0.5, -1.0]
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), [1.0, 2.0])


def test_fresh_batchnorm_barely_normalises_at_inference():
    # moving_mean 0 and moving_variance 1 at the start: inference output ~ x / sqrt(1 + 1e-3)
    x = np.array([[100.0], [200.0]], "float32")
    layer = BatchNormalization()
    layer(x, training=True)
    np.testing.assert_allclose(layer(x), (x - 1.5) / np.sqrt(0.01 * 2500 + 0.99 + 1e-3), rtol=1e-5)


def test_batchnorm_over_leading_axes_and_frozen_layer():
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(4, 5, 3)).astype("float32")
    layer = BatchNormalization()
    out = layer(x, training=True)
    np.testing.assert_allclose(out.reshape(-1, 3).mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.reshape(-1, 3).var(axis=0), 1, rtol=1e-3)
    frozen = _bn_with([1.0], [0.0], [5.0], [4.0])
    frozen.trainable = False
    np.testing.assert_allclose(frozen(np.array([[7.0]]), training=True), [[2.0 / np.sqrt(4.001)]], rtol=1e-6)
    np.testing.assert_array_equal(frozen.moving_mean.numpy(), [5.0])


def test_batchnorm_wrong_feature_count():
    layer = BatchNormalization()
    layer.build((None, 4))
    expected = r"expected axis -1 of input shape to have value 4, but received input with shape \(2, 3\)"
    with pytest.raises(ValueError, match=expected):
        layer(np.zeros((2, 3)))


def test_flatten_and_activation_layers():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(Flatten()(x), x.reshape(2, 12))
    assert Flatten().compute_output_shape((None, 3, 4)) == (None, 12)
    assert Flatten()(np.zeros(5)).shape == (5, 1)  # as Keras
    act = R.Activation("softmax")
    np.testing.assert_allclose(act(x).sum(axis=-1), 1, rtol=1e-6)
    assert act.get_config()["activation"] == "softmax" and act.count_params() == 0


def test_batchnorm_batch_mean_is_correctly_rounded_for_float32():
    # 10,240 values near 2.0 per feature: a float32 running sum would be off by ~25 ulps of the mean;
    # the layer's mean (seen through momentum=0) is the exact mean rounded once to float32.
    x = (np.random.default_rng(0).standard_normal((256, 40, 8)) * 0.1 + 2).astype("float32")
    layer = BatchNormalization(momentum=0.0)
    out = layer(x, training=True)
    exact = x.astype("float64").mean(axis=(0, 1))
    assert layer.moving_mean.dtype == np.float32
    np.testing.assert_array_less(np.abs(layer.moving_mean.numpy() - exact), np.spacing(np.float32(2.0)))
    normalised = (x - exact) / np.sqrt(x.astype("float64").var(axis=(0, 1)) + 1e-3)
    np.testing.assert_allclose(out, normalised, atol=4e-6)
