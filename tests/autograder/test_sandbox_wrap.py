"""The sandbox's command line and bookkeeping, without starting anything (fast)."""

import os
import sys

import pytest

from autograder import cgroup
from autograder.sandbox import CONFINE, OUTSTREAM, UID_BASE, UIDS_PER_PROCESS, Limits, Sandbox

KERNEL = [sys.executable, "-m", "ipykernel_launcher", "-f", "kernel.json"]


@pytest.fixture
def box(tmp_path):
    made, _ = Sandbox.create(Limits(processes=32))
    return made


def test_the_process_limit_in_force_is_named(box):
    assert box.process_limit.startswith("process limit: ")
    assert ("pids cgroup" in box.process_limit) == (box.cgroup_run is not None)
    if box.cgroup_run is None:
        assert "RLIMIT_NPROC" in box.process_limit and "fallback" in box.process_limit


def test_a_kernel_enters_its_cgroup_first_and_keeps_a_parent_death_signal(box, tmp_path):
    argv = box.wrap(KERNEL, tmp_path / "work", tmp_path / "run")
    if box.cgroup_run is not None:
        assert argv[:4] == [sys.executable, "-I", "-S", CONFINE]
        folder = argv[4]
        assert folder.startswith(box.cgroup_run) and open(os.path.join(folder, "pids.max")).read().strip() == "32"
    if box.use_bwrap:
        assert "--die-with-parent" in argv
    if box.uid(tmp_path / "run") is not None:
        setpriv = argv.index(next(a for a in argv if a.endswith("setpriv")))
        assert argv[setpriv + 1:].index("--pdeathsig") < argv[setpriv + 1:].index("--")
    assert argv[-len(KERNEL) - 1:] == KERNEL + [OUTSTREAM]


def test_only_an_ipykernel_gets_the_capped_stdout(box, tmp_path):
    argv = box.wrap([sys.executable, "-c", "print('ipykernel_launcher')"], tmp_path / "w", tmp_path / "r")
    assert OUTSTREAM not in argv


def test_two_sandboxes_of_one_process_never_share_a_uid_or_cgroup(box, tmp_path):
    if box.uid(tmp_path / "a") is None:
        pytest.skip("sandbox uids need root, setpriv and bubblewrap")
    first, second = box.box(tmp_path / "a"), box.box(tmp_path / "b")
    assert first.uid != second.uid
    assert UID_BASE + os.getpid() * UIDS_PER_PROCESS <= first.uid < UID_BASE + (os.getpid() + 1) * UIDS_PER_PROCESS
    assert first.cgroup is None or first.cgroup != second.cgroup
    assert box.box(tmp_path / "a") is first  # the socket folder names the sandbox


def test_the_venv_reached_through_a_symlink_exists_inside(box, tmp_path, monkeypatch):
    real = tmp_path / "real-venv"
    (real / "bin").mkdir(parents=True)
    link = tmp_path / "wt" / ".venv"
    link.parent.mkdir()
    link.symlink_to(real)
    monkeypatch.setattr(sys, "prefix", str(link))
    assert Sandbox.links() == [(str(real), str(link))]


def test_cgroup_probe_says_why_not_when_it_cannot(monkeypatch):
    monkeypatch.setattr(cgroup, "_candidates", lambda: [])
    cgroup.probe.cache_clear()
    try:
        parent, why = cgroup.probe()
        assert parent is None and why.startswith("no writable pids cgroup")
    finally:
        cgroup.probe.cache_clear()
