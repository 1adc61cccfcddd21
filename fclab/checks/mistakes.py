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
        def compute(*args, **kwargs):
            X = np.asarray(_pick(args, kwargs, x), dtype=np.float64)
            W = np.asarray(_pick(args, kwargs, kernel), dtype=np.float64)
            b = np.asarray(_pick(args, kwargs, bias), dtype=np.float64)
            return make(X, W, b)
        return compute

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
        def compute(*args, **kwargs):
            d = np.asarray(_pick(args, kwargs, dout), dtype=np.float64)
            X = np.asarray(_pick(args, kwargs, x), dtype=np.float64)
            W = np.asarray(_pick(args, kwargs, kernel), dtype=np.float64)
            return make(d, X, W)
        return compute

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
