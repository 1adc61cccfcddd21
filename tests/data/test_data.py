"""fclab.data: digits, one_hot, local MNIST (files written here), Playground's toy sets."""

import numpy as np
import pytest

from fclab import data


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_load_digits_shapes_range_and_stratification(digits):
    (x_train, y_train), (x_test, y_test) = digits
    assert x_train.shape == (1347, 64) and x_test.shape == (450, 64)
    assert x_train.dtype == np.float32 and y_train.dtype.kind == "i"
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    counts = np.bincount(y_test, minlength=10)
    assert counts.max() - counts.min() <= 3  # stratified: 43..46 of each digit


def test_load_digits_seed(digits):
    (_, y_again), _ = data.load_digits(seed=0)
    (_, y_other), _ = data.load_digits(seed=1)
    np.testing.assert_array_equal(digits[0][1], y_again)
    assert not np.array_equal(digits[0][1], y_other)
    (x_small, _), (x_big, _) = data.load_digits(test_size=0.5)
    assert len(x_big) in (898, 899)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.2])
def test_load_digits_bad_test_size(bad):
    with pytest.raises(ValueError, match=f"got {bad!r}"):
        data.load_digits(test_size=bad)


def test_one_hot():
    np.testing.assert_array_equal(data.one_hot([2, 0, 1]), np.eye(3, dtype="float32")[[2, 0, 1]])
    out = data.one_hot(np.array([[1], [0]]), num_classes=4)
    assert out.shape == (2, 4) and out.dtype == np.float32 and out[0, 1] == 1 and out.sum() == 2
    np.testing.assert_array_equal(data.one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])


@pytest.mark.parametrize("y, kwargs, words", [
    ([0, 5, 2], {"num_classes": 3}, ["label 5", "num_classes=3", "num_classes=6"]),
    ([0, -1], {}, ["got -1"]),
    ([0.5, 1.0], {}, ["0.5", "whole-number"]),
    (np.eye(3), {}, ["(3, 3)", "already one-hot"]),
])
def test_one_hot_bad_input(y, kwargs, words):
    with pytest.raises(ValueError) as info:
        data.one_hot(y, **kwargs)
    for word in words:
        assert word in str(info.value)


def _write_mnist(path, **overrides):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), "y_train": np.arange(6, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), "y_test": np.arange(3, dtype=np.uint8)}
    arrays.update(overrides)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return arrays


def test_load_mnist_from_path_dir_env_and_keras_cache(tmp_path, monkeypatch):
    written = _write_mnist(tmp_path / "mnist.npz")
    (x_train, y_train), (x_test, y_test) = data.load_mnist(tmp_path / "mnist.npz")
    np.testing.assert_array_equal(x_train, written["x_train"])
    assert x_train.dtype == np.uint8 and y_test.tolist() == [0, 1, 2]
    assert data.load_mnist(tmp_path)[1][0].shape == (3, 28, 28)  # a folder holding mnist.npz

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FCLAB_MNIST", str(tmp_path / "mnist.npz"))
    assert data.load_mnist()[0][0].shape == (6, 28, 28)
    monkeypatch.delenv("FCLAB_MNIST")
    cache = tmp_path / "home" / ".keras" / "datasets"
    cache.mkdir(parents=True)
    _write_mnist(cache / "mnist.npz", y_test=np.array([7, 8, 9], np.uint8))
    assert data.load_mnist()[1][1].tolist() == [7, 8, 9]


def test_load_mnist_not_found_lists_every_place(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FCLAB_MNIST", str(tmp_path / "elsewhere.npz"))
    with pytest.raises(FileNotFoundError) as info:
        data.load_mnist()
    text = str(info.value)
    assert str(tmp_path / "elsewhere.npz") in text and "$FCLAB_MNIST" in text
    assert str(tmp_path / "home" / ".keras" / "datasets" / "mnist.npz") in text
    assert "keras.datasets.mnist.load_data()" in text and "load_digits" in text
    with pytest.raises(FileNotFoundError, match="the path you gave"):
        data.load_mnist(tmp_path / "nope.npz")


def test_load_mnist_malformed_files(tmp_path):
    _write_mnist(tmp_path / "partial.npz", y_test=None)
    with pytest.raises(ValueError, match=r"lacks y_test.*holds \['x_test', 'x_train', 'y_train'\]"):
        data.load_mnist(tmp_path / "partial.npz")
    (tmp_path / "junk.npz").write_bytes(b"this is not a zip file")
    with pytest.raises(ValueError, match="not a readable .npz"):
        data.load_mnist(tmp_path / "junk.npz")
    _write_mnist(tmp_path / "ragged.npz", y_train=np.arange(5, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"x_train has shape \(6, 28, 28\) but y_train has shape \(5,\)"):
        data.load_mnist(tmp_path / "ragged.npz")


@pytest.mark.parametrize("name", data.TOY_DATASETS)
def test_toy_dataset_shapes_balance_and_seed(name):
    X, y = data.toy_dataset(name, n_samples=300, noise=0.1, seed=3)
    assert X.shape == (300, 2) and X.dtype == np.float32 and y.shape == (300,) and y.dtype.kind == "i"
    assert np.abs(X).max() < 8 and set(np.unique(y)) == {0, 1}
    assert 90 <= np.bincount(y).min()
    X2, y2 = data.toy_dataset(name, n_samples=300, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, data.toy_dataset(name, n_samples=300, noise=0.1, seed=4)[0])


def test_toy_dataset_geometry_without_noise():
    X, y = data.toy_dataset("circle", 400)
    np.testing.assert_array_equal(y, np.hypot(X[:, 0], X[:, 1]) < 2.5)
    X, y = data.toy_dataset("xor", 400)
    np.testing.assert_array_equal(y, X[:, 0] * X[:, 1] >= 0)
    X, y = data.toy_dataset("gauss", 400)
    assert np.all(X[y == 1].mean(axis=0) > 1.5) and np.all(X[y == 0].mean(axis=0) < -1.5)


def test_toy_dataset_noise_flips_labels_near_the_boundary():
    X, y = data.toy_dataset("circle", 1000, noise=0.5)
    disagree = np.mean(y != (np.hypot(X[:, 0], X[:, 1]) < 2.5))
    assert 0.02 < disagree < 0.5


@pytest.mark.parametrize("name", ["gauss", "spiral"])
def test_toy_dataset_more_classes(name):
    X, y = data.toy_dataset(name, n_samples=301, n_classes=3)
    assert np.bincount(y).tolist() == [101, 100, 100]


@pytest.mark.parametrize("kwargs, words", [
    ({"name": "moons"}, ["'moons'", "circle, xor, gauss, spiral"]),
    ({"name": "circle", "noise": 5}, ["got 5", "0.0 to 1.0"]),
    ({"name": "circle", "noise": -0.1}, ["got -0.1"]),
    ({"name": "xor", "n_classes": 3}, ["n_classes=3", "'gauss' or 'spiral'"]),
    ({"name": "gauss", "n_classes": 1}, ["got 1"]),
    ({"name": "spiral", "n_samples": 0}, ["got 0"]),
])
def test_toy_dataset_bad_input(kwargs, words):
    with pytest.raises(ValueError) as info:
        data.toy_dataset(**kwargs)
    for word in words:
        assert word in str(info.value)
