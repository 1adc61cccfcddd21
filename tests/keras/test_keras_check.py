"""fclab.keras_check: twins round-trip with their weights, compare() decides, unsupported objects are named."""

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_strategies import (
    EXPECTED_KERAS_WARNINGS,
    FEW_UNSHRUNK,
    arrays,
    random_weights,
    rng_from,
    stacks,
)

pytestmark = [pytest.mark.tf, *EXPECTED_KERAS_WARNINGS]

# Whole stacks (up to five layers, BatchNormalization amplifying by up to ~3) accumulate float32
# rounding of O(1e-6) relative to their O(1..10) intermediate values.
MODEL_INPUT_SCALES = (1e-2, 1.0)
MODEL_TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}
SUPPORTED_TEXT = "supported: Dense, Activation, Dropout, BatchNormalization, Flatten, Sequential"


def _random_ref_model(ref, shape, specs, rng):
    model = ref.Sequential([ref.Input(shape=shape[1:])] + [getattr(ref, kind)(**kw) for kind, kw in specs])
    model.set_weights(random_weights(model.weights, rng))
    return model


def _assert_same_weights(a, b):
    assert [(v.path, v.name) for v in a.weights] == [(v.path, v.name) for v in b.weights]
    for x, y in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(x, y)


@FEW_UNSHRUNK
@given(stack=stacks(), data=st.data())
def test_round_trip_reference_keras_reference(ref, keras_check, stack, data):
    shape, specs = stack
    model = _random_ref_model(ref, shape, specs, rng_from(data))
    twin = keras_check.to_keras(model)
    assert twin.name == model.name and [l.name for l in twin.layers] == [l.name for l in model.layers]
    _assert_same_weights(model, twin)
    x = data.draw(arrays(shape, scales=MODEL_INPUT_SCALES), label="x")
    result = keras_check.compare(model, twin, x, **MODEL_TOLERANCE)
    assert result.passed, str(result)

    back = keras_check.from_keras(twin)
    _assert_same_weights(model, back)
    assert [l.get_config() for l in back.layers] == [l.get_config() for l in model.layers]
    assert keras_check.compare(back, twin, x, **MODEL_TOLERANCE).passed


@FEW_UNSHRUNK
@given(stack=stacks(), data=st.data())
def test_round_trip_keras_reference_keras(keras, keras_check, stack, data):
    shape, specs = stack
    rng = rng_from(data)
    model = keras.Sequential([keras.Input(shape=shape[1:])] + [getattr(keras.layers, k)(**kw) for k, kw in specs])
    model.set_weights(random_weights(model.weights, rng))
    twin = keras_check.from_keras(model)
    _assert_same_weights(twin, model)
    x = data.draw(arrays(shape, scales=MODEL_INPUT_SCALES), label="x")
    result = keras_check.compare(twin, model, x, **MODEL_TOLERANCE)
    assert result.passed, str(result)
    again = keras_check.to_keras(twin)
    _assert_same_weights(again, model)
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())


def test_every_supported_layer_round_trips_on_its_own(ref, keras_check):
    x = np.random.default_rng(0).standard_normal((8, 6)).astype("float32")
    layers = [
        ref.Dense(4, activation="tanh", use_bias=False, kernel_initializer="he_normal"),
        ref.Dense(3, activation=functools.partial(ref.activations.leaky_relu, negative_slope=0.1)),
        ref.Activation("softmax"),
        ref.Dropout(0.5, seed=1),
        ref.BatchNormalization(momentum=0.9, epsilon=1e-5),
        ref.Flatten(),
    ]
    for layer in layers:
        layer(x)  # builds it
        twin = keras_check.to_keras(layer)
        assert type(twin).__name__ == type(layer).__name__ and twin.name == layer.name
        assert twin.built == layer.built or not layer.weights  # weightless layers need no build
        for got, expected in zip(twin.get_weights(), layer.get_weights()):
            np.testing.assert_array_equal(got, expected)
        result = keras_check.compare(layer, twin, x)
        assert result.passed, f"{layer.name}: {result}"
        back = keras_check.from_keras(twin)
        assert type(back) is type(layer)
        assert back.get_config() == layer.get_config()
        assert keras_check.compare(back, twin, x, **MODEL_TOLERANCE).passed


def test_batchnorm_twins_agree_in_training_and_update_alike(ref, keras_check):
    x = np.random.default_rng(1).standard_normal((16, 5)).astype("float32") * 3 + 1
    layer = ref.BatchNormalization()
    layer.build(x.shape)
    twin = keras_check.to_keras(layer)
    result = keras_check.compare(layer, twin, x, training=True)
    assert result.passed, str(result)
    np.testing.assert_allclose(layer.moving_mean.numpy(), twin.moving_mean.numpy(), rtol=1e-6, atol=1e-7)


def test_unbuilt_objects_give_unbuilt_twins_with_the_same_configuration(ref, keras, keras_check):
    dense = ref.Dense(5, activation="relu", kernel_initializer="glorot_normal")
    twin = keras_check.to_keras(dense)
    assert not twin.built and twin.units == 5 and type(twin.kernel_initializer).__name__ == "GlorotNormal"
    model = keras_check.to_keras(ref.Sequential([ref.Dense(2), ref.Dense(1)]))
    assert isinstance(model, keras.Sequential) and not model.built and len(model.layers) == 2
    back = keras_check.from_keras(keras.Sequential([keras.layers.Dense(2)]))
    assert isinstance(back, ref.Sequential) and not back.built


def _functional_model(keras):
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


@pytest.mark.parametrize(
    "make",
    [
        lambda keras: keras.layers.Conv2D(3, 3),
        lambda keras: keras.layers.LeakyReLU(),
        lambda keras: keras.layers.Embedding(10, 4),
        lambda keras: _functional_model(keras),
        lambda keras: keras.Sequential([keras.Input((3,)), keras.layers.LayerNormalization()]),
    ],
    ids=["Conv2D", "LeakyReLU", "Embedding", "functional", "Sequential-with-LayerNormalization"],
)
def test_unsupported_keras_objects_are_refused_by_name(keras, keras_check, make):
    obj = make(keras)
    with pytest.raises(TypeError) as error:
        keras_check.from_keras(obj)
    message = str(error.value)
    assert message.startswith("not supported: ") and SUPPORTED_TEXT in message, message
    culprit = obj.layers[-1] if isinstance(obj, keras.Sequential) else obj
    assert type(culprit).__name__ in message, message


def test_unsupported_reference_objects_are_refused_by_name(ref, keras_check):
    class Scale(ref.Layer):
        def call(self, inputs, training=False):
            return 2 * inputs

    for obj in (object(), Scale(), ref.Sequential([ref.Dense(2), Scale()]), np.zeros(3)):
        with pytest.raises(TypeError) as error:
            keras_check.to_keras(obj)
        message = str(error.value)
        expected_name = "Scale" if isinstance(obj, (ref.Layer, ref.Sequential)) else type(obj).__name__
        assert message.startswith(f"not supported: {expected_name}") and SUPPORTED_TEXT in message, message


def test_unsupported_activation_is_refused_by_name(keras, keras_check):
    layer = keras.layers.Dense(2, activation="gelu")
    with pytest.raises(ValueError, match=r"not supported: activation 'gelu'.*relu"):
        keras_check.from_keras(layer)


def test_compare_reports_a_verdict_with_errors_tolerances_and_device(ref, keras_check):
    x = np.random.default_rng(2).standard_normal((4, 3)).astype("float32")
    layer = ref.Dense(2)
    layer.build(x.shape)
    twin = keras_check.to_keras(layer)
    good = keras_check.compare(layer, twin, x, rtol=1e-5, atol=1e-6)
    assert good.passed and bool(good) and good.device == keras_check.device()
    assert good.max_abs_error <= 1e-6 and good.shape == (4, 2)
    text = str(good)
    assert text.startswith("PASS") and "rtol=1e-05" in text and "atol=1e-06" in text and good.device in text, text

    layer.kernel[1, 0] += 0.5  # a planted bug in the reference's weights
    bad = keras_check.compare(layer, twin, x)
    assert not bad.passed and not bool(bad)
    assert bad.max_abs_error == pytest.approx(np.abs(0.5 * x[:, 1]).max(), rel=1e-5)
    assert bad.worst_index[1] == 0, bad
    text = str(bad)
    assert text.startswith("FAIL") and f"{bad.max_abs_error:.3g}" in text and str(bad.worst_index) in text, text


def test_compare_tells_float32_rounding_from_a_bug(ref, keras_check):
    # A 784-input float32 Dense: numpy and TensorFlow sum in different orders, ~3e-6 apart on outputs of
    # size ~5. The default atol=1e-6 is too strict for that; the verdict says so and how to compare.
    x = np.random.default_rng(3).standard_normal((256, 784)).astype("float32")
    layer = ref.Dense(64)
    layer.build(x.shape)
    twin = keras_check.to_keras(layer)
    strict = keras_check.compare(layer, twin, x)
    if not strict.passed:
        assert "float32 rounding" in str(strict) and "atol=1e-5" in str(strict), str(strict)
    assert keras_check.compare(layer, twin, x, atol=1e-5).passed
    layer.kernel[3, 7] += 1e-2
    buggy = keras_check.compare(layer, twin, x, atol=1e-5)
    assert not buggy.passed and "float32 rounding" not in str(buggy) and buggy.worst_index[1] == 7, str(buggy)


def test_compare_refuses_different_output_shapes(ref, keras, keras_check):
    x = np.zeros((4, 3), "float32")
    layer = ref.Dense(2)
    layer.build(x.shape)
    with pytest.raises(ValueError, match=r"\(4, 2\).*\(4, 5\)"):
        keras_check.compare(layer, keras.layers.Dense(5), x)


def test_compare_does_not_pass_nan(keras, keras_check):
    x = np.ones((2, 3), "float32")
    result = keras_check.compare(lambda v: np.full_like(v, np.nan), keras.activations.relu, x)
    assert not result.passed and np.isnan(result.max_abs_error)


def test_compare_accepts_plain_functions(ref, keras, keras_check):
    x = np.linspace(-3, 3, 24, dtype="float32").reshape(4, 6)
    assert keras_check.compare(ref.activations.sigmoid, keras.activations.sigmoid, x).passed
    assert not keras_check.compare(ref.activations.tanh, keras.activations.sigmoid, x).passed


def test_device_is_the_gpu_when_tensorflow_sees_one(tf, keras_check):
    expected = "GPU:0" if tf.config.list_logical_devices("GPU") else "CPU:0"
    assert keras_check.device() == expected


@pytest.fixture
def pretend_gpu(monkeypatch, tf):
    """Make keras_check believe a GPU is visible, and restore TensorFlow's TF32 flag afterwards."""
    import fclab.keras_check._device as device_module

    monkeypatch.setattr(device_module, "gpu_visible", lambda: True)
    saved = tf.config.experimental.tensor_float_32_execution_enabled()
    yield tf.config.experimental
    tf.config.experimental.enable_tensor_float_32_execution(saved)


@pytest.mark.parametrize("before", [True, False])
def test_tf32_disabled_turns_tf32_off_and_restores_it(keras_check, pretend_gpu, before):
    pretend_gpu.enable_tensor_float_32_execution(before)
    with keras_check.tf32_disabled():
        assert pretend_gpu.tensor_float_32_execution_enabled() is False
    assert pretend_gpu.tensor_float_32_execution_enabled() is before


def test_tf32_disabled_restores_even_after_an_exception(keras_check, pretend_gpu):
    pretend_gpu.enable_tensor_float_32_execution(True)
    with pytest.raises(RuntimeError, match="inside"):
        with keras_check.tf32_disabled():
            raise RuntimeError("inside")
    assert pretend_gpu.tensor_float_32_execution_enabled() is True


def test_tf32_setting_is_untouched_without_a_gpu(tf, keras_check):
    if tf.config.list_logical_devices("GPU"):
        pytest.skip("a GPU is visible: test_gpu.py covers this path")
    experimental = tf.config.experimental
    saved = experimental.tensor_float_32_execution_enabled()
    try:
        experimental.enable_tensor_float_32_execution(True)
        with keras_check.tf32_disabled():
            assert experimental.tensor_float_32_execution_enabled() is True
    finally:
        experimental.enable_tensor_float_32_execution(saved)
