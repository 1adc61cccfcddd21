"""The instructor's whole nbgrader cycle on a temporary copy of the course: generate, collect a corpus of
submissions, autograde, feedback, export — the scores equal the expected table exactly, and no feedback
file shows a hidden test."""

import csv
import html
import re

import nbformat
import pytest

from course import HIDDEN, REPO, copy_course, lesson_names, nbgrader, secret_lines, student_versions

pytestmark = [pytest.mark.tf, pytest.mark.slow]


def _visible_text(html_text):
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


@pytest.mark.parametrize("name", lesson_names() or ["(none)"])
def test_nbgrader_cycle_scores_and_feedback(name, tmp_path):
    course = copy_course(tmp_path)
    nbgrader(course, "generate_assignment", name, "--force")
    corpus = student_versions(name)
    for student, (nb, _) in corpus.items():
        target = course / "submitted" / student / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)

    nbgrader(course, "autograde", name, "--create")
    nbgrader(course, "generate_feedback", name)
    nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))

    with open(tmp_path / "grades.csv") as handle:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle) if row["assignment"] == name}
    expected = {student: float(score) for student, (_, score) in corpus.items()}
    assert rows == expected, f"{name}: nbgrader scores {rows} differ from the expected table {expected}"

    secrets = secret_lines(REPO / "source" / name / f"{name}.ipynb", regions=(HIDDEN,))
    for student in corpus:
        feedback = course / "feedback" / student / name / f"{name}.html"
        assert feedback.exists(), f"no feedback generated for {student} at {feedback}"
        text = _visible_text(feedback.read_text())
        leaked = sorted(secrets & {line.strip() for line in text.splitlines()})
        assert not leaked, f"feedback for {student} on {name} shows hidden tests: {leaked[:5]}"
        assert "BEGIN HIDDEN TESTS" not in text
