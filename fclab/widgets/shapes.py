"""Shape explorer: X (batch, in) @ W (in, units) + b (units,) as blocks the student resizes.

The state is a plain :class:`ShapeState`; :func:`describe` turns it into a :class:`ShapeReport` (shapes,
parameter count, one output entry written out, or the real error numpy raises) without any widget, and
:class:`ShapeExplorer` draws that report. Nothing here imports TensorFlow unless the student asks to see
Keras's own error message (or TensorFlow is already imported in the kernel).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache, partial

import ipywidgets as widgets
import numpy as np

from ._html import message
from ._saved_view import SavedView
from ._shape_blocks import blocks_svg
from ._svg import esc

MAX_SIZE = 32          # slider limit for batch, in, units and W's rows
WRITE_OUT_ALL = 8      # write every term of the sum up to this many input features


@dataclass
class ShapeState:
    """What the shape explorer shows.

    Attributes:
        batch: rows of X.
        in_features: columns of X (the features each sample has).
        units: columns of W and length of b (the layer's outputs).
        use_bias: whether b is added.
        break_it: when True, W has ``w_rows`` rows instead of ``in_features`` (a shape error).
        w_rows: W's rows while ``break_it`` is on.
        row, col: the output entry written out term by term.
        show_keras: also run the mismatch through a Keras Dense layer (imports TensorFlow).
        seed: seed of the small integer example values.
    """

    batch: int = 2
    in_features: int = 3
    units: int = 2
    use_bias: bool = True
    break_it: bool = False
    w_rows: int = 3
    row: int = 0
    col: int = 0
    show_keras: bool = False
    seed: int = 0

    @property
    def kernel_rows(self) -> int:
        return self.w_rows if self.break_it else self.in_features


@dataclass
class ShapeReport:
    """Everything the view shows, computed from a :class:`ShapeState`."""

    x_shape: tuple
    w_shape: tuple
    b_shape: tuple | None
    out_shape: tuple | None = None
    params: int | None = None
    params_text: str = ""
    worked: str = ""
    problem: str = ""                 # invalid sizes: what is wrong and what to do
    numpy_error: str = ""             # the message numpy raised for X @ W
    keras_error: str = ""             # the message Keras raised (when asked for)
    explanation: str = ""             # fclab.explain's plain paragraph
    values: dict = field(default_factory=dict)   # X, W, b, out as arrays (when they exist)


@lru_cache(maxsize=8)
def _example_values(seed: int):
    """Fixed small integers, sliced per size so growing a slider keeps the numbers already shown."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(MAX_SIZE, MAX_SIZE)).astype(np.float32)
    w = rng.integers(-3, 4, size=(MAX_SIZE + 8, MAX_SIZE)).astype(np.float32)
    b = rng.integers(-2, 3, size=(MAX_SIZE,)).astype(np.float32)
    return x, w, b


def _validate(state: ShapeState) -> str:
    sizes = {"batch": state.batch, "in_features": state.in_features, "units": state.units,
             "W's rows": state.kernel_rows}
    for name, value in sizes.items():
        if not isinstance(value, (int, np.integer)) or value < 1:
            extra = (" A Dense layer needs units ≥ 1 (Keras refuses Dense(0): 'expected a positive "
                     "integer'); an empty kernel would give an output with no columns."
                     if name == "units" else "")
            return f"{name} must be a whole number ≥ 1, got {value!r}.{extra} Move the slider to 1 or more."
        if value > MAX_SIZE + (8 if name == "W's rows" else 0):
            return f"{name} = {value} is larger than this explorer draws ({MAX_SIZE}); choose a smaller size."
    return ""


def describe(state: ShapeState) -> ShapeReport:
    """Compute shapes, parameter count and the worked entry (or the real error) for ``state``."""
    b_shape = (state.units,) if state.use_bias else None
    report = ShapeReport(x_shape=(state.batch, state.in_features), w_shape=(state.kernel_rows, state.units),
                         b_shape=b_shape)
    report.problem = _validate(state)
    if report.problem:
        return report
    xs, ws, bs = _example_values(state.seed)
    x = xs[:state.batch, :state.in_features]
    w = ws[:state.kernel_rows, :state.units]
    b = bs[:state.units] if state.use_bias else None
    report.values = {"X": x, "W": w, "b": b}
    n_kernel = state.kernel_rows * state.units
    report.params = n_kernel + (state.units if state.use_bias else 0)
    report.params_text = (f"{state.kernel_rows}×{state.units} + {state.units} = {report.params}"
                          if state.use_bias else f"{state.kernel_rows}×{state.units} = {report.params} (no bias)")
    X, W = x, w  # noqa: N806 -- fclab.explain names the operands after the variables on this line
    try:
        X @ W
    except ValueError as exc:
        report.numpy_error = f"ValueError: {exc}"
        report.explanation = _explain(exc)
        if state.show_keras or _keras_loaded():
            report.keras_error = keras_error(state)
        return report
    from fclab.reference import dense

    out = dense(x, w, b)
    report.values["out"] = out
    report.out_shape = tuple(out.shape)
    report.worked = written_out(x, w, b, out, min(state.row, state.batch - 1), min(state.col, state.units - 1))
    return report


def written_out(x, w, b, out, i: int, j: int) -> str:
    """``out[i, j]`` as the sum of products with the actual numbers, e.g. for the 2×3 @ 3×2 + 2 example."""
    k_all = range(x.shape[1])
    shown = list(k_all) if x.shape[1] <= WRITE_OUT_ALL else [0, 1, 2, None, x.shape[1] - 1]
    symbols, numbers = [], []
    for k in shown:
        if k is None:
            symbols.append("…")
            numbers.append("…")
            continue
        symbols.append(f"X[{i},{k}]·W[{k},{j}]")
        numbers.append(f"({_num(x[i, k])})·({_num(w[k, j])})")
    if b is not None:
        symbols.append(f"b[{j}]")
        numbers.append(f"({_num(b[j])})")
    return (f"out[{i},{j}] = " + " + ".join(symbols) + "\n"
            f"         = " + " + ".join(numbers) + "\n"
            f"         = {_num(out[i, j])}")


def keras_error(state: ShapeState) -> str:
    """Build a Keras Dense with W's shape and call it on X's shape; return the message Keras raises."""
    return _keras_error(state.batch, state.in_features, state.kernel_rows, state.units, state.use_bias)


@lru_cache(maxsize=32)
def _keras_error(batch, in_features, w_rows, units, use_bias) -> str:
    from fclab._tf import keras

    layer = keras().layers.Dense(units, use_bias=use_bias)
    layer.build((None, w_rows))
    try:
        layer(np.zeros((batch, in_features), dtype=np.float32))
    except ValueError as exc:
        return f"ValueError: {exc}"
    return ""  # the shapes agree: Keras raises nothing


def _explain(exc) -> str:
    from fclab import explain

    return explain.explain(exc) or ""


def _keras_loaded() -> bool:
    return "keras" in sys.modules or "tensorflow" in sys.modules


def _num(value) -> str:
    value = float(value)
    return str(int(value)) if value == int(value) else f"{value:.4g}"


class ShapeExplorer(SavedView, widgets.VBox):
    """Sliders for batch, in, units (and W's rows when broken) over a live drawing of X @ W + b.

    Attributes:
        state: the :class:`ShapeState` (plain data; the controls write into it).
        report: the last :class:`ShapeReport` drawn.
        controls: dict of the ipywidgets controls by state field name (plus ``show_keras`` button).
        view: the ``ipywidgets.HTML`` that shows blocks, formula, errors and explanation.
    """

    saved_view_name = "shape explorer"

    def saved_view_html(self) -> str:
        return self.view.value

    def __init__(self, state: ShapeState | None = None):
        self.state = state or ShapeState()
        s = self.state
        slider = dict(continuous_update=True, style={"description_width": "110px"})
        self.controls = {
            "batch": widgets.IntSlider(value=s.batch, min=1, max=MAX_SIZE, description="batch", **slider),
            "in_features": widgets.IntSlider(value=s.in_features, min=1, max=MAX_SIZE,
                                             description="in (features)", **slider),
            "units": widgets.IntSlider(value=s.units, min=0, max=MAX_SIZE, description="units", **slider),
            "use_bias": widgets.Checkbox(value=s.use_bias, description="use bias b"),
            "break_it": widgets.ToggleButton(value=s.break_it, description="break it",
                                             tooltip="let W's rows differ from X's columns", icon="bolt"),
            "w_rows": widgets.IntSlider(value=s.w_rows, min=1, max=MAX_SIZE + 8, description="W rows", **slider),
            "row": widgets.IntSlider(value=s.row, min=0, max=max(s.batch - 1, 0), description="entry row"),
            "col": widgets.IntSlider(value=s.col, min=0, max=max(s.units - 1, 0), description="entry col"),
        }
        self.keras_button = widgets.Button(description="show Keras's error too",
                                           tooltip="runs a keras.layers.Dense (imports TensorFlow, a few s)")
        self.keras_button.on_click(self._on_keras)
        self.view = widgets.HTML()
        self.report = None
        for name, control in self.controls.items():
            control.observe(partial(self._on_change, name), names="value")
        left = widgets.VBox([self.controls[n] for n in ("batch", "in_features", "units", "use_bias")])
        right = widgets.VBox([self.controls[n] for n in ("break_it", "w_rows", "row", "col")]
                             + [self.keras_button])
        super().__init__([widgets.HBox([left, right]), self.view])
        self.add_class("fclab-shape-explorer")
        self.watch_view(self.view)
        self.refresh()

    def _on_change(self, name, change):
        setattr(self.state, name, change["new"])
        if name == "break_it" and change["new"] and self.state.w_rows == self.state.in_features:
            self.controls["w_rows"].value = min(self.state.in_features + 1, MAX_SIZE + 8)  # refreshes
            return
        self.refresh()

    def _on_keras(self, _button=None):
        self.state.show_keras = True
        self.keras_button.description = "running Keras…"
        self.refresh()

    def refresh(self):
        """Recompute the report from ``state`` and redraw the view."""
        s = self.state
        self.controls["row"].max = max(s.batch - 1, 0)
        self.controls["col"].max = max(s.units - 1, 0)
        self.controls["w_rows"].disabled = not s.break_it
        self.report = describe(s)
        r = self.report
        self.keras_button.layout.display = "" if r.numpy_error and not r.keras_error else "none"
        self.keras_button.description = "show Keras's error too"
        self.view.value = render(s, r)


def render(state: ShapeState, report: ShapeReport) -> str:
    """HTML for the view: blocks with shapes, the formula line, worked entry or errors."""
    if report.problem:
        return message(report.problem, "error")
    b = f" + b {report.b_shape}" if report.b_shape else ""
    out = f"out {report.out_shape}" if report.out_shape else "error"
    parts = [blocks_svg(state, report),
             f'<div class="fclab-shapes" style="font-family:monospace;font-size:14px;margin:4px 0">'
             f"X {report.x_shape} @ W {report.w_shape}{b} → {out}</div>",
             f'<div class="fclab-params" style="font-size:13px">parameters: {report.params_text}</div>']
    if report.worked:
        parts.append(f'<pre class="fclab-worked" style="font-size:13px">{esc(report.worked)}</pre>')
    if report.numpy_error:
        parts.append(message(f"numpy says (X @ W):\n{report.numpy_error}", "error"))
        if report.keras_error:
            parts.append(message(f"Keras says (Dense built for {report.w_shape[0]} features, called on "
                                 f"X {report.x_shape}):\n{report.keras_error}", "error"))
        if report.explanation:
            parts.append(message(f"In plain words: {report.explanation}", "info"))
    return "".join(parts)


def shape_explorer(state: ShapeState | None = None) -> ShapeExplorer:
    """Explore X (batch, in) @ W (in, units) + b (units,): move the sliders, break the shapes."""
    return ShapeExplorer(state)
