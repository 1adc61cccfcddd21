"""Lesson 03's wrong-answer corpus: every exercise's test against typical wrong answers and correct ones.

ex5_keras_twin builds four Keras models per seed (visible and hidden; about 1 s per seed on an idle 2-core
machine, several on a loaded one), so its correct answers run on 5 seeds instead of 20: its checks (layer
count, activations, weights, output) are exact and do not depend on the seed's values beyond the fresh weights.
"""

import pytest

from corpus import assert_covers, check, right, wrong

pytestmark = [pytest.mark.tf]

LESSON = "03_three_layer_relu"


def fn(signature, body):
    return f"def {signature}:\n" + "\n".join("    " + line for line in body.splitlines())


INIT = "init_params(sizes, seed=0)"
FORWARD = "forward(X, params)"
TWIN = "keras_twin(params)"


def twin(body_after_layers="model = keras.Sequential(layers)\nmodel.set_weights(params)\nreturn model",
         activation="'relu' if k < len(kernels) - 1 else None", first="[keras.Input(shape=(kernels[0].shape[0],))]"):
    return fn(TWIN, f"kernels = params[0::2]\nlayers = {first}\nfor k, W in enumerate(kernels):\n"
                    f"    layers.append(keras.layers.Dense(W.shape[1], activation={activation}))\n" + body_after_layers)


ANSWERS = [
    # -- ex1_init_params -----------------------------------------------------------------------------------
    right("ex1_init_params", "loop", fn(INIT, "params = []\nfor i in range(len(sizes) - 1):\n"
          "    params.append(initializers.GlorotUniform(seed=seed + i)((sizes[i], sizes[i + 1])))\n"
          "    params.append(initializers.Zeros()((sizes[i + 1],)))\nreturn params")),
    right("ex1_init_params", "zip and np.zeros", fn(INIT, "out = []\n"
          "for i, (a, b) in enumerate(zip(sizes, sizes[1:])):\n"
          "    out += [initializers.GlorotUniform(seed=seed + i)((a, b)), np.zeros(b, dtype='float32')]\nreturn out")),
    wrong("ex1_init_params", "same seed every layer", fn(INIT, "params = []\nfor i in range(len(sizes) - 1):\n"
          "    params += [initializers.GlorotUniform(seed=seed)((sizes[i], sizes[i + 1])), "
          "initializers.Zeros()((sizes[i + 1],))]\nreturn params"), "same_seed_every_layer"),
    wrong("ex1_init_params", "one initializer reused", fn(INIT, "init = initializers.GlorotUniform(seed=seed)\n"
          "params = []\nfor i in range(len(sizes) - 1):\n"
          "    params += [init((sizes[i], sizes[i + 1])), initializers.Zeros()((sizes[i + 1],))]\nreturn params"),
          "same_seed_every_layer"),
    wrong("ex1_init_params", "kernel (out, in)", fn(INIT, "params = []\nfor i in range(len(sizes) - 1):\n"
          "    params += [initializers.GlorotUniform(seed=seed + i)((sizes[i + 1], sizes[i])), "
          "initializers.Zeros()((sizes[i + 1],))]\nreturn params"), "kernel_out_in"),
    wrong("ex1_init_params", "seed + i + 1", fn(INIT, "params = []\nfor i in range(len(sizes) - 1):\n"
          "    params += [initializers.GlorotUniform(seed=seed + i + 1)((sizes[i], sizes[i + 1])), "
          "initializers.Zeros()((sizes[i + 1],))]\nreturn params")),
    wrong("ex1_init_params", "kernels then biases", fn(INIT, "n = len(sizes) - 1\n"
          "kernels = [initializers.GlorotUniform(seed=seed + i)((sizes[i], sizes[i + 1])) for i in range(n)]\n"
          "return kernels + [initializers.Zeros()((sizes[i + 1],)) for i in range(n)]")),
    wrong("ex1_init_params", "seed ignored", fn(INIT, "params = []\nfor i in range(len(sizes) - 1):\n"
          "    params += [initializers.GlorotUniform(seed=i)((sizes[i], sizes[i + 1])), "
          "initializers.Zeros()((sizes[i + 1],))]\nreturn params")),
    wrong("ex1_init_params", "fixed depth", fn(INIT, "a, b, c, d = sizes\n"
          "return [initializers.GlorotUniform(seed=seed)((a, b)), np.zeros(b, 'float32'), "
          "initializers.GlorotUniform(seed=seed + 1)((b, c)), np.zeros(c, 'float32'), "
          "initializers.GlorotUniform(seed=seed + 2)((c, d)), np.zeros(d, 'float32')]"), "raised_exception"),
    wrong("ex1_init_params", "float64 biases", fn(INIT, "params = []\nfor i in range(len(sizes) - 1):\n"
          "    params += [initializers.GlorotUniform(seed=seed + i)((sizes[i], sizes[i + 1])), np.zeros(sizes[i + 1])]\n"
          "return params"), "wrong_dtype"),
    # -- ex2_forward ---------------------------------------------------------------------------------------
    right("ex2_forward", "loop", fn(FORWARD, "kernels, biases = params[0::2], params[1::2]\nh = X\n"
          "for k, (W, b) in enumerate(zip(kernels, biases)):\n    h = h @ W + b\n    if k < len(kernels) - 1:\n"
          "        h = np.maximum(h, 0)\nreturn h")),
    right("ex2_forward", "hidden then output, einsum", fn(FORWARD, "h = X\nfor W, b in zip(params[0:-2:2], params[1:-2:2]):\n"
          "    h = np.maximum(np.einsum('bi,io->bo', h, W) + b, 0)\nreturn h @ params[-2] + params[-1]")),
    right("ex2_forward", "recursive, float64", fn(FORWARD, "if len(params) == 2:\n"
          "    return (np.asarray(X, 'float64') @ params[0] + params[1]).astype('float32')\n"
          "return forward(np.maximum(X @ params[0] + params[1], 0), params[2:])")),
    wrong("ex2_forward", "relu on the output", fn(FORWARD, "h = X\nfor W, b in zip(params[0::2], params[1::2]):\n"
          "    h = np.maximum(h @ W + b, 0)\nreturn h"), "relu_on_output"),
    wrong("ex2_forward", "no relu", fn(FORWARD, "h = X\nfor W, b in zip(params[0::2], params[1::2]):\n"
          "    h = h @ W + b\nreturn h"), "relu_missing_hidden"),
    wrong("ex2_forward", "bias missing", fn(FORWARD, "kernels = params[0::2]\nh = X\nfor k, W in enumerate(kernels):\n"
          "    h = h @ W\n    if k < len(kernels) - 1:\n        h = np.maximum(h, 0)\nreturn h"), "bias_missing"),
    wrong("ex2_forward", "relu before the bias", fn(FORWARD, "kernels, biases = params[0::2], params[1::2]\nh = X\n"
          "for k, (W, b) in enumerate(zip(kernels, biases)):\n    if k < len(kernels) - 1:\n"
          "        h = np.maximum(h @ W, 0) + b\n    else:\n        h = h @ W + b\nreturn h"), "relu_before_bias"),
    wrong("ex2_forward", "three layers unpacked", fn(FORWARD, "W1, b1, W2, b2, W3, b3 = params\n"
          "h0 = np.maximum(X @ W1 + b1, 0)\nh1 = np.maximum(h0 @ W2 + b2, 0)\nreturn h1 @ W3 + b3"), "raised_exception"),
    wrong("ex2_forward", "calls the reference", fn(FORWARD, "kernels, biases = params[0::2], params[1::2]\nh = X\n"
          "for k, (W, b) in enumerate(zip(kernels, biases)):\n"
          "    h = ref.dense(h, W, b, activation='relu' if k < len(kernels) - 1 else None)\nreturn h"), "forbidden_call"),
    wrong("ex2_forward", "off by one", fn(FORWARD, "kernels, biases = params[0::2], params[1::2]\nh = X\n"
          "for k in range(len(kernels) - 1):\n    h = np.maximum(h @ kernels[k] + biases[k], 0)\nreturn h"), "layer_skipped"),
    wrong("ex2_forward", "global params", fn(FORWARD, "return out"), "ignores_input"),
    # -- ex3_count_params ----------------------------------------------------------------------------------
    right("ex3_count_params", "formula", fn("count_params(sizes)",
          "return int(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])))")),
    right("ex3_count_params", "(in + 1) * out loop", fn("count_params(sizes)",
          "total = 0\nfor i in range(1, len(sizes)):\n    total += (sizes[i - 1] + 1) * sizes[i]\nreturn total")),
    wrong("ex3_count_params", "without biases", fn("count_params(sizes)",
          "return int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))"), "params_without_bias"),
    wrong("ex3_count_params", "biases for the input too", fn("count_params(sizes)",
          "return int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes))"), "input_counted_as_layer"),
    wrong("ex3_count_params", "bias per input", fn("count_params(sizes)",
          "return int(sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:])))")),
    wrong("ex3_count_params", "numpy int", fn("count_params(sizes)",
          "s = np.array(sizes)\nreturn np.sum(s[:-1] * s[1:] + s[1:])"), "wrong_dtype"),
    wrong("ex3_count_params", "asks Keras", fn("count_params(sizes)",
          "m = keras.Sequential([keras.Input(shape=(sizes[0],))] + [keras.layers.Dense(n) for n in sizes[1:]])\n"
          "return int(m.count_params())"), "forbidden_call"),
    wrong("ex3_count_params", "hard-coded example", fn("count_params(sizes)", "return 235146")),
    wrong("ex3_count_params", "first layer only", fn("count_params(sizes)", "return sizes[0] * sizes[1] + sizes[1]")),
    # -- ex4_layer_output_shapes ---------------------------------------------------------------------------
    right("ex4_layer_output_shapes", "comprehension", fn("layer_output_shapes(batch, sizes)",
          "return [(batch, n) for n in sizes[1:]]")),
    right("ex4_layer_output_shapes", "loop with matmul_shape logic", fn("layer_output_shapes(batch, sizes)",
          "shapes, shape = [], (batch, sizes[0])\nfor n_in, n_out in zip(sizes[:-1], sizes[1:]):\n"
          "    assert shape[1] == n_in\n    shape = (shape[0], n_out)\n    shapes.append(shape)\nreturn shapes")),
    wrong("ex4_layer_output_shapes", "input included", fn("layer_output_shapes(batch, sizes)",
          "return [(batch, n) for n in sizes]"), "input_counted_as_layer"),
    wrong("ex4_layer_output_shapes", "transposed", fn("layer_output_shapes(batch, sizes)",
          "return [(n, batch) for n in sizes[1:]]"), "output_transposed"),
    wrong("ex4_layer_output_shapes", "kernel shapes", fn("layer_output_shapes(batch, sizes)",
          "return [(a, b) for a, b in zip(sizes[:-1], sizes[1:])]")),
    wrong("ex4_layer_output_shapes", "hard-coded example", fn("layer_output_shapes(batch, sizes)",
          "return [(4, 256), (4, 128), (4, 10)]")),
    wrong("ex4_layer_output_shapes", "runs the layers", fn("layer_output_shapes(batch, sizes)",
          "h = np.zeros((batch, sizes[0]), 'float32')\nshapes = []\nfor a, b in zip(sizes[:-1], sizes[1:]):\n"
          "    h = h @ np.zeros((a, b), 'float32')\n    shapes.append(h.shape)\nreturn shapes"), "forbidden_call"),
    wrong("ex4_layer_output_shapes", "last layer missing", fn("layer_output_shapes(batch, sizes)",
          "return [(batch, n) for n in sizes[1:-1]]")),
    # -- ex5_keras_twin ------------------------------------------------------------------------------------
    right("ex5_keras_twin", "list of layers", twin(), seeds=5),
    right("ex5_keras_twin", "add() and layer.set_weights", fn(TWIN,
          "model = keras.Sequential()\nmodel.add(keras.Input(shape=(params[0].shape[0],)))\nn = len(params) // 2\n"
          "for k in range(n):\n    layer = keras.layers.Dense(params[2 * k].shape[1], activation='relu' if k < n - 1 else 'linear')\n"
          "    model.add(layer)\n    layer.set_weights([params[2 * k], params[2 * k + 1]])\nreturn model"), seeds=5),
    wrong("ex5_keras_twin", "set_weights forgotten", twin("return keras.Sequential(layers)"), "set_weights_forgotten"),
    wrong("ex5_keras_twin", "relu on the output", twin(activation="'relu'"), "relu_on_output"),
    wrong("ex5_keras_twin", "no activations", twin(activation="None"), "relu_missing_hidden"),
    wrong("ex5_keras_twin", "weights transposed", twin("model = keras.Sequential(layers)\n"
          "model.set_weights([p.T for p in params])\nreturn model"), "raised_exception"),
    wrong("ex5_keras_twin", "to_keras", fn(TWIN, "import fclab.keras_check\nn = len(params) // 2\n"
          "layers = [ref.Dense(params[2 * k].shape[1], activation='relu' if k < n - 1 else None) for k in range(n)]\n"
          "net = ref.Sequential(layers)\nnet.build((None, params[0].shape[0]))\nnet.set_weights(params)\n"
          "return fclab.keras_check.to_keras(net)"), "forbidden_call"),
    wrong("ex5_keras_twin", "input size of the example", twin(first="[keras.Input(shape=(784,))]"), "raised_exception"),
    # -- ex6_forward_flops ---------------------------------------------------------------------------------
    right("ex6_forward_flops", "formula", fn("forward_flops(batch, sizes)",
          "return int(sum(2 * batch * a * b + batch * b for a, b in zip(sizes[:-1], sizes[1:])))")),
    right("ex6_forward_flops", "per example, times batch", fn("forward_flops(batch, sizes)",
          "per_example = 0\nfor a, b in zip(sizes, sizes[1:]):\n    per_example += b * (2 * a + 1)\nreturn batch * per_example")),
    wrong("ex6_forward_flops", "bias left out", fn("forward_flops(batch, sizes)",
          "return int(sum(2 * batch * a * b for a, b in zip(sizes[:-1], sizes[1:])))"), "flops_term_missing"),
    wrong("ex6_forward_flops", "no factor 2", fn("forward_flops(batch, sizes)",
          "return int(sum(batch * a * b + batch * b for a, b in zip(sizes[:-1], sizes[1:])))"), "flops_term_missing"),
    wrong("ex6_forward_flops", "batch forgotten", fn("forward_flops(batch, sizes)",
          "return int(sum(2 * a * b + b for a, b in zip(sizes[:-1], sizes[1:])))"), "flops_term_missing"),
    wrong("ex6_forward_flops", "numpy int", fn("forward_flops(batch, sizes)",
          "s = np.array(sizes)\nreturn np.sum(2 * batch * s[:-1] * s[1:] + batch * s[1:])"), "wrong_dtype"),
    wrong("ex6_forward_flops", "hard-coded example", fn("forward_flops(batch, sizes)", "return 1879592")),
    wrong("ex6_forward_flops", "float division", fn("forward_flops(batch, sizes)",
          "return sum(2 * batch * a * b + batch * b for a, b in zip(sizes[:-1], sizes[1:])) / 1"), "wrong_dtype"),
]


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_answer(answer):
    check(LESSON, answer)


def test_every_exercise_has_a_corpus():
    assert_covers(LESSON, ANSWERS)
