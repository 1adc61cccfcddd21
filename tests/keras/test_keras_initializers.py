"""fclab.reference.initializers draws like keras.initializers: same bounds, same spread (not bitwise)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_strategies import DTYPES, FEW

pytestmark = pytest.mark.tf

TRUNCATED = 0.87962566103423978  # std of a unit normal truncated at ±2

# name -> (limit of |w| for a (fan_in, fan_out) kernel, expected std of the draw)
FORMULAS = {
    "GlorotUniform": lambda fi, fo: (math.sqrt(6 / (fi + fo)), math.sqrt(2 / (fi + fo))),
    "HeUniform": lambda fi, fo: (math.sqrt(6 / fi), math.sqrt(2 / fi)),
    "GlorotNormal": lambda fi, fo: (2 * math.sqrt(2 / (fi + fo)) / TRUNCATED, math.sqrt(2 / (fi + fo))),
    "HeNormal": lambda fi, fo: (2 * math.sqrt(2 / fi) / TRUNCATED, math.sqrt(2 / fi)),
}
LARGE_SHAPES = [(256, 128), (1024, 32), (32, 1024)]


def _draw(module, name, shape, seed, dtype="float32", **kwargs):
    array = getattr(module.initializers, name)(seed=seed, **kwargs)(shape, dtype=dtype)
    return np.asarray(array)


@pytest.mark.parametrize("name", sorted(FORMULAS))
@FEW
@given(fan_in=st.integers(1, 128), fan_out=st.integers(1, 128), seed=st.integers(0, 2**31 - 1))
def test_draws_stay_within_the_keras_bound(ref, keras, name, fan_in, fan_out, seed):
    limit, _ = FORMULAS[name](fan_in, fan_out)
    got = _draw(ref, name, (fan_in, fan_out), seed)
    expected = _draw(keras, name, (fan_in, fan_out), seed)
    assert got.shape == expected.shape == (fan_in, fan_out) and got.dtype == np.float32
    # Keras's own draw respects the formula (so the formula is Keras's), and so does the reference.
    assert np.abs(expected).max() <= limit * (1 + 1e-6)
    assert np.abs(got).max() <= limit * (1 + 1e-6), f"{name}: |w| up to {np.abs(got).max()}, limit {limit}"


@pytest.mark.parametrize("shape", LARGE_SHAPES)
@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_large_draws_have_keras_spread(ref, keras, name, shape):
    limit, std = FORMULAS[name](*shape)
    got, expected = _draw(ref, name, shape, seed=1), _draw(keras, name, shape, seed=1)
    for label, draw in (("reference", got), ("keras", expected)):
        assert abs(draw.std() - std) < 0.03 * std, f"{label} {name}{shape}: std {draw.std()}, formula {std}"
        assert abs(draw.mean()) < 4 * std / math.sqrt(draw.size), f"{label} {name}{shape}: mean {draw.mean()}"
        # The largest |w| of 30k+ draws comes within 2% of the bound (uniform and truncated normal alike).
        assert 0.98 * limit <= np.abs(draw).max() <= limit * (1 + 1e-6), f"{label} {name}{shape}"
    assert abs(got.std() - expected.std()) < 0.03 * std


@pytest.mark.parametrize("dtype", DTYPES)
def test_random_normal_matches_keras_statistics(ref, keras, dtype):
    shape = (300, 200)
    got = _draw(ref, "RandomNormal", shape, seed=3, dtype=dtype, mean=0.5, stddev=0.2)
    expected = _draw(keras, "RandomNormal", shape, seed=3, dtype=dtype, mean=0.5, stddev=0.2)
    assert got.dtype == expected.dtype == np.dtype(dtype)
    for draw in (got, expected):
        assert abs(draw.mean() - 0.5) < 4 * 0.2 / math.sqrt(draw.size)
        assert abs(draw.std() - 0.2) < 0.01
    # Not truncated: some draws fall beyond 2 sigma (about 4.6% of them).
    assert 0.03 < np.mean(np.abs(got - 0.5) > 0.4) < 0.06


@pytest.mark.parametrize("name", ["Zeros", "Ones"])
@FEW
@given(fan_in=st.integers(1, 128), fan_out=st.integers(1, 128), dtype=st.sampled_from(DTYPES))
def test_constant_initializers_equal_keras(ref, keras, name, fan_in, fan_out, dtype):
    got = np.asarray(getattr(ref.initializers, name)()((fan_in, fan_out), dtype=dtype))
    expected = np.asarray(getattr(keras.initializers, name)()((fan_in, fan_out), dtype=dtype))
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_seeded_initializer_is_reproducible_like_keras(ref, keras, name):
    shape = (16, 8)
    same = [_draw(ref, name, shape, seed=7) for _ in range(2)]
    np.testing.assert_array_equal(*same, err_msg=f"{name}(seed=7) gave two different draws")
    assert not np.array_equal(same[0], _draw(ref, name, shape, seed=8)), f"{name}: seeds 7 and 8 agree"
    # Keras behaves the same way (a seeded initializer repeats its draw), which is what is twinned here.
    np.testing.assert_array_equal(_draw(keras, name, shape, seed=7), _draw(keras, name, shape, seed=7))
