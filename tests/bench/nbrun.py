"""Execute a lesson notebook with nbclient, as a student's JupyterLab would, and time it."""

import datetime
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
    from fclab.lab import lab_environment

    env = lab_environment(os.environ)      # what `make lab` gives its kernels (fclab.env)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
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



def cell_seconds(nb):
    """[(cell index, seconds)] for every executed code cell, from nbclient's timing metadata."""
    found = []
    for index, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell.cell_type == "code" and start and end:
            seconds = (_when(end) - _when(start)).total_seconds()
            found.append((index, seconds))
    return found


def _when(stamp):
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
