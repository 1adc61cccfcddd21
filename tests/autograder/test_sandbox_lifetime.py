"""Nothing of the engine outlives it, and a sandbox ends as a whole.

- a real ``python -m autograder grade --workers 2`` is SIGKILLed while its kernels run: within a few
  seconds no process it started is left (workers, forkserver, bwrap, zygotes, kernels);
- the named fallback (a uid of its own + RLIMIT_NPROC, no cgroup) holds a fork bomb and ends it;
- the pids cgroup, where it is in force, holds a fork bomb that RLIMIT_NPROC of root would not.
"""

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

import autograder_fixture as F
from autograder import cgroup
from autograder.lifetime import pids_of
from autograder.sandbox import UID_BASE, Sandbox

pytestmark = pytest.mark.slow

GRACE = 10  # seconds: the forkserver notices last (its "alive" pipe closes when the last worker is gone)
SLEEPER = dict(F.honest_answers(), ex2_relu="import time\ntime.sleep(120)\n" + F.honest_answers()["ex2_relu"])


def _table():
    """``{pid: (ppid, state, uid, start time)}`` of every process (pid + start time names one process)."""
    table = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            uid = entry.stat().st_uid
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        table[int(entry.name)] = (int(fields[1]), fields[0], uid, int(fields[19]))
    return table


def _descendants(root, table):
    """``{(pid, start time)}`` of every process below ``root``."""
    found, grew = {root}, True
    while grew:
        more = {pid for pid, (ppid, *_) in table.items() if ppid in found} - found
        found |= more
        grew = bool(more)
    return {(pid, table[pid][3]) for pid in found - {root}}


def _alive(processes):
    """The ``(pid, start time)`` of ``processes`` still running (a zombie is dead; a reused pid is not ours)."""
    table = _table()
    return sorted((pid, start) for pid, start in processes
                  if pid in table and table[pid][3] == start and table[pid][1] != "Z")


def _describe(processes):
    lines = []
    for pid, _ in processes:
        try:
            lines.append(f"{pid}: {pathlib.Path(f'/proc/{pid}/cmdline').read_bytes()[:120]!r}")
        except OSError:
            lines.append(f"{pid}: gone")
    return "; ".join(lines)


def test_sigkill_of_grade_leaves_no_process(tmp_path):
    course_dir = F.make_course(tmp_path)
    release = F.release_notebook(course_dir)
    for student in ("s1", "s2", "s3", "s4"):
        F.submit(course_dir, student, F.answer(release, SLEEPER))
    main = subprocess.Popen([sys.executable, "-m", "autograder", "grade", "--course", str(course_dir), "--workers",
                             "2", "--no-progress"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ))
    seen, sandboxed = set(), set()  # every process seen below grade; those of them running as a sandbox uid

    def look():
        table = _table()
        found = _descendants(main.pid, table)
        seen.update(found)
        sandboxed.update(p for p in found if table[p[0]][2] >= UID_BASE)

    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:  # until both workers ran a zygote and a kernel (a sandbox uid)
            look()
            if len(sandboxed) >= 4 or main.poll() is not None:
                break
            time.sleep(0.5)
        assert main.poll() is None, "grade ended before its kernels were seen"
        time.sleep(1)
        look()
        # seen at any moment: a kernel that finished its submission in between still counts as seen
        assert len(sandboxed) >= 4, "expected two sandboxes with a zygote and a kernel each"
        main.send_signal(signal.SIGKILL)
        main.wait()
        killed = time.monotonic()
        left = _alive(seen)
        while left and time.monotonic() - killed < GRACE:
            time.sleep(0.2)
            left = _alive(seen)
        print(f"\nSIGKILL of grade: {len(seen)} processes below it ({len(sandboxed)} in sandboxes); "
              f"{len(left)} alive {time.monotonic() - killed:.1f} s later")
        assert left == [], f"still running after SIGKILL of the main process: {_describe(left)}"
        folder = cgroup.run_folder(main.pid)
        if folder is not None and folder.exists():
            assert cgroup.members(folder) == []
    finally:
        main.kill()
        for pid, _ in _alive(seen):  # only what this test started
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def fallback(test_limits):
    """A sandbox on the named fallback: a uid of its own per sandbox and RLIMIT_NPROC, no cgroup."""
    box, _ = Sandbox.create(test_limits)
    if not (box.use_bwrap and os.geteuid() == 0):
        pytest.skip("the per-sandbox uid needs root and bubblewrap")
    box.cgroup_run = None
    return box


def _bomb(box, tmp_path, name):
    work, run = tmp_path / f"{name}-work", tmp_path / f"{name}-run"
    work.mkdir()
    run.mkdir()
    box.prepare_dirs(work, run)
    code = ("import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(60)\n"
            "            os._exit(0)\n        n += 1\nexcept OSError:\n    print(n, flush=True)\ntime.sleep(60)\n")
    argv = box.wrap([sys.executable, "-c", code], work, run)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=box.env())
    forks = int(process.stdout.readline())
    return process, run, forks


@pytest.mark.parametrize("mode", ["cgroup", "fallback"])
def test_a_fork_bomb_is_held_and_ended(mode, sandbox, fallback, tmp_path):
    box = sandbox if mode == "cgroup" else fallback
    if mode == "cgroup" and not box.cgroup_run:
        pytest.skip(f"no writable pids cgroup here: {box.process_limit}")
    process, run, forks = _bomb(box, tmp_path, mode)
    try:
        assert 0 < forks < box.limits.processes
        assert box.strays(run) >= forks - 1
        uid, folder = box.uid(run), box.box(run).cgroup
        box.end(run)
        assert process.wait(timeout=10) != 0
        assert pids_of(uid) == []
        assert folder is None or cgroup.members(folder) == []
    finally:
        process.kill()
