"""``import fclab`` and its numpy-only submodules never import TensorFlow or Keras (checked in fresh processes)."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

HEAVY = ("tensorflow", "keras", "tf_keras", "tensorboard")
MODULES = (
    "fclab",
    "fclab.reference",
    "fclab.checks",
    "fclab.explain",
    "fclab.data",
    "fclab.plots",
    "fclab.widgets",
    "fclab.keras_check",  # imports TensorFlow only when a function needs it
)

PROBE = """
import importlib, json, sys
module = importlib.import_module({name!r})
if {name!r} == "fclab":
    module.reference, module.keras_check  # the lazy attributes load submodules, still without TensorFlow
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
print(json.dumps(heavy))
"""


@pytest.fixture(scope="module")
def imported_heavy(repo):
    """{module: [heavy modules it pulled in]} measured in one fresh interpreter per module, run in parallel."""
    present = [name for name in MODULES if _exists(name)]
    env = {"TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", PROBE.format(name=name, heavy=HEAVY)],
            cwd=repo,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**_base_env(), **env},
        )
        for name in present
    }
    results = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, f"import {name} failed in a fresh interpreter:\n{err}"
        results[name] = json.loads(out.strip().splitlines()[-1])
    return results


def _exists(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _base_env():
    return {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}


@pytest.mark.parametrize("name", MODULES)
def test_import_does_not_load_tensorflow_or_keras(imported_heavy, name):
    if name not in imported_heavy:
        pytest.skip(f"{name} does not exist yet")
    assert imported_heavy[name] == [], (
        f"import {name} loaded {imported_heavy[name][:5]}; it must stay light (TensorFlow costs seconds and "
        "hundreds of MB): import it inside the function that needs it, via fclab._tf.tf() / fclab._tf.keras()."
    )


def test_the_probe_sees_what_an_import_loads(repo):
    """The probe itself can fail: asked about fclab and numpy, it reports that fclab.reference loads both."""
    code = PROBE.format(name="fclab.reference", heavy=("fclab", "numpy"))
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert "fclab.reference" in loaded and "numpy" in loaded, loaded


@pytest.mark.parametrize("name", ["autograder.check_client", "autograder.checkcard"])
def test_the_self_check_client_loads_only_the_standard_library(repo, name):
    """The lab's clean-run button imports the client in the student's kernel, the command line prints the
    card with it: neither may load the engine (nbgrader, nbclient, zmq) or numpy."""
    code = (f"import importlib, json, sys; importlib.import_module({name!r}); "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=120,
                         env=_base_env())
    assert out.returncode == 0, out.stderr
    site = {"__main__", "_distutils_hack"} | {m for m in json.loads(out.stdout.strip().splitlines()[-1])
                                              if m.startswith("__editable__")}  # the interpreter's own
    assert set(json.loads(out.stdout.strip().splitlines()[-1])) - site == {"autograder"}, out.stdout
