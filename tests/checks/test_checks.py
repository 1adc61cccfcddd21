"""fclab.checks: passing checks stay silent, failing ones say got vs expected and diagnose the mistake."""

import numpy as np
import pytest

from fclab import checks
from fclab.reference import activations as act


@pytest.fixture
def layer():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 4)).astype("float32")
    kernel = rng.normal(size=(4, 4)).astype("float32")
    bias = rng.normal(size=(4,)).astype("float32") + 0.5
    return x, kernel, bias


def _fail(fn, *args, **kwargs):
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def _codes():
    """Diagnosis codes of the last record."""
    return checks.records[-1]["diagnoses"]


def test_check_close_passes_within_tolerance_and_fails_just_outside():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    checks.check_close(expected + 5e-6, expected, rtol=1e-5, atol=1e-6)
    message = _fail(checks.check_close, expected + np.array([[0, 0], [0.5, 0]], "float32"), expected)
    assert "1 of 4 entries differ" in message
    assert "(1, 0)" in message and "3.5" in message and "rtol=1e-05" in message
    assert "float32 array of shape (2, 2)" in message


def test_check_close_refuses_broadcasting_shapes():
    message = _fail(checks.check_close, np.ones((4, 1)), np.ones(4), name="logits")
    assert "'logits'" in message and "(4, 1)" in message and "(4,)" in message
    assert "axis of length 1" in message


def test_check_close_shape_transposed():
    message = _fail(checks.check_close, np.ones((3, 5)), np.ones((5, 3)))
    assert "(3, 5)" in message and "(5, 3)" in message and "transposed" in message


def test_check_close_none_and_strings_are_explained():
    assert "return" in _fail(checks.check_close, None, np.ones(3))
    assert "not an array of numbers" in _fail(checks.check_close, "abc", np.ones(3))


@pytest.mark.parametrize(
    "mistake, code",
    [
        (lambda x, w, b: act.relu(x @ w), "bias_missing"),
        (lambda x, w, b: act.relu(x @ w - b), "bias_sign"),
        (lambda x, w, b: act.relu(x @ w + 2 * b), "bias_twice"),
        (lambda x, w, b: act.relu(x @ w.T + b), "kernel_transposed"),
        (lambda x, w, b: x @ w + b, "activation_missing"),
        (lambda x, w, b: act.relu(x @ w) + b, "relu_before_bias"),
        (lambda x, w, b: act.sigmoid(x @ w + b), "wrong_activation"),
    ],
)
def test_diagnoses_from_context(layer, mistake, code):
    x, kernel, bias = layer
    expected = act.relu(x @ kernel + bias)
    got = mistake(x, kernel, bias)
    message = _fail(checks.check_close, got, expected, context={"x": x, "kernel": kernel, "bias": bias})
    assert _codes() == [code]
    assert f"Diagnosis [{code}]: " in message


def test_softmax_wrong_axis_and_unnormalised(layer):
    x, kernel, bias = layer
    z = x @ kernel + bias
    expected = act.softmax(z)
    context = {"x": x, "kernel": kernel, "bias": bias}
    _fail(checks.check_close, act.softmax(z, axis=0), expected, context=context)
    assert _codes() == ["softmax_wrong_axis"]
    # from the arrays alone
    _fail(checks.check_close, act.softmax(z, axis=0), expected)
    assert _codes() == ["softmax_wrong_axis"]
    assert "sum to" in _fail(checks.check_close, np.exp(z), expected)
    assert _codes() == ["softmax_not_normalised"]
    overflowing = np.exp(z * 1000) / np.exp(z * 1000).sum(axis=-1, keepdims=True)
    _fail(checks.check_close, overflowing, act.softmax(z * 1000))
    assert _codes() == ["softmax_unstable"]


def test_diagnoses_from_arrays_alone(layer):
    x, kernel, bias = layer
    z = x @ kernel + bias
    assert "relu was not applied" in _fail(checks.check_close, z, act.relu(z))
    assert _codes() == ["activation_missing"]
    _fail(checks.check_close, x @ kernel, z)
    assert _codes() == ["rows_offset"]
    _fail(checks.check_close, z[:4].T, z[:4])
    assert _codes() == ["output_transposed"]
    bad = z.copy()
    bad[1, 2] = np.nan
    assert "NaN/inf" in _fail(checks.check_close, bad, z)
    assert _codes() == ["nan_or_inf"]
    assert "times 5" in _fail(checks.check_close, z * 5, z)
    assert _codes() == ["constant_factor"]
    _fail(checks.check_close, -z, z)
    assert _codes() == ["sign_flipped"]
    _fail(checks.check_close, np.round(z).astype("int64"), z)
    assert "integer_dtype" in _codes()


def test_no_diagnosis_on_a_mere_numerical_difference(layer):
    x, kernel, bias = layer
    z = x @ kernel + bias
    noisy = z + np.random.default_rng(0).normal(scale=1e-2, size=z.shape)
    _fail(checks.check_close, noisy, z, context={"x": x, "kernel": kernel, "bias": bias})
    assert _codes() == []


def test_no_diagnosis_gives_next_step():
    message = _fail(checks.check_close, np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.5, 3.0]))
    assert "What to do next" in message and "Diagnosis" not in message


def test_check_shape():
    checks.check_shape(np.zeros((4, 10)), (4, 10))
    checks.check_shape(np.zeros((4, 10)), (None, 10))
    message = _fail(checks.check_shape, np.zeros((10, 4)), (4, 10), name="h1")
    assert "'h1'" in message and "(10, 4)" in message and "(4, 10)" in message and "transposed" in message
    assert _codes() == ["output_transposed"]
    assert "units" in _fail(checks.check_shape, np.zeros((4, 7)), (4, 10))
    assert _codes() == ["wrong_units"]
    _fail(checks.check_shape, np.zeros((4, 1)), (4,))
    assert _codes() == ["extra_axis"]


def test_check_equal():
    checks.check_equal((4, 3), [4, 3])
    checks.check_equal(np.array([1, 2]), [1, 2])
    checks.check_equal("relu", "relu", name="activation")
    message = _fail(checks.check_equal, 20, 26, name="params")
    assert "got 20, expected 26" in message
    message = _fail(checks.check_equal, np.array([1, 2, 3]), np.array([1, 5, 3]))
    assert "first at index (1,)" in message
    _fail(checks.check_equal, 20, 26, name="params", mistakes={"params_without_bias": 20})
    assert _codes() == ["params_without_bias"]
    _fail(checks.check_equal, 21, 26, name="params", mistakes={"params_without_bias": 20})
    assert _codes() == []


def test_check_true():
    checks.check_true(1 < 2, "one is less than two")
    message = _fail(checks.check_true, 3.0 < 2.0, "the loss went down")
    assert "the loss went down" in message
    with pytest.raises(AssertionError, match=r"\.all\(\)") as info:
        checks.check_true(np.array([True, False]), "all positive")
    assert isinstance(info.value.__cause__, ValueError)


def _dense(x, W, b):
    return x @ W + b


def test_check_function_names_the_case_and_uses_context(layer):
    x, kernel, bias = layer
    cases = [(x, kernel, np.zeros(4, "float32")), (x[:1], kernel, bias)]
    checks.check_function(_dense, _dense, cases)
    message = _fail(checks.check_function, lambda x, W, b: x @ W, _dense, cases, name="dense")
    assert "case 1" in message and "x=float32 (1, 4)" in message and "[bias_missing]" in message


def test_check_function_chains_the_students_exception(layer):
    x, kernel, bias = layer

    def broken(x, W, b):
        return x @ W.T[:3] + b

    message = _fail(checks.check_function, broken, _dense, [(x, kernel, bias)])
    assert "case 0" in message and "ValueError" in message and "in broken" in message
    assert _codes() == ["shape_error"]


def test_check_function_says_an_unanswered_exercise_is_not_answered(layer):
    def unanswered(x, W, b):
        raise NotImplementedError()

    message = _fail(checks.check_function, unanswered, _dense, [layer])
    assert "not answered yet" in message and _codes() == ["not_answered"]


def test_check_function_copies_inputs(layer):
    x, kernel, bias = layer

    def in_place(x, W, b):
        x *= 0
        return _dense(x, W, b)

    original = x.copy()
    message = _fail(checks.check_function, in_place, _dense, [(x, kernel, bias)])
    np.testing.assert_array_equal(x, original)
    assert "modified its argument(s) x in place" in message and _codes() == ["input_modified_in_place"]


def test_check_function_tuple_outputs():
    def ref(a):
        return a * 2, a.sum(keepdims=True)

    checks.check_function(ref, ref, [np.arange(3.0)])
    message = _fail(checks.check_function, lambda a: (a * 2, a.sum(keepdims=True) + 1), ref, [np.arange(3.0)])
    assert "item 1" in message
    assert "tuple of 2" in _fail(checks.check_function, lambda a: a * 2, ref, [np.arange(3.0)])


class _Model:
    def __init__(self, scores):
        self.scores = scores

    def predict(self, x, verbose="auto"):
        assert verbose == 0
        return self.scores


def test_check_accuracy():
    y = np.array([0, 1, 2, 1])
    good = np.eye(3)[y]
    checks.check_accuracy(_Model(good), None, y, at_least=1.0)
    checks.check_accuracy(lambda x: good, None, np.eye(3)[y], at_least=0.9)
    message = _fail(checks.check_accuracy, lambda x: np.eye(3)[[0, 0, 0, 0]], None, y, at_least=0.9)
    assert "0.25" in message and "0.9" in message and "class 0 for every example" in message
    assert checks.records[-1]["got"] == {"value": 0.25} and checks.records[-1]["at_least"] == 0.9
    message = _fail(checks.check_accuracy, lambda x: np.zeros((3, 3)), None, y, at_least=0.5)
    assert "3 predictions for 4 labels" in message


def test_check_function_adds_the_shape_explanation():
    def forward(x, W):
        return x @ W.T

    message = _fail(checks.check_function, forward, lambda x, W: x @ W, [(np.ones((4, 3)), np.ones((3, 2)))])
    assert "matmul" in message  # the original error text
    assert "x has shape (4, 3)" in message and "W.T has shape (2, 3)" in message
    assert "drop the .T and use x @ W" in message
    assert _codes() == ["shape_error"]
