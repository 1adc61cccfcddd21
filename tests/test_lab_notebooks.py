"""Every release notebook run the way `make lab` runs it prints no TensorFlow log line anywhere.

The kernel gets the environment JupyterLab gets from ``python -m fclab.lab`` (:func:`fclab.lab.lab_environment`,
i.e. :mod:`fclab.env`), and the blank release is executed top to bottom with errors allowed (the student's
unanswered exercises raise NotImplementedError; that is not what this test is about). One kernel per lesson.
"""

import os
import pathlib
import re

import nbformat
import pytest

from fclab.lab import lab_environment

pytestmark = [pytest.mark.tf, pytest.mark.slow]

REPO = pathlib.Path(__file__).resolve().parents[1]
LESSONS = sorted(p.name for p in (REPO / "release").glob("[0-9][0-9]_*") if p.is_dir())
# absl/TensorFlow C++ log lines ("I0000 00:00:… port.cc:153] oneDNN …", "W1129 …"), absl's preamble,
# TensorFlow's CPU-feature notice and Python-side tensorflow/keras warnings
TF_LOG = re.compile(
    r"^[IWEF]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\]|All log messages before absl::InitializeLog"
    r"|oneDNN custom operations|This TensorFlow binary is optimized|cuda_?\w*\.cc|tensorflow/core/",
    re.M)


def _outputs_text(cell):
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            yield output.get("name"), output.get("text", "")
        elif output.get("output_type") == "error":
            yield "error", "\n".join(output.get("traceback", []))
        else:
            for mime, data in output.get("data", {}).items():
                if mime.startswith("text/"):
                    yield mime, data if isinstance(data, str) else "".join(data)


def run_like_make_lab(path, timeout=300):
    """Execute ``path`` in a fresh python3 kernel started with `make lab`'s environment; return the notebook."""
    import nbclient

    nb = nbformat.read(path, as_version=4)
    env = lab_environment({k: v for k, v in os.environ.items() if not k.startswith(("TF_", "KERAS_"))})
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(pathlib.Path(path).parent)}})
    client.execute(env=env)
    return nb


def test_lab_environment_is_what_silences_the_onednn_notice():
    env = lab_environment({})
    assert env["TF_ENABLE_ONEDNN_OPTS"] == "0" and env["TF_CPP_MIN_LOG_LEVEL"] == "2"


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_tensorflow_log_line_in_any_output(lesson):
    nb = run_like_make_lab(REPO / "release" / lesson / f"{lesson}.ipynb")
    found = [(index, kind, match.group(0))
             for index, cell in enumerate(nb.cells)
             for kind, text in _outputs_text(cell)
             for match in TF_LOG.finditer(text)]
    assert not found, f"{lesson}: TensorFlow log lines in cell outputs (cell, output, line): {found[:5]}"
    stderr = [(index, text[:200]) for index, cell in enumerate(nb.cells)
              for kind, text in _outputs_text(cell) if kind == "stderr"]
    assert not stderr, f"{lesson}: cells wrote to stderr (a red block for the student): {stderr[:5]}"
