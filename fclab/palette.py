"""fclab's colours, shared by the static plots (``fclab.plots``) and the widgets (``fclab.widgets``).

A lesson that shows a matplotlib figure and then a widget of the same functions draws them alike: relu is
the same red, and class 0 the same orange, in both.
"""

# Activations: one colour each; leaky_relu is dashed, because for x > 0 it lies exactly on relu.
ACTIVATION_COLORS = {
    "linear": "#757575",
    "relu": "#d32f2f",
    "sigmoid": "#1976d2",
    "tanh": "#388e3c",
    "leaky_relu": "#f57c00",
    "elu": "#7b1fa2",
    "selu": "#5d4037",
    "gelu": "#00838f",
    "softplus": "#c2185b",
    "swish": "#afb42b",
    "silu": "#afb42b",
}
DASHED_ACTIVATIONS = ("leaky_relu",)
DASH_SVG = "7 4"                 # stroke-dasharray of a dashed activation in the widgets
DASH_MPL = (0, (5, 3))           # the same dash in matplotlib

# Classes, as in TensorFlow Playground: orange, blue, then more.
CLASS_COLORS = ("#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
# A value from negative (orange) through 0 (white) to positive (blue): class scores, neuron outputs.
DIVERGING = ("#f59322", "#ffffff", "#0877bd")

TRAIN_COLOR, TEST_COLOR = "#424242", "#e65100"   # training and test (validation) curves; test is dashed
FALLBACK_COLOR = "#424242"


def activation_color(name) -> str:
    """The colour of activation ``name`` (a grey for names without one)."""
    return ACTIVATION_COLORS.get(name, FALLBACK_COLOR)


def diverging_cmap():
    """The orange–white–blue matplotlib colour map of :data:`DIVERGING` (imports matplotlib)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("fclab_diverging", DIVERGING).with_extremes(bad=(1, 1, 1, 0))


def class_cmap(n_classes: int):
    """A matplotlib ListedColormap of the first ``n_classes`` class colours."""
    from matplotlib.colors import ListedColormap

    return ListedColormap(CLASS_COLORS[:n_classes], name=f"fclab_classes_{n_classes}")
