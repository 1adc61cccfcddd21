"""Widgets for exploring fully-connected layers in JupyterLab (ipywidgets 8).

- :func:`shape_explorer` — X (batch, in) @ W (in, units) + b (units,) as blocks; break the shapes and
  read numpy's and Keras's real errors with a plain explanation.
- :func:`stack_explorer` — a stack of Dense layers: shapes after each layer, a parameter table checked
  live against ``keras.Sequential(...).count_params()``, and the stack as Keras code.
- :func:`activation_explorer` — f and f' of the Keras activations, vanishing-gradient and dead-relu regions.
- :func:`playground` — TensorFlow Playground on real tf.keras: train, watch the boundary, export, save.

Each returns a displayable widget whose ``.state`` is a plain dataclass; the controls write into it and
the view is redrawn from it, so tests drive the widgets without a browser. Only the widgets that need
TensorFlow import it, when they are created.
"""

from .activation import ActivationExplorer, ActivationState, activation_explorer
from .playground_app import Playground, PlaygroundState, playground
from .shapes import ShapeExplorer, ShapeState, shape_explorer
from .stack import LayerSpec, StackExplorer, StackState, stack_explorer

__all__ = [
    "shape_explorer", "stack_explorer", "activation_explorer", "playground",
    "ShapeExplorer", "StackExplorer", "ActivationExplorer", "Playground",
    "ShapeState", "StackState", "LayerSpec", "ActivationState", "PlaygroundState",
]
