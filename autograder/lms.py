"""Grades for an LMS gradebook, as nbgrader ``ExportPlugin`` s: Canvas and Moodle CSV imports.

Run from the course root, like every nbgrader command (``make export-canvas`` / ``make export-moodle``)::

    nbgrader export --exporter=autograder.lms.CanvasExportPlugin
    nbgrader export --exporter=autograder.lms.MoodleExportPlugin --to private/moodle.csv

The numbers are nbgrader's, read from the gradebook formgrader shows: per assignment, the submission's
score minus its late penalty (as nbgrader's own ``CsvExportPlugin``), one row per student, one column
per assignment, points with ``.`` as decimal mark, UTF-8.

**Roster** (``c.LmsExportPlugin.roster``, default ``private/roster.csv``; ``course/private`` is
git-ignored): a UTF-8 CSV the instructor writes or exports from the LMS, with a header row and the columns
``student`` (the nbgrader student id) and ``lms_id`` (the LMS's id: Canvas's numeric user ``ID``, Moodle's
``ID number``), optionally ``name``, ``first_name``, ``last_name``, ``email``, ``sis_user_id``, ``sis_login``,
``section``. An export **refuses** (nothing is written; the message lists who) when a roster student has
no grade for an exported assignment (no submission, or a cell still waiting for a manual grade) or a
graded student is not on the roster. ``c.LmsExportPlugin.missing_as_zero = True`` exports 0 for roster
students with no submission at all, when that is what you mean.

**Canvas** layout: Canvas Instructor Guide, "How do I import grades in the Gradebook?"
(community.canvaslms.com, Instructor Guide, Gradebook) and the layout of Canvas's own gradebook export,
which the import reads back: header ``Student,ID,SIS User ID,SIS Login ID,Section,<assignment>...``; the
second row is ``Points Possible`` with the assignment's maximum under each assignment (the other cells
empty); then one row per student. An assignment column headed ``Name (1234)`` updates Canvas assignment
1234; a header without an id creates a new assignment on import. Give the ids with
``c.CanvasExportPlugin.assignment_ids = {"01_xw_plus_b": 1234}``.

**Moodle** layout: Moodle docs, "Grade import" (docs.moodle.org, Grades, CSV import) and
``grade/import/csv/classes/load_data.php`` (``map_user_data_with_value``: a user is identified by
``userid``, ``username``, ``useridnumber`` or ``useremail``); the columns follow Moodle's own plain-text
grade export: ``First name,Last name,ID number,Email address,<assignment>...``. On import choose
"Map from: ID number" -> "Map to: ID number" (or Email address) and map each assignment column to its
grade item.
"""

import csv
import io
import os

from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Bool, Dict, Unicode

from autograder import csvsafe

ROSTER_REQUIRED = ("student", "lms_id")


class ExportRefused(ValueError):
    """The export would be wrong or incomplete; the message says who and what to do."""


def read_roster(path):
    """``{student: row}`` from the roster CSV (see module docstring)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise ExportRefused(f"no roster at {os.path.abspath(path)}: write a CSV with the columns "
                            f"{', '.join(ROSTER_REQUIRED)} (one row per student; see autograder/lms.py) or set "
                            f"c.LmsExportPlugin.roster") from None
    missing = [c for c in ROSTER_REQUIRED if rows and c not in rows[0]]
    if not rows or missing:
        raise ExportRefused(f"roster {path} has no rows or lacks the column(s) {', '.join(missing)}: expected a "
                            f"header row with at least {', '.join(ROSTER_REQUIRED)}")
    return {row["student"].strip(): {k: (v or "").strip() for k, v in row.items() if k} for row in rows}


def collect(gradebook, roster, assignments=(), students=(), missing_as_zero=False):
    """``(assignments, points)``: ``[(name, max_score)]`` and ``{student: {assignment: points}}``.

    Raises :class:`ExportRefused` when a roster student has no grade, or a graded student is not on the roster.
    """
    chosen = [a for a in gradebook.assignments if not assignments or a.name in assignments]
    chosen.sort(key=lambda a: a.name)
    points, no_grade, unknown = {}, [], set()
    for assignment in chosen:
        for submission in assignment.submissions:
            if submission.student.id not in roster:
                unknown.add(submission.student.id)
    for student in sorted(roster):
        if students and student not in students:
            continue
        points[student] = {}
        for assignment in chosen:
            try:
                submission = gradebook.find_submission(assignment.name, student)
            except MissingEntry:
                if missing_as_zero:
                    points[student][assignment.name] = 0.0
                else:
                    no_grade.append(f"{student} ({assignment.name}: no submission)")
                continue
            if submission.needs_manual_grade:
                no_grade.append(f"{student} ({assignment.name}: waiting for a manual grade in formgrader)")
                continue
            penalty = submission.late_submission_penalty or 0.0
            points[student][assignment.name] = max(0.0, submission.score - penalty)
    problems = []
    if no_grade:
        problems.append(f"{len(no_grade)} roster student(s) have no grade: {', '.join(no_grade)}. Grade them "
                        f"(python -m autograder grade, formgrader), or export 0 for missing work with "
                        f"--LmsExportPlugin.missing_as_zero=True")
    if unknown:
        problems.append(f"{len(unknown)} graded student(s) are not on the roster: {', '.join(sorted(unknown))}. "
                        f"Add them with their LMS id, or remove their submissions from the gradebook")
    if problems:
        raise ExportRefused("; ".join(problems) + ". Nothing was written.")
    return [(a.name, a.max_score) for a in chosen], points


def _number(value):
    return f"{value:.4f}".rstrip("0").rstrip(".")


class LmsExportPlugin(ExportPlugin):
    """Shared part of the LMS exporters: the roster, the checks, writing UTF-8 CSV."""

    roster = Unicode("private/roster.csv",
                     help="roster CSV: student, lms_id, ... (see autograder.lms)").tag(config=True)
    missing_as_zero = Bool(False, help="export 0 for roster students with no submission").tag(config=True)
    default_to = "private/grades.csv"

    def rows(self, assignments, points, roster):
        raise NotImplementedError

    def export(self, gradebook):
        dest = self.to or self.default_to
        roster = read_roster(self.roster)
        try:
            assignments, points = collect(gradebook, roster, [str(a) for a in self.assignment],
                                          [str(s) for s in self.student], self.missing_as_zero)
        except ExportRefused as exc:
            self.log.error("%s", exc)
            raise SystemExit(f"export refused: {exc}") from None
        buffer = io.StringIO()
        csvsafe.writer(buffer, lineterminator="\n").writerows(self.rows(assignments, points, roster))  # no formulas
        os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
        with open(dest, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
        self.log.info("Wrote %d student(s) x %d assignment(s) to %s", len(points), len(assignments), dest)


class CanvasExportPlugin(LmsExportPlugin):
    """Canvas gradebook import CSV (layout in the module docstring)."""

    assignment_ids = Dict(
        help="{nbgrader assignment: Canvas assignment id}, to update existing columns").tag(config=True)
    default_to = "private/canvas_grades.csv"
    HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")

    def rows(self, assignments, points, roster):
        titles = [f"{name} ({self.assignment_ids[name]})" if name in self.assignment_ids else name
                  for name, _ in assignments]
        out = [list(self.HEADER) + titles, ["Points Possible", "", "", "", ""] + [_number(m) for _, m in assignments]]
        for student in sorted(points, key=lambda s: (roster[s].get("name") or roster[s].get("last_name") or s, s)):
            r = roster[student]
            name = r.get("name") or ", ".join(x for x in (r.get("last_name"), r.get("first_name")) if x) or student
            out.append([name, r["lms_id"], r.get("sis_user_id", ""), r.get("sis_login", ""), r.get("section", "")]
                       + [_number(points[student][a]) if a in points[student] else "" for a, _ in assignments])
        return out


class MoodleExportPlugin(LmsExportPlugin):
    """Moodle CSV grade import (layout in the module docstring)."""

    default_to = "private/moodle_grades.csv"
    HEADER = ("First name", "Last name", "ID number", "Email address")

    def rows(self, assignments, points, roster):
        out = [list(self.HEADER) + [name for name, _ in assignments]]
        def order(s):
            return roster[s].get("last_name", ""), roster[s].get("first_name", ""), s

        for student in sorted(points, key=order):
            r = roster[student]
            out.append([r.get("first_name", ""), r.get("last_name", ""), r["lms_id"], r.get("email", "")]
                       + [_number(points[student][a]) if a in points[student] else "" for a, _ in assignments])
        return out
