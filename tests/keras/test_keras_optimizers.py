"""reference.optimizers.SGD follows keras.optimizers.SGD step by step (plain, momentum, Nesterov)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_strategies import DTYPES, FEW, assert_close, rng_from, shapes

pytestmark = pytest.mark.tf

STEPS = 6


@FEW
@given(
    param_shapes=st.lists(shapes(min_rank=1, max_rank=2, max_size=32, max_leading=32), min_size=1, max_size=3),
    learning_rate=st.sampled_from([0.01, 0.1, 0.5]),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    nesterov=st.booleans(),
    dtype=st.sampled_from(DTYPES),
    data=st.data(),
)
def test_sgd_matches_keras_over_several_steps(
    ref, keras, param_shapes, learning_rate, momentum, nesterov, dtype, data
):
    rng = rng_from(data)
    params = [rng.standard_normal(s).astype(dtype) for s in param_shapes]
    targets = [rng.standard_normal(s).astype(dtype) for s in param_shapes]
    variables = [keras.Variable(p.copy(), dtype=dtype) for p in params]
    keras_sgd = keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum, nesterov=nesterov)
    # Keras holds learning_rate in a float32 variable and turns momentum into a float32 tensor before
    # casting it, even for float64 weights (0.01 -> 0.0099999998, 0.9 -> 0.89999998). Give the reference
    # those same numbers, so that float64 runs can be compared to 1e-10.
    sgd = ref.optimizers.SGD(
        learning_rate=float(np.float32(learning_rate)), momentum=float(np.float32(momentum)), nesterov=nesterov
    )
    for step in range(1, STEPS + 1):
        # Gradients of 0.5 * ||p - target||^2 - 0.5 * sum(cos p): nonlinear, so each step depends on where
        # the last one led, and Lipschitz (<= 1.5), so no learning rate here makes the run diverge.
        grads = [(p - t) + np.sin(p) / 2 for p, t in zip(params, targets)]
        keras_grads = [(v.numpy() - t) + np.sin(v.numpy()) / 2 for v, t in zip(variables, targets)]
        sgd.apply(params, grads)
        keras_sgd.apply_gradients(zip(keras_grads, variables))
        for index, (p, v) in enumerate(zip(params, variables)):
            assert p.dtype == np.dtype(dtype)
            what = f"param {index} after step {step} (lr={learning_rate}, momentum={momentum}, "
            what += f"nesterov={nesterov})"
            assert_close(p, v.numpy(), dtype, what=what)


def test_sgd_defaults_equal_keras(ref, keras):
    ours, theirs = ref.optimizers.SGD(), keras.optimizers.SGD()
    assert ours.learning_rate == pytest.approx(float(theirs.learning_rate))
    assert (ours.momentum, ours.nesterov) == (theirs.momentum, theirs.nesterov)


@FEW
@given(
    param_shapes=st.lists(shapes(min_rank=1, max_rank=2, max_size=32, max_leading=32), min_size=1, max_size=3),
    kind=st.sampled_from(["rmsprop", "rmsprop_momentum", "rmsprop_centered", "adam", "adam_amsgrad"]),
    learning_rate=st.sampled_from([0.001, 0.01, 0.1]),
    epsilon=st.sampled_from([1e-7, 1e-3, 0.1]),
    dtype=st.sampled_from(DTYPES),
    data=st.data(),
)
def test_rmsprop_and_adam_match_keras_over_several_steps(ref, keras, param_shapes, kind, learning_rate, epsilon,
                                                         dtype, data):
    rng = rng_from(data)
    params = [rng.standard_normal(s).astype(dtype) for s in param_shapes]
    targets = [rng.standard_normal(s).astype(dtype) for s in param_shapes]
    variables = [keras.Variable(p.copy(), dtype=dtype) for p in params]
    # Keras keeps learning_rate in a float32 variable (see the SGD test); rho, beta_1, beta_2 and epsilon stay
    # Python floats and are used at the weights' dtype.
    f32 = lambda x: float(np.float32(x))  # noqa: E731
    if kind.startswith("rmsprop"):
        options = {"rho": 0.9, "momentum": 0.5 if kind == "rmsprop_momentum" else 0.0,
                   "centered": kind == "rmsprop_centered"}
        theirs = keras.optimizers.RMSprop(learning_rate=learning_rate, epsilon=epsilon, **options)
        ours = ref.optimizers.RMSprop(learning_rate=f32(learning_rate), epsilon=epsilon, **options)
    else:
        theirs = keras.optimizers.Adam(learning_rate=learning_rate, epsilon=epsilon, amsgrad=kind == "adam_amsgrad")
        ours = ref.optimizers.Adam(learning_rate=f32(learning_rate), epsilon=epsilon, amsgrad=kind == "adam_amsgrad")
    for step in range(1, STEPS + 1):
        grads = [(p - t) + np.sin(p) / 2 for p, t in zip(params, targets)]
        keras_grads = [(v.numpy() - t) + np.sin(v.numpy()) / 2 for v, t in zip(variables, targets)]
        ours.apply(params, grads)
        theirs.apply_gradients(zip(keras_grads, variables))
        for index, (p, v) in enumerate(zip(params, variables)):
            assert p.dtype == np.dtype(dtype)
            assert_close(p, v.numpy(), dtype, what=f"{kind} param {index} after step {step} (lr={learning_rate}, "
                                                   f"epsilon={epsilon})")


@pytest.mark.parametrize("name", ["RMSprop", "Adam"])
def test_rmsprop_and_adam_defaults_equal_keras(ref, keras, name):
    ours, theirs = getattr(ref.optimizers, name)(), getattr(keras.optimizers, name)()
    config = theirs.get_config()
    for key, value in ours.get_config().items():
        assert value == pytest.approx(float(config[key]) if not isinstance(value, bool) else config[key]), key
