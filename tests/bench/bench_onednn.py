"""What TF_ENABLE_ONEDNN_OPTS=0 (fclab.env's setting, which silences TensorFlow's oneDNN notice) costs.

Alternates fresh interpreters with the setting 0 and 1 (onednn_probe.py) and prints the medians and the
ratio 0 / 1 for a dense forward pass, a 1024² matmul and a 10-epoch digits fit, and the largest difference
between the Keras model's predictions and the same network in numpy. Nothing is asserted about times.
"""

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from benchtable import print_table

PROBE = Path(__file__).with_name("onednn_probe.py")
ROUNDS = 3
FIGURES = ("import_s", "dense_forward_ms", "matmul_1024_ms", "fit_10_epochs_s", "max_abs_keras_minus_numpy")


def _probe(onednn):
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=onednn, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


@pytest.mark.timeout(3600)    # six fresh TensorFlow imports and fits; minutes on a busy machine
def test_onednn_off_costs():
    runs = {"0": [], "1": []}
    notices = {"0": 0, "1": 0}
    for _ in range(ROUNDS):
        for onednn in ("0", "1"):
            figures, stderr = _probe(onednn)
            runs[onednn].append(figures)
            notices[onednn] += "oneDNN custom operations are on" in stderr
    rows = []
    for key in FIGURES:
        off = statistics.median(r[key] for r in runs["0"])
        on = statistics.median(r[key] for r in runs["1"])
        rows.append((key, f"{off:.3g}", f"{on:.3g}", f"{off / on:.2f}" if on else "-"))
    rows.append(("oneDNN notice on stderr (runs)", str(notices["0"]), str(notices["1"]), ""))
    print_table(f"TF_ENABLE_ONEDNN_OPTS 0 vs 1 (median of {ROUNDS}, load {os.getloadavg()[0]:.1f})",
                ("figure", "0 (fclab)", "1 (TF default)", "ratio 0/1"), rows)
    assert notices["0"] == 0, "the oneDNN notice appeared with TF_ENABLE_ONEDNN_OPTS=0"
    accuracy = {k: {round(r["train_accuracy"], 4) for r in v} for k, v in runs.items()}
    print(f"train accuracy after 10 epochs: {accuracy}")
