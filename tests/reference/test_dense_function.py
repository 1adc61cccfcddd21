"""fclab.reference.dense: hand-computed values, last-axis semantics, dtype and shape errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fclab.reference import dense


def test_seed_example_entry_by_entry():
    # The seed's 2x3 @ 3x2 + 2 example: out[i, j] = sum_k x[i, k] * W[k, j] + b[j].
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")
    w = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], dtype="float32")
    b = np.array([1.0, -1.0], dtype="float32")
    out = dense(x, w, b)
    expected = np.array(
        [
            [1 * 0.1 + 2 * 0.3 + 3 * 0.5 + 1, 1 * 0.2 + 2 * 0.4 + 3 * 0.6 - 1],  # 3.2, 1.8
            [4 * 0.1 + 5 * 0.3 + 6 * 0.5 + 1, 4 * 0.2 + 5 * 0.4 + 6 * 0.6 - 1],  # 5.9, 5.4
        ]
    )
    assert out.shape == (2, 2)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    np.testing.assert_allclose(out, [[3.2, 1.8], [5.9, 5.4]], rtol=1e-6)


def test_activation_is_applied_after_the_bias():
    x = np.array([[1.0, -1.0]], dtype="float32")
    w = np.eye(2, dtype="float32")
    b = np.array([-2.0, 2.0], dtype="float32")
    # relu(x @ I + b) = relu([-1, 1]) = [0, 1]; relu before the bias would give [-2, 2].
    np.testing.assert_array_equal(dense(x, w, b, activation="relu"), [[0.0, 1.0]])


def test_no_bias_and_linear_default():
    x = np.arange(6, dtype="float32").reshape(2, 3)
    w = np.ones((3, 4), dtype="float32")
    np.testing.assert_array_equal(dense(x, w), np.repeat([[3.0], [12.0]], 4, axis=1))


@settings(max_examples=20, deadline=None)
@given(
    lead=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    n_in=st.integers(1, 6),
    units=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_acts_on_the_last_axis_for_any_rank(lead, n_in, units, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*lead, n_in)).astype("float32")
    w = rng.normal(size=(n_in, units)).astype("float32")
    b = rng.normal(size=(units,)).astype("float32")
    out = dense(x, w, b)
    assert out.shape == (*lead, units)
    assert out.dtype == np.float32
    # Same as flattening the leading axes, multiplying, and restoring them.
    flat = x.reshape(-1, n_in).astype("float64") @ w.astype("float64") + b
    np.testing.assert_allclose(out, flat.reshape(*lead, units), rtol=1e-4, atol=1e-5)


def test_ints_become_float32_and_float64_stays_float64():
    assert dense(np.ones((2, 3), dtype=int), np.ones((3, 1), dtype=int)).dtype == np.float32
    assert dense(np.ones((2, 3)), np.ones((3, 1))).dtype == np.float64


def test_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as info:
        dense(np.zeros((4, 12), "float32"), np.zeros((20, 10), "float32"))
    assert "(4, 12)" in str(info.value) and "(20, 10)" in str(info.value)


def test_transposed_kernel_is_diagnosed():
    with pytest.raises(ValueError, match=r"kernel\.T") as info:
        dense(np.zeros((4, 3), "float32"), np.zeros((2, 3), "float32"))
    assert "(4, 3)" in str(info.value) and "(2, 3)" in str(info.value)


def test_rank_one_input_is_refused_with_its_shape():
    with pytest.raises(ValueError, match=r"rank >= 2.*\(3,\)"):
        dense(np.zeros(3, "float32"), np.zeros((3, 2), "float32"))


def test_bad_bias_and_kernel_rank_name_their_shapes():
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        dense(np.zeros((1, 3)), np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"\(3, 2, 1\)"):
        dense(np.zeros((1, 3)), np.zeros((3, 2, 1)))
