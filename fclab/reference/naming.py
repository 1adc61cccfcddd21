"""Automatic layer and model names like Keras's ("dense", "dense_1", ...) and ``clear_session``.

Keras keeps one counter per base name for the whole Python session: the first ``Dense`` is called
``dense``, the next ``dense_1``, then ``dense_2``, ... ``keras.backend.clear_session()`` resets the counters;
``fclab.reference.clear_session()`` does the same for the reference layers (Keras's and fclab's counters
are separate).

It also keeps the name scope that gives variables their Keras ``path``: a Dense named ``dense`` built
inside a Sequential named ``sequential`` creates ``sequential/dense/kernel``; built on its own,
``dense/kernel``.
"""

import contextlib
import re

_counters = {}
_scope = []


def to_snake_case(name):
    """``"BatchNormalization"`` -> ``"batch_normalization"`` (Keras's rule for default names)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    """Return ``base`` the first time, then ``base_1``, ``base_2``, ... (until ``clear_session``)."""
    count = _counters.get(base, 0)
    _counters[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session():
    """Reset the automatic-name counters, so the next Dense is called ``dense`` again.

    Like ``keras.backend.clear_session()`` (which resets Keras's own counters, not these).
    """
    _counters.clear()
    _scope.clear()


@contextlib.contextmanager
def name_scope(name):
    """Within this block, new variables get ``name/`` in front of their path."""
    _scope.append(name)
    try:
        yield
    finally:
        _scope.pop()


def current_path(*parts):
    """Join the open scopes and ``parts`` with ``/``: ``current_path("kernel")`` -> ``"sequential/dense/kernel"``."""
    return "/".join([*_scope, *parts])
