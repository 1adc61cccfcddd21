"""Hypothesis strategies and assertions shared by the tests comparing fclab.reference with tf.keras.

Arrays are drawn from a seed (numpy Generator) rather than element by element: hypothesis fills large
arrays with mostly one value, which would hide wrong matmuls. Shapes have ranks 2-4 and sizes 1-128, with
the leading (batch) axes capped so that one example stays small.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

# Keras warns when a softmax or a categorical loss sees a class axis of size 1; the shapes here include
# size 1 on purpose (the twins must agree there too), so those two warnings are expected.
EXPECTED_KERAS_WARNINGS = [
    pytest.mark.filterwarnings("ignore:You are using a softmax over axis:UserWarning"),
    pytest.mark.filterwarnings("ignore:In loss categorical_crossentropy, expected y_pred.shape:SyntaxWarning"),
]

# Few examples, no deadline: each example builds Keras objects, and the first one pays TensorFlow's warm-up.
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# For examples that build whole Keras models (~0.1-1 s each): no shrinking, which could run for minutes.
# The failing example is still printed in full.
FEW_UNSHRUNK = settings(FEW, phases=[Phase.explicit, Phase.reuse, Phase.generate])

DTYPES = ("float32", "float64")

# Tight tolerances: float32 round-off of sums of up to 128 products stays far below 1e-5 of the result.
TOLERANCE = {
    "float32": {"rtol": 1e-5, "atol": 1e-5},
    "float64": {"rtol": 1e-10, "atol": 1e-10},
}


@st.composite
def shapes(draw, min_rank=2, max_rank=4, max_size=128, max_leading=256):
    """A shape ``(..., features)`` of rank in [min_rank, max_rank], sizes in [1, max_size].

    The product of the leading axes is at most ``max_leading``.
    """
    rank = draw(st.integers(min_rank, max_rank))
    leading, budget = [], max_leading
    for _ in range(rank - 1):
        size = draw(st.integers(1, max(1, min(max_size, budget))))
        leading.append(size)
        budget = max(1, budget // size)
    return tuple(leading) + (draw(st.integers(1, max_size)),)


@st.composite
def arrays(draw, shape, dtype="float32", scales=(1e-2, 1.0, 4.0), zeros=True):
    """A normal array of ``shape`` scaled by one of ``scales``; sometimes with exact zeros sprinkled in."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(shape) * draw(st.sampled_from(scales))
    if zeros and draw(st.booleans()):
        x[rng.random(shape) < 0.1] = 0.0
    return x.astype(dtype)


ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu", "softmax", "linear")


@st.composite
def stacks(draw):
    """(input shape, [(kind, kwargs), ...]): a random stack of the supported layers."""
    shape = draw(shapes(max_leading=64, max_size=64))
    layers = []
    if len(shape) > 2 and draw(st.booleans()):
        layers.append(("Flatten", {}))
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["Dense", "Dense", "Activation", "Dropout", "BatchNormalization"]))
        if kind == "Dense":
            kwargs = {
                "units": draw(st.integers(1, 64)),
                "activation": draw(st.sampled_from((None,) + ACTIVATIONS)),
                "use_bias": draw(st.booleans()),
            }
        elif kind == "Activation":
            kwargs = {"activation": draw(st.sampled_from(ACTIVATIONS))}
        elif kind == "Dropout":
            kwargs = {"rate": draw(st.sampled_from([0.0, 0.25, 0.5]))}
        else:
            kwargs = {}
        layers.append((kind, kwargs))
    return shape, layers


def rng_from(data):
    """A numpy Generator seeded by hypothesis (for weights and labels)."""
    return np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))


def random_weights(variables, rng):
    """Random float32 values for a model's weights, Keras's way round: kernels ~ N(0, 1/fan_in) (so deep
    stacks stay O(1)), biases, gammas and betas ~ N(0, 1) (a zero bias would hide a missing bias), moving
    variances positive."""
    values = []
    for v in variables:
        w = rng.standard_normal(tuple(v.shape))
        if v.name == "kernel":
            w /= np.sqrt(v.shape[0])
        elif v.name == "moving_variance":
            w = np.abs(w) + 0.5
        values.append(w.astype("float32"))
    return values


def matmul_atol(a, b, dtype="float32"):
    """Absolute tolerance for comparing two float computations of ``a @ b`` summed in different orders.

    Rounding in a sum of K products is bounded by about sqrt(K) ulps of sum_k |a_ik| |b_kj| (typical case;
    the worst case is K ulps): when the terms cancel, the error is large next to the result itself. Allow
    4 sqrt(K) ulps of the largest such sum, plus the dtype's usual atol.
    """
    a, b = np.abs(np.asarray(a, "float64")), np.abs(np.asarray(b, "float64"))
    a = a.reshape(-1, a.shape[-1])
    k = a.shape[-1]
    scale = float((a @ b).max()) if a.size and b.size else 0.0
    return 4 * np.sqrt(k) * np.finfo(dtype).eps * scale + TOLERANCE[str(dtype)]["atol"]


def assert_close(got, expected, dtype="float32", what="output", rtol=None, atol=None):
    """Assert ``got`` equals ``expected`` (Keras) in shape and to the dtype's tolerance, with a readable report."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, f"{what}: reference shape {got.shape}, Keras shape {expected.shape}"
    tolerance = dict(TOLERANCE[str(dtype)])
    tolerance.update({k: v for k, v in {"rtol": rtol, "atol": atol}.items() if v is not None})
    np.testing.assert_allclose(
        got, expected, err_msg=f"{what}: reference (actual) vs Keras (desired)", **tolerance
    )
