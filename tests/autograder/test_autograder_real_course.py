"""The real course (source/NN_*): the instructor's solutions, submitted as a student, get exactly the
scores nbgrader autograde gives them (full marks), lesson by lesson. Slow: every lesson imports TensorFlow.
"""

import os
import shutil

import nbformat
import pytest

from autograder.course import Course
from autograder.grade import Grader
from autograder.gradebook import alembic_on_path, scores_in_gradebook
from autograder.pipeline import solved_view
from autograder.sandbox import Limits, Sandbox
from autograder.spec import build_spec

pytestmark = [pytest.mark.slow, pytest.mark.tf,
              pytest.mark.filterwarnings("ignore:.*not in session.*")]  # nbgrader 0.9.6 with SQLAlchemy 2


def _honest_copy(repo, root):
    """A temporary course: the real config and source/, one student "honest" with the source's solutions."""
    (root / "course").mkdir(parents=True)
    shutil.copy(repo / "course" / "nbgrader_config.py", root / "course")
    shutil.copytree(repo / "source", root / "source")
    course = Course(root / "course")
    for assignment in course.assignments():
        for name, path in course.source_notebooks(assignment).items():
            spec = build_spec(course, assignment, name, path)
            nb = solved_view(spec)
            folder = root / "course" / "submitted" / "honest" / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, str(folder / f"{name}.ipynb"))
    return course


def test_real_course_honest_corpus_matches_nbgrader(repo, tmp_path):
    if not Course(repo / "course").assignments():
        pytest.skip("no lesson in source/ yet")
    ours = _honest_copy(repo, tmp_path / "ours")
    theirs_root = tmp_path / "theirs"
    shutil.copytree(tmp_path / "ours", theirs_root)
    theirs = Course(theirs_root / "course")

    box, _ = Sandbox.create(Limits(cell_timeout=300))
    summary = Grader(ours, box, workers=os.cpu_count(), progress=False).run()
    assert summary.ok and summary.graded == len(ours.assignments()), summary.errors

    from nbgrader.apps import NbGraderAPI

    alembic_on_path()
    cwd = os.getcwd()
    os.chdir(theirs.root)
    try:
        api = NbGraderAPI(coursedir=theirs.coursedir, config=theirs.config)
        for assignment in theirs.assignments():
            for step in (api.generate_assignment, lambda a: api.autograde(a, "honest")):
                done = step(assignment)
                assert done["success"], done.get("error") or done.get("log")
    finally:
        os.chdir(cwd)

    for assignment in ours.assignments():
        mine = scores_in_gradebook(ours, assignment)
        reference = scores_in_gradebook(theirs, assignment)
        assert mine == reference, assignment
        full = {c.metadata.nbgrader.grade_id: float(c.metadata.nbgrader.points) for c in
                nbformat.read(str(ours.source_notebooks(assignment)[assignment]), 4).cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
        assert mine["honest"][assignment] == full, assignment
