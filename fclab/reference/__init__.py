"""fclab.reference: numpy twins of what Keras does, with the same names and semantics.

Float32 in gives float32 out; shapes follow Keras's convention everywhere: ``x`` is ``(batch, in)``
(or ``(..., in)``), a Dense ``kernel`` is ``(in, units)`` and its ``bias`` ``(units,)``.

- ``dense(x, kernel, bias=None, activation=None)``: one fully-connected layer as a function.
- ``activations``, ``initializers``: Keras's functions and initializers by name.
- Layers: ``Dense``, ``Activation``, ``Dropout``, ``BatchNormalization``, ``Flatten`` (base ``Layer``).
- ``Input``, ``Sequential`` (with ``summary()``), ``Variable`` (weights with Keras ``.path``),
  ``clear_session()`` (restart the automatic names at "dense", "sequential").
- ``losses``, ``backward`` (``dense_backward``, ``numeric_gradient``, ``gradient_check``), ``optimizers``.
"""

from fclab.reference import activations, backward, initializers, losses, optimizers
from fclab.reference.backward import dense_backward, gradient_check, numeric_gradient
from fclab.reference.base_layer import InputSpec, Layer
from fclab.reference.functional import dense
from fclab.reference.layers import Activation, BatchNormalization, Dense, Dropout, Flatten
from fclab.reference.models import Input, Sequential
from fclab.reference.naming import clear_session
from fclab.reference.variables import Variable

__all__ = [
    "dense",
    "Layer",
    "InputSpec",
    "Dense",
    "Activation",
    "Dropout",
    "BatchNormalization",
    "Flatten",
    "Input",
    "Sequential",
    "Variable",
    "clear_session",
    "activations",
    "initializers",
    "losses",
    "backward",
    "optimizers",
    "numeric_gradient",
    "gradient_check",
    "dense_backward",
]
