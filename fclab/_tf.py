"""Lazy, quiet access to TensorFlow and Keras.

TensorFlow costs seconds and hundreds of MB to import, and writes log lines to stderr (which nbgrader
counts as a failure in a graded cell). Everything in fclab that needs it calls :func:`tf` or :func:`keras`
here, at call time, never at module import time.
"""


def _quiet():
    from fclab.env import apply

    apply()


def tf():
    """Return the ``tensorflow`` module, importing it (quietly) on first use."""
    _quiet()
    import tensorflow

    return tensorflow


def keras():
    """Return the ``keras`` module (Keras 3 on the TensorFlow backend), importing it on first use."""
    _quiet()
    import keras as _keras

    return _keras
