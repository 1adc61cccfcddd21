"""The self-check's clean run: cold (a fresh kernel) vs warm (forked by the self-check server), per lesson.

For each lesson the instructor's solutions are put into the student's notebook, then checked three ways,
one after the other: ``python -m autograder check --cold`` (a fresh kernel: Python start and imports every
time), the first ``check`` through a new server (it starts the server and its zygote), and a second ``check``
(forked warm: what every later click of the lab's button and every later ``check`` costs). Goal (issue 11):
the warm check costs at most the lesson's own compute (the time its cells take in the clean run) + 3 s,
measured as the command's wall time, start-up of the command included. Times are printed, never asserted;
every check must pass.

Run: ``.venv/bin/python -m pytest tests/bench/bench_check.py -s`` (BENCH_CHECK_LESSONS=01_xw_plus_b,... to
choose; about 3 minutes for the default four lessons).
"""

import os
import re
import subprocess
import sys
import time

import nbformat
import pytest
from benchtable import print_table
from nbrun import REPO

from autograder.course import Course
from autograder.pipeline import solved_view
from autograder.spec import build_spec

LESSONS = os.environ.get("BENCH_CHECK_LESSONS", "01_xw_plus_b,03_three_layer_relu,06_training,08_numpy_network")


def _solved(lesson, folder):
    course = Course(REPO / "course")
    spec = build_spec(course, lesson, lesson, course.source_notebooks(lesson)[lesson])
    nb = solved_view(spec)
    path = folder / lesson / f"{lesson}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, str(path))
    return path


def _check(path, *flags):
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder", "check", str(path), *flags], capture_output=True,
                          text=True, timeout=1800, env=dict(os.environ))
    wall = time.monotonic() - start
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    cells = re.search(r"the cells themselves ([\d.]+) s", done.stdout)
    return wall, float(cells.group(1)) if cells else float("nan")


@pytest.mark.timeout(3600)
def test_cold_first_and_warm_checks(tmp_path):
    os.environ["XDG_RUNTIME_DIR"] = str(tmp_path / "xdg")
    (tmp_path / "xdg").mkdir(mode=0o700)
    rows = []
    try:
        for lesson in LESSONS.split(","):
            path = _solved(lesson, tmp_path)
            cold, _ = _check(path, "--cold")
            subprocess.run([sys.executable, "-m", "autograder", "check", "--stop"], capture_output=True)
            first, _ = _check(path)
            warm, cells = _check(path)
            rows.append((lesson, f"{cold:.1f}", f"{first:.1f}", f"{warm:.1f}", f"{cells:.1f}",
                         f"{warm - cells:.1f}", "ok" if warm <= cells + 3 else "OVER", f"{os.getloadavg()[0]:.1f}"))
    finally:
        subprocess.run([sys.executable, "-m", "autograder", "check", "--stop"], capture_output=True)
    print_table(f"python -m autograder check, wall seconds ({os.cpu_count()} cores; goal: warm <= cells + 3 s)",
                ("lesson", "cold", "first", "warm", "cells", "warm-cells", "goal", "load"), rows)
