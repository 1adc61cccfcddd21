"""The real ``keras.Sequential`` of a Dense stack, built off the interactive path and cached.

Building a Keras model costs 15–100 ms (variable creation in TensorFlow), more than a control change may
take, so the stack explorer draws its numpy side at once and asks for Keras's side here: one worker thread
builds the models in turn, and results are cached by configuration, so going back to a stack seen before
is instant.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 128
_LOCK = threading.Lock()
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fclab-keras")


def names(count: int) -> list[str]:
    """Keras's automatic names in a fresh session: dense, dense_1, dense_2, …"""
    return ["dense" if i == 0 else f"dense_{i}" for i in range(count)]


def cached(input_dim: int, specs: tuple):
    """The result of :func:`keras_side` for this configuration if it was built before, else None."""
    with _LOCK:
        return _CACHE.get((input_dim, specs))


def keras_side(input_dim: int, specs: tuple):
    """Build ``keras.Sequential([keras.Input((input_dim,)), Dense…])`` and describe it.

    Args:
        input_dim: input features.
        specs: tuple of (units, activation, use_bias), one per Dense layer.

    Returns:
        (rows, total, summary): rows are (name, output shape, params) per layer, total is
        ``model.count_params()``, summary the text of ``model.summary()``.
    """
    key = (input_dim, specs)
    found = cached(*key)
    if found is not None:
        return found
    from fclab._tf import keras

    k = keras()
    model = k.Sequential([k.Input(shape=(input_dim,))]
                         + [k.layers.Dense(u, activation=a, use_bias=b, name=n)
                            for (u, a, b), n in zip(specs, names(len(specs)))])
    rows = tuple((layer.name, tuple(layer.output.shape), layer.count_params()) for layer in model.layers)
    lines = []
    model.summary(print_fn=lambda line, **_: lines.append(line))
    result = (rows, model.count_params(), "\n".join(lines))
    with _LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def submit(fn, *args) -> Future:
    """Run ``fn(*args)`` on the Keras worker thread."""
    return _WORKER.submit(fn, *args)
