"""keras_check on a GPU: comparisons run there, with TF32 off during them and restored afterwards.

Skipped (by tests/conftest.py, with the reason) when TensorFlow sees no GPU.
"""

import numpy as np
import pytest

pytestmark = [pytest.mark.gpu, pytest.mark.tf]


@pytest.fixture
def tf32(tf):
    """TensorFlow's TF32 switch, put back as it was after the test."""
    experimental = tf.config.experimental
    saved = experimental.tensor_float_32_execution_enabled()
    yield experimental
    experimental.enable_tensor_float_32_execution(saved)


def _recording(keras_fn, tf, log):
    """Wrap a Keras function so that each call records its input's device and the TF32 switch."""

    def wrapped(inputs):
        log.append(
            {"device": inputs.device, "tf32": tf.config.experimental.tensor_float_32_execution_enabled()}
        )
        return keras_fn(inputs)

    return wrapped


def test_device_is_the_first_gpu(keras_check):
    assert keras_check.device() == "GPU:0"


@pytest.mark.parametrize("before", [True, False])
def test_compare_runs_on_the_gpu_with_tf32_off_and_restores_it(ref, keras, tf, keras_check, tf32, before):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1024, 784)).astype("float32")
    layer = ref.Dense(512)
    layer.build(x.shape)
    twin = keras_check.to_keras(layer)
    log = []
    tf32.enable_tensor_float_32_execution(before)

    # atol 1e-5: float32 sums of 784 products differ by a few 1e-6 between any two summation orders,
    # while TF32 (10-bit mantissa) would be off by ~1e-3.
    result = keras_check.compare(layer, _recording(twin, tf, log), x, atol=1e-5)

    assert tf32.tensor_float_32_execution_enabled() is before, "TF32 setting not restored after compare()"
    assert log and "GPU:0" in log[0]["device"], f"Keras ran on {log[0]['device'] if log else 'nothing'}"
    assert log[0]["tf32"] is False, "TF32 was on while compare() ran Keras"
    assert result.device == "GPU:0" and "GPU:0" in str(result)
    assert result.passed, str(result)


def test_tf32_is_restored_when_the_comparison_raises(ref, keras, tf, keras_check, tf32):
    tf32.enable_tensor_float_32_execution(True)

    def broken(inputs):
        raise RuntimeError("the Keras side failed")

    with pytest.raises(RuntimeError, match="Keras side failed"):
        keras_check.compare(ref.activations.relu, broken, np.ones((2, 3), "float32"))
    assert tf32.tensor_float_32_execution_enabled() is True


def test_gpu_activation_and_batchnorm_comparisons_pass(ref, keras, keras_check):
    x = np.random.default_rng(1).standard_normal((256, 64)).astype("float32")
    for name in ("relu", "sigmoid", "tanh", "softmax"):
        result = keras_check.compare(getattr(ref.activations, name), getattr(keras.activations, name), x)
        assert result.passed and result.device == "GPU:0", f"{name}: {result}"
    layer = ref.BatchNormalization()
    layer.build(x.shape)
    result = keras_check.compare(layer, keras_check.to_keras(layer), x, training=True, atol=1e-5)
    assert result.passed and result.device == "GPU:0", str(result)


def test_tf32_really_changes_gpu_matmuls_where_the_gpu_has_it(tf, tf32):
    """Why tf32_disabled exists: on Ampere or newer, a TF32 matmul is off by ~1e-3 (skipped on older GPUs)."""
    details = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0])
    if details.get("compute_capability", (0, 0)) < (8, 0):
        pytest.skip(f"GPU compute capability {details.get('compute_capability')} has no TF32 (needs >= 8.0)")
    rng = np.random.default_rng(2)
    a, b = (rng.standard_normal((512, 512)).astype("float32") for _ in range(2))
    exact = a.astype("float64") @ b.astype("float64")
    errors = {}
    for enabled in (True, False):
        tf32.enable_tensor_float_32_execution(enabled)
        with tf.device("GPU:0"):
            errors[enabled] = np.abs(tf.matmul(a, b).numpy() - exact).max()
    assert errors[True] > 1e-3 > 1e-4 > errors[False], errors
