"""Lesson 08's wrong-answer corpus: every exercise's test against typical wrong answers and correct ones.

ex7_fit trains a network on the digits in every run of its test (visible: once; hidden: three times), so its
correct answers run on 5 seeds instead of 20 (the accuracy threshold, 0.97, was chosen from the spread of
the solution over 40 seeds, 0.9756-0.9822 on the lesson's split: tests/bench/bench_lesson08_digits.py), its wrong
answers on 2 (the Keras one on 1).
"""

import pytest

from corpus import assert_covers, check, right, wrong

pytestmark = [pytest.mark.tf, pytest.mark.slow]

LESSON = "08_numpy_network"

DENSE_OK = '''def dense_forward(x, W, b):
    return x @ W + b, (x, W)


def dense_backward(dout, cache):
    x, W = cache
    return {dx}, {dW}, {db}
'''


def dense(dx="dout @ W.T", dW="x.T @ dout", db="dout.sum(axis=0)", forward="x @ W + b"):
    return DENSE_OK.replace("x @ W + b", forward).format(dx=dx, dW=dW, db=db)


DROPOUT = '''def dropout_forward(x, rate, keep, training):
    if not training:
        mask = np.ones_like(x)
    else:
        mask = {mask}
    return x * mask, mask


def dropout_backward(dout, cache):
    return {back}
'''


def dropout(mask="keep.astype(x.dtype) / x.dtype.type(1 - rate)", back="dout * cache"):
    return DROPOUT.format(mask=mask, back=back)


BATCHNORM = '''def batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training, momentum=0.99, epsilon=1e-3):
    if training:
        mean, variance = x.mean(axis=0), x.var(axis=0, ddof={ddof})
        new_mean = {update_mean}
        new_variance = {update_variance}
    else:
        mean, variance = {inference_stats}
        new_mean, new_variance = moving_mean.copy(), moving_variance.copy()
    inv_std = {inv_std}
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, new_mean, new_variance, (x_hat, inv_std, gamma, training)


def batchnorm_backward(dout, cache):
    x_hat, inv_std, gamma, training = cache
    n = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    if not training or {ignore_stats}:
        return dx_hat * inv_std, dgamma, dbeta
    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
'''


def batchnorm(ddof=0, update_mean="momentum * moving_mean + (1 - momentum) * mean",
              update_variance="momentum * moving_variance + (1 - momentum) * variance",
              inference_stats="moving_mean, moving_variance", inv_std="1.0 / np.sqrt(variance + epsilon)",
              ignore_stats=False):
    return BATCHNORM.format(ddof=ddof, update_mean=update_mean, update_variance=update_variance,
                            inference_stats=inference_stats, inv_std=inv_std, ignore_stats=ignore_stats)


NETWORK = '''class Network:
    def __init__(self, layers):
        self.layers = list(layers)

    @property
    def params(self):
        return [p for layer in self.layers for p in layer.params]

    def forward(self, x, training=False):
        caches = []
        for layer in self.layers{forward_slice}:
            x, cache = layer.forward(x, training)
            caches.append(cache)
        return x, caches

    def backward(self, dout, caches):
        grads = []
        for layer, cache in {backward_pairs}:
            dout, layer_grads = layer.backward(dout, cache)
            {collect}
        return dout, grads

    def predict(self, x):
        return self.forward(x, training=False)[0]
'''


def network(forward_slice="", backward_pairs="zip(reversed(self.layers), reversed(caches))",
            collect="grads = list(layer_grads) + grads"):
    return NETWORK.format(forward_slice=forward_slice, backward_pairs=backward_pairs, collect=collect)


STEPS = '''def sgd_momentum_step(w, g, velocity, learning_rate=0.01, momentum=0.9):
    {sgd}


def rmsprop_step(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    {rmsprop}
'''
SGD_OK = "velocity = momentum * velocity - learning_rate * g\n    return w + velocity, velocity"
RMSPROP_OK = "v = rho * v + (1 - rho) * g * g\n    return w - learning_rate * g / np.sqrt(v + epsilon), v"


def steps(sgd=SGD_OK, rmsprop=RMSPROP_OK):
    return STEPS.format(sgd=sgd, rmsprop=rmsprop)


ADAM = '''def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    {body}
'''
ADAM_OK = ("m = beta_1 * m + (1 - beta_1) * g\n    v = beta_2 * v + (1 - beta_2) * g * g\n"
           "    alpha = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)\n"
           "    return w - alpha * m / (np.sqrt(v) + epsilon), m, v")


def adam(body=ADAM_OK):
    return ADAM.format(body=body)


FIT = '''def fit(network, x, y_onehot, epochs=50, batch_size=64, learning_rate=0.003, learning_rate_decay=0.95,
        weight_decay=0.0, seed=0):
    rng_fit = np.random.default_rng(seed)
    params = network.params
    slots = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    history, t = [], 0
    for epoch in range({epochs}):
        order, losses = rng_fit.permutation(len(x)), []
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            logits, caches = network.forward(x[batch], training=True)
            loss, dlogits = softmax_cross_entropy(logits, y_onehot[batch])
            _, grads = network.backward(dlogits, caches)
            t += 1
            for k, (p, g) in enumerate(zip(params, grads)):
                if p.ndim == 2 and weight_decay:
                    loss += weight_decay * float(np.sum(p * p))
                    g = g + 2 * weight_decay * p
                if k < {first_trained}:
                    continue
                new_p, *slots[k] = adam_step(p, g, *slots[k], t, {learning_rate})
                {write}
            losses.append(loss)
        history.append(float(np.mean(losses)))
    return history
'''


def fit(epochs="epochs", first_trained=0, learning_rate="learning_rate * learning_rate_decay ** epoch",
        write="p[...] = new_p"):
    return FIT.format(epochs=epochs, first_trained=first_trained, learning_rate=learning_rate, write=write)


FIT_KERAS = '''def fit(network, x, y_onehot, epochs=50, batch_size=64, learning_rate=0.003, learning_rate_decay=0.95,
        weight_decay=0.0, seed=0):
    import keras
    model = keras.Sequential([keras.Input((x.shape[1],)),
                              keras.layers.Dense(network.params[0].shape[1], activation="relu"),
                              keras.layers.Dense(y_onehot.shape[1])])
    model.set_weights([p.copy() for p in network.params])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y_onehot, epochs=1, batch_size=batch_size, verbose=0).history["loss"] * epochs
    for p, w in zip(network.params, model.get_weights()):
        p[...] = w
    return history
'''

ANSWERS = [
    # -- ex1_dense_layer -----------------------------------------------------------------------------------
    right("ex1_dense_layer", "tuple cache", dense()),
    right("ex1_dense_layer", "einsum and a dict cache", '''def dense_forward(x, W, b):
    return np.einsum("ni,iu->nu", x, W) + b, {"x": x, "W": W}


def dense_backward(dout, cache):
    dx = np.einsum("nu,iu->ni", dout, cache["W"])
    dW = np.einsum("ni,nu->iu", cache["x"], dout)
    return dx, dW, np.einsum("nu->u", dout)
'''),
    right("ex1_dense_layer", "float64 inside, loops for db", dense(
        dx="(dout.astype(np.float64) @ W.T).astype(dout.dtype)",
        db="np.array([sum(dout[n, u] for n in range(dout.shape[0])) for u in range(dout.shape[1])])")),
    wrong("ex1_dense_layer", "dW transposed", dense(dW="dout.T @ x"), "dw_transposed"),
    wrong("ex1_dense_layer", "db as mean", dense(db="dout.mean(axis=0)"), "mean_instead_of_sum"),
    wrong("ex1_dense_layer", "dW with 1/N", dense(dW="x.T @ dout / len(x)"), "mean_instead_of_sum"),
    wrong("ex1_dense_layer", "dx without the transpose", dense(dx="dout @ W"), "shape_error"),
    wrong("ex1_dense_layer", "bias missing in forward", dense(forward="x @ W"), "bias_missing"),
    wrong("ex1_dense_layer", "bias subtracted in forward", dense(forward="x @ W - b"), "bias_sign"),
    wrong("ex1_dense_layer", "calls the reference backward", '''def dense_forward(x, W, b):
    return x @ W + b, (x, W)


def dense_backward(dout, cache):
    return backward.dense_backward(dout, cache[0], cache[1])
''', "forbidden_call"),
    wrong("ex1_dense_layer", "hard-coded example", '''def dense_forward(x, W, b):
    return np.array([[0.5, -1.0, 2.0, 0.1]] * 5, dtype="float32"), None


def dense_backward(dout, cache):
    return np.zeros((5, 3)), np.zeros((3, 4)), np.zeros(4)
'''),
    wrong("ex1_dense_layer", "scales dout in place", '''def dense_forward(x, W, b):
    return x @ W + b, (x, W)


def dense_backward(dout, cache):
    x, W = cache
    dout *= 2.0
    return dout @ W.T / 2, x.T @ dout / 2, dout.sum(axis=0) / 2
''', "input_modified_in_place"),
    wrong("ex1_dense_layer", "returns dW, db only", '''def dense_forward(x, W, b):
    return x @ W + b, (x, W)


def dense_backward(dout, cache):
    x, W = cache
    return x.T @ dout, dout.sum(axis=0)
'''),
    # -- ex2_dropout ---------------------------------------------------------------------------------------
    right("ex2_dropout", "scaled mask", dropout()),
    right("ex2_dropout", "np.where, training flag in the cache", '''def dropout_forward(x, rate, keep, training):
    if training:
        return np.where(keep, x / x.dtype.type(1 - rate), x.dtype.type(0)), (keep, rate, True)
    return x.copy(), (keep, rate, False)


def dropout_backward(dout, cache):
    keep, rate, training = cache
    return np.where(keep, dout / dout.dtype.type(1 - rate), 0).astype(dout.dtype) if training else dout
'''),
    wrong("ex2_dropout", "not scaled", dropout(mask="keep.astype(x.dtype)"), "dropout_not_scaled"),
    wrong("ex2_dropout", "multiplied by 1 - rate", dropout(mask="keep.astype(x.dtype) * x.dtype.type(1 - rate)"),
          "dropout_not_scaled"),
    wrong("ex2_dropout", "backward not scaled", dropout(back="dout * (cache != 0)"), "dropout_not_scaled"),
    wrong("ex2_dropout", "applied at inference too", '''def dropout_forward(x, rate, keep, training):
    mask = keep.astype(x.dtype) / x.dtype.type(1 - rate)
    return x * mask, mask


def dropout_backward(dout, cache):
    return dout * cache
''', "dropout_at_inference"),
    wrong("ex2_dropout", "old-style: scaled at inference", '''def dropout_forward(x, rate, keep, training):
    mask = keep.astype(x.dtype) / x.dtype.type(1 - rate) if training else np.full_like(x, 1 - rate)
    return x * mask, mask


def dropout_backward(dout, cache):
    return dout * cache
''', "dropout_at_inference"),
    wrong("ex2_dropout", "mask inverted", dropout(mask="(~keep).astype(x.dtype) / x.dtype.type(1 - rate)"),
          "dropout_mask_inverted"),
    wrong("ex2_dropout", "float64 result", dropout(mask="keep / (1 - rate)"), "wrong_dtype"),
    wrong("ex2_dropout", "masks x in place", '''def dropout_forward(x, rate, keep, training):
    if training:
        x *= keep / (1 - rate)
    return x, keep


def dropout_backward(dout, cache):
    return dout * cache
''', "input_modified_in_place"),
    wrong("ex2_dropout", "draws its own mask", dropout(
        mask="(np.random.default_rng(0).random(x.shape) >= rate).astype(x.dtype) / x.dtype.type(1 - rate)")),
    # -- ex3_batchnorm -------------------------------------------------------------------------------------
    right("ex3_batchnorm", "x_hat cache", batchnorm()),
    right("ex3_batchnorm", "chain rule through mean and variance", '''def batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training, momentum=0.99, epsilon=1e-3):
    if training:
        mean = np.sum(x, axis=0) / len(x)
        variance = np.sum((x - mean) ** 2, axis=0) / len(x)
        new_mean = moving_mean * momentum + mean * (1 - momentum)
        new_variance = moving_variance * momentum + variance * (1 - momentum)
    else:
        mean, variance, new_mean, new_variance = moving_mean, moving_variance, moving_mean, moving_variance
    out = gamma * (x - mean) / np.sqrt(variance + epsilon) + beta
    return out, np.array(new_mean), np.array(new_variance), dict(x=x, mean=mean, var=variance, gamma=gamma,
                                                                  eps=epsilon, training=training)


def batchnorm_backward(dout, c):
    x, mean, var, gamma, eps = c["x"], c["mean"], c["var"], c["gamma"], c["eps"]
    n = len(x)
    std = np.sqrt(var + eps)
    x_hat = (x - mean) / std
    dx_hat = dout * gamma
    if not c["training"]:
        return dx_hat / std, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
    dvar = np.sum(dx_hat * (x - mean) * -0.5 * std ** -3, axis=0)
    dmean = np.sum(-dx_hat / std, axis=0) + dvar * np.mean(-2 * (x - mean), axis=0)
    dx = dx_hat / std + dvar * 2 * (x - mean) / n + dmean / n
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
'''),
    wrong("ex3_batchnorm", "batch statistics at inference", batchnorm(inference_stats="x.mean(axis=0), x.var(axis=0)"),
          "bn_batch_stats_at_inference"),
    wrong("ex3_batchnorm", "momentum swapped", batchnorm(
        update_mean="(1 - momentum) * moving_mean + momentum * mean",
        update_variance="(1 - momentum) * moving_variance + momentum * variance"), "decay_swapped"),
    wrong("ex3_batchnorm", "moving statistics not updated", batchnorm(update_mean="moving_mean.copy()",
                                                                      update_variance="moving_variance.copy()"),
          "moving_stats_not_updated"),
    wrong("ex3_batchnorm", "variance with ddof=1", batchnorm(ddof=1), "unbiased_variance"),
    wrong("ex3_batchnorm", "epsilon outside the root", batchnorm(inv_std="1.0 / (np.sqrt(variance) + epsilon)"),
          "epsilon_misplaced"),
    wrong("ex3_batchnorm", "epsilon hard-coded 1e-5", batchnorm(inv_std="1.0 / np.sqrt(variance + 1e-5)")),
    wrong("ex3_batchnorm", "backward ignores the batch statistics", batchnorm(ignore_stats=True),
          "bn_backward_stats_ignored"),
    wrong("ex3_batchnorm", "moving statistics updated in place", batchnorm(
        update_mean="moving_mean.__imul__(momentum).__iadd__((1 - momentum) * mean)",
        update_variance="moving_variance.__imul__(momentum).__iadd__((1 - momentum) * variance)"),
        "input_modified_in_place"),
    wrong("ex3_batchnorm", "calls the reference layer", '''def batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training, momentum=0.99, epsilon=1e-3):
    layer = ref.layers.BatchNormalization(momentum=momentum, epsilon=epsilon)
    layer.build(x.shape)
    layer.set_weights([gamma, beta, moving_mean, moving_variance])
    return layer(x, training=training), layer.moving_mean.numpy(), layer.moving_variance.numpy(), None


def batchnorm_backward(dout, cache):
    raise NotImplementedError()
''', "forbidden_call"),
    # -- ex4_network ---------------------------------------------------------------------------------------
    right("ex4_network", "reversed loops", network()),
    right("ex4_network", "index loops, extend then reverse pairs", '''class Network:
    def __init__(self, layers):
        self.layers = [layer for layer in layers]

    @property
    def params(self):
        out = []
        for layer in self.layers:
            out.extend(layer.params)
        return out

    def forward(self, x, training=False):
        caches = [None] * len(self.layers)
        for i in range(len(self.layers)):
            x, caches[i] = self.layers[i].forward(x, training=training)
        return x, caches

    def backward(self, dout, caches):
        per_layer = [None] * len(self.layers)
        for i in range(len(self.layers) - 1, -1, -1):
            dout, per_layer[i] = self.layers[i].backward(dout, caches[i])
        return dout, [g for grads in per_layer for g in grads]

    def predict(self, x):
        out, _ = self.forward(x)
        return out
'''),
    wrong("ex4_network", "grads in reverse layer order", network(collect="grads.extend(layer_grads)"),
          "grads_out_of_order"),
    wrong("ex4_network", "backward in forward order", network(backward_pairs="zip(self.layers, caches)"),
          "shape_error"),
    wrong("ex4_network", "fixed depth: three layers", network(forward_slice="[:3]")),
    wrong("ex4_network", "params per layer, not flat", network().replace(
        "return [p for layer in self.layers for p in layer.params]", "return [layer.params for layer in self.layers]")),
    wrong("ex4_network", "only the last layer's gradients", network(collect="grads = list(layer_grads) or grads")),
    # -- ex5_momentum_rmsprop ------------------------------------------------------------------------------
    right("ex5_momentum_rmsprop", "Keras's form", steps()),
    right("ex5_momentum_rmsprop", "float64 and np functions", steps(
        sgd="velocity = np.subtract(np.multiply(momentum, velocity, dtype=np.float64), np.multiply(learning_rate, g))\n"
            "    return np.add(w, velocity), velocity",
        rmsprop="v = np.asarray(v, np.float64) * rho + np.square(g) * (1 - rho)\n"
                "    return w - learning_rate * g / np.sqrt(v + epsilon), v")),
    wrong("ex5_momentum_rmsprop", "momentum as an average", steps(
        sgd="velocity = momentum * velocity + (1 - momentum) * g\n    return w - learning_rate * velocity, velocity"),
        "momentum_dampened"),
    wrong("ex5_momentum_rmsprop", "w minus velocity", steps(
        sgd="velocity = momentum * velocity - learning_rate * g\n    return w - velocity, velocity"), "sign_flipped"),
    wrong("ex5_momentum_rmsprop", "RMSprop epsilon outside the root", steps(
        rmsprop="v = rho * v + (1 - rho) * g * g\n    return w - learning_rate * g / (np.sqrt(v) + epsilon), v"),
        "epsilon_misplaced"),
    wrong("ex5_momentum_rmsprop", "RMSprop rho swapped", steps(
        rmsprop="v = (1 - rho) * v + rho * g * g\n    return w - learning_rate * g / np.sqrt(v + epsilon), v"),
        "decay_swapped"),
    wrong("ex5_momentum_rmsprop", "updates w in place", steps(
        sgd="velocity = momentum * velocity - learning_rate * g\n    w += velocity\n    return w, velocity"),
        "input_modified_in_place"),
    wrong("ex5_momentum_rmsprop", "calls the reference SGD", steps(
        sgd="opt = optimizers.SGD(learning_rate, momentum)\n    w = w.copy()\n    opt.momentums[id(w)] = velocity.copy()\n"
            "    opt.apply([w], [g])\n    return w, opt.momentums[id(w)]"), "forbidden_call"),
    # -- ex6_adam ------------------------------------------------------------------------------------------
    right("ex6_adam", "Keras's form", adam()),
    right("ex6_adam", "bias-corrected m_hat, v_hat with epsilon rescaled", adam(
        "m = beta_1 * m + (1 - beta_1) * g\n    v = beta_2 * v + (1 - beta_2) * g ** 2\n"
        "    m_hat, v_hat = m / (1 - beta_1 ** t), v / (1 - beta_2 ** t)\n"
        "    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon / np.sqrt(1 - beta_2 ** t)), m, v")),
    wrong("ex6_adam", "no bias correction", adam(
        "m = beta_1 * m + (1 - beta_1) * g\n    v = beta_2 * v + (1 - beta_2) * g * g\n"
        "    return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v"), "adam_no_bias_correction"),
    wrong("ex6_adam", "textbook epsilon", adam(
        "m = beta_1 * m + (1 - beta_1) * g\n    v = beta_2 * v + (1 - beta_2) * g * g\n"
        "    m_hat, v_hat = m / (1 - beta_1 ** t), v / (1 - beta_2 ** t)\n"
        "    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v"), "epsilon_misplaced"),
    wrong("ex6_adam", "epsilon inside the root", adam(ADAM_OK.replace("(np.sqrt(v) + epsilon)", "np.sqrt(v + epsilon)")),
          "epsilon_misplaced"),
    wrong("ex6_adam", "betas swapped in the averages", adam(
        ADAM_OK.replace("beta_1 * m + (1 - beta_1) * g", "(1 - beta_1) * m + beta_1 * g")
        .replace("beta_2 * v + (1 - beta_2) * g * g", "(1 - beta_2) * v + beta_2 * g * g")), "decay_swapped"),
    wrong("ex6_adam", "step counted from t + 1", adam(ADAM_OK.replace("** t)", "** (t + 1))")),
          "adam_no_bias_correction"),
    wrong("ex6_adam", "m updated in place", adam(ADAM_OK.replace("m = beta_1 * m + (1 - beta_1) * g",
                                                                 "m *= beta_1\n    m += (1 - beta_1) * g")),
          "input_modified_in_place"),
    wrong("ex6_adam", "calls the reference Adam", adam(
        "opt = optimizers.Adam(learning_rate, beta_1, beta_2, epsilon)\n    w = w.copy()\n    opt.iterations = t - 1\n"
        "    opt.momentums[id(w)], opt.velocities[id(w)] = m.copy(), v.copy()\n    opt.apply([w], [g])\n"
        "    return w, opt.momentums[id(w)], opt.velocities[id(w)]"), "forbidden_call"),
    # -- ex7_fit (trains on the digits: fewer seeds, see the module docstring) --------------------------------
    right("ex7_fit", "the loop", fit(), seeds=5),
    right("ex7_fit", "array_split batches, weight decay on the gradient list", '''def fit(network, x, y_onehot, epochs=50, batch_size=64, learning_rate=0.003, learning_rate_decay=0.95,
        weight_decay=0.0, seed=0):
    generator = np.random.default_rng(seed)
    state = {i: (np.zeros_like(p), np.zeros_like(p)) for i, p in enumerate(network.params)}
    history, step = [], 0
    for epoch in range(epochs):
        rate = learning_rate * learning_rate_decay ** epoch
        order = generator.permutation(len(x))
        batches = [order[i:i + batch_size] for i in range(0, len(x), batch_size)]
        epoch_losses = []
        for batch in batches:
            out, caches = network.forward(x[batch], True)
            loss, dout = softmax_cross_entropy(out, y_onehot[batch])
            grads = network.backward(dout, caches)[1]
            params = network.params
            penalty = sum(float(np.sum(p ** 2)) for p in params if p.ndim == 2)
            grads = [g + 2 * weight_decay * p if p.ndim == 2 else g for p, g in zip(params, grads)]
            step += 1
            for i, (p, g) in enumerate(zip(params, grads)):
                new_p, m, v = adam_step(p, g, state[i][0], state[i][1], step, learning_rate=rate)
                state[i] = (m, v)
                np.copyto(p, new_p)
            epoch_losses.append(loss + weight_decay * penalty)
        history.append(sum(epoch_losses) / len(epoch_losses))
    return history
''', seeds=5),
    wrong("ex7_fit", "weights never written back", fit(write="p = new_p"), seeds=2),
    wrong("ex7_fit", "one epoch only", fit(epochs="1"), seeds=2),
    wrong("ex7_fit", "learning rate far too small", fit(learning_rate="1e-6"), seeds=2),
    wrong("ex7_fit", "learning rate never decayed", fit(learning_rate="learning_rate"), seeds=2),
    wrong("ex7_fit", "decay counted from 1: the first epoch at learning_rate * decay",
          fit(learning_rate="learning_rate * learning_rate_decay ** (epoch + 1)"), seeds=2),
    wrong("ex7_fit", "trains only the output layer", fit(first_trained=2), "accuracy_below", seeds=2),
    wrong("ex7_fit", "Keras does the training (one epoch, to keep the corpus fast)", FIT_KERAS, "forbidden_call",
          seeds=1),
]


def test_corpus_covers_every_exercise():
    assert_covers(LESSON, ANSWERS)


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_answer(answer):
    check(LESSON, answer)
