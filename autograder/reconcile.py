"""Does the gradebook still hold what the autograder decided? A check, never a repair.

The journal (:mod:`autograder.journal`) records the points the engine decided for each test cell, and
``grade`` skips a submission whose journal entry matches the files submitted. Anything that writes the
gradebook afterwards (a plain ``nbgrader autograde``, a restored backup) makes the two disagree, and
``grades.csv``/``report.html`` (which read the journal) would then silently differ from formgrader and
``nbgrader export``. :func:`disagreements` finds those submissions cell by cell; ``grade`` and ``report``
print :func:`messages`, each naming the command that makes the gradebook right again.

Points set by hand in formgrader are manual scores, not auto scores: they are never compared.
"""

import dataclasses
import pathlib

from autograder import gradebook
from autograder.journal import Journal

TOLERANCE = 1e-9


@dataclasses.dataclass(frozen=True)
class Disagreement:
    """One test cell whose auto score in the gradebook is not the journal's (None: not in the gradebook)."""

    assignment: str
    student: str
    notebook: str
    grade_id: str
    journal: float
    gradebook: float = None


def _has_gradebook(course):
    url = course.db_url or ""
    if url.startswith("sqlite:///"):
        return pathlib.Path(url[len("sqlite:///"):]).is_file()
    return bool(url)


def disagreements(course, records=None):
    """``[Disagreement]`` for every journaled test cell whose gradebook auto score differs (sorted)."""
    if not _has_gradebook(course):
        return []
    records = Journal(course.runs_dir).records() if records is None else records
    found, tables = [], {}
    for record in records:
        assignment, student = record["assignment"], record["student"]
        if assignment not in tables:
            tables[assignment] = gradebook.scores_in_gradebook(course, assignment)
        stored = tables[assignment].get(student, {})
        for notebook, data in record["notebooks"].items():
            for grade_id, cell in data["cells"].items():
                if cell["points"] is None:  # graded by hand: formgrader owns it
                    continue
                value = stored.get(notebook, {}).get(grade_id)
                if value is None or abs(value - cell["points"]) > TOLERANCE:
                    found.append(Disagreement(assignment, student, notebook, grade_id, cell["points"], value))
    return sorted(found, key=lambda d: (d.assignment, d.student, d.notebook, d.grade_id))


def by_submission(found):
    """``{(assignment, student): [Disagreement]}`` in order."""
    grouped = {}
    for item in found:
        grouped.setdefault((item.assignment, item.student), []).append(item)
    return grouped


def fix_command(course, assignment, student):
    """What makes the gradebook agree again: forget the journal entry, then grade that submission."""
    entry = Journal(course.runs_dir).path(assignment, student)
    return (f"rm {entry} && python -m autograder grade --course {course.root} --assignment {assignment} "
            f"--student {student}")


def messages(course, records=None):
    """One sentence per submission whose gradebook disagrees with the journal (empty when all agree)."""
    lines = []
    for (assignment, student), cells in by_submission(disagreements(course, records)).items():
        shown = ", ".join(f"{d.notebook}/{d.grade_id}: gradebook "
                          f"{'missing' if d.gradebook is None else f'{d.gradebook:g}'}, autograder {d.journal:g}"
                          for d in cells[:4]) + (f" and {len(cells) - 4} more" if len(cells) > 4 else "")
        lines.append(f"{assignment}/{student}: the gradebook no longer holds the autograder's points ({shown}); "
                     f"something wrote it afterwards (a plain `nbgrader autograde`?), so grades.csv and "
                     f"report.html disagree with formgrader. To grade it again with the autograder: "
                     f"{fix_command(course, assignment, student)}")
    return lines
