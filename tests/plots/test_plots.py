"""fclab.plots: each function returns a Figure that renders to PNG, with its labels, and leaks nothing."""

import io

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from fclab import plots  # noqa: E402


@pytest.fixture(autouse=True)
def no_open_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "a plot function left a figure open in pyplot"


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    data = buffer.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    return data


def _titles(fig):
    return [ax.get_title() for ax in fig.axes]


def test_plot_activations_with_and_without_derivatives():
    fig = plots.plot_activations(["relu", "sigmoid", "tanh"])
    _png(fig)
    f_ax, d_ax = fig.axes
    assert f_ax.get_title() == "Activation functions f(x)" and d_ax.get_title() == "Derivatives f'(x)"
    assert f_ax.get_xlabel() == "x" and d_ax.get_ylabel() == "f'(x)"
    assert [t.get_text() for t in f_ax.get_legend().get_texts()] == ["relu", "sigmoid", "tanh"]
    relu_d = d_ax.lines[0].get_ydata()
    assert relu_d.min() == 0 and relu_d.max() == 1  # the derivative of relu is a step
    fig = plots.plot_activations("leaky_relu", x_range=(-2, 2), derivative=False)
    assert len(fig.axes) == 1 and fig.axes[0].lines[0].get_xdata().min() == -2


@pytest.mark.parametrize("names, words", [
    (["softmax"], ["softmax is not elementwise"]), (["swish_me"], ["swish_me", "relu"]), ([], ["at least one"]),
])
def test_plot_activations_bad_names(names, words):
    with pytest.raises(ValueError) as info:
        plots.plot_activations(names)
    for word in words:
        assert word in str(info.value)
    assert "(3, 1)" in str(pytest.raises(ValueError, plots.plot_activations, "relu", x_range=(3, 1)).value)


class _History:  # what model.fit returns: an object with a .history dict
    history = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7], "accuracy": [0.5, 0.7, 0.8],
               "val_accuracy": [0.4, 0.6, 0.7]}


def test_plot_history():
    fig = plots.plot_history(_History())
    _png(fig)
    assert _titles(fig) == ["Loss", "Metrics"] and fig.axes[0].get_xlabel() == "epoch"
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), [1.0, 0.6, 0.4])
    assert fig.axes[0].lines[1].get_linestyle() == "--"
    assert _titles(plots.plot_history({"loss": [3, 2]})) == ["Loss"]


def test_plot_history_bad_input():
    assert "{'loss': 3, 'val_loss': 2}" in str(pytest.raises(
        ValueError, plots.plot_history, {"loss": [1, 2, 3], "val_loss": [1, 2]}).value)
    assert "empty" in str(pytest.raises(ValueError, plots.plot_history, {}).value)
    assert "list" in str(pytest.raises(TypeError, plots.plot_history, [1, 2]).value)


def test_plot_decision_boundary_binary_multiclass_and_ax():
    from fclab.data import toy_dataset

    X, y = toy_dataset("circle", 100)
    fig = plots.plot_decision_boundary(lambda p: (np.hypot(p[:, 0], p[:, 1]) < 2.5).astype("float32"), X, y)
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_title() == "Decision boundary" and ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"
    X3, y3 = toy_dataset("gauss", 90, n_classes=3)
    fig2, ax2 = plt.subplots()
    plt.close(fig2)
    out = plots.plot_decision_boundary(lambda p: np.stack([p[:, 0], p[:, 1], -p[:, 0]], axis=1), X3, y3, ax=ax2)
    assert out is fig2
    _png(out)


def test_plot_decision_boundary_bad_input():
    message = str(pytest.raises(ValueError, plots.plot_decision_boundary, np.sum, np.ones((5, 3)), np.zeros(5)).value)
    assert "(5, 3)" in message and "(n, 2)" in message
    message = str(pytest.raises(ValueError, plots.plot_decision_boundary, np.sum, np.ones((5, 2)), np.zeros(4)).value)
    assert "5 points" in message and "4 labels" in message
    message = str(pytest.raises(ValueError, plots.plot_decision_boundary, lambda p: p[:10], np.ones((5, 2)),
                                np.zeros(5)).value)
    assert "(10, 2)" in message


def test_plot_weights():
    kernel = np.arange(12, dtype="float32").reshape(3, 4) - 6
    fig = plots.plot_weights(kernel)
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_title() == "kernel (3, 4)" and "unit" in ax.get_xlabel() and "input" in ax.get_ylabel()
    assert ax.images[0].get_clim() == (-6.0, 6.0)  # centred on zero
    assert "(4,)" in str(pytest.raises(ValueError, plots.plot_weights, np.ones(4)).value)


def test_plot_confusion_matrix():
    y_true = np.array([0, 1, 2, 2, 1])
    y_pred = np.eye(3)[[0, 2, 2, 2, 1]]  # scores: argmax taken
    fig = plots.plot_confusion_matrix(y_true, y_pred, labels=["a", "b", "c"])
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_title() == "Confusion matrix (accuracy 0.800)"
    assert ax.get_xlabel() == "Predicted label" and ax.get_ylabel() == "True label"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert "5 labels but y_pred has 4" in str(pytest.raises(
        ValueError, plots.plot_confusion_matrix, y_true, y_true[:4]).value)


def test_plot_misclassified():
    x = np.random.default_rng(0).random((20, 64))
    y_true = np.arange(20) % 10
    y_pred = y_true.copy()
    y_pred[[3, 7, 11]] = 0
    fig = plots.plot_misclassified(x, y_true, y_pred, n=2)
    _png(fig)
    assert fig._suptitle.get_text() == "Misclassified: 3 of 20 (showing 2)"
    assert [t for t in _titles(fig) if t] == ["true 3 / pred 0", "true 7 / pred 0"]
    fig = plots.plot_misclassified(x, y_true, y_true)
    _png(fig)
    assert fig._suptitle.get_text().startswith("Misclassified: 0 of 20")
    message = str(pytest.raises(ValueError, plots.plot_misclassified, x, y_true, y_pred, image_shape=(28, 28)).value)
    assert "64 values" in message and "(28, 28)" in message


def test_a_returned_figure_shows_once_in_a_jupyter_kernel(tmp_path, monkeypatch):
    import nbclient
    import nbformat

    monkeypatch.delenv("MPLBACKEND", raising=False)  # as in JupyterLab: ipykernel's inline backend

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import fclab.plots\nfclab.plots.plot_history({'loss': [1.0, 0.5]})"),
                nbformat.v4.new_code_cell("fig = fclab.plots.plot_weights([[1.0, -1.0]])  # not the last value")]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown, hidden = nb.cells[0].outputs, nb.cells[1].outputs
    assert [o.output_type for o in shown] == ["execute_result"] and "image/png" in shown[0].data
    assert hidden == []  # closed in pyplot: the inline backend does not show it again at the end of the cell
