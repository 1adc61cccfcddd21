"""Step 1, Prepare: read a submitted notebook safely, or say plainly why it cannot be graded.

Nothing here executes anything. A file that is missing, empty, too large, not JSON, or in a notebook
format nbformat cannot upgrade gives a :class:`Prepared` with ``notebook=None`` and a ``reason`` the
instructor can act on; nbformat 3 notebooks are upgraded to 4 (a note says so).
"""

import dataclasses
import hashlib
import json

import nbformat

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclasses.dataclass
class Prepared:
    """The outcome of reading one submitted notebook.

    Attributes:
        notebook: an nbformat-4 NotebookNode, or None when the file cannot be graded.
        reason: why the notebook is None (shown in the report), else None.
        notes: what was repaired on the way (e.g. "upgraded from nbformat 3").
    """

    notebook: object = None
    reason: str = None
    notes: list = dataclasses.field(default_factory=list)


def read_bytes(path, max_bytes=DEFAULT_MAX_BYTES):
    """Read a submitted file without loading a huge one: ``(data or None, sha256, reason or None)``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None, "missing", (f"no notebook submitted: expected {path.name} in {path.parent}; the student "
                                 f"gets 0 for every test of it")
    if size > max_bytes:
        return None, f"too-large-{size}", (
            f"the submitted file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit "
            f"(outputs left in it?): ask the student to clear outputs and resubmit, or raise --max-bytes")
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest(), None


def parse_notebook(data, name="notebook.ipynb"):
    """Bytes of a submitted ``.ipynb`` -> :class:`Prepared` (nbformat 4, or a reason)."""
    if not data or not data.strip():
        return Prepared(reason=f"{name} is empty (0 notebook cells): the student submitted an empty file")
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return Prepared(reason=f"{name} is not UTF-8 text ({exc}): not a notebook; ask for the .ipynb file")
    except json.JSONDecodeError as exc:
        return Prepared(reason=f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): "
                               f"the file is damaged; ask the student to download the notebook again")
    except RecursionError:
        return Prepared(reason=f"{name} nests JSON lists or objects deeper than a notebook ever does: not a "
                               f"notebook Jupyter wrote; ask the student to download the notebook again")
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        return Prepared(reason=f"{name} is JSON but not a notebook (no 'cells'): expected an .ipynb file")
    notes = []
    major = raw.get("nbformat")
    if major not in (3, 4):
        return Prepared(reason=f"{name} declares nbformat {major!r}; only nbformat 3 and 4 can be read: "
                               f"open and save it in Jupyter to convert it")
    try:
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # nbformat raises several types for malformed notebooks
        return Prepared(reason=f"{name} could not be read as a notebook ({type(exc).__name__}: {exc})")
    if major == 3:
        notes.append("upgraded from nbformat 3 to 4 with nbformat.convert")
    notebook.cells = [cell for cell in notebook.get("cells", []) if _usable(cell, notes)]
    return Prepared(notebook=notebook, notes=notes)


def _usable(cell, notes):
    if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
        notes.append(f"dropped a malformed cell: {str(cell)[:80]}")
        return False
    source = cell.get("source", "")
    if isinstance(source, list):
        cell["source"] = "".join(str(s) for s in source)
    elif not isinstance(source, str):
        cell["source"] = str(source)
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = nbformat.NotebookNode()
    if "id" in cell and not isinstance(cell["id"], str):
        notes.append(f"removed a cell id that is not text: {str(cell['id'])[:80]}")
        del cell["id"]
    nbgrader = cell["metadata"].get("nbgrader")
    if nbgrader is not None and not isinstance(nbgrader, dict):
        notes.append(f"removed nbgrader metadata that is not an object: {str(nbgrader)[:80]}")
        del cell["metadata"]["nbgrader"]
    elif nbgrader is not None and "grade_id" in nbgrader and not isinstance(nbgrader["grade_id"], str):
        notes.append(f"removed a grade_id that is not text: {str(nbgrader['grade_id'])[:80]}")
        del nbgrader["grade_id"]
    return True
