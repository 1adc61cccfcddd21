"""Lesson 08's mistake lists: each candidate computes a different answer from the right one, on its signature."""

import numpy as np
import pytest

from fclab.checks import mistakes
from fclab.reference import optimizers

RNG = np.random.default_rng(0)


def _differs(a, b):
    return not np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-4, atol=1e-6)


def test_dropout_candidates_differ_from_inverted_dropout():
    x = RNG.standard_normal((6, 5)).astype("float32")
    keep = RNG.random((6, 5)) >= 0.3
    for training in (True, False):
        right = np.where(keep, x / 0.7, 0) if training else x
        outs = [(m.code, m.compute(x, 0.3, keep, training)[0]) for m in mistakes.dropout_forward()]
        codes = {code for code, out in outs if _differs(out, right)}
        expected = {"dropout_not_scaled", "dropout_mask_inverted"} if training else {"dropout_at_inference"}
        assert codes == expected, (training, codes)


def test_batchnorm_candidates_name_each_item():
    x = RNG.standard_normal((8, 3)) * 2 + 1
    gamma, beta, mm, mv = RNG.standard_normal(3) + 1, RNG.standard_normal(3), RNG.standard_normal(3), RNG.random(3) + 0.5
    found = {m.code: m.compute(x, gamma, beta, mm, mv, True, 0.99, 1e-3) for m in mistakes.batchnorm_forward()}
    mean, var = x.mean(0), x.var(0)
    right_out = gamma * (x - mean) / np.sqrt(var + 1e-3) + beta
    right_mm = 0.99 * mm + 0.01 * mean
    assert _differs(found["unbiased_variance"][0], right_out) and _differs(found["epsilon_misplaced"][0], right_out)
    assert _differs(found["decay_swapped"][1], right_mm) and _differs(found["moving_stats_not_updated"][1], right_mm)
    inference = mistakes.batchnorm_forward()[0].compute(x, gamma, beta, mm, mv, False)
    assert _differs(inference[0], gamma * (x - mm) / np.sqrt(mv + 1e-3) + beta)


@pytest.mark.parametrize("kind", ["sgd", "rmsprop", "adam"])
def test_optimizer_candidates_differ_from_the_reference_step(kind):
    w_right = None
    w, g = RNG.standard_normal(4).astype("float32"), (RNG.standard_normal(4) * 0.01).astype("float32")
    if kind == "sgd":
        velocity = (RNG.standard_normal(4) * 0.01).astype("float32")     # non-zero: a second step
        opt, found, args, hyper = optimizers.SGD(0.1, 0.9), mistakes.sgd_momentum_step(), (w, g, velocity), \
            {"learning_rate": 0.1, "momentum": 0.9}
        opt.momentums[id(w_right := w.copy())] = velocity.copy()
    elif kind == "rmsprop":
        opt, found, args, hyper = optimizers.RMSprop(0.01, epsilon=1e-3), mistakes.rmsprop_step(), \
            (w, g, np.zeros(4)), {"learning_rate": 0.01, "epsilon": 1e-3}
    else:
        opt, found, args, hyper = optimizers.Adam(0.01, epsilon=1e-3), mistakes.adam_step(), \
            (w, g, np.zeros(4), np.zeros(4), 1), {"learning_rate": 0.01, "epsilon": 1e-3}
    right = w_right if kind == "sgd" else w.copy()
    opt.apply([right], [g])
    for mistake in found:
        assert _differs(mistake.compute(*args, **hyper)[0], right), mistake


def test_outputs_picks_an_item_and_skips_candidates_that_do_not_apply():
    found = [mistakes.Mistake("bias_missing", lambda a, b: (a, b)), mistakes.Mistake("bias_sign", lambda a: a)]
    assert [(code, value) for code, value, _ in mistakes.outputs(found, (1, 2), item=1)] == [("bias_missing", 2)]
