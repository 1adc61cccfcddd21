"""Lesson 06's wrong-answer corpus: every exercise's test against typical wrong answers and correct ones.

train_classifier trains the digits classifier (a few seconds per training on 2 cores, more on a loaded
machine), so its answers run on fewer seeds than the rule's 20 (correct: 2 seeds, visible and hidden; wrong:
1 seed, and each wrong answer is chosen to fail fast). compile_classifier and build_classifier build and
evaluate Keras models (about a second per test run); their correct answers run on 5 seeds, which cover the
few settings their tests draw from. The threshold's stability over 20 seeds was measured
separately: the solution's recipe (batch 64, 6 epochs) reached 0.949-0.980 test accuracy on seeds 0-19, one
epoch stays far below 0.93.
"""

import pytest

from corpus import assert_covers, check, right, wrong

pytestmark = [pytest.mark.tf]

LESSON = "06_training"


def _fn(header, *body):
    return header + "\n" + "\n".join("    " + line for line in body)


OH = "def one_hot(y, num_classes):"
CC = "def compile_classifier(model):"
BC = "def build_classifier(n_features=64, n_classes=10, units=512, rate=0.2, l2=0.001):"
SP = "def train_val_split(x, y, val_fraction=0.2, seed=0):"
AC = "def accuracy_from_probabilities(probs, y_true):"
TC = "def train_classifier(model, x_train, y_train, x_val, y_val):"


def _bc(first="keras.layers.Dense(units)", second="keras.layers.Dense(units, kernel_regularizer=keras.regularizers.L2(l2))",
        bn="keras.layers.BatchNormalization()", rate="rate", start=("keras.Input(shape=(n_features,))",),
        last="keras.layers.Dense(n_classes)"):
    layers = list(start) + [first, 'keras.layers.Activation("relu")', f"keras.layers.Dropout({rate})", second, bn,
                            'keras.layers.Activation("relu")', f"keras.layers.Dropout({rate})", last,
                            'keras.layers.Activation("softmax")']
    return _fn(BC, "return keras.Sequential([", *("    " + layer + "," for layer in layers), "])")


_SPLIT_OK = ("order = np.random.default_rng(seed).permutation(len(x))", "n_val = int(len(x) * val_fraction)")


def _tc(fit_args, ret="model, history.history"):
    return _fn(TC, f"history = model.fit({fit_args})", f"return {ret}")


ANSWERS = [
    # -- one_hot ----------------------------------------------------------------------------------------------
    right("one_hot", "zeros and fancy indexing", _fn(OH, "out = np.zeros((len(y), num_classes), dtype=np.float32)",
                                                     "out[np.arange(len(y)), y] = 1.0", "return out")),
    right("one_hot", "rows of eye", _fn(OH, "return np.eye(num_classes, dtype='float32')[np.asarray(y)]")),
    right("one_hot", "comparison with arange", _fn(
        OH, "return (np.asarray(y)[:, None] == np.arange(num_classes)[None, :]).astype(np.float32)")),
    wrong("one_hot", "width from the labels", _fn(OH, "k = int(np.max(y)) + 1",
                                                  "return np.eye(k, dtype='float32')[y]"), "num_classes_ignored"),
    wrong("one_hot", "integer dtype", _fn(OH, "out = np.zeros((len(y), num_classes), dtype=int)",
                                          "out[np.arange(len(y)), y] = 1", "return out"), "integer_dtype"),
    wrong("one_hot", "float64", _fn(OH, "return np.eye(num_classes)[y]"), "wrong_dtype"),
    wrong("one_hot", "transposed", _fn(OH, "return np.eye(num_classes, dtype='float32')[y].T"), "output_transposed"),
    wrong("one_hot", "to_categorical", _fn(OH, "return keras.utils.to_categorical(y, num_classes).astype('float32')"),
          "forbidden_call"),
    wrong("one_hot", "fclab.data.one_hot", _fn(OH, "return fclab.data.one_hot(y, num_classes)"), "forbidden_call"),
    wrong("one_hot", "hard-coded example", _fn(OH, "return np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype='float32')"),
          "ignores_input"),
    wrong("one_hot", "a list of lists", _fn(OH, "return [[1.0 if j == label else 0.0 for j in range(num_classes)] "
                                                "for label in y]")),
    # -- compile_classifier -----------------------------------------------------------------------------------
    right("compile_classifier", "strings", seeds=5, source=_fn(CC, "model.compile(loss='sparse_categorical_crossentropy', "
                                                   "optimizer='adam', metrics=['accuracy'])", "return model")),
    right("compile_classifier", "objects", seeds=5, source=_fn(CC, "model.compile(loss=keras.losses.SparseCategoricalCrossentropy(), "
                                                   "optimizer=keras.optimizers.Adam(learning_rate=0.001), "
                                                   "metrics=['accuracy'])", "return model")),
    wrong("compile_classifier", "categorical loss", _fn(CC, "model.compile(loss='categorical_crossentropy', "
                                                            "optimizer='adam', metrics=['accuracy'])", "return model"),
          "labels_loss_mismatch"),
    wrong("compile_classifier", "from_logits=True", _fn(
        CC, "model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer='adam', "
            "metrics=['accuracy'])", "return model"), "config_mismatch"),
    wrong("compile_classifier", "SGD", _fn(CC, "model.compile(loss='sparse_categorical_crossentropy', "
                                               "optimizer='sgd', metrics=['accuracy'])", "return model"),
          "config_mismatch"),
    wrong("compile_classifier", "learning rate 0.01", _fn(
        CC, "model.compile(loss='sparse_categorical_crossentropy', optimizer=keras.optimizers.Adam(0.01), "
            "metrics=['accuracy'])", "return model"), "config_mismatch"),
    wrong("compile_classifier", "no metrics", _fn(CC, "model.compile(loss='sparse_categorical_crossentropy', "
                                                      "optimizer='adam')", "return model"), "config_mismatch"),
    wrong("compile_classifier", "returns compile's None", _fn(
        CC, "return model.compile(loss='sparse_categorical_crossentropy', optimizer='adam', metrics=['accuracy'])")),
    # -- build_classifier -------------------------------------------------------------------------------------
    right("build_classifier", "list", _bc(), seeds=5),
    right("build_classifier", "add one by one", _fn(
        BC, "model = keras.Sequential()", "model.add(keras.Input(shape=(n_features,)))",
        "for layer in [keras.layers.Dense(units), keras.layers.Activation('relu'), keras.layers.Dropout(rate),",
        "              keras.layers.Dense(units, kernel_regularizer=keras.regularizers.l2(l2)),",
        "              keras.layers.BatchNormalization(momentum=0.99, epsilon=1e-3), keras.layers.Activation('relu'),",
        "              keras.layers.Dropout(rate), keras.layers.Dense(n_classes), keras.layers.Activation('softmax')]:",
        "    model.add(layer)", "return model"), seeds=5),
    wrong("build_classifier", "activations inside Dense", _fn(
        BC, "return keras.Sequential([keras.Input(shape=(n_features,)),",
        "    keras.layers.Dense(units, activation='relu'), keras.layers.Dropout(rate),",
        "    keras.layers.Dense(units, activation='relu', kernel_regularizer=keras.regularizers.L2(l2)),",
        "    keras.layers.BatchNormalization(), keras.layers.Dropout(rate),",
        "    keras.layers.Dense(n_classes, activation='softmax')])")),
    wrong("build_classifier", "units hard-coded", _bc(first="keras.layers.Dense(512)",
                                                       second="keras.layers.Dense(512, kernel_regularizer=keras.regularizers.L2(l2))"),
          "config_mismatch"),
    wrong("build_classifier", "rate hard-coded", _bc(rate="0.2"), "config_mismatch"),
    wrong("build_classifier", "L2 on the first Dense", _bc(first="keras.layers.Dense(units, kernel_regularizer=keras.regularizers.L2(l2))",
                                                           second="keras.layers.Dense(units)"), "config_mismatch"),
    wrong("build_classifier", "l2 hard-coded", _bc(second="keras.layers.Dense(units, kernel_regularizer=keras.regularizers.L2(0.001))"),
          "config_mismatch"),
    wrong("build_classifier", "BN momentum 0.9", _bc(bn="keras.layers.BatchNormalization(momentum=0.9)"),
          "config_mismatch"),
    wrong("build_classifier", "no Input", _bc(start=())),
    wrong("build_classifier", "10 classes hard-coded", _bc(last="keras.layers.Dense(10)"), "config_mismatch"),
    # -- train_val_split --------------------------------------------------------------------------------------
    right("train_val_split", "the recipe", _fn(SP, *_SPLIT_OK, "val_rows, train_rows = order[:n_val], order[n_val:]",
                                               "return (x[train_rows], y[train_rows]), (x[val_rows], y[val_rows])")),
    right("train_val_split", "np.take", _fn(SP, *_SPLIT_OK, "def part(rows):",
                                            "    return np.take(x, rows, axis=0), np.take(y, rows, axis=0)",
                                            "return part(order[n_val:]), part(order[:n_val])")),
    wrong("train_val_split", "two permutations", _fn(
        SP, "rng = np.random.default_rng(seed)", "n_val = int(len(x) * val_fraction)",
        "xs, ys = x[rng.permutation(len(x))], y[rng.permutation(len(y))]",
        "return (xs[n_val:], ys[n_val:]), (xs[:n_val], ys[:n_val])"), "labels_shuffled_apart"),
    wrong("train_val_split", "no shuffle", _fn(SP, "n_val = int(len(x) * val_fraction)",
                                               "return (x[n_val:], y[n_val:]), (x[:n_val], y[:n_val])")),
    wrong("train_val_split", "ignores the seed argument", _fn(
        SP, "order = np.random.default_rng(0).permutation(len(x))", "n_val = int(len(x) * val_fraction)",
        "return (x[order[n_val:]], y[order[n_val:]]), (x[order[:n_val]], y[order[:n_val]])")),
    wrong("train_val_split", "parts swapped", _fn(SP, *_SPLIT_OK,
                                                  "return (x[order[:n_val]], y[order[:n_val]]), (x[order[n_val:]], y[order[n_val:]])")),
    wrong("train_val_split", "shuffles x in place", _fn(
        SP, "rng = np.random.default_rng(seed)", "rng.shuffle(x)", "n_val = int(len(x) * val_fraction)",
        "return (x[n_val:], y[n_val:]), (x[:n_val], y[:n_val])"), "input_modified_in_place"),
    wrong("train_val_split", "sklearn", _fn(
        SP, "from sklearn.model_selection import train_test_split",
        "x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=val_fraction, random_state=seed)",
        "return (x_tr, y_tr), (x_va, y_va)"), "forbidden_call"),
    wrong("train_val_split", "returns four arrays", _fn(SP, *_SPLIT_OK,
                                                        "return x[order[n_val:]], y[order[n_val:]], x[order[:n_val]], y[order[:n_val]]")),
    # -- accuracy_from_probabilities --------------------------------------------------------------------------
    right("accuracy_from_probabilities", "mean of matches", _fn(AC, "return float(np.mean(np.argmax(probs, axis=-1) == y_true))")),
    right("accuracy_from_probabilities", "loop", _fn(AC, "right = 0", "for row, label in zip(probs, y_true):",
                                                     "    right += int(np.argmax(row) == label)",
                                                     "return right / len(y_true)")),
    right("accuracy_from_probabilities", "count_nonzero", _fn(
        AC, "return np.count_nonzero(probs.argmax(axis=1) == np.asarray(y_true)) / np.float64(len(probs))")),
    wrong("accuracy_from_probabilities", "argmax over the batch", _fn(AC, "return float(np.mean(np.argmax(probs, axis=0) == y_true))"),
          "argmax_wrong_axis"),
    wrong("accuracy_from_probabilities", "a count", _fn(AC, "return float(np.sum(np.argmax(probs, axis=-1) == y_true))"),
          "mean_missing_1_over_n"),
    wrong("accuracy_from_probabilities", "a percentage", _fn(AC, "return 100 * float(np.mean(np.argmax(probs, axis=-1) == y_true))")),
    wrong("accuracy_from_probabilities", "the matches, not their mean", _fn(AC, "return np.argmax(probs, axis=-1) == y_true")),
    wrong("accuracy_from_probabilities", "hard-coded", _fn(AC, "return 0.5"), "ignores_input"),
    wrong("accuracy_from_probabilities", "sklearn", _fn(AC, "from sklearn.metrics import accuracy_score",
                                                        "return accuracy_score(y_true, probs.argmax(axis=1))"),
          "forbidden_call"),
    # -- train_classifier (slow: see the module docstring) ---------------------------------------------------
    right("train_classifier", "batch 64, 6 epochs",
          _tc("x_train, y_train, batch_size=64, epochs=6, validation_data=(x_val, y_val), verbose=0"), seeds=2),
    right("train_classifier", "batch 32, 4 epochs, keyword order",
          _tc("x=x_train, y=y_train, epochs=4, verbose=0, batch_size=32, validation_data=(x_val, y_val)"), seeds=2),
    wrong("train_classifier", "one epoch",
          _tc("x_train, y_train, batch_size=128, epochs=1, validation_data=(x_val, y_val), verbose=0"),
          "accuracy_below", seeds=1),
    wrong("train_classifier", "returns the History",
          _tc("x_train, y_train, epochs=1, validation_data=(x_val, y_val), verbose=0", ret="history"), seeds=1),
    wrong("train_classifier", "no validation data",
          _tc("x_train, y_train, batch_size=512, epochs=1, verbose=0"), seeds=1),
    wrong("train_classifier", "validates on the test set",
          _tc("x_train, y_train, batch_size=512, epochs=1, validation_data=(x_test, y_test), verbose=0"), seeds=1),
    wrong("train_classifier", "12 epochs",
          _tc("x_train, y_train, batch_size=2048, epochs=12, validation_data=(x_val, y_val), verbose=0"), seeds=1),
]


def test_covers():
    assert_covers(LESSON, ANSWERS)


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_answer(answer):
    check(LESSON, answer)
