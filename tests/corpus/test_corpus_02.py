"""Lesson 02's wrong-answer corpus: every exercise's test against typical wrong answers and correct ones."""

import pytest

from corpus import assert_covers, check, right, wrong

pytestmark = [pytest.mark.tf]

LESSON = "02_activations"


def fn(signature, body):
    return f"def {signature}:\n" + "\n".join("    " + line for line in body.splitlines())


def derivatives(sig="s = sigmoid(x)\nreturn s * (1 - s)", tanh="return (1 - np.tanh(x) ** 2).astype(x.dtype)",
                relu="return (x > 0).astype(x.dtype)"):
    return "\n\n".join([fn("sigmoid_derivative(x)", sig), fn("tanh_derivative(x)", tanh), fn("relu_derivative(x)", relu)])


ANSWERS = [
    # -- ex1_collapse --------------------------------------------------------------------------------------
    right("ex1_collapse", "products", fn("collapse(W1, b1, W2, b2)", "return W1 @ W2, b1 @ W2 + b2")),
    right("ex1_collapse", "einsum, list", fn("collapse(W1, b1, W2, b2)",
          "W = np.einsum('ih,ho->io', W1, W2)\nb = np.einsum('h,ho->o', b1, W2) + b2\nreturn [W, b]")),
    right("ex1_collapse", "through the layers", fn("collapse(W1, b1, W2, b2)",
          "n_in = W1.shape[0]\nW = np.eye(n_in, dtype=W1.dtype) @ W1 @ W2\nb = (np.zeros(n_in, W1.dtype) @ W1 + b1) @ W2 + b2\n"
          "return W, b")),
    wrong("ex1_collapse", "b1 + b2", fn("collapse(W1, b1, W2, b2)", "return W1 @ W2, b1 + b2"), "shape_error"),
    wrong("ex1_collapse", "second bias only", fn("collapse(W1, b1, W2, b2)", "return W1 @ W2, b2"), "collapse_bias"),
    wrong("ex1_collapse", "b2 forgotten", fn("collapse(W1, b1, W2, b2)", "return W1 @ W2, b1 @ W2"), "collapse_bias"),
    wrong("ex1_collapse", "W2 @ W1", fn("collapse(W1, b1, W2, b2)", "return W2 @ W1, b1 @ W2 + b2"), "shape_error"),
    wrong("ex1_collapse", "returns W only", fn("collapse(W1, b1, W2, b2)", "return W1 @ W2")),
    wrong("ex1_collapse", "least squares", fn("collapse(W1, b1, W2, b2)",
          "X = np.random.default_rng(0).standard_normal((50, W1.shape[0]))\nY = (X @ W1 + b1) @ W2 + b2\n"
          "A = np.hstack([X, np.ones((50, 1))])\nWb = np.linalg.lstsq(A, Y, rcond=None)[0]\nreturn Wb[:-1], Wb[-1]"),
          "forbidden_call"),
    wrong("ex1_collapse", "example's globals", fn("collapse(W1, b1, W2, b2)", "return W_single, b_single")),
    # -- ex2_relu ------------------------------------------------------------------------------------------
    right("ex2_relu", "np.maximum", fn("relu(x)", "return np.maximum(x, 0)")),
    right("ex2_relu", "mask", fn("relu(x)", "return x * (x > 0)")),
    right("ex2_relu", "where on a copy", fn("relu(x)", "out = x.copy()\nout[out < 0] = 0\nreturn out")),
    wrong("ex2_relu", "in place", fn("relu(x)", "x[x < 0] = 0\nreturn x"), "input_modified_in_place"),
    wrong("ex2_relu", "minimum", fn("relu(x)", "return np.minimum(x, 0)")),
    wrong("ex2_relu", "identity", fn("relu(x)", "return x"), "activation_missing"),
    wrong("ex2_relu", "float64", fn("relu(x)", "return np.maximum(x.astype('float64'), 0)"), "wrong_dtype"),
    wrong("ex2_relu", "python max", fn("relu(x)", "return max(x, 0)"), "raised_exception"),
    wrong("ex2_relu", "calls the reference", fn("relu(x)", "return ref.activations.relu(x)"), "forbidden_call"),
    wrong("ex2_relu", "calls keras", fn("relu(x)", "return keras.activations.relu(x).numpy()"), "forbidden_call"),
    wrong("ex2_relu", "hard-coded example", fn("relu(x)",
          "return np.array([[0.0, 0.0, 0.0], [0.5, 3.0, 0.0]], dtype='float32')"), "ignores_input"),
    wrong("ex2_relu", "flattened", fn("relu(x)", "return np.maximum(x.ravel(), 0)")),
    # -- ex3_sigmoid ---------------------------------------------------------------------------------------
    right("ex3_sigmoid", "where", fn("sigmoid(x)",
          "e = np.exp(-np.abs(x))\nreturn np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)")),
    right("ex3_sigmoid", "tanh form", fn("sigmoid(x)", "return (0.5 * (1 + np.tanh(x / 2))).astype(x.dtype)")),
    right("ex3_sigmoid", "float64 and clip", fn("sigmoid(x)",
          "z = np.clip(np.asarray(x, 'float64'), -500, 500)\nreturn (1 / (1 + np.exp(-z))).astype('float32')")),
    wrong("ex3_sigmoid", "naive", fn("sigmoid(x)", "return 1 / (1 + np.exp(-x))"), "sigmoid_overflow"),
    wrong("ex3_sigmoid", "naive with exp(x)", fn("sigmoid(x)", "return np.exp(x) / (1 + np.exp(x))"), "sigmoid_overflow"),
    wrong("ex3_sigmoid", "sign flipped", fn("sigmoid(x)",
          "e = np.exp(-np.abs(x))\nreturn np.where(x >= 0, e / (1 + e), 1 / (1 + e)).astype(x.dtype)")),
    wrong("ex3_sigmoid", "float64", fn("sigmoid(x)",
          "x = np.asarray(x, 'float64')\ne = np.exp(-np.abs(x))\nreturn np.where(x >= 0, 1 / (1 + e), e / (1 + e))"),
          "wrong_dtype"),
    wrong("ex3_sigmoid", "calls the reference", fn("sigmoid(x)", "return ref.activations.sigmoid(x)"), "forbidden_call"),
    wrong("ex3_sigmoid", "in place", fn("sigmoid(x)",
          "e = np.exp(-np.abs(x))\nx[...] = np.where(x >= 0, 1 / (1 + e), e / (1 + e))\nreturn x"),
          "input_modified_in_place"),
    # -- ex4_leaky_relu ------------------------------------------------------------------------------------
    right("ex4_leaky_relu", "where", fn("leaky_relu(x, negative_slope=0.2)",
          "return np.where(x > 0, x, negative_slope * x).astype(x.dtype)")),
    right("ex4_leaky_relu", "two parts", fn("leaky_relu(x, negative_slope=0.2)",
          "return (np.maximum(x, 0) + negative_slope * np.minimum(x, 0)).astype(x.dtype)")),
    wrong("ex4_leaky_relu", "layer's default 0.3", fn("leaky_relu(x, negative_slope=0.3)",
          "return np.where(x > 0, x, negative_slope * x).astype(x.dtype)"), "leaky_default_slope"),
    wrong("ex4_leaky_relu", "PyTorch's default", fn("leaky_relu(x, negative_slope=0.01)",
          "return np.where(x > 0, x, negative_slope * x).astype(x.dtype)"), "leaky_default_slope"),
    wrong("ex4_leaky_relu", "maximum trick", fn("leaky_relu(x, negative_slope=0.2)",
          "return np.maximum(x, negative_slope * x).astype(x.dtype)")),
    wrong("ex4_leaky_relu", "slope ignored", fn("leaky_relu(x, negative_slope=0.2)",
          "return np.where(x > 0, x, 0.2 * x).astype(x.dtype)")),
    wrong("ex4_leaky_relu", "float64", fn("leaky_relu(x, negative_slope=0.2)",
          "return np.where(x > 0, x.astype('float64'), negative_slope * x.astype('float64'))"), "wrong_dtype"),
    wrong("ex4_leaky_relu", "calls keras", fn("leaky_relu(x, negative_slope=0.2)",
          "return keras.activations.leaky_relu(x, negative_slope=negative_slope).numpy()"), "forbidden_call"),
    wrong("ex4_leaky_relu", "reference relu", fn("leaky_relu(x, negative_slope=0.2)",
          "return ref.activations.relu(x, negative_slope=negative_slope)"), "forbidden_call"),
    wrong("ex4_leaky_relu", "hard-coded example", fn("leaky_relu(x, negative_slope=0.2)",
          "return np.array([-2.0, -0.2, 0.0, 2.0], dtype='float32')"), "ignores_input"),
    # -- ex5_derivatives -----------------------------------------------------------------------------------
    right("ex5_derivatives", "table", derivatives()),
    right("ex5_derivatives", "own formulas", derivatives(
        sig="e = np.exp(-np.abs(x))\ns = np.where(x >= 0, 1 / (1 + e), e / (1 + e))\nreturn (s * (1 - s)).astype(x.dtype)",
        tanh="return (1 / np.cosh(x.astype('float64')) ** 2).astype(x.dtype)",
        relu="return np.where(x > 0, 1.0, 0.0).astype(x.dtype)")),
    wrong("ex5_derivatives", "sigmoid formula on x", derivatives(sig="return x * (1 - x)"), "derivative_formula_on_x"),
    wrong("ex5_derivatives", "tanh formula on x", derivatives(tanh="return 1 - x ** 2"), "derivative_formula_on_x"),
    wrong("ex5_derivatives", "relu'(0) = 1", derivatives(relu="return (x >= 0).astype(x.dtype)"),
          "relu_derivative_at_zero"),
    wrong("ex5_derivatives", "tanh without square", derivatives(tanh="return 1 - np.tanh(x)")),
    wrong("ex5_derivatives", "relu itself", derivatives(relu="return np.maximum(x, 0)"), "wrong_activation"),
    wrong("ex5_derivatives", "bool dtype", derivatives(relu="return x > 0"), "wrong_dtype"),
    wrong("ex5_derivatives", "calls the reference", derivatives(
        sig="return ref.activations.derivative('sigmoid', x)"), "forbidden_call"),
    wrong("ex5_derivatives", "hard-coded example", derivatives(
        sig="return np.array([0.0452, 0.1966, 0.25, 0.2350, 0.1050], dtype='float32')"), "ignores_input"),
    # -- ex6_softmax ---------------------------------------------------------------------------------------
    right("ex6_softmax", "stable", fn("softmax(z)",
          "e = np.exp(z - np.max(z, axis=-1, keepdims=True))\nreturn e / np.sum(e, axis=-1, keepdims=True)")),
    right("ex6_softmax", "log-sum-exp in float64", fn("softmax(z)",
          "z64 = np.asarray(z, 'float64')\nm = z64.max(axis=-1, keepdims=True)\n"
          "lse = m + np.log(np.exp(z64 - m).sum(axis=-1, keepdims=True))\nreturn np.exp(z64 - lse).astype(z.dtype)")),
    right("ex6_softmax", "rows loop", fn("softmax(z)",
          "flat = z.reshape(-1, z.shape[-1])\nout = np.empty_like(flat)\nfor i, row in enumerate(flat):\n"
          "    e = np.exp(row - row.max())\n    out[i] = e / e.sum()\nreturn out.reshape(z.shape)")),
    wrong("ex6_softmax", "naive", fn("softmax(z)", "e = np.exp(z)\nreturn e / e.sum(axis=-1, keepdims=True)"),
          "softmax_unstable"),
    wrong("ex6_softmax", "axis 0", fn("softmax(z)",
          "e = np.exp(z - z.max(axis=0, keepdims=True))\nreturn e / e.sum(axis=0, keepdims=True)"), "softmax_wrong_axis"),
    wrong("ex6_softmax", "whole array", fn("softmax(z)", "e = np.exp(z - z.max())\nreturn e / e.sum()"),
          "softmax_not_normalised"),
    wrong("ex6_softmax", "keepdims forgotten", fn("softmax(z)",
          "e = np.exp(z - np.max(z, axis=-1))\nreturn e / np.sum(e, axis=-1)"), "shape_error"),
    wrong("ex6_softmax", "rank 2 only", fn("softmax(z)",
          "e = np.exp(z - z.max(axis=1)[:, None])\nreturn e / e.sum(axis=1)[:, None]"), "softmax_not_normalised"),
    wrong("ex6_softmax", "float64", fn("softmax(z)",
          "z = np.asarray(z, 'float64')\ne = np.exp(z - z.max(axis=-1, keepdims=True))\n"
          "return e / e.sum(axis=-1, keepdims=True)"), "wrong_dtype"),
    wrong("ex6_softmax", "calls keras", fn("softmax(z)", "return keras.activations.softmax(z).numpy()"),
          "forbidden_call"),
    wrong("ex6_softmax", "in place", fn("softmax(z)",
          "z -= z.max(axis=-1, keepdims=True)\ne = np.exp(z)\nreturn e / e.sum(axis=-1, keepdims=True)"),
          "input_modified_in_place"),
    # -- ex7_output_activation -----------------------------------------------------------------------------
    right("ex7_output_activation", "dict", fn("output_activation(task)",
          "choices = {'regression': 'linear', 'binary': 'sigmoid', 'multiclass': 'softmax', 'multilabel': 'sigmoid'}\n"
          "if task not in choices:\n    raise ValueError(f'unknown task {task!r}; known: {sorted(choices)}')\n"
          "return choices[task]")),
    right("ex7_output_activation", "if chain", fn("output_activation(task)",
          "if task == 'regression':\n    return 'linear'\nif task in ('binary', 'multilabel'):\n    return 'sigmoid'\n"
          "if task == 'multiclass':\n    return 'softmax'\n"
          "raise ValueError('task must be regression, binary, multiclass or multilabel')")),
    wrong("ex7_output_activation", "softmax for multilabel", fn("output_activation(task)",
          "choices = {'regression': 'linear', 'binary': 'sigmoid', 'multiclass': 'softmax', 'multilabel': 'softmax'}\n"
          "if task not in choices:\n    raise ValueError(f'unknown task; known: {sorted(choices)}')\nreturn choices[task]"),
          "multilabel_softmax"),
    wrong("ex7_output_activation", "relu for regression", fn("output_activation(task)",
          "choices = {'regression': 'relu', 'binary': 'sigmoid', 'multiclass': 'softmax', 'multilabel': 'sigmoid'}\n"
          "if task not in choices:\n    raise ValueError(f'unknown task; known: {sorted(choices)}')\nreturn choices[task]"),
          "relu_on_output"),
    wrong("ex7_output_activation", "no ValueError", fn("output_activation(task)",
          "return {'regression': 'linear', 'binary': 'sigmoid', 'multiclass': 'softmax', 'multilabel': 'sigmoid'}"
          ".get(task, 'linear')")),
    wrong("ex7_output_activation", "KeyError", fn("output_activation(task)",
          "return {'regression': 'linear', 'binary': 'sigmoid', 'multiclass': 'softmax', 'multilabel': 'sigmoid'}[task]")),
    wrong("ex7_output_activation", "message without the tasks", fn("output_activation(task)",
          "choices = {'regression': 'linear', 'binary': 'sigmoid', 'multiclass': 'softmax', 'multilabel': 'sigmoid'}\n"
          "if task not in choices:\n    raise ValueError('unknown task')\nreturn choices[task]")),
    wrong("ex7_output_activation", "visible two only", fn("output_activation(task)",
          "return 'softmax' if task == 'multiclass' else 'linear'")),
]


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_answer(answer):
    check(LESSON, answer)


def test_every_exercise_has_a_corpus():
    assert_covers(LESSON, ANSWERS)
