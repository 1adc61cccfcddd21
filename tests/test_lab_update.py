"""`make update-lessons`: a changed lesson comes into the student's copy; answers and own cells never go."""

import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from fclab.lab import sync_working_copy
from fclab.lab_update import describe, merge_notebook, outdated_notebooks, update_working_copy


def _cell(kind, source, grade_id=None, cell_id=None):
    meta = {}
    if kind == "answer":
        meta = {"nbgrader": {"solution": True, "grade": False, "locked": False, "grade_id": grade_id}}
    elif kind == "test":
        meta = {"nbgrader": {"solution": False, "grade": True, "locked": True, "grade_id": grade_id, "points": 1}}
    elif kind == "read-only":
        meta = {"nbgrader": {"solution": False, "grade": False, "locked": True, "grade_id": grade_id}}
    make = new_markdown_cell if kind == "text" else new_code_cell
    cell = make(source, metadata=meta)
    if cell_id:
        cell.id = cell_id
    return cell


def _lesson(test_source="assert f(1) == 2", demo_source="print(f(3))"):
    return new_notebook(cells=[
        _cell("text", "# Lesson", cell_id="intro"),
        _cell("read-only", "import numpy as np", "imports", cell_id="imports"),
        _cell("answer", "def f(x):\n    raise NotImplementedError()", "ex1", cell_id="ex1"),
        _cell("test", test_source, "test_ex1", cell_id="test_ex1"),
        _cell("code", demo_source, cell_id="demo"),
    ])


def _student(nb):
    """The student answers ex1, adds a scratch cell after it, and runs the demo."""
    mine = nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4))
    mine.cells[2].source = "def f(x):\n    return 2 * x"
    mine.cells[2].outputs = []
    mine.cells.insert(3, _cell("code", "f(10)  # trying it", cell_id="scratch"))
    return mine


def test_new_test_cell_comes_in_and_the_answer_and_own_cell_stay():
    old = _lesson()
    new = _lesson(test_source="assert f(1) == 2\nassert f(-1) == -2")
    merged, changes = merge_notebook(new, _student(old), base=old)
    sources = [c.source for c in merged.cells]
    assert "def f(x):\n    return 2 * x" in sources
    assert "f(10)  # trying it" in sources
    assert sources.index("f(10)  # trying it") == sources.index("def f(x):\n    return 2 * x") + 1
    assert "assert f(1) == 2\nassert f(-1) == -2" in sources
    assert [(c.kind, c.what) for c in changes] == [("test", "updated")]


def test_a_lesson_cell_the_student_edited_is_kept_one_they_did_not_is_updated():
    old = _lesson()
    new = _lesson(demo_source="print(f(4))")
    untouched = _student(old)
    merged, changes = merge_notebook(new, untouched, base=old)
    assert merged.cells[-1].source == "print(f(4))" and changes[0].what == "updated"

    edited = _student(old)
    edited.cells[-1].source = "print(f(100))"
    merged, changes = merge_notebook(new, edited, base=old)
    assert merged.cells[-1].source == "print(f(100))"
    assert [(c.kind, c.what) for c in changes] == [("lesson", "kept")]


def test_an_exercise_removed_from_the_lesson_keeps_the_answer_at_the_end():
    old = _lesson()
    new = _lesson()
    del new.cells[2:4]
    merged, changes = merge_notebook(new, _student(old), base=old)
    assert merged.cells[-1].source == "def f(x):\n    return 2 * x"
    assert ("answer", "kept") in [(c.kind, c.what) for c in changes]
    assert ("test", "removed") in [(c.kind, c.what) for c in changes]


def test_update_working_copy_backs_up_says_what_changed_and_is_then_up_to_date(tmp_path):
    release, work = tmp_path / "release", tmp_path / "work"
    (release / "01_a").mkdir(parents=True)
    nbformat.write(_lesson(), release / "01_a" / "01_a.ipynb")
    sync_working_copy(release, work)
    nbformat.write(_student(_lesson()), work / "01_a" / "01_a.ipynb")
    assert outdated_notebooks(release, work) == []

    nbformat.write(_lesson(test_source="assert f(2) == 4"), release / "01_a" / "01_a.ipynb")   # git pull
    assert [p.as_posix() for p in outdated_notebooks(release, work)] == ["01_a/01_a.ipynb"]
    updates = update_working_copy(release, work)
    text = describe(updates, work)
    assert "01_a/01_a.ipynb: 1 cell(s) changed" in text and "(test): updated" in text
    assert ".backup/01_a/01_a." in text
    backups = list((work / ".backup" / "01_a").glob("01_a.*.ipynb"))
    assert len(backups) == 1 and "f(10)  # trying it" in backups[0].read_text()
    now = nbformat.read(work / "01_a" / "01_a.ipynb", as_version=4)
    assert "def f(x):\n    return 2 * x" in [c.source for c in now.cells]
    assert "assert f(2) == 4" in [c.source for c in now.cells]
    assert outdated_notebooks(release, work) == []
    assert "up to date" in describe(update_working_copy(release, work), work)


def test_without_a_kept_base_the_lesson_wins_except_answers(tmp_path):
    """Working copies made before bases were kept: fixed cells are compared, answers still kept."""
    release, work = tmp_path / "release", tmp_path / "work"
    (release / "01_a").mkdir(parents=True)
    (work / "01_a").mkdir(parents=True)
    nbformat.write(_lesson(test_source="assert f(2) == 4", demo_source="print(f(4))"), release / "01_a" / "01_a.ipynb")
    nbformat.write(_student(_lesson()), work / "01_a" / "01_a.ipynb")
    assert outdated_notebooks(release, work)
    update_working_copy(release, work)
    now = [c.source for c in nbformat.read(work / "01_a" / "01_a.ipynb", as_version=4).cells]
    assert "def f(x):\n    return 2 * x" in now and "print(f(4))" in now and "f(10)  # trying it" in now


def test_make_update_lessons_command_line(tmp_path):
    release, work = tmp_path / "release", tmp_path / "work"
    (release / "01_a").mkdir(parents=True)
    nbformat.write(_lesson(), release / "01_a" / "01_a.ipynb")
    run = [sys.executable, "-m", "fclab.lab", "--release", str(release), "--work", str(work), "--update"]
    first = subprocess.run(run, capture_output=True, text=True)
    assert first.returncode == 0 and "Added 1 new file" in first.stdout and "up to date" in first.stdout
    nbformat.write(_lesson(test_source="assert f(3) == 6"), release / "01_a" / "01_a.ipynb")
    second = subprocess.run(run, capture_output=True, text=True)
    assert "(test): updated" in second.stdout, second.stdout
