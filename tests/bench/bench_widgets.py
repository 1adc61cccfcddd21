"""How long a control change takes to update each widget's view, server-side (goal: ≤ 50 ms).

Each row sets one control back and forth ``REPEATS`` times; the observer recomputes the state's report and
re-renders the view synchronously, so the time between setting ``.value`` and its return is the update
cost. Rows in parentheses are for information, not control changes: a training epoch, and the time until
the stack explorer's Keras column (built on a worker thread) arrives. Nothing is asserted about
the timings: this prints a table. Run: ``.venv/bin/python -m pytest tests/bench/bench_widgets.py -s`` or
``.venv/bin/python tests/bench/bench_widgets.py``.
"""

import statistics
import time

import pytest

REPEATS = 15
GOAL_MS = 50.0


def _time_toggle(control, a, b, repeats=REPEATS):
    """Milliseconds for each ``control.value = …`` alternating between a and b (after one warm-up)."""
    control.value = b
    control.value = a
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        control.value = b if i % 2 == 0 else a
        times.append((time.perf_counter() - start) * 1000)
    return times


def _time_call(fn, repeats=REPEATS):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def numpy_rows():
    """Shape explorer, activation explorer, stack explorer without Keras (no TensorFlow)."""
    from fclab.widgets import activation_explorer, shape_explorer, stack_explorer

    shape = shape_explorer()
    rows = [("shape: batch slider 2↔9", _time_toggle(shape.controls["batch"], 2, 9)),
            ("shape: in slider 3↔24 (elided sum)", _time_toggle(shape.controls["in_features"], 3, 24)),
            ("shape: units slider 2↔32", _time_toggle(shape.controls["units"], 2, 32))]
    shape.controls["in_features"].value = 3
    rows.append(("shape: break it on↔off (numpy error + explain)",
                 _time_toggle(shape.controls["break_it"], False, True)))
    act = activation_explorer(["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
    rows += [("activation: x range (5 curves)", _time_toggle(act.controls["x_range"], (-6.0, 6.0), (-10.0, 3.0))),
             ("activation: leaky slope", _time_toggle(act.controls["negative_slope"], 0.2, 0.01)),
             ("activation: tick relu", _time_toggle(act.controls["relu"], True, False))]
    stack = stack_explorer(compare_keras=False)
    rows.append(("stack (numpy only): units 2↔64", _time_toggle(stack.rows[0].units, 2, 64)))
    return rows


def keras_rows():
    """Stack explorer compared with Keras (new and cached configurations) and the playground."""
    from fclab.widgets import playground, stack_explorer

    stack = stack_explorer()
    fresh = iter(range(100, 100 + 10 * REPEATS))

    def new_config(wait):
        stack.rows[0].units.value = next(fresh)
        if wait:
            stack.wait_keras()

    stack.wait_keras()
    rows = [("stack + Keras: units, new config (view)", _time_call(lambda: new_config(False), REPEATS - 1)),
            ("stack + Keras: units 2↔64, cached", _time_toggle(stack.rows[0].units, 2, 64))]
    stack.wait_keras()
    rows.append(("(background) stack: until Keras's ✓ is shown", _time_call(lambda: new_config(True), REPEATS - 1)))
    play = playground()
    rows += [("playground: noise 0.1↔0.3 (new data+net)", _time_toggle(play.controls["noise"], 0.1, 0.3)),
             ("playground: hidden '4, 2'↔'8, 8'", _time_toggle(play.controls["hidden"], "4, 2", "8, 8")),
             ("playground: learning rate", _time_toggle(play.controls["learning_rate"], 0.03, 0.1)),
             ("playground: data set circle↔xor", _time_toggle(play.controls["dataset"], "circle", "xor"))]
    play.controls["dataset"].value = "gauss"        # circle and xor have exactly 2 classes
    rows.append(("playground: classes 2↔3 (gauss)", _time_toggle(play.controls["n_classes"], 2, 3)))
    play.controls["n_classes"].value = 2
    rows.append(("(training) playground: one epoch + redraw", _time_call(play.step, repeats=5)))
    return rows


def displayed_rows():
    """The same changes on widgets shown in an IPython shell: each redraw also updates the saved picture."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    from fclab.widgets import activation_explorer, shape_explorer

    InteractiveShell.instance()
    act = activation_explorer(["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
    shape = shape_explorer()
    with capture_output():
        display(act)
        display(shape)
        rows = [("(shown) activation: x range + saved picture",
                 _time_toggle(act.controls["x_range"], (-6.0, 6.0), (-10.0, 3.0))),
                ("(shown) shape: batch slider + saved picture", _time_toggle(shape.controls["batch"], 2, 9))]
    kb = len(act.saved_view_bundle()["text/html"]) / 1000
    print(f"\nsaved picture of the activation explorer (5 curves): {kb:.0f} kB of HTML per update")
    return rows


def format_table(rows):
    lines = [f"{'control change':48s} {'median ms':>10s} {'max ms':>8s}  ≤{GOAL_MS:.0f} ms (median)",
             "-" * 84]
    for name, times in rows:
        median = statistics.median(times)
        verdict = "" if name.startswith("(") else ("yes" if median <= GOAL_MS else "NO")
        lines.append(f"{name:48s} {median:10.1f} {max(times):8.1f}  {verdict}")
    return "\n".join(lines)


def test_bench_numpy_widgets(capsys):
    rows = numpy_rows() + displayed_rows()
    with capsys.disabled():
        print("\n" + format_table(rows))


@pytest.mark.tf
def test_bench_keras_widgets(capsys):
    rows = keras_rows()
    with capsys.disabled():
        print("\n" + format_table(rows))


if __name__ == "__main__":
    print(format_table(numpy_rows() + keras_rows()))
