"""fclab.reference.Dense and the Layer machinery: lazy build, refusal to rebuild, weights, errors, names."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fclab.reference as R
from fclab.reference import Dense


def test_lazy_build_on_first_call():
    layer = Dense(10)
    assert not layer.built and layer.weights == []
    out = layer(np.ones((4, 784), "float32"))
    assert layer.built
    assert out.shape == (4, 10) and out.dtype == np.float32
    assert layer.kernel.shape == (784, 10) and layer.bias.shape == (10,)
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(10))  # bias_initializer="zeros"


def test_build_with_input_shape():
    layer = Dense(10)
    layer.build((None, 4))
    assert layer.built and layer.kernel.shape == (4, 10)
    assert layer.count_params() == 4 * 10 + 10


def test_kernel_before_build_raises_like_keras():
    layer = Dense(3)
    with pytest.raises(AttributeError, match="You must build the layer before accessing 'kernel'"):
        layer.kernel
    with pytest.raises(AttributeError, match="before accessing 'bias'"):
        layer.bias
    assert not hasattr(layer, "kernel")  # AttributeError, as in Keras, so hasattr is False


def test_second_build_is_refused_and_weights_stay():
    layer = Dense(10)
    layer.build((None, 4))
    kernel_before = layer.kernel.numpy().copy()
    with pytest.raises(ValueError) as info:
        layer.build((None, 20))
    message = str(info.value)
    assert "already built" in message
    assert "(None, 4)" in message and "(None, 20)" in message and "(4, 10)" in message
    assert "new layer" in message and "Dense(10)" in message
    assert layer.kernel.shape == (4, 10)
    np.testing.assert_array_equal(layer.kernel.numpy(), kernel_before)
    with pytest.raises(ValueError, match="already built"):  # Keras refuses even the same shape
        layer.build((None, 4))


def test_wrong_feature_count_mirrors_keras_message():
    layer = Dense(10)
    layer.build((None, 20))
    with pytest.raises(ValueError) as info:
        layer(np.zeros((4, 12), "float32"))
    assert (
        "Input 0 of layer 'dense' is incompatible with the layer: expected axis -1 of input shape to have "
        "value 20, but received input with shape (4, 12)"
    ) in str(info.value)


def test_rank_one_input_refused():
    with pytest.raises(ValueError, match=r"expected min_ndim=2, found ndim=1. Full shape received: \(5,\)"):
        Dense(2)(np.zeros(5))


@settings(max_examples=15, deadline=None)
@given(lead=st.lists(st.integers(1, 3), min_size=1, max_size=3), n_in=st.integers(1, 5), units=st.integers(1, 5))
def test_acts_on_the_last_axis(lead, n_in, units):
    R.clear_session()
    layer = Dense(units, bias_initializer="ones", seed=0)
    x = np.random.default_rng(0).normal(size=(*lead, n_in)).astype("float32")
    out = layer(x)
    assert out.shape == (*lead, units)
    assert layer.kernel.shape == (n_in, units)
    assert layer.compute_output_shape((None, *lead[1:], n_in)) == (None, *lead[1:], units)
    np.testing.assert_allclose(out, x @ layer.kernel.numpy() + 1, rtol=1e-5, atol=1e-6)


def test_activation_and_no_bias():
    layer = Dense(2, activation="relu", use_bias=False, kernel_initializer="ones")
    out = layer(np.array([[1.0, -3.0], [2.0, 1.0]], "float32"))
    np.testing.assert_array_equal(out, [[0.0, 0.0], [3.0, 3.0]])
    assert layer.bias is None and len(layer.weights) == 1 and layer.count_params() == 4


def test_float64_input_is_cast_to_the_layer_dtype_like_keras():
    layer = Dense(2)
    assert layer(np.ones((1, 3))).dtype == np.float32
    layer64 = Dense(2, dtype="float64")
    assert layer64(np.ones((1, 3))).dtype == np.float64 and layer64.kernel.dtype == np.float64


def test_get_and_set_weights():
    layer = Dense(3)
    layer.build((None, 2))
    kernel = np.arange(6, dtype="float32").reshape(2, 3)
    bias = np.array([1.0, 2.0, 3.0], "float32")
    layer.set_weights([kernel, bias])
    got = layer.get_weights()
    np.testing.assert_array_equal(got[0], kernel)
    np.testing.assert_array_equal(got[1], bias)
    got[0][0, 0] = 99  # copies: changing them does not change the layer
    assert layer.kernel[0, 0] == 0
    np.testing.assert_array_equal(layer(np.array([[1.0, 1.0]])), [[4.0, 7.0, 10.0]])


def test_set_weights_errors_name_index_and_shapes():
    layer = Dense(3)
    layer.build((None, 2))
    with pytest.raises(ValueError) as info:
        layer.set_weights([np.zeros((3, 2)), np.zeros(3)])
    message = str(info.value)
    assert "weight 0" in message and "'kernel'" in message and "(2, 3)" in message and "(3, 2)" in message
    assert ".T" in message  # a transposed kernel is pointed out
    with pytest.raises(ValueError, match=r"weight 1 \('bias'\) has shape \(3,\).*\(4,\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(4)])
    with pytest.raises(ValueError, match="length 1, but the layer was expecting 2 weights"):
        layer.set_weights([np.zeros((2, 3))])


def test_count_params_before_build_raises_like_keras():
    expected = "You tried to call `count_params` on layer 'dense', but the layer isn't built"
    with pytest.raises(ValueError, match=expected):
        Dense(3).count_params()


def test_units_validation():
    for bad in (0, -1, 2.5, "3", True):
        with pytest.raises(ValueError, match="expected a positive integer"):
            Dense(bad)


def test_seeded_layers_are_reproducible():
    a, b = Dense(4, seed=3), Dense(4, seed=3)
    a.build((None, 5))
    b.build((None, 5))
    np.testing.assert_array_equal(a.kernel.numpy(), b.kernel.numpy())
    c = Dense(4)
    c.build((None, 5))
    assert not np.array_equal(a.kernel.numpy(), c.kernel.numpy())


def test_auto_names_and_clear_session():
    names = [Dense(1).name, Dense(1).name, Dense(1, name="out").name, Dense(1).name]
    assert names == ["dense", "dense_1", "out", "dense_2"]
    assert [R.BatchNormalization().name, R.Dropout(0.1).name, R.Flatten().name, R.Activation("relu").name] == [
        "batch_normalization",
        "dropout",
        "flatten",
        "activation",
    ]
    R.clear_session()
    assert Dense(1).name == "dense"


def test_variable_paths_of_a_standalone_layer():
    layer = Dense(2)
    layer.build((None, 3))
    assert [(v.path, v.name, v.trainable) for v in layer.weights] == [
        ("dense/kernel", "kernel", True),
        ("dense/bias", "bias", True),
    ]


def test_trainable_false_moves_weights():
    layer = Dense(2, trainable=False)
    layer.build((None, 3))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_config_and_repr():
    layer = Dense(5, activation="relu", name="hidden")
    config = layer.get_config()
    assert config["units"] == 5 and config["activation"] == "relu" and config["name"] == "hidden"
    assert config["kernel_initializer"] == "glorot_uniform" and config["bias_initializer"] == "zeros"
    assert repr(layer) == "<Dense name=hidden, built=False>"


def test_input_shape_argument_warns_like_keras():
    with pytest.warns(UserWarning, match="Do not pass an `input_shape`"):
        layer = Dense(2, input_shape=(3,))
    model = R.Sequential([layer])
    assert model.built and layer.kernel.shape == (3, 2)


def test_custom_layer_subclass_uses_the_same_seams():
    class Scale(R.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", (input_shape[-1],), R.initializers.Ones())

        def call(self, inputs, training=False):
            return inputs * self.w.numpy()

    layer = Scale()
    out = layer(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(out, [[1.0, 2.0]])
    assert layer.name == "scale" and layer.w.path == "scale/w" and layer.count_params() == 2
    with pytest.raises(ValueError, match="already built"):
        layer.build((None, 2))
