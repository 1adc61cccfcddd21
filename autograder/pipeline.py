"""The worker side: one job = one notebook run in its own sandbox; returns plain data, writes nothing shared.

``run_job`` is what a worker process (or a dask worker) executes::

    Prepare -> Rebuild -> Scan -> Run -> Observe

and returns a JSON-able dict. Decisions that need the trusted run, and every write to the gradebook,
happen in the main process (:mod:`autograder.grade`). A job never raises for a bad submission: every
fault ends up as ``reason``/``fault`` in the result.
"""

import atexit
import copy
import dataclasses
import multiprocessing.util
import os
import pathlib
import shutil
import tempfile
import time

import nbformat

from autograder import decide, integrity, kernel, prepare, rebuild, warm
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
        warm, preload: fork the kernel from this worker's zygote that imported ``preload`` once
            (:mod:`autograder.warm`); falls back to a fresh kernel if the zygote fails.
    """

    kind: str
    spec: object
    sandbox: object
    student: str = ""
    data: bytes = None
    sha: str = ""
    reason: str = None
    ignore_pattern: str = None
    warm: bool = False
    preload: tuple = ()

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
        client.cell_log, key=lambda c: -c["seconds"])[:3],
        first_code_cell=client.cell_log[0]["seconds"] if client.cell_log else 0.0)
    for cell in executed["cells"]:
        cell.get("metadata", {}).pop("autograder", None)
    result["executed"] = nbformat.from_dict(executed)
    return _finish(result, started)


def _finish(result, started):
    result["timings"]["total"] = round(time.monotonic() - started, 3)
    return result


def _execute(job, graded, on_disk):
    """Run ``graded`` in a sandbox whose folder holds only the student's own file and the support files."""
    if job.warm:
        try:
            return _execute_warm(job, graded, on_disk)
        except warm.ZygoteError:
            _drop_zygote()
    base = pathlib.Path(tempfile.mkdtemp(prefix=f"autograder-{os.getpid()}-"))
    try:
        workdir, runtime = base / "work", base / "run"
        workdir.mkdir()
        runtime.mkdir()
        _fill(workdir, job, on_disk)
        return kernel.run_notebook(nbformat.from_dict(copy.deepcopy(graded)), job.sandbox, workdir, runtime,
                                   bindings=job.spec.bindings)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _fill(workdir, job, on_disk):
    (workdir / f"{job.spec.name}.ipynb").write_bytes(
        on_disk if isinstance(on_disk, bytes) else nbformat.writes(on_disk).encode())
    for rel, data in job.spec.support_files.items():
        target = workdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


_ZYGOTE = {}  # this worker process's zygote: {"key": ..., "zygote": Zygote, "base": folder}


def _execute_warm(job, graded, on_disk):
    started = time.monotonic()
    zygote = _zygote(job)
    zygote_start = time.monotonic() - started
    workdir, runtime = zygote.workdir, zygote.runtime_dir
    for folder in (workdir, runtime):
        for entry in folder.iterdir():
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    _fill(workdir, job, on_disk)
    try:
        client = kernel.run_notebook(nbformat.from_dict(copy.deepcopy(graded)), job.sandbox, workdir, runtime,
                                     bindings=job.spec.bindings, zygote=zygote)
    finally:
        try:
            zygote.reset()
        except warm.ZygoteError:  # it died (or a fork bomb left it no room): start a new one next time
            _drop_zygote()
    if client.fault and client.fault.startswith("the kernel could not start"):
        raise warm.ZygoteError(client.fault)
    client.timings["zygote_start"] = zygote_start  # > 0 only for the job that started this worker's zygote
    return client


def _zygote(job):
    key = (job.preload, repr(job.sandbox))
    if _ZYGOTE.get("key") == key and _ZYGOTE["zygote"].alive():
        return _ZYGOTE["zygote"]
    _drop_zygote()
    _sweep_stale()
    base = pathlib.Path(tempfile.mkdtemp(prefix=f"autograder-warm-{os.getpid()}-"))
    (base / "work").mkdir()
    (base / "run").mkdir()
    try:
        zygote = warm.Zygote(job.sandbox, base / "work", base / "run", job.preload)
    except (OSError, ValueError, warm.ZygoteError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise warm.ZygoteError(f"the warm-kernel zygote did not start: {exc}") from exc
    _ZYGOTE.update(key=key, zygote=zygote, base=base)
    atexit.register(_drop_zygote)  # plain processes (dask workers) ...
    multiprocessing.util.Finalize(zygote, _drop_zygote, exitpriority=10)  # ... and pool workers (no atexit)
    return zygote


def _sweep_stale():
    """Remove the folders of workers that were killed (SIGKILL leaves no chance to clean up)."""
    for folder in pathlib.Path(tempfile.gettempdir()).glob("autograder-*-*"):
        pid = folder.name.split("-")[-2]
        if pid.isdigit() and folder.is_dir() and not pathlib.Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def _drop_zygote():
    if _ZYGOTE:
        _ZYGOTE["zygote"].close()
        shutil.rmtree(_ZYGOTE["base"], ignore_errors=True)
        _ZYGOTE.clear()


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
