"""reference.Sequential equals keras.Sequential: names, variable paths, parameter counts, summary, forward."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_strategies import (
    EXPECTED_KERAS_WARNINGS,
    FEW_UNSHRUNK,
    arrays,
    assert_close,
    random_weights,
    rng_from,
    stacks,
)

pytestmark = [pytest.mark.tf, *EXPECTED_KERAS_WARNINGS]

def _twins(ref, keras, shape, specs, fresh_names=False):
    """The same stack built with Keras and with the reference.

    Keras names its layers; the reference twins get the same names (so paths can be compared without
    the ~1 s ``keras.backend.clear_session()`` per example). With ``fresh_names`` both sessions are
    cleared and both sides name their layers themselves, which must give the same names.
    """
    if fresh_names:
        keras.backend.clear_session()
        ref.clear_session()
    keras_layers = [getattr(keras.layers, kind)(**kw) for kind, kw in specs]
    keras_model = keras.Sequential([keras.Input(shape=shape[1:])] + keras_layers)
    names = {} if fresh_names else {"name": keras_model.name}
    ref_layers = [
        getattr(ref, kind)(**kw, **({} if fresh_names else {"name": layer.name}))
        for (kind, kw), layer in zip(specs, keras_layers)
    ]
    ref_model = ref.Sequential([ref.Input(shape=shape[1:])] + ref_layers, **names)
    return keras_model, ref_model


def summary_table(text):
    """Rows (name (type), output shape, params) and totals lines parsed from a Keras-style summary."""
    rows, current = [], None
    for line in text.splitlines():
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
            current = cells if current is None else [f"{a} {b}".strip() for a, b in zip(current, cells)]
        elif line.startswith(("├", "└")) and current is not None:
            rows.append(tuple(current))
            current = None
    totals = re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+) \(([^)]*)\)", text)
    return rows, totals


def _summary(model):
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)


def _size(variables):
    return sum(int(np.prod(v.shape)) for v in variables)


@FEW_UNSHRUNK
@given(stack=stacks(), data=st.data())
def test_sequential_matches_keras(ref, keras, stack, data):
    shape, specs = stack
    keras_model, ref_model = _twins(ref, keras, shape, specs)
    keras_model.set_weights(random_weights(keras_model.weights, rng_from(data)))
    ref_model.set_weights(keras_model.get_weights())

    assert ref_model.name == keras_model.name
    assert [layer.name for layer in ref_model.layers] == [layer.name for layer in keras_model.layers]
    for attribute in ("variables", "trainable_variables", "non_trainable_variables", "weights"):
        got = [(v.path, v.name, tuple(v.shape)) for v in getattr(ref_model, attribute)]
        expected = [
            (v.path, v.name, tuple(v.shape))
            for v in getattr(keras_model, attribute)
            # Keras's Dropout also owns its random-number state ("seed_generator_state", not a weight:
            # not in `weights` nor in count_params); the reference's Dropout keeps a numpy Generator.
            if v.name != "seed_generator_state"
        ]
        assert got == expected, f"{attribute}: reference {got} vs Keras {expected}"
    assert ref_model.count_params() == keras_model.count_params()
    assert _size(ref_model.trainable_weights) == _size(keras_model.trainable_weights)
    assert _size(ref_model.non_trainable_weights) == _size(keras_model.non_trainable_weights)

    x = data.draw(arrays(shape, scales=(1e-2, 1.0)), label="x")  # O(1) through up to five layers
    assert_close(ref_model(x), keras_model(x).numpy(), what=f"Sequential {specs} on {shape}")


@FEW_UNSHRUNK
@given(stack=stacks())
def test_summary_equals_keras_summary(ref, keras, stack):
    shape, specs = stack
    keras_model, ref_model = _twins(ref, keras, shape, specs)
    keras_rows, keras_totals = summary_table(_summary(keras_model))
    ref_rows, ref_totals = summary_table(_summary(ref_model))
    assert len(keras_totals) == 3, f"could not parse Keras's summary:\n{_summary(keras_model)}"
    assert ref_rows == keras_rows
    assert ref_totals == keras_totals
    total = dict((label, int(count.replace(",", ""))) for label, count, _ in ref_totals)
    assert total["Total"] == keras_model.count_params()
    assert total["Trainable"] == _size(keras_model.trainable_weights)
    assert total["Non-trainable"] == _size(keras_model.non_trainable_weights)


def test_seed_sequential_has_20_params_like_keras(ref, keras):
    # The lecture's [3] -> [2] -> [2] -> [2] network: 8 + 6 + 6 parameters.
    keras_model, ref_model = _twins(ref, keras, (None, 3), [("Dense", {"units": 2})] * 3, fresh_names=True)
    assert ref_model.count_params() == keras_model.count_params() == 20
    assert summary_table(_summary(ref_model)) == summary_table(_summary(keras_model))


def test_default_names_and_paths_match_keras(ref, keras):
    specs = [("Flatten", {}), ("Dense", {"units": 4}), ("BatchNormalization", {}), ("Dropout", {"rate": 0.5})]
    specs += [("Dense", {"units": 3, "activation": "relu"}), ("Activation", {"activation": "softmax"})]
    keras_model, ref_model = _twins(ref, keras, (None, 2, 3), specs, fresh_names=True)
    assert ref_model.name == keras_model.name == "sequential"
    assert [layer.name for layer in ref_model.layers] == [layer.name for layer in keras_model.layers] == [
        "flatten", "dense", "batch_normalization", "dropout", "dense_1", "activation"
    ]
    assert [v.path for v in ref_model.weights] == [v.path for v in keras_model.weights]
    assert ref_model.trainable_variables[0].path == "sequential/dense/kernel"
    assert summary_table(_summary(ref_model)) == summary_table(_summary(keras_model))


def test_unbuilt_summary_matches_keras(ref, keras):
    keras.backend.clear_session()
    ref.clear_session()
    keras_model = keras.Sequential([keras.layers.Dense(2), keras.layers.Dense(3)])
    ref_model = ref.Sequential([ref.Dense(2), ref.Dense(3)])
    assert summary_table(_summary(ref_model)) == summary_table(_summary(keras_model))


def test_paths_of_a_standalone_layer_match_keras(ref, keras):
    keras.backend.clear_session()
    ref.clear_session()
    names = [(keras.layers.Dense(2), ref.Dense(2)) for _ in range(3)]
    for keras_layer, ref_layer in names:
        keras_layer.build((None, 4))
        ref_layer.build((None, 4))
        assert [w.path for w in ref_layer.weights] == [w.path for w in keras_layer.weights]
    assert [r.name for _, r in names] == [k.name for k, _ in names] == ["dense", "dense_1", "dense_2"]
