"""fclab.reference.initializers: Keras's formulas checked empirically on large draws, seeding, get()."""

import math

import numpy as np
import pytest

from fclab.reference import initializers as I

SHAPE = (400, 300)  # 120,000 draws: sample statistics within ~1% of the formulas


def test_glorot_uniform_limit_checked_empirically():
    w = I.GlorotUniform(seed=0)(SHAPE)
    limit = math.sqrt(6 / (400 + 300))
    assert w.dtype == np.float32 and w.shape == SHAPE
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.999 * limit  # the draw reaches the edge: it is not a narrower range
    assert w.std() == pytest.approx(limit / math.sqrt(3), rel=0.01)  # uniform(-a, a) has std a/sqrt(3)
    assert abs(w.mean()) < 0.01 * limit


def test_he_uniform_limit():
    w = I.HeUniform(seed=1)(SHAPE)
    limit = math.sqrt(6 / 400)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.999 * limit


@pytest.mark.parametrize(
    "cls, stddev",
    [(I.GlorotNormal, math.sqrt(2 / 700)), (I.HeNormal, math.sqrt(2 / 400))],
)
def test_truncated_normals_have_the_intended_stddev_and_cut_at_two_sigma(cls, stddev):
    w = cls(seed=2)(SHAPE).astype("float64")
    sigma_before_truncation = stddev / 0.87962566103423978
    assert w.std() == pytest.approx(stddev, rel=0.01)
    assert np.abs(w).max() <= 2 * sigma_before_truncation * (1 + 1e-6)
    assert np.abs(w).max() > 1.95 * sigma_before_truncation


def test_random_normal_zeros_ones():
    w = I.RandomNormal(mean=1.0, stddev=0.5, seed=3)(SHAPE)
    assert w.mean() == pytest.approx(1.0, abs=0.01) and w.std() == pytest.approx(0.5, rel=0.01)
    assert np.abs(w - 1).max() > 1.0  # not truncated
    assert I.RandomNormal(seed=0)((1000,)).std() == pytest.approx(0.05, rel=0.1)  # Keras default stddev
    np.testing.assert_array_equal(I.Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(I.Ones()((4,), dtype="float64"), np.ones(4))
    assert I.Ones()((4,), dtype="float64").dtype == np.float64


def test_seeding():
    a, b = I.GlorotUniform(seed=7)((5, 4)), I.GlorotUniform(seed=7)((5, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, I.GlorotUniform(seed=8)((5, 4)))
    unseeded = I.GlorotUniform()
    assert not np.array_equal(unseeded((5, 4)), unseeded((5, 4)))
    with pytest.raises(ValueError, match="seed"):
        I.GlorotUniform(seed="x")


def test_fans():
    assert I.compute_fans((3, 5)) == (3, 5)
    assert I.compute_fans((7,)) == (7, 7)
    assert I.compute_fans((3, 3, 4, 8)) == (36, 72)  # conv kernels: receptive field multiplies both


def test_get():
    assert isinstance(I.get("glorot_uniform"), I.GlorotUniform)
    assert isinstance(I.get("HeNormal"), I.HeNormal)
    assert I.get("he_normal", seed=4).seed == 4
    init = I.Zeros()
    assert I.get(init) is init
    with pytest.raises(ValueError) as info:
        I.get("glorot")
    assert "glorot_uniform" in str(info.value) and "he_normal" in str(info.value)
    with pytest.raises(ValueError, match="shape"):
        I.Zeros()("not a shape")
