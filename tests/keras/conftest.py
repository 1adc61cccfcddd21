"""Fixtures for the tests that compare fclab.reference with tf.keras: TensorFlow imported once, lazily."""

import pytest

from fclab import _tf


@pytest.fixture(scope="session")
def tf():
    """The tensorflow module (imported on first use)."""
    return _tf.tf()


@pytest.fixture(scope="session")
def keras():
    """The keras module (Keras 3, TensorFlow backend)."""
    return _tf.keras()


@pytest.fixture(scope="session")
def ref():
    """The fclab.reference package (numpy twins)."""
    import fclab.reference

    return fclab.reference


@pytest.fixture(scope="session")
def keras_check():
    """The fclab.keras_check module."""
    import fclab.keras_check

    return fclab.keras_check
