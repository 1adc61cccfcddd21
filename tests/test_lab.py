"""`make lab`'s working copy: made on first run, extended later, never overwriting the student's files."""

import subprocess
import sys

from fclab.lab import jupyter_command, sync_working_copy


def _release(tmp_path):
    release = tmp_path / "release"
    (release / "01_a").mkdir(parents=True)
    (release / "01_a" / "01_a.ipynb").write_text("release v1")
    return release


def test_first_run_copies_release(tmp_path):
    release = _release(tmp_path)
    added = sync_working_copy(release, tmp_path / "work")
    assert [p.relative_to(tmp_path / "work").as_posix() for p in added] == ["01_a/01_a.ipynb"]
    assert (tmp_path / "work" / "01_a" / "01_a.ipynb").read_text() == "release v1"


def test_later_run_adds_new_lessons_and_keeps_student_work(tmp_path):
    release = _release(tmp_path)
    work = tmp_path / "work"
    sync_working_copy(release, work)
    (work / "01_a" / "01_a.ipynb").write_text("my answers")
    (release / "01_a" / "01_a.ipynb").write_text("release v2")
    (release / "02_b").mkdir()
    (release / "02_b" / "02_b.ipynb").write_text("lesson 2")

    added = sync_working_copy(release, work)

    assert [p.name for p in added] == ["02_b.ipynb"]
    assert (work / "01_a" / "01_a.ipynb").read_text() == "my answers"
    assert (work / "02_b" / "02_b.ipynb").read_text() == "lesson 2"


def test_missing_release_folder_says_where_it_looked(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "fclab.lab", "--release", str(tmp_path / "nope"), "--dry-run"],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "nope" in result.stderr and "release" in result.stderr


def test_headless_machine_gets_no_browser(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    command = jupyter_command(tmp_path)
    assert "--no-browser" in command
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command


def test_make_lab_dry_run_with_relative_paths_lists_every_lesson(repo, tmp_path):
    """What `make lab` runs (relative paths, from the repository root), up to starting JupyterLab."""
    import shutil

    shutil.copytree(repo / "release", tmp_path / "release")
    result = subprocess.run(
        [sys.executable, "-m", "fclab.lab", "--release", "release", "--work", "work", "--dry-run"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lessons = sorted(p.name for p in (repo / "release").iterdir() if p.is_dir())
    assert lessons and all(f"{name}/{name}.ipynb" in result.stdout for name in lessons), result.stdout
    assert "jupyterlab" in result.stdout
    again = subprocess.run(
        [sys.executable, "-m", "fclab.lab", "--release", "release", "--work", "work", "--dry-run"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert "up to date" in again.stdout, again.stdout
