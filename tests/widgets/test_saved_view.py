"""Every widget is shown with a saved picture, so a reopened notebook says what was there."""

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from fclab.widgets import activation_explorer, shape_explorer, stack_explorer
from fclab.widgets._saved_view import LIVE_CLASS, SAVED_CLASS

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def shell():
    return InteractiveShell.instance()


def _shown(shell, widget):
    """What ``display(widget)`` publishes in an IPython shell (as a kernel would send it)."""
    from IPython.display import display

    with capture_output() as captured:
        display(widget)
    return captured


@pytest.mark.parametrize("make, name", [
    (lambda: activation_explorer(), "activation explorer"),
    (lambda: shape_explorer(), "shape explorer"),
    (lambda: stack_explorer(compare_keras=False), "stack explorer"),
])
def test_widget_then_a_picture_of_its_view_with_how_to_bring_it_back(shell, make, name):
    widget = make()
    captured = _shown(shell, widget)
    live, saved = captured.outputs
    assert WIDGET_VIEW in live.data and live.data[WIDGET_VIEW]["model_id"] == widget.model_id
    assert LIVE_CLASS in widget._dom_classes
    html = saved.data["text/html"]
    assert SAVED_CLASS in html and f"saved picture of the {name}" in html and "Run this cell" in html
    assert widget.view.value in html
    assert "Run this cell" in saved.data["text/plain"]


def test_the_picture_follows_the_widget(shell, monkeypatch):
    widget = activation_explorer(["relu"])
    _shown(shell, widget)
    updates = []
    monkeypatch.setattr(widget._saved_handle, "update", lambda bundle, raw: updates.append(bundle))
    widget.controls["tanh"].value = True
    assert updates and "tanh" in updates[-1]["text/html"] and widget.view.value in updates[-1]["text/html"]


def test_css_shows_the_picture_only_without_a_live_widget():
    from fclab.widgets._saved_view import STYLE

    assert f".jp-OutputArea-child:has(.{LIVE_CLASS}) + .jp-OutputArea-child:has(.{SAVED_CLASS}){{display:none}}" in STYLE
    assert f":not(:has(.{LIVE_CLASS})){{display:none}}" in STYLE
