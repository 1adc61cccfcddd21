"""Step 8, Resume: one small JSON file per graded (assignment, student), written after the gradebook.

``course/autograder-runs/<assignment>/<student>.json`` holds the submission's key (hash of the submitted
files and of the source notebooks) and the decisions. It is written atomically (temporary file, fsync,
``os.replace``) only *after* the gradebook commit, so a run killed at any moment loses at most the
submissions in flight: on the next run their journal entry is missing or has another key and they are
graded again, which rewrites the same gradebook rows (nbgrader's grades are keyed by student, notebook and
cell: a regrade replaces, it never adds), so nothing is lost or counted twice.
"""

import dataclasses
import json
import os
import pathlib
import tempfile


@dataclasses.dataclass(frozen=True)
class JournalRecord:
    """One graded (assignment, student), as stored.

    Attributes:
        key: hash of the submitted files and the sources they answer (same key: already graded).
        notebooks: ``{name: {"cells": {grade_id: CellDecision.to_dict()}, "reason", "fault", "notes",
            "flags", "timings"}}``; each cell keeps the trusted run's check records under ``"records"``.
        score, max_score: totals over the notebooks' cells.
    """

    assignment: str
    student: str
    key: str
    graded_at: str
    notebooks: dict
    score: float
    max_score: float

    def to_dict(self):
        return dataclasses.asdict(self)


class Journal:
    """The results journal under ``runs_dir``."""

    def __init__(self, runs_dir):
        self.root = pathlib.Path(runs_dir)

    def path(self, assignment, student):
        return self.root / assignment / f"{student}.json"

    def load(self, assignment, student):
        """The stored record, or None (missing or unreadable: the submission is graded again)."""
        try:
            return json.loads(self.path(assignment, student).read_text())
        except (OSError, ValueError):
            return None

    def done(self, assignment, student, key):
        record = self.load(assignment, student)
        return record is not None and record.get("key") == key

    def write(self, record):
        """Atomically store a :class:`JournalRecord` (or a dict with "assignment", "student" and "key")."""
        if isinstance(record, JournalRecord):
            record = record.to_dict()
        write_json(self.path(record["assignment"], record["student"]), record)

    def records(self):
        """Every stored record, sorted by assignment then student (skips the trusted-run cache)."""
        found = []
        for path in sorted(self.root.glob("*/*.json")):
            if path.parent.name.startswith("."):
                continue
            try:
                found.append(json.loads(path.read_text()))
            except ValueError:
                continue
        return sorted(found, key=lambda r: (r.get("assignment", ""), r.get("student", "")))


def write_json(target, data):
    """Write JSON atomically: a temporary file in the same folder, fsync, then ``os.replace``."""
    target = pathlib.Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
