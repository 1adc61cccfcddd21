"""The examples in fclab.reference's docstrings run and print what they claim."""

import doctest
import importlib
import pkgutil

import pytest

import fclab.reference

MODULES = sorted(m.name for m in pkgutil.iter_modules(fclab.reference.__path__, "fclab.reference."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    fclab.reference.clear_session()
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"
