"""Lesson 07's wrong-answer corpus: every exercise's test against typical wrong answers and correct ones."""

import pytest

from corpus import assert_covers, check, right, wrong

pytestmark = [pytest.mark.tf]

LESSON = "07_backprop"


def _fn(header, *body):
    return header + "\n" + "\n".join("    " + line for line in body)


DB = "def dense_backward(dout, x, kernel):"
NG = "def numeric_gradient(f, x, eps=1e-5):"
RB = "def relu_backward(dout, x):"
SC = "def softmax_cross_entropy_backward(logits, y_onehot):"
TL = "def two_layer_backward(X, y_onehot, params):"
SG = "def sgd_step(params, grads, learning_rate):"
TR = "def train(params, X, y_onehot, learning_rate, steps):"

_NG_LOOP = ("point = np.array(x, dtype=np.float64)", "grad = np.zeros_like(point)",
            "for i in np.ndindex(point.shape):", "    original = point[i]", "    point[i] = original + eps",
            "    plus = f(point)", "    point[i] = original - eps", "    minus = f(point)")

_TL_FORWARD = ('W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]',
               "h_pre = X @ W1 + b1", "h = np.maximum(h_pre, 0)", "z = h @ W2 + b2",
               "shifted = z - z.max(axis=1, keepdims=True)",
               "log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))", "n = X.shape[0]")


def _tl(loss="float(-np.sum(y_onehot * log_p) / n)", dz="(np.exp(log_p) - y_onehot) / n", mask="(h_pre > 0)",
        dw2="h.T @ dz", db2="dz.sum(axis=0)", dw1="X.T @ dh_pre", db1="dh_pre.sum(axis=0)", forward=_TL_FORWARD):
    return _fn(TL, *forward, f"loss = {loss}", f"dz = {dz}", f"dW2, db2 = {dw2}, {db2}", "dh = dz @ W2.T",
               f"dh_pre = dh * {mask}", f"dW1, db1 = {dw1}, {db1}",
               'return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}')


ANSWERS = [
    # -- dense_backward ---------------------------------------------------------------------------------------
    right("dense_backward", "products", _fn(DB, "return dout @ kernel.T, x.T @ dout, dout.sum(axis=0)")),
    right("dense_backward", "einsum", _fn(DB, "dx = np.einsum('bu,iu->bi', dout, kernel)",
                                          "dk = np.einsum('bi,bu->iu', x, dout)", "return dx, dk, np.einsum('bu->u', dout)")),
    right("dense_backward", "loops over the batch", _fn(
        DB, "dk = np.zeros(kernel.shape, dtype=dout.dtype)", "for n in range(x.shape[0]):",
        "    dk += np.outer(x[n], dout[n])", "return dout @ kernel.T, dk, np.sum(dout, axis=0)")),
    wrong("dense_backward", "dW transposed", _fn(DB, "return dout @ kernel.T, dout.T @ x, dout.sum(axis=0)"),
          "dw_transposed"),
    wrong("dense_backward", "dx without .T", _fn(DB, "return dout @ kernel, x.T @ dout, dout.sum(axis=0)"),
          "shape_error"),
    wrong("dense_backward", "db mean", _fn(DB, "return dout @ kernel.T, x.T @ dout, dout.mean(axis=0)"),
          "mean_instead_of_sum"),
    wrong("dense_backward", "dW / N", _fn(DB, "return dout @ kernel.T, x.T @ dout / len(x), dout.sum(axis=0)"),
          "mean_instead_of_sum"),
    wrong("dense_backward", "db over axis 1", _fn(DB, "return dout @ kernel.T, x.T @ dout, dout.sum(axis=1)"),
          "bias_grad_wrong_axis"),
    wrong("dense_backward", "db keepdims", _fn(DB, "return dout @ kernel.T, x.T @ dout, dout.sum(axis=0, keepdims=True)"),
          "extra_axis"),
    wrong("dense_backward", "calls the reference", _fn(DB, "return backward.dense_backward(dout, x, kernel)"),
          "forbidden_call"),
    wrong("dense_backward", "aliased reference", "from fclab.reference import dense_backward as _db\n"
          + _fn(DB, "return _db(dout, x, kernel)"), "forbidden_call"),
    wrong("dense_backward", "GradientTape", _fn(
        DB, "import tensorflow as tf", "xt, kt = tf.constant(x), tf.Variable(kernel)",
        "bt = tf.Variable(np.zeros(kernel.shape[1], dtype=kernel.dtype))",
        "with tf.GradientTape() as tape:", "    tape.watch(xt)", "    out = xt @ kt + bt",
        "g = tape.gradient(out, [xt, kt, bt], output_gradients=tf.constant(dout))",
        "return tuple(t.numpy() for t in g)"), "forbidden_call"),
    wrong("dense_backward", "hard-coded example", _fn(
        DB, "return np.zeros((4, 3), 'float32'), np.ones((3, 2), 'float32'), np.ones(2, 'float32')"), "all_zeros"),
    wrong("dense_backward", "a list instead of a tuple, dW wrong", _fn(DB, "return [dout @ kernel.T, x.T @ dout * 2, dout.sum(axis=0)]"),
          "constant_factor"),
    wrong("dense_backward", "in place", _fn(DB, "dout *= 1.0", "dout[0] = 0.0", "return dout @ kernel.T, x.T @ dout, dout.sum(axis=0)"),
          "input_modified_in_place"),
    # -- numeric_gradient -------------------------------------------------------------------------------------
    right("numeric_gradient", "loop with restore", _fn(NG, *_NG_LOOP, "    point[i] = original",
                                                       "    grad[i] = (plus - minus) / (2 * eps)", "return grad")),
    right("numeric_gradient", "unit vectors", _fn(
        NG, "x64 = np.asarray(x, dtype=np.float64)", "grad = np.empty_like(x64)", "for i in np.ndindex(x64.shape):",
        "    e = np.zeros_like(x64)", "    e[i] = eps", "    grad[i] = (f(x64 + e) - f(x64 - e)) / (2 * eps)",
        "return grad")),
    right("numeric_gradient", "flat view", _fn(
        NG, "p = np.array(x, dtype=np.float64)", "flat = p.reshape(-1)", "g = np.zeros(flat.size)",
        "for k in range(flat.size):", "    keep = flat[k]", "    flat[k] = keep + eps", "    a = float(f(p))",
        "    flat[k] = keep - eps", "    b = float(f(p))", "    flat[k] = keep", "    g[k] = (a - b) / (2 * eps)",
        "return g.reshape(p.shape)")),
    wrong("numeric_gradient", "forward difference", _fn(
        NG, "point = np.array(x, dtype=np.float64)", "grad = np.zeros_like(point)", "base = f(point)",
        "for i in np.ndindex(point.shape):", "    original = point[i]", "    point[i] = original + eps",
        "    grad[i] = (f(point) - base) / eps", "    point[i] = original", "return grad"), "forward_difference"),
    wrong("numeric_gradient", "never restores", _fn(NG, *_NG_LOOP, "    grad[i] = (plus - minus) / (2 * eps)",
                                                    "return grad"), "input_not_restored"),
    wrong("numeric_gradient", "float32 copy", _fn(NG, "point = x.copy()", "grad = np.zeros(point.shape)",
                                                  *_NG_LOOP[2:], "    point[i] = original",
                                                  "    grad[i] = (plus - minus) / (2 * eps)", "return grad"),
          "float32_numeric_gradient"),
    wrong("numeric_gradient", "no copy, restores nothing", _fn(
        NG, "grad = np.zeros(x.shape)", "for i in np.ndindex(x.shape):", "    x[i] += eps", "    plus = f(x)",
        "    x[i] -= 2 * eps", "    grad[i] = (plus - f(x)) / (2 * eps)", "return grad"), "input_modified_in_place"),
    wrong("numeric_gradient", "ignores eps", _fn(NG, "eps = 1e-5", *_NG_LOOP, "    point[i] = original",
                                                 "    grad[i] = (plus - minus) / (2 * eps)", "return grad")),
    wrong("numeric_gradient", "calls the reference", _fn(NG, "return backward.numeric_gradient(f, x, eps)"),
          "forbidden_call"),
    wrong("numeric_gradient", "np.gradient of values", _fn(NG, "return np.asarray(np.gradient(np.asarray(x, dtype=float), eps))"),
          "forbidden_call"),
    wrong("numeric_gradient", "hard-coded", _fn(NG, "return 3 * np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]) ** 2"),
          "ignores_input"),
    # -- relu_backward ----------------------------------------------------------------------------------------
    right("relu_backward", "mask product", _fn(RB, "return dout * (x > 0)")),
    right("relu_backward", "np.where", _fn(RB, "return np.where(x > 0, dout, np.zeros_like(dout))")),
    right("relu_backward", "copy then zero", _fn(RB, "dx = np.array(dout, copy=True)", "dx[x <= 0] = 0", "return dx")),
    wrong("relu_backward", "x >= 0", _fn(RB, "return dout * (x >= 0)"), "relu_grad_at_zero"),
    wrong("relu_backward", "mask from dout", _fn(RB, "return dout * (dout > 0)"), "relu_mask_from_upstream"),
    wrong("relu_backward", "relu of dout", _fn(RB, "return np.maximum(dout, 0)"), "relu_mask_from_upstream"),
    wrong("relu_backward", "mask only", _fn(RB, "return (x > 0).astype(dout.dtype)")),
    wrong("relu_backward", "in place", _fn(RB, "dout[x <= 0] = 0", "return dout"), "input_modified_in_place"),
    wrong("relu_backward", "calls the reference", _fn(RB, "return backward.activation_backward('relu', dout, x)"),
          "forbidden_call"),
    wrong("relu_backward", "2-D only", _fn(RB, "out = np.zeros_like(dout)", "for i in range(x.shape[0]):",
                                           "    for j in range(x.shape[1]):",
                                           "        out[i, j] = dout[i, j] if x[i, j] > 0 else 0.0", "return out"),
          "raised_exception"),
    wrong("relu_backward", "hard-coded", _fn(RB, "return np.array([[0, 0, 3], [4, 0, 0]], dtype='float32')"),
          "ignores_input"),
    # -- softmax_cross_entropy_backward ----------------------------------------------------------------------
    right("softmax_cross_entropy_backward", "max-shifted", _fn(
        SC, "shifted = logits - logits.max(axis=-1, keepdims=True)", "e = np.exp(shifted)",
        "return (e / e.sum(axis=-1, keepdims=True) - y_onehot) / logits.shape[0]")),
    right("softmax_cross_entropy_backward", "log-sum-exp, float64", _fn(
        SC, "z = np.asarray(logits, dtype=np.float64)", "m = z.max(axis=1, keepdims=True)",
        "lse = m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))",
        "return ((np.exp(z - lse) - y_onehot) / len(z)).astype(logits.dtype)")),
    wrong("softmax_cross_entropy_backward", "no 1/N", _fn(
        SC, "e = np.exp(logits - logits.max(axis=-1, keepdims=True))",
        "return e / e.sum(axis=-1, keepdims=True) - y_onehot"), "mean_missing_1_over_n"),
    wrong("softmax_cross_entropy_backward", "softmax over axis 0", _fn(
        SC, "e = np.exp(logits - logits.max(axis=0, keepdims=True))",
        "return (e / e.sum(axis=0, keepdims=True) - y_onehot) / len(logits)"), "softmax_wrong_axis"),
    wrong("softmax_cross_entropy_backward", "unstable", _fn(
        SC, "e = np.exp(logits)", "return (e / e.sum(axis=-1, keepdims=True) - y_onehot) / len(logits)"),
          "nan_or_inf"),
    wrong("softmax_cross_entropy_backward", "y - p", _fn(
        SC, "e = np.exp(logits - logits.max(axis=-1, keepdims=True))",
        "return (y_onehot - e / e.sum(axis=-1, keepdims=True)) / len(logits)"), "sign_flipped"),
    wrong("softmax_cross_entropy_backward", "divides by classes", _fn(
        SC, "e = np.exp(logits - logits.max(axis=-1, keepdims=True))",
        "return (e / e.sum(axis=-1, keepdims=True) - y_onehot) / logits.shape[1]"), "constant_factor"),
    wrong("softmax_cross_entropy_backward", "sum without keepdims", _fn(
        SC, "e = np.exp(logits - logits.max(axis=-1, keepdims=True))",
        "return (e / e.sum(axis=-1) - y_onehot) / len(logits)"), "shape_error"),
    wrong("softmax_cross_entropy_backward", "in place shift", _fn(
        SC, "logits -= logits.max(axis=-1, keepdims=True)", "e = np.exp(logits)",
        "return (e / e.sum(axis=-1, keepdims=True) - y_onehot) / len(logits)"), "input_modified_in_place"),
    wrong("softmax_cross_entropy_backward", "reference softmax", _fn(
        SC, "return (fclab.reference.activations.softmax(logits) - y_onehot) / len(logits)"), "forbidden_call"),
    wrong("softmax_cross_entropy_backward", "reference backward", _fn(
        SC, "return backward.softmax_cross_entropy_backward(logits, y_onehot)"), "forbidden_call"),
    # -- two_layer_backward -----------------------------------------------------------------------------------
    right("two_layer_backward", "step by step", _tl()),
    right("two_layer_backward", "einsum and float32 softmax", _tl(
        dz="(np.exp(log_p) - y_onehot) * (1.0 / n)", dw2="np.einsum('nh,nc->hc', h, dz)",
        dw1="np.einsum('ni,nh->ih', X, dh_pre)", db1="np.einsum('nh->h', dh_pre)")),
    wrong("two_layer_backward", "no 1/N", _tl(dz="np.exp(log_p) - y_onehot"), "mean_missing_1_over_n"),
    wrong("two_layer_backward", "loss is a sum", _tl(loss="float(-np.sum(y_onehot * log_p))"),
          "mean_missing_1_over_n"),
    wrong("two_layer_backward", "relu mask forgotten", _tl(mask="1.0"), "relu_missing_hidden"),
    wrong("two_layer_backward", "db as means", _tl(db2="dz.mean(axis=0)", db1="dh_pre.mean(axis=0)"),
          "mean_instead_of_sum"),
    wrong("two_layer_backward", "dW2 transposed", _tl(dw2="dz.T @ h"), "dw_transposed"),
    wrong("two_layer_backward", "relu on the output", _tl(forward=_TL_FORWARD[:3] + (
        "z_lin = h @ W2 + b2", "z = np.maximum(z_lin, 0)") + _TL_FORWARD[4:], dz="(np.exp(log_p) - y_onehot) / n * (z_lin > 0)"),
          "relu_on_output"),
    wrong("two_layer_backward", "loss as a 0-d array", _tl(loss="-np.sum(y_onehot * log_p, keepdims=True) / n")),
    wrong("two_layer_backward", "reference pieces", _fn(TL, "return reference_loss_and_grads(params, X, y_onehot)"),
          "forbidden_call"),
    wrong("two_layer_backward", "modifies params", _tl(forward=('params["W1"] *= 1.0', 'params["b1"] += 0.0',
                                                                 'params["b1"][0] += 1e-3') + _TL_FORWARD),
          "input_modified_in_place"),
    # -- sgd_step ---------------------------------------------------------------------------------------------
    right("sgd_step", "dict comprehension", _fn(SG, "return {k: params[k] - learning_rate * grads[k] for k in params}")),
    right("sgd_step", "loop over items, float64", _fn(
        SG, "new = {}", "for key, value in params.items():",
        "    new[key] = (value.astype(np.float64) - learning_rate * grads[key]).astype(value.dtype)", "return new")),
    wrong("sgd_step", "uphill", _fn(SG, "return {k: params[k] + learning_rate * grads[k] for k in params}"),
          "sign_flipped"),
    wrong("sgd_step", "in place", _fn(SG, "for k in params:", "    params[k] -= learning_rate * grads[k]",
                                      "return params"), "input_modified_in_place"),
    wrong("sgd_step", "learning rate forgotten", _fn(SG, "return {k: params[k] - grads[k] for k in params}")),
    wrong("sgd_step", "fixed keys", _fn(SG, "return {'W': params['W'] - learning_rate * grads['W'],",
                                        "        'b': params['b'] - learning_rate * grads['b']}"), "raised_exception"),
    wrong("sgd_step", "reference SGD", _fn(SG, "new = {k: v.copy() for k, v in params.items()}",
                                           "fclab.reference.optimizers.SGD(learning_rate).apply(list(new.values()), [grads[k] for k in new])",
                                           "return new"), "forbidden_call"),
    wrong("sgd_step", "returns a list", _fn(SG, "return [params[k] - learning_rate * grads[k] for k in params]")),
    # -- train ------------------------------------------------------------------------------------------------
    right("train", "loop", _fn(TR, "losses = []", "for _ in range(steps):",
                               "    loss, grads = reference_loss_and_grads(params, X, y_onehot)",
                               "    losses.append(loss)",
                               "    params = {k: params[k] - learning_rate * grads[k] for k in params}",
                               "return params, losses")),
    right("train", "copies then updates copies", _fn(
        TR, "current = {k: np.array(v, copy=True) for k, v in params.items()}", "history = []",
        "step = 0", "while step < steps:", "    value, g = reference_loss_and_grads(current, X, y_onehot)",
        "    history.append(float(value))", "    for k in current:", "        current[k] = current[k] - learning_rate * g[k]",
        "    step += 1", "return current, history")),
    wrong("train", "loss after the step", _fn(TR, "losses = []", "for _ in range(steps):",
                                              "    loss, grads = reference_loss_and_grads(params, X, y_onehot)",
                                              "    params = {k: params[k] - learning_rate * grads[k] for k in params}",
                                              "    losses.append(reference_loss_and_grads(params, X, y_onehot)[0])",
                                              "return params, losses")),
    wrong("train", "one step short", _fn(TR, "losses = []", "for _ in range(steps - 1):",
                                         "    loss, grads = reference_loss_and_grads(params, X, y_onehot)",
                                         "    losses.append(loss)",
                                         "    params = {k: params[k] - learning_rate * grads[k] for k in params}",
                                         "return params, losses")),
    wrong("train", "in place", _fn(TR, "losses = []", "for _ in range(steps):",
                                   "    loss, grads = reference_loss_and_grads(params, X, y_onehot)",
                                   "    losses.append(loss)", "    for k in params:",
                                   "        params[k] -= learning_rate * grads[k]", "return params, losses"),
          "input_modified_in_place"),
    wrong("train", "never updates", _fn(TR, "losses = []", "for _ in range(steps):",
                                        "    loss, grads = reference_loss_and_grads(params, X, y_onehot)",
                                        "    losses.append(loss)",
                                        "    new = {k: params[k] - learning_rate * grads[k] for k in params}",
                                        "return params, losses")),
    wrong("train", "reference SGD", _fn(TR, "params = {k: v.copy() for k, v in params.items()}", "losses = []",
                                        "opt = fclab.reference.optimizers.SGD(learning_rate)", "for _ in range(steps):",
                                        "    loss, grads = reference_loss_and_grads(params, X, y_onehot)",
                                        "    losses.append(loss)",
                                        "    opt.apply([params[k] for k in params], [grads[k] for k in params])",
                                        "return params, losses"), "forbidden_call"),
]


def test_covers():
    assert_covers(LESSON, ANSWERS)


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_answer(answer):
    check(LESSON, answer)
