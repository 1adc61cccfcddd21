"""Lesson 01's wrong-answer corpus: every exercise's test against typical wrong answers and correct ones."""

import pytest

from corpus import assert_covers, check, right, wrong

pytestmark = [pytest.mark.tf]

LESSON = "01_xw_plus_b"

def neuron(body, hand="1.5"):
    return f"def neuron(x, w, b):\n{body}\n\nz_by_hand = {hand}"


ANSWERS = [
    # -- ex1_neuron ----------------------------------------------------------------------------------------
    right("ex1_neuron", "np.dot", neuron("    return float(np.dot(x, w) + b)")),
    right("ex1_neuron", "loop", neuron("    z = b\n    for xi, wi in zip(x, w):\n        z += xi * wi\n"
                                       "    return float(z)")),
    right("ex1_neuron", "float64 sum", neuron("    return float(np.sum(np.asarray(x, 'float64') * w) + b)", "3/2")),
    wrong("ex1_neuron", "bias missing", neuron("    return float(np.dot(x, w))"), "bias_missing"),
    wrong("ex1_neuron", "bias subtracted", neuron("    return float(x @ w - b)"), "bias_sign"),
    wrong("ex1_neuron", "bias twice", neuron("    return float(x @ w + b + b)"), "bias_twice"),
    wrong("ex1_neuron", "hand value without the bias", neuron("    return float(np.dot(x, w) + b)", "1.0"),
          "bias_missing"),
    wrong("ex1_neuron", "hand value not set", "def neuron(x, w, b):\n    return float(np.dot(x, w) + b)\n\n"
          "globals().pop('z_by_hand', None)  # the base namespace has the instructor's value", "not_answered"),
    wrong("ex1_neuron", "hand value off", neuron("    return float(np.dot(x, w) + b)", "2.5")),
    wrong("ex1_neuron", "hard-coded example", neuron("    return -0.65"), "ignores_input"),
    wrong("ex1_neuron", "calls the reference", neuron(
        "    return float(ref.dense(x[None, :], w[:, None], np.array([b]))[0, 0])"), "forbidden_call"),
    wrong("ex1_neuron", "numpy float32", neuron("    return np.dot(x, w) + np.float32(b)"), "wrong_dtype"),
    wrong("ex1_neuron", "array of one", neuron("    return np.array([np.dot(x, w) + b])"), "extra_axis"),
    wrong("ex1_neuron", "int", neuron("    return int(np.dot(x, w) + b)"), "integer_dtype"),
    wrong("ex1_neuron", "prints", neuron("    print(float(np.dot(x, w) + b))"), "returned_none"),
    wrong("ex1_neuron", "in place", neuron("    x *= w\n    return float(x.sum() + b)"), "input_modified_in_place"),
    wrong("ex1_neuron", "first input only", neuron("    return float(x[0] * w[0] + b)")),
    # -- ex2_matmul_shape ----------------------------------------------------------------------------------
    right("ex2_matmul_shape", "unpacking", "def matmul_shape(a_shape, b_shape):\n    n, k = a_shape\n"
          "    k2, m = b_shape\n    return (n, m) if k == k2 else None"),
    right("ex2_matmul_shape", "indexing", "def matmul_shape(a_shape, b_shape):\n    if a_shape[-1] != b_shape[0]:\n"
          "        return None\n    return tuple([a_shape[0], b_shape[-1]])"),
    wrong("ex2_matmul_shape", "mismatch not checked", "def matmul_shape(a_shape, b_shape):\n"
          "    return (a_shape[0], b_shape[1])", "matmul_mismatch_missed"),
    wrong("ex2_matmul_shape", "inner sizes kept", "def matmul_shape(a_shape, b_shape):\n"
          "    return (a_shape[1], b_shape[0]) if a_shape[1] == b_shape[0] else None", "matmul_outer_sizes"),
    wrong("ex2_matmul_shape", "reversed", "def matmul_shape(a_shape, b_shape):\n"
          "    return (b_shape[1], a_shape[0]) if a_shape[1] == b_shape[0] else None", "matmul_outer_sizes"),
    wrong("ex2_matmul_shape", "hard-coded", "def matmul_shape(a_shape, b_shape):\n    return (2, 2)"),
    wrong("ex2_matmul_shape", "asks numpy", "def matmul_shape(a_shape, b_shape):\n    try:\n"
          "        return (np.zeros(a_shape) @ np.zeros(b_shape)).shape\n    except ValueError:\n        return None",
          "forbidden_call"),
    wrong("ex2_matmul_shape", "compares the outer sizes", "def matmul_shape(a_shape, b_shape):\n"
          "    return (a_shape[0], b_shape[1]) if a_shape[0] == b_shape[1] else None"),
    wrong("ex2_matmul_shape", "raises instead of None", "def matmul_shape(a_shape, b_shape):\n"
          "    if a_shape[1] != b_shape[0]:\n        raise ValueError('inner sizes differ')\n"
          "    return (a_shape[0], b_shape[1])", "raised_exception"),
    wrong("ex2_matmul_shape", "prints", "def matmul_shape(a_shape, b_shape):\n"
          "    print((a_shape[0], b_shape[1]) if a_shape[1] == b_shape[0] else None)"),
    # -- ex3_dense_forward ---------------------------------------------------------------------------------
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
    # -- ex4_add_bias --------------------------------------------------------------------------------------
    right("ex4_add_bias", "reshape(-1)", "def add_bias(Z, b):\n    return Z + np.reshape(b, -1)"),
    right("ex4_add_bias", "row vector", "def add_bias(Z, b):\n    return Z + b.reshape(1, -1)"),
    right("ex4_add_bias", "column loop", "def add_bias(Z, b):\n    out = Z.copy()\n    flat = b.ravel()\n"
          "    for j in range(Z.shape[1]):\n        out[:, j] = out[:, j] + flat[j]\n    return out"),
    wrong("ex4_add_bias", "Z + b as given", "def add_bias(Z, b):\n    return Z + b", "bias_column"),
    wrong("ex4_add_bias", "b.T", "def add_bias(Z, b):\n    return Z + b.T", "bias_column"),
    wrong("ex4_add_bias", "bias subtracted", "def add_bias(Z, b):\n    return Z - b.ravel()", "bias_sign"),
    wrong("ex4_add_bias", "bias twice", "def add_bias(Z, b):\n    b = b.ravel()\n    return Z + b + b", "bias_twice"),
    wrong("ex4_add_bias", "in place", "def add_bias(Z, b):\n    Z += np.reshape(b, -1)\n    return Z",
          "input_modified_in_place"),
    wrong("ex4_add_bias", "hard-coded globals", "def add_bias(Z, b):\n    return XW + np.reshape(globals()['b'], -1)"),
    wrong("ex4_add_bias", "calls the reference", "def add_bias(Z, b):\n"
          "    return ref.dense(Z, np.eye(Z.shape[1], dtype=Z.dtype), np.reshape(b, -1))", "forbidden_call"),
    wrong("ex4_add_bias", "first entry only", "def add_bias(Z, b):\n    return Z + b.ravel()[0]", "rows_offset"),
    # -- ex5_dense_per_example -----------------------------------------------------------------------------
    right("ex5_dense_per_example", "loop and stack", "def dense_per_example(X, W, b):\n    rows = []\n"
          "    for x_row in X:\n        rows.append(x_row @ W + b)\n    return np.stack(rows)"),
    right("ex5_dense_per_example", "index loop into zeros", "def dense_per_example(X, W, b):\n"
          "    Z = np.zeros((X.shape[0], W.shape[1]), dtype=X.dtype)\n    for i in range(X.shape[0]):\n"
          "        Z[i] = np.einsum('i,io->o', X[i], W) + b\n    return Z"),
    wrong("ex5_dense_per_example", "bias missing", "def dense_per_example(X, W, b):\n"
          "    return np.stack([x_row @ W for x_row in X])", "bias_missing"),
    wrong("ex5_dense_per_example", "concatenated", "def dense_per_example(X, W, b):\n"
          "    return np.concatenate([x_row @ W + b for x_row in X])"),
    wrong("ex5_dense_per_example", "list of rows", "def dense_per_example(X, W, b):\n"
          "    return [x_row @ W + b for x_row in X]", "not_numeric"),
    wrong("ex5_dense_per_example", "squeezed", "def dense_per_example(X, W, b):\n"
          "    return np.array([x_row @ W + b for x_row in X]).squeeze()", "extra_axis"),
    wrong("ex5_dense_per_example", "off by one", "def dense_per_example(X, W, b):\n"
          "    return np.stack([X[i] @ W + b for i in range(len(X) - 1)] + [X[-1] @ W])"),
    wrong("ex5_dense_per_example", "calls the reference", "def dense_per_example(X, W, b):\n"
          "    return np.stack([ref.dense(x_row[None], W, b)[0] for x_row in X])", "forbidden_call"),
    wrong("ex5_dense_per_example", "W transposed", "def dense_per_example(X, W, b):\n"
          "    return np.stack([x_row @ W.T + b for x_row in X])", "shape_error"),
    wrong("ex5_dense_per_example", "hard-coded example", "def dense_per_example(X, W, b):\n"
          "    return np.array([[4.6, -1.7], [-6.9, 0.8]], dtype='float32')", "ignores_input"),
    # -- ex6_dense_from_out_in -----------------------------------------------------------------------------
    right("ex6_dense_from_out_in", "W_oi.T", "def dense_from_out_in(X, W_oi, b):\n    return X @ W_oi.T + b"),
    right("ex6_dense_from_out_in", "einsum", "def dense_from_out_in(X, W_oi, b):\n"
          "    return np.einsum('bi,oi->bo', X, W_oi) + b"),
    right("ex6_dense_from_out_in", "transposed product", "def dense_from_out_in(X, W_oi, b):\n"
          "    return (W_oi @ X.T).T + b"),
    wrong("ex6_dense_from_out_in", "no transpose", "def dense_from_out_in(X, W_oi, b):\n    return X @ W_oi + b",
          "shape_error"),
    wrong("ex6_dense_from_out_in", "reshape instead of transpose", "def dense_from_out_in(X, W_oi, b):\n"
          "    return X @ W_oi.reshape(W_oi.shape[1], W_oi.shape[0]) + b", "kernel_out_in"),
    wrong("ex6_dense_from_out_in", "bias missing", "def dense_from_out_in(X, W_oi, b):\n    return X @ W_oi.T",
          "bias_missing"),
    wrong("ex6_dense_from_out_in", "bias column", "def dense_from_out_in(X, W_oi, b):\n"
          "    return X @ W_oi.T + b.reshape(-1, 1)", "bias_column"),
    wrong("ex6_dense_from_out_in", "output transposed", "def dense_from_out_in(X, W_oi, b):\n"
          "    return W_oi @ X.T + b[:, None]", "output_transposed"),
    wrong("ex6_dense_from_out_in", "calls the reference", "def dense_from_out_in(X, W_oi, b):\n"
          "    return ref.dense(X, W_oi.T, b)", "forbidden_call"),
    wrong("ex6_dense_from_out_in", "example's Z", "def dense_from_out_in(X, W_oi, b):\n    return Z",
          "ignores_input"),
    # -- ex7_dense_nd --------------------------------------------------------------------------------------
    right("ex7_dense_nd", "reshape and back", "def dense_nd(X, W, b):\n    n_in, n_out = W.shape\n"
          "    return (X.reshape(-1, n_in) @ W + b).reshape(X.shape[:-1] + (n_out,))"),
    right("ex7_dense_nd", "einsum", "def dense_nd(X, W, b):\n    return np.einsum('...i,io->...o', X, W) + b"),
    right("ex7_dense_nd", "matmul broadcasting", "def dense_nd(X, W, b):\n    return X @ W + b"),
    wrong("ex7_dense_nd", "not reshaped back", "def dense_nd(X, W, b):\n    return X.reshape(-1, W.shape[0]) @ W + b",
          "leading_axes_lost"),
    wrong("ex7_dense_nd", "batch axis only", "def dense_nd(X, W, b):\n"
          "    return (X.reshape(-1, W.shape[0]) @ W + b).reshape(X.shape[0], -1)", "leading_axes_lost"),
    wrong("ex7_dense_nd", "bias missing", "def dense_nd(X, W, b):\n    return X @ W", "bias_missing"),
    wrong("ex7_dense_nd", "rank 3 only", "def dense_nd(X, W, b):\n    B, T, n_in = X.shape\n"
          "    return (X.reshape(B * T, n_in) @ W + b).reshape(B, T, -1)", "raised_exception"),
    wrong("ex7_dense_nd", "flattened input", "def dense_nd(X, W, b):\n    return X.reshape(X.shape[0], -1) @ W + b",
          "shape_error"),
    wrong("ex7_dense_nd", "calls the reference", "def dense_nd(X, W, b):\n    return ref.dense(X, W, b)",
          "forbidden_call"),
    wrong("ex7_dense_nd", "wrong reshape order", "def dense_nd(X, W, b):\n    n_in, n_out = W.shape\n"
          "    rows = X.reshape(n_in, -1).T\n    return (rows @ W + b).reshape(X.shape[:-1] + (n_out,))"),
]


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_answer(answer):
    check(LESSON, answer)


def test_every_exercise_has_a_corpus():
    assert_covers(LESSON, ANSWERS)
