"""Plain-language explanations of shape errors from numpy, tf.matmul and Keras layers.

>>> import numpy as np, fclab.explain
>>> X, W = np.ones((4, 12)), np.ones((20, 10))
>>> with fclab.explain.shapes():      # doctest: +SKIP
...     X @ W
ShapeError: X @ W failed: X has shape (4, 12), 12 features per row, but W has shape (20, 10), so it expects
20 input features (its rows). ...

Recognised errors (the original exception stays chained as ``__cause__``):

- numpy ``matmul``/``@`` ("mismatch in its core dimension 0 ... (size 20 is different from 12)") and
  ``np.dot`` ("shapes (4,12) and (20,10) not aligned");
- numpy broadcasting ("operands could not be broadcast together with shapes (4,10) (5,)"), e.g. ``+ b``;
- TensorFlow ``tf.matmul`` ("Matrix size-incompatible: In[0]: [4,12], In[1]: [20,10]"), batched matmul
  and ``Incompatible shapes: [4,10] vs. [5]``;
- the Keras input-spec ValueError ("Input 0 of layer "dense" is incompatible with the layer: expected axis
  -1 of input shape to have value 20, but received input with shape (4, 12)") and its ndim variants.

numpy's matmul message gives only the two disagreeing sizes; the operands' names and full shapes come from
the frame that raised: the arrays named on the failing source line whose shapes fit those sizes.
"""

import contextlib
import linecache
import re

import numpy as np

from fclab._text import shape_text

__all__ = ["ShapeError", "explain", "shapes"]


class ShapeError(ValueError):
    """A shape error explained in one plain paragraph; the original error is its ``__cause__``."""


def _parse_shape(text):
    """'(4,12)', '[4,12]', '(None, 12)' -> tuple of ints/None."""
    parts = [p.strip() for p in text.strip("()[] ").split(",") if p.strip()]
    return tuple(None if p in ("None", "?", "-1") else int(p) for p in parts)


# ---- operands from the frame that raised ------------------------------------------------------------------

def _shape_of(value):
    if isinstance(value, np.ndarray):
        return value.shape
    module = type(value).__module__ or ""
    if module.startswith(("tensorflow", "keras")) and hasattr(value, "shape"):
        try:
            return tuple(None if d is None else int(d) for d in value.shape)
        except (TypeError, ValueError):
            return None
    return None


def _named_arrays(exc):
    """[(name, shape)] of the arrays named on the source line that raised, in order of appearance."""
    tb = getattr(exc, "__traceback__", None)
    if tb is None:
        return []
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    line = linecache.getline(frame.f_code.co_filename, tb.tb_lineno)
    found, seen = [], set()
    for name, transposed in re.findall(r"(?<![\w.])([A-Za-z_]\w*)(\.T\b)?", line):
        if name + transposed in seen:
            continue
        seen.add(name + transposed)
        value = frame.f_locals.get(name, frame.f_globals.get(name))
        shape = _shape_of(value)
        if shape is not None:
            found.append((name + transposed, tuple(shape)[::-1] if transposed else tuple(shape)))
    return found


def _pick(candidates, test, exclude=None):
    for name, shape in candidates:
        if name != exclude and test(shape):
            return name, shape
    return None, None


# ---- paragraphs ------------------------------------------------------------------------------------------

def _matmul_text(k_left, k_right, left=None, right=None, left_shape=None, right_shape=None):
    """Paragraph for X @ W where X's last axis (k_left) differs from W's first axis (k_right)."""
    left, right = left or "X", right or "W"
    ls = f" has shape {shape_text(left_shape)}, so it" if left_shape else ""
    rs = f"has shape {shape_text(right_shape)}, so it expects" if right_shape else "expects"
    text = (f"{left} @ {right} failed: {left}{ls} has {k_left} features per row (its last axis), but {right} "
            f"{rs} {k_right} rows (one per input feature). In a matrix product the last axis of the left "
            f"operand must equal the first axis of the right one, and {k_left} is not {k_right}. ")
    if right_shape and len(right_shape) == 2 and right_shape[1] == k_left and right.endswith(".T"):
        base = right[:-2]
        return text + (f"{base} is already (in, units) = {shape_text(right_shape[::-1])}: drop the .T and use "
                       f"{left} @ {base}.")
    if right_shape and len(right_shape) == 2 and right_shape[1] == k_left:
        return text + (f"{right} looks transposed: it is (units, in) = {shape_text(right_shape)}, but a kernel is "
                       f"(in, units). Use {left} @ {right}.T, or build {right} as ({k_left}, {right_shape[0]}).")
    if left_shape and len(left_shape) == 2 and left_shape[0] == k_right:
        return text + (f"{left} looks transposed (one example per column): use {left}.T @ {right}, or keep "
                       f"examples in rows, shape (batch, {k_right}).")
    return text + (f"Likely fix: {right} must be ({k_left}, units), or {left} must have {k_right} columns; if you "
                   f"built {right} as (units, in), transpose it.")


def _broadcast_text(shapes, names):
    """Paragraph for arrays whose shapes cannot be broadcast together."""
    a, b = shapes[0], shapes[1]
    na, nb = names
    ndim = max(len(a), len(b))
    pa, pb = (None,) * (ndim - len(a)) + tuple(a), (None,) * (ndim - len(b)) + tuple(b)
    bad = [i - ndim for i in range(ndim) if pa[i] is not None and pb[i] is not None
           and pa[i] != pb[i] and 1 not in (pa[i], pb[i])]
    where = ", ".join(f"axis {ax}: {pa[ax]} vs {pb[ax]}" for ax in bad)
    text = (f"Combining {na} {shape_text(a)} and {nb} {shape_text(b)} elementwise (e.g. + or *) failed: numpy "
            f"lines the shapes up from the last axis, and each pair of lengths must be equal or 1; here "
            f"they disagree on {where or 'some axis'}. ")
    if len(b) == 1 and len(a) >= 1 and bad == [-1]:
        return text + (f"If {nb} is a bias, it needs one entry per unit: shape ({a[-1]},), because {na} has "
                       f"{a[-1]} units (columns); {nb} has {b[0]}, so it belongs to a layer with {b[0]} units, or "
                       f"the kernel has the wrong number of columns.")
    if len(a) == 1 and len(b) >= 1 and bad == [-1]:
        return text + (f"If {na} is a bias, it needs one entry per unit: shape ({b[-1]},), matching the last axis "
                       f"of {nb}.")
    if len(a) == len(b) == 2 and tuple(a) == tuple(b)[::-1]:
        return text + f"One of them is transposed: use {nb}.T, or fix where it is built."
    return text + ("Likely fix: make the lengths on those axes equal, or 1 where one array should repeat "
                   "(reshape(-1, 1) turns a vector into a column).")


def _keras_axis_text(layer, axis, value, received):
    features = received[axis] if received and -len(received) <= axis < len(received) else "?"
    return (f'Layer "{layer}" expects inputs whose axis {axis} has {value} features (it was built for '
            f"{value}: its kernel is ({value}, units)), but it received input of shape {shape_text(received)}, "
            f"with {features} features. Either feed data with {value} features per example, or build a new "
            f"layer/model for {features} features (keras.Input(shape=({features},))); a built layer keeps "
            f"its kernel's size (Keras 3 refuses to rebuild it).")


def _keras_ndim_text(layer, bound, expected, found, received):
    shape = f" (shape {shape_text(received)})" if received is not None else ""
    fix = (" Add the batch axis: x[None, :] or x.reshape(1, -1) turns one example into a batch of one."
           if found < expected else " Flatten or reshape the input to the rank the layer expects.")
    least = {"min_": "at least ", "max_": "at most "}.get(bound or "", "")
    return (f'Layer "{layer}" expects inputs with {least}{expected} axes (batch first, then features), but '
            f"received {found} {'axis' if found == 1 else 'axes'}{shape}." + fix)


# ---- recognisers -----------------------------------------------------------------------------------------

_NUMPY_MATMUL = re.compile(r"matmul: Input operand 1 has a mismatch in its core dimension 0.*?"
                           r"\(size (\d+) is different from (\d+)\)", re.S)
_NUMPY_DOT = re.compile(r"shapes (\([\d, ]*\)) and (\([\d, ]*\)) not aligned: (\d+) \(dim \d+\) != (\d+)")
_BROADCAST = re.compile(r"operands could not be broadcast together with shapes ((?:\([\d, ]*\) ?)+)")
_TF_MATMUL = re.compile(r"Matrix size-incompatible: In\[0\]: (\[[\d,]*\]), In\[1\]: (\[[\d,]*\])")
_TF_BATCH_MATMUL = re.compile(r"In\[0\] mismatch In\[1\] shape: (\d+) vs\. (\d+): (\[[\d,]*\]) (\[[\d,]*\])")
_TF_INCOMPATIBLE = re.compile(r"Incompatible shapes: (\[[\d,]*\]) vs\. (\[[\d,]*\])")
_KERAS_AXIS = re.compile(r"Input \d+(?: with name '[^']*')? of layer [\"']([^\"']+)[\"'] is incompatible with the "
                         r"layer: expected axis (-?\d+) of input shape to have value (\d+), but received input "
                         r"with shape (\([^)]*\))")
_KERAS_NDIM = re.compile(r"Input \d+(?: with name '[^']*')? of layer [\"']([^\"']+)[\"'] is incompatible with the "
                         r"layer: expected (min_|max_)?ndim=(\d+), found ndim=(\d+)"
                         r"(?:\. Full shape received: (\([^)]*\)))?")
_KERAS_SHAPE = re.compile(r"Input \d+(?: with name '[^']*')? of layer [\"']([^\"']+)[\"'] is incompatible with the "
                          r"layer: expected shape=(\([^)]*\)), found shape=(\([^)]*\))")


def _explain_matmul(message, exc):
    m = _NUMPY_MATMUL.search(message)
    if m:
        k_right, k_left = int(m.group(1)), int(m.group(2))
        arrays = _named_arrays(exc)
        left, left_shape = _pick(arrays, lambda s: len(s) >= 1 and s[-1] == k_left)
        right, right_shape = _pick(arrays, lambda s: (len(s) >= 2 and s[-2] == k_right)
                                   or (len(s) == 1 and s[0] == k_right), exclude=left)
        return _matmul_text(k_left, k_right, left, right, left_shape, right_shape)
    m = _NUMPY_DOT.search(message) or _TF_MATMUL.search(message)
    if m:
        a, b = _parse_shape(m.group(1)), _parse_shape(m.group(2))
        names = {shape: name for name, shape in reversed(_named_arrays(exc))}
        return _matmul_text(a[-1], b[-2] if len(b) >= 2 else b[0], names.get(a), names.get(b), a, b)
    m = _TF_BATCH_MATMUL.search(message)
    if m:
        a, b = _parse_shape(m.group(3)), _parse_shape(m.group(4))
        names = {shape: name for name, shape in reversed(_named_arrays(exc))}
        return _matmul_text(a[-1], b[-2], names.get(a), names.get(b), a, b)
    return None


def _explain_broadcast(message, exc):
    m = _BROADCAST.search(message)
    shapes_found = [_parse_shape(s) for s in re.findall(r"\([\d, ]*\)", m.group(1))] if m else None
    if not m:
        m = _TF_INCOMPATIBLE.search(message)
        shapes_found = [_parse_shape(m.group(1)), _parse_shape(m.group(2))] if m else None
    if not shapes_found or len(shapes_found) < 2:
        return None
    arrays = _named_arrays(exc)
    names = []
    for k, shape in enumerate(shapes_found[:2]):
        name, _ = _pick(arrays, lambda s, shape=shape: s == shape, exclude=names[0] if names else None)
        names.append(name or ("the first array", "the second array")[k])
    return _broadcast_text(shapes_found, names)


def _explain_keras(message):
    m = _KERAS_AXIS.search(message)
    if m:
        return _keras_axis_text(m.group(1), int(m.group(2)), int(m.group(3)), _parse_shape(m.group(4)))
    m = _KERAS_NDIM.search(message)
    if m:
        received = _parse_shape(m.group(5)) if m.group(5) else None
        return _keras_ndim_text(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), received)
    m = _KERAS_SHAPE.search(message)
    if m:
        expected, received = _parse_shape(m.group(2)), _parse_shape(m.group(3))
        return (f'Layer "{m.group(1)}" expects inputs of shape {shape_text(expected)} (None: any batch size) '
                f"but received shape {shape_text(received)}. Feed data of the shape its keras.Input declares, "
                "or change the Input's shape.")
    return None


def explain(exc):
    """One plain paragraph explaining the shape error ``exc``, or None when it is not one we recognise.

    Args:
        exc: an exception (numpy ValueError, TensorFlow InvalidArgumentError, Keras ValueError, ...).
            When it still carries its traceback, the operands' names and shapes are read from the frame.

    Returns:
        str or None.
    """
    if isinstance(exc, ShapeError):
        return str(exc)
    message = str(exc)
    return _explain_keras(message) or _explain_matmul(message, exc) or _explain_broadcast(message, exc)


@contextlib.contextmanager
def shapes():
    """Turn recognised shape errors raised inside the block into :class:`ShapeError`.

    The ShapeError's message is the paragraph from :func:`explain`; the original exception is chained
    (``raise ShapeError(...) from exc``), so its traceback stays visible. Other exceptions pass unchanged.
    """
    __tracebackhide__ = True
    try:
        yield
    except ShapeError:
        raise
    except Exception as exc:
        text = explain(exc)
        if text is None:
            raise
        raise ShapeError(text) from exc
