"""Activation explorer: curves from fclab.reference, vanishing-gradient and dead-relu regions."""

import html

import numpy as np
import pytest

from fclab.widgets import ActivationState, activation_explorer


def _curve(w, name):
    return next(c for c in w.report.curves if c.name == name)


def _step(w):
    x = w.report.x
    return float(x[1] - x[0])


def test_sigmoid_vanishes_where_its_derivative_is_below_the_threshold():
    w = activation_explorer(["sigmoid"], x_range=(-8, 8))
    threshold = w.state.threshold
    # sigmoid' = s(1 - s) = t  <=>  s = (1 + sqrt(1 - 4t)) / 2  <=>  |x| = log(s / (1 - s))
    s = (1 + np.sqrt(1 - 4 * threshold)) / 2
    edge = np.log(s / (1 - s))
    spans = _curve(w, "sigmoid").vanishing
    assert len(spans) == 2
    (a0, a1), (b0, b1) = spans
    assert a0 == pytest.approx(-8) and b1 == pytest.approx(8)
    assert a1 == pytest.approx(-edge, rel=1e-9) and b0 == pytest.approx(edge, rel=1e-9)   # closed form


def test_threshold_slider_moves_the_regions():
    w = activation_explorer(["tanh"])
    before = _curve(w, "tanh").vanishing[0][1]
    w.controls["threshold"].value = 0.001
    after = _curve(w, "tanh").vanishing[0][1]
    assert after < before     # a smaller threshold: gradients count as vanishing only further out
    # tanh' = 1 - tanh^2 = t  <=>  |x| = artanh(sqrt(1 - t))
    assert after == pytest.approx(-np.arctanh(np.sqrt(1 - w.state.threshold)), rel=1e-9)


def test_relu_dead_region_is_the_negative_half():
    w = activation_explorer(["relu"], x_range=(-4, 4))
    dead = _curve(w, "relu").dead
    assert len(dead) == 1
    assert dead == [(-4.0, 0.0)]
    assert "fclab-dead" in w.view.value and "dead" in _curve(w, "relu").note


def test_leaky_relu_slope_slider():
    w = activation_explorer(["leaky_relu"], x_range=(-4, 4))
    assert w.state.negative_slope == pytest.approx(0.2)
    c = _curve(w, "leaky_relu")
    assert c.vanishing == [] and c.dead == []
    assert np.allclose(c.f[w.report.x < 0], 0.2 * w.report.x[w.report.x < 0])
    w.controls["negative_slope"].value = 0.01   # below the 0.05 threshold: counts as vanishing for x < 0
    c = _curve(w, "leaky_relu")
    assert c.vanishing == [(-4.0, 0.0)]
    assert np.allclose(c.df[w.report.x < 0], 0.01)
    assert "0.01" in c.note


def test_checkboxes_and_range_drive_the_state_and_the_view():
    w = activation_explorer()
    w.controls["linear"].value = True
    w.controls["relu"].value = False
    w.controls["x_range"].value = (-2.0, 3.0)
    assert w.state.names == ("linear", "sigmoid", "tanh")
    assert [c.name for c in w.report.curves] == ["linear", "sigmoid", "tanh"]
    assert w.report.x[0] == pytest.approx(-2) and w.report.x[-1] == pytest.approx(3)
    assert w.view.value.count("<polyline") >= 2 * 3
    assert w.controls["negative_slope"].disabled


def test_nothing_selected_or_softmax_is_a_message():
    w = activation_explorer(["relu"])
    w.controls["relu"].value = False
    assert "No activation selected" in w.view.value
    w = activation_explorer(["softmax"])
    assert "softmax acts on a whole vector" in w.view.value
    w = activation_explorer(["gelu"])
    assert "Unknown activation 'gelu'" in html.unescape(w.view.value)


def test_state_is_plain_data():
    state = ActivationState(names=("tanh",), x_min=-1, x_max=1)
    w = activation_explorer(state.names, (state.x_min, state.x_max))
    assert w.state == state


def test_notes_read_without_grid_artefacts():
    """The notes and readouts show what the functions are, not where a sampling grid happened to fall."""
    w = activation_explorer(["sigmoid", "tanh", "relu", "leaky_relu"])
    notes = {c.name: c.note for c in w.report.curves}
    assert notes["sigmoid"].startswith("sigmoid: largest f' = 1/4 at x = 0; |f'| < 0.05 on −6 … −2.9 and 2.9 … 6")
    assert notes["tanh"].startswith("tanh: largest f' = 1 at x = 0; |f'| < 0.05 on −6 … −2.2 and 2.2 … 6")
    assert notes["relu"].startswith("relu: f' = 1 for every x > 0 and 0 for x ≤ 0")
    assert "0.062" not in w.view.value and "0.0501" not in w.view.value
    assert w.controls["x_range"].readout_format == ".1f"
    w.controls["threshold"].value = 0.01
    assert "0.01" in _curve(w, "tanh").note and "0.0100" not in w.view.value


def test_same_colours_as_the_static_plot_and_leaky_relu_dashed_on_top_of_relu():
    import matplotlib.colors as mcolors

    import fclab.plots

    names = ["sigmoid", "tanh", "relu", "leaky_relu"]
    fig = fclab.plots.plot_activations(names)
    plotted = {line.get_label(): mcolors.to_hex(line.get_color()) for line in fig.axes[0].get_lines()
               if line.get_label() in names}
    w = activation_explorer(names)
    for name, color in plotted.items():
        assert f'stroke="{color}" stroke-width' in w.view.value, name
    leaky = next(line for line in fig.axes[0].get_lines() if line.get_label() == "leaky_relu")
    relu = next(line for line in fig.axes[0].get_lines() if line.get_label() == "relu")
    assert leaky.get_linestyle() != "-" and leaky.get_zorder() > relu.get_zorder()
    svg = w.view.value
    relu_at = svg.index("<title>relu</title>")
    leaky_at = svg.index("<title>leaky_relu</title>")
    assert relu_at < leaky_at, "leaky_relu is drawn after (over) relu"
    assert 'stroke-dasharray' in svg[svg.rindex("<polyline", 0, leaky_at):leaky_at]
