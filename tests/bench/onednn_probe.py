"""Run by bench_onednn.py in a fresh interpreter (TF_ENABLE_ONEDNN_OPTS set by the caller): time a dense
forward pass, a 1024² matmul and a small digits fit; print one JSON line with the figures and how far the
Keras model's predictions are from the same network in numpy."""

import json
import os
import sys
import time

import numpy as np


def main():
    start = time.perf_counter()
    import keras
    import tensorflow as tf

    figures = {"onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS"), "import_s": time.perf_counter() - start}
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 64)).astype("float32")
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
    model(x)
    start = time.perf_counter()
    for _ in range(200):
        model(x)
    figures["dense_forward_ms"] = (time.perf_counter() - start) / 200 * 1e3
    a, b = (rng.normal(size=(1024, 1024)).astype("float32") for _ in range(2))
    tf.matmul(a, b)
    start = time.perf_counter()
    for _ in range(20):
        tf.matmul(a, b).numpy()
    figures["matmul_1024_ms"] = (time.perf_counter() - start) / 20 * 1e3

    from sklearn.datasets import load_digits

    digits = load_digits()
    X, y = (digits.data / 16).astype("float32"), digits.target
    keras.utils.set_random_seed(0)
    net = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                            keras.layers.Dense(10, activation="softmax")])
    net.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = net.fit(X, y, epochs=10, batch_size=32, verbose=0)
    figures["fit_10_epochs_s"] = time.perf_counter() - start
    figures["train_accuracy"] = history.history["accuracy"][-1]
    w1, b1, w2, b2 = net.get_weights()
    logits = np.maximum(X @ w1 + b1, 0) @ w2 + b2
    ours = np.exp(logits - logits.max(1, keepdims=True))
    ours /= ours.sum(1, keepdims=True)
    figures["max_abs_keras_minus_numpy"] = float(np.abs(ours - net.predict(X, verbose=0)).max())
    print(json.dumps(figures))


if __name__ == "__main__":
    sys.exit(main())
