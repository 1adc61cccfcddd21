"""Bring a lesson update (a ``git pull`` that changed release/) into the student's working copy.

The student's answers (nbgrader solution cells) and cells they added are kept; the lesson's read-only and
test cells come from the new release. A lesson's other cells (text and demos, which a student may edit to
experiment) take the new version unless the student edited them since they were copied: to know that,
every copy of a release notebook is also kept, untouched, in ``work/.lab/release/`` (the "base"). Before a
notebook is rewritten, the old file is copied to ``work/.backup/``.

    python -m fclab.lab --update      (make update-lessons)
"""

from __future__ import annotations

import copy
import datetime
import pathlib
import shutil
from dataclasses import dataclass

import nbformat

BASE_DIR = pathlib.Path(".lab") / "release"
BACKUP_DIR = pathlib.Path(".backup")


@dataclass(frozen=True)
class CellChange:
    """One cell of the student's notebook that the update changed (or deliberately kept).

    Attributes:
        number: the cell's 1-based position in the updated notebook.
        kind: "test", "read-only", "lesson" (text or demo), "answer" or "yours".
        what: "updated", "added", "removed", "kept".
        note: one sentence for the student.
    """

    number: int
    kind: str
    what: str
    note: str


@dataclass(frozen=True)
class NotebookUpdate:
    """What updating one notebook did. ``backup`` is None when nothing changed."""

    path: pathlib.Path
    changes: tuple
    backup: pathlib.Path | None


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _kind(cell) -> str:
    meta = _nbgrader(cell)
    if meta.get("solution"):
        return "answer"
    if meta.get("grade") and cell.get("cell_type") == "code":
        return "test"
    if meta.get("locked") or meta.get("grade"):
        return "read-only"
    return "lesson"


def _key(cell):
    """What identifies a cell across versions: nbgrader's grade_id, else the cell id."""
    grade_id = _nbgrader(cell).get("grade_id")
    return ("grade_id", grade_id) if grade_id else ("id", cell.get("id"))


def merge_notebook(new, mine, base=None):
    """The new release notebook with the student's answers and own cells put back.

    Args:
        new: the new release notebook (nbformat NotebookNode; not modified).
        mine: the student's working copy (not modified).
        base: the release notebook ``mine`` was copied from, or None when unknown. With a base, a lesson
            cell the student edited is kept; without one, lesson cells take the new version.

    Returns:
        (merged notebook, tuple of :class:`CellChange`).
    """
    mine_by_key = {_key(cell): cell for cell in mine.cells}
    base_by_key = {_key(cell): cell for cell in base.cells} if base is not None else {}
    new_keys = {_key(cell) for cell in new.cells}
    merged, changes = [], []

    def add(cell, kind=None, what=None, note=None):
        merged.append(cell)
        if what:
            changes.append(CellChange(len(merged), kind, what, note))

    # the student's own cells (not in any release) go after the cell they followed
    own_after, previous = {}, None
    for cell in mine.cells:
        key = _key(cell)
        if key not in new_keys and key not in base_by_key and not _nbgrader(cell):
            own_after.setdefault(previous, []).append(cell)
        else:
            previous = key
    for cell in own_after.get(None, []):
        add(copy.deepcopy(cell))

    for new_cell in new.cells:
        key, kind = _key(new_cell), _kind(new_cell)
        old = mine_by_key.get(key)
        cell = copy.deepcopy(new_cell)
        if old is None:
            add(cell, kind, "added", f"new {kind} cell")
        elif kind == "answer":
            cell.source = old.source
            if old.get("cell_type") == "code" and cell.cell_type == "code":
                cell.outputs, cell.execution_count = copy.deepcopy(old.get("outputs", [])), old.get("execution_count")
            add(cell)
        elif old.source == new_cell.source:
            cell = copy.deepcopy(old)
            cell.metadata = copy.deepcopy(new_cell.metadata)
            add(cell)
        elif kind == "lesson" and _edited_by_student(old, base_by_key.get(key)):
            add(copy.deepcopy(old), kind, "kept",
                "you edited this cell, so your version is kept; the lesson's new version is in release/")
        else:
            add(cell, kind, "updated", f"the lesson's new version of this {kind} cell (re-run it)")
        for own in own_after.get(key, []):
            add(copy.deepcopy(own))

    for key, old in mine_by_key.items():
        if key not in new_keys and _nbgrader(old):
            if _kind(old) == "answer":  # never drop an answer: keep it at the end, say so
                add(copy.deepcopy(old), "answer", "kept",
                    "this exercise is no longer in the lesson; your answer is kept here at the end")
            else:
                changes.append(CellChange(0, _kind(old), "removed", "no longer in the lesson"))
    result = copy.deepcopy(new)
    result.cells = merged
    return result, tuple(changes)


def _edited_by_student(old, base_cell) -> bool:
    return base_cell is not None and old.source != base_cell.source


def update_notebook(new_path, work_path, base_path=None, backup_dir=None, stamp=None) -> NotebookUpdate:
    """Merge the release notebook ``new_path`` into the student's ``work_path`` (see :func:`merge_notebook`).

    The old ``work_path`` is first copied into ``backup_dir`` as ``NAME.STAMP.ipynb``; nothing is written
    when the merge changes nothing.
    """
    new = nbformat.read(new_path, as_version=4)
    mine = nbformat.read(work_path, as_version=4)
    base = nbformat.read(base_path, as_version=4) if base_path and pathlib.Path(base_path).exists() else None
    merged, changes = merge_notebook(new, mine, base)
    if not changes and [c.source for c in merged.cells] == [c.source for c in mine.cells]:
        return NotebookUpdate(pathlib.Path(work_path), (), None)
    backup = None
    if backup_dir is not None:
        stamp = stamp or datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = pathlib.Path(backup_dir) / f"{pathlib.Path(work_path).stem}.{stamp}.ipynb"
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(work_path, backup)
    nbformat.write(merged, work_path)
    return NotebookUpdate(pathlib.Path(work_path), changes, backup)


def record_base(release, work, notebook):
    """Keep an untouched copy of ``release/notebook`` as the base of the student's copy."""
    target = pathlib.Path(work) / BASE_DIR / notebook
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(pathlib.Path(release) / notebook, target)


def outdated_notebooks(release, work) -> list[pathlib.Path]:
    """Notebooks (relative paths) whose release version differs from the base the student started from
    (or, with no base kept, whose test or read-only cells differ from the student's copy)."""
    release, work = pathlib.Path(release), pathlib.Path(work)
    found = []
    for new in sorted(release.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in new.parts:
            continue
        relative = new.relative_to(release)
        mine = work / relative
        if not mine.exists():
            continue
        base = work / BASE_DIR / relative
        if base.exists() and base.read_bytes() != new.read_bytes():
            found.append(relative)
        elif not base.exists() and _fixed_cells_differ(new, mine):
            found.append(relative)
    return found


def _fixed_cells_differ(new_path, mine_path) -> bool:
    """True when a test or read-only cell of the release is missing or different in the student's copy."""
    new = nbformat.read(new_path, as_version=4)
    mine = {_key(cell): cell.source for cell in nbformat.read(mine_path, as_version=4).cells}
    return any(mine.get(_key(cell)) != cell.source for cell in new.cells if _kind(cell) in ("test", "read-only"))


def update_working_copy(release, work) -> list[NotebookUpdate]:
    """Update every notebook of ``work`` whose lesson changed in ``release``; return what each update did."""
    release, work = pathlib.Path(release), pathlib.Path(work)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    updates = []
    for relative in outdated_notebooks(release, work):
        update = update_notebook(release / relative, work / relative, work / BASE_DIR / relative,
                                 backup_dir=work / BACKUP_DIR / relative.parent, stamp=stamp)
        record_base(release, work, relative)
        updates.append(update)
    return updates


def describe(updates, work) -> str:
    """What the update did, for the terminal."""
    work = pathlib.Path(work)
    changed = [u for u in updates if u.changes or u.backup]
    if not changed:
        return "Your lessons are up to date: nothing to change."
    lines = []
    for update in changed:
        lines.append(f"{update.path.relative_to(work)}: {len(update.changes)} cell(s) changed; your answers are kept.")
        for change in update.changes:
            where = f"cell {change.number}" if change.number else "a cell"
            lines.append(f"  {where} ({change.kind}): {change.what} — {change.note}")
        if update.backup:
            lines.append(f"  your previous file: {update.backup.relative_to(work)}")
    lines.append("Re-run the changed cells (or Run All) to see the new tests' results.")
    return "\n".join(lines)
