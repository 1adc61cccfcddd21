"""Step 6, Save: write nbgrader's gradebook the way ``nbgrader autograde`` does, from the main process only.

Reuses nbgrader's machinery so formgrader, ``nbgrader generate_feedback`` and ``nbgrader export`` keep
working: the assignment is created like ``generate_assignment`` does (``update_or_create_assignment`` +
nbgrader's ``SaveCells`` on the template), the executed notebook goes to ``autograded/<student>/<a>/``
with the other files nbgrader copies there, and grades are stored by nbgrader's ``SaveAutoGrades``
(subclassed only to take each test cell's ``auto_score`` from the engine's decision) followed by
``AssignLatePenalties``. Workers never touch the database: the main process saves one result at a time.
"""

import copy
import os
import shutil
import sys
import warnings

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades, SaveCells
from traitlets import Dict

from autograder.spec import gid


class SaveEngineGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, with ``scores[grade_id]`` as the auto_score of the engine's cells."""

    scores = Dict()

    def _add_score(self, cell, resources):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id not in self.scores:
            return super()._add_score(cell, resources)
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id, self.student_id)
        grade.auto_score = self.scores[grade_id]
        # as SaveAutoGrades: a grade a person already set is flagged for review, never overwritten
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
        return None


def alembic_on_path():
    """nbgrader creates a new gradebook by running the ``alembic`` command: make the venv's one findable."""
    bindir = os.path.dirname(sys.executable)
    if not shutil.which("alembic") and os.path.exists(os.path.join(bindir, "alembic")):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def _resources(course, assignment, notebook, student=None):
    info = {"assignment": assignment, "notebook": notebook, "db_url": course.db_url}
    if student is not None:
        info["student"] = student
    return {"nbgrader": info, "metadata": {"path": str(course.source_dir(assignment))}}


def ensure_assignment(course, specs):
    """Create/update the assignment and its notebooks' cells in the gradebook (like generate_assignment)."""
    if not specs:
        return
    assignment = specs[0].assignment
    alembic_on_path()
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.update_or_create_assignment(assignment)
    for spec in specs:
        template = nbformat.from_dict(copy.deepcopy(spec.template))
        try:
            SaveCells(config=course.config).preprocess(template, _resources(course, assignment, spec.name))
        except RuntimeError as exc:
            raise RuntimeError(
                f"cannot record {assignment}/{spec.name} in the gradebook: {exc}. The source notebook's graded "
                f"cells changed after students submitted; restore them or start a new assignment") from exc


def save(course, submission, notebooks, timestamp=None):
    """Store one student's assignment: ``notebooks`` is ``{name: (executed NotebookNode or None, scores)}``.

    ``scores`` maps every grade_id of the notebook to the engine's points; a notebook that is None (missing
    or unreadable) still gets its grades (all 0) so nothing is left at "needs manual grade" silently.
    """
    with warnings.catch_warnings():
        # nbgrader's update_or_create_submission trips SQLAlchemy 2's autoflush warning; harmless
        warnings.filterwarnings("ignore", message=".*not in session.*")
        _save(course, submission, notebooks, timestamp)


def _save(course, submission, notebooks, timestamp):
    dest = course.autograded_dir(submission.student, submission.assignment)
    _copy_files(course, submission, dest)
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.update_or_create_student(submission.student)
        if timestamp is not None:
            gb.update_or_create_submission(submission.assignment, submission.student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(submission.assignment, submission.student)
    for name, (executed, scores) in notebooks.items():
        executed = nbformat.from_dict(copy.deepcopy(executed))
        nbformat.write(executed, str(dest / f"{name}.ipynb"))
        resources = _resources(course, submission.assignment, name, submission.student)
        saver = SaveEngineGrades(config=course.config, scores=scores)
        saver.preprocess(executed, resources)
        AssignLatePenalties(config=course.config).preprocess(executed, resources)
        _zero_missing(course, submission, name, executed, scores)


def _zero_missing(course, submission, name, executed, scores):
    """Grades of cells absent from ``executed`` (never, since cells are rebuilt; kept as a safety net)."""
    present = {gid(c) for c in executed.cells if gid(c)}
    with Gradebook(course.db_url, course.course_id) as gb:
        notebook = gb.find_submission_notebook(name, submission.assignment, submission.student)
        for grade in notebook.grades:
            if grade.name not in present and grade.auto_score is None:
                grade.auto_score = scores.get(grade.name, 0.0)
                grade.needs_manual_grade = False
        gb.db.commit()


def _copy_files(course, submission, dest):
    """What nbgrader autograde copies next to the notebook: the student's other files, then the source's."""
    dest.mkdir(parents=True, exist_ok=True)
    for folder in (submission.folder,):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix != ".ipynb":
                target = dest / path.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
    for rel, path in course.support_files(submission.assignment).items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)


def scores_in_gradebook(course, assignment):
    """``{student: {notebook: {grade_id: auto_score}}}`` as stored (for tests and the report)."""
    table = {}
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            return table
        for submission in submissions:
            for nb in submission.notebooks:
                table.setdefault(submission.student.id, {})[nb.name] = {
                    g.name: g.auto_score for g in nb.grades}
    return table
