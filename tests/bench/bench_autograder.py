"""The autograder against ``nbgrader autograde``: the same 20 honest submissions of one TensorFlow lesson.

Both are run as the instructor would run them, from the command line, one after the other on copies of
the same course: ``python -m autograder grade --course ...`` (all cores) and ``nbgrader autograde LESSON``
(nbgrader's ``generate_assignment`` runs first, untimed, since our engine records the assignment itself
inside its timed run). Prints the wall-time ratio (goal: <= 0.5 on 2 cores), checks the scores are
identical, and shows where the engine's time goes. Asserts only that the scores are identical.

Run: ``.venv/bin/python -m pytest tests/bench/bench_autograder.py -s`` (about 10 minutes on 2 cores).
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import nbformat
import pytest

from autograder.course import Course
from autograder.gradebook import scores_in_gradebook
from autograder.pipeline import solved_view
from autograder.spec import build_spec

LESSON = os.environ.get("BENCH_LESSON", "04_dense_layer")
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "20"))


def _course(repo, root):
    (root / "course").mkdir(parents=True)
    shutil.copy(repo / "course" / "nbgrader_config.py", root / "course")
    shutil.copytree(repo / "source" / LESSON, root / "source" / LESSON)
    course = Course(root / "course")
    spec = build_spec(course, LESSON, LESSON, course.source_notebooks(LESSON)[LESSON])
    nb = solved_view(spec)
    for n in range(1, SUBMISSIONS + 1):
        folder = root / "course" / "submitted" / f"student{n:02d}" / LESSON
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{LESSON}.ipynb"))
    return course


def _run(argv, cwd):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    start = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=3600)
    seconds = time.monotonic() - start
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return seconds, done.stdout + done.stderr


@pytest.mark.tf
@pytest.mark.slow
def test_autograder_vs_nbgrader_autograde(repo, tmp_path):
    if not (repo / "source" / LESSON).is_dir():
        pytest.skip(f"lesson {LESSON} not in source/")
    ours = _course(repo, tmp_path / "ours")
    shutil.copytree(tmp_path / "ours", tmp_path / "theirs")
    theirs = Course(tmp_path / "theirs" / "course")
    _run([sys.executable, "-m", "nbgrader", "generate_assignment", LESSON, "--force"], theirs.root)

    ours_s, ours_log = _run([sys.executable, "-m", "autograder", "grade", "--course", str(ours.root),
                             "--no-progress"], repo)
    theirs_s, _ = _run([sys.executable, "-m", "nbgrader", "autograde", LESSON, "--force"], theirs.root)

    mine, reference = scores_in_gradebook(ours, LESSON), scores_in_gradebook(theirs, LESSON)
    identical = mine == reference
    print(_table(ours, ours_s, theirs_s, ours_log, identical))
    assert len(mine) == SUBMISSIONS
    assert identical, {s: (mine[s], reference.get(s)) for s in mine if mine[s] != reference.get(s)}


def _table(course, ours_s, theirs_s, log, identical):
    records = [json.loads(p.read_text()) for p in (course.runs_dir / LESSON).glob("*.json")]
    timings = [r["notebooks"][LESSON]["timings"] for r in records]
    trusted = json.loads(next((course.runs_dir / ".trusted" / LESSON).glob("*.json")).read_text())["timings"]
    zygotes = sum(t.get("zygote_start", 0.0) for t in timings) + trusted.get("zygote_start", 0.0)
    mean = lambda key: statistics.mean(t.get(key, 0.0) for t in timings)  # noqa: E731
    main = re.search(r"time: planning ([\d.]+) s, notebook runs ([\d.]+) s .*writes ([\d.]+) s\), report ([\d.]+)", log)
    plan, runs, save, report = (float(x) for x in main.groups()) if main else (0, 0, 0, 0)
    lines = [
        f"\nautograder vs nbgrader autograde: {SUBMISSIONS} honest submissions of {LESSON}, {os.cpu_count()} cores",
        f"  nbgrader autograde      {theirs_s:7.1f} s  ({theirs_s / SUBMISSIONS:.1f} s per submission)",
        f"  python -m autograder    {ours_s:7.1f} s  ({ours_s / SUBMISSIONS:.1f} s per submission)",
        f"  ratio                   {ours_s / theirs_s:7.2f}    (goal <= 0.5)",
        f"  scores identical        {identical}",
        "where the autograder's time goes (per notebook run, mean over submissions; runs overlap on the workers):",
        f"  warm zygote start       {zygotes:6.2f} s"
        f"  (total over the workers: python + preloaded imports, once per worker)",
        f"  kernel start (fork)     {mean('kernel_start'):6.2f} s",
        f"  first code cell         {mean('first_code_cell'):6.2f} s  (the lesson's imports; preloaded in the zygote)",
        f"  other cells             {mean('cells') - mean('first_code_cell') - mean('trusted'):6.2f} s",
        f"  trusted runner start    {mean('runner_start'):6.2f} s  (a runner forked from the worker's trusted zygote)",
        f"  test cells (trusted)    {mean('trusted'):6.2f} s  (of which requests to the kernel's agent "
        f"{mean('agent'):.2f} s)",
        f"  whole job in the worker {mean('total'):6.2f} s",
        f"  trusted run (once)      {trusted.get('total', 0.0):6.2f} s",
        f"main process: CLI start-up and imports {ours_s - plan - runs - report:.1f} s, planning (specs, gradebook "
        f"assignment) {plan:.1f} s, notebook runs {runs:.1f} s wall (gradebook+journal writes {save:.1f} s), "
        f"report {report:.1f} s",
    ]
    return "\n".join(lines)
