"""fclab.reference.backward: hand gradients, numeric gradients, and gradient_check verdicts that can FAIL."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fclab.reference import activations, dense, dense_backward, gradient_check, losses, numeric_gradient
from fclab.reference.backward import activation_backward, softmax_cross_entropy_backward


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    kernel = rng.normal(size=(3, 5))
    bias = rng.normal(size=5)
    dout = rng.normal(size=(4, 5))
    return x, kernel, bias, dout


def test_dense_backward_by_hand():
    x = np.array([[1.0, 2.0]])
    kernel = np.array([[3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    dout = np.array([[1.0, 0.0, -1.0]])
    dx, dkernel, dbias = dense_backward(dout, x, kernel)
    np.testing.assert_array_equal(dx, [[3.0 - 5.0, 6.0 - 8.0]])  # dout @ kernel.T
    np.testing.assert_array_equal(dkernel, [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0]])  # x.T @ dout
    np.testing.assert_array_equal(dbias, [1.0, 0.0, -1.0])


def test_dense_backward_passes_gradient_check(problem):
    x, kernel, bias, dout = problem
    dx, dkernel, dbias = dense_backward(dout, x, kernel)
    for name, point, grad, f in [
        ("x", x, dx, lambda v: np.sum(dense(v, kernel, bias) * dout)),
        ("kernel", kernel, dkernel, lambda v: np.sum(dense(x, v, bias) * dout)),
        ("bias", bias, dbias, lambda v: np.sum(dense(x, kernel, v) * dout)),
    ]:
        result = gradient_check(f, point, grad)
        assert result, f"{name}: {result}"
        assert result.passed and result.relative_error < 1e-8
        assert str(result).startswith("PASS: relative error ") and "<= threshold 1e-06" in str(result)


@settings(max_examples=15, deadline=None)
@given(
    lead=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    n_in=st.integers(1, 4),
    units=st.integers(1, 4),
    seed=st.integers(0, 999),
)
def test_dense_backward_any_rank(lead, n_in, units, seed):
    rng = np.random.default_rng(seed)
    x, kernel = rng.normal(size=(*lead, n_in)), rng.normal(size=(n_in, units))
    dout = rng.normal(size=(*lead, units))
    dx, dkernel, dbias = dense_backward(dout, x, kernel)
    assert dx.shape == x.shape and dkernel.shape == kernel.shape and dbias.shape == (units,)
    assert gradient_check(lambda v: np.sum(dense(x, v) * dout), kernel, dkernel)
    assert gradient_check(lambda v: np.sum(dense(x, kernel, v) * dout), np.zeros(units), dbias)


def test_planted_bug_transposed_dkernel_fails_with_a_diagnosis():
    rng = np.random.default_rng(1)
    x, kernel, dout = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=(4, 3))
    _, dkernel, _ = dense_backward(dout, x, kernel)
    result = gradient_check(lambda v: np.sum(dense(x, v) * dout), kernel, dkernel.T)  # the bug: dout.T @ x
    assert not result and not result.passed
    assert result.relative_error > 1e-2
    text = str(result)
    assert text.startswith("FAIL: relative error ")
    assert f"at index {result.worst_index}" in text and "transpose" in text
    i = result.worst_index
    assert result.analytic_value == pytest.approx(dkernel.T[i])
    assert result.numeric_value == pytest.approx(dkernel[i], rel=1e-6)
    largest_gap = np.abs(dkernel.T - dkernel).max()
    assert abs(result.analytic_value - result.numeric_value) == pytest.approx(largest_gap, rel=1e-6)


def test_planted_bug_non_square_transpose_is_a_shape_failure(problem):
    x, kernel, bias, dout = problem
    _, dkernel, _ = dense_backward(dout, x, kernel)
    result = gradient_check(lambda v: np.sum(dense(x, v, bias) * dout), kernel, dkernel.T)
    assert not result and result.relative_error == float("inf")
    assert "(5, 3)" in str(result) and "(3, 5)" in str(result) and "transposed" in str(result)


@pytest.mark.parametrize(
    "bug, hint",
    [(lambda g: -g, "wrong sign"), (lambda g: 2 * g, "2 times"), (lambda g: np.zeros_like(g), "all zeros")],
)
def test_other_planted_bugs_are_named(problem, bug, hint):
    x, kernel, bias, dout = problem
    _, _, dbias = dense_backward(dout, x, kernel)
    result = gradient_check(lambda v: np.sum(dense(x, kernel, v) * dout), bias, bug(dbias))
    assert not result and hint in str(result)


def test_a_small_but_real_error_still_fails(problem):
    x, kernel, bias, dout = problem
    _, dkernel, _ = dense_backward(dout, x, kernel)
    wrong = dkernel.copy()
    wrong[2, 1] += 1e-3
    result = gradient_check(lambda v: np.sum(dense(x, v, bias) * dout), kernel, wrong)
    assert not result and result.worst_index == (2, 1)


def test_numeric_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numeric_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-8)
    assert numeric_gradient(lambda v: np.sum(v**2), x.astype("float32")).dtype == np.float64
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # x is not modified
    with pytest.raises(ValueError, match=r"scalar.*\(2, 2\)"):
        numeric_gradient(lambda v: v * 2, x)


def test_gradient_check_accepts_a_gradient_function():
    x = np.array([0.3, -1.2])
    assert gradient_check(lambda v: np.sum(np.sin(v)), x, np.cos)
    assert not gradient_check(lambda v: np.sum(np.sin(v)), x, np.sin)


@pytest.mark.parametrize("name", ["linear", "relu", "sigmoid", "tanh", "leaky_relu"])
def test_activation_backward(name):
    rng = np.random.default_rng(2)
    z = rng.normal(size=(3, 4))
    z = np.where(np.abs(z) < 1e-2, 0.5, z)  # relu's kink
    dout = rng.normal(size=(3, 4))
    f = activations.get(name)
    assert gradient_check(lambda v: np.sum(f(v) * dout), z, activation_backward(name, dout, z))


def test_softmax_backward_is_the_jacobian_product():
    rng = np.random.default_rng(3)
    z, dout = rng.normal(size=(2, 5)), rng.normal(size=(2, 5))
    dz = activation_backward("softmax", dout, z)
    np.testing.assert_allclose(dz, np.einsum("ni,nij->nj", dout, activations.softmax_jacobian(z)), rtol=1e-10)
    assert gradient_check(lambda v: np.sum(activations.softmax(v) * dout), z, dz)


def test_softmax_cross_entropy_backward_is_mean_loss_gradient():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(6, 4))
    y = np.eye(4)[rng.integers(0, 4, size=6)]
    grad = softmax_cross_entropy_backward(logits, y)
    np.testing.assert_allclose(grad, (activations.softmax(logits) - y) / 6, rtol=1e-12)
    mean_loss = lambda v: np.mean(losses.categorical_crossentropy(y, v, from_logits=True))  # noqa: E731
    assert gradient_check(mean_loss, logits, grad)
    np.testing.assert_allclose(softmax_cross_entropy_backward(logits, y, reduction="sum"), grad * 6)
    with pytest.raises(ValueError, match=r"\(6, 4\).*\(6,\)"):
        softmax_cross_entropy_backward(logits, y.argmax(1))


def test_shape_errors_name_every_shape():
    with pytest.raises(ValueError) as info:
        dense_backward(np.zeros((4, 2)), np.zeros((4, 3)), np.zeros((3, 5)))
    assert all(s in str(info.value) for s in ("(4, 2)", "(4, 3)", "(3, 5)", "expected dout (4, 5)"))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        activation_backward("relu", np.zeros((2, 3)), np.zeros((3, 2)))
