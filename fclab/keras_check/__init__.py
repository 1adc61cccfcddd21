"""Check the numpy twins in ``fclab.reference`` against tf.keras.

- :func:`to_keras` / :func:`from_keras` build the twin of a layer or Sequential, weights copied;
- :func:`compare` runs both on one input and returns a :class:`Comparison` (max errors, device, verdict);
- :func:`device` is where Keras runs (``"GPU:0"`` when TensorFlow sees a GPU, else ``"CPU:0"``) and
  :func:`tf32_disabled` keeps GPU float32 matmuls exact enough to compare with numpy.

Importing this module is cheap: TensorFlow is imported on the first call that needs it.
"""

from fclab.keras_check._compare import Comparison, compare
from fclab.keras_check._convert import SUPPORTED, from_keras, to_keras
from fclab.keras_check._device import device, tf32_disabled

__all__ = ["Comparison", "SUPPORTED", "compare", "device", "from_keras", "tf32_disabled", "to_keras"]
