"""Execute a lesson notebook with nbclient, as a student's JupyterLab would, and time it."""

import os
import pathlib
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
LESSONS = (
    "01_xw_plus_b",
    "02_activations",
    "03_three_layer_relu",
    "04_dense_layer",
    "05_sequential",
    "06_training",
    "07_backprop",
    "08_numpy_network",
)


def execute_notebook(path, allow_errors=False, timeout=300):
    """Run ``path`` top to bottom in a fresh python3 kernel (cwd = its folder); return (notebook, seconds)."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="module://matplotlib_inline.backend_inline")
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(pathlib.Path(path).parent)}},
    )
    start = time.perf_counter()
    client.execute(env=env)
    return nb, time.perf_counter() - start


def cell_errors(nb):
    """[(cell index, nbgrader metadata, error output)] for every error output in ``nb``."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append((index, cell.metadata.get("nbgrader", {}), output))
    return found

