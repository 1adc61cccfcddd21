"""Activation explorer: f and f' of the Keras activations, where gradients vanish and where relu is dead.

Functions and derivatives come from ``fclab.reference.activations`` (numpy; no TensorFlow here).
:func:`analyse` turns an :class:`ActivationState` into curves and regions; :class:`ActivationExplorer`
draws them as two SVG panels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import math

import ipywidgets as widgets
import numpy as np

from fclab.palette import ACTIVATION_COLORS, DASH_SVG, DASHED_ACTIVATIONS

from ._html import message
from ._saved_view import SavedView
from ._svg import Frame, esc, legend

PLOTTED = ("linear", "relu", "sigmoid", "tanh", "leaky_relu")  # elementwise; softmax is explained instead
COLORS = {name: ACTIVATION_COLORS[name] for name in PLOTTED}
DEAD_COLOR = "#424242"
THRESHOLDS = (0.0001, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)   # the threshold slider's stops


@dataclass
class ActivationState:
    """Which activations to draw and how.

    Attributes:
        names: Keras activation names to plot (from ``linear, relu, sigmoid, tanh, leaky_relu``).
        x_min, x_max: the plotted input range.
        threshold: |f'(x)| below this counts as a vanishing gradient.
        negative_slope: leaky_relu's slope for x < 0 (Keras's function default 0.2; the LeakyReLU layer's 0.3).
        samples: points along x.
    """

    names: tuple = ("sigmoid", "tanh", "relu")
    x_min: float = -6.0
    x_max: float = 6.0
    threshold: float = 0.05
    negative_slope: float = 0.2
    samples: int = 241


@dataclass
class Curve:
    """One activation over ``x``: values, derivative, vanishing and dead regions, a sentence about it."""

    name: str
    f: np.ndarray
    df: np.ndarray
    vanishing: list            # (x_start, x_end) where |f'| < threshold
    dead: list                 # (x_start, x_end) where f' == 0 exactly on x < 0 (relu)
    note: str


@dataclass
class ActivationReport:
    x: np.ndarray = None
    curves: list = field(default_factory=list)
    problem: str = ""


def _problem(state: ActivationState) -> str:
    if not state.names:
        return "No activation selected: tick at least one of " + ", ".join(PLOTTED) + "."
    unknown = [n for n in state.names if n not in PLOTTED]
    if "softmax" in unknown:
        return ("softmax acts on a whole vector, not one number at a time: its derivative is a Jacobian "
                "(fclab.reference.activations.softmax_jacobian), so it has no single f'(x) curve. "
                "Untick softmax; lesson 02 shows it on vectors.")
    if unknown:
        return f"Unknown activation {unknown[0]!r}; this explorer draws: {', '.join(PLOTTED)}."
    if not state.x_min < state.x_max:
        return f"The x range must go from low to high, got {state.x_min} … {state.x_max}."
    if not state.threshold > 0:
        return f"The vanishing-gradient threshold must be > 0, got {state.threshold}."
    return ""


def analyse(state: ActivationState) -> ActivationReport:
    """Evaluate every selected activation and its derivative; find vanishing and dead regions."""
    report = ActivationReport(problem=_problem(state))
    if report.problem:
        return report
    from fclab.reference import activations

    x = np.linspace(state.x_min, state.x_max, state.samples, dtype=np.float32)
    report.x = x
    for name in state.names:
        kw = {"negative_slope": np.float32(state.negative_slope)} if name == "leaky_relu" else {}
        f = activations.get(name)(x, **kw)
        df = activations.derivative(name, x, **kw)
        vanishing = vanishing_spans(name, state.threshold, state.negative_slope, state.x_min, state.x_max)
        dead = _clip([(-math.inf, 0.0)], state.x_min, state.x_max) if name == "relu" else []
        report.curves.append(Curve(name, f, df, vanishing, dead, _note(name, vanishing, state)))
    return report


def _clip(spans, lo, hi):
    """``spans`` (a, b) cut to [lo, hi], empty ones dropped."""
    return [(max(a, lo), min(b, hi)) for a, b in spans if max(a, lo) < min(b, hi)]


def vanishing_spans(name, threshold, negative_slope, lo, hi):
    """Where |f'(x)| < threshold on [lo, hi], computed from f' in closed form (no sampling grid).

    sigmoid' = s(1 - s) <= 1/4 is below t where |x| > logit(p) with p = (1 + sqrt(1 - 4t)) / 2;
    tanh' = 1 - tanh² is below t where |x| > atanh(sqrt(1 - t)); relu' is 0 for x <= 0 and 1 above;
    leaky_relu' is the slope for x < 0 and 1 above; linear' is 1.
    """
    everywhere = [(-math.inf, math.inf)]
    if name in ("sigmoid", "tanh"):
        peak = 0.25 if name == "sigmoid" else 1.0
        if threshold > peak:
            return _clip(everywhere, lo, hi)
        if name == "sigmoid":
            p = (1 + math.sqrt(1 - 4 * threshold)) / 2
            edge = math.log(p / (1 - p)) if p < 1 else math.inf
        else:
            edge = math.atanh(math.sqrt(1 - threshold)) if threshold > 0 else math.inf
        return _clip([(-math.inf, -edge), (edge, math.inf)], lo, hi)
    if threshold > 1:
        return _clip(everywhere, lo, hi)
    if name == "relu" or (name == "leaky_relu" and abs(negative_slope) < threshold):
        return _clip([(-math.inf, 0.0)], lo, hi)
    return []


def _num(value) -> str:
    """A readable number: 2 significant digits, no float noise (0.0501187 -> 0.05, 2.944 -> 2.9)."""
    return f"{float(value):.2g}".replace("-", "−")


def _note(name, vanishing, state) -> str:
    t = _num(state.threshold)
    width = state.x_max - state.x_min
    share = sum(b - a for a, b in vanishing) / width if width > 0 else 0.0
    where = " and ".join(f"{_num(a)} … {_num(b)}" for a, b in vanishing) or "nowhere in this range"
    if name == "relu":
        return ("relu: f' = 1 for every x > 0 and 0 for x ≤ 0: a unit whose pre-activation is negative for all "
                "inputs is dead — no gradient reaches its weights, so it never recovers.")
    if name == "leaky_relu":
        slope = state.negative_slope
        verdict = "it cannot die" if slope > 0 else "with slope 0 it is plain relu and can die"
        return (f"leaky_relu: f' = 1 for x > 0 and {_num(slope)} for x < 0, so {verdict}"
                + (f"; that slope is below the threshold {t}, so it counts as vanishing there."
                   if 0 < slope < state.threshold else "."))
    if name == "linear":
        return "linear: f' = 1 everywhere: no vanishing, but stacked linear layers collapse to one layer."
    peak = "1/4" if name == "sigmoid" else "1"
    return (f"{name}: largest f' = {peak} at x = 0; |f'| < {t} on {where} ({share:.0%} of the range): "
            "gradients vanish there.")


def render(state: ActivationState, report: ActivationReport) -> str:
    """Two SVG panels (f and f') with the regions shaded, a legend and one sentence per activation."""
    if report.problem:
        return message(report.problem, "error")
    x = report.x
    f_all = np.concatenate([c.f for c in report.curves])
    d_all = np.concatenate([c.df for c in report.curves])
    panels = []
    for key, values, title in (("f", f_all, "f(x)"), ("df", d_all, "f'(x)")):
        lo, hi = float(np.min(values)), float(np.max(values))
        pad = 0.08 * (hi - lo or 1.0)
        frame = Frame(380, 250, (state.x_min, state.x_max), (lo - pad, hi + pad))
        parts = frame.axes(title=title, xlabel="x")
        if key == "df":
            for level in (state.threshold, -state.threshold):
                if frame.y0 < level < frame.y1:
                    parts.append(frame.polyline([state.x_min, state.x_max], [level, level], "#9e9e9e", "3 3",
                                                1.0, f"|f'| = {_num(state.threshold)}"))
        for curve in sorted(report.curves, key=lambda c: c.name in DASHED_ACTIVATIONS):  # dashed ones on top
            y = getattr(curve, key)
            if key == "f":  # a wide pale band under the parts of f where the gradient vanishes
                flat = np.where(np.abs(curve.df) < state.threshold, y, np.nan)
                parts.append(frame.polyline(x, flat, COLORS[curve.name], width=9, title="vanishing")
                             .replace("<polyline", '<polyline stroke-opacity="0.25"'))
            dashed = curve.name in DASHED_ACTIVATIONS
            parts.append(frame.polyline(x, y, COLORS[curve.name], dash=DASH_SVG if dashed else "",
                                        width=2.0 if dashed else 2.5, title=curve.name))
        panels.append(frame.svg(parts))
    entries = [(c.name, COLORS[c.name], c.name in DASHED_ACTIVATIONS) for c in report.curves]
    notes = "".join(f"<li>{esc(c.note)}</li>" for c in report.curves)
    return (f'<div class="fclab-activations" style="display:flex;gap:8px">{"".join(panels)}</div>'
            f"{legend(entries)}{lanes_svg(state, report)}<ul style='font-size:13px'>{notes}</ul>")


def lanes_svg(state: ActivationState, report: ActivationReport) -> str:
    """One lane per activation under the plots: coloured where |f'| < threshold, dark where relu is dead."""
    lane = 16
    frame = Frame(380, 26 + lane * len(report.curves), (state.x_min, state.x_max), (0, len(report.curves)),
                  margin=dict(left=80, right=10, top=18, bottom=8))
    parts = [f'<text x="4" y="12" font-size="11">where |f\'(x)| &lt; {_num(state.threshold)} '
             f"(gradients vanish; dark: relu dead, f' = 0)</text>"]
    for row, curve in enumerate(report.curves):
        y = frame.top + row * lane
        parts.append(f'<text x="{frame.left - 6}" y="{y + 12}" font-size="11" text-anchor="end">'
                     f"{esc(curve.name)}</text>")
        parts.append(f'<rect x="{frame.left}" y="{y + 2}" width="{frame.inner_w}" height="{lane - 4}" '
                     'fill="#f5f5f5"/>')
        for spans, color, label in ((curve.vanishing, COLORS[curve.name], "vanishing"),
                                    (curve.dead, DEAD_COLOR, "dead")):
            for a, b in spans:
                x0, x1 = float(frame.px(a)), float(frame.px(b))
                parts.append(f'<rect class="fclab-{label}" x="{x0:.1f}" y="{y + 2}" width="{max(x1 - x0, 1):.1f}" '
                             f'height="{lane - 4}" fill="{color}" fill-opacity="0.7"><title>{esc(curve.name)} '
                             f"{label}: {_num(a)} … {_num(b)}</title></rect>")
    return frame.svg(parts)


class ActivationExplorer(SavedView, widgets.VBox):
    """Tick activations, set the x range, the vanishing threshold and leaky relu's slope.

    Attributes:
        state: the :class:`ActivationState`; ``report``: the last :class:`ActivationReport`.
        controls: dict of controls: one Checkbox per activation name, ``x_range``, ``threshold``,
            ``negative_slope``.
        view: the ``ipywidgets.HTML`` with the two panels and the notes.
    """

    saved_view_name = "activation explorer"

    def __init__(self, state: ActivationState | None = None):
        self.state = state or ActivationState()
        s = self.state
        self.controls = {name: widgets.Checkbox(value=name in s.names, description=name, indent=False,
                                                layout=widgets.Layout(width="110px")) for name in PLOTTED}
        self.controls["x_range"] = widgets.FloatRangeSlider(
            value=(s.x_min, s.x_max), min=-20, max=20, step=0.5, description="x range", readout_format=".1f",
            layout=widgets.Layout(width="380px"))
        self.controls["threshold"] = widgets.SelectionSlider(
            options=THRESHOLDS if s.threshold in THRESHOLDS else sorted({*THRESHOLDS, s.threshold}),
            value=s.threshold, description="|f'| below")
        self.controls["negative_slope"] = widgets.FloatSlider(value=s.negative_slope, min=0.0, max=1.0,
                                                              step=0.01, description="leaky slope")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.view = widgets.HTML()
        self.report = None
        boxes = widgets.HBox([self.controls[name] for name in PLOTTED])
        sliders = widgets.HBox([self.controls[n] for n in ("x_range", "threshold", "negative_slope")])
        super().__init__([boxes, sliders, self.view])
        self.add_class("fclab-activation-explorer")
        self.watch_view(self.view)
        self.refresh()

    def _on_change(self, _change):
        c = self.controls
        self.state.names = tuple(name for name in PLOTTED if c[name].value)
        self.state.x_min, self.state.x_max = c["x_range"].value
        self.state.threshold = c["threshold"].value
        self.state.negative_slope = c["negative_slope"].value
        self.refresh()

    def refresh(self):
        """Recompute from ``state`` and redraw."""
        self.controls["negative_slope"].disabled = "leaky_relu" not in self.state.names
        self.report = analyse(self.state)
        self.view.value = render(self.state, self.report)

    def saved_view_html(self) -> str:
        return self.view.value


def activation_explorer(names=("sigmoid", "tanh", "relu"), x_range=(-6.0, 6.0)) -> ActivationExplorer:
    """Plot f and f' of ``names`` over ``x_range``; shade vanishing gradients and dead relu."""
    return ActivationExplorer(ActivationState(names=tuple(names), x_min=x_range[0], x_max=x_range[1]))
