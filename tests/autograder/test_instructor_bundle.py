"""The student bundle (autograder.bundle): nothing of the instructor's in it, and it installs and runs."""

import os
import pathlib
import re
import subprocess
import sys

import nbformat
import pytest

from autograder import bundle

REPO = pathlib.Path(__file__).resolve().parents[2]
LESSON = "01_xw_plus_b"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder, archive = bundle.build(tmp_path_factory.mktemp("dist") / "fclab-student", make_zip=True)
    return folder, archive


def test_bundle_holds_release_packages_and_student_files_only(built):
    folder, archive = built
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".gitignore", "Makefile", "README.md", "autograder", "environment.yml", "fclab", "overrides.txt",
         "pyproject.toml", "release", "requirements.lock"])
    assert archive.is_file() and archive.stat().st_size > 0
    assert sorted(p.name for p in (folder / "release").iterdir()) == sorted(
        p.name for p in (REPO / "release").iterdir())
    everything = [p for p in folder.rglob("*") if p.is_file()]
    assert not [p for p in everything if p.suffix == ".ipynb" and "release" not in p.relative_to(folder).parts]
    assert "make lab" in (folder / "README.md").read_text() and "lab:" in (folder / "Makefile").read_text()


def test_no_solution_or_hidden_test_reaches_the_bundle(built):
    folder, _ = built
    solutions = bundle.solution_lines(REPO / "source")
    assert len(solutions) > 20  # the instructor's solutions were really read
    notebooks = sorted(folder.rglob("*.ipynb"))
    assert bundle.leaks(notebooks, solutions) == []
    hidden = []  # every hidden test line of source/ (between the markers), none in the bundle
    for path in (REPO / "source").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for block in re.findall(r"BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, flags=re.S):
                hidden += [line.strip() for line in block.splitlines() if len(line.strip()) > 30]
    text = "\n".join(p.read_text(encoding="utf-8") for p in notebooks)
    shown_elsewhere = [h for h in hidden if h in text]
    visible = "\n".join(re.sub(r"BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", c.source, flags=re.S)
                        for p in (REPO / "source").glob("*/*.ipynb") for c in nbformat.read(p, as_version=4).cells)
    assert hidden and [h for h in shown_elsewhere if h not in visible] == []


def test_a_release_with_a_solution_in_it_is_refused(tmp_path):
    path = tmp_path / "leaky.ipynb"
    nb = nbformat.read(REPO / "release" / LESSON / f"{LESSON}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex7_dense_nd")
    cell.source = cell.source.replace("raise NotImplementedError()", "rows = X.reshape(-1, n_in)")
    nbformat.write(nb, path)
    found = bundle.leaks([path], bundle.solution_lines(REPO / "source"))
    assert [what for _, what in found] == ["solution line 'rows = X.reshape(-1, n_in)'"]


def _answered(work_nb):
    """The student's copy with the instructor's solutions typed in (as a student who solved it would)."""
    source = nbformat.read(REPO / "source" / LESSON / f"{LESSON}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: re.sub(r"\s*### (BEGIN|END) SOLUTION", "", c.source)
               for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(work_nb, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(nb, work_nb)


@pytest.mark.slow
@pytest.mark.tf
def test_bundle_installs_sets_up_the_lab_and_self_checks_a_lesson(built):
    folder, _ = built
    env = dict(os.environ, PYTHONPATH=str(folder), TF_ENABLE_ONEDNN_OPTS="0")

    def run(*args, timeout=120):
        return subprocess.run([sys.executable, *args], cwd=folder, env=env, capture_output=True, text=True,
                              timeout=timeout)

    where = run("-c", "import fclab, autograder.selfcheck; print(fclab.__file__); print(autograder.__file__)")
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(folder)) for line in where.stdout.split()), where.stdout
    lab = run("-m", "fclab.lab", "--release", "release", "--work", "work", "--dry-run")
    assert lab.returncode == 0, lab.stderr
    work_nb = folder / "work" / LESSON / f"{LESSON}.ipynb"
    assert work_nb.is_file() and "jupyterlab" in lab.stdout
    unanswered = run("-m", "autograder", "check", str(work_nb.relative_to(folder)), "--no-sandbox", timeout=600)
    assert unanswered.returncode == 1 and "ex3_dense_forward" in unanswered.stdout
    _answered(work_nb)
    answered = run("-m", "autograder", "check", str(work_nb.relative_to(folder)), "--no-sandbox", timeout=600)
    assert answered.returncode == 0, answered.stdout + answered.stderr
