"""Playground on tf.keras driven from Python: training, several classes, export, JSON, start/pause."""

import html
import json
import re
import time

import numpy as np
import pytest

from fclab.widgets import Playground, PlaygroundState, playground

pytestmark = pytest.mark.tf

SEPARABLE = dict(dataset="gauss", noise=0.0, learning_rate=0.1, hidden=[4], n_samples=120)


def _weights_equal(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_loss_goes_down_on_a_separable_set():
    p = playground(**SEPARABLE)
    assert p.state.epoch == 0 and len(p.state.train_loss) == 1
    p.step(8)
    s = p.state
    assert s.epoch == 8 and len(s.train_loss) == len(s.test_loss) == 9
    assert s.train_loss[-1] < 0.5 * s.train_loss[0]
    assert s.test_loss[-1] < 0.5 * s.test_loss[0]
    assert p.trainer.accuracy(p.trainer.x_test, p.trainer.y_test) >= 0.9
    assert "epoch 8 · train loss" in html.unescape(p.view.value)


def test_twin_matches_the_keras_model_that_trains():
    p = playground(**SEPARABLE)
    p.step(2)
    model = p.trainer.keras_model()
    assert _weights_equal(model.get_weights(), p.trainer.twin.get_weights())
    x = p.trainer.x_test
    np.testing.assert_allclose(p.trainer.probabilities(x)[:, 1], model.predict(x, verbose=0)[:, 0],
                               rtol=1e-5, atol=1e-6)


def test_more_than_two_classes_use_softmax_and_sparse_cross_entropy():
    p = playground(dataset="gauss", n_classes=3, noise=0.0, learning_rate=0.1, n_samples=150)
    model = p.trainer.keras_model()
    assert model.layers[-1].units == 3 and model.layers[-1].activation.__name__ == "softmax"
    assert model.loss == "sparse_categorical_crossentropy"
    probs = p.trainer.probabilities(p.trainer.grid())
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    p.step(6)
    assert p.state.train_loss[-1] < 0.5 * p.state.train_loss[0]
    assert "class 2" in p.view.value


def test_json_round_trip_reproduces_network_and_curve(tmp_path):
    a = playground(**SEPARABLE)
    a.step(3)
    path = tmp_path / "state.json"
    a.save(path)
    b = playground(dataset="xor")             # a different set-up, replaced by the loaded one
    assert b.load(path)
    assert b.state == a.state
    assert _weights_equal(b.trainer.twin.get_weights(), a.trainer.twin.get_weights())
    assert b.controls["dataset"].value == "gauss" and b.controls["hidden"].value == "4"
    a.step(2)
    b.step(2)                                  # both continue from epoch 3 with the same batches
    assert b.state.train_loss == a.state.train_loss and b.state.test_loss == a.state.test_loss
    assert _weights_equal(b.trainer.twin.get_weights(), a.trainer.twin.get_weights())


def test_same_setup_and_seed_give_the_same_network_and_curve():
    a = playground(**SEPARABLE)
    a.step(4)
    b = Playground(PlaygroundState(**a.state.setup()))
    b.step(4)
    assert b.state.train_loss == a.state.train_loss
    assert _weights_equal(b.trainer.twin.get_weights(), a.trainer.twin.get_weights())
    c = playground(**{**SEPARABLE, "seed": 1})
    c.step(4)
    assert c.state.train_loss != a.state.train_loss


def test_changing_a_control_starts_a_new_network():
    p = playground(**SEPARABLE)
    initial = p.trainer.twin.get_weights()
    p.step(2)
    p.controls["learning_rate"].value = 0.3
    assert p.state.learning_rate == 0.3 and p.state.epoch == 0 and len(p.state.train_loss) == 1
    assert _weights_equal(p.trainer.twin.get_weights(), initial)
    p.controls["hidden"].value = "3, 2"
    assert p.state.hidden == [3, 2]
    assert [w.shape for w in p.trainer.twin.get_weights()] == [(2, 3), (3,), (3, 2), (2,), (2, 1), (1,)]
    assert p.view.value.count('class="fclab-heatmap"') == 2


def test_exported_code_rebuilds_the_current_network():
    p = playground(**SEPARABLE)
    p.step(2)
    p.export_button.click()
    code = html.unescape(p.code_view.value)
    assert "keras.Input(shape=(2,))" in code and 'loss="binary_crossentropy"' in code
    source = p.keras_code()
    namespace = {}
    exec(source[:source.index("model.fit(")], namespace)
    model = namespace["model"]
    assert _weights_equal(model.get_weights(), p.trainer.twin.get_weights())
    x = p.trainer.x_train
    np.testing.assert_allclose(model.predict(x, verbose=0)[:, 0], p.trainer.probabilities(x)[:, 1],
                               rtol=1e-5, atol=1e-6)
    namespace["x"], namespace["y"] = x, p.trainer.y_train
    exec(source[source.index("model.fit("):].replace("epochs=100", "epochs=1"), namespace)


def test_start_and_pause_do_not_block():
    p = playground(**SEPARABLE)
    p.start(epochs=3)
    assert p.wait(timeout=120) and p.state.epoch == 3
    assert not p.run_button.value and p.run_button.description == "start"
    p.run_button.value = True                  # the button starts open-ended training in the background
    deadline = time.monotonic() + 120
    while p.state.epoch < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert p.running
    p.run_button.value = False
    assert not p.running
    stopped_at = p.state.epoch
    time.sleep(0.3)
    assert p.state.epoch == stopped_at and len(p.state.train_loss) == stopped_at + 1
    p.close()


@pytest.mark.parametrize("setup, expected", [
    (dict(dataset="moons"), "There is no data set 'moons'"),
    (dict(hidden=[4, 0]), "Hidden layer 2 has 0 units"),
    (dict(batch_size=0), "batch_size must be a whole number ≥ 1"),
])
def test_invalid_setups_show_a_message(setup, expected):
    p = playground(**setup)
    assert expected in html.unescape(p.view.value)
    p.step()                                   # nothing to train: no exception, still the message
    p.start()
    assert not p.running and expected in html.unescape(p.view.value)


def test_invalid_text_and_json_show_messages():
    p = playground(**SEPARABLE)
    p.controls["hidden"].value = "4, x"
    assert "like '4, 2'" in html.unescape(p.notice.value)
    assert p.state.hidden == [4]
    assert not p.load_json("not json")
    assert "Could not load that state" in p.notice.value
    assert not p.load_json(json.dumps({"format": "something else"}))
    state = json.loads(p.to_json())
    state["weights"][0] = [[1.0]]              # does not fit a 2 → 4 kernel
    assert not p.load_json(json.dumps(state))
    assert "do not fit this network" in html.unescape(p.view.value)


def test_two_class_data_sets_keep_classes_at_two_and_say_why():
    from fclab.data import _MULTICLASS
    from fclab.widgets.playground_app import MULTICLASS_DATASETS

    assert MULTICLASS_DATASETS == _MULTICLASS
    p = playground(dataset="spiral", n_classes=3, hidden=[4])
    assert not p.controls["n_classes"].disabled
    p.controls["dataset"].value = "xor"
    assert p.state.n_classes == 2 and p.controls["n_classes"].value == 2 and p.controls["n_classes"].disabled
    assert "xor has exactly two classes" in html.unescape(p.notice.value)
    assert "decision boundary" in p.view.value and "fclab-message" not in p.view.value    # a view, not an error
    loaded = playground(dataset="circle", n_classes=4)      # e.g. from an edited JSON state: a message
    assert "circle has exactly two classes, got n_classes=4" in html.unescape(loaded.view.value)


def test_view_has_class_colours_axis_labels_a_colour_key_and_whole_epochs():
    from fclab.palette import CLASS_COLORS

    p = playground(**SEPARABLE)
    p.step(3)
    view = p.view.value
    assert CLASS_COLORS[0] in view and CLASS_COLORS[1] in view
    assert ">x1</text>" in view and ">x2</text>" in view
    assert "fclab-colour-key" in view and "neuron output" in view
    title = view.index("loss after epoch")
    loss_svg = view[view.rindex("<svg", 0, title):view.index("</svg>", title)]
    ticks = re.findall(r'text-anchor="middle">([^<]*)</text>', loss_svg)
    assert len(ticks) >= 2 and all(t.isdigit() for t in ticks), ticks


def test_exported_code_never_splits_a_number_and_lines_stay_short():
    p = playground(**SEPARABLE)
    p.export_button.click()
    assert "white-space:pre;" in p.code_view.value          # long lines scroll instead of wrapping
    source = p.keras_code()
    compile(source, "exported", "exec")
    assert max(len(line) for line in source.splitlines()) < 120
