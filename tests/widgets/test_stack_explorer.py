"""Layer-stack explorer: shapes, parameter counts equal to a keras.Sequential built here, the code."""

import html

import pytest

import fclab.widgets._keras_stack as keras_stack
from fclab.widgets import LayerSpec, stack_explorer


def _keras_counts(input_dim, specs):
    from fclab._tf import keras

    k = keras()
    model = k.Sequential([k.Input(shape=(input_dim,))]
                         + [k.layers.Dense(s.units, activation=s.activation, use_bias=s.use_bias) for s in specs])
    return [layer.count_params() for layer in model.layers], model.count_params()


def test_numpy_side_without_keras():
    w = stack_explorer(compare_keras=False)
    r = w.report
    assert [row[3] for row in r.rows] == [3 * 2 + 2, 2 * 2 + 2, 2 * 2 + 2]
    assert [row[2] for row in r.rows] == [(None, 2)] * 3
    assert r.total == 20 and r.agrees is None
    assert "Param # (Keras)" not in w.view.value


def test_empty_stack_and_zero_units_show_messages():
    w = stack_explorer(compare_keras=False)
    w.rows[1].units.value = 0
    assert "Layer 1 has units=0" in w.view.value and "fclab-error" in w.view.value
    w.rows[1].units.value = 3
    assert not w.report.problem
    for _ in range(3):
        w.remove_layer()
    assert w.state.layers == [] and "The stack is empty" in w.view.value
    w.input_dim.value = 0
    w.add_layer(4)
    assert "Input features must be between 1" in w.view.value


def test_unknown_activation_is_a_message():
    w = stack_explorer([(4, "swishy")], compare_keras=False)
    assert "Unknown activation 'swishy'" in html.unescape(w.view.value)


@pytest.mark.tf
def test_counts_equal_keras_while_editing():
    w = stack_explorer()
    assert w.report.agrees is True and "✓ same output shapes" in w.view.value
    w.input_dim.value = 784
    w.rows[0].units.value = 128
    w.rows[2].use_bias.value = False
    w.add_layer(10, "softmax")
    w.rows[1].activation.value = "tanh"
    assert w.wait_keras()
    specs = w.state.layers
    assert [(s.units, s.activation, s.use_bias) for s in specs] == [
        (128, "relu", True), (2, "tanh", True), (2, None, False), (10, "softmax", True)]
    per_layer, total = _keras_counts(784, specs)
    r = w.report
    assert [row[3] for row in r.rows] == per_layer
    assert r.total == total == r.keras_total
    assert [row[2] for row in r.rows] == [(None, 128), (None, 2), (None, 2), (None, 10)]
    assert r.agrees is True
    assert f"{total:,}" in w.view.value
    assert "Total params: " + f"{total:,}" in r.keras_summary
    w.rows[0].remove.click()
    assert w.wait_keras()
    assert len(w.state.layers) == 3 and w.report.agrees is True
    assert w.report.total == _keras_counts(784, w.state.layers)[1]


@pytest.mark.tf
def test_disagreement_is_shown(monkeypatch):
    real = keras_stack.keras_side

    def off_by_one(input_dim, specs):
        rows, total, text = real(input_dim, specs)
        return rows, total + 1, text

    monkeypatch.setattr(keras_stack, "cached", lambda *key: None)
    monkeypatch.setattr(keras_stack, "keras_side", off_by_one)
    w = stack_explorer()
    assert w.report.agrees is False
    assert "✗ differs from Keras" in w.view.value


@pytest.mark.tf
def test_view_updates_at_once_and_keras_follows():
    w = stack_explorer()
    w.rows[0].units.value = 3071            # a configuration no other test builds: not cached
    assert w.report.rows[0][3] == 3 * 3071 + 3071
    w.wait_keras()
    assert not w.report.keras_pending and w.report.agrees is True
    assert f"{w.report.keras_total:,}" in w.view.value and "building the same" not in w.view.value


@pytest.mark.tf
def test_copied_code_builds_the_same_model():
    w = stack_explorer([LayerSpec(5, "sigmoid"), (3, None, False)], input_dim=7)
    code = w.report.code
    assert code.index("keras.Input(shape=(7,))") < code.index("keras.layers.Dense(5")
    namespace = {}
    exec(code.replace("model.summary()", ""), namespace)
    model = namespace["model"]
    assert model.count_params() == w.report.total == 7 * 5 + 5 + 5 * 3
    assert [layer.activation.__name__ for layer in model.layers] == ["sigmoid", "linear"]
    assert model.layers[1].use_bias is False
