"""Draw X @ W + b = out as labelled SVG blocks (one cell per entry), for the shape explorer."""

from __future__ import annotations

from ._svg import esc

HIGHLIGHT = "#ffd54f"
BAD = "#d32f2f"
COLORS = {"X": "#bbdefb", "W": "#c8e6c9", "b": "#f8bbd0", "out": "#d1c4e9"}


def blocks_svg(state, report) -> str:
    """SVG of the four blocks with their shapes; the worked entry's row/column are highlighted.

    ``state`` is a ShapeState, ``report`` its ShapeReport (values X, W, b, out when they exist).
    """
    vals = report.values
    dims = [d for shape in (report.x_shape, report.w_shape) for d in shape]
    cell = 22 if max(dims) <= 6 else max(4, min(16, int(150 / max(dims))))
    show_numbers = cell >= 22
    broken = bool(report.numpy_error)
    i, j = min(state.row, state.batch - 1), min(state.col, state.units - 1)
    top, x_pos, parts = 34, 22, []

    def block(name, shape, values, hi_rows=(), hi_cols=(), bad_rows=False, bad_cols=False, missing=False):
        nonlocal x_pos
        x_start = x_pos
        rows, cols = shape if len(shape) == 2 else (1, shape[0])
        width, height = cols * cell, rows * cell
        label = f"{name} {tuple(shape)}"
        parts.append(f'<text x="{x_pos}" y="{top - 20}" font-size="13" font-weight="bold">{esc(label)}</text>')
        col_label = f"{cols} col" if name != "b" else f"{cols}"
        parts.append(f'<text x="{x_pos + width / 2:.0f}" y="{top - 5}" font-size="10" text-anchor="middle" '
                     f'fill="{BAD if bad_cols else "#555"}">{col_label}</text>')
        if len(shape) == 2:
            parts.append(f'<text x="{x_pos - 3}" y="{top + height / 2:.0f}" font-size="10" text-anchor="end" '
                         f'fill="{BAD if bad_rows else "#555"}" transform="rotate(-90 {x_pos - 3} '
                         f'{top + height / 2:.0f})">{rows} rows</text>')
        if missing:
            parts.append(f'<rect x="{x_pos}" y="{top}" width="{width}" height="{height}" fill="none" '
                         f'stroke="{BAD}" stroke-dasharray="4 3"/><text x="{x_pos + width / 2:.0f}" '
                         f'y="{top + height / 2 + 5:.0f}" font-size="16" fill="{BAD}" text-anchor="middle">?</text>')
        else:
            for r in range(rows):
                for c in range(cols):
                    fill = HIGHLIGHT if (r in hi_rows or c in hi_cols) else COLORS[name]
                    parts.append(f'<rect x="{x_pos + c * cell}" y="{top + r * cell}" width="{cell}" '
                                 f'height="{cell}" fill="{fill}" stroke="#fff" stroke-width="{0.5 if cell < 8 else 1}"/>')
                    if show_numbers and values is not None:
                        v = values[r, c] if values.ndim == 2 else values[c]
                        parts.append(f'<text x="{x_pos + c * cell + cell / 2:.0f}" y="{top + r * cell + 15}" '
                                     f'font-size="11" text-anchor="middle">{int(v)}</text>')
            stroke = BAD if (bad_rows or bad_cols) else "#666"
            parts.append(f'<rect x="{x_pos}" y="{top}" width="{width}" height="{height}" fill="none" '
                         f'stroke="{stroke}" stroke-width="{2 if stroke == BAD else 1}"/>')
        x_pos += max(width, 8 * len(label)) + 14
        return x_start

    def operator(symbol):
        nonlocal x_pos
        parts.append(f'<text x="{x_pos}" y="{top + 18}" font-size="20">{symbol}</text>')
        x_pos += 28

    ok = not broken
    block("X", report.x_shape, vals.get("X"), hi_rows=(i,) if ok else (), bad_cols=broken)
    operator("@")
    block("W", report.w_shape, vals.get("W"), hi_cols=(j,) if ok else (), bad_rows=broken)
    if report.b_shape:
        operator("+")
        block("b", report.b_shape, vals.get("b"), hi_cols=(j,) if ok else ())
    operator("=")
    out_shape = report.out_shape or (state.batch, state.units)
    out_x = block("out", out_shape, vals.get("out"), missing=broken)
    if ok:  # outline just the written-out entry of out
        parts.append(f'<rect x="{out_x + j * cell}" y="{top + i * cell}" '
                     f'width="{cell}" height="{cell}" fill="none" stroke="#e65100" stroke-width="2"/>')
    height = top + max(report.x_shape[0], report.w_shape[0]) * cell + 10
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="fclab-blocks" width="{x_pos}" height="{height}" '
            f'font-family="sans-serif">{"".join(parts)}</svg>')

