"""fclab.reference.losses: per-sample values from Keras's formulas (epsilon 1e-7 clipping, from_logits)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fclab.reference import activations, losses

Y = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], "float32")
P = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]], "float32")


def test_keras_documented_examples():
    # keras.losses.sparse_categorical_crossentropy docstring: [1, 2] vs P -> [0.0513, 2.303]
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy([1, 2], P), [0.0513, 2.303], atol=1e-3)
    np.testing.assert_allclose(losses.categorical_crossentropy(Y, P), [0.0513, 2.303], atol=1e-3)


def test_per_sample_values_by_hand():
    assert losses.categorical_crossentropy(Y, P).shape == (2,)
    np.testing.assert_allclose(losses.categorical_crossentropy(Y, P), [-np.log(0.95), -np.log(0.1)], rtol=1e-6)
    mse = losses.mean_squared_error([[1.0, 2.0], [0.0, 0.0]], [[1.0, 4.0], [3.0, 1.0]])
    np.testing.assert_allclose(mse, [(0 + 4) / 2, (9 + 1) / 2])
    y, p = np.array([[1.0, 0.0]]), np.array([[0.9, 0.2]])
    np.testing.assert_allclose(losses.binary_crossentropy(y, p), [-(np.log(0.9) + np.log(0.8)) / 2])


def test_probabilities_are_clipped_at_1e_7():
    worst = losses.categorical_crossentropy([[1.0, 0.0]], [[0.0, 1.0]])
    np.testing.assert_allclose(worst, [-np.log(1e-7)], rtol=1e-5)  # 16.118, not inf
    np.testing.assert_allclose(losses.binary_crossentropy([[1.0]], [[0.0]]), [-np.log(1e-7)], rtol=1e-5)
    assert np.isfinite(losses.sparse_categorical_crossentropy([0], [[0.0, 1.0]])).all()


def test_categorical_renormalises_rows():
    np.testing.assert_allclose(
        losses.categorical_crossentropy([[0.0, 1.0]], [[1.0, 3.0]]), [-np.log(0.75)], rtol=1e-6
    )


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(2, 6), seed=st.integers(0, 2**16), scale=st.sampled_from([0.1, 1.0, 30.0]))
def test_from_logits_equals_probabilities(n, k, seed, scale):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, k)) * scale
    labels = rng.integers(0, k, size=n)
    onehot = np.eye(k)[labels]
    probs = activations.softmax(logits)
    from_logits = losses.categorical_crossentropy(onehot, logits, from_logits=True)
    # -log softmax[label] = log(sum_j exp(z_j)) - z_label, with z = logits - max for stability
    z = logits - logits.max(axis=1, keepdims=True)
    by_hand = np.log(np.exp(z).sum(axis=1)) - z[np.arange(n), labels]
    np.testing.assert_allclose(from_logits, by_hand, rtol=1e-9, atol=1e-12)
    sparse = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    np.testing.assert_allclose(sparse, from_logits, rtol=1e-9)
    if probs.min() > 1e-6:  # away from the clipping, probabilities give the same numbers
        np.testing.assert_allclose(losses.categorical_crossentropy(onehot, probs), from_logits, rtol=1e-6, atol=1e-9)
    bits = (rng.random((n, k)) > 0.5).astype(float)
    sig = activations.sigmoid(logits)
    bce_logits = losses.binary_crossentropy(bits, logits, from_logits=True)
    assert np.all(np.isfinite(bce_logits))
    if sig.min() > 1e-6 and sig.max() < 1 - 1e-6:
        np.testing.assert_allclose(losses.binary_crossentropy(bits, sig), bce_logits, rtol=1e-5)


def test_from_logits_is_stable_for_huge_logits():
    logits = np.array([[1e4, -1e4]], "float32")
    cce = losses.categorical_crossentropy([[0.0, 1.0]], logits, from_logits=True)
    np.testing.assert_allclose(cce, [2e4], rtol=1e-6)
    np.testing.assert_allclose(losses.binary_crossentropy([[0.0, 1.0]], logits, from_logits=True), [1e4], rtol=1e-6)


def test_float32_in_float32_out_and_rank_handling():
    assert losses.mean_squared_error(Y, P).dtype == np.float32
    assert losses.sparse_categorical_crossentropy(np.array([[1], [2]]), P).shape == (2,)  # (N, 1) labels
    np.testing.assert_allclose(losses.mean_squared_error([1.0, 2.0], [[1.0], [4.0]]), [0.0, 4.0])  # (N,) vs (N, 1)
    out = losses.categorical_crossentropy(np.stack([Y, Y]), np.stack([P, P]))
    assert out.shape == (2, 2)


def test_shape_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"y_true \(2,\) and y_pred \(2, 3\).*sparse_categorical_crossentropy"):
        losses.categorical_crossentropy([1, 2], P)
    with pytest.raises(ValueError, match=r"y_true \(2, 3\) and y_pred \(2, 3\).*one-hot"):
        losses.sparse_categorical_crossentropy(Y, P)
    with pytest.raises(ValueError, match=r"\[0, 3\).*from 0 to 3"):
        losses.sparse_categorical_crossentropy([0, 3], P)
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(2, 3\)"):
        losses.mean_squared_error(np.zeros((2, 2)), P)


def test_get():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("categorical_crossentropy") is losses.categorical_crossentropy
    with pytest.raises(ValueError, match="binary_crossentropy"):
        losses.get("cross_entropy")
