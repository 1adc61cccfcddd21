"""Step 2, Rebuild: the notebook that is graded is the source's cell list, not the student's.

Every test cell, read-only cell and demo cell comes from the source (a deleted, edited, duplicated, moved
or metadata-stripped test cell changes nothing); only solution cells take the student's content, and
cells the student added (scratch work, a helper function) are kept where the student put them, as
``nbgrader autograde`` would run them. Student cells are matched to source cells by, in order:

1. nbgrader ``grade_id`` in the cell metadata;
2. the cell ``id`` (JupyterLab keeps it when metadata is stripped);
3. identical source (an untouched demo or locked cell);
4. for solution cells still unmatched: the most similar student code cell between the neighbouring
   matched cells (difflib ratio against the released stub), or the only code cell there.

A solution cell nothing matches is graded as the released stub (so its tests fail) with a note; the
submission never lands silently on "needs manual grade". Every decision is written to ``notes``.
"""

import copy
import dataclasses
import difflib

from autograder.spec import gid, is_solution, is_test

SIMILARITY_THRESHOLD = 0.35


@dataclasses.dataclass
class Rebuilt:
    """The graded notebook (nbformat dict, hidden tests in) and what was done to get it.

    Attributes:
        notebook: cells to execute; each has ``metadata.autograder.origin`` "source" or "student" and,
            for student content, ``metadata.autograder.student_index`` (cell index in the submission).
        notes: one sentence per repair or heuristic used.
    """

    notebook: dict
    notes: list


def rebuild(spec, submitted):
    """Merge the student's answers (``submitted``: nbformat dict or NotebookNode) into ``spec.template``."""
    template = spec.cells()
    student = [dict(c) for c in submitted["cells"]]
    notes = []
    matched, added = _match(template, spec.release, student, notes)
    _match_stripped_solutions(spec, template, student, matched, added, notes)

    by_anchor = {}
    for s_idx in added:
        by_anchor.setdefault(_anchor(s_idx, matched), []).append(s_idx)

    cells = [_added_cell(student[s], s) for s in by_anchor.get(-1, [])]
    for t_idx, tcell in enumerate(template):
        cell = copy.deepcopy(tcell)
        cell["metadata"]["autograder"] = {"origin": "source"}
        s_idx = matched.get(t_idx)
        if is_solution(tcell):
            if s_idx is None:
                notes.append(f"solution cell {gid(tcell)!r} is missing from the submission: graded as the "
                             f"released stub (its tests fail)")
            else:
                cell["source"] = student[s_idx].get("source", "")
                cell["metadata"]["autograder"] = {"origin": "student", "student_index": s_idx}
        elif gid(tcell) and s_idx is None:
            notes.append(f"{_kind(tcell)} {gid(tcell)!r} was deleted by the student: rebuilt from the source")
        elif gid(tcell) and student[s_idx].get("source", "") != spec.release.get(gid(tcell)):
            notes.append(f"{_kind(tcell)} {gid(tcell)!r} was edited by the student: rebuilt from the source")
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
        cells.extend(_added_cell(student[s], s) for s in by_anchor.get(t_idx, []))
    if added:
        notes.append(f"kept {len(added)} cell(s) the student added (run in place; never graded)")
    notebook = copy.deepcopy(spec.template)
    notebook["cells"] = cells
    return Rebuilt(notebook=notebook, notes=notes)


def _kind(cell):
    return "test cell" if is_test(cell) else "read-only cell"


def _match(template, release, student, notes):
    """First pass: grade_id, cell id, identical source. Returns ``({t_idx: s_idx}, [added s_idx])``."""
    by_gid = {gid(c): i for i, c in enumerate(template) if gid(c)}
    by_id = {c.get("id"): i for i, c in enumerate(template) if c.get("id")}
    by_source = {}
    for i, c in enumerate(template):
        if not is_solution(c) and c.get("source", "").strip():
            by_source.setdefault(c["source"], i)
            by_source.setdefault(release.get(gid(c), c["source"]), i)  # a test cell as students see it
    matched, added = {}, []
    for s_idx, cell in enumerate(student):
        t_idx, how = None, None
        if gid(cell) in by_gid:
            t_idx, how = by_gid[gid(cell)], "grade_id"
        elif cell.get("id") in by_id:
            t_idx, how = by_id[cell.get("id")], "cell id"
        elif cell.get("source") in by_source:
            t_idx, how = by_source[cell["source"]], "identical source"
        if t_idx is None:
            added.append(s_idx)
            continue
        tcell = template[t_idx]
        if t_idx in matched:
            if is_solution(tcell):
                notes.append(f"student cell {s_idx} duplicates solution cell {gid(tcell)!r}: run as an "
                             f"added cell after the original")
                added.append(s_idx)
            elif gid(tcell):
                notes.append(f"student cell {s_idx} duplicates {_kind(tcell)} {gid(tcell)!r}: dropped")
            continue
        if gid(tcell) and how != "grade_id":
            notes.append(f"student cell {s_idx} had no nbgrader metadata: identified as {gid(tcell)!r} by "
                         f"{how}")
        matched[t_idx] = s_idx
    return matched, added


def _match_stripped_solutions(spec, template, student, matched, added, notes):
    """Second pass: solution cells whose metadata and id are gone, by similarity or position."""
    for t_idx, tcell in enumerate(template):
        if not is_solution(tcell) or t_idx in matched:
            continue
        low = max([s for t, s in matched.items() if t < t_idx], default=-1)
        high = min([s for t, s in matched.items() if t > t_idx], default=len(student))
        candidates = [s for s in added if low < s < high and student[s].get("cell_type") == tcell["cell_type"]]
        if not candidates:
            continue
        stub = spec.release.get(gid(tcell), tcell.get("source", ""))
        scored = sorted(((_similarity(stub, student[s].get("source", "")), s) for s in candidates),
                        reverse=True)
        score, best = scored[0]
        if score >= SIMILARITY_THRESHOLD:
            how = f"content similarity {score:.2f}"
        elif len(candidates) == 1:
            how = "position (the only cell of its type between its neighbours)"
        else:
            continue
        matched[t_idx] = best
        added.remove(best)
        notes.append(f"solution cell {gid(tcell)!r} had no nbgrader metadata: took student cell {best} by "
                     f"{how}")


def _similarity(stub, text):
    first = stub.strip().splitlines()[:1]
    bonus = 0.3 if first and first[0].strip() and first[0].strip() in text else 0.0
    return difflib.SequenceMatcher(None, stub, text, autojunk=False).ratio() + bonus


def _anchor(s_idx, matched):
    """Template index after which an added student cell goes: its closest matched predecessor."""
    before = [(s, t) for t, s in matched.items() if s < s_idx]
    return max(before)[1] if before else -1


def _added_cell(cell, s_idx):
    cell = copy.deepcopy(cell)
    meta = dict(cell.get("metadata") or {})
    meta.pop("nbgrader", None)
    meta["autograder"] = {"origin": "student", "student_index": s_idx, "added": True}
    cell["metadata"] = meta
    if cell.get("cell_type") == "code":
        cell["outputs"], cell["execution_count"] = [], None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return cell
