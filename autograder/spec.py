"""What the grader knows about one source notebook, built once per assignment in the main process.

A :class:`NotebookSpec` holds three versions of the instructor's notebook, all derived with nbgrader's own
preprocessors (the list ``nbgrader generate_assignment`` runs, up to ``SaveCells``):

- ``template``: solutions replaced by the stub, hidden tests kept, checksums computed: exactly the cells
  ``generate_assignment`` saves in the gradebook and ``nbgrader autograde`` restores (OverwriteCells);
  the graded notebook is this list with the student's answers in the solution cells.
- ``solutions``: the instructor's solution of every solution cell, by grade_id (for the trusted run).
- ``release``: every cell's source as students received it (hidden tests cleared), by grade_id, to tell
  an edited test cell from an untouched one.

It also records which names the protected cells bind by ``import`` (see :func:`protected_bindings`): the
guard rebinds those before each test cell, so a student's ``check_close = lambda *a: None`` has no effect.
"""

import ast
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
ENGINE_VERSION = "1"


@dataclasses.dataclass
class NotebookSpec:
    """One notebook of one assignment (picklable: it travels to the workers).

    Attributes:
        assignment, name: ids as in the gradebook (``name`` is the file stem).
        sha256: hash of the source file, the fclab.checks code and the engine version (cache key).
        template: nbformat dict (see module docstring).
        solutions: ``{grade_id: instructor's source}`` of solution cells.
        release: ``{grade_id: source as released}`` of every nbgrader cell.
        bindings: ``{name: [module, attribute or None]}`` bound by imports in protected cells.
        support_files: ``{relative path: bytes}`` copied next to the notebook (as nbgrader does).
    """

    assignment: str
    name: str
    sha256: str
    template: dict
    solutions: dict
    release: dict
    bindings: dict
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
                        bindings=protected_bindings(template), support_files=files)


def _to_dict(node):
    if isinstance(node, dict):
        return {k: _to_dict(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_dict(v) for v in node]
    return node


def protected_bindings(notebook):
    """``{name: [module, attr]}`` for names imported by locked/test cells and never bound by a solution.

    ``import numpy as np`` -> ``np: ["numpy", None]``; ``from fclab.checks import check_close`` ->
    ``check_close: ["fclab.checks", "check_close"]``. Names the instructor's own solution cells assign
    are left out: there the student's binding is the intended one.
    """
    bound, solution_names = {}, set()
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        tree = _parse(cell["source"])
        if tree is None:
            continue
        if is_solution(cell):
            solution_names |= _assigned_names(tree)
            continue
        if not (nbutils.is_locked(nbformat.from_dict(cell)) or is_test(cell)):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bound[alias.asname] = [alias.name, None]
                    else:
                        top = alias.name.split(".")[0]
                        bound[top] = [top, None]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.name != "*":
                        bound[alias.asname or alias.name] = [node.module, alias.name]
    return {k: v for k, v in bound.items() if k not in solution_names}


def _parse(source):
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def _assigned_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names
