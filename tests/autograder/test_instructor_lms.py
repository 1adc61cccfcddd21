"""LMS exports (autograder.lms): Canvas and Moodle layouts, encoding, and the refusals, through nbgrader export."""

import csv
import datetime
import os
import pathlib
import subprocess
import sys
import warnings

import pytest
from nbgrader.api import Gradebook

from autograder import lms
from autograder.gradebook import alembic_on_path

REPO = pathlib.Path(__file__).resolve().parents[2]
CONFIG = "c = get_config()\nc.CourseDirectory.course_id = 'lmstest'\n"
ROSTER = ("student,lms_id,sis_user_id,sis_login,first_name,last_name,email,section\n"
          "alice,101,S-1,alice@uni.example,Alice,Ångström,alice@uni.example,A\n"
          "bob,102,S-2,bob@uni.example,Bob,\"Brown, Jr.\",bob@uni.example,B\n"
          "chloé,103,S-3,chloe@uni.example,Chloé,Çelik,chloe@uni.example,A\n")


def _course(tmp_path, scores, roster=ROSTER):
    """A gradebook with assignments a1 (max 5) and a2 (max 3): ``scores[(student, assignment)] = (q0, q1)``."""
    alembic_on_path()
    (tmp_path / "nbgrader_config.py").write_text(CONFIG)
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "roster.csv").write_text(roster, encoding="utf-8")
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{tmp_path}/gradebook.db", "lmstest") as gb:
        warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's add_submission, harmless
        for name, points in (("a1", (2.0, 3.0)), ("a2", (3.0,))):
            gb.add_assignment(name, duedate=datetime.datetime(2026, 11, 1))
            gb.add_notebook(name, name)
            for i, p in enumerate(points):
                gb.add_grade_cell(f"q{i}", name, name, max_score=p, cell_type="code")
        for (student, assignment), cells in scores.items():
            gb.update_or_create_student(student)
            gb.add_submission(assignment, student, timestamp=datetime.datetime(2026, 10, 30))
            notebook = gb.find_submission_notebook(assignment, assignment, student)
            for grade, value in zip(sorted(notebook.grades, key=lambda g: g.name), cells):
                grade.auto_score = value
                grade.needs_manual_grade = value is None
        gb.db.commit()
    return tmp_path


ALL = {("alice", "a1"): (2.0, 1.5), ("alice", "a2"): (3.0,), ("bob", "a1"): (0.0, 3.0), ("bob", "a2"): (1.0,),
       ("chloé", "a1"): (2.0, 3.0), ("chloé", "a2"): (0.5,)}


def _export(course, exporter, *extra):
    env = dict(os.environ, PYTHONPATH=f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
               PATH=f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--exporter=autograder.lms.{exporter}",
                           *extra], cwd=course, env=env, capture_output=True, text=True, timeout=120)


def _read(path):
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    return list(csv.reader(raw.decode("utf-8").splitlines()))


@pytest.mark.slow
def test_canvas_layout_through_nbgrader_export(tmp_path):
    course = _course(tmp_path, ALL)
    (course / "nbgrader_config.py").write_text(CONFIG + "c.CanvasExportPlugin.assignment_ids = {'a1': 4711}\n")
    done = _export(course, "CanvasExportPlugin")
    assert done.returncode == 0, done.stderr
    rows = _read(course / "private" / "canvas_grades.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "a1 (4711)", "a2"]
    assert rows[1] == ["Points Possible", "", "", "", "", "5", "3"]
    assert rows[2:] == [["Brown, Jr., Bob", "102", "S-2", "bob@uni.example", "B", "3", "1"],
                        ["Ångström, Alice", "101", "S-1", "alice@uni.example", "A", "3.5", "3"],
                        ["Çelik, Chloé", "103", "S-3", "chloe@uni.example", "A", "5", "0.5"]]


@pytest.mark.slow
def test_moodle_layout_and_late_penalty(tmp_path):
    course = _course(tmp_path, ALL)
    with Gradebook(f"sqlite:///{course}/gradebook.db", "lmstest") as gb:
        gb.find_submission_notebook("a2", "a2", "bob").late_submission_penalty = 0.75
        gb.db.commit()
    done = _export(course, "MoodleExportPlugin", "--to", "private/m.csv")
    assert done.returncode == 0, done.stderr
    rows = _read(course / "private" / "m.csv")
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", "a1", "a2"]
    assert rows[1:] == [["Bob", "Brown, Jr.", "102", "bob@uni.example", "3", "0.25"],
                        ["Alice", "Ångström", "101", "alice@uni.example", "3.5", "3"],
                        ["Chloé", "Çelik", "103", "chloe@uni.example", "5", "0.5"]]


@pytest.mark.slow
def test_refuses_a_roster_student_without_grade_and_a_graded_student_not_on_roster(tmp_path):
    scores = dict(ALL)
    del scores[("chloé", "a2")]
    scores[("mallory", "a1")] = (1.0, 1.0)
    course = _course(tmp_path, scores)
    done = _export(course, "CanvasExportPlugin")
    assert done.returncode != 0
    assert "chloé (a2: no submission)" in done.stderr and "not on the roster: mallory" in done.stderr
    assert "missing_as_zero" in done.stderr and not (course / "private" / "canvas_grades.csv").exists()


def test_refuses_a_grade_still_waiting_for_formgrader_and_exports_zero_when_asked(tmp_path):
    scores = dict(ALL)
    scores[("bob", "a1")] = (0.0, None)
    del scores[("chloé", "a2")]
    course = _course(tmp_path, scores)
    roster = lms.read_roster(course / "private" / "roster.csv")
    with Gradebook(f"sqlite:///{course}/gradebook.db", "lmstest") as gb:
        with pytest.raises(lms.ExportRefused, match="bob \\(a1: waiting for a manual grade"):
            lms.collect(gb, roster, missing_as_zero=True)
        _, points = lms.collect(gb, roster, assignments=["a2"], missing_as_zero=True)
    assert points == {"alice": {"a2": 3.0}, "bob": {"a2": 1.0}, "chloé": {"a2": 0.0}}


def test_roster_without_the_required_columns_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("name,id\nA,1\n", encoding="utf-8")
    with pytest.raises(lms.ExportRefused, match="lacks the column\\(s\\) student, lms_id"):
        lms.read_roster(path)
