"""fclab.reference.activations: Keras formulas, stability, derivatives, get()."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fclab.reference import activations as A

X = np.array([-3.0, -0.5, 0.0, 0.5, 3.0], dtype="float32")


def test_values_by_hand():
    np.testing.assert_array_equal(A.relu(X), [0, 0, 0, 0.5, 3])
    np.testing.assert_array_equal(A.linear(X), X)
    np.testing.assert_allclose(A.sigmoid(X), 1 / (1 + np.exp(-X.astype("float64"))), rtol=1e-6)
    np.testing.assert_allclose(A.tanh(X), np.tanh(X.astype("float64")), rtol=1e-6)
    # Keras's leaky_relu FUNCTION defaults to 0.2 (the LeakyReLU LAYER to 0.3).
    np.testing.assert_allclose(A.leaky_relu(X), [-0.6, -0.1, 0, 0.5, 3], rtol=1e-6)
    np.testing.assert_allclose(A.leaky_relu(X, negative_slope=0.3), [-0.9, -0.15, 0, 0.5, 3], rtol=1e-6)
    p = A.softmax(np.array([[1.0, 2.0, 3.0]], "float32"))
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p, [e / e.sum()], rtol=1e-6)


def test_relu_keras_options():
    # keras.activations.relu(x, negative_slope, max_value, threshold) documented examples
    x = np.array([-10, -5, 0.0, 5, 10], "float32")
    np.testing.assert_array_equal(A.relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    np.testing.assert_array_equal(A.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    np.testing.assert_array_equal(A.relu(x, threshold=5.0), [0, 0, 0, 0, 10])


@pytest.mark.parametrize("name", A.NAMES)
def test_float32_in_float32_out_and_shape_kept(name):
    x = np.linspace(-4, 4, 24, dtype="float32").reshape(2, 3, 4)
    out = A.get(name)(x)
    assert out.dtype == np.float32 and out.shape == x.shape
    assert A.get(name)(x.astype("float64")).dtype == np.float64
    assert A.get(name)(np.arange(4).reshape(2, 2)).dtype == np.float32


def test_softmax_stable_for_huge_logits():
    logits = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]], "float32")
    p = A.softmax(logits)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-7)


def test_softmax_axis():
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(A.softmax(x, axis=0).sum(axis=0), 1, rtol=1e-6)
    np.testing.assert_allclose(A.softmax(x, axis=0), A.softmax(x.T).T, rtol=1e-6)


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        s = A.sigmoid(np.array([-1e4, 1e4], "float32"))
    np.testing.assert_array_equal(s, [0, 1])


@settings(max_examples=25, deadline=None)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.floats(-5, 5)),
    name=st.sampled_from(["linear", "relu", "sigmoid", "tanh", "leaky_relu"]),
)
def test_derivative_matches_central_differences(x, name):
    # away from relu's kink, where the derivative is not defined
    x = np.where(np.abs(x) < 1e-3, 0.5, x)
    f = A.get(name)
    numeric = (f(x + 1e-6) - f(x - 1e-6)) / 2e-6
    np.testing.assert_allclose(A.derivative(name, x), numeric, rtol=1e-5, atol=1e-7)


def test_derivative_at_zero_follows_keras():
    zero = np.zeros(1, "float32")
    assert A.derivative("relu", zero)[0] == 0.0  # TF's relu gradient at 0 is 0
    assert A.derivative("leaky_relu", zero)[0] == pytest.approx(0.2)
    assert A.derivative("sigmoid", zero)[0] == pytest.approx(0.25)
    assert A.derivative("tanh", zero)[0] == pytest.approx(1.0)


def test_derivative_of_a_custom_function_and_kwargs():
    x = np.array([-1.0, 2.0])
    np.testing.assert_allclose(A.derivative(lambda v: v**3, x), 3 * x**2, rtol=1e-6)
    np.testing.assert_allclose(A.derivative("leaky_relu", x, negative_slope=0.1), [0.1, 1.0])
    np.testing.assert_allclose(A.derivative(A.tanh, x), 1 - np.tanh(x) ** 2)


def test_softmax_has_a_jacobian_not_an_elementwise_derivative():
    with pytest.raises(ValueError, match="softmax_jacobian"):
        A.derivative("softmax", np.zeros((2, 3)))
    x = np.array([[0.1, -0.3, 2.0]])
    jac = A.softmax_jacobian(x)
    assert jac.shape == (1, 3, 3)
    eps = 1e-6
    numeric = np.stack(
        [(A.softmax(x + eps * np.eye(3)[j]) - A.softmax(x - eps * np.eye(3)[j]))[0] / (2 * eps) for j in range(3)],
        axis=1,
    )
    np.testing.assert_allclose(jac[0], numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(jac.sum(axis=1), 0, atol=1e-12)  # a softmax row always sums to 1


def test_get():
    assert A.get(None) is A.linear
    assert A.get("relu") is A.relu
    fn = lambda v: v  # noqa: E731
    assert A.get(fn) is fn
    with pytest.raises(ValueError) as info:
        A.get("rellu")
    for name in A.NAMES:
        assert name in str(info.value)
    with pytest.raises(ValueError, match="Could not interpret"):
        A.get(3)
