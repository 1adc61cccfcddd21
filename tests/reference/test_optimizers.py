"""fclab.reference.optimizers.SGD: Keras's update rule step by step, momentum on a quadratic."""

import numpy as np
import pytest

import fclab.reference as R
from fclab.reference.optimizers import SGD


def test_plain_sgd_step_by_hand():
    w = np.array([1.0, -2.0], "float32")
    SGD(learning_rate=0.1).apply([w], [np.array([0.5, 1.0], "float32")])
    np.testing.assert_allclose(w, [0.95, -2.1], rtol=1e-6)
    assert w.dtype == np.float32


def test_momentum_steps_follow_keras_formulas():
    # Keras sgd.py: m = momentum*m - lr*g; w = w + m (nesterov: w = w + momentum*m - lr*g)
    for nesterov in (False, True):
        w = np.array([3.0])
        opt = SGD(learning_rate=0.1, momentum=0.9, nesterov=nesterov)
        m, expected = 0.0, 3.0
        for _ in range(4):
            g = 2 * expected
            opt.apply([w], [2 * w])
            m = 0.9 * m - 0.1 * g
            expected = expected + (0.9 * m - 0.1 * g if nesterov else m)
            np.testing.assert_allclose(w, [expected], rtol=1e-12)
        assert opt.iterations == 4


def test_momentum_on_a_quadratic():
    # f(w) = 0.5 * w.T A w with an ill-conditioned A (condition number 50): with the same learning rate,
    # heavy-ball momentum reaches a loss thousands of times lower in 100 steps.
    a = np.diag([1.0, 50.0])

    def run(momentum):
        w = np.array([1.0, 1.0])
        opt = SGD(learning_rate=0.019, momentum=momentum)
        for _ in range(100):
            opt.apply([w], [a @ w])
        return 0.5 * w @ a @ w

    plain, heavy = run(0.0), run(0.8)
    assert plain < 0.5 * 51  # plain descent did make progress from f(w0) = 25.5 ...
    assert heavy < plain / 1000, (plain, heavy)  # ... but momentum made far more
    assert heavy < 1e-6


def test_updates_variables_of_a_model_in_place():
    model = R.Sequential([R.Input((2,)), R.Dense(1, kernel_initializer="ones")])
    before = [v.numpy() for v in model.trainable_variables]  # snapshots, as in Keras
    grads = [np.full(v.shape, 1.0, "float32") for v in model.trainable_variables]
    SGD(0.5).apply(model.trainable_variables, grads)
    for v, old in zip(model.trainable_variables, before):
        np.testing.assert_allclose(v.numpy(), old - 0.5)
    SGD(0.5).apply_gradients(zip(grads, model.trainable_variables))
    np.testing.assert_allclose(model.layers[0].kernel.numpy(), 0.0)


def test_errors():
    w = np.zeros((2, 3), "float32")
    with pytest.raises(ValueError, match=r"Gradient 0 has shape \(3, 2\) but its param has shape \(2, 3\)"):
        SGD().apply([w], [np.zeros((3, 2))])
    with pytest.raises(ValueError, match="1 params but 2 gradients"):
        SGD().apply([w], [w, w])
    model = R.Sequential([R.Input((2,)), R.Dense(1)])
    grads = [np.zeros(v.shape, "float32") for v in model.trainable_variables]
    with pytest.raises(TypeError, match="swapped"):
        SGD().apply(grads, model.trainable_variables)
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=1.5)
    with pytest.raises(TypeError, match="float ndarray"):
        SGD().apply([np.zeros(2, int)], [np.zeros(2)])


def test_rmsprop_steps_follow_keras_formulas():
    # Keras rmsprop.py: v = rho*v + (1-rho)*g^2; w -= lr*g/sqrt(v + eps) (eps inside the root);
    # with momentum: m = momentum*m + lr*g/sqrt(v + eps); w -= m.
    for momentum in (0.0, 0.5):
        w = np.array([3.0, -1.0])
        opt = R.optimizers.RMSprop(learning_rate=0.1, rho=0.8, momentum=momentum, epsilon=1e-3)
        v, m, expected = np.zeros(2), np.zeros(2), w.copy()
        for _ in range(4):
            g = 2 * expected
            opt.apply([w], [2 * w])
            v = 0.8 * v + 0.2 * g**2
            increment = 0.1 * g / np.sqrt(v + 1e-3)
            m = momentum * m + increment
            expected = expected - (m if momentum else increment)
            np.testing.assert_allclose(w, expected, rtol=1e-12)


def test_adam_steps_follow_keras_formulas_and_differ_from_the_textbook_epsilon():
    # Keras adam.py: alpha = lr*sqrt(1-b2^t)/(1-b1^t); w -= alpha*m/(sqrt(v) + eps) (eps outside the root,
    # not bias-corrected). The textbook form m_hat/(sqrt(v_hat) + eps) differs when eps matters. (Keras rounds
    # the betas through float32 in the powers only: b1p, b2p below.)
    b1p, b2p = float(np.float32(0.9)), float(np.float32(0.999))
    w = np.array([0.3, -2.0])
    opt = R.optimizers.Adam(learning_rate=0.1, epsilon=0.01)
    m, v, expected, textbook = np.zeros(2), np.zeros(2), w.copy(), w.copy()
    for t in range(1, 5):
        g = 2 * expected
        opt.apply([w], [2 * w])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        alpha = 0.1 * np.sqrt(1 - b2p**t) / (1 - b1p**t)
        textbook_step = 0.1 * (m / (1 - b1p**t)) / (np.sqrt(v / (1 - b2p**t)) + 0.01)
        expected = expected - alpha * m / (np.sqrt(v) + 0.01)
        np.testing.assert_allclose(w, expected, rtol=1e-12)
        assert not np.allclose(alpha * m / (np.sqrt(v) + 0.01), textbook_step, rtol=1e-3)
    assert opt.iterations == 4


def test_adam_first_step_is_learning_rate_times_sign():
    # With m = (1-b1) g and v = (1-b2) g^2 the first step is lr * g / (|g| + eps/sqrt(1-b2)): ~lr * sign(g).
    w = np.array([1.0, -1.0, 5.0], "float32")
    R.optimizers.Adam(learning_rate=0.01).apply([w], [np.array([3.0, -0.5, 100.0], "float32")])
    np.testing.assert_allclose(w, [0.99, -0.99, 4.99], rtol=1e-5)
    assert w.dtype == np.float32


@pytest.mark.parametrize("make", [lambda: R.optimizers.RMSprop(rho=1.5), lambda: R.optimizers.Adam(beta_1=1.0),
                                  lambda: R.optimizers.Adam(beta_2=-0.1)])
def test_invalid_decay_rates_are_refused(make):
    with pytest.raises(ValueError, match="must be a float between"):
        make()


def test_rmsprop_and_adam_update_variables_and_check_shapes():
    model = R.Sequential([R.Input((2,)), R.Dense(1, kernel_initializer="ones")])
    grads = [np.full(v.shape, 1.0, "float32") for v in model.trainable_variables]
    for opt in (R.optimizers.RMSprop(0.5), R.optimizers.Adam(0.5)):
        before = [v.numpy() for v in model.trainable_variables]
        opt.apply_gradients(zip(grads, model.trainable_variables))
        for v, old in zip(model.trainable_variables, before):
            assert np.all(v.numpy() < old)
        with pytest.raises(ValueError, match=r"Gradient 0 has shape \(3, 2\)"):
            opt.apply([np.zeros((2, 3), "float32")], [np.zeros((3, 2))])
