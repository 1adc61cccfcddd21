"""Each lesson's Run All time and its first code cell's time, with `make lab`'s kernel environment.

Goals (2 cores, kernel start included): Run All <= 15 s per lesson (06_training and 08_numpy_network
<= 30 s); the first code cell <= 1 s where the lesson needs no Keras before its first exercise (so fclab's
imports and the lesson's set-up cell must not import TensorFlow). The solved version (source/) is what a
student who answered everything runs: the release notebook with the solutions in its answer cells (no
hidden tests: the student never runs them); the blank release (errors allowed) is timed too. One lesson per test, one notebook after
another (not in parallel), so the figures are what one student sees; each prints its row at once. Only
times are reported, never asserted; source/ must run without an error. The machine's load average is
printed with each row: on a busy machine the times are not the lesson's own.
"""

import os

import pytest
from benchtable import print_table
from nbrun import LESSONS, REPO, cell_errors, cell_seconds, execute_notebook

GOALS = {"06_training": 30.0, "08_numpy_network": 30.0}
DEFAULT_GOAL = 15.0
FIRST_CELL_GOAL = 1.0


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_run_all_and_first_cell_times(name, tmp_path):
    times = {}
    solved = _solved_copy(name, tmp_path)
    for version, path in (("source", solved), ("release", REPO / "release" / name / f"{name}.ipynb")):
        nb, seconds = execute_notebook(path, allow_errors=True)
        errors = {output["ename"] for _, _, output in cell_errors(nb)}
        assert version == "release" or not errors, f"{name} answered with the solutions raised {errors}"
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


def _solved_copy(name, folder):
    """release/NAME (its support files too) with the source's solutions in the answer cells, in ``folder``."""
    import shutil

    import nbformat

    from autograder.course import Course
    from autograder.pipeline import solved_view
    from autograder.spec import build_spec

    shutil.copytree(REPO / "release" / name, folder / name)
    course = Course(REPO / "course")
    spec = build_spec(course, name, name, course.source_notebooks(name)[name])
    path = folder / name / f"{name}.ipynb"
    nbformat.write(solved_view(spec), str(path))
    return path
