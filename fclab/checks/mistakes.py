"""Mistake candidates: the wrong answers a check recomputes to name the likely cause of a failure.

A :class:`Mistake` is a diagnosis code (see :data:`fclab.checks.CATALOGUE`) and a function with the same
signature as the reference that computes the wrong answer that mistake gives. When an answer fails and
its output equals a candidate's output on the same inputs (and the candidate differs from the right
answer), the candidate's diagnosis fires. A diagnosis therefore names a cause only when the answer behaves
exactly like that cause.

Ready-made lists for the course's recurring computations are below; an exercise with another signature
writes its own::

    mistakes = [checks.Mistake("bias_missing", lambda X, params: ...),
                checks.Mistake("relu_on_output", lambda X, params: ..., says="...")]
"""

import dataclasses
from typing import Callable

import numpy as np

from fclab.checks._catalogue import entry


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A wrong-answer candidate.

    Attributes:
        code: a diagnosis code of the catalogue.
        compute: ``compute(*args, **kwargs)`` -> the output this mistake gives, same signature as the
            reference function (it gets its own copy of the arguments).
        says: a sentence for this exercise when the catalogue's does not fit (else None).
    """

    code: str
    compute: Callable
    says: str = None

    def __post_init__(self):
        entry(self.code)  # unknown codes fail where the test is written, not when it fires

    def sentence(self):
        return self.says or entry(self.code).sentence


def _activations():
    from fclab.reference import activations

    return {"relu": activations.relu, "sigmoid": activations.sigmoid, "tanh": activations.tanh,
            "softmax": activations.softmax, None: lambda z: z, "linear": lambda z: z}


def _pick(args, kwargs, where):
    return kwargs[where] if isinstance(where, str) else args[where]


def _on_arrays(where, make):
    """A candidate that calls ``make`` on the arguments at ``where`` (positions or names), as float64 arrays."""
    def compute(*args, **kwargs):
        return make(*(np.asarray(_pick(args, kwargs, w), dtype=np.float64) for w in where))
    return compute


def dense_forward(x=0, kernel=1, bias=2, activation=None):
    """Mistakes of a dense layer ``activation(X @ W + b)`` whose X, W, b are at these argument positions.

    Args:
        x, kernel, bias: positions (ints) or keyword names (str) of X (batch, in), W (in, units), b (units,).
        activation: the activation the exercise asks for: None/"linear", "relu", "sigmoid", "tanh",
            "softmax".
    """
    acts = _activations()
    act = acts[activation]

    def layer(make):
        return _on_arrays((x, kernel, bias), make)

    found = [
        Mistake("bias_missing", layer(lambda X, W, b: act(X @ W))),
        Mistake("bias_sign", layer(lambda X, W, b: act(X @ W - b))),
        Mistake("bias_twice", layer(lambda X, W, b: act(X @ W + 2 * b))),
        Mistake("bias_column", layer(lambda X, W, b: act(X @ W + b.reshape(-1, 1)))),
        Mistake("kernel_transposed", layer(lambda X, W, b: act(X @ W.T + b))),
        Mistake("output_transposed", layer(lambda X, W, b: act((X @ W + b).T))),
        Mistake("output_transposed", layer(lambda X, W, b: act(W.T @ X.T + b)),
                says="your result equals W.T @ X.T + b, the transposed product with the bias added after: keep "
                     "the batch on axis 0 and compute X @ W + b."),
    ]
    if activation not in (None, "linear"):
        found.append(Mistake("activation_missing", layer(lambda X, W, b: X @ W + b)))
        for other, f in acts.items():
            if other not in (None, "linear", activation):
                found.append(Mistake("wrong_activation", layer(lambda X, W, b, f=f: f(X @ W + b)),
                                     says=f"your result equals {other}(X @ W + b), but this layer uses "
                                          f"{activation}."))
    if activation == "relu":
        found.append(Mistake("relu_before_bias", layer(lambda X, W, b: np.maximum(X @ W, 0) + b)))
    if activation == "softmax":
        found.append(Mistake("softmax_wrong_axis", layer(lambda X, W, b: acts["softmax"](X @ W + b, axis=0))))
    return found


def scaled(code, factor_of, says=None):
    """A mistake whose output is the right answer times a factor computed from the arguments.

    ``factor_of(*args, **kwargs) -> (reference_output, factor)``; e.g. a missing 1/N:
    ``scaled("mean_missing_1_over_n", lambda X, y: (ref_loss(X, y), len(X)))``.
    """
    def compute(*args, **kwargs):
        value, factor = factor_of(*args, **kwargs)
        return np.asarray(value, dtype=np.float64) * factor
    return Mistake(code, compute, says)


def dense_backward(dout=0, x=1, kernel=2):
    """Mistakes of a dense layer's backward pass ``(dx, dkernel, dbias)`` (lesson 07, section 1).

    Args:
        dout, x, kernel: positions (ints) or keyword names (str) of dout (batch, units), x (batch, in) and
            kernel (in, units). Each candidate returns the whole tuple with one item wrong, so the check
            names the first item that departs.
    """
    def grads(make):
        return _on_arrays((dout, x, kernel), make)

    return [
        Mistake("dw_transposed", grads(lambda d, X, W: (d @ W.T, d.T @ X, d.sum(axis=0)))),
        Mistake("kernel_transposed", grads(lambda d, X, W: (d @ W, X.T @ d, d.sum(axis=0))),
                says="your dx equals dout @ kernel: dx = dout @ kernel.T, (batch, units) @ (units, in)."),
        Mistake("mean_instead_of_sum", grads(lambda d, X, W: (d @ W.T, X.T @ d / len(X), d.sum(axis=0))),
                says="your dkernel is X.T @ dout divided by the batch size: the chain rule sums the "
                     "contributions of the samples, dkernel = X.T @ dout (any 1/N is already in dout)."),
        Mistake("mean_instead_of_sum", grads(lambda d, X, W: (d @ W.T, X.T @ d, d.mean(axis=0))),
                says="your dbias is the mean of dout over the batch: it is the sum, dout.sum(axis=0) (any 1/N "
                     "is already in dout)."),
        Mistake("bias_grad_wrong_axis", grads(lambda d, X, W: (d @ W.T, X.T @ d, d.sum(axis=1)))),
    ]


def numeric_gradient(f=0, x=1, eps=2):
    """Mistakes of a central-difference gradient ``numeric_gradient(f, x, eps=1e-5)`` (lesson 07, section 2).

    Args:
        f, x, eps: positions (ints) or keyword names (str) of the scalar function, the point and the step
            (a missing ``eps`` means the default 1e-5).
    """
    def estimate(kind):
        def compute(*args, **kwargs):
            fn = _pick(args, kwargs, f)
            try:
                h = _pick(args, kwargs, eps)
            except (IndexError, KeyError):
                h = 1e-5
            dtype = np.float32 if kind == "float32" else np.float64
            point = np.array(_pick(args, kwargs, x), dtype=dtype)
            grad = np.zeros_like(point)
            base = fn(point) if kind == "forward" else None
            for i in np.ndindex(point.shape):
                original = point[i]
                point[i] = original + h
                plus = fn(point)
                if kind == "forward":
                    grad[i] = (plus - base) / h
                    point[i] = original
                    continue
                point[i] = original - h
                minus = fn(point)
                if kind != "not_restored":
                    point[i] = original
                grad[i] = (plus - minus) / (2 * h)
            return grad
        return compute

    return [
        Mistake("forward_difference", estimate("forward")),
        Mistake("input_not_restored", estimate("not_restored"),
                says="your numeric gradient does not put each entry back before nudging the next one, so later "
                     "entries are evaluated at a shifted point: restore x[i] = original after the two "
                     "evaluations."),
        Mistake("float32_numeric_gradient", estimate("float32")),
    ]

def outputs(found, args, kwargs=None, item=None):
    """``[(code, wrong_output, says)]`` of mistakes on these arguments, for ``check_close(mistakes=...)``.

    For answers called with ``ex.call`` whose result is a tuple holding more than arrays (a cache): compare
    one item with ``check_close`` and name the mistake by the same item of each candidate's output.

    Args:
        found: a list of :class:`Mistake` (e.g. ``batchnorm_forward()``).
        args, kwargs: the arguments the answer was called with.
        item: which item of a tuple output (None: the whole output).
    """
    from fclab.checks._exercise import copy_arguments

    out = []
    for mistake in found:
        try:
            wrong = mistake.compute(*copy_arguments(tuple(args)), **copy_arguments(dict(kwargs or {})))
            out.append((mistake.code, wrong if item is None else wrong[item], mistake.says))
        except Exception:  # noqa: BLE001 - a candidate that does not apply to these inputs is no candidate
            continue
    return out


# -- lesson 08: layers with state and optimizers, written as numpy functions -------------------------------

def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def dropout_forward():
    """Mistakes of ``dropout_forward(x, rate, keep, training) -> (out, cache)`` (item 0 is ``out``)."""
    def make(rule):
        def compute(x, rate, keep, training):
            x, = _f64(x)
            keep = np.asarray(keep, dtype=bool)
            return rule(x, float(rate), keep, bool(training)), None
        return compute

    return [
        Mistake("dropout_not_scaled", make(lambda x, r, k, t: x * k if t else x)),
        Mistake("dropout_not_scaled", make(lambda x, r, k, t: x * k * (1 - r) if t else x),
                says="your kept units are multiplied by (1 - rate): inverted dropout divides them by (1 - rate)."),
        Mistake("dropout_at_inference", make(lambda x, r, k, t: x * k / (1 - r))),
        Mistake("dropout_at_inference", make(lambda x, r, k, t: x * k / (1 - r) if t else x * (1 - r)),
                says="your layer scales by (1 - rate) at inference: that is the old, non-inverted dropout; with "
                     "inverted dropout (Keras) inference returns x unchanged."),
        Mistake("dropout_mask_inverted", make(lambda x, r, k, t: x * ~k / (1 - r) if t else x)),
        Mistake("dropout_mask_inverted", make(lambda x, r, k, t: x * ~k / r if t and r > 0 else x)),
    ]


def batchnorm_forward():
    """Mistakes of ``batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training, momentum,
    epsilon) -> (out, new_moving_mean, new_moving_variance, cache)`` (items 0-2)."""
    def make(stats="batch", update="keras", ddof=0, eps_inside=True):
        def compute(x, gamma, beta, moving_mean, moving_variance, training, momentum=0.99, epsilon=1e-3):
            x, gamma, beta, mm, mv = _f64(x, gamma, beta, moving_mean, moving_variance)
            mean, var = x.mean(axis=0), x.var(axis=0, ddof=ddof)
            use_batch = stats == "always" or (stats == "batch" and training)
            m, v = (mean, var) if use_batch else (mm, mv)
            if training and update == "keras":
                mm, mv = momentum * mm + (1 - momentum) * mean, momentum * mv + (1 - momentum) * var
            elif training and update == "swapped":
                mm, mv = (1 - momentum) * mm + momentum * mean, (1 - momentum) * mv + momentum * var
            scale = 1 / np.sqrt(v + epsilon) if eps_inside else 1 / (np.sqrt(v) + epsilon)
            return gamma * (x - m) * scale + beta, mm, mv, None
        return compute

    return [
        Mistake("bn_batch_stats_at_inference", make(stats="always")),
        Mistake("moving_stats_not_updated", make(update="none")),
        Mistake("decay_swapped", make(update="swapped"),
                says="your moving statistics give the batch the weight momentum (0.99): moving = momentum * moving "
                     "+ (1 - momentum) * batch statistic."),
        Mistake("unbiased_variance", make(ddof=1)),
        Mistake("epsilon_misplaced", make(eps_inside=False),
                says="epsilon is added outside the square root: batch normalization divides by sqrt(var + "
                     "epsilon)."),
    ]


def sgd_momentum_step():
    """Mistakes of ``sgd_momentum_step(w, g, velocity, learning_rate, momentum) -> (w, velocity)``."""
    def dampened(w, g, velocity, learning_rate=0.01, momentum=0.9):
        w, g, velocity = _f64(w, g, velocity)
        velocity = momentum * velocity + (1 - momentum) * g
        return w - learning_rate * velocity, velocity

    def sign(w, g, velocity, learning_rate=0.01, momentum=0.9):
        w, g, velocity = _f64(w, g, velocity)
        velocity = momentum * velocity - learning_rate * g
        return w - velocity, velocity

    def no_momentum(w, g, velocity, learning_rate=0.01, momentum=0.9):
        w, g, velocity = _f64(w, g, velocity)
        return w - learning_rate * g, velocity

    return [Mistake("momentum_dampened", dampened),
            Mistake("sign_flipped", sign, says="your step goes uphill: with v = momentum * v - learning_rate * g "
                                               "the update is w + v."),
            Mistake("moving_stats_not_updated", no_momentum,
                    says="your step ignores the velocity (plain gradient descent) and returns it unchanged: "
                         "v = momentum * v - learning_rate * g, then w + v.")]


def rmsprop_step():
    """Mistakes of ``rmsprop_step(w, g, v, learning_rate, rho, epsilon) -> (w, v)``."""
    def make(eps_inside=True, swapped=False, squared=True):
        def compute(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
            w, g, v = _f64(w, g, v)
            g2 = g * g if squared else np.abs(g)
            v = (1 - rho) * v + rho * g2 if swapped else rho * v + (1 - rho) * g2
            root = np.sqrt(v + epsilon) if eps_inside else np.sqrt(v) + epsilon
            return w - learning_rate * g / root, v
        return compute

    return [Mistake("epsilon_misplaced", make(eps_inside=False),
                    says="epsilon is outside the square root: Keras's RMSprop divides by sqrt(v + epsilon)."),
            Mistake("decay_swapped", make(swapped=True))]


def adam_step():
    """Mistakes of ``adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon) -> (w, m, v)``."""
    def make(correct=True, eps="keras", swapped=False, step_offset=0):
        def compute(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
            w, g, m, v = _f64(w, g, m, v)
            t = t + step_offset
            if swapped:
                m, v = (1 - beta_1) * m + beta_1 * g, (1 - beta_2) * v + beta_2 * g * g
            else:
                m, v = beta_1 * m + (1 - beta_1) * g, beta_2 * v + (1 - beta_2) * g * g
            c1, c2 = (1 - beta_1 ** t, 1 - beta_2 ** t) if correct else (1.0, 1.0)
            if eps == "keras":
                step = learning_rate * np.sqrt(c2) / c1 * m / (np.sqrt(v) + epsilon)
            elif eps == "textbook":
                step = learning_rate * (m / c1) / (np.sqrt(v / c2) + epsilon)
            else:  # inside the root
                step = learning_rate * np.sqrt(c2) / c1 * m / np.sqrt(v + epsilon)
            return w - step, m, v
        return compute

    return [Mistake("adam_no_bias_correction", make(correct=False)),
            Mistake("epsilon_misplaced", make(eps="textbook"),
                    says="your step is the paper's m_hat / (sqrt(v_hat) + epsilon), epsilon added after the bias "
                         "correction: Keras folds the correction into alpha and adds epsilon to sqrt(v) itself."),
            Mistake("epsilon_misplaced", make(eps="inside"),
                    says="epsilon is inside the square root: Keras's Adam divides by sqrt(v) + epsilon."),
            Mistake("decay_swapped", make(swapped=True)),
            Mistake("adam_no_bias_correction", make(step_offset=1),
                    says="your bias correction uses step t + 1: the first step has t = 1, so 1 - beta_1**t is "
                         "1 - beta_1 there.")]
