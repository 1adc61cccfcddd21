"""reference.dense and reference.Dense equal keras.layers.Dense with copied weights, on any rank >= 2."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_strategies import DTYPES, FEW, arrays, assert_close, matmul_atol, rng_from, shapes

pytestmark = pytest.mark.tf

ACTIVATIONS = st.sampled_from([None, "linear", "relu", "sigmoid", "tanh", "leaky_relu", "softmax"])


def _keras_dense(keras, in_features, units, activation, use_bias, dtype, rng):
    """A built keras Dense with random kernel and bias (a zero bias would hide a missing bias)."""
    layer = keras.layers.Dense(units, activation=activation, use_bias=use_bias, dtype=dtype)
    layer.build((None, in_features))
    weights = [rng.standard_normal((in_features, units)) / np.sqrt(in_features)]
    if use_bias:
        weights.append(rng.standard_normal(units))
    layer.set_weights([w.astype(dtype) for w in weights])
    return layer


def _atol(x, kernel, bias=None, dtype="float32"):
    """Rounding allowance for x @ kernel + bias (activations only shrink differences, softmax's included)."""
    x = np.asarray(x).reshape(-1, np.shape(kernel)[0])
    if bias is not None:  # the bias is one more term of the sum
        x, kernel = np.hstack([x, np.ones((len(x), 1))]), np.vstack([kernel, np.reshape(bias, (1, -1))])
    return matmul_atol(x, kernel, dtype)


@FEW
@given(
    shape=shapes(),
    units=st.integers(1, 128),
    activation=ACTIVATIONS,
    use_bias=st.booleans(),
    dtype=st.sampled_from(DTYPES),
    data=st.data(),
)
def test_dense_function_matches_keras_dense(ref, keras, shape, units, activation, use_bias, dtype, data):
    x = data.draw(arrays(shape, dtype), label="x")
    layer = _keras_dense(keras, shape[-1], units, activation, use_bias, dtype, rng_from(data))
    kernel = layer.kernel.numpy()
    bias = layer.bias.numpy() if use_bias else None
    got = ref.dense(x, kernel, bias, activation=activation)
    expected = layer(x).numpy()
    assert got.dtype == np.dtype(dtype), f"dense: {dtype} in gave {got.dtype} out"
    what = f"dense {shape} @ ({shape[-1]}, {units}) {activation}"
    assert_close(got, expected, dtype, what=what, atol=_atol(x, kernel, bias, dtype))


@FEW
@given(
    shape=shapes(),
    units=st.integers(1, 128),
    activation=ACTIVATIONS,
    use_bias=st.booleans(),
    dtype=st.sampled_from(DTYPES),
    data=st.data(),
)
def test_dense_layer_matches_keras_dense(ref, keras, shape, units, activation, use_bias, dtype, data):
    x = data.draw(arrays(shape, dtype), label="x")
    layer = _keras_dense(keras, shape[-1], units, activation, use_bias, dtype, rng_from(data))
    twin = ref.Dense(units, activation=activation, use_bias=use_bias, dtype=dtype)
    assert not twin.built and twin.weights == []
    twin.build((None, shape[-1]))
    assert [w.name for w in twin.weights] == [w.name for w in layer.weights]
    assert [tuple(w.shape) for w in twin.weights] == [tuple(w.shape) for w in layer.weights]
    twin.set_weights(layer.get_weights())
    assert twin.count_params() == layer.count_params()
    assert tuple(twin.compute_output_shape((None,) + shape[1:])) == tuple(
        layer.compute_output_shape((None,) + shape[1:])
    )
    got = twin(x)
    assert got.dtype == np.dtype(dtype)
    what = f"Dense({units}, {activation}, use_bias={use_bias}) on {shape}"
    assert_close(got, layer(x).numpy(), dtype, what=what, atol=_atol(x, *layer.get_weights(), dtype=dtype))


@FEW
@given(shape=shapes(min_rank=3), units=st.integers(1, 128), data=st.data())
def test_dense_acts_on_the_last_axis_without_flattening(ref, keras, shape, units, data):
    x = data.draw(arrays(shape), label="x")
    twin = ref.Dense(units)
    out = twin(x)  # lazy build from the input's last axis
    assert twin.built and twin.kernel.shape == (shape[-1], units)
    layer = keras.layers.Dense(units)
    layer.build((None, shape[-1]))
    layer.set_weights(twin.get_weights())
    assert out.shape == shape[:-1] + (units,)
    atol = _atol(x, *twin.get_weights())
    assert_close(out, layer(x).numpy(), what=f"Dense({units}) on rank-{len(shape)} {shape}", atol=atol)


def test_wrong_feature_count_is_refused_like_keras(ref, keras):
    x = np.zeros((4, 12), "float32")
    twin, layer = ref.Dense(10), keras.layers.Dense(10)
    twin.build((None, 20))
    layer.build((None, 20))
    with pytest.raises(ValueError) as keras_error:
        layer(x)
    with pytest.raises(ValueError) as twin_error:
        twin(x)
    for error in (keras_error, twin_error):
        message = str(error.value)
        assert "expected axis -1 of input shape to have value 20" in message and "(4, 12)" in message, message


def test_second_build_is_refused_like_keras(ref, keras):
    twin, layer = ref.Dense(10), keras.layers.Dense(10)
    twin.build((None, 4))
    layer.build((None, 4))
    with pytest.raises(ValueError) as keras_error:
        layer.build((None, 20))
    with pytest.raises(ValueError) as twin_error:
        twin.build((None, 20))
    phrase = "You cannot add new elements of state"
    assert phrase in str(keras_error.value) and phrase in str(twin_error.value), str(twin_error.value)
    assert twin.kernel.shape == tuple(layer.kernel.shape) == (4, 10)


def test_kernel_before_build_is_refused_like_keras(ref, keras):
    with pytest.raises(AttributeError) as keras_error:
        keras.layers.Dense(3).kernel
    with pytest.raises(AttributeError) as twin_error:
        ref.Dense(3).kernel
    assert "You must build the layer before accessing" in str(keras_error.value)
    assert "You must build the layer before accessing 'kernel'" in str(twin_error.value)


def test_set_weights_names_expected_and_received_shapes(ref):
    twin = ref.Dense(3)
    twin.build((None, 5))
    with pytest.raises(ValueError) as error:
        twin.set_weights([np.zeros((3, 5), "float32"), np.zeros(3, "float32")])
    assert "(5, 3)" in str(error.value) and "(3, 5)" in str(error.value), str(error.value)
