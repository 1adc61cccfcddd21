"""Deadlines (autograder.deadlines): nbgrader's duedate, extensions and late penalty; unknown times never late."""

import datetime
import warnings

import pytest
from nbgrader.api import Gradebook

from autograder import deadlines
from autograder.course import Course
from autograder.gradebook import alembic_on_path

CONFIG = """c = get_config()
c.CourseDirectory.course_id = "deadlines"
c.LateSubmissionPlugin.penalty_method = "zero"
"""
DUE = datetime.datetime(2026, 11, 20, 23, 59)
SUBMITTED = {"early": DUE - datetime.timedelta(hours=5), "late": DUE + datetime.timedelta(hours=3),
             "extended": DUE + datetime.timedelta(hours=10), "unknown": None}


def _course(tmp_path, extra_config=""):
    """A course whose gradebook has assignment a1 (one 4-point cell) and the submissions of SUBMITTED."""
    (tmp_path / "nbgrader_config.py").write_text(CONFIG + extra_config)
    course = Course(tmp_path)
    alembic_on_path()
    with warnings.catch_warnings(), Gradebook(course.db_url, course.course_id) as gb:
        warnings.filterwarnings("ignore", message=".*not in session.*")
        gb.add_assignment("a1")
        gb.add_notebook("a1", "a1")
        gb.add_grade_cell("q1", "a1", "a1", max_score=4.0, cell_type="code")
        for student, stamp in SUBMITTED.items():
            gb.add_student(student)
            gb.add_submission("a1", student, **({"timestamp": stamp} if stamp else {}))
            gb.find_submission_notebook("a1", "a1", student).grades[0].auto_score = 3.0
        gb.db.commit()
    return course


def _by_student(rows):
    return {r.student: r for r in rows}


def test_due_date_makes_late_work_late_and_unknown_time_never(tmp_path):
    course = _course(tmp_path)
    rows = _by_student(deadlines.set_duedate(course, "a1", "2026-11-20 23:59:00 UTC"))
    assert rows["early"].seconds_late == 0 and rows["early"].penalty == 0
    assert rows["late"].seconds_late == 3 * 3600 and rows["late"].penalty == 3.0  # penalty_method "zero"
    assert rows["extended"].penalty == 3.0
    assert not rows["unknown"].known and rows["unknown"].seconds_late == 0 and rows["unknown"].penalty == 0
    page = deadlines.render_html(course, [{"assignment": "a1"}])
    assert "<b>Lateness unknown</b>" in page and "unknown" in page.split("Lateness unknown")[1]
    assert page.count("<tr><td>") == 2  # late and extended


def test_extension_moves_the_students_due_date_only(tmp_path):
    course = _course(tmp_path)
    deadlines.set_duedate(course, "a1", "2026-11-20 23:59:00 UTC")
    rows = _by_student(deadlines.set_extension(course, "a1", "extended", 48))
    assert rows["extended"].seconds_late == 0 and rows["extended"].penalty == 0
    assert rows["extended"].extension_hours == 48 and rows["late"].penalty == 3.0
    with pytest.raises(ValueError, match="nobody has no graded submission of a1 yet"):
        deadlines.set_extension(course, "a1", "nobody", 24)


def test_course_config_sets_due_date_and_extensions(tmp_path):
    course = _course(tmp_path, 'c.Deadlines.duedates = {"a1": "2026-11-20 23:59:00 UTC"}\n'
                               'c.Deadlines.extensions = {"a1": {"extended": 24, "absent": 12}}\n')
    deadlines.apply_config(course, "a1")
    rows = _by_student(deadlines.lateness(course, "a1"))
    assert rows["late"].penalty == 3.0 and rows["extended"].penalty == 0 and rows["early"].penalty == 0
    assert rows["extended"].duedate == DUE + datetime.timedelta(hours=24)


def test_moving_the_due_date_later_removes_the_penalty(tmp_path):
    course = _course(tmp_path)
    deadlines.set_duedate(course, "a1", "2026-11-20 23:59:00 UTC")
    rows = _by_student(deadlines.set_duedate(course, "a1", "2026-11-21 12:00:00 UTC"))
    assert all(r.penalty == 0 for r in rows.values())


def test_deadline_command_sets_the_due_date_and_an_extension(tmp_path, capsys):
    from autograder import cli

    course = _course(tmp_path)
    assert cli.main(["deadline", "--course", str(tmp_path), "--assignment", "a1",
                     "--due", "2026-11-20 23:59:00 UTC"]) == 0
    out = capsys.readouterr().out
    assert "late                 submitted 2026-11-21 02:59; 3.0 h late, penalty 3" in out
    assert "unknown (no timestamp.txt: never late)" in out
    assert cli.main(["deadline", "--course", str(tmp_path), "--assignment", "a1", "--student", "extended",
                     "--extension-hours", "24"]) == 0
    assert "extended             submitted 2026-11-21 09:59; on time (extension 24 h)" in capsys.readouterr().out
    assert cli.main(["deadline", "--course", str(tmp_path), "--student", "late"]) == 2  # needs --assignment
    assert _by_student(deadlines.lateness(course, "a1"))["extended"].penalty == 0
