"""Lesson 05's wrong-answer corpus: every exercise's test against typical wrong answers and correct ones.

Exercises 1, 4 and 5 return Keras models (each built in the answer, ~0.1 s); correct answers still run on 20
seeds, wrong ones on 3.
"""

import pytest

from corpus import assert_covers, check, right, wrong

pytestmark = [pytest.mark.tf]

LESSON = "05_sequential"


def fn(header, *body):
    """A function's source from its header and body lines."""
    return header + "\n" + "\n".join("    " + line for line in body)


SMALL = "def build_small_model():"
UNITS = "def stack_units(input_dim, counts, use_bias=True):"
PATHS = "def expected_variable_paths(model_name, layer_names):"
SOFTMAX = "def build_softmax_mlp(input_dim, num_classes, hidden=64, dropout=0.5):"
BINARY = "def build_binary_mlp(input_dim, hidden=64, dropout=0.5):"
FORWARD = "def sequential_forward(x, weights, activations):"


def small(*layers, first="keras.Input(shape=(3,))"):
    return fn(SMALL, "return keras.Sequential([" + ", ".join(([first] if first else []) + list(layers)) + "])")


def mlp(header, last, hidden1="Dense(hidden, activation='relu')", drop="Dropout(dropout)",
        hidden2="Dense(hidden, activation='relu')", first="keras.Input(shape=(input_dim,))"):
    layers = ([first] if first else []) + [f"keras.layers.{name}" for name in (hidden1, drop, hidden2, drop, last) if name]
    return fn(header, "return keras.Sequential([" + ", ".join(layers) + "])")


RELU = "keras.layers.Dense(2, activation='relu')"
LINEAR = "keras.layers.Dense(2)"
SOFTMAX_LAST = "Dense(num_classes, activation='softmax')"
SIGMOID_LAST = "Dense(1, activation='sigmoid')"

LOOP = ("h = x", "for kernel, bias, name in zip(weights[0::2], weights[1::2], activations):",
        "    h = ref.activations.get(name)(h @ kernel + bias)", "return h")

ANSWERS = [
    # -- ex1_small_model -----------------------------------------------------------------------------------
    right("ex1_small_model", "list", small(RELU, RELU, LINEAR)),
    right("ex1_small_model", ".add() in a loop", fn(SMALL, "model = keras.Sequential()", "model.add(keras.Input(shape=(3,)))",
                                                     "for activation in ('relu', 'relu', None):",
                                                     "    model.add(keras.layers.Dense(2, activation=activation))",
                                                     "return model")),
    wrong("ex1_small_model", "relu on the output", small(RELU, RELU, RELU.replace("2, ", "2, ")), "relu_on_output"),
    wrong("ex1_small_model", "no relu", small(LINEAR, LINEAR, LINEAR), "relu_missing_hidden"),
    wrong("ex1_small_model", "4 inputs", small(RELU, RELU, LINEAR, first="keras.Input(shape=(4,))"), "config_mismatch"),
    wrong("ex1_small_model", "no Input, not built", small(RELU, RELU, LINEAR, first=None)),
    wrong("ex1_small_model", "no biases", small("keras.layers.Dense(2, activation='relu', use_bias=False)",
                                                "keras.layers.Dense(2, activation='relu', use_bias=False)",
                                                "keras.layers.Dense(2, use_bias=False)"), "params_without_bias"),
    wrong("ex1_small_model", "an Activation layer added", small(RELU, RELU, LINEAR, "keras.layers.Activation('relu')")),
    wrong("ex1_small_model", "sigmoid output", small(RELU, RELU, "keras.layers.Dense(2, activation='sigmoid')")),
    # -- ex2_stack_params ----------------------------------------------------------------------------------
    right("ex2_stack_params", "loop", fn(UNITS, "units, n_in = [], input_dim", "for count in counts:",
                                         "    n_in = count // (n_in + 1) if use_bias else count // n_in",
                                         "    units.append(n_in)", "return units")),
    right("ex2_stack_params", "recursive, numpy ints", fn(UNITS, "if not counts:", "    return []",
                                                          "u = np.int64(counts[0]) // (input_dim + int(bool(use_bias)))",
                                                          "return [int(u)] + stack_units(int(u), counts[1:], use_bias)")),
    wrong("ex2_stack_params", "bias ignored", fn(UNITS, "units, n_in = [], input_dim", "for count in counts:",
                                                 "    n_in = count // n_in", "    units.append(n_in)", "return units"),
          "params_without_bias"),
    wrong("ex2_stack_params", "input in the list", fn(UNITS, "units, n_in = [input_dim], input_dim", "for count in counts:",
                                                      "    n_in = count // (n_in + 1) if use_bias else count // n_in",
                                                      "    units.append(n_in)", "return units"), "input_counted_as_layer"),
    wrong("ex2_stack_params", "not chained", fn(UNITS, "extra = 1 if use_bias else 0",
                                                "return [c // (input_dim + extra) for c in counts]")),
    wrong("ex2_stack_params", "hard-coded example", fn(UNITS, "return [2, 2, 2]"), "ignores_input"),
    wrong("ex2_stack_params", "last layer dropped", fn(UNITS, "units, n_in = [], input_dim", "for count in counts[:-1]:",
                                                       "    n_in = count // (n_in + 1) if use_bias else count // n_in",
                                                       "    units.append(n_in)", "return units")),
    wrong("ex2_stack_params", "search with Keras models",
          fn(UNITS, "units, n_in = [], input_dim", "for count in counts:", "    for u in range(1, 2000):",
             "        layer = keras.layers.Dense(u, use_bias=use_bias)", "        layer.build((None, n_in))",
             "        if layer.count_params() == count:", "            break", "    units.append(u)", "    n_in = u",
             "return units"), "forbidden_call"),
    # -- ex3_variable_paths --------------------------------------------------------------------------------
    right("ex3_variable_paths", "comprehension", fn(PATHS, "return [f'{model_name}/{l}/{w}' for l in layer_names for w in ('kernel', 'bias')]")),
    right("ex3_variable_paths", "loop and join", fn(PATHS, "paths = []", "for layer in layer_names:",
                                                    "    paths.append('/'.join([model_name, layer, 'kernel']))",
                                                    "    paths.append('/'.join([model_name, layer, 'bias']))", "return paths")),
    wrong("ex3_variable_paths", "names only", fn(PATHS, "return ['kernel', 'bias'] * len(layer_names)"), "variable_path_pattern"),
    wrong("ex3_variable_paths", "no model name", fn(PATHS, "return [f'{l}/{w}' for l in layer_names for w in ('kernel', 'bias')]"),
          "variable_path_pattern"),
    wrong("ex3_variable_paths", "TF2 suffix", fn(PATHS, "return [f'{model_name}/{l}/{w}:0' for l in layer_names for w in ('kernel', 'bias')]"),
          "variable_path_pattern"),
    wrong("ex3_variable_paths", "bias first", fn(PATHS, "return [f'{model_name}/{l}/{w}' for l in layer_names for w in ('bias', 'kernel')]"),
          "variable_path_pattern"),
    wrong("ex3_variable_paths", "hard-coded example", fn(PATHS, "return ['mlp/hidden/kernel', 'mlp/hidden/bias', 'mlp/out/kernel', 'mlp/out/bias']"),
          "ignores_input"),
    wrong("ex3_variable_paths", "weights before layers", fn(PATHS, "return [f'{model_name}/{l}/{w}' for w in ('kernel', 'bias') for l in layer_names]")),
    # -- ex4_softmax_mlp -----------------------------------------------------------------------------------
    right("ex4_softmax_mlp", "list", mlp(SOFTMAX, SOFTMAX_LAST)),
    right("ex4_softmax_mlp", "add, Input shape from a tuple",
          fn(SOFTMAX, "model = keras.Sequential([keras.Input(shape=(input_dim,))])", "for _ in range(2):",
             "    model.add(keras.layers.Dense(hidden, activation=keras.activations.relu))",
             "    model.add(keras.layers.Dropout(rate=dropout))",
             "model.add(keras.layers.Dense(num_classes, activation='softmax'))", "return model")),
    wrong("ex4_softmax_mlp", "relu on the output", mlp(SOFTMAX, "Dense(num_classes, activation='relu')"), "relu_on_output"),
    wrong("ex4_softmax_mlp", "no softmax", mlp(SOFTMAX, "Dense(num_classes)"), "activation_missing"),
    wrong("ex4_softmax_mlp", "fixed sizes", fn(SOFTMAX, "return keras.Sequential([keras.Input(shape=(input_dim,)), "
                                              "keras.layers.Dense(64, activation='relu'), keras.layers.Dropout(0.5), "
                                              "keras.layers.Dense(64, activation='relu'), keras.layers.Dropout(0.5), "
                                              "keras.layers.Dense(num_classes, activation='softmax')])"), "config_mismatch"),
    wrong("ex4_softmax_mlp", "no dropout", mlp(SOFTMAX, SOFTMAX_LAST, drop=None), "config_mismatch"),
    wrong("ex4_softmax_mlp", "sigmoid output", mlp(SOFTMAX, "Dense(num_classes, activation='sigmoid')"), "wrong_activation"),
    wrong("ex4_softmax_mlp", "not built", mlp(SOFTMAX, SOFTMAX_LAST, first=None)),
    # -- ex5_binary_mlp ------------------------------------------------------------------------------------
    right("ex5_binary_mlp", "list", mlp(BINARY, SIGMOID_LAST)),
    right("ex5_binary_mlp", "add", fn(BINARY, "model = keras.Sequential()", "model.add(keras.Input(shape=(input_dim,)))",
                                      "for _ in range(2):", "    model.add(keras.layers.Dense(hidden, activation='relu'))",
                                      "    model.add(keras.layers.Dropout(dropout))",
                                      "model.add(keras.layers.Dense(1, activation=keras.activations.sigmoid))", "return model")),
    wrong("ex5_binary_mlp", "two softmax units", mlp(BINARY, "Dense(2, activation='softmax')"), "wrong_units"),
    wrong("ex5_binary_mlp", "no sigmoid", mlp(BINARY, "Dense(1)"), "activation_missing"),
    wrong("ex5_binary_mlp", "relu on the output", mlp(BINARY, "Dense(1, activation='relu')"), "relu_on_output"),
    wrong("ex5_binary_mlp", "dropout rate fixed", mlp(BINARY, SIGMOID_LAST, drop="Dropout(0.5)"), "config_mismatch"),
    wrong("ex5_binary_mlp", "hidden ignored", mlp(BINARY, SIGMOID_LAST, hidden1="Dense(64, activation='relu')",
                                                  hidden2="Dense(64, activation='relu')"), "config_mismatch"),
    # -- ex6_sequential_forward ----------------------------------------------------------------------------
    right("ex6_sequential_forward", "zip loop", fn(FORWARD, *LOOP)),
    right("ex6_sequential_forward", "own activations, float64 inside",
          fn(FORWARD, "h = np.asarray(x, dtype=np.float64)", "for i, name in enumerate(activations):",
             "    z = h @ weights[2 * i] + weights[2 * i + 1]",
             "    if name == 'relu':", "        h = np.maximum(z, 0)", "    elif name == 'sigmoid':", "        h = 1 / (1 + np.exp(-z))",
             "    elif name == 'tanh':", "        h = np.tanh(z)",
             "    elif name == 'softmax':", "        e = np.exp(z - z.max(axis=-1, keepdims=True))",
             "        h = e / e.sum(axis=-1, keepdims=True)", "    else:", "        h = z",
             "return h.astype(np.float32)")),
    wrong("ex6_sequential_forward", "bias missing", fn(FORWARD, "h = x",
                                                       "for kernel, name in zip(weights[0::2], activations):",
                                                       "    h = ref.activations.get(name)(h @ kernel)", "return h"),
          "bias_missing"),
    wrong("ex6_sequential_forward", "relu before the bias",
          fn(FORWARD, "h = x", "for kernel, bias, name in zip(weights[0::2], weights[1::2], activations):",
             "    h = ref.activations.get(name)(h @ kernel) + bias if name == 'relu' else ref.activations.get(name)(h @ kernel + bias)",
             "return h"), "relu_before_bias"),
    wrong("ex6_sequential_forward", "three layers unpacked",
          fn(FORWARD, "W1, b1, W2, b2, W3, b3 = weights[:6]", "f1, f2, f3 = (ref.activations.get(a) for a in activations[:3])",
             "return f3(f2(f1(x @ W1 + b1) @ W2 + b2) @ W3 + b3)"), "fixed_depth"),
    wrong("ex6_sequential_forward", "only the first three layers",
          fn(FORWARD, "h = x", "for kernel, bias, name in list(zip(weights[0::2], weights[1::2], activations))[:3]:",
             "    h = ref.activations.get(name)(h @ kernel + bias)", "return h"), "fixed_depth"),
    wrong("ex6_sequential_forward", "softmax overflows",
          fn(FORWARD, "h = x", "for kernel, bias, name in zip(weights[0::2], weights[1::2], activations):",
             "    z = h @ kernel + bias", "    if name == 'softmax':",
             "        with np.errstate(over='ignore', invalid='ignore'):",
             "            h = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)",
             "    else:", "        h = ref.activations.get(name)(z)", "return h"), "softmax_unstable"),
    wrong("ex6_sequential_forward", "softmax over the batch",
          fn(FORWARD, "h = x", "for kernel, bias, name in zip(weights[0::2], weights[1::2], activations):",
             "    z = h @ kernel + bias",
             "    h = ref.activations.softmax(z, axis=0) if name == 'softmax' else ref.activations.get(name)(z)",
             "return h"), "softmax_wrong_axis"),
    wrong("ex6_sequential_forward", "activations ignored", fn(FORWARD, "h = x",
                                                              "for kernel, bias in zip(weights[0::2], weights[1::2]):",
                                                              "    h = h @ kernel + bias", "return h"),
          "activation_missing"),
    wrong("ex6_sequential_forward", "relu everywhere but the last",
          fn(FORWARD, "h = x", "n = len(activations)", "for i, (kernel, bias) in enumerate(zip(weights[0::2], weights[1::2])):",
             "    z = h @ kernel + bias", "    h = ref.activations.get(activations[-1])(z) if i == n - 1 else np.maximum(z, 0)",
             "return h")),
    wrong("ex6_sequential_forward", "a Keras model", fn(FORWARD, "model = keras.Sequential([keras.Input(shape=x.shape[1:])] + "
                                                        "[keras.layers.Dense(k.shape[1], activation=a) for k, a in "
                                                        "zip(weights[0::2], activations)])",
                                                        "model.set_weights(weights)", "return model(x).numpy()"),
          "forbidden_call"),
    wrong("ex6_sequential_forward", "the numpy twin", fn(FORWARD, "model = ref.Sequential([ref.Input(shape=x.shape[1:])] + "
                                                         "[ref.Dense(k.shape[1], activation=a) for k, a in "
                                                         "zip(weights[0::2], activations)])",
                                                         "model.set_weights(weights)", "return model(x)"),
          "forbidden_call"),
    wrong("ex6_sequential_forward", "ignores x", fn(FORWARD, "h = np.zeros((1, weights[0].shape[0]), 'float32')",
                                                    "for kernel, bias, name in zip(weights[0::2], weights[1::2], activations):",
                                                    "    h = ref.activations.get(name)(h @ kernel + bias)",
                                                    "return np.repeat(h, len(x), axis=0)"), "ignores_input"),
    wrong("ex6_sequential_forward", "in place", fn(FORWARD, "h = x", "h *= 1.0", "h[0] += 1e-3",
                                                   "for kernel, bias, name in zip(weights[0::2], weights[1::2], activations):",
                                                   "    h = ref.activations.get(name)(h @ kernel + bias)", "return h"),
          "input_modified_in_place"),
]


def test_every_exercise_is_covered():
    assert_covers(LESSON, ANSWERS)


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_answer(answer):
    check(LESSON, answer)
