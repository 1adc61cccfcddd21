"""``python -m autograder check NOTEBOOK``: self-study, one notebook against its visible tests.

No gradebook, no source notebook, no hidden tests: the notebook runs as it is (in a copy of its folder,
sandboxed when bubblewrap works), test cells included, in the kernel (a self-learner has no one to cheat,
so the trusted runner of ``grade`` is not needed here). Every test cell it contains (nbgrader ``grade``
cells that are not solutions) passes when it ran without error or stderr and every fclab.checks record it
emitted says passed. Prints a score card per exercise: a failing test shows its check's diagnosis, and
when an earlier cell failed first (a SyntaxError in the answer, a setup cell that raised) that cell is
named as the cause. The exit status is 0 only when every visible test passed.

:func:`check_notebook` does the work with a *runner* that runs a notebook in a kernel: :class:`ColdRunner`
starts a fresh kernel (this process), :class:`autograder.check_server.WarmRunner` forks it from a warm
zygote (the check server that ``check`` and the lab's clean-run button share, :mod:`autograder.check_client`).
"""

import os
import pathlib
import re
import shutil
import tempfile
import time

from autograder import decide, kernel, prepare
from autograder.checkcard import CheckResult, score_card, timing_line  # noqa: F401  (re-exported)
from autograder.sandbox import Limits, Sandbox
from autograder.spec import gid, is_solution, is_test

COPY_LIMIT = 50 * 2**20
CHECK_LIMITS = dict(memory_bytes=8 * 2**30, notebook_timeout=3600)


class ColdRunner:
    """Runs a notebook in a fresh sandboxed kernel (the interpreter and its imports start every time)."""

    warm = False
    how = "a fresh kernel"

    def __init__(self, sandbox):
        self.sandbox = sandbox

    def run(self, notebook, folder):
        """Run ``notebook`` with a copy of ``folder`` as its working folder -> the finished client."""
        base = pathlib.Path(tempfile.mkdtemp(prefix="autograder-check-"))
        try:
            workdir, runtime = base / "work", base / "run"
            workdir.mkdir()
            copy_folder(folder, workdir)
            runtime.mkdir()
            return kernel.run_notebook(notebook, self.sandbox, workdir, runtime)
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def close(self):
        pass


def default_sandbox(sandbox=True):
    """``(Sandbox, warning or None)`` with the self-check's limits (8 GiB, an hour per notebook)."""
    return Sandbox.create(Limits(**CHECK_LIMITS), sandbox=sandbox)


def check_notebook(path, runner):
    """Run the saved notebook at ``path`` with ``runner`` -> :class:`CheckResult`.

    Raises ValueError (with what to do) for a file that is not a notebook or has no test cells.
    """
    path = pathlib.Path(path)
    started = time.monotonic()
    data, _, reason = prepare.read_bytes(path)
    prepared = prepare.parse_notebook(data, path.name) if data is not None else prepare.Prepared(reason=reason)
    if prepared.notebook is None:
        raise ValueError(f"cannot check {path}: {prepared.reason}")
    tests = [c for c in prepared.notebook.cells if is_test(c)]
    if not tests:
        raise ValueError(f"{path} has no test cells (nbgrader cells with grade=true): was its cell metadata "
                         f"removed? Download the lesson again from release/ and copy your answers in")
    saved_at = os.stat(path).st_mtime
    client = runner.run(prepared.notebook, path.parent)
    observed = decide.observe(client.nb, client.cell_log, {}, client.fault)
    rows = []
    causes = earlier_failures(client.nb)
    for cell in tests:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        max_points = float(cell.metadata["nbgrader"].get("points", 0))
        obs = observed[grade_id]
        points, why = decide.self_check(obs, max_points)
        if why != "passed":
            diagnoses = [d for r in obs.records if not r.get("passed") for d in r.get("diagnoses", [])]
            if obs.diagnosis or diagnoses:
                why += f"\n      {obs.diagnosis or 'Diagnosis: ' + ', '.join(diagnoses)}"
            if causes.get(grade_id):
                why += f"\n      because {causes[grade_id]}"
        rows.append((grade_id, points, max_points, why))
    timings = {k: round(v, 3) for k, v in client.timings.items() if isinstance(v, (int, float))}
    timings["total"] = round(time.monotonic() - started, 3)
    return CheckResult(path.name, tuple(rows), client.fault, saved_at, runner.warm, runner.how, timings)


def check(path, sandbox=None, out=print):
    """Run ``path`` in a fresh kernel here and print its score card; returns the rows (see CheckResult)."""
    if sandbox is None:
        sandbox, warning = default_sandbox()
        if warning:
            out(f"note: {warning}")
    result = check_notebook(path, ColdRunner(sandbox))
    out(score_card(result.name, result.rows, result.fault))
    return list(result.rows)


def earlier_failures(notebook):
    """``{test grade_id: why}`` when a cell before the test failed first: the answer cell of its exercise
    (a SyntaxError, an exception) or any setup cell above it (its names are then missing)."""
    causes, setup_failure, answer_failure = {}, None, None
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if is_test(cell):
            cause = answer_failure or setup_failure
            if cause:
                causes[gid(cell)] = cause
            answer_failure = None
            continue
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if error is None:
            continue
        text = f"{error.get('ename')}: {decide._first_line(error.get('evalue', ''))}"
        if is_solution(cell):
            answer_failure = (f"the answer cell {gid(cell) or index} has a {_syntax_text(error)}: fix it and run "
                              f"it again"
                              if error.get("ename") in ("SyntaxError", "IndentationError", "TabError") else
                              f"the answer cell {gid(cell) or index} raised {text}")
        elif setup_failure is None:
            setup_failure = f"setup cell {index} raised {text}, so the names it defines are missing below it"
    return causes


def _syntax_text(error):
    """``SyntaxError: invalid syntax (line 2)`` from IPython's ``invalid syntax (2369146253.py, line 2)``."""
    evalue = decide._first_line(error.get("evalue", ""))
    found = re.search(r"\s*\([^()]*, line (\d+)\)$", evalue)
    if found:
        evalue = f"{evalue[:found.start()]} (line {found.group(1)})"
    return f"{error.get('ename')}: {evalue}"


def copy_folder(source, dest):
    """The notebook's folder (files and sub-folders up to ``COPY_LIMIT`` bytes, no hidden ones) into the
    existing folder ``dest``, so the notebook's relative paths work."""
    total = 0
    for item in sorted(pathlib.Path(source).rglob("*")):
        rel = item.relative_to(source)
        if any(part.startswith(".") for part in rel.parts) or not item.is_file():
            continue
        total += item.stat().st_size
        if total > COPY_LIMIT:
            break
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(item, dest / rel)
