"""The real course (source/NN_*) through the trusted runner: the instructor's solutions, submitted as a
student, get full marks in every test cell, and the blank release gets zero, lesson by lesson. Slow: every
lesson imports TensorFlow.

These are the scores ``nbgrader autograde`` gives the same two notebooks: the nbgrader cycle
(tests/nbgrader/test_cycle.py) grades the release answered with the source's solutions ("complete") and the
blank release with nbgrader itself and finds exactly full marks and zero, so parity holds without grading
them twice (tests/bench/bench_autograder.py compares the two engines side by side on 20 submissions).
"""

import os
import shutil

import nbformat
import pytest

from autograder.course import Course
from autograder.grade import Grader
from autograder.gradebook import scores_in_gradebook
from autograder.pipeline import release_view, solved_view
from autograder.sandbox import Limits, Sandbox
from autograder.spec import build_spec

pytestmark = [pytest.mark.slow, pytest.mark.tf,
              pytest.mark.filterwarnings("ignore:.*not in session.*")]  # nbgrader 0.9.6 with SQLAlchemy 2


def _course_with_two_students(repo, root):
    """A temporary course: the real config and source/; "honest" hands in the source's solutions, "blank"
    the release as handed out."""
    (root / "course").mkdir(parents=True)
    shutil.copy(repo / "course" / "nbgrader_config.py", root / "course")
    shutil.copytree(repo / "source", root / "source")
    course = Course(root / "course")
    for assignment in course.assignments():
        for name, path in course.source_notebooks(assignment).items():
            spec = build_spec(course, assignment, name, path)
            for student, nb in (("honest", solved_view(spec)), ("blank", release_view(spec))):
                folder = root / "course" / "submitted" / student / assignment
                folder.mkdir(parents=True)
                nbformat.write(nb, str(folder / f"{name}.ipynb"))
    return course


def test_real_course_solutions_get_full_marks_and_blank_gets_zero(repo, tmp_path):
    if not Course(repo / "course").assignments():
        pytest.skip("no lesson in source/ yet")
    course = _course_with_two_students(repo, tmp_path)
    box, _ = Sandbox.create(Limits(cell_timeout=300))
    summary = Grader(course, box, workers=os.cpu_count(), progress=False).run()
    assert summary.ok and summary.graded == 2 * len(course.assignments()), summary.errors

    for assignment in course.assignments():
        scores = scores_in_gradebook(course, assignment)
        full = {c.metadata.nbgrader.grade_id: float(c.metadata.nbgrader.points) for c in
                nbformat.read(str(course.source_notebooks(assignment)[assignment]), 4).cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
        assert scores["honest"][assignment] == full, assignment
        assert scores["blank"][assignment] == {grade_id: 0.0 for grade_id in full}, assignment
