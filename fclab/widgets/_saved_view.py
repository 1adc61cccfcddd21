"""A saved picture under every widget, so a reopened notebook says what was there.

A widget lives in the kernel: in a notebook reopened later JupyterLab finds no model for it and writes
"Error displaying widget: model not found". So each fclab widget is displayed as two outputs: the live
widget, then a static HTML picture of its current view (kept up to date through a display id) with one
line saying how to bring the widget back. Two CSS rules, sent with the picture, make JupyterLab show one
of the two: while the widget is alive, the widget; in a reopened notebook, the picture (and not the
error). Where the styles are dropped (an untrusted notebook, GitHub, nbconvert) both may show, and the
line under the picture explains it. Without a kernel front end (plain Python) nothing extra is shown.
"""

from __future__ import annotations

from ._svg import esc

LIVE_CLASS = "fclab-live"
SAVED_CLASS = "fclab-saved-view"

# 1. a live fclab widget in the output above: hide the picture.
# 2. a picture whose output above has no live fclab widget (reopened: "model not found"): hide that output.
STYLE = (
    "<style>"
    f".jp-OutputArea-child:has(.{LIVE_CLASS}) + .jp-OutputArea-child:has(.{SAVED_CLASS}){{display:none}}"
    f".jp-OutputArea-child:has(+ .jp-OutputArea-child .{SAVED_CLASS}):not(:has(.{LIVE_CLASS}))"
    "{display:none}"
    "</style>"
)


class SavedView:
    """Mixin for an ipywidgets box: display a static picture of the view next to the live widget.

    The class using it provides :meth:`saved_view_html` (the current view as HTML) and calls
    :meth:`watch_view` on its view (or :meth:`update_saved_view` when it chooses); ``saved_view_name``
    names the widget in the note.
    """

    saved_view_name = "explorer"
    _saved_handle = None

    def saved_view_html(self) -> str:  # pragma: no cover - every widget overrides it
        raise NotImplementedError

    def saved_view_bundle(self) -> dict:
        """The picture's output: HTML (styles, note, view) and a one-line text for plain viewers."""
        note = (f"This is a saved picture of the {self.saved_view_name}. Run this cell to bring it back to "
                "life (widgets live in the running kernel, so they do not survive closing the notebook).")
        html = (f'{STYLE}<div class="{SAVED_CLASS}" style="opacity:0.85">'
                f'<div style="font-size:12px;color:#555;background:#fff8e1;border-left:4px solid #f9a825;'
                f'padding:4px 8px;margin-bottom:4px">⟳ {esc(note)}</div>'
                f"{self.saved_view_html()}</div>")
        return {"text/html": html, "text/plain": f"[{note}]"}

    def _ipython_display_(self):
        from IPython.display import display

        self.add_class(LIVE_CLASS)
        display(self._repr_mimebundle_(), raw=True)
        self._saved_handle = display(self.saved_view_bundle(), raw=True, display_id=True)

    def watch_view(self, view):
        """Update the picture whenever ``view`` (an ipywidgets.HTML) changes."""
        view.observe(lambda _change: self.update_saved_view(), names="value")

    def update_saved_view(self):
        """Bring the picture up to date with the view (no-op until the widget is displayed)."""
        if self._saved_handle is not None:
            self._saved_handle.update(self.saved_view_bundle(), raw=True)
