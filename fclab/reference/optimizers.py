"""``SGD``, ``RMSprop`` and ``Adam`` with Keras 3's exact update rules (``keras/src/optimizers/*.py``).

For every parameter ``w`` with gradient ``g``, in w's dtype (``t`` = the step number, 1 at the first step)::

    SGD       momentum == 0:  w = w - learning_rate * g
              momentum > 0:   m = momentum * m - learning_rate * g          (m starts at 0)
                              w = w + m                                     (plain momentum)
                              w = w + momentum * m - learning_rate * g      (nesterov=True, with the new m)
    RMSprop                   v = rho * v + (1 - rho) * g**2                (v starts at 0)
                              step = learning_rate * g / sqrt(v + epsilon)  (epsilon INSIDE the root)
                              w = w - step                                  (momentum == 0)
                              m = momentum * m + step; w = w - m            (momentum > 0)
    Adam                      m = m + (g - m) * (1 - beta_1)                (= beta_1 m + (1 - beta_1) g)
                              v = v + (g**2 - v) * (1 - beta_2)
                              alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
                              w = w - alpha * m / (sqrt(v) + epsilon)       (epsilon OUTSIDE the root)

Adam's bias correction is folded into ``alpha``, so its epsilon is added to ``sqrt(v)``, not to the
bias-corrected ``sqrt(v / (1 - beta_2**t))`` of the paper's algorithm 1: the two differ by a factor
``sqrt(1 - beta_2**t)`` on epsilon (largest at the first steps). RMSprop's epsilon sits inside the square
root. Weight decay, clipping and EMA of Keras's base optimizer are not modelled.

Argument order: ``opt.apply(params, grads)`` (the fclab contract) takes the parameters FIRST.
Keras's ``optimizer.apply(grads, trainable_variables)`` takes the gradients first; the unambiguous
``apply_gradients(zip(grads, params))`` works the same in both.
"""

import numpy as np

from fclab.reference._arrays import shape_text
from fclab.reference.variables import Variable

__all__ = ["SGD", "RMSprop", "Adam"]


def _array_of(param):
    return param.value if isinstance(param, Variable) else param


def _fraction(name, value, high_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1 or (
            high_open and value == 1):
        upper = "1)" if high_open else "1]"
        raise ValueError(f"`{name}` must be a float between [0, {upper}. Received: {name}={value!r}")
    return float(value)


class _Optimizer:
    """What the three optimizers share: the checks of ``apply``, per-parameter slots, the step count.

    Attributes:
        iterations: number of ``apply`` calls so far.
    """

    name = "optimizer"

    def __init__(self, learning_rate):
        self.learning_rate = float(learning_rate)
        self.iterations = 0
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
        kind = type(self).__name__
        if any(isinstance(g, Variable) for g in grads) and not any(isinstance(p, Variable) for p in params):
            raise TypeError(
                f"{kind}.apply(params, grads) takes the parameters first; the second argument holds Variables, so "
                "the arguments look swapped (Keras's optimizer.apply takes grads first). Use apply(params, grads)."
            )
        if len(params) != len(grads):
            raise ValueError(
                f"{kind}.apply got {len(params)} params but {len(grads)} gradients; pass one gradient per param, "
                "in the same order."
            )
        for index, (param, grad) in enumerate(zip(params, grads)):
            value = self._checked(index, param, np.asarray(grad))
            self._params[id(param)] = param
            self._update(id(param), value, np.asarray(grad).astype(value.dtype, copy=False))
        self.iterations += 1

    def apply_gradients(self, grads_and_vars):
        """Keras style: ``apply_gradients(zip(grads, params))``."""
        pairs = list(grads_and_vars)
        self.apply([p for _, p in pairs], [g for g, _ in pairs])

    @staticmethod
    def _checked(index, param, grad):
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
        return value

    def _update(self, key, value, grad):
        raise NotImplementedError

    def get_config(self):
        return {"learning_rate": self.learning_rate}


class SGD(_Optimizer):
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
        super().__init__(learning_rate)
        self.momentum = _fraction("momentum", momentum)
        self.nesterov = bool(nesterov)
        self.momentums = {}

    def _update(self, key, value, grad):
        dtype = value.dtype.type
        lr = dtype(self.learning_rate)
        if self.momentum == 0:
            value -= grad * lr
            return
        m = self.momentums.setdefault(key, np.zeros_like(value))
        momentum = dtype(self.momentum)
        m[...] = m * momentum - grad * lr
        if self.nesterov:
            value += m * momentum - grad * lr
        else:
            value += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(_Optimizer):
    """RMSprop as in Keras 3: a running mean of g**2 scales each step; epsilon inside the square root.

    Args:
        learning_rate: step size (Keras's default 0.001).
        rho: decay of the running mean of squared gradients (0.9).
        momentum: in [0, 1]; 0 (the default) applies each step directly.
        epsilon: added to the running mean before the square root (1e-7).
        centered: also subtract the square of a running mean of g from v (Keras's ``centered=True``).

    Attributes:
        velocities: ``{id(param): running mean of g**2}``; ``momentums`` and ``average_gradients`` when used.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
        super().__init__(learning_rate)
        self.rho = _fraction("rho", rho)
        self.momentum = _fraction("momentum", momentum)
        self.epsilon = float(epsilon)
        self.centered = bool(centered)
        self.velocities, self.momentums, self.average_gradients = {}, {}, {}

    def _update(self, key, value, grad):
        dtype = value.dtype.type
        lr, rho, eps = dtype(self.learning_rate), dtype(self.rho), dtype(self.epsilon)
        v = self.velocities.setdefault(key, np.zeros_like(value))
        v[...] = rho * v + (1 - rho) * np.square(grad)
        if self.centered:
            a = self.average_gradients.setdefault(key, np.zeros_like(value))
            a[...] = rho * a + (1 - rho) * grad
            denominator = v - np.square(a) + eps
        else:
            denominator = v + eps
        increment = lr * grad / np.sqrt(denominator)
        if self.momentum > 0:
            m = self.momentums.setdefault(key, np.zeros_like(value))
            m[...] = dtype(self.momentum) * m + increment
            value -= m
        else:
            value -= increment

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}


class Adam(_Optimizer):
    """Adam as in Keras 3: bias correction folded into the step size, epsilon outside the square root.

    Args:
        learning_rate: step size (Keras's default 0.001).
        beta_1: decay of the running mean of g (0.9).
        beta_2: decay of the running mean of g**2 (0.999).
        epsilon: added to sqrt(v) (1e-7; the paper's 1e-8 sits after bias correction, see the module text).
        amsgrad: use the running maximum of v (Keras's ``amsgrad=True``).

    Attributes:
        momentums, velocities: ``{id(param): m}``, ``{id(param): v}``; ``velocity_hats`` with amsgrad.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
        super().__init__(learning_rate)
        self.beta_1 = _fraction("beta_1", beta_1, high_open=True)
        self.beta_2 = _fraction("beta_2", beta_2, high_open=True)
        self.epsilon = float(epsilon)
        self.amsgrad = bool(amsgrad)
        self.momentums, self.velocities, self.velocity_hats = {}, {}, {}

    def _update(self, key, value, grad):
        dtype = value.dtype.type
        step = dtype(self.iterations + 1)
        beta_1, beta_2 = dtype(self.beta_1), dtype(self.beta_2)
        # Keras computes the powers from ops.cast(beta, dtype), which rounds the Python float through
        # float32 first (visible only for float64 weights); the moment updates use the Python floats.
        power_1, power_2 = dtype(np.float32(self.beta_1)) ** step, dtype(np.float32(self.beta_2)) ** step
        alpha = dtype(self.learning_rate) * np.sqrt(1 - power_2) / (1 - power_1)
        m = self.momentums.setdefault(key, np.zeros_like(value))
        v = self.velocities.setdefault(key, np.zeros_like(value))
        m += (grad - m) * (1 - beta_1)
        v += (np.square(grad) - v) * (1 - beta_2)
        if self.amsgrad:
            v_hat = self.velocity_hats.setdefault(key, np.zeros_like(value))
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        value -= (m * alpha) / (np.sqrt(v) + dtype(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}
