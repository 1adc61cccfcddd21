"""Step 4, Decide: points for each test cell, decided outside the student's kernel.

:func:`observe` (in the worker) reduces an executed test cell to what the decision needs: did it run,
its error, its stderr (after the course's IgnorePattern, like nbgrader's preprocessor), the fclab.checks
records it emitted, and the guard's verdict. :func:`decide` (in the main process) gives the points:

a test cell earns its points only if it ran to the end without an error and without stderr output
(nbgrader's rule), the guard trusted it, and its records match the trusted run's records one by one
(same count, each ``fclab.checks.records_match(trusted, student)`` ok). The points are then nbgrader's
own (``nbgrader.utils.determine_grade``, which also honours partial credit). Anything else scores 0 with
the reason. :func:`self_check` is the rule without a trusted run, for ``python -m autograder check``.
"""

import re

import nbformat
from fclab.checks import records_match
from nbgrader.utils import determine_grade

from autograder.spec import gid, is_test

RECORD_MIME = "application/vnd.fclab.check+json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def drop_ignored_stderr(notebook, pattern):
    """Remove stderr outputs matching the course's IgnorePattern (as nbgrader's IgnorePattern does)."""
    if not pattern:
        return
    regex = re.compile(pattern)
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if not (
                o.get("output_type") == "stream" and o.get("name") == "stderr" and regex.search(o.get("text", "")))]


def observe(notebook, cell_log, guard_reports, fault):
    """``{grade_id: observation}`` for every test cell of an executed notebook (plain JSON-able dicts)."""
    status = {entry["index"]: entry for entry in cell_log}
    observed = {}
    for index, cell in enumerate(notebook["cells"]):
        if not is_test(cell):
            continue
        entry = status.get(index, {"status": "not-run", "seconds": 0.0})
        outputs = cell.get("outputs", [])
        error = next((o for o in outputs if o.get("output_type") == "error"), None)
        stderr = next((o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"), None)
        reports = guard_reports.get(index, {})
        untrusted = []
        for phase in ("pre", "post"):
            report = reports.get(phase, {})
            untrusted += [report["error"]] if "error" in report else report.get("untrusted", [])
        observed[gid(cell)] = {
            "index": index, "status": entry["status"], "seconds": round(entry["seconds"], 3),
            "error": _error_line(error) if error else None,
            "stderr": _first_line(stderr.get("text", "")) if stderr else None,
            "records": [o["data"][RECORD_MIME] for o in outputs
                        if o.get("output_type") == "display_data" and RECORD_MIME in o.get("data", {})],
            "untrusted": untrusted,
            "restored": reports.get("pre", {}).get("restored", []),
            "nbgrader_score": determine_grade(nbformat.from_dict(cell))[0] if entry["status"] != "not-run" else 0,
            "fault": fault if entry["status"] in ("not-run", "died", "timeout") else None,
        }
    return observed


def decide(observed, trusted, max_points):
    """``(points, reason)`` for one test cell: ``observed`` vs the ``trusted`` observation."""
    failure = _run_failure(observed)
    if failure:
        return 0.0, failure
    if observed["untrusted"]:
        return 0.0, f"not trusted: {observed['untrusted'][0]}"
    got, want = observed["records"], trusted["records"]
    if len(got) != len(want):
        return 0.0, (f"emitted {len(got)} check record(s) where the trusted run emitted {len(want)}: a check "
                     f"was skipped, added or faked")
    for student, reference in zip(got, want):
        ok, reason = records_match(reference, student)
        if not ok:
            return 0.0, reason
    points = observed["nbgrader_score"]
    points = max_points if points is None else float(points)
    return points, "passed" if points == max_points else f"partial credit {points:g} of {max_points:g}"


def self_check(observed, max_points):
    """``(points, reason)`` without a trusted run: ran cleanly and every record says passed."""
    failure = _run_failure(observed)
    if failure:
        return 0.0, failure
    failed = [r for r in observed["records"] if not r.get("passed")]
    if failed:
        return 0.0, f"check {failed[0].get('check')} {failed[0].get('name')!r} failed"
    return float(max_points), "passed"


def trusted_problems(observed):
    """Why the instructor's own run cannot be the reference (empty when every test cell passed)."""
    problems = []
    for grade_id, obs in observed.items():
        failure = _run_failure(obs) or (obs["untrusted"] and obs["untrusted"][0])
        failure = failure or next((f"check {r.get('name')!r} failed" for r in obs["records"]
                                   if not r.get("passed")), None)
        if failure:
            problems.append(f"{grade_id}: {failure}")
    return problems


def _run_failure(observed):
    status = observed["status"]
    if status in ("not-run", "died", "timeout"):
        return f"did not run to the end: {observed.get('fault') or status}"
    if status == "interrupted":
        return "ran past the cell time limit and was interrupted"
    if observed["error"]:
        return f"raised {observed['error']}"
    if observed["stderr"]:
        return f"wrote to stderr (nbgrader gives 0 for that): {observed['stderr']}"
    return None


def _error_line(error):
    ename, evalue = error.get("ename", "Error"), _first_line(error.get("evalue", ""))
    if ename == "NotImplementedError" and not evalue:
        return "NotImplementedError (the exercise is not answered yet)"
    return f"{ename}: {evalue}" if evalue else ename


def _first_line(text):
    text = ANSI.sub("", str(text)).strip()
    return text.splitlines()[0][:300] if text else ""
