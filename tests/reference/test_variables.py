"""fclab.reference.Variable: behaves like an array, assigns in place, names and paths."""

import numpy as np
import pytest

from fclab.reference import Variable


def test_array_behaviour():
    v = Variable(np.arange(6).reshape(2, 3), name="kernel", path="sequential/dense/kernel")
    assert v.dtype == np.float32 and v.shape == (2, 3) and v.name == "kernel" and v.trainable
    x = np.ones((4, 2), "float32")
    np.testing.assert_array_equal(x @ v, x @ v.numpy())
    out = v + 1
    assert isinstance(out, np.ndarray) and out[1, 2] == 6
    np.testing.assert_array_equal(np.asarray(v), v.numpy())
    assert v.T.shape == (3, 2) and v[1, 0] == 3 and len(v) == 2
    np.testing.assert_array_equal(np.maximum(v, 2), np.maximum(v.numpy(), 2))


def test_assign_in_place_and_shape_check():
    v = Variable(np.zeros(3), name="bias")
    live, snapshot = v.value, v.numpy()
    v.assign([1.0, 2.0, 3.0])
    assert live[2] == 3.0  # .value is the array itself, changed in place
    assert snapshot[2] == 0.0  # .numpy() is a copy, as in Keras
    v.assign_sub(np.ones(3))
    v[0] = 10
    np.testing.assert_array_equal(v.numpy(), [10.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(4,\) to variable 'bias' of shape \(3,\)"):
        v.assign(np.zeros(4))


def test_repr_like_keras():
    v = Variable(np.zeros((4, 10), "float32"), name="kernel", path="dense_2/kernel")
    assert repr(v).startswith("<Variable path=dense_2/kernel, shape=(4, 10), dtype=float32, value=")
    assert {v: 1}[v] == 1  # hashable by identity
