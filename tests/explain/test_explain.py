"""fclab.explain: real numpy shape errors and literal TF/Keras messages become one plain paragraph."""

import numpy as np
import pytest

from fclab.explain import ShapeError, explain, shapes

TF_MATMUL = ("{{function_node __wrapped__MatMul_device_/job:localhost/replica:0/task:0/device:CPU:0}} "
             "Matrix size-incompatible: In[0]: [4,12], In[1]: [20,10] [Op:MatMul] name: ")
KERAS_AXIS_OLD = ('Input 0 of layer "dense" is incompatible with the layer: expected axis -1 of input shape to '
                  "have value 20, but received input with shape (4, 12)")
KERAS_AXIS = ("Input 0 with name 'None' of layer 'dense' is incompatible with the layer: expected axis -1 of "
              "input shape to have value 20, but received input with shape (4, 12)")
KERAS_SEQUENTIAL = ("Exception encountered when calling Sequential.call().\n\n\x1b[1mInput 0 with name 'None' of "
                    "layer 'dense_1' is incompatible with the layer: expected axis -1 of input shape to have value "
                    "20, but received input with shape (4, 12)\x1b[0m\n\nArguments received by Sequential.call():")
KERAS_NDIM = ("Input 0 with name 'None' of layer 'dense' is incompatible with the layer: expected min_ndim=2, "
              "found ndim=1. Full shape received: (12,)")


def test_numpy_matmul_names_operands_shapes_and_fix():
    X, W = np.ones((4, 12)), np.ones((20, 10))
    with pytest.raises(ShapeError) as info:
        with shapes():
            X @ W
    text = str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value.__cause__, ValueError)
    assert "mismatch in its core dimension" in str(info.value.__cause__)
    assert "X has shape (4, 12)" in text and "W has shape (20, 10)" in text
    assert "12 features per row" in text and "20 rows" in text
    assert "W must be (12, units), or X must have 20 columns" in text and "transpose" in text


def test_numpy_matmul_spots_a_kernel_built_as_units_by_in():
    x, kernel = np.ones((4, 12)), np.ones((10, 12))
    with pytest.raises(ShapeError, match=r"kernel looks transposed: it is \(units, in\) = \(10, 12\)"):
        with shapes():
            np.matmul(x, kernel)


def test_np_dot_message():
    X, W = np.ones((4, 12)), np.ones((20, 10))
    with pytest.raises(ShapeError, match=r"X has shape \(4, 12\).*W has shape \(20, 10\)"):
        with shapes():
            np.dot(X, W)


def test_broadcasting_bias_of_the_wrong_length():
    X, W, b = np.ones((4, 12)), np.ones((12, 10)), np.ones(5)
    with pytest.raises(ShapeError) as info:
        with shapes():
            X @ W + b
    text = str(info.value)
    assert "(4, 10)" in text and "b (5,)" in text and "axis -1: 10 vs 5" in text
    assert "shape (10,)" in text and "bias" in text


def test_broadcasting_transposed():
    a, b = np.ones((4, 10)), np.ones((10, 4))
    with pytest.raises(ShapeError, match=r"One of them is transposed: use b\.T"):
        with shapes():
            a * b


def test_other_errors_pass_through_unchanged():
    with pytest.raises(KeyError):
        with shapes():
            {}["missing"]
    with pytest.raises(ValueError, match="not a shape problem") as info:
        with shapes():
            raise ValueError("not a shape problem")
    assert not isinstance(info.value, ShapeError)
    assert explain(ValueError("not a shape problem")) is None


def test_explain_function_form_on_a_caught_error():
    X, W = np.ones((3, 5)), np.ones((4, 2))
    try:
        X @ W
    except ValueError as exc:
        text = explain(exc)
    assert "X has shape (3, 5)" in text and "W must be (5, units), or X must have 4 columns" in text


@pytest.mark.parametrize("message", [TF_MATMUL, "Matrix size-incompatible: In[0]: [4,12], In[1]: [20,10]"])
def test_tf_matmul_message(message):
    text = explain(RuntimeError(message))
    assert "(4, 12)" in text and "(20, 10)" in text and "12 is not 20" in text


def test_tf_batched_matmul_and_incompatible_shapes_messages():
    text = explain(RuntimeError("Matrix size-incompatible: In[0]: [2,4,12], In[1]: [2,20,10] [Op:BatchMatMulV2]"))
    assert "(2, 4, 12)" in text and "20 rows" in text
    text = explain(RuntimeError("Incompatible shapes: [4,10] vs. [5] [Op:AddV2]"))
    assert "axis -1: 10 vs 5" in text and "shape (10,)" in text


@pytest.mark.parametrize("message, layer", [(KERAS_AXIS_OLD, "dense"), (KERAS_AXIS, "dense"),
                                            (KERAS_SEQUENTIAL, "dense_1")])
def test_keras_input_spec_message(message, layer):
    text = explain(ValueError(message))
    assert f'Layer "{layer}"' in text and "20 features" in text and "(4, 12)" in text
    assert "keras.Input(shape=(12,))" in text


def test_keras_ndim_message():
    text = explain(ValueError(KERAS_NDIM))
    assert "at least 2 axes" in text and "(12,)" in text and "reshape(1, -1)" in text


def test_shapes_converts_literal_keras_error():
    with pytest.raises(ShapeError, match='Layer "dense"') as info:
        with shapes():
            raise ValueError(KERAS_AXIS)
    assert str(info.value.__cause__) == KERAS_AXIS


@pytest.mark.tf
def test_real_tf_matmul_and_keras_dense_errors():
    from fclab._tf import keras, tf

    tf, keras = tf(), keras()
    X, W = tf.ones((4, 12)), tf.ones((20, 10))
    with pytest.raises(ShapeError) as info:
        with shapes():
            tf.matmul(X, W)
    assert isinstance(info.value.__cause__, tf.errors.InvalidArgumentError)
    assert "X has shape (4, 12)" in str(info.value) and "W has shape (20, 10)" in str(info.value)

    layer = keras.layers.Dense(10)
    layer.build((None, 20))
    with pytest.raises(ShapeError) as info:
        with shapes():
            layer(np.ones((4, 12), "float32"))
    assert 'Layer "dense' in str(info.value) and "20 features" in str(info.value) and "(4, 12)" in str(info.value)


def test_transposed_operand_on_the_failing_line_is_named():
    x, kernel = np.ones((4, 3)), np.ones((3, 2))
    with pytest.raises(ShapeError, match=r"x has shape \(4, 3\).*kernel\.T has shape \(2, 3\)"):
        with shapes():
            x @ kernel.T
