"""``model.summary()`` text laid out like Keras 3's table (same columns, widths, totals and byte sizes).

Keras prints with ``rich``; this module draws the same box with plain Unicode box characters::

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 2)              │             8 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 8 (32.00 B)
     Trainable params: 8 (32.00 B)
     Non-trainable params: 0 (0.00 B)
"""

import textwrap

import numpy as np

from fclab.reference._arrays import shape_text

WIDTHS = (31, 22, 13)  # content widths of Keras's three columns (plus one space of padding each side)
HEADERS = ("Layer (type)", "Output Shape", "Param #")


def readable_memory_size(n_bytes):
    """``80`` -> ``"80.00 B"``, ``2048`` -> ``"2.00 KB"`` (Keras's ``readable_memory_size``)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"


def _cells(texts, aligns):
    wrapped = [textwrap.wrap(t, w) or [""] for t, w in zip(texts, WIDTHS)]
    height = max(len(w) for w in wrapped)
    lines = []
    for i in range(height):
        parts = []
        for column, width, align in zip(wrapped, WIDTHS, aligns):
            text = column[i] if i < len(column) else ""
            parts.append(" " + (text.rjust(width) if align == ">" else text.ljust(width)) + " ")
        lines.append(parts)
    return lines


def _rule(left, fill, middle, right):
    return left + middle.join(fill * (w + 2) for w in WIDTHS) + right


def _memory(variables):
    return sum(v.size * np.dtype(v.dtype).itemsize for v in variables)


def summary_text(model):
    """The summary of a Sequential ``model`` as one string (no trailing newline)."""
    lines = [f'Model: "{model.name}"', _rule("┏", "━", "┳", "┓")]
    lines += ["┃" + "┃".join(row) + "┃" for row in _cells(HEADERS, "<<>")]
    lines.append(_rule("┡", "━", "╇", "┩"))
    shapes = model.layer_output_shapes()
    for index, layer in enumerate(model.layers):
        if index:
            lines.append(_rule("├", "─", "┼", "┤"))
        shape = "?" if shapes is None else shape_text(shapes[index])
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        texts = (f"{layer.name} ({type(layer).__name__})", shape, params)
        lines += ["│" + "│".join(row) + "│" for row in _cells(texts, "<<>")]
    lines.append(_rule("└", "─", "┴", "┘"))
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    totals = (("Total", trainable + non_trainable), ("Trainable", trainable), ("Non-trainable", non_trainable))
    for label, variables in totals:
        count = sum(v.size for v in variables)
        lines.append(f" {label} params: {count:,} ({readable_memory_size(_memory(variables))})")
    return "\n".join(lines)
