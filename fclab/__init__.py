"""fclab: helpers for a course on fully-connected neural-network layers.

Submodules (imported on first use, so ``import fclab`` stays fast and never imports TensorFlow):

- ``fclab.reference``   numpy twins of what Keras does (dense, activations, Dense, Sequential, ...)
- ``fclab.keras_check`` build the Keras twin of a reference object and compare them (imports TensorFlow)
- ``fclab.checks``      what visible test cells call: assertions with got vs expected and a diagnosis
- ``fclab.explain``     plain-language explanations of shape errors
- ``fclab.data``        digits, local MNIST, 2-D toy data sets
- ``fclab.plots``       activation curves, training curves, decision boundaries, weight maps
- ``fclab.widgets``     shape explorer, stack explorer, activation explorer, playground
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = ("reference", "keras_check", "checks", "explain", "data", "plots", "widgets")

__all__ = list(_SUBMODULES) + ["__version__"]


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"fclab.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'fclab' has no attribute {name!r}; available: {', '.join(_SUBMODULES)}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
