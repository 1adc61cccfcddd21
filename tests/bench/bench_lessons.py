"""Each lesson's Run All time and its first code cell's time, with `make lab`'s kernel environment.

Goals (2 cores, kernel start included): Run All <= 15 s per lesson (06_training <= 30 s); the first code
cell <= 1 s where the lesson needs no Keras before its first exercise (so fclab's imports and the lesson's
set-up cell must not import TensorFlow). The solved version (source/) is what a student who answered
everything runs; the blank release (errors allowed) is timed too. One lesson per test, one notebook after
another (not in parallel), so the figures are what one student sees; each prints its row at once. Only
times are reported, never asserted; source/ must run without an error. The machine's load average is
printed with each row: on a busy machine the times are not the lesson's own.
"""

import os

import pytest
from benchtable import print_table
from nbrun import LESSONS, REPO, cell_errors, cell_seconds, execute_notebook

GOALS = {"06_training": 30.0}
DEFAULT_GOAL = 15.0
FIRST_CELL_GOAL = 1.0


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_run_all_and_first_cell_times(name):
    times = {}
    for version in ("source", "release"):
        nb, seconds = execute_notebook(REPO / version / name / f"{name}.ipynb", allow_errors=True)
        errors = {output["ename"] for _, _, output in cell_errors(nb)}
        assert version == "release" or not errors, f"source/{name} raised {errors}"
        times[version] = (seconds, cell_seconds(nb))
    seconds, cells = times["source"]
    first = cells[0][1] if cells else float("nan")
    slowest = sorted(cells, key=lambda c: -c[1])[:3]
    goal = GOALS.get(name, DEFAULT_GOAL)
    row = (name, f"{seconds:.1f}", f"{times['release'][0]:.1f}", f"{goal:.0f}",
           "ok" if seconds <= goal else "OVER", f"{first:.2f}", "ok" if first <= FIRST_CELL_GOAL else "OVER",
           ", ".join(f"#{i} {s:.1f}" for i, s in slowest), f"{os.getloadavg()[0]:.1f}")
    print_table(f"{name}: Run All with `make lab`'s kernel environment (s)",
                ("lesson", "solved", "blank", "goal", "", "first cell", "<= 1 s", "slowest cells (index s)",
                 "load"), [row])
