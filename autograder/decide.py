"""Step "Decide": the points of each test cell, from the trusted runner's own run of it. One place decides.

:func:`observe` (in the worker) reduces an executed test cell to an :class:`Observation`: did it run to the
end, its error, its stderr (after the course's IgnorePattern, as nbgrader's preprocessor), the fclab.checks
records the trusted run emitted, and nbgrader's own score of the cell with those outputs. The test cell ran
in the trusted runner (:mod:`autograder.runner`), never in the student's kernel, so its outputs are the
engine's: the student's code only ever answered requests for plain data.

:func:`decide` (in the main process) gives the points: a test cell earns them only if it ran to the end
without an error and without stderr output (nbgrader's rule); the points are then nbgrader's own
(``nbgrader.utils.determine_grade`` on the cell with its trusted outputs, which honours partial credit).
Anything else scores 0 with the reason. :func:`self_check` is the same rule for ``python -m autograder
check``, whose test cells run in the kernel (a self-learner has no one to cheat).
"""

import dataclasses
import re

import nbformat
from nbgrader.utils import determine_grade

from autograder.spec import gid, is_test

from fclab.checks._records import MIME_TYPE as RECORD_MIME  # one constant, imported
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclasses.dataclass(frozen=True)
class Observation:
    """What one test cell's run left (JSON-able; see :func:`observe`).

    Attributes:
        index: the cell's position in the graded notebook.
        status: "ok", "error", "interrupted", "died", "timeout" or "not-run".
        seconds: wall time of the cell.
        error: first line of the error ("ValueError: ..."), or None.
        stderr: first line of its stderr after the IgnorePattern, or None.
        records: the fclab.checks records the cell emitted (dicts).
        nbgrader_score: ``determine_grade`` of the cell with its outputs (None: nbgrader gives full points).
        fault: why the run stopped at or before this cell (kernel died, time ran out), or None.
        diagnosis: the ``Diagnosis:`` lines of a failing check's message, or None.
    """

    index: int
    status: str
    seconds: float
    error: str = None
    stderr: str = None
    records: tuple = ()
    nbgrader_score: float = None
    fault: str = None
    diagnosis: str = None

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        fields = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in data.items() if k in fields}
        data["records"] = tuple(data.get("records", ()))
        return cls(**data)


@dataclasses.dataclass(frozen=True)
class CellDecision:
    """The points of one grade cell and why (``points`` None: graded by hand in formgrader)."""

    points: float
    max: float
    reason: str
    seconds: float = 0.0
    records: tuple = ()

    def to_dict(self):
        return {"points": self.points, "max": self.max, "reason": self.reason, "seconds": self.seconds,
                "records": list(self.records)}


def drop_ignored_stderr(notebook, pattern):
    """Remove stderr outputs matching the course's IgnorePattern (as nbgrader's IgnorePattern does)."""
    if not pattern:
        return
    regex = re.compile(pattern)
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if not (
                o.get("output_type") == "stream" and o.get("name") == "stderr" and regex.search(o.get("text", "")))]


def observe(notebook, cell_log, trusted_log, fault):
    """``{grade_id: Observation}`` for every test cell of an executed notebook.

    ``cell_log``: ``[{"index", "status", "seconds"}]`` from the kernel client; ``trusted_log``:
    ``{index: {"records": [...]}}`` from the trusted runner (empty when tests ran in the kernel).
    """
    status = {entry["index"]: entry for entry in cell_log}
    observed = {}
    for index, cell in enumerate(notebook["cells"]):
        if not is_test(cell):
            continue
        entry = status.get(index, {"status": "not-run", "seconds": 0.0})
        outputs = cell.get("outputs", [])
        error = next((o for o in outputs if o.get("output_type") == "error"), None)
        stderr = next((o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"), None)
        if index in trusted_log:
            records = tuple(trusted_log[index].get("records", ()))
        else:
            records = tuple(o["data"][RECORD_MIME] for o in outputs
                            if o.get("output_type") == "display_data" and RECORD_MIME in o.get("data", {}))
        ran = entry["status"] != "not-run"
        observed[gid(cell)] = Observation(
            index=index, status=entry["status"], seconds=round(entry["seconds"], 3),
            error=_error_line(error) if error else None,
            stderr=_first_line(stderr.get("text", "")) if stderr else None, records=records,
            nbgrader_score=determine_grade(nbformat.from_dict(cell))[0] if ran else 0,
            fault=fault if entry["status"] in ("not-run", "died", "timeout") else None,
            diagnosis=_diagnosis(error) if error else None)
    return observed


def decide(observed, max_points):
    """One test cell's :class:`CellDecision` from its trusted run (see module docstring)."""
    failure = _run_failure(observed)
    if failure:
        return CellDecision(0.0, max_points, failure, observed.seconds, observed.records)
    points = observed.nbgrader_score
    points = max_points if points is None else float(points)
    reason = "passed" if points == max_points else f"partial credit {points:g} of {max_points:g}"
    return CellDecision(points, max_points, reason, observed.seconds, observed.records)


def self_check(observed, max_points):
    """``(points, reason)`` for the self-study check: ran cleanly and every record says passed."""
    failure = _run_failure(observed)
    if failure:
        return 0.0, failure
    failed = [r for r in observed.records if not r.get("passed")]
    if failed:
        return 0.0, f"check {failed[0].get('check')} {failed[0].get('name')!r} failed"
    return float(max_points), "passed"


def trusted_problems(observed):
    """Why the instructor's own run fails its tests (empty when every test cell passed)."""
    problems = []
    for grade_id, obs in observed.items():
        failure = _run_failure(obs) or next((f"check {r.get('name')!r} failed" for r in obs.records
                                             if not r.get("passed")), None)
        if failure:
            problems.append(f"{grade_id}: {failure}")
    return problems


def _run_failure(observed):
    status = observed.status
    if status in ("not-run", "died", "timeout"):
        return f"did not run to the end: {observed.fault or status}"
    if status == "interrupted":
        return "ran past the cell time limit and was interrupted"
    if observed.error:
        return f"raised {observed.error}"
    if observed.stderr:
        return f"wrote to stderr (nbgrader gives 0 for that): {observed.stderr}"
    return None


def _error_line(error):
    ename, evalue = error.get("ename", "Error"), _first_line(error.get("evalue", ""))
    if ename == "NotImplementedError" and not evalue:
        return "NotImplementedError (the exercise is not answered yet)"
    return f"{ename}: {evalue}" if evalue else ename


def _diagnosis(error):
    """The ``Diagnosis:`` lines of an fclab.checks failure message (they name the likely mistake)."""
    text = ANSI.sub("", str(error.get("evalue", "")))
    lines, inside = [], False
    for line in text.splitlines():
        if line.strip().startswith("Diagnosis:"):
            inside = True
        elif inside and (not line.startswith(" ") or line.strip().startswith("What to do next")):
            inside = False
        if inside and line.strip():
            lines.append(line.strip())
    return " ".join(lines)[:500] or None


def _first_line(text):
    text = ANSI.sub("", str(text)).strip()
    return text.splitlines()[0][:300] if text else ""
