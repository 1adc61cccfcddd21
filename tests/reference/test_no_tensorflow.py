"""fclab.reference is numpy only: importing and using it never imports TensorFlow or Keras."""

import subprocess
import sys


def test_reference_does_not_import_tensorflow():
    code = (
        "import sys, numpy as np, fclab.reference as R\n"
        "m = R.Sequential([R.Input((3,)), R.Dense(2), R.BatchNormalization(), R.Dropout(0.5)])\n"
        "m(np.ones((2, 3)), training=True); m.summary(print_fn=lambda s: None)\n"
        "bad = [name for name in ('tensorflow', 'keras') if name in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "", f"fclab.reference imported {out.stdout.strip()}"
