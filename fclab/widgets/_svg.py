"""Small SVG and PNG builders for the widget views.

Widgets redraw on every control change and must do so in well under 50 ms server-side. A matplotlib
Agg redraw of a two-panel figure took 50–130 ms on the course machine, so the live views are SVG/HTML
strings built here (a few ms) and sent to an ``ipywidgets.HTML``. Matplotlib still does the parts it is
good at: tick placement (``MaxNLocator``), colour maps and PNG encoding of heat maps. Matplotlib is
imported when the first view is drawn, not with ``fclab.widgets`` (a lesson's first cell stays fast).
"""

from __future__ import annotations

import base64
import html
import io
from functools import lru_cache

import numpy as np

MARGIN = dict(left=44, right=10, top=22, bottom=30)


def esc(text) -> str:
    """HTML-escape ``text`` (anything with a ``str``)."""
    return html.escape(str(text), quote=True)


def png_data_uri(image: np.ndarray, cmap=None, vmin=None, vmax=None) -> str:
    """Encode ``image`` as a ``data:image/png`` URI (fast PNG compression: these are redrawn often).

    Args:
        image: (rows, cols) values mapped through the matplotlib colour map ``cmap`` between ``vmin`` and
            ``vmax`` (NaN: transparent), or (rows, cols, 3|4) RGB(A) in [0, 1]. Row 0 is drawn at the top.
    """
    from matplotlib.image import imsave

    if cmap is not None:
        image = np.asarray(image, dtype=float)
        lo = np.nanmin(image) if vmin is None else vmin
        hi = np.nanmax(image) if vmax is None else vmax
        scaled = (image - lo) / ((hi - lo) or 1.0)
        colormap = _colormap(cmap) if isinstance(cmap, str) else cmap
        image = colormap(np.ma.masked_invalid(scaled))
    buffer = io.BytesIO()
    imsave(buffer, np.clip(image, 0, 1), format="png", pil_kwargs={"compress_level": 1})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@lru_cache(maxsize=16)
def _colormap(name):
    """A matplotlib colour map, kept so its lookup table is built once."""
    import matplotlib

    return matplotlib.colormaps[name].with_extremes(bad=(1, 1, 1, 0))


class Frame:
    """A plotting rectangle that maps data coordinates to SVG pixels.

    Args:
        width, height: the SVG size in pixels.
        x_range, y_range: (low, high) data limits of the axes.
    """

    def __init__(self, width, height, x_range, y_range, margin=MARGIN):
        self.width, self.height = width, height
        self.x0, self.x1 = (float(v) for v in x_range)
        self.y0, self.y1 = (float(v) for v in y_range)
        if self.y1 <= self.y0:
            self.y0, self.y1 = self.y0 - 1.0, self.y1 + 1.0
        self.left, self.top = margin["left"], margin["top"]
        self.inner_w = width - margin["left"] - margin["right"]
        self.inner_h = height - margin["top"] - margin["bottom"]

    def px(self, x):
        """Pixel x of data x (scalar or array)."""
        return self.left + (np.asarray(x, dtype=float) - self.x0) / (self.x1 - self.x0) * self.inner_w

    def py(self, y):
        """Pixel y of data y (scalar or array)."""
        return self.top + (self.y1 - np.asarray(y, dtype=float)) / (self.y1 - self.y0) * self.inner_h

    def axes(self, title="", xlabel="", ylabel="", integer_x=False) -> list[str]:
        """Frame, ticks, zero lines and labels as SVG elements.

        ``ylabel`` is written upwards along the left edge; ``integer_x``: only whole-number x ticks
        (epochs).
        """
        from matplotlib.ticker import MaxNLocator

        parts = [
            f'<rect x="{self.left}" y="{self.top}" width="{self.inner_w}" height="{self.inner_h}" '
            'fill="none" stroke="#999"/>'
        ]
        for tick in MaxNLocator(6, integer=integer_x).tick_values(self.x0, self.x1).tolist():
            if self.x0 <= tick <= self.x1:
                x = self.px(tick)
                parts.append(f'<line x1="{x:.1f}" y1="{self.top + self.inner_h}" x2="{x:.1f}" '
                             f'y2="{self.top + self.inner_h + 4}" stroke="#999"/>')
                parts.append(f'<text x="{x:.1f}" y="{self.top + self.inner_h + 15}" font-size="10" '
                             f'text-anchor="middle">{_fmt(tick)}</text>')
        for tick in MaxNLocator(5).tick_values(self.y0, self.y1).tolist():
            if self.y0 <= tick <= self.y1:
                y = self.py(tick)
                parts.append(f'<line x1="{self.left - 4}" y1="{y:.1f}" x2="{self.left}" y2="{y:.1f}" '
                             'stroke="#999"/>')
                parts.append(f'<text x="{self.left - 6}" y="{y + 3:.1f}" font-size="10" '
                             f'text-anchor="end">{_fmt(tick)}</text>')
        if self.y0 < 0 < self.y1:
            y = self.py(0)
            parts.append(f'<line x1="{self.left}" y1="{y:.1f}" x2="{self.left + self.inner_w}" '
                         f'y2="{y:.1f}" stroke="#ccc"/>')
        if self.x0 < 0 < self.x1:
            x = self.px(0)
            parts.append(f'<line x1="{x:.1f}" y1="{self.top}" x2="{x:.1f}" '
                         f'y2="{self.top + self.inner_h}" stroke="#ccc"/>')
        if title:
            parts.append(f'<text x="{self.left}" y="{self.top - 7}" font-size="12" '
                         f'font-weight="bold">{esc(title)}</text>')
        if xlabel:
            parts.append(f'<text x="{self.left + self.inner_w}" y="{self.height - 2}" font-size="10" '
                         f'text-anchor="end">{esc(xlabel)}</text>')
        if ylabel:
            y = self.top + self.inner_h / 2
            parts.append(f'<text x="10" y="{y:.1f}" font-size="10" text-anchor="middle" '
                         f'transform="rotate(-90 10 {y:.1f})">{esc(ylabel)}</text>')
        return parts

    def polyline(self, x, y, color, dash="", width=2.0, title="") -> str:
        """A data series; points outside the y limits are clipped to the frame."""
        y = np.clip(np.asarray(y, dtype=float), self.y0, self.y1)
        ok = np.isfinite(y)
        xs, ys = self.px(np.asarray(x)[ok]).tolist(), self.py(y[ok]).tolist()  # python floats format fast
        points = " ".join(map("%.1f,%.1f".__mod__, zip(xs, ys)))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        tip = f"<title>{esc(title)}</title>" if title else ""
        return (f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="{width}"'
                f'{dash_attr}>{tip}</polyline>')

    def image(self, uri) -> str:
        """An image stretched over the whole plotting rectangle (row 0 at the top)."""
        return (f'<image x="{self.left}" y="{self.top}" width="{self.inner_w}" height="{self.inner_h}" '
                f'preserveAspectRatio="none" href="{uri}"/>')

    def svg(self, parts) -> str:
        body = "".join(parts)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                f'font-family="sans-serif">{body}</svg>')


def legend(entries) -> str:
    """An HTML legend: ``entries`` is a list of (label, colour, dashed)."""
    items = []
    for label, color, dashed in entries:
        style = "dashed" if dashed else "solid"
        items.append(f'<span style="margin-right:12px"><span style="display:inline-block;width:18px;'
                     f'border-top:2px {style} {color};vertical-align:middle"></span> {esc(label)}</span>')
    return f'<div style="font-size:12px">{"".join(items)}</div>'


def true_spans(x, mask):
    """Contiguous runs where ``mask`` is True, as (x_start, x_end) pairs over the sample points ``x``."""
    mask = np.asarray(mask, dtype=bool)
    spans, start = [], None
    for i, flag in enumerate(mask):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            spans.append((float(x[start]), float(x[i - 1])))
            start = None
    if start is not None:
        spans.append((float(x[start]), float(x[-1])))
    return spans


def _fmt(value) -> str:
    value = float(value)
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"
