"""Regrade after the instructor changed a test, its points, or a setup cell in ``source/``.

``python -m autograder regrade --course course [--assignment A] [--student S]``:

1. **What changed** (:func:`changes`): each source notebook, as ``generate_assignment`` would record it, is
   compared with the cells nbgrader's gradebook recorded when the assignment was last graded (the source
   of every test and read-only cell, and each test's points). A changed test or its points affects that
   exercise; a changed read-only cell that is not a test (a setup cell) affects every exercise, and the
   output says so. Either way every submission of the assignment runs again: each contains every test.
2. **Grade ids** added, removed or renamed after students submitted cannot be recorded by nbgrader (its
   grades are keyed by grade id): :class:`RegradeRefused` explains the two ways out (see its text).
3. **Regrade**: the affected submissions (or only ``--student``) are graded again by the normal
   :class:`~autograder.grade.Grader` (sandboxed, parallel), which keeps what a person set in formgrader
   (manual scores, comments, extra credit: only ``auto_score`` is written) and recomputes the late
   penalty; the earlier result is kept in the journal record's ``history`` (:func:`carry_history`).
4. **What moved**: one line per student whose score changed, ``before -> after`` and the cells behind it.
"""

import dataclasses

from nbgrader.api import Gradebook, MissingEntry

from autograder.journal import Journal
from autograder.spec import build_spec, gid

PENDING = "regrade-pending"


class RegradeRefused(ValueError):
    """A change nbgrader cannot record for submitted work; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class CellChange:
    """One change of a graded or read-only cell since the assignment was last graded."""

    notebook: str
    grade_id: str
    what: str            # "test changed", "points 2 -> 3", "setup cell changed", "added", "removed"

    @property
    def affects_all(self):
        return self.what == "setup cell changed"


@dataclasses.dataclass(frozen=True)
class ScoreChange:
    """One student's total before and after the regrade, with the cells that moved."""

    assignment: str
    student: str
    before: float | None
    after: float
    cells: tuple         # ((grade_id, before, after), ...)


def _current_cells(spec):
    """``{grade_id: (source, points or None, is_test)}`` of the graded and read-only cells of ``spec``."""
    found = {}
    for cell in spec.cells():
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not gid(cell) or meta.get("solution"):
            continue
        is_test = bool(meta.get("grade"))
        found[gid(cell)] = ("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"],
                            float(meta.get("points", 0)) if is_test else None, is_test)
    return found


def changes(course, assignment, specs=None):
    """``[CellChange]`` between ``source/`` and the gradebook; raises :class:`RegradeRefused` for grade ids."""
    specs = specs or [build_spec(course, assignment, n, p) for n, p in course.source_notebooks(assignment).items()]
    found, renamed = [], []
    with Gradebook(course.db_url, course.course_id) as gb:
        for spec in specs:
            try:
                notebook = gb.find_notebook(spec.name, assignment)
            except MissingEntry:
                continue  # never graded: nothing to compare with
            stored = {c.name: c.source for c in notebook.source_cells}
            points = {c.name: c.max_score for c in notebook.grade_cells}
            submitted = len(notebook.submissions)
            for grade_id, (source, max_points, is_test) in _current_cells(spec).items():
                if grade_id not in stored:
                    renamed.append((spec.name, grade_id, "added", submitted))
                elif is_test and stored[grade_id] != source:
                    found.append(CellChange(spec.name, grade_id, "test changed"))
                elif not is_test and stored[grade_id] != source:
                    found.append(CellChange(spec.name, grade_id, "setup cell changed"))
                if is_test and grade_id in points and points[grade_id] != max_points:
                    found.append(CellChange(spec.name, grade_id, f"points {points[grade_id]:g} -> {max_points:g}"))
            current = _current_cells(spec)
            renamed += [(spec.name, g, "removed", submitted) for g in stored if g not in current and g in points]
    renamed = [r for r in renamed if r[3]]
    if renamed:
        listing = ", ".join(f"{nb}/{g} {what}" for nb, g, what, _ in renamed)
        raise RegradeRefused(
            f"{assignment}: grade id(s) changed after students submitted ({listing}). nbgrader keeps every grade "
            f"under its grade id, so it refuses to add or remove graded cells of a notebook with submissions. "
            f"Either (1) put the old grade id back (you may change the test, its points and the cell's text "
            f"freely; then run regrade again), or (2) start over for this assignment: `make export` to keep "
            f"the current grades, `nbgrader db assignment remove {assignment} --force` from course/ (this deletes "
            f"its grades, manual scores and comments from the gradebook), then `python -m autograder grade` "
            f"regrades every submission from course/submitted/ under the new ids.")
    return found


def recorded(course, assignment):
    """Whether nbgrader's gradebook has ``assignment`` (with its cells) at all."""
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            return bool(gb.find_assignment(assignment).notebooks)
        except MissingEntry:
            return False


def carry_history(previous):
    """The ``history`` list for a new journal record that replaces ``previous`` (None: first grading)."""
    if not previous:
        return []
    past = list(previous.get("history") or [])
    cells = {g: c.get("points") for nb in previous.get("notebooks", {}).values() for g, c in nb["cells"].items()}
    past.append({"graded_at": previous.get("graded_at"), "score": previous.get("score"),
                 "max_score": previous.get("max_score"), "cells": cells})
    return past


def _cells(record):
    return {g: c.get("points") for nb in record["notebooks"].values() for g, c in nb["cells"].items()}


def score_changes(before, journal):
    """``[ScoreChange]`` for every (assignment, student) of ``before`` whose total or cells moved."""
    moved = []
    for (assignment, student), old in sorted(before.items()):
        new = journal.load(assignment, student)
        if new is None:
            continue
        was, now = _cells(old), _cells(new)
        cells = tuple((g, was.get(g), now[g]) for g in now if was.get(g) != now[g])
        if cells or old.get("score") != new.get("score"):
            moved.append(ScoreChange(assignment, student, old.get("score"), new["score"], cells))
    return moved


def plan(course, assignments=None, students=None):
    """``(targets, notes)``: the (assignment, student) pairs to regrade and what to tell the instructor."""
    journal = Journal(course.runs_dir)
    records = [r for r in journal.records() if (not assignments or r["assignment"] in assignments)
               and (not students or r["student"] in students)]
    notes, targets = [], []
    for assignment in sorted({r["assignment"] for r in records}):
        if not recorded(course, assignment):
            notes.append(f"{assignment}: not in the gradebook {course.db_url}; grade it first "
                         f"(python -m autograder grade), there is nothing to compare source/ with")
            continue
        found = changes(course, assignment)
        rows = [r for r in records if r["assignment"] == assignment]
        if found:
            for change in found:
                notes.append(f"{assignment}/{change.notebook}: {change.grade_id}: {change.what}")
            if any(c.affects_all for c in found):
                notes.append(f"{assignment}: a setup cell changed, so every exercise of every submission is affected")
            notes.append(f"{assignment}: regrading {len(rows)} submission(s) (each one contains the changed cells)")
        elif students:
            notes.append(f"{assignment}: nothing changed in source/; regrading {len(rows)} submission(s) as asked")
        else:
            notes.append(f"{assignment}: nothing changed in source/ since it was graded; not regraded "
                         f"(pass --student to regrade one student anyway)")
            continue
        targets += [(assignment, r["student"]) for r in rows]
    return targets, notes


def regrade(course, grader, assignments=None, students=None, say=print):
    """Plan, force the targets to be graded again, run ``grader``; returns ``[ScoreChange]``."""
    targets, notes = plan(course, assignments, students)
    for note in notes:
        say(note)
    if not targets:
        return []
    journal = Journal(course.runs_dir)
    before = {}
    for assignment, student in targets:
        record = journal.load(assignment, student)
        before[(assignment, student)] = dict(record)
        journal.write(dict(record, key=PENDING))  # graded again even when the files did not change
    grader.run(sorted({a for a, _ in targets}), sorted({s for _, s in targets}))
    return score_changes(before, journal)


def describe(change):
    """One line for the terminal: ``alice 01_xw_plus_b: 9 -> 11 (ex3_dense_forward_test 0 -> 2)``."""
    cells = ", ".join(f"{g} {_fmt(b)} -> {_fmt(a)}" for g, b, a in change.cells)
    return f"{change.student} {change.assignment}: {_fmt(change.before)} -> {_fmt(change.after)}" + (
        f" ({cells})" if cells else "")


def _fmt(value):
    return "none" if value is None else f"{value:g}"
