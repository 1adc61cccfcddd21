"""``SGD``: stochastic gradient descent with Keras's exact update rule (momentum, Nesterov).

For every parameter ``w`` with gradient ``g`` (``keras/src/optimizers/sgd.py``), in w's dtype::

    momentum == 0:    w = w - learning_rate * g
    momentum > 0:     m = momentum * m - learning_rate * g          (m starts at 0)
                      w = w + m                                       (plain momentum)
                      w = w + momentum * m - learning_rate * g        (nesterov=True, with the new m)

Argument order: ``SGD.apply(params, grads)`` (the fclab contract) takes the parameters FIRST.
Keras's ``optimizer.apply(grads, trainable_variables)`` takes the gradients first; the unambiguous
``apply_gradients(zip(grads, params))`` works the same in both.
"""

import numpy as np

from fclab.reference._arrays import shape_text
from fclab.reference.variables import Variable


def _array_of(param):
    return param.value if isinstance(param, Variable) else param


class SGD:
    """Gradient descent that updates numpy arrays or ``Variable``s in place, step for step like Keras.

    Args:
        learning_rate: step size (Keras's default 0.01).
        momentum: in [0, 1]; 0 is plain gradient descent.
        nesterov: use Nesterov momentum.

    Attributes:
        iterations: number of ``apply`` calls so far.
        momentums: ``{id(param): velocity array}`` once momentum is used.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}")
        self.learning_rate = float(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.iterations = 0
        self.momentums = {}
        self._params = {}  # id -> param, keeps the ids of tracked params valid

    def apply(self, params, grads):
        """One step: update each of ``params`` (in place) with the matching gradient.

        Args:
            params: list of ndarrays (float, writable) or ``Variable``s, e.g. ``model.trainable_variables``.
            grads: list of arrays, one per param, same shapes.

        Raises:
            ValueError: different list lengths, or a gradient whose shape is not its parameter's.
            TypeError: when the arguments look swapped (Variables passed as gradients).
        """
        params, grads = list(params), list(grads)
        if any(isinstance(g, Variable) for g in grads) and not any(isinstance(p, Variable) for p in params):
            raise TypeError(
                "SGD.apply(params, grads) takes the parameters first; the second argument holds Variables, so "
                "the arguments look swapped (Keras's optimizer.apply takes grads first). Use apply(params, grads)."
            )
        if len(params) != len(grads):
            raise ValueError(
                f"SGD.apply got {len(params)} params but {len(grads)} gradients; pass one gradient per param, "
                "in the same order."
            )
        for index, (param, grad) in enumerate(zip(params, grads)):
            self._update(index, param, np.asarray(grad))
        self.iterations += 1

    def apply_gradients(self, grads_and_vars):
        """Keras style: ``apply_gradients(zip(grads, params))``."""
        pairs = list(grads_and_vars)
        self.apply([p for _, p in pairs], [g for g, _ in pairs])

    def _update(self, index, param, grad):
        value = _array_of(param)
        if not isinstance(value, np.ndarray) or not np.issubdtype(value.dtype, np.floating):
            raise TypeError(
                f"param {index} must be a float ndarray or a Variable to be updated in place; received "
                f"{type(param).__name__}" + (f" of dtype {value.dtype}" if hasattr(value, "dtype") else "") + "."
            )
        if grad.shape != value.shape:
            raise ValueError(
                f"Gradient {index} has shape {shape_text(grad.shape)} but its param has shape "
                f"{shape_text(value.shape)}; a gradient must have the shape of its parameter."
            )
        dtype = value.dtype.type
        lr, grad = dtype(self.learning_rate), grad.astype(value.dtype, copy=False)
        if self.momentum == 0:
            value -= grad * lr
            return
        key = id(param)
        self._params[key] = param
        m = self.momentums.setdefault(key, np.zeros_like(value))
        momentum = dtype(self.momentum)
        m[...] = m * momentum - grad * lr
        if self.nesterov:
            value += m * momentum - grad * lr
        else:
            value += m

    def get_config(self):
        return {"learning_rate": self.learning_rate, "momentum": self.momentum, "nesterov": self.nesterov}
