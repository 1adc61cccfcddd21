"""Bombs graded in one run with two workers: each ends graded with a reason, the others are unaffected.

One run of the engine (``--workers 2``, the sandbox on, the test limits: 64 processes, 2 GiB, 8 s per cell)
over two honest submissions and five that attack the machine: a fork bomb, a memory bomb, an endless
loop, a 200 MB print and 20 MB sent straight onto the iopub socket. While it runs, a thread samples the workers' peak RSS (``VmHWM``), so the test
can say what the 200 MB print cost the worker.
"""

import csv
import os
import pathlib
import threading
import time

import nbformat
import pytest

import autograder_fixture as F
from autograder import cgroup
from autograder.course import Course
from autograder.grade import Grader
from autograder.gradebook import scores_in_gradebook
from autograder.journal import Journal

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sandbox-limits")]

HONEST = F.honest_answers()
BOMBS = {
    "fork_bomb": dict(HONEST, ex2_relu="import os\nwhile True:\n    os.fork()\n"),
    "memory_bomb": dict(HONEST, ex2_relu=HONEST["ex2_relu"] + "\nhog = []\nwhile True:\n"
                                                              "    hog.append(np.empty(100_000_000))  # 800 MB each\n"),
    "endless": dict(HONEST, ex2_relu="while True:\n    pass\n" + HONEST["ex2_relu"]),
    "big_print": dict(HONEST, ex1_add_bias=HONEST["ex1_add_bias"] + "\nprint('x' * 200_000_000)"),
    # 20 MB past the kernel's capped stdout, straight onto iopub: the worker's transport (2 MiB here) refuses it
    "raw_iopub": dict(HONEST, ex1_add_bias=HONEST["ex1_add_bias"] + "\nk = get_ipython().kernel\n"
                      "k.session.send(k.iopub_socket, 'stream', {'name': 'stdout', 'text': 'y' * 20_000_000},\n"
                      "               parent=k.get_parent(), ident=b'stream.stdout')\n"),
}
SCORES = {"alice": (2, 3, 1), "zoe": (2, 3, 1), "fork_bomb": (2, 0, 0), "memory_bomb": (2, 3, 1),
          "endless": (2, 0, 1), "big_print": (2, 3, 1), "raw_iopub": (0, 0, 0)}
REASONS = {"fork_bomb": "processes of its own running: the whole sandbox was ended",
           "endless": "NameError", "raw_iopub": "on the kernel's output channel (not through print)"}
# The fork bomb ends one of two ways, by timing: its forks keep running at the process limit until the cell's
# time limit, and the whole sandbox is ended (ex3 never runs); or every fork already fails when the bomb's
# loop starts (the limit is reached first), the answer cell raises BlockingIOError, relu is never defined and
# the kernel goes on (ex3's honest answer passes). Either way it ends graded, with the reason named.
OTHER_OUTCOMES = {"fork_bomb": ((2, 0, 1), "raised NameError: name 'relu' is not defined")}


def _expected(student, points):
    """The (points, reason) this student must get: the main outcome, or the other one it did get."""
    other = OTHER_OUTCOMES.get(student)
    if other is not None and points == other[0]:
        return other
    return SCORES[student], REASONS.get(student)
PEAK_RSS_LIMIT = 400 * 2**20  # a worker read a 200 MB print whole before (about 700 MB): now it never does


class WorkerPeak(threading.Thread):
    """Samples ``VmHWM`` (peak RSS, bytes) of the pool's worker processes until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peaks, self.done = {}, threading.Event()

    def run(self):
        while not self.done.wait(0.1):
            for pid, peak in _worker_peaks().items():
                self.peaks[pid] = max(peak, self.peaks.get(pid, 0))


def _worker_peaks():
    """``{pid: VmHWM bytes}`` of this test's pool workers (forked by its forkserver, not kernels)."""
    table = {}  # pid -> (ppid, cmdline, status text)
    for entry in pathlib.Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                status = (entry / "status").read_text()
                table[int(entry.name)] = (int(status.split("PPid:")[1].split()[0]),
                                          (entry / "cmdline").read_bytes(), status)
        except (OSError, IndexError):
            continue
    mine, grew = {os.getpid()}, True
    while grew:
        found = {pid for pid, (ppid, _, _) in table.items() if ppid in mine} - mine
        mine |= found
        grew = bool(found)
    return {pid: int(status.split("VmHWM:")[1].split()[0]) * 1024
            for pid, (ppid, _, status) in table.items()
            if pid in mine and ppid in table and b"forkserver" in table[ppid][1] and "VmHWM:" in status}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox):
    course_dir = F.make_course(tmp_path_factory.mktemp("bombs"))
    release = F.release_notebook(course_dir)
    for student in SCORES:
        F.submit(course_dir, student, F.answer(release, BOMBS.get(student, HONEST)))
    course = Course(course_dir)
    sampler = WorkerPeak()
    sampler.start()
    try:
        summary = Grader(course, sandbox, workers=2, progress=False).run()
    finally:
        sampler.done.set()
        sampler.join()
    records = {r["student"]: r for r in Journal(course.runs_dir).records()}
    return course, summary, records, sampler.peaks


def _cells(record):
    return record["notebooks"][F.ASSIGNMENT]["cells"]


def _outputs(course, student):
    nb = nbformat.read(str(course.autograded_dir(student, F.ASSIGNMENT) / f"{F.ASSIGNMENT}.ipynb"), 4)
    return "\n".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_every_submission_is_graded_in_journal_gradebook_csv_and_report(graded):
    course, summary, records, _ = graded
    assert summary.ok, summary.errors
    assert sorted(records) == sorted(SCORES)
    stored = scores_in_gradebook(course, F.ASSIGNMENT)
    with open(course.runs_dir / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    html = (course.runs_dir / "report.html").read_text()
    for student in SCORES:
        points = tuple(_cells(records[student])[g]["points"] for g in F.POINTS)
        expected = _expected(student, points)[0]
        assert points == expected, student
        assert tuple(stored[student][F.ASSIGNMENT][g] for g in F.POINTS) == expected, student
        assert float(rows[student]["score"]) == sum(expected), student
        assert f"<td>{student}</td>" in html


@pytest.mark.parametrize("student", sorted(REASONS))
def test_a_bomb_ends_with_a_reason(graded, student):
    _, _, records, _ = graded
    reasons = [c["reason"] for c in _cells(records[student]).values()]
    points = tuple(_cells(records[student])[g]["points"] for g in F.POINTS)
    assert any(_expected(student, points)[1] in r for r in reasons), reasons


def test_a_memory_bomb_meets_the_address_space_limit(graded):
    course, _, _, _ = graded
    assert "MemoryError" in _outputs(course, "memory_bomb")


def test_200_mb_of_output_never_reaches_the_worker_whole(graded):
    course, _, _, peaks = graded
    assert "output truncated" in _outputs(course, "big_print")
    path = course.autograded_dir("big_print", F.ASSIGNMENT) / f"{F.ASSIGNMENT}.ipynb"
    assert path.stat().st_size < 2 * 2**20
    assert peaks, "no worker process was sampled"
    peak = max(peaks.values())
    assert "y" * 1000 not in _outputs(course, "raw_iopub")
    print(f"\nworker peak RSS over the run (a 200 MB print and a 20 MB message included): {peak / 2**20:.0f} MB "
          f"(per worker: {', '.join(f'{p / 2**20:.0f} MB' for p in peaks.values())})")
    assert peak < PEAK_RSS_LIMIT


def test_no_process_of_a_sandbox_is_left(graded, sandbox):
    _, _, _, _ = graded
    folder = pathlib.Path(sandbox.cgroup_run) if sandbox.cgroup_run else None
    if folder is None:
        pytest.skip(f"no pids cgroup here ({sandbox.process_limit}); test_sandbox_lifetime covers the uid path")
    deadline = time.monotonic() + 10  # the pool has shut down; its zygotes die with their workers
    while cgroup.members(folder) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cgroup.members(folder) == [], "processes of finished sandboxes are still running"
