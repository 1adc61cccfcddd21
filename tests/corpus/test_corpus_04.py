"""Lesson 04's wrong-answer corpus: every exercise's test against typical wrong answers and correct ones.

Keras is in every test cell here (layers built to compare with), so correct answers run on 20 seeds and
wrong ones on 3, as everywhere; the lesson's corpus stays under a minute on 2 cores.
"""

import pytest

from corpus import assert_covers, check, right, wrong

pytestmark = [pytest.mark.tf]

LESSON = "04_dense_layer"


def fn(header, *body):
    """A function's source from its header and body lines."""
    return header + "\n" + "\n".join("    " + line for line in body)


SHAPES = "def dense_weight_shapes(input_shape, units, use_bias=True):"
READ = "def read_dense_weights(weights):"
GLOROT = "def glorot_uniform_limit(fan_in, fan_out):"
FORWARD = "def dense_forward(x, kernel, bias=None, activation=None):"
FLAT = "def flatten_then_dense(x, kernel, bias):"
AFFINE = "def make_affine_layer(M, c):"
CONFIG = "def make_configured_dense():"
PENALTY = "def dense_regularization_loss(kernel, bias, outputs, kernel_l2, bias_l1, activity_l2):"

FORWARD_BODY = ("z = x @ kernel", "if bias is not None:", "    z = z + bias")
ACTIVATE = ("if activation == 'relu':", "    return np.maximum(z, np.float32(0))",
            "if activation == 'sigmoid':", "    return (1 / (1 + np.exp(-z))).astype('float32')",
            "if activation == 'tanh':", "    return np.tanh(z)", "return z")

CONFIG_ARGS = dict(
    units="16", activation="activation='tanh'", use_bias="use_bias=True",
    kernel_initializer="kernel_initializer=keras.initializers.HeNormal(seed=7)",
    bias_initializer="bias_initializer=keras.initializers.Constant(0.1)",
    kernel_regularizer="kernel_regularizer=keras.regularizers.L2(1e-3)",
    activity_regularizer="activity_regularizer=keras.regularizers.L1(1e-4)",
    kernel_constraint="kernel_constraint=keras.constraints.MaxNorm(2.0)",
    bias_constraint="bias_constraint=keras.constraints.NonNeg()",
)


def configured(**changes):
    """make_configured_dense with some of its arguments changed (None drops one)."""
    args = {**CONFIG_ARGS, **changes}
    return fn(CONFIG, "return keras.layers.Dense(" + ", ".join(v for v in args.values() if v) + ")")


PENALTY_HEAD = ("k = kernel_l2 * np.sum(np.square(kernel))", "b = bias_l1 * np.sum(np.abs(bias))")

ANSWERS = [
    # -- ex1_weight_shapes ---------------------------------------------------------------------------------
    right("ex1_weight_shapes", "tuples", fn(SHAPES, "return (input_shape[-1], units), ((units,) if use_bias else None)")),
    right("ex1_weight_shapes", "lists and ints", fn(SHAPES, "n_in = int(list(input_shape)[len(input_shape) - 1])",
                                                    "kernel = [n_in, int(units)]",
                                                    "bias = [int(units)] if use_bias else None", "return kernel, bias")),
    wrong("ex1_weight_shapes", "kernel (units, in)", fn(SHAPES, "return (units, input_shape[-1]), ((units,) if use_bias else None)"),
          "kernel_out_in"),
    wrong("ex1_weight_shapes", "flattens the input", fn(SHAPES, "n_in = int(np.prod(input_shape[1:]))",
                                                        "return (n_in, units), ((units,) if use_bias else None)"),
          "flattened_input"),
    wrong("ex1_weight_shapes", "input_shape[1]", fn(SHAPES, "return (input_shape[1], units), ((units,) if use_bias else None)")),
    wrong("ex1_weight_shapes", "bias as a column", fn(SHAPES, "return (input_shape[-1], units), ((units, 1) if use_bias else None)"),
          "bias_column"),
    wrong("ex1_weight_shapes", "ignores use_bias", fn(SHAPES, "return (input_shape[-1], units), (units,)")),
    wrong("ex1_weight_shapes", "hard-coded example", fn(SHAPES, "return (4, 10), (10,)"), "ignores_input"),
    wrong("ex1_weight_shapes", "builds a Keras layer", fn(SHAPES, "layer = keras.layers.Dense(units, use_bias=use_bias)",
                                                          "layer.build(input_shape)",
                                                          "return tuple(layer.kernel.shape), (tuple(layer.bias.shape) if use_bias else None)"),
          "forbidden_call"),
    wrong("ex1_weight_shapes", "prints instead of returning", fn(SHAPES, "print((input_shape[-1], units), (units,))")),
    # -- ex2_param_count -----------------------------------------------------------------------------------
    right("ex2_param_count", "shapes", fn(READ, "n_in, units = weights[0].shape",
                                          "return n_in, units, sum(w.size for w in weights)")),
    right("ex2_param_count", "formula per layout", fn(READ, "kernel = np.asarray(weights[0])",
                                                      "n_in, units = int(kernel.shape[0]), int(kernel.shape[1])",
                                                      "params = n_in * units + (units if len(weights) == 2 else 0)",
                                                      "return [n_in, units, params]")),
    wrong("ex2_param_count", "kernel read as (units, in)", fn(READ, "units, n_in = weights[0].shape",
                                                              "return n_in, units, sum(w.size for w in weights)"),
          "kernel_out_in"),
    wrong("ex2_param_count", "bias not counted", fn(READ, "n_in, units = weights[0].shape", "return n_in, units, n_in * units"),
          "params_without_bias"),
    wrong("ex2_param_count", "assumes a bias", fn(READ, "n_in, units = weights[0].shape", "return n_in, units, n_in * units + units")),
    wrong("ex2_param_count", "hard-coded example", fn(READ, "return 4, 10, 50"), "ignores_input"),
    wrong("ex2_param_count", "counts the arrays", fn(READ, "n_in, units = weights[0].shape", "return n_in, units, len(weights)")),
    wrong("ex2_param_count", "rebuilds a layer for count_params",
          fn(READ, "n_in, units = weights[0].shape", "layer = keras.layers.Dense(units, use_bias=len(weights) == 2)",
             "layer.build((None, n_in))", "return n_in, units, layer.count_params()"), "forbidden_call"),
    # -- ex3_glorot_limit ----------------------------------------------------------------------------------
    right("ex3_glorot_limit", "np.sqrt", fn(GLOROT, "return float(np.sqrt(6.0 / (fan_in + fan_out)))")),
    right("ex3_glorot_limit", "math, from the variance", fn(GLOROT, "import math",
                                                           "variance = 2 / (fan_in + fan_out)",
                                                           "return math.sqrt(3 * variance)")),
    wrong("ex3_glorot_limit", "fan_in only", fn(GLOROT, "return float(np.sqrt(6.0 / fan_in))"), "wrong_init_scale"),
    wrong("ex3_glorot_limit", "the normal's stddev", fn(GLOROT, "return float(np.sqrt(2.0 / (fan_in + fan_out)))"),
          "wrong_init_scale"),
    wrong("ex3_glorot_limit", "no square root", fn(GLOROT, "return 6.0 / (fan_in + fan_out)"), "wrong_init_scale"),
    wrong("ex3_glorot_limit", "integer division", fn(GLOROT, "return float(np.sqrt(6 // (fan_in + fan_out)))"),
          "wrong_init_scale"),
    wrong("ex3_glorot_limit", "hard-coded example", fn(GLOROT, "return 0.06324555320336758"), "ignores_input"),
    wrong("ex3_glorot_limit", "largest of a Keras kernel",
          fn(GLOROT, "w = keras.initializers.GlorotUniform()((fan_in, fan_out))", "return float(np.abs(w).max())"),
          "forbidden_call"),
    wrong("ex3_glorot_limit", "returns None", fn(GLOROT, "limit = np.sqrt(6.0 / (fan_in + fan_out))"), "returned_none"),
    # -- ex4_dense_forward ---------------------------------------------------------------------------------
    right("ex4_dense_forward", "if/else", fn(FORWARD, *FORWARD_BODY, *ACTIVATE)),
    right("ex4_dense_forward", "einsum, table of activations",
          fn(FORWARD, "z = np.einsum('...i,io->...o', x, kernel)", "z = z if bias is None else z + bias",
             "f = ref.activations.get(activation)", "return f(z).astype(np.float32)")),
    right("ex4_dense_forward", "float64 inside, float32 out",
          fn(FORWARD, "z = np.tensordot(x.astype('float64'), kernel.astype('float64'), axes=1)",
             "if bias is not None:", "    z += bias",
             "out = {None: z, 'linear': z, 'relu': np.maximum(z, 0), 'tanh': np.tanh(z),",
             "       'sigmoid': 0.5 * (1 + np.tanh(z / 2))}[activation]", "return out.astype('float32')")),
    wrong("ex4_dense_forward", "bias missing", fn(FORWARD, "z = x @ kernel", *ACTIVATE), "bias_missing"),
    wrong("ex4_dense_forward", "bias subtracted", fn(FORWARD, "z = x @ kernel", "if bias is not None:", "    z = z - bias",
                                                    *ACTIVATE), "bias_sign"),
    wrong("ex4_dense_forward", "relu before the bias",
          fn(FORWARD, "z = x @ kernel", "if activation == 'relu':", "    z = np.maximum(z, 0)",
             "if bias is not None:", "    z = z + bias", "if activation == 'sigmoid':", "    return 1 / (1 + np.exp(-z))",
             "if activation == 'tanh':", "    return np.tanh(z)", "return z"), "relu_before_bias"),
    wrong("ex4_dense_forward", "no activation", fn(FORWARD, *FORWARD_BODY, "return z"), "activation_missing"),
    wrong("ex4_dense_forward", "flattens a rank-3 input", fn(FORWARD, "x = x.reshape(-1, kernel.shape[0])", *FORWARD_BODY, *ACTIVATE),
          "flattened_input"),
    wrong("ex4_dense_forward", "kernel transposed", fn(FORWARD, "z = x @ kernel.T", "if bias is not None:", "    z = z + bias",
                                                      *ACTIVATE), "shape_error"),
    wrong("ex4_dense_forward", "float64 result", fn(FORWARD, "x = x.astype('float64')", *FORWARD_BODY, *ACTIVATE),
          "wrong_dtype"),
    wrong("ex4_dense_forward", "calls the reference", fn(FORWARD, "return ref.dense(x, kernel, bias, activation)"),
          "forbidden_call"),
    wrong("ex4_dense_forward", "a Keras layer", fn(FORWARD, "layer = keras.layers.Dense(kernel.shape[1], activation=activation, "
                                                  "use_bias=bias is not None)", "layer.build((None, kernel.shape[0]))",
                                                  "layer.set_weights([kernel] if bias is None else [kernel, bias])",
                                                  "return layer(x).numpy()"), "forbidden_call"),
    wrong("ex4_dense_forward", "in place", fn(FORWARD, "x *= 1.0", "x[..., 0] += 0.0", "x -= x * 0", "x[0] = x[0] + 1e-3",
                                              *FORWARD_BODY, *ACTIVATE), "input_modified_in_place"),
    wrong("ex4_dense_forward", "hard-coded example", fn(FORWARD, "return np.zeros((5, 3), 'float32')")),
    # -- ex5_flatten_then_dense -----------------------------------------------------------------------------
    right("ex5_flatten_then_dense", "reshape", fn(FLAT, "return x.reshape(x.shape[0], -1) @ kernel + bias")),
    right("ex5_flatten_then_dense", "loop over examples, own dense_forward",
          fn(FLAT, "rows = np.stack([example.ravel() for example in x])", "return dense_forward(rows, kernel, bias)")),
    right("ex5_flatten_then_dense", "einsum on float64", fn(FLAT, "rows = np.asarray(x, 'float64').reshape(len(x), -1)",
                                                            "return np.einsum('bi,io->bo', rows, kernel) + bias")),
    wrong("ex5_flatten_then_dense", "Fortran order", fn(FLAT, "return x.reshape(x.shape[0], -1, order='F') @ kernel + bias"),
          "flatten_order"),
    wrong("ex5_flatten_then_dense", "axes swapped", fn(FLAT, "return np.swapaxes(x, 1, -1).reshape(x.shape[0], -1) @ kernel + bias"),
          "flatten_order"),
    wrong("ex5_flatten_then_dense", "bias missing", fn(FLAT, "return x.reshape(x.shape[0], -1) @ kernel"), "bias_missing"),
    wrong("ex5_flatten_then_dense", "no flatten", fn(FLAT, "return x @ kernel + bias"), "shape_error"),
    wrong("ex5_flatten_then_dense", "fixed example size", fn(FLAT, "return x.reshape(2, 80) @ kernel + bias"),
          "raised_exception"),
    wrong("ex5_flatten_then_dense", "Keras model", fn(FLAT, "model = keras.Sequential([keras.Input(shape=x.shape[1:]), "
                                                      "keras.layers.Flatten(), keras.layers.Dense(kernel.shape[1])])",
                                                      "model.layers[-1].set_weights([kernel, bias])", "return model(x).numpy()"),
          "forbidden_call"),
    wrong("ex5_flatten_then_dense", "reference dense", fn(FLAT, "return ref.dense(x.reshape(len(x), -1), kernel, bias)"),
          "forbidden_call"),
    # -- ex6_affine_layer ----------------------------------------------------------------------------------
    right("ex6_affine_layer", "build then set_weights", fn(AFFINE, "layer = keras.layers.Dense(M.shape[0])",
                                                           "layer.build((None, M.shape[1]))", "layer.set_weights([M.T, c])",
                                                           "return layer")),
    right("ex6_affine_layer", "initializers from arrays",
          fn(AFFINE, "layer = keras.layers.Dense(len(c), kernel_initializer=keras.initializers.Constant(np.transpose(M)),",
             "                           bias_initializer=keras.initializers.Constant(c))",
             "layer(np.zeros((1, M.shape[1]), 'float32'))", "return layer")),
    wrong("ex6_affine_layer", "kernel stored as (out, in)", fn(AFFINE, "layer = keras.layers.Dense(M.shape[1])",
                                                               "layer.build((None, M.shape[0]))", "layer.set_weights([M, c])",
                                                               "return layer"), "kernel_out_in"),
    wrong("ex6_affine_layer", "set_weights forgotten", fn(AFFINE, "layer = keras.layers.Dense(M.shape[0])",
                                                          "layer.build((None, M.shape[1]))", "return layer"),
          "set_weights_forgotten"),
    wrong("ex6_affine_layer", "bias left at zero", fn(AFFINE, "layer = keras.layers.Dense(M.shape[0])",
                                                      "layer.build((None, M.shape[1]))",
                                                      "layer.set_weights([M.T, np.zeros_like(c)])", "return layer"),
          "bias_missing"),
    wrong("ex6_affine_layer", "relu added", fn(AFFINE, "layer = keras.layers.Dense(M.shape[0], activation='relu')",
                                               "layer.build((None, M.shape[1]))", "layer.set_weights([M.T, c])",
                                               "return layer"), "config_mismatch"),
    wrong("ex6_affine_layer", "not built", fn(AFFINE, "layer = keras.layers.Dense(M.shape[0])",
                                              "layer.set_weights([M.T, c])", "return layer"), "raised_exception"),
    wrong("ex6_affine_layer", "no bias", fn(AFFINE, "layer = keras.layers.Dense(M.shape[0], use_bias=False)",
                                            "layer.build((None, M.shape[1]))", "layer.set_weights([M.T])", "return layer")),
    wrong("ex6_affine_layer", "returns the weights", fn(AFFINE, "return [M.T, c]")),
    # -- ex7_configured_dense ------------------------------------------------------------------------------
    right("ex7_configured_dense", "objects", configured()),
    right("ex7_configured_dense", "equivalent spellings",
          configured(activation="activation=keras.activations.tanh", use_bias=None,
                     kernel_regularizer="kernel_regularizer=keras.regularizers.L1L2(l2=0.001)",
                     bias_initializer="bias_initializer=keras.initializers.Constant(value=0.1)",
                     kernel_constraint="kernel_constraint=keras.constraints.MaxNorm(max_value=2, axis=0)")),
    wrong("ex7_configured_dense", "activity penalty missing", configured(activity_regularizer=None), "config_mismatch"),
    wrong("ex7_configured_dense", "L2 on the output", configured(activity_regularizer="activity_regularizer='l2'"),
          "config_mismatch"),
    wrong("ex7_configured_dense", "unseeded he_normal", configured(kernel_initializer="kernel_initializer='he_normal'"),
          "config_mismatch"),
    wrong("ex7_configured_dense", "MaxNorm per row", configured(kernel_constraint="kernel_constraint=keras.constraints.MaxNorm(2.0, axis=1)"),
          "config_mismatch"),
    wrong("ex7_configured_dense", "bias constraint missing", configured(bias_constraint=None), "config_mismatch"),
    wrong("ex7_configured_dense", "relu", configured(activation="activation='relu'"), "config_mismatch"),
    wrong("ex7_configured_dense", "built already", fn(CONFIG, "layer = " + configured().split("return ", 1)[1],
                                                      "layer.build((None, 5))", "return layer")),
    # -- ex8_regularization_loss ---------------------------------------------------------------------------
    right("ex8_regularization_loss", "three terms", fn(PENALTY, *PENALTY_HEAD,
                                                       "a = activity_l2 * np.sum(np.square(outputs)) / len(outputs)",
                                                       "return float(k + b + a)")),
    right("ex8_regularization_loss", "mean over the batch of row sums",
          fn(PENALTY, "kernel, bias, outputs = (np.asarray(v, 'float64') for v in (kernel, bias, outputs))",
             "per_example = (outputs ** 2).sum(axis=1)",
             "return kernel_l2 * (kernel ** 2).sum() + bias_l1 * abs(bias).sum() + activity_l2 * per_example.mean()")),
    wrong("ex8_regularization_loss", "activity not divided", fn(PENALTY, *PENALTY_HEAD,
                                                                "return float(k + b + activity_l2 * np.sum(outputs**2))"),
          "mean_missing_1_over_n"),
    wrong("ex8_regularization_loss", "activity mean over entries", fn(PENALTY, *PENALTY_HEAD,
                                                                      "return float(k + b + activity_l2 * np.mean(outputs**2))"),
          "mean_instead_of_sum"),
    wrong("ex8_regularization_loss", "bias penalty missing", fn(PENALTY, *PENALTY_HEAD,
                                                                "return float(k + activity_l2 * np.sum(outputs**2) / len(outputs))"),
          "penalty_missing"),
    wrong("ex8_regularization_loss", "bias squared", fn(PENALTY, *PENALTY_HEAD, "b = bias_l1 * np.sum(bias**2)",
                                                        "return float(k + b + activity_l2 * np.sum(outputs**2) / len(outputs))"),
          "penalty_formula"),
    wrong("ex8_regularization_loss", "returns the three terms", fn(PENALTY, *PENALTY_HEAD,
                                                                   "return [k, b, activity_l2 * np.sum(outputs**2) / len(outputs)]")),
    wrong("ex8_regularization_loss", "hard-coded", fn(PENALTY, "return 0.25")),
    wrong("ex8_regularization_loss", "a Keras layer's losses",
          fn(PENALTY, "layer = keras.layers.Dense(kernel.shape[1], kernel_regularizer=keras.regularizers.L2(kernel_l2),",
             "                           bias_regularizer=keras.regularizers.L1(bias_l1))",
             "layer.build((None, kernel.shape[0]))", "layer.set_weights([kernel, bias])",
             "layer(np.zeros((1, kernel.shape[0]), 'float32'))",
             "return float(sum(layer.losses)) + activity_l2 * float(np.sum(outputs**2)) / len(outputs)"),
          "forbidden_call"),
]


def test_every_exercise_is_covered():
    assert_covers(LESSON, ANSWERS)


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_answer(answer):
    check(LESSON, answer)
