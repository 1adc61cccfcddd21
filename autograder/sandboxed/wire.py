"""The plain-data codec of the sandbox channel: what may cross between a student's kernel and the grader.

Both ends use it: the agent inside the sandbox (:mod:`autograder.sandboxed.agent`, which loads this file by
path) and the trusted runner (:mod:`autograder.runner`). Every value becomes a JSON value:

=======================  =============================================================================
value                    encoded as
=======================  =============================================================================
None, bool, int, float,  themselves (NaN and infinities as JSON's ``NaN``/``Infinity``)
str
list / tuple             ``{"$list": [...]}`` / ``{"$tuple": [...]}``
dict                     ``{"$dict": [[key, value], ...]}`` (keys: None, bool, int, float, str)
numpy array              ``{"$npy": base64 of the .npy file}``: numeric or bool dtypes only, read back with
                         ``np.load(allow_pickle=False)``, at most ``MAX_ARRAY_BYTES``
numpy scalar             ``{"$npscalar": base64 .npy of a 0-d array}``
tf tensor / variable     ``{"$tensor": base64 .npy}`` (a ``tf.constant`` where the reader imported TF)
Keras model / layer      ``{"$keras": {"config": serialize_keras_object(...), "weights": [.npy, ...]}}``
                         (the config holds the compile config of a compiled model)
Keras History            ``{"$history": {"history": ..., "epoch": ..., "params": ...}}`` (what ``fit``
                         returned, as data: a fresh ``keras.callbacks.History`` holding those three)
opaque handle            ``{"$handle": id, "type": "ClassName", "callable": bool}``: an object that stays
                         where it lives (its attributes, methods and items are reached through the agent)
a library function       ``{"$ref": "numpy.maximum"}``: a module-level function of numpy, keras,
                         tensorflow or fclab, by its dotted name (trusted side -> sandbox only)
a setup cell's function  ``{"$global": "name"}``: a function a protected setup cell of the notebook
                         defines, which the kernel also ran: the kernel's own copy (trusted side -> sandbox
                         only)
=======================  =============================================================================

Nothing is ever unpickled, imported (except a ``$ref`` inside the sandbox) or executed when decoding. A raw
JSON list or object where an encoded value is expected is refused: the reader never guesses.

A Keras model read on the trusted side (:func:`keras_from_wire` with ``strict=True``) is rebuilt with Keras
safe mode from a config whose every object is on an allow-list of Keras's own classes (``KERAS_CLASSES``:
Sequential/Functional models and the layers of fully-connected networks; any initializer, regularizer,
constraint, optimizer, loss, metric or activation) with no registered custom name; anything else (a
``Lambda``, a custom class, a layer that reads files) is refused with the class it names.
"""

import base64
import io
import sys

import numpy as np

MAX_ARRAY_BYTES = 64 * 2**20
MAX_DEPTH = 40
MAX_ITEMS = 100_000
MAX_TEXT = 4 * 2**20
ARRAY_KINDS = "biufc"
REF_ROOTS = ("numpy", "keras", "tensorflow", "fclab")
KERAS_MODULES = ("keras",)
MAX_KERAS_SIZE = 65_536  # units, or one dimension of an input shape, of a layer the grader rebuilds
MAX_KERAS_PARAMS = 16 * 2**20  # weights of a whole rebuilt model (64 MiB of float32), estimated from its config
SIZE_KEYS = ("units", "batch_shape", "batch_input_shape", "input_shape", "shape", "input_dim", "output_dim")
KERAS_REFUSED = ("Lambda", "TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer")
# classes a rebuilt config may name, by module: layers and models a fully-connected course builds (no layer that
# reads files, runs code or wraps another framework); the other modules hold only value objects
KERAS_CLASSES = {
    "keras": {"Sequential", "Functional", "Model", "DTypePolicy", "FloatDTypePolicy"},
    "keras.layers": {"InputLayer", "Dense", "EinsumDense", "Dropout", "BatchNormalization", "LayerNormalization",
                     "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Flatten", "Reshape", "Permute",
                     "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
                     "GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D", "UnitNormalization",
                     "Identity", "RepeatVector", "ActivityRegularization", "Rescaling", "Normalization"},
}
KERAS_VALUE_MODULES = ("keras.initializers", "keras.regularizers", "keras.constraints", "keras.optimizers",
                       "keras.optimizers.schedules", "keras.losses", "keras.metrics", "keras.activations")


class CannotCross(ValueError):
    """A value that is not plain data (or is too big) was asked to cross the sandbox boundary."""


# -- encode -----------------------------------------------------------------------------------------------
def encode(value, fallback, depth=0):
    """``value`` -> JSON value; ``fallback(value)`` encodes what is not plain data (or raises CannotCross)."""
    if depth > MAX_DEPTH:
        raise CannotCross(f"data nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)) or type(value) in (int, float):
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise CannotCross(f"a string of {len(value)} characters (the limit is {MAX_TEXT})")
        return value
    if isinstance(value, np.ndarray) and type(value) is np.ndarray and value.dtype.kind in ARRAY_KINDS:
        return {"$npy": npy_text(value)}
    if isinstance(value, np.generic) and np.asarray(value).dtype.kind in ARRAY_KINDS:
        return {"$npscalar": npy_text(np.asarray(value))}
    if type(value) in (list, tuple):
        if len(value) > MAX_ITEMS:
            raise CannotCross(f"a {type(value).__name__} of {len(value)} items (the limit is {MAX_ITEMS})")
        return {f"${type(value).__name__}": [encode(v, fallback, depth + 1) for v in value]}
    if type(value) is dict:
        if len(value) > MAX_ITEMS:
            raise CannotCross(f"a dict of {len(value)} items (the limit is {MAX_ITEMS})")
        pairs = []
        for key, item in value.items():
            if not (key is None or type(key) in (bool, int, float, str)):
                raise CannotCross(f"a dict key of type {type(key).__name__} (keys must be str or numbers)")
            pairs.append([key, encode(item, fallback, depth + 1)])
        return {"$dict": pairs}
    tensor = _tensor_array(value)
    if tensor is not None:
        return {"$tensor": npy_text(tensor)}
    if is_keras(value):
        return {"$keras": keras_to_wire(value)}
    if _is_history(value):
        return {"$history": {key: encode(getattr(value, key, None), fallback, depth + 1)
                             for key in ("history", "epoch", "params")}}
    return fallback(value)


def npy_text(array):
    """A numeric/bool array -> base64 text of its ``.npy`` bytes (refused above ``MAX_ARRAY_BYTES``)."""
    array = np.asarray(array)
    if array.dtype.kind not in ARRAY_KINDS:
        raise CannotCross(f"an array of dtype {array.dtype} (only numbers and booleans cross)")
    if array.nbytes > MAX_ARRAY_BYTES:
        raise CannotCross(f"an array of {array.nbytes / 2**20:.0f} MB, shape {array.shape} (the grader accepts "
                          f"at most {MAX_ARRAY_BYTES // 2**20} MB)")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _tensor_array(value):
    tf = sys.modules.get("tensorflow")
    if tf is None or not isinstance(value, (tf.Tensor, tf.Variable)):
        return None
    array = np.asarray(value.numpy())
    return array if array.dtype.kind in ARRAY_KINDS else None


def is_keras(value):
    keras = sys.modules.get("keras")
    layers = getattr(keras, "layers", None)
    return layers is not None and isinstance(value, layers.Layer)


def _is_history(value):
    callbacks = getattr(sys.modules.get("keras"), "callbacks", None)
    return callbacks is not None and type(value) is callbacks.History


def keras_to_wire(model):
    """A Keras model or layer -> ``{"config", "weights"}`` (see module docstring)."""
    import keras

    try:
        config = keras.saving.serialize_keras_object(model)
        _json_only(config)
    except Exception as exc:  # a custom layer without get_config, a closure in the config, ...
        return {"refused": f"{type(model).__name__} cannot be described by its config ({type(exc).__name__}: "
                           f"{str(exc)[:200]})"}
    return {"config": config, "weights": [npy_text(np.asarray(w)) for w in model.get_weights()]}


def _json_only(value, depth=0):
    if depth > 200:
        raise CannotCross("a Keras config nested too deeply")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CannotCross(f"a Keras config key of type {type(key).__name__}")
            _json_only(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _json_only(item, depth + 1)
    elif not (value is None or isinstance(value, (bool, int, float, str))):
        raise CannotCross(f"a Keras config holding a {type(value).__name__}")


# -- decode -----------------------------------------------------------------------------------------------
def decode(data, on_handle, on_ref=None, on_keras=None, depth=0, on_global=None):
    """A JSON value from :func:`encode` -> the value.

    ``on_handle(id, type_name, callable)`` makes the local stand-in of an opaque handle; ``on_ref(name)``
    resolves a ``$ref`` (None: refused); ``on_keras(wire)`` rebuilds a Keras object (default
    :func:`keras_from_wire` in strict mode).
    """
    if depth > MAX_DEPTH:
        raise CannotCross(f"data nested more than {MAX_DEPTH} levels deep")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if not isinstance(data, dict) or len(data) == 0:
        raise CannotCross(f"a raw JSON {type(data).__name__} where an encoded value was expected")
    tag = next(iter(data))
    body = data[tag]
    again = lambda item: decode(item, on_handle, on_ref, on_keras, depth + 1, on_global)  # noqa: E731
    if tag in ("$list", "$tuple") and isinstance(body, list) and len(body) <= MAX_ITEMS:
        items = [again(v) for v in body]
        return items if tag == "$list" else tuple(items)
    if tag == "$dict" and isinstance(body, list) and len(body) <= MAX_ITEMS:
        out = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and (pair[0] is None or
                                                                   isinstance(pair[0], (bool, int, float, str)))):
                raise CannotCross("a malformed dict entry")
            out[pair[0]] = again(pair[1])
        return out
    if tag == "$npy":
        return array_from_text(body)
    if tag == "$npscalar":
        return array_from_text(body)[()]
    if tag == "$tensor":
        array = array_from_text(body)
        tf = sys.modules.get("tensorflow")
        return tf.constant(array) if tf is not None else array
    if tag == "$keras" and isinstance(body, dict):
        return (on_keras or keras_from_wire)(body)
    if tag == "$history" and isinstance(body, dict):
        import keras

        history = keras.callbacks.History()
        history.history, history.epoch, history.params = (again(body.get(k)) for k in ("history", "epoch", "params"))
        return history
    if tag == "$handle" and isinstance(body, int) and not isinstance(body, bool):
        return on_handle(body, str(data.get("type", "object"))[:200], bool(data.get("callable")))
    if tag == "$global" and isinstance(body, str):
        if on_global is None:
            raise CannotCross(f"a reference to the notebook's {body[:100]!r}: references only go into the sandbox")
        return on_global(body)
    if tag == "$ref" and isinstance(body, str):
        if on_ref is None:
            raise CannotCross(f"a reference to {body[:100]!r}: references only go into the sandbox")
        return on_ref(body)
    raise CannotCross(f"an unknown encoded value {tag[:40]!r}")


def array_from_text(text):
    """base64 ``.npy`` text -> a numeric/bool ndarray (never unpickles; size-capped before decoding)."""
    if not isinstance(text, str) or len(text) * 3 // 4 > MAX_ARRAY_BYTES + 4096:
        raise CannotCross(f"an array of more than {MAX_ARRAY_BYTES // 2**20} MB (the limit of the grader)")
    try:
        array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise CannotCross(f"a malformed array ({exc})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in ARRAY_KINDS:
        raise CannotCross("an array that is not numeric")
    return array


def resolve_ref(name):
    """A ``$ref`` inside the sandbox: a module-level function of numpy, keras, tensorflow or fclab."""
    import importlib

    parts = name.split(".")
    if parts[0] not in REF_ROOTS or any(not p.isidentifier() or p.startswith("_") for p in parts):
        raise CannotCross(f"a reference to {name!r} (only public functions of {', '.join(REF_ROOTS)})")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr)
        return obj
    raise CannotCross(f"a reference to {name!r} that does not import")


def ref_name(fn):
    """The dotted name a trusted library function crosses as, or None (a lambda, a test's own function)."""
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname or "." in qualname:
        name = getattr(fn, "__name__", None)
        if isinstance(module, str) and module.startswith("numpy") and isinstance(name, str):
            qualname = name  # numpy ufuncs have no __qualname__
        else:
            return None
    if module.split(".")[0] not in REF_ROOTS:
        return None
    public = {"keras.src": "keras", "tensorflow.python": "tensorflow"}
    for private, visible in public.items():
        if module.startswith(private):
            return _public_name(visible, fn)
    return f"{module}.{qualname}"


def _public_name(root, fn):
    """``keras.src.activations.activations.relu`` -> ``keras.activations.relu`` when that is the same object."""
    name = getattr(fn, "__name__", "")
    for sub in ("activations", "ops", "layers", "losses", "initializers", "math", "nn"):
        module = sys.modules.get(f"{root}.{sub}") or getattr(sys.modules.get(root), sub, None)
        if module is not None and getattr(module, name, None) is fn:
            return f"{root}.{sub}.{name}"
    return None


def keras_from_wire(body, strict=True):
    """``{"config", "weights"}`` -> a Keras model or layer rebuilt with safe mode (see module docstring)."""
    if "refused" in body:
        raise CannotCross(f"a Keras object that cannot cross: {str(body['refused'])[:300]}")
    config, weights = body.get("config"), body.get("weights", [])
    if strict:
        check_keras_config(config)
        params = estimated_params(config)
        if params > MAX_KERAS_PARAMS:
            raise CannotCross(f"a Keras model of about {params:,} weights (more than {MAX_KERAS_PARAMS:,}: the "
                              f"grader does not rebuild models that large)")
    import keras

    try:
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as exc:
        raise CannotCross(f"a Keras config that does not rebuild ({type(exc).__name__}: {str(exc)[:300]})") from None
    if strict:
        for layer in [model] + list(getattr(model, "_flatten_layers", lambda: [])()):
            if not type(layer).__module__.startswith("keras."):
                raise CannotCross(f"a Keras object of class {type(layer).__qualname__} (only Keras's own layers "
                                  f"and models are rebuilt by the grader)")
    if not isinstance(weights, list):
        raise CannotCross("Keras weights that are not a list")
    if weights:
        arrays = [array_from_text(w) for w in weights]
        try:
            model.set_weights(arrays)
        except Exception as exc:
            raise CannotCross(f"Keras weights that do not fit the config ({type(exc).__name__}: "
                              f"{str(exc)[:300]})") from None
    return model


def compile_from_wire(model, body):
    """Give ``model`` the compile config (loss, optimizer, metrics) carried in ``body``, if any (trusted side)."""
    config = body.get("config") if isinstance(body, dict) else None
    compiled = config.get("compile_config") if isinstance(config, dict) else None
    if not compiled:
        return
    check_keras_config(compiled)
    try:
        model.compile_from_config(compiled)
    except Exception as exc:
        raise CannotCross(f"a compile config that does not apply ({type(exc).__name__}: {str(exc)[:300]})") from None


def check_keras_config(config, depth=0):
    """Refuse any object in a Keras config that is not one of Keras's own classes (raises CannotCross)."""
    if depth > 200:
        raise CannotCross("a Keras config nested too deeply")
    if isinstance(config, list):
        for item in config:
            check_keras_config(item, depth + 1)
        return
    if not isinstance(config, dict):
        return
    if "class_name" in config:
        name, module = config.get("class_name"), config.get("module")
        registered = config.get("registered_name")
        what = f"{name!r}" + (f" from {module!r}" if module else "")
        if name in KERAS_REFUSED or not isinstance(name, str) or name.startswith("__"):
            raise CannotCross(f"a Keras {what} layer or function (it carries Python code; the grader rebuilds "
                              f"only Keras's own built-in layers, never code from a submission)")
        allowed = module in KERAS_VALUE_MODULES or name in KERAS_CLASSES.get(module, ())
        if not (isinstance(module, str) and allowed):
            raise CannotCross(f"a Keras object of class {what} (only Keras's own layers and models for "
                              f"fully-connected networks cross; a custom class cannot be rebuilt safely)")
        if registered is not None and (not isinstance(registered, str) or ">" in registered):
            raise CannotCross(f"a Keras object registered as {registered!r} (a custom class)")
    for key, item in config.items():
        if key == "module" and isinstance(item, str) and not (item in KERAS_MODULES or item.startswith("keras.")):
            raise CannotCross(f"a Keras config naming the module {item!r}")
        if key in SIZE_KEYS:
            _check_sizes(key, item)
        check_keras_config(item, depth + 1)


def estimated_params(config):
    """About how many weights the model a (checked) config describes will hold once built: its Dense layers'
    ``in * units + units``, in the order they appear, each one's ``in`` the units before it (the first one's,
    the input shape's last dimension, or the largest size in the config when none is given)."""
    sizes, layers = [], []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("class_name") in ("Dense", "EinsumDense") and isinstance(node.get("config"), dict):
                units = node["config"].get("units")
                layers.append(units if isinstance(units, int) and not isinstance(units, bool) else 1)
            for key, item in node.items():
                if key in SIZE_KEYS and key != "units":
                    values = item if isinstance(item, list) else [item]
                    sizes.extend(v for v in values if isinstance(v, int) and not isinstance(v, bool))
                walk(item)

    walk(config)
    first = sizes[-1] if sizes else max(layers, default=1)  # an input shape's last dimension
    total, previous = 0, max(first, 1)
    for units in layers:
        total += previous * units + units
        previous = units
    return total


def _check_sizes(key, value):
    """Refuse sizes that would make the trusted process allocate without bound (``Dense(10**9)``)."""
    sizes = [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else \
        [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)] if isinstance(value, list) else []
    for size in sizes:
        if size > MAX_KERAS_SIZE:
            raise CannotCross(f"a Keras config with {key}={size} (more than {MAX_KERAS_SIZE}: the grader does not "
                              f"rebuild layers that large)")
