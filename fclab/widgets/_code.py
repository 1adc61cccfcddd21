"""Keras source code for a stack of Dense layers (what the student copies out of a widget)."""

from __future__ import annotations

import numpy as np


def dense_line(units: int, activation: str | None = None, use_bias: bool = True, l2: float = 0.0,
               seed: int | None = None) -> str:
    """One ``keras.layers.Dense(...)`` call with only the arguments that differ from the defaults."""
    args = [str(int(units))]
    if activation and activation != "linear":
        args.append(f'activation="{activation}"')
    if not use_bias:
        args.append("use_bias=False")
    if seed is not None:
        args.append(f"kernel_initializer=keras.initializers.GlorotUniform(seed={int(seed)})")
    if l2:
        args.append(f"kernel_regularizer=keras.regularizers.L2({float(l2)!r})")
    return f"keras.layers.Dense({', '.join(args)})"


def sequential_code(input_dim: int, dense_lines: list[str], after: list[str] = ()) -> str:
    """A runnable script: ``keras.Input`` first, then the layers, then the lines in ``after``."""
    lines = ["import keras", "", "model = keras.Sequential([", f"    keras.Input(shape=({int(input_dim)},)),"]
    lines += [f"    {line}," for line in dense_lines]
    lines.append("])")
    lines += list(after)
    return "\n".join(lines) + "\n"


def playground_code(state, weights=None, max_params: int = 400) -> str:
    """Keras code for a playground set-up: the model, its compile, the data and ``fit``.

    Args:
        state: a PlaygroundState.
        weights: the current weights (list of arrays, Keras order); written into the code with
            ``model.set_weights`` when the network has at most ``max_params`` parameters.
    """
    from ._trainer import output_layer

    units, out_activation, loss = output_layer(state.n_classes)
    lines = [dense_line(u, state.activation, l2=state.l2) for u in state.hidden]
    lines.append(dense_line(units, out_activation, l2=state.l2))
    after = ["model.compile(",
             f"    optimizer=keras.optimizers.SGD(learning_rate={state.learning_rate!r}),",
             f'    loss="{loss}",',
             '    metrics=["accuracy"],',
             ")"]
    if weights is not None and sum(int(w.size) for w in weights) <= max_params:
        after += ["", f"# the playground's weights after {state.epoch} epochs (kernel, bias per layer)",
                  "import numpy as np", "model.set_weights(["]
        after += [f"    np.array({_literal(np.asarray(w, dtype=np.float32), ' ' * 13)}, dtype='float32'),"
                  for w in weights]
        after.append("])")
    after += ["", "from fclab.data import toy_dataset",
              f"x, y = toy_dataset({state.dataset!r}, n_samples={state.n_samples}, noise={state.noise!r}, "
              f"seed={state.seed}, n_classes={state.n_classes})",
              f"model.fit(x, y, batch_size={state.batch_size}, epochs=100, "
              f"validation_split={state.test_fraction!r}, verbose=0)"]
    return sequential_code(2, lines, after)


def _literal(array: np.ndarray, indent: str = "") -> str:
    """Nested-list source for a float32 array, each number in the shortest form that reads back exactly;
    a matrix has one row per line (continued lines start with ``indent``), so no number is ever split."""
    if array.ndim == 0:
        return str(np.float32(array))
    if array.ndim == 1:
        return "[" + ", ".join(_literal(item) for item in array) + "]"
    return "[" + (",\n" + indent + " ").join(_literal(item, indent + " ") for item in array) + "]"
