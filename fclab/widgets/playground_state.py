"""The Playground's state as plain data, its checks, and its JSON form.

A :class:`PlaygroundState` holds the set-up (data set, network, training settings, seed) and the progress
(epochs trained, the loss curves, the current weights). Saved as JSON and loaded again it reproduces the
same network and curve; and because every random choice comes from the seed (weights from
``fclab.reference`` initializers, the shuffle of epoch ``e`` from ``(seed, e)``), a new playground with the
same set-up trained for the same number of epochs reaches the same weights and curve.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "leaky_relu")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
L2_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MAX_LAYERS, MAX_UNITS = 6, 16
FORMAT = "fclab.playground/1"
SETUP_FIELDS = ("dataset", "n_samples", "noise", "n_classes", "test_fraction", "hidden", "activation",
                "learning_rate", "l2", "batch_size", "seed")


@dataclass
class PlaygroundState:
    """Set-up and progress of one playground.

    Set-up (changing any of it starts a new network at epoch 0):
        dataset: one of ``fclab.data.TOY_DATASETS`` ("circle", "xor", "gauss", "spiral").
        n_samples, noise, n_classes: passed to ``fclab.data.toy_dataset``.
        test_fraction: share of the samples held out as the test set (stratified split).
        hidden: units of each hidden Dense layer, e.g. [4, 2]; [] is logistic regression.
        activation: hidden layers' activation. The output is sigmoid (2 classes, binary cross-entropy) or
            softmax (more classes, sparse categorical cross-entropy).
        learning_rate, l2: SGD's learning rate; L2 factor on every kernel (0 = none).
        batch_size: samples per SGD step.
        seed: seeds the data, the split, the initial weights and each epoch's shuffle.
    Progress:
        epoch: epochs trained; train_loss, test_loss: data loss (no L2 term) after 0, 1, …, epoch epochs.
        weights: the current weights in Keras's ``get_weights()`` order, as nested lists (None = initial).
    """

    dataset: str = "circle"
    n_samples: int = 200
    noise: float = 0.1
    n_classes: int = 2
    test_fraction: float = 0.5
    hidden: list = field(default_factory=lambda: [4, 2])
    activation: str = "tanh"
    learning_rate: float = 0.03
    l2: float = 0.0
    batch_size: int = 10
    seed: int = 0
    epoch: int = 0
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    weights: list | None = None

    def setup(self) -> dict:
        """The set-up fields only (what decides the network and the data)."""
        return {name: getattr(self, name) for name in SETUP_FIELDS}

    def problem(self) -> str:
        """'' when the set-up is valid, else what is wrong and what to do."""
        from fclab.data import TOY_DATASETS

        for name, kind in (("noise", "number"), ("test_fraction", "number"), ("learning_rate", "number"),
                           ("l2", "number"), ("hidden", "list")):
            value = getattr(self, name)
            ok = isinstance(value, list) if kind == "list" else (
                isinstance(value, (int, float)) and not isinstance(value, bool))
            if not ok:
                return f"{name} must be a {kind}, got {value!r}."
        if self.dataset not in TOY_DATASETS:
            return (f"There is no data set {self.dataset!r}; choose one of {', '.join(TOY_DATASETS)}.")
        if not isinstance(self.n_samples, int) or not 20 <= self.n_samples <= 2000:
            return f"n_samples must be a whole number from 20 to 2000, got {self.n_samples!r}."
        if not 0.0 <= float(self.noise) <= 1.0:
            return f"noise must be between 0 and 1, got {self.noise!r}."
        if not isinstance(self.n_classes, int) or not 2 <= self.n_classes <= 6:
            return f"n_classes must be 2 to 6, got {self.n_classes!r}."
        if self.n_classes != 2 and self.dataset in ("circle", "xor"):
            return (f"{self.dataset} has exactly two classes, got n_classes={self.n_classes}: set classes to 2, "
                    "or choose gauss or spiral for more classes.")
        if not 0.05 <= float(self.test_fraction) <= 0.9:
            return f"test_fraction must be between 0.05 and 0.9, got {self.test_fraction!r}."
        if len(self.hidden) > MAX_LAYERS:
            return f"At most {MAX_LAYERS} hidden layers here, got {len(self.hidden)}: remove some."
        for i, units in enumerate(self.hidden):
            if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
                return (f"Hidden layer {i + 1} has {units!r} units; each hidden layer needs 1 to {MAX_UNITS} "
                        "units (a layer with 0 units passes nothing on). Fix it or remove the layer.")
        if self.activation not in ACTIVATIONS:
            return f"Unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}."
        if not float(self.learning_rate) > 0:
            return f"The learning rate must be > 0, got {self.learning_rate!r}."
        if not float(self.l2) >= 0:
            return f"L2 must be ≥ 0, got {self.l2!r}."
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            return f"batch_size must be a whole number ≥ 1, got {self.batch_size!r}."
        return ""

    def to_json(self, indent: int | None = 1) -> str:
        """The whole state as JSON text (``{"format": "fclab.playground/1", ...}``)."""
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> PlaygroundState:
        """Read :meth:`to_json`'s text; ValueError saying what is wrong for anything else."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"This is not JSON ({exc}); paste the text that 'save' produced.") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            got = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise ValueError(f"Expected a playground state with \"format\": \"{FORMAT}\", got {got!r}.")
        data.pop("format")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown fields {unknown} in the playground state; known: {sorted(known)}.")
        return cls(**data)


def parse_hidden(text: str) -> list[int]:
    """'4, 2' → [4, 2]; '' → []. ValueError with an example for anything else."""
    items = [item.strip() for item in text.replace(";", ",").split(",") if item.strip()]
    try:
        return [int(item) for item in items]
    except ValueError:
        raise ValueError(f"Hidden layers {text!r}: write the units of each layer separated by commas, "
                         "like '4, 2' (or leave it empty for no hidden layer).") from None
