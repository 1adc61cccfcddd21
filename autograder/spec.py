"""What the grader knows about one source notebook, built once per assignment in the main process.

A :class:`NotebookSpec` holds three versions of the instructor's notebook, all derived with nbgrader's own
preprocessors (the list ``nbgrader generate_assignment`` runs, up to ``SaveCells``):

- ``template``: solutions replaced by the stub, hidden tests kept, checksums computed: exactly the cells
  ``generate_assignment`` saves in the gradebook and ``nbgrader autograde`` restores (OverwriteCells);
  the graded notebook is this list with the student's answers in the solution cells.
- ``solutions``: the instructor's solution of every solution cell, by grade_id (for the trusted run).
- ``release``: every cell's source as students received it (hidden tests cleared), by grade_id, to tell
  an edited test cell from an untouched one.

Which names are the student's (proxied to the sandbox) and which setup cells the trusted runner needs is
worked out per submission by :mod:`autograder.names`.
"""

import copy
import dataclasses
import hashlib
import pathlib

import nbformat
from nbgrader import utils as nbutils
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearOutput, ClearSolutions,
                                    ComputeChecksums, IncludeHeaderFooter, InstantiateTests, LockCells)

# nbgrader.converters.generate_assignment.GenerateAssignment.preprocessors, up to SaveCells
TEMPLATE_STEPS = (IncludeHeaderFooter, InstantiateTests, LockCells, ClearSolutions, ClearOutput,
                  CheckCellMetadata, ComputeChecksums)
CHECKS_DIR = pathlib.Path(__file__).resolve().parents[1] / "fclab" / "checks"
ENGINE_VERSION = "2"  # 2: test cells run by the trusted runner


@dataclasses.dataclass
class NotebookSpec:
    """One notebook of one assignment (picklable: it travels to the workers).

    Attributes:
        assignment, name: ids as in the gradebook (``name`` is the file stem).
        sha256: hash of the source file, the fclab.checks code and the engine version (cache key).
        template: nbformat dict (see module docstring).
        solutions: ``{grade_id: instructor's source}`` of solution cells.
        release: ``{grade_id: source as released}`` of every nbgrader cell.
        support_files: ``{relative path: bytes}`` copied next to the notebook (as nbgrader does).
    """

    assignment: str
    name: str
    sha256: str
    template: dict
    solutions: dict
    release: dict
    support_files: dict = dataclasses.field(default_factory=dict)

    def cells(self):
        return self.template["cells"]

    def test_ids(self):
        """grade_ids of autograded test cells (grade, not solution, code), in order."""
        return [gid(c) for c in self.cells() if is_test(c)]

    def points(self):
        """``{grade_id: max points}`` of every grade cell."""
        return {gid(c): float(c["metadata"]["nbgrader"]["points"]) for c in self.cells()
                if nbutils.is_grade(nbformat.from_dict(c))}


def gid(cell):
    """The cell's nbgrader grade_id, or None."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


def is_test(cell):
    meta = cell.get("metadata", {}).get("nbgrader") or {}
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def is_solution(cell):
    meta = cell.get("metadata", {}).get("nbgrader") or {}
    return bool(meta.get("solution"))


def build_spec(course, assignment, name, path):
    """Run nbgrader's generate_assignment steps on ``path`` (no files written) -> NotebookSpec."""
    raw = pathlib.Path(path).read_bytes()
    source = nbformat.reads(raw.decode("utf-8"), as_version=4)
    solutions = {gid(c): c.source for c in source.cells if is_solution(c) and gid(c)}
    resources = {"metadata": {"path": str(pathlib.Path(path).parent)},
                 "nbgrader": {"assignment": assignment, "notebook": name, "db_url": course.db_url}}
    template = copy.deepcopy(source)
    for step in TEMPLATE_STEPS:
        template, resources = step(config=course.config).preprocess(template, resources)
    released = ClearHiddenTests(config=course.config).preprocess(copy.deepcopy(template), resources)[0]
    release = {gid(c): c.source for c in released.cells if gid(c)}
    digest = hashlib.sha256(raw)
    for checks_file in sorted(CHECKS_DIR.glob("*.py")):
        digest.update(checks_file.read_bytes())
    digest.update(ENGINE_VERSION.encode())
    files = {rel: p.read_bytes() for rel, p in course.support_files(assignment).items()}
    return NotebookSpec(assignment=assignment, name=name, sha256=digest.hexdigest(),
                        template=_to_dict(template), solutions=solutions, release=release,
                        support_files=files)


def _to_dict(node):
    if isinstance(node, dict):
        return {k: _to_dict(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_dict(v) for v in node]
    return node
