"""fclab.reference.Input / Sequential: building, calling, summary text and totals, variables with paths."""

import numpy as np
import pytest

import fclab.reference as R
from fclab.reference import BatchNormalization, Dense, Dropout, Flatten, Input, Sequential

# What keras 3.15's model.summary() prints for the same models (after keras.backend.clear_session()).
KERAS_SUMMARY_3_2_2_2 = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 2)              │             8 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 2)              │             6 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_2 (Dense)                 │ (None, 2)              │             6 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 20 (80.00 B)
 Trainable params: 20 (80.00 B)
 Non-trainable params: 0 (0.00 B)"""

KERAS_SUMMARY_BN = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 4)              │            16 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ batch_normalization             │ (None, 4)              │            16 │
│ (BatchNormalization)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ activation (Activation)         │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ flatten (Flatten)               │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 2)              │            10 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 42 (168.00 B)
 Trainable params: 34 (136.00 B)
 Non-trainable params: 8 (32.00 B)"""

KERAS_SUMMARY_UNBUILT = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ ?                      │   0 (unbuilt) │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ ?                      │   0 (unbuilt) │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)"""


def summary_of(model):
    lines = []
    model.summary(print_fn=lines.append)
    assert len(lines) == 1  # print_fn gets the whole text at once, as Keras's does
    return lines[0]


def test_the_3_2_2_2_example_has_8_6_6_20_params():
    model = Sequential([Input(shape=(3,)), Dense(2), Dense(2), Dense(2)])
    assert model.built
    assert [layer.count_params() for layer in model.layers] == [8, 6, 6]
    assert model.count_params() == 20
    assert summary_of(model) == KERAS_SUMMARY_3_2_2_2


def test_summary_with_batchnorm_dropout_activation_flatten():
    model = Sequential(
        [
            Input((3,)),
            Dense(4),
            BatchNormalization(),
            Dropout(0.5),
            R.Activation("relu"),
            Flatten(),
            Dense(2, activation="softmax"),
        ]
    )
    assert summary_of(model) == KERAS_SUMMARY_BN
    assert model.count_params() == 42
    assert sum(v.size for v in model.trainable_variables) == 34
    assert [v.path for v in model.non_trainable_variables] == [
        "sequential/batch_normalization/moving_mean",
        "sequential/batch_normalization/moving_variance",
    ]


def test_unbuilt_summary_says_unbuilt():
    model = Sequential([Dense(2), Dense(2)])
    assert not model.built
    assert summary_of(model) == KERAS_SUMMARY_UNBUILT
    with pytest.raises(ValueError, match="isn't built"):
        model.count_params()
    assert model.trainable_variables == []


def test_summary_prints_with_the_default_print(capsys):
    Sequential([Input((3,)), Dense(2)]).summary()
    assert " Total params: 8 (32.00 B)" in capsys.readouterr().out


def test_summary_of_rank_3_input_and_thousands_separator():
    model = Sequential([Input((5, 6)), Dense(4), Flatten(), Dense(2)])
    text = summary_of(model)
    assert "(None, 5, 4)" in text and "(None, 20)" in text and "│            42 │" in text
    big = Sequential([Input((784,)), Dense(512)])
    assert "│       401,920 │" in summary_of(big)
    assert " Total params: 401,920 (1.53 MB)" in summary_of(big)


def test_variables_have_keras_paths_and_names():
    model = Sequential([Input((3,)), Dense(2), Dense(2)])
    assert [(v.path, v.name) for v in model.trainable_variables] == [
        ("sequential/dense/kernel", "kernel"),
        ("sequential/dense/bias", "bias"),
        ("sequential/dense_1/kernel", "kernel"),
        ("sequential/dense_1/bias", "bias"),
    ]
    v = model.trainable_variables[0]
    assert v.shape == (3, 2) and v.dtype == np.float32 and v.trainable
    assert v is model.layers[0].kernel and isinstance(v.numpy(), np.ndarray)


def test_model_names_count_up():
    assert [Sequential().name, Sequential().name, Sequential(name="mlp").name, Sequential().name] == [
        "sequential",
        "sequential_1",
        "mlp",
        "sequential_2",
    ]


def test_build_on_first_call_and_by_build():
    x = np.arange(12, dtype="float32").reshape(4, 3)
    called = Sequential([Dense(2), Dense(3)])
    out = called(x)
    assert out.shape == (4, 3) and called.built and called.count_params() == 8 + 9
    assert "(4, 3)" in summary_of(called)  # Keras keeps the first call's batch size in the summary
    built = Sequential([Dense(2), Dense(3)])
    built.build((None, 3))
    assert built.output_shape == (None, 3) and "(None, 2)" in summary_of(built)
    assert [v.path for v in built.weights][0] == "sequential_1/dense_2/kernel"


def test_call_equals_the_layers_in_turn():
    model = Sequential([Input((3,)), Dense(4, activation="relu"), Dense(2, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    by_hand = R.dense(R.dense(x, *model.layers[0].get_weights(), "relu"), *model.layers[1].get_weights(), "softmax")
    np.testing.assert_allclose(model(x), by_hand, rtol=1e-6)
    np.testing.assert_allclose(model.predict(x, batch_size=2), by_hand, rtol=1e-6)


def test_add_and_pop():
    model = Sequential()
    model.add(Input((3,)))
    model.add(Dense(2))
    assert model.layers[0].built  # an Input first builds each layer as it is added
    model.add(Dense(1))
    assert model.count_params() == 8 + 3
    assert model.pop().units == 1 and len(model.layers) == 1


def test_bad_additions():
    with pytest.raises(TypeError, match="Received: 3"):
        Sequential([3])
    with pytest.raises(ValueError, match="unique names"):
        Sequential([Dense(2, name="a"), Dense(2, name="a")])
    with pytest.raises(ValueError, match="first element"):
        Sequential([Dense(2), Input((3,))])
    with pytest.raises(ValueError, match=r"Input\(shape=\(3,\)\)"):
        Input(3)


def test_a_layer_built_for_another_shape_does_not_fit():
    layer = Dense(2)
    layer.build((None, 5))
    model = Sequential([Input((3,))])
    expected = r"expected axis -1 of input shape to have value 5, but received input with shape \(None, 3\)"
    with pytest.raises(ValueError, match=expected):
        model.add(layer)
    assert model.layers == []  # the failed add left the model as it was


def test_call_with_wrong_shape_names_both_shapes():
    model = Sequential([Input((3,)), Dense(2)])
    with pytest.raises(ValueError) as info:
        model(np.zeros((4, 5), "float32"))
    assert "(None, 3)" in str(info.value) and "(4, 5)" in str(info.value)


def test_build_without_shape_says_what_to_do():
    with pytest.raises(ValueError, match=r"input_shape.*Input\(shape="):
        Sequential([Dense(2)]).build()


def test_model_get_set_weights():
    model = Sequential([Input((3,)), Dense(2), Dense(1)])
    new = [np.full(w.shape, i, "float32") for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r"weight 2 \('sequential/dense_1/kernel'\) has shape \(2, 1\).*\(1, 2\)"):
        model.set_weights([new[0], new[1], new[2].T, new[3]])
    with pytest.raises(ValueError, match="length 3"):
        model.set_weights(new[:3])


def test_trainable_false_freezes_the_model():
    model = Sequential([Input((3,)), Dense(2)])
    model.trainable = False
    assert model.trainable_variables == [] and len(model.non_trainable_variables) == 2
    assert " Trainable params: 0 (0.00 B)" in summary_of(model)


def test_repr():
    assert repr(Sequential([Input((3,)), Dense(2)])) == "<Sequential name=sequential, built=True>"
