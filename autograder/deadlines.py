"""Deadlines with nbgrader's own machinery: ``Assignment.duedate``, per-student extensions, late penalties.

Everything lives in nbgrader's gradebook, so formgrader shows the due date, the extension and the late
penalty, and ``nbgrader export`` and the LMS exporters (:mod:`autograder.lms`) subtract the penalty:

- the due date is ``Assignment.duedate`` and an extension is ``SubmittedAssignment.extension`` (a
  submission's due date is the assignment's plus its extension);
- lateness is nbgrader's ``SubmittedAssignment.total_seconds_late``: the submission's ``timestamp.txt``
  (written by ``nbgrader submit``/``collect``, read by ``Course.timestamp``) minus that due date;
- the penalty is computed by nbgrader's ``AssignLatePenalties`` with the course's ``LateSubmissionPlugin``
  (``c.LateSubmissionPlugin.penalty_method = "zero"``, or ``c.AssignLatePenalties.plugin_class`` for your
  own); the default plugin gives no penalty at all.

A submission without ``timestamp.txt`` has an unknown time: nbgrader stores no timestamp, so it is never
late and gets no penalty; the report lists it under "lateness unknown" for a person to check.

Set them with one command (``python -m autograder deadline``) or in ``nbgrader_config.py``::

    c.Deadlines.duedates = {"01_xw_plus_b": "2026-12-01 23:59:00 Europe/Berlin"}
    c.Deadlines.extensions = {"01_xw_plus_b": {"alice": 48}}   # hours

The config is applied by ``python -m autograder grade`` after each saved submission (and by
``python -m autograder deadline --course course`` with no other option).
"""

import dataclasses
import datetime
import html

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import AssignLatePenalties
from nbgrader.utils import parse_utc
from traitlets import Dict
from traitlets.config import LoggingConfigurable


class Deadlines(LoggingConfigurable):
    """The course config's deadlines (see module docstring)."""

    duedates = Dict(help="{assignment: due date}, any format nbgrader's parse_utc reads").tag(config=True)
    extensions = Dict(help="{assignment: {student: hours}} of extra time").tag(config=True)


@dataclasses.dataclass(frozen=True)
class Lateness:
    """One submission's timing as the gradebook has it (times in UTC, naive like nbgrader's)."""

    student: str
    timestamp: datetime.datetime | None
    duedate: datetime.datetime | None      # including the extension
    extension_hours: float
    seconds_late: float
    penalty: float

    @property
    def known(self):
        return self.timestamp is not None


def _db(course):
    from autograder.gradebook import alembic_on_path

    alembic_on_path()
    return Gradebook(course.db_url, course.course_id)


def set_duedate(course, assignment, when):
    """Store ``when`` (text or datetime; None clears it) as the assignment's due date; recompute penalties."""
    due = parse_utc(when) if when is not None else None
    with _db(course) as gb:
        gb.update_or_create_assignment(assignment, duedate=due)
    return recompute(course, assignment)


def set_extension(course, assignment, student, hours):
    """Give ``student`` ``hours`` more for ``assignment`` (their submission must be in the gradebook)."""
    with _db(course) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            raise ValueError(
                f"{student} has no graded submission of {assignment} yet, so nbgrader has nowhere to keep the "
                f"extension; add it to c.Deadlines.extensions in nbgrader_config.py (applied when the submission "
                f"is graded) or run this again after grading") from None
        submission.extension = datetime.timedelta(hours=hours) if hours else None
        gb.db.commit()
    return recompute(course, assignment, [student])


def recompute(course, assignment, students=None):
    """Run nbgrader's AssignLatePenalties on every saved notebook of ``assignment``; returns [Lateness]."""
    with _db(course) as gb:
        try:
            submissions = [(s.student.id, [n.name for n in s.notebooks])
                           for s in gb.find_assignment(assignment).submissions]
        except MissingEntry:
            raise ValueError(f"no assignment {assignment!r} in the gradebook {course.db_url}; grade it first "
                             f"(python -m autograder grade) or check the name") from None
    for student, notebooks in submissions:
        if students and student not in students:
            continue
        for name in notebooks:
            resources = {"nbgrader": {"assignment": assignment, "notebook": name, "student": student,
                                      "db_url": course.db_url}}
            AssignLatePenalties(config=course.config).preprocess(nbformat.v4.new_notebook(), resources)
    return lateness(course, assignment)


def apply_config(course, assignment, students=None):
    """Bring the gradebook in line with ``c.Deadlines`` for ``assignment`` (and these students)."""
    config = Deadlines(config=course.config)
    due = config.duedates.get(assignment)
    hours = config.extensions.get(assignment, {})
    if due is None and not hours:
        return
    with _db(course) as gb:
        if due is not None:
            gb.update_or_create_assignment(assignment, duedate=parse_utc(due))
        for student, extra in hours.items():
            if students and student not in students:
                continue
            try:
                gb.find_submission(assignment, student).extension = datetime.timedelta(hours=extra)
            except MissingEntry:
                continue  # applied when this student's submission is saved
        gb.db.commit()
    recompute(course, assignment, students)


def lateness(course, assignment):
    """:class:`Lateness` of every submission of ``assignment`` in the gradebook, sorted by student."""
    rows = []
    with _db(course) as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            return []
        for s in submissions:
            extension = s.extension.total_seconds() / 3600 if s.extension else 0.0
            penalty = sum(n.late_submission_penalty or 0.0 for n in s.notebooks)
            rows.append(Lateness(s.student.id, s.timestamp, s.duedate, extension, s.total_seconds_late, penalty))
    return sorted(rows, key=lambda r: r.student)


def render_html(course, records):
    """The report's lateness section: late submissions, and submissions whose time is unknown."""
    parts = []
    for assignment in sorted({r["assignment"] for r in records}):
        try:
            rows = lateness(course, assignment)
        except Exception as exc:  # noqa: BLE001  a report without a gradebook still shows everything else
            parts.append(f"<p>Lateness of {html.escape(assignment)} unavailable: {html.escape(str(exc))}</p>")
            continue
        late = [r for r in rows if r.seconds_late > 0]
        unknown = [r for r in rows if not r.known]
        if not late and not unknown:
            continue
        body = "".join(f"<tr><td>{html.escape(r.student)}</td><td>{r.timestamp:%Y-%m-%d %H:%M} UTC</td>"
                       f"<td>{r.duedate:%Y-%m-%d %H:%M} UTC</td><td>{r.extension_hours:g}</td>"
                       f"<td>{r.seconds_late / 3600:.1f}</td><td>{r.penalty:g}</td></tr>" for r in late)
        parts.append(f"<h3>{html.escape(assignment)}: late submissions</h3><table><tr><th>student</th>"
                     f"<th>submitted</th><th>due (with extension)</th><th>extension (h)</th><th>hours late</th>"
                     f"<th>penalty (points)</th></tr>{body}</table>" if late else "")
        if unknown:
            parts.append(f"<p><b>Lateness unknown</b> (no timestamp.txt; no penalty was applied, check by hand): "
                         f"{html.escape(', '.join(r.student for r in unknown))}</p>")
    return ("<h2>Deadlines</h2>" + "".join(parts)) if parts else ""
