"""Which names are the student's, and which setup cells the trusted runner needs (AST name analysis).

The trusted runner (:mod:`autograder.runner`) runs the source notebook's own setup and demo cells and the
test cells; the student's names reach it as proxies. Both lists come from the cells' ASTs (after IPython's
transformation, so ``%magic`` and ``!cmd`` lines parse):

- :func:`student_names`: the names the instructor's solution cells bind at top level (the exercise's
  functions, classes and values: what a test may ask the student for), minus names a protected cell binds
  by ``import`` (``np``, ``checks``, ``keras`` always stay the course's own). A name only the student's
  cells bind is never proxied: a student's ``enumerate = ...`` or a rebound helper of a locked cell does
  not reach the test, which keeps Python's builtins and the setup cells' own definitions;
- :func:`needed_setup`: the protected non-test cells a test cell depends on, found backwards from the test
  cells through the names each cell binds and the names it reads before binding them itself
  (:func:`free_names`; a cell that seeds a random generator is always kept).
  Deterministic: the same notebook always gives the same list.
"""

import ast
import functools

from autograder.spec import is_solution, is_test


@functools.lru_cache(maxsize=4096)
def parse(source):
    """The cell's AST after IPython's transformation, or None when it does not parse."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def bound_and_read(source):
    """``(bound, read, imported)`` name sets of one cell's top-level code and everything nested in it."""
    tree = parse(source)
    bound, read, imported = set(), set(), set()
    if tree is None:
        return frozenset(), frozenset(), frozenset()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, (ast.Store, ast.Del)) else read).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
            bound |= names
            imported |= names
    return frozenset(bound), frozenset(read), frozenset(imported)


@functools.lru_cache(maxsize=4096)
def free_names(source):
    """Names the cell reads before (textually) binding them itself: what it needs from earlier cells.

    A name whose first occurrence in the cell is an assignment, a ``for`` target, an import or a ``def`` is
    the cell's own; one read first (or read inside a function defined before it is assigned, or updated
    with ``+=``) comes from outside. Conservative: when in doubt a name counts as read from outside.
    """
    tree = parse(source)
    if tree is None:
        return frozenset()
    first_store, first_load, stored_at = {}, {}, {}
    for node in ast.walk(tree):  # a target is bound after its value (or a loop's iterable) is read
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets, end = (node.targets if isinstance(node, ast.Assign) else [node.target]), node
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            targets, end = [node.target], node.iter
        else:
            continue
        for target in targets:
            for name in ast.walk(target):
                stored_at[id(name)] = (end.end_lineno, end.end_col_offset)

    def note(table, name, node):
        where = stored_at.get(id(node)) or (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        if name not in table or where < table[name]:
            table[name] = where

    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            note(first_load, node.target.id, node)
        elif isinstance(node, ast.Name):
            note(first_store if isinstance(node.ctx, (ast.Store, ast.Del)) else first_load, node.id, node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            note(first_store, node.name, node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    note(first_store, (alias.asname or alias.name).split(".")[0], node)
    return frozenset(name for name, where in first_load.items()
                     if name not in first_store or where <= first_store[name])


def student_names(cells, solutions):
    """Names proxied to the sandbox (see module docstring).

    Args:
        cells: the graded notebook's cells (``metadata.autograder.origin`` "source" or "student").
        solutions: the instructor's solution sources (``{grade_id: source}``).
    """
    names = set()
    for source in solutions.values():
        names |= top_level_bound(source)
    protected_imports = set()
    for cell in cells:
        if cell.get("cell_type") == "code" and not (_origin(cell) == "student" or is_solution(cell)):
            protected_imports |= bound_and_read(cell["source"])[2]
    return frozenset(names - protected_imports)


@functools.lru_cache(maxsize=4096)
def top_level_bound(source):
    """Names a cell binds in the notebook's namespace: ``def``/``class`` names, assignment, ``for``, ``with``
    and import targets outside any function or class body (a function's local variables are not)."""
    tree = parse(source)
    found = set()
    if tree is None:
        return frozenset()
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue  # their variables are their own
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found.add(node.id)
        pending.extend(ast.iter_child_nodes(node))
    return frozenset(found)


def student_sources(cells):
    """``{name: source}``: for each name a student's cell binds, that cell's text (the last one binding it)."""
    sources = {}
    for cell in cells:
        if cell.get("cell_type") == "code" and (_origin(cell) == "student" or is_solution(cell)):
            for name in bound_and_read(cell["source"])[0]:
                sources[name] = cell["source"]
    return sources


def needed_setup(cells, students):
    """Indexes of the protected, non-solution, non-test code cells the test cells need (see module docstring)."""
    needed, keep = set(), []
    for index in range(len(cells) - 1, -1, -1):
        cell = cells[index]
        if cell.get("cell_type") != "code" or _origin(cell) == "student" or is_solution(cell):
            continue
        bound, _, _ = bound_and_read(cell["source"])
        read = free_names(cell["source"])
        if is_test(cell):
            needed |= read
        elif bound & (needed - students) or "seed" in cell["source"]:
            keep.append(index)
            needed |= read
    return sorted(keep)


def _origin(cell):
    return (cell.get("metadata", {}).get("autograder") or {}).get("origin", "source")
