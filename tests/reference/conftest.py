"""Fixtures for the numpy-only reference tests: fresh automatic names for every test."""

import pytest

from fclab.reference import clear_session


@pytest.fixture(autouse=True)
def fresh_names():
    """Each test starts with the counters reset, so the first Dense is "dense"."""
    clear_session()
    yield
    clear_session()
