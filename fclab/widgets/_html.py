"""HTML snippets shared by the widget views: messages, tables, code blocks."""

from __future__ import annotations

from ._svg import esc

_MESSAGE_STYLE = {
    "error": "background:#fdecea;border-left:4px solid #d32f2f",
    "warning": "background:#fff8e1;border-left:4px solid #f9a825",
    "info": "background:#e8f4fd;border-left:4px solid #1976d2",
    "ok": "background:#edf7ed;border-left:4px solid #2e7d32",
}


def message(text: str, kind: str = "info") -> str:
    """A coloured box with ``text`` (escaped); ``kind`` is error, warning, info or ok."""
    style = _MESSAGE_STYLE[kind]
    return (f'<div class="fclab-message fclab-{kind}" style="{style};padding:6px 10px;margin:4px 0;'
            f'font-size:13px;white-space:pre-wrap">{esc(text)}</div>')


def table(header, rows, align=None) -> str:
    """An HTML table; cells are escaped unless they are ``Raw``."""
    align = align or ["left"] * len(header)
    head = "".join(f'<th style="text-align:{a};padding:2px 10px;border-bottom:1px solid #999">{esc(h)}</th>'
                   for h, a in zip(header, align))
    body = "".join(
        "<tr>" + "".join(f'<td style="text-align:{a};padding:2px 10px">{_cell(c)}</td>'
                         for c, a in zip(row, align)) + "</tr>"
        for row in rows)
    return f'<table style="border-collapse:collapse;font-size:13px"><tr>{head}</tr>{body}</table>'


def code(text: str) -> str:
    """A monospace block the student can select and copy; long lines scroll, never wrap mid-number."""
    return (f'<pre class="fclab-code" style="background:#f6f8fa;padding:8px;font-size:12px;user-select:text;'
            f'white-space:pre;overflow-x:auto;word-break:normal;overflow-wrap:normal">{esc(text)}</pre>')


class Raw(str):
    """A table cell that is already HTML."""


def _cell(value) -> str:
    return value if isinstance(value, Raw) else esc(value)
