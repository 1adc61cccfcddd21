"""Each lesson's Run All time and its first code cell's time, with `make lab`'s kernel environment.

Goals (2 cores, kernel start included): Run All <= 15 s per lesson (06_training <= 30 s); the first code
cell <= 1 s where the lesson needs no Keras before its first exercise (so fclab's imports and the lesson's
set-up cell must not import TensorFlow). The solved version (source/) is what a student who answered
everything runs; the blank release stops nowhere (errors allowed) and is timed too. Run one after another
(not in parallel), so the figures are what one student sees. Only times are reported, never asserted;
source/ must run without an error.
"""

from benchtable import print_table
from nbrun import LESSONS, REPO, cell_errors, cell_seconds, execute_notebook

GOALS = {"06_training": 30.0}
DEFAULT_GOAL = 15.0
FIRST_CELL_GOAL = 1.0


def test_lesson_run_all_and_first_cell_times():
    rows, total = [], 0.0
    for name in LESSONS:
        times = {}
        for version in ("source", "release"):
            nb, seconds = execute_notebook(REPO / version / name / f"{name}.ipynb", allow_errors=True)
            errors = {output["ename"] for _, _, output in cell_errors(nb)}
            assert version == "release" or not errors, f"source/{name} raised {errors}"
            times[version] = (seconds, cell_seconds(nb))
            total += seconds
        seconds, cells = times["source"]
        first = cells[0][1] if cells else float("nan")
        slowest = sorted(cells, key=lambda c: -c[1])[:3]
        goal = GOALS.get(name, DEFAULT_GOAL)
        rows.append((name, f"{seconds:.1f}", f"{times['release'][0]:.1f}", f"{goal:.0f}",
                     "ok" if seconds <= goal else "OVER", f"{first:.2f}", "ok" if first <= FIRST_CELL_GOAL else "OVER",
                     ", ".join(f"#{i} {s:.1f}" for i, s in slowest)))
    print_table("Lesson notebooks, one after another, `make lab` kernel environment (s)",
                ("lesson", "run all (solved)", "run all (blank)", "goal", "", "first cell", "<= 1 s",
                 "slowest cells (index s)"), rows)
    print(f"total {total:.1f} s for {2 * len(LESSONS)} notebooks")
