"""Where comparisons run: the GPU when TensorFlow sees one, else the CPU, with TF32 switched off.

On Ampere and newer NVIDIA GPUs TensorFlow multiplies float32 matrices in TF32 by default (a 10-bit
mantissa), so a GPU matmul differs from numpy's float32 one by ~1e-3: far outside any tolerance that
would catch a real bug. :func:`tf32_disabled` turns TF32 off for the duration of a comparison and
puts the previous setting back afterwards, even when the comparison raises.
"""

import contextlib

from fclab import _tf


def gpu_visible():
    """True when TensorFlow lists at least one GPU (imports TensorFlow)."""
    return bool(_tf.tf().config.list_logical_devices("GPU"))


def device():
    """The device comparisons run on: ``"GPU:0"`` when TensorFlow sees a GPU, else ``"CPU:0"``."""
    return "GPU:0" if gpu_visible() else "CPU:0"


@contextlib.contextmanager
def tf32_disabled():
    """Context manager: TF32 matmuls off on a GPU inside the block, previous setting restored after.

    On a machine without a GPU TF32 plays no part and the block runs unchanged.

    >>> with tf32_disabled():          # doctest: +SKIP
    ...     y = layer(x)               # float32 matmuls, comparable with numpy
    """
    if not gpu_visible():
        yield
        return
    experimental = _tf.tf().config.experimental
    previous = experimental.tensor_float_32_execution_enabled()
    experimental.enable_tensor_float_32_execution(False)
    try:
        yield
    finally:
        experimental.enable_tensor_float_32_execution(previous)
