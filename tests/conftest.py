"""Shared pytest set-up: quiet TensorFlow, markers, the GPU skip, temporary Jupyter dirs."""

import os
import pathlib

import pytest

import fclab.env  # (TF_CPP_MIN_LOG_LEVEL, TF_ENABLE_ONEDNN_OPTS, KERAS_BACKEND: the one place)

fclab.env.apply()
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = pathlib.Path(__file__).resolve().parents[1]


def _gpu_visible():
    tf = pytest.importorskip("tensorflow")
    return bool(tf.config.list_physical_devices("GPU"))


def pytest_collection_modifyitems(config, items):
    gpu_items = [item for item in items if "gpu" in item.keywords]
    if not gpu_items:
        return
    if not _gpu_visible():
        skip = pytest.mark.skip(
            reason="no GPU visible to TensorFlow (tf.config.list_physical_devices('GPU') is empty); "
            "run on a machine with a CUDA GPU and tensorflow[and-cuda] to exercise this path"
        )
        for item in gpu_items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def repo():
    """Path to the repository root."""
    return REPO


@pytest.fixture(scope="session", autouse=True)
def _private_self_check_server(tmp_path_factory):
    """Self-checks of this test session talk to a server of its own (never the user's), stopped at the end."""
    folder = tmp_path_factory.mktemp("xdg-runtime")
    folder.chmod(0o700)
    previous = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(folder)
    yield
    from autograder import check_client

    check_client.stop()
    if previous is None:
        os.environ.pop("XDG_RUNTIME_DIR", None)
    else:
        os.environ["XDG_RUNTIME_DIR"] = previous
