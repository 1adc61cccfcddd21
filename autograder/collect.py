"""``python -m autograder collect FOLDER --course DIR``: file an LMS download into ``submitted/``.

Accepted layouts (as learning-management systems export them):

- ``STUDENT_ASSIGNMENT.ipynb`` (also ``STUDENT - ASSIGNMENT.ipynb``, ``STUDENT_ASSIGNMENT (1).ipynb``):
  ASSIGNMENT must be one of the course's assignment ids; the longest one that ends the name wins, so
  student ids may contain underscores;
- ``STUDENT/ASSIGNMENT/<anything>.ipynb`` (one notebook per folder).

Each file goes to ``submitted/<student>/<assignment>/<assignment>.ipynb``. Nothing is overwritten
silently: an identical file is reported "unchanged", a different one is reported and kept as it was unless
``--update`` is given. Every file that is skipped gets a line saying why and what name was expected.
"""

import dataclasses
import pathlib
import re
import shutil

from autograder.ids import student_id_problem

COPY_SUFFIX = re.compile(r"\s*\(\d+\)$")
SEPARATORS = re.compile(r"\s*(?:_|-|\s)\s*$")


@dataclasses.dataclass
class Filed:
    """What happened to one input file: status is new, updated, unchanged, differs, skipped (a problem to
    look at) or ignored (a hidden file, e.g. ``.DS_Store``)."""

    source: str
    status: str
    message: str


def parse_name(stem, assignments):
    """``(student, assignment)`` from a file stem like ``jdoe_01_xw_plus_b``, or None."""
    stem = COPY_SUFFIX.sub("", stem.strip())
    for assignment in sorted(assignments, key=len, reverse=True):
        if stem.endswith(assignment) and len(stem) > len(assignment):
            student = SEPARATORS.sub("", stem[: -len(assignment)])
            if student and stem[: -len(assignment)] != student:
                return student, assignment
    return None


def collect(folder, course, update=False):
    """File every notebook under ``folder``; returns ``[Filed]`` (one per input file, in order)."""
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder: expected the unpacked LMS download")
    assignments = course.assignments()
    if not assignments:
        raise ValueError(f"the course at {course.root} has no assignment in {course.source_dir('.')}")
    expected = (f"expected STUDENT_ASSIGNMENT.ipynb or STUDENT/ASSIGNMENT/NAME.ipynb, ASSIGNMENT one of "
                f"{', '.join(assignments)}")
    report, targets = [], {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        hidden = next((part for part in rel.parts if part.startswith(".")), None)
        if hidden is not None:
            what = "a hidden file" if hidden == rel.name else f"inside the hidden folder {hidden!r}"
            report.append(Filed(str(rel), "ignored", f"{what} (name starts with '.'): LMS and system files "
                                                     f"are not submissions; rename it if it is one"))
            continue
        if path.suffix.lower() != ".ipynb":
            report.append(Filed(str(rel), "skipped", f"not a notebook (.ipynb): {expected}"))
            continue
        parsed = _from_folders(rel, assignments) or parse_name(path.stem, assignments)
        if parsed is None:
            report.append(Filed(str(rel), "skipped", f"cannot tell student and assignment from the name: {expected}"))
            continue
        student, assignment = parsed
        problem = student_id_problem(student)
        if problem:
            report.append(Filed(str(rel), "skipped", f"{problem}; rename the file"))
            continue
        if (student, assignment) in targets:
            report.append(Filed(str(rel), "skipped", f"a second notebook for {student}/{assignment} (first: "
                                                     f"{targets[(student, assignment)]}); file one by hand"))
            continue
        targets[(student, assignment)] = str(rel)
        report.append(_file(path, course.submitted_dir(student, assignment) / f"{assignment}.ipynb", str(rel), update))
    return report


def _from_folders(rel, assignments):
    if len(rel.parts) == 3 and rel.parts[1] in assignments:
        return rel.parts[0], rel.parts[1]
    return None


def _file(path, target, label, update):
    new = path.read_bytes()
    if target.exists():
        old = target.read_bytes()
        if old == new:
            return Filed(label, "unchanged", f"already collected as {target} (identical)")
        if not update:
            return Filed(label, "differs", f"{target} exists with different content ({len(old)} bytes, new file "
                                           f"{len(new)} bytes): kept the old one; rerun with --update to replace it")
        shutil.copy2(path, target)
        return Filed(label, "updated", f"replaced {target} ({len(old)} -> {len(new)} bytes)")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    return Filed(label, "new", f"filed as {target}")
