"""Layer-stack explorer: a stack of Dense layers, its shapes and parameter counts, checked against Keras.

:class:`StackState` holds the input size and a list of :class:`LayerSpec`. :func:`summarize` builds the
numpy twin (``fclab.reference.Sequential``) and, when ``compare_keras`` is on, the same
``keras.Sequential`` (imports TensorFlow), and compares their output shapes and parameter counts layer by
layer. :class:`StackExplorer` is the widget on top: it draws the numpy side at once and fills in Keras's
side when the Keras worker has built it (``wait_keras()`` waits for that).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import ipywidgets as widgets

from . import _keras_stack
from ._code import dense_line, sequential_code
from ._html import Raw, code, message, table
from ._saved_view import SavedView
from ._svg import esc

MAX_UNITS = 4096


@dataclass
class LayerSpec:
    """One Dense layer: ``units`` outputs, an activation by Keras name (None = linear), bias on/off."""

    units: int = 4
    activation: str | None = "relu"
    use_bias: bool = True


def _default_layers():
    return [LayerSpec(2, "relu"), LayerSpec(2, "relu"), LayerSpec(2, None)]


@dataclass
class StackState:
    """Input features and the Dense layers; the default is the course's 3 → 2 → 2 → 2 (8 + 6 + 6 = 20)."""

    input_dim: int = 3
    layers: list[LayerSpec] = field(default_factory=_default_layers)
    compare_keras: bool = True


@dataclass
class StackReport:
    """Rows of (name, type, output shape, params) from the numpy twin, and Keras's rows when built."""

    rows: list = field(default_factory=list)
    total: int = 0
    keras_rows: list | None = None
    keras_total: int | None = None
    keras_summary: str = ""
    code: str = ""
    problem: str = ""
    keras_pending: bool = False       # Keras's side is being built (the widget fills it in when ready)

    @property
    def agrees(self) -> bool | None:
        """True when every output shape and parameter count equals Keras's; None when Keras is off."""
        if self.keras_rows is None:
            return None
        ours = [(shape, params) for _name, _type, shape, params in self.rows]
        theirs = [(shape, params) for _name, shape, params in self.keras_rows]
        return ours == theirs and self.total == self.keras_total


def as_spec(layer) -> LayerSpec:
    """Accept a LayerSpec, an int (units), a (units, activation[, use_bias]) tuple or a dict."""
    if isinstance(layer, LayerSpec):
        return layer
    if isinstance(layer, int):
        return LayerSpec(layer, "relu")
    if isinstance(layer, dict):
        return LayerSpec(**layer)
    if isinstance(layer, (tuple, list)):
        return LayerSpec(*layer)
    raise TypeError(f"a layer must be a LayerSpec, units (int), a (units, activation) tuple or a dict; "
                    f"got {layer!r}")


def _problem(state: StackState) -> str:
    from fclab.reference import activations

    if not isinstance(state.input_dim, int) or not 1 <= state.input_dim <= MAX_UNITS:
        return f"Input features must be between 1 and {MAX_UNITS}, got {state.input_dim!r}."
    if not state.layers:
        return ("The stack is empty: a Sequential model with no layers has nothing to compute. "
                "Press 'add Dense layer'.")
    for index, spec in enumerate(state.layers):
        if not isinstance(spec.units, int) or not 1 <= spec.units <= MAX_UNITS:
            return (f"Layer {index} has units={spec.units!r}; a Dense layer needs between 1 and {MAX_UNITS} "
                    f"units (Keras refuses Dense(0): 'expected a positive integer'). Set it to 1 or more.")
        try:
            activations.get(spec.activation)
        except ValueError as exc:
            return f"Layer {index}: {exc}"
    return ""


def summarize(state: StackState, with_keras: bool = True) -> StackReport:
    """Shapes and parameter counts of the stack from the numpy twin and (``with_keras`` and
    ``state.compare_keras``) from a real ``keras.Sequential``, built here and now."""
    report = StackReport(problem=_problem(state))
    if report.problem:
        return report
    from fclab import reference

    input_dim, specs = stack_key(state)
    model = reference.Sequential([reference.Dense(u, activation=a, use_bias=b, name=n)
                                  for (u, a, b), n in zip(specs, _keras_stack.names(len(specs)))])
    model.build((None, input_dim))
    shape = (None, input_dim)
    for layer in model.layers:
        shape = tuple(layer.compute_output_shape(shape))
        report.rows.append((layer.name, type(layer).__name__, shape, layer.count_params()))
    report.total = model.count_params()
    report.code = sequential_code(input_dim, [dense_line(u, a, b) for u, a, b in specs], after=["model.summary()"])
    if with_keras and state.compare_keras:
        fill_keras(report, _keras_stack.keras_side(input_dim, specs))
    return report


def stack_key(state: StackState) -> tuple:
    """(input_dim, ((units, activation, use_bias), …)): what decides the Keras model."""
    return state.input_dim, tuple((s.units, s.activation, s.use_bias) for s in state.layers)


def fill_keras(report: StackReport, keras_result) -> None:
    """Put ``_keras_stack.keras_side``'s (rows, total, summary) into ``report``."""
    report.keras_rows, report.keras_total, report.keras_summary = keras_result
    report.keras_pending = False


def render(report: StackReport, state: StackState) -> str:
    """HTML: the shape flow, the parameter table (ours vs Keras's), the code and Keras's summary."""
    if report.problem:
        return message(report.problem, "error")
    flow = [f"(None, {state.input_dim})"]
    for (_n, _t, shape, _p), spec in zip(report.rows, state.layers):
        flow.append(f"Dense({spec.units}{', ' + spec.activation if spec.activation else ''}) → {shape}")
    parts = [f'<div class="fclab-flow" style="font-family:monospace;font-size:13px;margin:4px 0">'
             f'{esc(" → ".join(flow))}</div>']
    with_keras = report.keras_rows is not None or report.keras_pending
    keras_rows = report.keras_rows or [None] * len(report.rows)
    rows = []
    for (name, kind, shape, params), theirs in zip(report.rows, keras_rows):
        row = [f"{name} ({kind})", str(shape), f"{params:,}"]
        if theirs is not None:
            row += [f"{theirs[2]:,}", Raw(_mark(theirs[1] == shape and theirs[2] == params))]
        elif with_keras:
            row += ["…", ""]
        rows.append(row)
    total = ["Total", "", f"{report.total:,}"]
    header = ["Layer (type)", "Output shape", "Param # (fclab)"]
    if with_keras:
        header += ["Param # (Keras)", "agree"]
        total += (["…", ""] if report.keras_pending
                  else [f"{report.keras_total:,}", Raw(_mark(report.total == report.keras_total))])
    rows.append(total)
    parts.append(table(header, rows, align=["left", "left", "right", "right", "center"]))
    if report.keras_pending:
        parts.append(message("building the same keras.Sequential to compare…", "info"))
    if report.agrees is not None:
        verdict = ("✓ same output shapes and parameter counts as keras.Sequential(...).summary()"
                   if report.agrees else "✗ differs from Keras: see the rows marked ✗")
        parts.append(message(verdict, "ok" if report.agrees else "error"))
    parts.append(code(report.code))
    if report.keras_summary:
        parts.append(f"<details><summary>Keras's own model.summary()</summary>{code(report.keras_summary)}"
                     f"</details>")
    return "".join(parts)


def _mark(ok: bool) -> str:
    color = "#2e7d32" if ok else "#d32f2f"
    return f'<span style="color:{color};font-weight:bold">{"✓" if ok else "✗"}</span>'


class _LayerRow(widgets.HBox):
    """Controls for one LayerSpec: units, activation, bias, remove."""

    def __init__(self, index: int, spec: LayerSpec, activation_names, on_change, on_remove):
        self.spec = spec
        self.units = widgets.BoundedIntText(value=spec.units, min=0, max=MAX_UNITS, description=f"Dense {index}",
                                            layout=widgets.Layout(width="170px"))
        current = spec.activation or "linear"
        options = tuple(activation_names) + (() if current in activation_names else (current,))
        self.activation = widgets.Dropdown(options=options, value=current,
                                           layout=widgets.Layout(width="120px"))
        self.use_bias = widgets.Checkbox(value=spec.use_bias, description="bias", indent=False,
                                         layout=widgets.Layout(width="70px"))
        self.remove = widgets.Button(description="remove", icon="trash", layout=widgets.Layout(width="90px"))
        self.remove.on_click(lambda _b: on_remove(self.spec))
        for control in (self.units, self.activation, self.use_bias):
            control.observe(lambda change: self._changed(on_change), names="value")
        super().__init__([self.units, self.activation, self.use_bias, self.remove])

    def _changed(self, on_change):
        self.spec.units = self.units.value
        self.spec.activation = None if self.activation.value == "linear" else self.activation.value
        self.spec.use_bias = self.use_bias.value
        on_change()


class StackExplorer(SavedView, widgets.VBox):
    """Add/remove Dense layers and watch shapes, parameter counts (ours vs Keras's) and the code.

    Attributes:
        state: the :class:`StackState`.
        report: the last :class:`StackReport`.
        input_dim: the input-features control; ``rows``: one :class:`_LayerRow` per layer.
        view: the ``ipywidgets.HTML`` with flow, table, code and Keras's summary.
    """

    saved_view_name = "stack explorer"

    def saved_view_html(self) -> str:
        return self.view.value

    def __init__(self, state: StackState | None = None):
        from fclab.reference import activations

        self.state = state or StackState()
        self._activation_names = tuple(activations.NAMES)
        self.input_dim = widgets.BoundedIntText(value=self.state.input_dim, min=0, max=MAX_UNITS,
                                                description="input features", style={"description_width": "100px"},
                                                layout=widgets.Layout(width="240px"))
        self.input_dim.observe(self._on_input, names="value")
        self.add_button = widgets.Button(description="add Dense layer", icon="plus")
        self.add_button.on_click(lambda _b: self.add_layer())
        self.rows_box = widgets.VBox()
        self.rows: list[_LayerRow] = []
        self.view = widgets.HTML()
        self.report = None
        self._lock = threading.RLock()
        self._wanted = None
        self._future = None
        super().__init__([self.input_dim, self.rows_box, self.add_button, self.view])
        self.add_class("fclab-stack-explorer")
        self.watch_view(self.view)
        self._rebuild_rows()
        self.wait_keras()   # the first view already carries Keras's verdict

    def add_layer(self, units: int | None = None, activation: str | None = "relu", use_bias: bool = True):
        """Append a Dense layer (units default: the last layer's) and redraw."""
        if units is None:
            units = self.state.layers[-1].units if self.state.layers else 4
        self.state.layers.append(LayerSpec(units, activation, use_bias))
        self._rebuild_rows()

    def remove_layer(self, index: int = -1):
        """Remove the layer at ``index`` and redraw."""
        del self.state.layers[index]
        self._rebuild_rows()

    def _remove_spec(self, spec):
        self.state.layers.remove(spec)
        self._rebuild_rows()

    def _on_input(self, change):
        self.state.input_dim = change["new"]
        self.refresh()

    def _rebuild_rows(self):
        self.rows = [_LayerRow(i, spec, self._activation_names, self.refresh, self._remove_spec)
                     for i, spec in enumerate(self.state.layers)]
        self.rows_box.children = self.rows
        self.refresh()

    def refresh(self):
        """Redraw from ``state`` at once (numpy side); Keras's side comes from cache or the Keras worker."""
        with self._lock:
            self.report = report = summarize(self.state, with_keras=False)
            self._wanted = stack_key(self.state)
            if self.state.compare_keras and not report.problem:
                found = _keras_stack.cached(*self._wanted)
                if found is not None:
                    fill_keras(report, found)
                else:
                    report.keras_pending = True
                    self._future = _keras_stack.submit(self._compare_with_keras, self._wanted)
            self.view.value = render(report, self.state)

    def wait_keras(self, timeout: float = 120.0) -> bool:
        """Wait until Keras's side of the current stack is shown; True when it is (or not wanted)."""
        if self._future is not None:
            self._future.result(timeout)
        return not self.report.keras_pending

    def _compare_with_keras(self, key):
        """On the Keras worker: build ``key``'s model unless the stack has changed since; then redraw."""
        if key != self._wanted:
            return
        result = _keras_stack.keras_side(*key)
        with self._lock:
            if key == self._wanted and self.report.keras_pending:
                fill_keras(self.report, result)
                self.view.value = render(self.report, self.state)


def stack_explorer(layers=None, input_dim: int = 3, compare_keras: bool = True) -> StackExplorer:
    """Explore a stack of Dense layers.

    Args:
        layers: list of LayerSpec, units (int), (units, activation[, use_bias]) tuples or dicts;
            default 3 → Dense(2, relu) → Dense(2, relu) → Dense(2).
        input_dim: input features.
        compare_keras: build the same ``keras.Sequential`` alongside and compare (imports TensorFlow).
    """
    state = StackState(input_dim=input_dim, compare_keras=compare_keras)
    if layers is not None:
        state.layers = [as_spec(layer) for layer in layers]
    return StackExplorer(state)
