"""fclab.reference.losses equal keras.losses (per-sample values), with and without logits."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_strategies import DTYPES, EXPECTED_KERAS_WARNINGS, FEW, assert_close, rng_from, shapes

pytestmark = [pytest.mark.tf, *EXPECTED_KERAS_WARNINGS]

# Logs of float32 probabilities: keep the relative tolerance tight, allow ~1e-6 absolute near 0.
LOSS_TOLERANCE = {"float32": {"rtol": 1e-5, "atol": 1e-6}, "float64": {"rtol": 1e-10, "atol": 1e-12}}


def _probabilities(logits, axis_softmax, rng, extreme):
    if axis_softmax:
        e = np.exp(logits - logits.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
    else:
        p = 1 / (1 + np.exp(-logits))
    if extreme:  # exact 0s and 1s: Keras clips them to [1e-7, 1 - 1e-7]
        mask = rng.random(p.shape) < 0.2
        p = np.where(mask, np.round(p), p)
    return p


def _check(ref, keras, name, y_true, y_pred, dtype, **kwargs):
    got = getattr(ref.losses, name)(y_true, y_pred, **kwargs)
    expected = getattr(keras.losses, name)(y_true, y_pred, **kwargs).numpy()
    assert got.dtype == np.dtype(dtype), f"{name}: {dtype} in gave {got.dtype} out"
    assert_close(got, expected, dtype, what=f"{name}{kwargs} on {y_pred.shape}", **LOSS_TOLERANCE[dtype])


@FEW
@given(shape=shapes(), dtype=st.sampled_from(DTYPES), data=st.data())
def test_mean_squared_error_matches_keras(ref, keras, shape, dtype, data):
    rng = rng_from(data)
    y_true, y_pred = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    _check(ref, keras, "mean_squared_error", y_true, y_pred, dtype)


@pytest.mark.parametrize("from_logits", [False, True])
@FEW
@given(shape=shapes(), dtype=st.sampled_from(DTYPES), soft=st.booleans(), extreme=st.booleans(), data=st.data())
def test_binary_crossentropy_matches_keras(ref, keras, from_logits, shape, dtype, soft, extreme, data):
    rng = rng_from(data)
    logits = rng.standard_normal(shape) * 4
    y_true = rng.random(shape) if soft else (rng.random(shape) < 0.5)
    y_pred = logits if from_logits else _probabilities(logits, False, rng, extreme)
    y_true, y_pred = y_true.astype(dtype), y_pred.astype(dtype)
    _check(ref, keras, "binary_crossentropy", y_true, y_pred, dtype, from_logits=from_logits)


@pytest.mark.parametrize("from_logits", [False, True])
@FEW
@given(shape=shapes(), dtype=st.sampled_from(DTYPES), soft=st.booleans(), extreme=st.booleans(), data=st.data())
def test_categorical_crossentropy_matches_keras(ref, keras, from_logits, shape, dtype, soft, extreme, data):
    rng = rng_from(data)
    logits = rng.standard_normal(shape) * 4
    if soft:
        y_true = _probabilities(rng.standard_normal(shape), True, rng, False)
    else:
        y_true = np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]
    y_pred = logits if from_logits else _probabilities(logits, True, rng, extreme)
    y_true, y_pred = y_true.astype(dtype), y_pred.astype(dtype)
    _check(ref, keras, "categorical_crossentropy", y_true, y_pred, dtype, from_logits=from_logits)


@pytest.mark.parametrize("from_logits", [False, True])
@FEW
@given(shape=shapes(), dtype=st.sampled_from(DTYPES), extreme=st.booleans(), data=st.data())
def test_sparse_categorical_crossentropy_matches_keras(ref, keras, from_logits, shape, dtype, extreme, data):
    rng = rng_from(data)
    logits = rng.standard_normal(shape) * 4
    labels = rng.integers(0, shape[-1], shape[:-1])
    y_pred = logits if from_logits else _probabilities(logits, True, rng, extreme)
    y_pred = y_pred.astype(dtype)
    _check(ref, keras, "sparse_categorical_crossentropy", labels, y_pred, dtype, from_logits=from_logits)


@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_crossentropy_normalises_rows_like_keras(ref, keras, dtype):
    # Keras divides each row of probabilities by its sum before the log; rows here sum to 2 and 0.5.
    y_true = np.array([[0, 1, 0], [1, 0, 0]], dtype=dtype)
    y_pred = np.array([[0.4, 1.0, 0.6], [0.1, 0.3, 0.1]], dtype=dtype)
    _check(ref, keras, "categorical_crossentropy", y_true, y_pred, dtype)


def test_get_knows_the_keras_names(ref, keras):
    for name in ("mean_squared_error", "binary_crossentropy", "categorical_crossentropy"):
        assert ref.losses.get(name) is getattr(ref.losses, name)
        assert callable(getattr(keras.losses, name))
    assert ref.losses.get("sparse_categorical_crossentropy") is ref.losses.sparse_categorical_crossentropy
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        ref.losses.get("cross_entropy")
