"""Lesson 01's wrong-answer corpus: every exercise's test against typical wrong answers and correct ones."""

import pytest

from corpus import assert_covers, check, right, wrong

pytestmark = [pytest.mark.tf]

LESSON = "01_xw_plus_b"

ANSWERS = [
    # -- ex3_dense_forward ---------------------------------------------------------------------------------
    right("ex3_dense_forward", "X @ W + b", "def dense_forward(X, W, b):\n    return X @ W + b"),
    right("ex3_dense_forward", "einsum", "def dense_forward(X, W, b):\n"
          "    return np.einsum('bi,io->bo', X, W) + b"),
    right("ex3_dense_forward", "loops", "def dense_forward(X, W, b):\n"
          "    Z = np.zeros((X.shape[0], W.shape[1]), dtype=X.dtype)\n"
          "    for i in range(X.shape[0]):\n"
          "        for j in range(W.shape[1]):\n"
          "            Z[i, j] = np.dot(X[i], W[:, j]) + b[j]\n"
          "    return Z"),
    wrong("ex3_dense_forward", "bias missing", "def dense_forward(X, W, b):\n    return X @ W", "bias_missing"),
    wrong("ex3_dense_forward", "bias subtracted", "def dense_forward(X, W, b):\n    return X @ W - b", "bias_sign"),
    wrong("ex3_dense_forward", "W.T @ X.T", "def dense_forward(X, W, b):\n    return W.T @ X.T + b",
          "output_transposed"),
    wrong("ex3_dense_forward", "W @ X", "def dense_forward(X, W, b):\n    return W @ X + b", "shape_error"),
    wrong("ex3_dense_forward", "hard-coded example", "def dense_forward(X, W, b):\n"
          "    return np.array([[4.6, -1.7], [-6.9, 0.8]], dtype='float32')", "ignores_input"),
    wrong("ex3_dense_forward", "calls the reference", "def dense_forward(X, W, b):\n    return ref.dense(X, W, b)",
          "forbidden_call"),
    wrong("ex3_dense_forward", "float64", "def dense_forward(X, W, b):\n    return X.astype('float64') @ W + b",
          "wrong_dtype"),
    wrong("ex3_dense_forward", "in place", "def dense_forward(X, W, b):\n    X[:] = X @ np.eye(X.shape[1])\n"
          "    X *= 1\n    X += 0.0\n    X[0, 0] += 1\n    return X @ W + b", "input_modified_in_place"),
]


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_answer(answer):
    check(LESSON, answer)
