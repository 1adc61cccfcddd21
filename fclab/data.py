"""Data sets for the course: digits (ships with scikit-learn), MNIST from a local file, 2-D toy sets.

Nothing here downloads: lessons must run offline.

- :func:`load_digits` — scikit-learn's 8x8 digits, 64 features scaled to [0, 1], stratified split.
- :func:`load_mnist` — MNIST from a local ``mnist.npz`` (Keras's file), with an error that says where it
  looked and how to get the file.
- :func:`toy_dataset` — TensorFlow Playground's 2-D classification sets (circle, xor, gauss, spiral).
- :func:`one_hot` — integer labels to one-hot rows.
"""

import os
import pathlib
import zipfile

import numpy as np

TOY_DATASETS = ("circle", "xor", "gauss", "spiral")
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
MNIST_ENV = "FCLAB_MNIST"


def load_digits(test_size=0.25, seed=0):
    """scikit-learn's handwritten digits (1797 images of 8x8 pixels), split into train and test.

    Args:
        test_size: fraction of the examples held out for testing, strictly between 0 and 1.
        seed: random seed of the (stratified) split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x float32 (n, 64) in [0, 1] (pixels / 16, row by row),
        y int64 (n,) labels 0..9. Both splits hold every digit in the same proportions.
    """
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction strictly between 0 and 1 (e.g. 0.25); got {test_size!r}")
    digits = sklearn_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_size, random_state=seed, stratify=y)
    return (x_train, y_train), (x_test, y_test)


def one_hot(y, num_classes=None):
    """Integer class labels -> one-hot rows (like ``keras.utils.to_categorical``).

    Args:
        y: (n,) or (n, 1) integer labels in 0..num_classes-1 (floats holding whole numbers are accepted).
        num_classes: number of classes; default ``max(y) + 1``.

    Returns:
        float32 array (n, num_classes) with a single 1 per row.
    """
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"one_hot expects labels of shape (n,) or (n, 1); got shape {labels.shape}. If y is "
                         "already one-hot, use it as it is (or np.argmax(y, axis=-1) to get the labels back).")
    if labels.dtype.kind not in "iub":
        if labels.dtype.kind != "f" or not np.all(labels == np.round(labels)):
            bad = labels[labels != np.round(labels)][:3] if labels.dtype.kind == "f" else labels[:3]
            raise ValueError(f"one_hot expects whole-number class labels; got dtype {labels.dtype} with values "
                             f"such as {list(bad)}. Pass integer labels 0..num_classes-1.")
        labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot expects labels >= 0; got {int(labels.min())}. Labels are 0..num_classes-1.")
    largest = int(labels.max()) if labels.size else -1
    if num_classes is None:
        num_classes = largest + 1
    if int(num_classes) < 1 or largest >= num_classes:
        raise ValueError(f"one_hot: label {largest} does not fit num_classes={num_classes} (labels must be "
                         f"0..{int(num_classes) - 1}); pass num_classes={largest + 1} or more.")
    out = np.zeros((labels.size, int(num_classes)), dtype=np.float32)
    out[np.arange(labels.size), labels] = 1.0
    return out


def _mnist_candidates(path):
    if path is not None:
        p = pathlib.Path(path).expanduser()
        return [(p / "mnist.npz" if p.is_dir() else p, "the path you gave")]
    places = []
    if os.environ.get(MNIST_ENV):
        places.append((pathlib.Path(os.environ[MNIST_ENV]).expanduser(), f"${MNIST_ENV}"))
    places.append((pathlib.Path("~/.keras/datasets/mnist.npz").expanduser(), "Keras's download cache"))
    return places


def load_mnist(path=None):
    """MNIST from a local ``mnist.npz`` (the file ``keras.datasets.mnist.load_data()`` downloads).

    Looks at ``path`` when given (a file, or a folder holding mnist.npz); otherwise at ``$FCLAB_MNIST`` and
    then ``~/.keras/datasets/mnist.npz``. Never downloads.

    Returns:
        ``(x_train, y_train), (x_test, y_test)`` exactly as stored (Keras: uint8 images (n, 28, 28) with
        values 0..255, and uint8 labels (n,)); divide x by 255 for [0, 1].

    Raises:
        FileNotFoundError: naming every place it looked and how to get the file.
        ValueError: the file is not an .npz archive or lacks one of x_train, y_train, x_test, y_test.
    """
    places = _mnist_candidates(path)
    found = next((p for p, _ in places if p.is_file()), None)
    if found is None:
        looked = "\n".join(f"  - {p} ({why})" for p, why in places)
        raise FileNotFoundError(
            f"mnist.npz not found. Looked in:\n{looked}\n"
            "To get it: on a machine with internet run\n"
            '  python -c "import keras; keras.datasets.mnist.load_data()"\n'
            "which saves ~/.keras/datasets/mnist.npz; copy that file to this machine's ~/.keras/datasets/ or "
            f"anywhere and set {MNIST_ENV}=/path/to/mnist.npz (or pass path=...). Without it, use "
            "fclab.data.load_digits(), which ships with scikit-learn.")
    try:
        archive = np.load(found, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{found} is not a readable .npz archive ({exc}); expected Keras's mnist.npz with "
                         f"arrays {', '.join(MNIST_KEYS)}. Download it again.") from exc
    with archive:
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError(f"{found} holds a single array, not an .npz archive with {', '.join(MNIST_KEYS)}.")
        missing = [k for k in MNIST_KEYS if k not in archive.files]
        if missing:
            raise ValueError(f"{found} lacks {', '.join(missing)}: it holds {sorted(archive.files)}, but MNIST "
                             f"needs {', '.join(MNIST_KEYS)} (Keras's mnist.npz). Download it again.")
        data = {k: archive[k] for k in MNIST_KEYS}
    for split in ("train", "test"):
        x, y = data[f"x_{split}"], data[f"y_{split}"]
        if x.shape[:1] != y.shape[:1]:
            raise ValueError(f"{found}: x_{split} has shape {x.shape} but y_{split} has shape {y.shape}; "
                             "they must hold the same number of examples.")
    return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


# ---- TensorFlow Playground's toy sets (playground/src/dataset.ts), labels 0/1 instead of -1/+1 ------------

def _split_counts(n, k):
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _circle(rng, counts, noise):
    radius = 5.0
    points, labels = [], []
    for count, (lo, hi) in zip(counts, [(0.7 * radius, radius), (0.0, 0.5 * radius)]):
        r = rng.uniform(lo, hi, count)
        angle = rng.uniform(0, 2 * np.pi, count)
        xy = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
        noisy = xy + rng.uniform(-radius, radius, (count, 2)) * noise
        points.append(xy)  # Playground labels by the noisy position, but plots the clean one
        labels.append((np.hypot(noisy[:, 0], noisy[:, 1]) < 0.5 * radius).astype(np.int64))
    return np.concatenate(points), np.concatenate(labels)


def _xor(rng, counts, noise):
    n, padding = sum(counts), 0.3
    xy = rng.uniform(-5, 5, (n, 2))
    xy += np.where(xy > 0, padding, -padding)
    noisy = xy + rng.uniform(-5, 5, (n, 2)) * noise
    return xy, (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)


def _gauss(rng, counts, noise):
    std = np.sqrt(0.5 + noise / 0.5 * 3.5)  # Playground: variance scaled from noise 0..0.5 to 0.5..4
    k = len(counts)
    points, labels = [], []
    for label, count in enumerate(counts):
        angle = np.pi / 4 + np.pi + 2 * np.pi * label / k  # k=2: label 0 at (-2, -2), label 1 at (2, 2)
        center = 2 * np.sqrt(2) * np.array([np.cos(angle), np.sin(angle)])
        points.append(rng.normal(center, std, (count, 2)))
        labels.append(np.full(count, label, np.int64))
    return np.concatenate(points), np.concatenate(labels)


def _spiral(rng, counts, noise):
    k = len(counts)
    points, labels = [], []
    for label, count in enumerate(counts):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * np.pi + np.pi + 2 * np.pi * label / k  # k=2: Playground's 0 and pi
        xy = np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + rng.uniform(-1, 1, (count, 2)) * noise
        points.append(xy)
        labels.append(np.full(count, label, np.int64))
    return np.concatenate(points), np.concatenate(labels)


_GENERATORS = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral}
_MULTICLASS = ("gauss", "spiral")


def toy_dataset(name, n_samples=200, noise=0.0, seed=0, n_classes=2):
    """A 2-D classification set like TensorFlow Playground's (shuffled, seeded).

    Args:
        name: one of ``TOY_DATASETS``: "circle" (a disc inside a ring), "xor" (quadrants), "gauss" (blobs),
            "spiral" (interleaved arms).
        n_samples: number of points (split evenly over the classes).
        noise: 0.0 .. 1.0; Playground's slider 0-50 % is 0.0-0.5. Circle and xor flip labels near the
            boundary, gauss widens the blobs, spiral jitters the points.
        seed: random seed; the same arguments give the same points.
        n_classes: 2, or more for "gauss" and "spiral".

    Returns:
        ``(X, y)``: X float32 (n_samples, 2), roughly in [-6, 6]; y int64 (n_samples,) labels 0..n_classes-1.
    """
    if name not in _GENERATORS:
        raise ValueError(f"unknown toy data set {name!r}; choose one of {', '.join(TOY_DATASETS)}.")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.number)) or not 0 <= noise <= 1:
        raise ValueError(f"noise must be a number from 0.0 to 1.0 (Playground's 0-50 % is 0.0-0.5); got {noise!r}.")
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2; got {n_classes!r}.")
    if n_classes != 2 and name not in _MULTICLASS:
        raise ValueError(f"{name!r} has exactly 2 classes; got n_classes={n_classes}. More than 2 classes: "
                         f"{' or '.join(repr(n) for n in _MULTICLASS)}.")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < n_classes:
        raise ValueError(f"n_samples must be an integer >= n_classes ({n_classes}); got {n_samples!r}.")
    rng = np.random.default_rng(seed)
    X, y = _GENERATORS[name](rng, _split_counts(int(n_samples), int(n_classes)), float(noise))
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order]
