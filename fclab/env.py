"""The environment every fclab kernel runs in: the ONE place these settings live.

The student's lab (``python -m fclab.lab``), nbgrader (``course/nbgrader_config.py``), the autograder's
sandbox (``autograder/sandbox.py``) and the tests all take them from here, so a lesson prints the same
(nothing) wherever it runs.

- ``TF_CPP_MIN_LOG_LEVEL=2``: TensorFlow's C++ INFO and WARNING lines stay off stderr.
- ``TF_ENABLE_ONEDNN_OPTS=0``: TensorFlow 2.21 prints its oneDNN ``I0000`` notice through absl whatever
  ``TF_CPP_MIN_LOG_LEVEL`` says; without the oneDNN custom ops there is no notice (and results are
  bit-for-bit the same from run to run). nbgrader zeroes a test cell with any stderr output.
- ``KERAS_BACKEND=tensorflow``: Keras 3 on TensorFlow, what the lessons compare against.

This module imports nothing but ``os``: importing it costs nothing and never pulls TensorFlow.
"""

import os

KERNEL_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "KERAS_BACKEND": "tensorflow",
}


def kernel_env(base=None):
    """A copy of ``base`` (default: ``os.environ``) with :data:`KERNEL_ENV` set where ``base`` lacks it."""
    env = dict(os.environ if base is None else base)
    for name, value in KERNEL_ENV.items():
        env.setdefault(name, value)
    return env


def apply(environ=None):
    """Set :data:`KERNEL_ENV` in ``environ`` (default: ``os.environ``) where it is not set yet.

    Call it before TensorFlow is imported (and before kernels are started: they inherit the environment).
    """
    environ = os.environ if environ is None else environ
    for name, value in KERNEL_ENV.items():
        environ.setdefault(name, value)
    return environ
