"""Keras models across the sandbox boundary: config + weights, rebuilt trusted-side from Keras's own layers
only (a Lambda layer or a custom class is refused), and a model a test passes in gets its new weights back."""

import json

import numpy as np
import pytest

from autograder import proxies
from autograder.sandboxed import agent as agent_module
from autograder.sandboxed import wire

pytestmark = pytest.mark.tf
keras = pytest.importorskip("keras")


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _through(value, strict=True):
    text = json.dumps(wire.encode(value, lambda v: {"$handle": 1, "type": "x", "callable": False}))
    return wire.decode(json.loads(text), lambda *a: None, on_keras=lambda body: wire.keras_from_wire(body, strict))


def test_a_keras_model_is_rebuilt_with_its_weights():
    model = _model()
    rebuilt = _through(model)
    assert type(rebuilt) is keras.Sequential and rebuilt is not model
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert rebuilt.optimizer.__class__.__name__ == "SGD"


def test_a_lambda_layer_is_refused():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2)])
    with pytest.raises(wire.CannotCross, match="'Lambda'.*carries Python code"):
        _through(model)


def test_a_custom_layer_class_is_refused():
    @keras.saving.register_keras_serializable(package="student")
    class Doubling(keras.layers.Layer):
        def call(self, inputs):
            return inputs * 2

    model = keras.Sequential([keras.Input((3,)), Doubling()])
    with pytest.raises(wire.CannotCross, match="Doubling"):
        _through(model)


def test_a_forged_config_naming_another_module_is_refused():
    config = keras.saving.serialize_keras_object(_model())
    config["config"]["layers"][1]["module"] = "os"
    config["config"]["layers"][1]["class_name"] = "system"
    with pytest.raises(wire.CannotCross, match="'system' from 'os'"):
        wire.keras_from_wire({"config": config, "weights": []})


def test_a_model_given_to_a_student_function_comes_back_with_its_new_weights():
    namespace = {}
    exec("def zero_last_bias(model):\n    w = model.get_weights()\n    w[-1] = w[-1] * 0 + 5\n"  # noqa: S102
         "    model.set_weights(w)\n    return None\n", namespace)
    agent = agent_module.install(namespace)
    session = proxies.Session(lambda request: proxies.reply_from_text(agent.handle(json.dumps(request))))
    model = _model()
    outcome = session.fetch("zero_last_bias").__fclab_call__((model,), {}, (), True)
    assert outcome.error is None
    np.testing.assert_array_equal(model.get_weights()[-1], np.full(2, 5.0, dtype="float32"))


def test_a_model_compiled_by_a_student_function_and_a_history_come_back():
    namespace = {}
    exec("import keras\nimport numpy as np\n"  # noqa: S102
         "def compile_it(model):\n    model.compile(loss='mse', optimizer=keras.optimizers.Adam(0.01))\n"
         "    return model\n"
         "def fit_it(model):\n    return model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=2, verbose=0)\n", namespace)
    agent = agent_module.install(namespace)
    session = proxies.Session(lambda request: proxies.reply_from_text(agent.handle(json.dumps(request))))
    probe = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    returned = session.fetch("compile_it")(probe)
    assert type(probe.optimizer).__name__ == "Adam" and probe.loss == "mse"  # the probe itself was compiled
    assert returned is not probe and type(returned.optimizer).__name__ == "Adam"  # identity does not cross
    history = session.fetch("fit_it")(probe)
    assert isinstance(history, keras.callbacks.History) and history.epoch == [0, 1] and "loss" in history.history
