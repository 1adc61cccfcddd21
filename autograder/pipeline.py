"""The worker side: one job = one notebook run in its own sandbox; returns plain data, writes nothing shared.

``run_job`` is what a worker process (or a dask worker) executes::

    Prepare -> Rebuild -> Scan -> Run -> Observe

and returns a JSON-able dict. Decisions that need the trusted run, and every write to the gradebook,
happen in the main process (:mod:`autograder.grade`). A job never raises for a bad submission: every
fault ends up as ``reason``/``fault`` in the result.
"""

import copy
import dataclasses
import pathlib
import shutil
import tempfile
import time

import nbformat

from autograder import decide, integrity, kernel, prepare, rebuild
from autograder.spec import gid, is_solution


@dataclasses.dataclass
class Job:
    """Everything a worker needs (picklable; no open files, no paths into the course).

    Attributes:
        kind: "trusted" (the instructor's solutions) or "submission".
        spec: the :class:`~autograder.spec.NotebookSpec`.
        student: student id ("" for trusted).
        data: the submitted file's bytes (None when it could not be read; then ``reason`` says why).
        sha: the submitted file's hash (journal key).
        sandbox: the :class:`~autograder.sandbox.Sandbox` settings.
        ignore_pattern: the course's IgnorePattern regex, or None.
    """

    kind: str
    spec: object
    sandbox: object
    student: str = ""
    data: bytes = None
    sha: str = ""
    reason: str = None
    ignore_pattern: str = None

    @property
    def label(self):
        who = self.student or "trusted run"
        return f"{self.spec.assignment}/{self.spec.name} ({who})"


def run_job(job):
    """Grade-side work for one notebook -> result dict (see module docstring)."""
    started = time.monotonic()
    result = {"kind": job.kind, "assignment": job.spec.assignment, "notebook": job.spec.name,
              "student": job.student, "sha": job.sha, "source_sha": job.spec.sha256, "notes": [],
              "reason": job.reason, "flags": [], "fault": None, "observed": {}, "executed": None,
              "timings": {}}
    if job.kind == "trusted":
        graded, on_disk = trusted_notebook(job.spec), release_view(job.spec)
    else:
        if job.reason:
            return _finish(result, started)
        prepared = prepare.parse_notebook(job.data, f"{job.spec.name}.ipynb")
        result["notes"] += prepared.notes
        if prepared.notebook is None:
            result["reason"] = prepared.reason
            return _finish(result, started)
        rebuilt = rebuild.rebuild(job.spec, prepared.notebook)
        result["notes"] += rebuilt.notes
        result["flags"] = [str(f) for f in integrity.scan_notebook(rebuilt.notebook)]
        graded, on_disk = rebuilt.notebook, job.data
    client = _execute(job, graded, on_disk)
    executed = client.nb
    decide.drop_ignored_stderr(executed, job.ignore_pattern)
    result["fault"] = client.fault
    result["observed"] = decide.observe(executed, client.cell_log, client.guard_reports, client.fault)
    for obs in result["observed"].values():
        result["flags"] += [f"guard before {obs['index']}: {r}" for r in obs["restored"] if not r.startswith("note:")]
    result["timings"] = dict(client.timings, slowest_cells=sorted(
        client.cell_log, key=lambda c: -c["seconds"])[:3])
    for cell in executed["cells"]:
        cell.get("metadata", {}).pop("autograder", None)
    result["executed"] = nbformat.from_dict(executed)
    return _finish(result, started)


def _finish(result, started):
    result["timings"]["total"] = round(time.monotonic() - started, 3)
    return result


def _execute(job, graded, on_disk):
    """Run ``graded`` in a fresh sandbox; the folder holds only the student's own file and support files."""
    base = pathlib.Path(tempfile.mkdtemp(prefix="autograder-"))
    try:
        workdir, runtime = base / "work", base / "run"
        workdir.mkdir()
        runtime.mkdir()
        (workdir / f"{job.spec.name}.ipynb").write_bytes(
            on_disk if isinstance(on_disk, bytes) else nbformat.writes(on_disk).encode())
        for rel, data in job.spec.support_files.items():
            target = workdir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        nb = nbformat.from_dict(copy.deepcopy(graded))
        return kernel.run_notebook(nb, job.sandbox, workdir, runtime, bindings=job.spec.bindings)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def trusted_notebook(spec):
    """The template with the instructor's solutions in the solution cells (origin "source")."""
    nb = copy.deepcopy(spec.template)
    for cell in nb["cells"]:
        cell["metadata"]["autograder"] = {"origin": "source"}
        if is_solution(cell) and gid(cell) in spec.solutions:
            cell["source"] = spec.solutions[gid(cell)]
    return nb


def release_view(spec):
    """What a student received (hidden tests cleared): what the trusted run finds on disk."""
    nb = copy.deepcopy(spec.template)
    for cell in nb["cells"]:
        if gid(cell) in spec.release:
            cell["source"] = spec.release[gid(cell)]
    return nbformat.from_dict(nb)
