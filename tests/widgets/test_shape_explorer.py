"""Shape explorer driven from Python: shapes, parameter count, the written-out entry, the broken case."""

import numpy as np
import pytest

from fclab.widgets import ShapeState, shape_explorer


def _expected_entry(report, i, j):
    x, w, b = report.values["X"], report.values["W"], report.values["b"]
    return float(x[i] @ w[:, j] + (0 if b is None else b[j]))


def test_default_is_the_seed_example_2x3_at_3x2_plus_2():
    w = shape_explorer()
    r = w.report
    assert (r.x_shape, r.w_shape, r.b_shape, r.out_shape) == ((2, 3), (3, 2), (2,), (2, 2))
    assert r.params == 3 * 2 + 2
    assert "X (2, 3) @ W (3, 2) + b (2,) → out (2, 2)" in w.view.value
    assert "parameters: 3×2 + 2 = 8" in w.view.value


def test_sliders_change_model_and_view():
    w = shape_explorer()
    w.controls["batch"].value = 5
    w.controls["in_features"].value = 4
    w.controls["units"].value = 3
    r = w.report
    assert w.state.batch == 5 and w.state.in_features == 4 and w.state.units == 3
    assert (r.x_shape, r.w_shape, r.out_shape) == ((5, 4), (4, 3), (5, 3))
    assert r.values["out"].shape == (5, 3)
    assert r.params == 4 * 3 + 3
    assert "X (5, 4) @ W (4, 3) + b (3,) → out (5, 3)" in w.view.value
    w.controls["use_bias"].value = False
    assert w.report.params == 12 and w.report.b_shape is None
    assert "+ b" not in w.view.value.split("fclab-shapes")[1].split("</div>")[0]


def test_written_out_entry_uses_the_real_numbers():
    w = shape_explorer()
    w.controls["row"].value = 1
    w.controls["col"].value = 1
    r = w.report
    x, wk, b = r.values["X"], r.values["W"], r.values["b"]
    lines = r.worked.splitlines()
    assert lines[0].startswith("out[1,1] = X[1,0]·W[0,1]")
    expected_numbers = " + ".join(f"({int(x[1, k])})·({int(wk[k, 1])})" for k in range(3)) + f" + ({int(b[1])})"
    assert expected_numbers in lines[1]
    assert lines[2].split("=")[1].strip() == str(int(_expected_entry(r, 1, 1)))
    assert r.values["out"][1, 1] == pytest.approx(_expected_entry(r, 1, 1))


def test_entry_sliders_follow_the_sizes():
    w = shape_explorer()
    w.controls["batch"].value = 3
    assert w.controls["row"].max == 2
    w.controls["units"].value = 5
    assert w.controls["col"].max == 4


def test_many_features_are_elided_but_the_value_is_exact():
    w = shape_explorer(ShapeState(batch=2, in_features=20, units=3))
    assert "…" in w.report.worked
    value = float(w.report.worked.splitlines()[-1].split("=")[1])
    assert value == pytest.approx(_expected_entry(w.report, 0, 0))


def test_break_it_shows_numpys_real_error_and_an_explanation():
    w = shape_explorer()
    w.controls["break_it"].value = True
    r = w.report
    assert w.state.w_rows == 4 and r.w_shape == (4, 2)
    assert r.out_shape is None and "out" not in r.values
    try:
        np.ones((2, 3), np.float32) @ np.ones((4, 2), np.float32)
    except ValueError as exc:
        real = str(exc)
    assert r.numpy_error == f"ValueError: {real}"
    assert real in w.view.value.replace("&gt;", ">")
    assert "X (2, 3) @ W (4, 2)" in w.view.value
    assert r.explanation, "fclab.explain gave no explanation for a matmul shape error"
    assert "X has shape (2, 3)" in r.explanation and "W has shape (4, 2)" in r.explanation
    w.controls["w_rows"].value = 3  # rows equal X's columns again: no error
    assert not w.report.numpy_error and w.report.out_shape == (2, 2)


def test_w_rows_is_only_used_while_broken():
    w = shape_explorer()
    w.controls["w_rows"].value = 7
    assert w.report.w_shape == (3, 2) and w.controls["w_rows"].disabled
    w.controls["break_it"].value = True
    assert w.report.w_shape == (7, 2)


@pytest.mark.parametrize("field, value", [("units", 0), ("batch", -1), ("in_features", 0)])
def test_invalid_sizes_show_a_message_not_a_traceback(field, value):
    w = shape_explorer(ShapeState(**{field: value}))
    assert w.report.problem
    assert "fclab-error" in w.view.value and "1 or more" in w.view.value


def test_units_slider_at_zero_shows_the_message():
    w = shape_explorer()
    w.controls["units"].value = 0
    assert "units must be a whole number ≥ 1, got 0" in w.view.value


@pytest.mark.tf
def test_keras_error_on_demand_names_both_shapes():
    w = shape_explorer()
    w.controls["break_it"].value = True
    w.keras_button.click()
    r = w.report
    assert "expected axis -1 of input shape to have value 4" in r.keras_error
    assert "(2, 3)" in r.keras_error
    assert "Keras says" in w.view.value
