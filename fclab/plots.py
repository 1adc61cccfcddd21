"""Figures for the lessons: activation curves, training curves, decision boundaries, weights, errors.

Every function returns a ``matplotlib.figure.Figure`` and leaves no figure open in pyplot (figures are
created with ``plt.subplots`` and closed at once), so nothing leaks between cells and it works on Agg.
In Jupyter, make the call the last line of a cell (or ``display(fig)``) to show the figure.
"""

import numpy as np

from fclab.checks._compare import shape_text
from fclab.palette import (CLASS_COLORS, DASH_MPL, DASHED_ACTIVATIONS, TEST_COLOR, TRAIN_COLOR, activation_color,
                           class_cmap, diverging_cmap)


def _figure(nrows=1, ncols=1, **kwargs):
    """A new Figure and its axes, already removed from pyplot's list of open figures."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    plt.close(fig)
    return fig, axes


def _labels(values, name):
    """Integer labels from labels, one-hot rows or class scores (argmax over the last axis)."""
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] > 1:
        return np.argmax(values, axis=-1)
    if values.ndim == 2:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(f"{name} must be labels (n,) or scores (n, classes); got shape {shape_text(values.shape)}.")
    return values.astype(np.int64)


def plot_activations(names, x_range=(-5, 5), derivative=True):
    """Plot activation functions (and their derivatives) over ``x_range``.

    Args:
        names: an activation name (``"relu"``), a function, or a list of those (see
            ``fclab.reference.activations.NAMES``; softmax is not elementwise and cannot be drawn this way).
        x_range: (low, high) of the x axis.
        derivative: also draw f'(x) in a second panel.

    Returns:
        Figure with one axes ("f(x)") or two ("f(x)", "f'(x)"), in the colours of ``fclab.palette`` (the
        activation explorer's).
    """
    from fclab.reference import activations

    names = [names] if isinstance(names, str) or callable(names) else list(names)
    if not names:
        raise ValueError("plot_activations needs at least one activation name, e.g. ['relu', 'sigmoid'].")
    low, high = x_range
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high; got {x_range!r}.")
    if "softmax" in names:
        raise ValueError("softmax is not elementwise (each output depends on the whole row), so it has no curve "
                         "f(x); for two classes it equals sigmoid of the logit difference: plot 'sigmoid'.")
    x = np.linspace(low, high, 401, dtype=np.float32)
    fig, axes = _figure(1, 2 if derivative else 1, figsize=(10 if derivative else 5, 3.8), squeeze=False)
    ax_f = axes[0, 0]
    for name in names:
        fn = activations.get(name)
        label = name if isinstance(name, str) else getattr(name, "__name__", "f")
        dashed = label in DASHED_ACTIVATIONS     # leaky_relu lies on relu for x > 0: dashed, drawn on top
        style = dict(label=label, color=activation_color(label), linestyle=DASH_MPL if dashed else "-",
                     linewidth=1.8 if dashed else 2.2, zorder=3 if dashed else 2)
        ax_f.plot(x, fn(x), **style)
        if derivative:
            axes[0, 1].plot(x, activations.derivative(name, x), **style)
    ax_f.set(title="Activation functions f(x)", xlabel="x", ylabel="f(x)")
    panels = [ax_f] + ([axes[0, 1]] if derivative else [])
    if derivative:
        axes[0, 1].set(title="Derivatives f'(x)", xlabel="x", ylabel="f'(x)")
    for ax in panels:
        ax.axhline(0, color="0.7", lw=0.8)
        ax.axvline(0, color="0.7", lw=0.8)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_history(history):
    """Training curves from a Keras ``History`` (``model.fit``'s return value) or a dict of lists.

    Losses (``loss``, ``val_loss``, ...) go in the left panel; other metrics (``accuracy``, ...) in the right
    one, if there are any. Validation curves are dashed.

    Returns:
        Figure with axes titled "Loss" (and "Metrics"), x label "epoch".
    """
    curves = getattr(history, "history", history)
    if not isinstance(curves, dict):
        raise TypeError(f"plot_history expects a Keras History or a dict of lists; got {type(history).__name__}.")
    if not curves:
        raise ValueError("plot_history: the history is empty; train for at least one epoch (model.fit returns it).")
    lengths = {key: len(values) for key, values in curves.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"plot_history: every curve needs one value per epoch; got lengths {lengths}.")
    losses = [k for k in curves if "loss" in k]
    metrics = [k for k in curves if "loss" not in k]
    fig, axes = _figure(1, 2 if metrics and losses else 1, figsize=(10 if metrics and losses else 5, 3.8),
                        squeeze=False)
    groups = [(title, keys) for title, keys in (("Loss", losses), ("Metrics", metrics)) if keys]
    from matplotlib.ticker import MaxNLocator

    for ax, (title, keys) in zip(axes[0], groups):
        for key in keys:
            epochs = np.arange(1, lengths[key] + 1)
            color = (TRAIN_COLOR if key == "loss" else TEST_COLOR if key == "val_loss" else None)
            ax.plot(epochs, np.asarray(curves[key], dtype=float), "--" if key.startswith("val_") else "-",
                    marker="o" if lengths[key] < 30 else None, label=key, color=color)
        ax.set(title=title, xlabel="epoch", ylabel=title.lower() if title == "Loss" else "value")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))     # epochs are whole numbers
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def _scores(predict_fn, grid):
    """Scores for the grid points: call the function (or Keras model), else its ``predict`` (scikit-learn)."""
    out = predict_fn(grid) if callable(predict_fn) else predict_fn.predict(grid)
    return np.asarray(out)


def plot_decision_boundary(predict_fn, X, y, ax=None, resolution=200):
    """Colour the plane by the class ``predict_fn`` assigns and scatter the points ``X`` coloured by ``y``.

    Args:
        predict_fn: function (or Keras model / object with ``predict``) from (m, 2) points to scores:
            (m,) or (m, 1) for two classes (probabilities, cut at 0.5, or logits, cut at 0), or (m, k)
            class scores (argmax).
        X: (n, 2) points. y: (n,) integer labels.
        ax: draw into this Axes instead of a new figure.

    Returns:
        the Figure (``ax.figure`` when ``ax`` is given), axes titled "Decision boundary".
    """
    X = np.asarray(X, dtype=np.float32)
    y = _labels(y, "y")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must be (n, 2) points in the plane; got shape {shape_text(X.shape)}.")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} points but y has {len(y)} labels; they must match.")
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 0.5
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)
    scores = _scores(predict_fn, grid)
    if scores.shape[0] != grid.shape[0]:
        raise ValueError(f"predict_fn returned shape {shape_text(scores.shape)} for {grid.shape[0]} points; "
                         "it must return one row of scores per point.")
    if ax is None:
        fig, ax = _figure(figsize=(5, 4.5))
    else:
        fig = ax.figure
    n_classes = int(max(y.max(initial=0) + 1, scores.shape[1] if scores.ndim == 2 else 2))
    if scores.ndim == 1 or scores.shape[1] == 1:
        s = scores.reshape(-1).astype(float)
        cut = 0.5 if s.min() >= 0 and s.max() <= 1 else 0.0
        ax.contourf(xx, yy, s.reshape(xx.shape), levels=20, cmap=diverging_cmap(), alpha=0.5)
        ax.contour(xx, yy, s.reshape(xx.shape), levels=[cut], colors="k", linewidths=1.5)
    else:
        regions = np.argmax(scores, axis=1).reshape(xx.shape)
        ax.contourf(xx, yy, regions, levels=np.arange(n_classes + 1) - 0.5, cmap=class_cmap(n_classes),
                    alpha=0.35)
    colors = np.array(CLASS_COLORS * (n_classes // len(CLASS_COLORS) + 1))[y]   # class 0 orange, 1 blue, ...
    ax.scatter(X[:, 0], X[:, 1], c=colors, s=14, edgecolors="k", linewidths=0.4)
    ax.set(title="Decision boundary", xlabel="x1", ylabel="x2", xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    return fig


def plot_weights(kernel):
    """Heat map of a kernel (in, units): one row per input feature, one column per unit, 0 is white.

    Args:
        kernel: (in, units) array, or a layer with a ``kernel`` attribute (Keras or fclab.reference Dense).

    Returns:
        Figure with axes titled "kernel (in, units)", a colour bar.
    """
    kernel = np.asarray(getattr(kernel, "kernel", kernel), dtype=np.float32)
    if kernel.ndim != 2:
        raise ValueError(f"plot_weights expects a kernel of shape (in, units); got shape {shape_text(kernel.shape)}. "
                         "For a bias (units,), use bias[None, :].")
    limit = float(np.abs(kernel).max()) or 1.0
    fig, ax = _figure(figsize=(min(2 + 0.4 * kernel.shape[1], 10), min(2 + 0.25 * kernel.shape[0], 8)))
    image = ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto", interpolation="nearest")
    fig.colorbar(image, ax=ax, label="weight")
    ax.set(title=f"kernel {shape_text(kernel.shape)}", xlabel="unit (column of W)",
           ylabel="input feature (row of W)")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(y_true, y_pred, labels=None):
    """Confusion matrix: row = true class, column = predicted class, counts in the cells.

    Args:
        y_true, y_pred: (n,) labels, or (n, classes) one-hot rows / scores (argmax is taken).
        labels: names shown for the classes 0..k-1 (default: the numbers).

    Returns:
        Figure with axes titled "Confusion matrix (accuracy ...)", x "Predicted label", y "True label".
    """
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}; they must match.")
    k = int(max(y_true.max(initial=0), y_pred.max(initial=0)) + 1)
    if labels is not None and len(labels) < k:
        raise ValueError(f"labels names {len(labels)} classes but the data has classes 0..{k - 1}.")
    k = len(labels) if labels is not None else k
    matrix = confusion_matrix(y_true, y_pred, labels=np.arange(k))
    fig, ax = _figure(figsize=(1.5 + 0.5 * k, 1.2 + 0.5 * k) if k > 6 else (5, 4.2))
    ConfusionMatrixDisplay(matrix, display_labels=labels).plot(ax=ax, cmap="Blues", colorbar=False)
    accuracy = np.trace(matrix) / max(1, matrix.sum())
    ax.set_title(f"Confusion matrix (accuracy {accuracy:.3f})")
    fig.tight_layout()
    return fig


def plot_misclassified(x, y_true, y_pred, n=10, image_shape=(8, 8)):
    """Show up to ``n`` misclassified examples as images, titled "true t / pred p".

    Args:
        x: (N, features) or (N, h, w) inputs. y_true, y_pred: labels (or one-hot rows / scores).
        n: how many to show (the first ones in order). image_shape: (h, w) for flat inputs.

    Returns:
        Figure whose title says how many of N are wrong; a note instead of images when none are.
    """
    x = np.asarray(x)
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if not (len(x) == len(y_true) == len(y_pred)):
        raise ValueError(f"x has {len(x)} examples, y_true {len(y_true)} and y_pred {len(y_pred)}; they must "
                         "be the same examples.")
    size = int(np.prod(x.shape[1:]))
    if size != int(np.prod(image_shape)):
        raise ValueError(f"each example has {size} values (x shape {shape_text(x.shape)}) but image_shape "
                         f"{shape_text(image_shape)} holds {int(np.prod(image_shape))}; pass the right image_shape "
                         "(28, 28 for MNIST, 8, 8 for digits).")
    wrong = np.flatnonzero(y_true != y_pred)
    shown = wrong[:n]
    cols = max(1, min(5, len(shown)))
    rows = max(1, int(np.ceil(len(shown) / cols)))
    fig, axes = _figure(rows, cols, figsize=(2 * cols, 2.2 * rows + 0.4), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    if not len(shown):
        axes[0, 0].text(0.5, 0.5, "no misclassified examples", ha="center", va="center")
    for ax, i in zip(axes.ravel(), shown):
        ax.imshow(x[i].reshape(image_shape), cmap="gray_r", interpolation="nearest")
        ax.set_title(f"true {y_true[i]} / pred {y_pred[i]}", fontsize=9)
    fig.suptitle(f"Misclassified: {len(wrong)} of {len(x)} (showing {len(shown)})")
    fig.tight_layout()
    return fig
