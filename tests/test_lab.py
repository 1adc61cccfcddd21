"""`make lab`'s working copy: made on first run, extended later, never overwriting the student's files."""

import json
import os
import pathlib
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


# --- the student's lab: config, environment, banner ------------------------------------------------------

def test_lab_environment_puts_the_student_config_first_and_quiets_tensorflow():
    from fclab.env import KERNEL_ENV
    from fclab.lab import LAB_CONFIG, lab_environment

    env = lab_environment({"JUPYTER_CONFIG_PATH": "/elsewhere", "TF_CPP_MIN_LOG_LEVEL": "0"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(LAB_CONFIG), "/elsewhere"]
    assert env["TF_ENABLE_ONEDNN_OPTS"] == KERNEL_ENV["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "0", "a setting the user made is kept"


def test_student_config_disables_nbgrader_and_the_news():
    from fclab.lab import LAB_CONFIG

    server = json.loads((LAB_CONFIG / "jupyter_server_config.d" / "fclab-student.json").read_text())
    installed = json.loads((pathlib.Path(sys.prefix) / "etc/jupyter/jupyter_server_config.d/nbgrader.json").read_text())
    nbgrader_extensions = installed["ServerApp"]["jpserver_extensions"]
    assert nbgrader_extensions and set(nbgrader_extensions) == set(server["ServerApp"]["jpserver_extensions"])
    assert not any(server["ServerApp"]["jpserver_extensions"].values())
    page = json.loads((LAB_CONFIG / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert page["@jupyter/nbgrader"] and page["@jupyterlab/apputils-extension:announcements"]


def test_jupyter_sees_nbgrader_server_extensions_off_in_the_student_lab():
    """What jupyter_server itself resolves from the config path make lab uses (no server started)."""
    from fclab.lab import lab_environment

    code = ("from jupyter_server.serverapp import ServerApp; app = ServerApp(); "
            "app.find_server_extensions(); import json; print(json.dumps(app.jpserver_extensions))")
    student = subprocess.run([sys.executable, "-c", code], env=lab_environment(), capture_output=True, text=True)
    instructor = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert student.returncode == 0, student.stderr
    on_for_student = json.loads(student.stdout.splitlines()[-1])
    on_for_instructor = json.loads(instructor.stdout.splitlines()[-1])
    assert on_for_instructor.get("nbgrader.server_extensions.formgrader") is True
    assert on_for_student.get("nbgrader.server_extensions.formgrader") is False
    assert on_for_student.get("jupyterlab") is True


def test_banner_says_where_to_open_where_work_is_and_how_to_stop(tmp_path):
    from fclab.lab import banner

    text = banner("http://127.0.0.1:8888/lab?token=abc", tmp_path / "work", tmp_path / "work/.lab/jupyter.log")
    assert "http://127.0.0.1:8888/lab?token=abc" in text
    assert str(tmp_path / "work") in text and "Ctrl+C" in text and "update-lessons" in text


def test_dry_run_passes_a_token_and_loopback_but_never_prints_the_token(tmp_path):
    result = subprocess.run([sys.executable, "-m", "fclab.lab", "--release", str(_release(tmp_path)),
                             "--work", str(tmp_path / "work"), "--dry-run"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "--IdentityProvider.token=<token>" in result.stdout and "--ServerApp.ip=127.0.0.1" in result.stdout


def test_instructor_lab_runs_from_the_course_folder(repo):
    result = subprocess.run([sys.executable, "-m", "fclab.lab", "--instructor", str(repo / "course"), "--dry-run"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert str(repo / "course") in result.stdout and f"--ServerApp.root_dir={repo}" in result.stdout
