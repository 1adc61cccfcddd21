"""The generated class of 120 in nbgrader's gradebook: lateness as planted, and the LMS files from its roster."""

import csv
import json
import warnings

import pytest
from nbgrader.api import Gradebook

import instructor_class
from autograder import deadlines, gradebook, lms
from autograder.course import Course
from autograder.spec import build_spec

pytestmark = pytest.mark.slow
A = instructor_class.ASSIGNMENT


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class with its journal scores stored in the gradebook, as ``grade`` leaves it (timestamps too)."""
    planted = instructor_class.make_class(tmp_path_factory.mktemp("class"))
    course = Course(planted.course)
    gradebook.ensure_assignment(course, [build_spec(course, A, A, course.source_notebooks(A)[A])])
    with warnings.catch_warnings(), Gradebook(course.db_url, course.course_id) as gb:
        warnings.filterwarnings("ignore", message=".*not in session.*")
        for sub in course.submissions([A]):
            record = json.loads((course.runs_dir / A / f"{sub.student}.json").read_text())
            gb.update_or_create_student(sub.student)
            stamp = course.timestamp(sub)
            gb.update_or_create_submission(A, sub.student, **({"timestamp": stamp} if stamp else {}))
            notebook = gb.find_submission_notebook(A, A, sub.student)
            cells = record["notebooks"][A]["cells"]
            for grade in notebook.grades:
                grade.auto_score = cells[grade.name]["points"] if grade.name in cells else 0.0
                grade.needs_manual_grade = False
        gb.db.commit()
    config = planted.course / "nbgrader_config.py"
    config.write_text(config.read_text() + 'c.LateSubmissionPlugin.penalty_method = "zero"\n'
                      f'c.Deadlines.duedates = {{"{A}": "{instructor_class.DUE:%Y-%m-%d %H:%M:%S} UTC"}}\n'
                      f'c.Deadlines.extensions = {{"{A}": {planted.extensions!r}}}\n')
    course = Course(planted.course)
    deadlines.apply_config(course, A)
    return planted, course


def test_lateness_is_what_was_planted(graded):
    planted, course = graded
    rows = {r.student: r for r in deadlines.lateness(course, A)}
    assert len(rows) == len(planted.students) >= 100
    assert {s for s, r in rows.items() if r.seconds_late > 0} == set(planted.late)
    for student, seconds in planted.late.items():
        assert rows[student].seconds_late == pytest.approx(seconds, abs=1)
        assert rows[student].penalty == pytest.approx(json.loads(
            (course.runs_dir / A / f"{student}.json").read_text())["score"])  # "zero": the whole score
    assert {s for s, r in rows.items() if not r.known} == planted.no_timestamp
    for student in planted.extensions:  # late without the extension, on time with it
        assert rows[student].seconds_late == 0 and rows[student].extension_hours == 48
        assert rows[student].timestamp > instructor_class.DUE.replace(tzinfo=None)
    page = deadlines.render_html(course, [{"assignment": A}])
    unknown = page.split("Lateness unknown")[1]
    assert all(s in unknown for s in planted.no_timestamp)


def test_canvas_and_moodle_files_of_the_class(graded, tmp_path):
    planted, course = graded
    journal = {s: json.loads((course.runs_dir / A / f"{s}.json").read_text())["score"] for s in planted.students}
    roster = lms.read_roster(planted.course / "private" / "roster.csv")
    with Gradebook(course.db_url, course.course_id) as gb:
        plugin = lms.CanvasExportPlugin(to=str(tmp_path / "canvas.csv"), roster=str(planted.course / "private" /
                                                                                 "roster.csv"))
        plugin.export(gb)
        lms.MoodleExportPlugin(to=str(tmp_path / "moodle.csv"), roster=plugin.roster).export(gb)
    canvas = list(csv.reader((tmp_path / "canvas.csv").read_text(encoding="utf-8").splitlines()))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A]
    assert canvas[1][5] == "13" and len(canvas) == 2 + len(planted.students)
    by_id = {row[1]: float(row[5]) for row in canvas[2:]}
    for student, row in roster.items():
        expected = 0.0 if student in planted.late else journal[student]
        assert by_id[row["lms_id"]] == pytest.approx(expected), student
    moodle = list(csv.DictReader((tmp_path / "moodle.csv").read_text(encoding="utf-8").splitlines()))
    assert len(moodle) == len(planted.students) and moodle[0]["First name"].startswith("Étudiant")
    assert {r["ID number"]: float(r[A]) for r in moodle} == by_id
