"""Loss functions equal to ``keras.losses.<same name>``: one value per sample.

Each function reduces over the LAST axis only, like the Keras functions (not the ``Loss`` classes,
which also average over the batch): ``y_pred`` of shape ``(batch, classes)`` gives ``(batch,)``. Take
``.mean()`` for the number ``model.fit`` reports.

Probabilities are clipped to ``[EPSILON, 1 - EPSILON]`` with Keras's ``EPSILON = 1e-7`` before the log,
so a confident wrong answer costs about ``-log(1e-7) = 16.1``, not infinity. With ``from_logits=True``
the inputs are raw scores and the stable log-sum-exp forms are used instead (no clipping), as in
``tf.nn.softmax_cross_entropy_with_logits`` and ``sigmoid_cross_entropy_with_logits``.
"""

import numpy as np

from fclab.reference._arrays import as_float, shape_text

EPSILON = 1e-7  # keras.backend.epsilon()


def _pair(y_true, y_pred, name):
    y_pred = as_float(y_pred)
    y_true = np.asarray(y_true).astype(y_pred.dtype)
    # Keras's squeeze_or_expand_to_same_rank: (batch,) against (batch, 1) is accepted either way round.
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_pred, y_true = (y_pred[..., None], y_true) if y_pred.ndim == 1 else (y_pred, y_true[..., 0])
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_true, y_pred = (y_true[..., None], y_pred) if y_true.ndim == 1 else (y_true, y_pred[..., 0])
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{name} needs y_true and y_pred of the same shape; received y_true {shape_text(y_true.shape)} and "
            f"y_pred {shape_text(y_pred.shape)}."
            + (
                " For integer class labels use sparse_categorical_crossentropy, or one-hot encode y_true."
                if y_true.ndim + 1 == y_pred.ndim or (y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1)
                else ""
            )
        )
    return y_true, y_pred


def _log_softmax(logits):
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def mean_squared_error(y_true, y_pred):
    """``mean((y_true - y_pred)**2, axis=-1)``.

    Args:
        y_true: (batch, ..., d) targets.
        y_pred: (batch, ..., d) predictions.

    Returns:
        (batch, ...) per-sample loss, y_pred's dtype (float32 for float32 input).
    """
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_error")
    return np.mean(np.square(y_true - y_pred), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False):
    """``mean(-(y log p + (1 - y) log(1 - p)), axis=-1)`` for independent 0/1 targets.

    Args:
        y_true: (batch, ..., d) targets in [0, 1].
        y_pred: (batch, ..., d) probabilities (e.g. sigmoid outputs), or logits with ``from_logits=True``.
        from_logits: treat y_pred as raw scores (stable form ``max(x, 0) - x*y + log(1 + exp(-|x|))``).

    Returns:
        (batch, ...) per-sample loss.
    """
    y_true, y_pred = _pair(y_true, y_pred, "binary_crossentropy")
    if from_logits:
        x = y_pred
        per_entry = np.maximum(x, 0) - x * y_true + np.log1p(np.exp(-np.abs(x)))
    else:
        eps = y_pred.dtype.type(EPSILON)
        p = np.clip(y_pred, eps, 1 - eps)
        per_entry = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    return np.mean(per_entry, axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    """``-sum(y_true * log(p), axis=-1)`` for one-hot (or soft) targets.

    Without logits, each row of ``y_pred`` is first divided by its sum (as Keras does) and then clipped
    to ``[1e-7, 1 - 1e-7]``.

    Args:
        y_true: (batch, ..., classes) one-hot or probability targets.
        y_pred: (batch, ..., classes) probabilities (softmax outputs), or logits with ``from_logits=True``.
        from_logits: treat y_pred as raw scores (uses log-softmax, stable for any logits).

    Returns:
        (batch, ...) per-sample loss.
    """
    y_true, y_pred = _pair(y_true, y_pred, "categorical_crossentropy")
    if from_logits:
        log_p = _log_softmax(y_pred)
    else:
        eps = y_pred.dtype.type(EPSILON)
        p = y_pred / np.sum(y_pred, axis=-1, keepdims=True)
        log_p = np.log(np.clip(p, eps, 1 - eps))
    return -np.sum(y_true * log_p, axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """``-log p[label]`` for integer class labels.

    Without logits, Keras (TensorFlow backend) clips the probabilities to ``[1e-7, 1 - 1e-7]``, takes the
    log and feeds that to a log-softmax, which renormalises the clipped row; this function does the same.

    Args:
        y_true: (batch, ...) integer labels in ``[0, classes)`` (a trailing axis of size 1 is accepted).
        y_pred: (batch, ..., classes) probabilities, or logits with ``from_logits=True``.
        from_logits: treat y_pred as raw scores.

    Returns:
        (batch, ...) per-sample loss.

    Raises:
        ValueError: for shapes that do not fit or labels outside ``[0, classes)``.
    """
    y_pred = as_float(y_pred)
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.ndim > 0 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if y_pred.ndim < 1 or labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            "sparse_categorical_crossentropy needs y_true with the shape of y_pred without its last (class) "
            f"axis; received y_true {shape_text(labels.shape)} and y_pred {shape_text(y_pred.shape)}."
            + (" y_true looks one-hot: use categorical_crossentropy." if labels.shape == y_pred.shape else "")
        )
    if not np.all(np.mod(labels, 1) == 0):
        raise ValueError(f"sparse_categorical_crossentropy needs integer labels; received {labels.ravel()[:5]}...")
    labels = labels.astype(np.int64)
    classes = y_pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"Labels must be in [0, {classes}) for y_pred with {classes} classes (shape "
            f"{shape_text(y_pred.shape)}); received labels from {labels.min()} to {labels.max()}."
        )
    if from_logits:
        log_p = _log_softmax(y_pred)
    else:
        eps = y_pred.dtype.type(EPSILON)
        log_p = _log_softmax(np.log(np.clip(y_pred, eps, 1 - eps)))
    return -np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]


_BY_NAME = {
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}
NAMES = tuple(_BY_NAME)


def get(name):
    """The loss function for a Keras name (``"mse"`` is an alias), or a callable unchanged.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if callable(name):
        return name
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown loss {name!r}. Known names: {', '.join(NAMES)}.") from None
