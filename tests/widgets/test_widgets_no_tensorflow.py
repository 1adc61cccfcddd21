"""The numpy-only widgets never import TensorFlow or Keras (checked in a fresh interpreter)."""

import subprocess
import sys
import textwrap


def test_shape_activation_and_numpy_stack_explorers_do_not_import_tensorflow():
    script = textwrap.dedent("""
        import sys
        import fclab.widgets as w
        s = w.shape_explorer()
        s.controls["break_it"].value = True          # numpy's error and the explanation, no Keras
        assert s.report.numpy_error and not s.report.keras_error
        a = w.activation_explorer(["relu", "leaky_relu", "sigmoid"])
        a.controls["negative_slope"].value = 0.1
        k = w.stack_explorer(compare_keras=False)
        k.add_layer(3)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print("LOADED", loaded)
        assert not loaded, loaded
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LOADED []" in result.stdout


def test_importing_the_widgets_does_not_import_matplotlib():
    """A lesson's first cell imports fclab.widgets: matplotlib waits for the first widget drawn."""
    script = ("import sys, fclab.widgets, fclab.palette\n"
              "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'tensorflow')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout, result.stdout
