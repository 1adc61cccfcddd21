"""The Playground's engine: data, a numpy twin for drawing, and the real tf.keras model that trains.

The network's initial weights come from ``fclab.reference`` initializers with seeds derived from the
state's seed, so a set-up is drawn at once (no TensorFlow needed to show epoch 0) and is the same every
time. The Keras model is built on the first training step, given the twin's weights, and trained with
``train_on_batch`` on mini-batches in the order ``numpy.random.default_rng((seed, epoch))`` gives; after
each epoch the twin takes Keras's weights back, and the losses are measured on it.
"""

from __future__ import annotations

import numpy as np

from .playground_state import PlaygroundState

GRID = 40           # decision-boundary resolution (GRID × GRID points)
DATA_FIELDS = ("dataset", "n_samples", "noise", "n_classes", "seed", "test_fraction")


def make_data(state: PlaygroundState):
    """(x_train, x_test, y_train, y_test, limit): the toy set split (stratified) by the state's seed;
    limit is the half-width of the square drawn around the data."""
    from fclab.data import toy_dataset
    from sklearn.model_selection import train_test_split

    x, y = toy_dataset(state.dataset, n_samples=state.n_samples, noise=state.noise, seed=state.seed,
                       n_classes=state.n_classes)
    split = train_test_split(x, y, test_size=state.test_fraction, random_state=state.seed, stratify=y)
    return (*split, float(np.ceil(np.max(np.abs(x)) * 1.1 * 2) / 2))


def output_layer(n_classes: int) -> tuple[int, str, str]:
    """(units, activation, loss) of the output: sigmoid/BCE for 2 classes, softmax/sparse CE for more."""
    if n_classes == 2:
        return 1, "sigmoid", "binary_crossentropy"
    return n_classes, "softmax", "sparse_categorical_crossentropy"


def layer_names(state: PlaygroundState) -> list[str]:
    return [f"hidden_{i + 1}" for i in range(len(state.hidden))] + ["output"]


class Trainer:
    """One set-up's data, twin and Keras model.

    Args:
        state: the PlaygroundState (read, and written: epoch, losses, weights).
        previous: the Trainer this one replaces; its data are reused when the data set-up is the same, and
            its compiled Keras model when the architecture is (saves tracing a new training function).

    Attributes:
        problem: '' or what is wrong with the set-up (then there is no data and no network).
        x_train, y_train, x_test, y_test: float32 (n, 2) and int (n,) arrays.
        twin: ``fclab.reference.Sequential`` with the current weights.
    """

    def __init__(self, state: PlaygroundState, previous: Trainer | None = None):
        self.state = state
        self.problem = state.problem()
        self._model = None
        self._previous_model = previous._model if previous is not None else None
        if self.problem:
            return
        self._data_key = tuple(getattr(state, name) for name in DATA_FIELDS)
        if previous is not None and not previous.problem and previous._data_key == self._data_key:
            self._data = previous._data                       # same data set: skip making and splitting it
        else:
            try:
                self._data = make_data(state)
            except ValueError as exc:
                self.problem = f"fclab.data.toy_dataset refused this set-up: {exc}"
                return
        self.x_train, self.x_test, self.y_train, self.y_test, self.limit = self._data
        self._grids = {}
        self.twin = self._build_twin()
        if state.weights is not None:
            try:
                self.twin.set_weights([np.asarray(w, dtype=np.float32) for w in state.weights])
            except ValueError as exc:
                self.problem = f"The saved weights do not fit this network ({exc}). Load a matching state."
        else:
            state.epoch, state.train_loss, state.test_loss = 0, [], []
            self._record()

    # --- the networks -------------------------------------------------------------------------------
    def _build_twin(self):
        from fclab import reference

        s = self.state
        units, out_activation, _loss = output_layer(s.n_classes)
        layers = [reference.Dense(u, activation=s.activation, seed=s.seed * 100 + i, name=name)
                  for i, (u, name) in enumerate(zip(s.hidden, layer_names(s)))]
        layers.append(reference.Dense(units, activation=out_activation, seed=s.seed * 100 + len(s.hidden),
                                      name="output"))
        twin = reference.Sequential(layers, name="playground")
        twin.build((None, 2))
        return twin

    def _architecture(self):
        s = self.state
        return tuple(s.hidden), s.activation, s.n_classes, float(s.l2)

    def keras_model(self):
        """The compiled ``keras.Sequential`` with the twin's weights (built on first use)."""
        if self._model is None:
            old = self._previous_model
            if old is not None and getattr(old, "fclab_architecture", None) == self._architecture():
                self._model = old
            else:
                self._model = build_keras_model(self.state)
                self._model.fclab_architecture = self._architecture()
            self._model.optimizer.learning_rate.assign(self.state.learning_rate)
            self._model.set_weights(self.twin.get_weights())
            self._previous_model = None
        return self._model

    # --- training -----------------------------------------------------------------------------------
    def step(self, epochs: int = 1) -> None:
        """Train ``epochs`` epochs of mini-batch SGD on the Keras model; update twin, losses, weights."""
        if self.problem:
            return
        model = self.keras_model()
        s = self.state
        _units, _act, loss = output_layer(s.n_classes)
        targets = (self.y_train.astype(np.float32)[:, None] if loss == "binary_crossentropy"
                   else self.y_train.astype(np.int32))
        for _ in range(epochs):
            order = np.random.default_rng((s.seed, s.epoch)).permutation(len(self.x_train))
            for start in range(0, len(order), s.batch_size):
                batch = order[start:start + s.batch_size]
                model.train_on_batch(self.x_train[batch], targets[batch])
            s.epoch += 1
            self.twin.set_weights(model.get_weights())
            self._record()

    def _record(self):
        s = self.state
        s.train_loss.append(self.loss(self.x_train, self.y_train))
        s.test_loss.append(self.loss(self.x_test, self.y_test))
        s.weights = [w.tolist() for w in self.twin.get_weights()]

    # --- what the view draws ------------------------------------------------------------------------
    def probabilities(self, x) -> np.ndarray:
        """Class probabilities (n, n_classes) of the current network for points x (n, 2)."""
        out = self.twin(np.asarray(x, dtype=np.float32))
        return np.concatenate([1 - out, out], axis=1) if out.shape[1] == 1 else out

    def loss(self, x, y) -> float:
        """Mean data loss (binary or sparse categorical cross-entropy; no L2 term) on (x, y)."""
        from fclab.reference import losses

        probs = self.twin(np.asarray(x, dtype=np.float32))
        if probs.shape[1] == 1:
            return float(np.mean(losses.binary_crossentropy(y.astype(np.float32)[:, None], probs)))
        return float(np.mean(losses.sparse_categorical_crossentropy(y, probs)))

    def accuracy(self, x, y) -> float:
        return float(np.mean(np.argmax(self.probabilities(x), axis=1) == y))

    def grid(self, resolution: int = GRID) -> np.ndarray:
        """(resolution², 2) points covering the data, row 0 at the top (largest x2)."""
        if resolution not in self._grids:
            ticks = np.linspace(-self.limit, self.limit, resolution, dtype=np.float32)
            x1, x2 = np.meshgrid(ticks, ticks[::-1])
            self._grids[resolution] = np.stack([x1.ravel(), x2.ravel()], axis=1)
        return self._grids[resolution]

    def hidden_outputs(self, x) -> list[np.ndarray]:
        """Each hidden layer's output on x (n, 2): a list of (n, units) arrays."""
        outputs, h = [], np.asarray(x, dtype=np.float32)
        for layer in self.twin.layers[:-1]:
            h = layer(h)
            outputs.append(h)
        return outputs


def build_keras_model(state: PlaygroundState):
    """``keras.Sequential`` for ``state``: Input(2) → hidden Dense layers → output; compiled with SGD."""
    from fclab._tf import keras

    k = keras()
    units, out_activation, loss = output_layer(state.n_classes)
    regularizer = k.regularizers.L2(state.l2) if state.l2 else None
    layers = [k.layers.Dense(u, activation=state.activation, kernel_regularizer=regularizer, name=name)
              for u, name in zip(state.hidden, layer_names(state))]
    layers.append(k.layers.Dense(units, activation=out_activation, kernel_regularizer=regularizer, name="output"))
    model = k.Sequential([k.Input(shape=(2,))] + layers, name="playground")
    model.compile(optimizer=k.optimizers.SGD(learning_rate=state.learning_rate), loss=loss)
    return model
