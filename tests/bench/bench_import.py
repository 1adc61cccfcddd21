"""How long ``import fclab`` takes in a fresh interpreter, next to ``import numpy`` (goal: <= 0.3 s).

Each import is timed inside a new Python process (interpreter start-up excluded), best of several runs,
the modules interleaved. ``import fclab`` loads no submodule (they load on first use); the
``fclab.reference`` row is what a lesson's first cell pays (numpy included).
"""

import math
import subprocess
import sys

from benchtable import print_table

RUNS = 7
GOAL_SECONDS = 0.3
TIMER = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
MODULES = ("numpy", "fclab", "fclab.reference", "fclab.keras_check")


def _import_time(module):
    out = subprocess.run(
        [sys.executable, "-c", TIMER.format(module=module)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def test_import_time_of_fclab_vs_numpy():
    best = dict.fromkeys(MODULES, math.inf)
    for _ in range(RUNS):  # interleaved, so that a busy machine slows every module alike
        for module in MODULES:
            best[module] = min(best[module], _import_time(module))
    baseline = best["numpy"]
    rows = [
        (f"import {m}", f"{s * 1e3:8.1f}", f"{s / baseline:6.3f}x", "yes" if s <= GOAL_SECONDS else "NO")
        for m, s in best.items()
    ]
    print_table(
        f"Import time in a fresh interpreter, best of {RUNS} (goal: <= {GOAL_SECONDS} s)",
        ("import", "ms", "vs numpy", f"<= {GOAL_SECONDS}s"),
        rows,
    )
    assert all(math.isfinite(s) and s > 0 for s in best.values()), best
