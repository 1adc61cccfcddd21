"""The worker side: one job = one notebook run (sandboxed kernel + trusted runner); returns a RunResult.

``run_job`` is what a worker process (or a dask worker) executes::

    Prepare -> Rebuild -> Scan -> Run (kernel in the sandbox, tests in the trusted runner) -> Observe

and returns a :class:`RunResult` (frozen, picklable). Decisions and every write to the gradebook happen in
the main process (:mod:`autograder.grade`). A job never raises for a bad submission: every fault ends up
as ``reason``/``fault`` in the result.

The kernel runs the rebuilt notebook except its test cells; the trusted runner (:mod:`autograder.runner`,
forked from this worker's trusted zygote, :mod:`autograder.trusted_warm`) runs the test cells and the setup
cells they need (:mod:`autograder.names`), reaching the student's names through the agent.
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

from autograder import decide, integrity, kernel, names, prepare, protocol, rebuild, trusted_warm, warm
from autograder.spec import gid, is_solution

SANDBOXED_DIR = pathlib.Path(__file__).resolve().parent / "sandboxed"


@dataclasses.dataclass(frozen=True)
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
        warm_runner: fork the trusted runner from this worker's trusted zygote (else start it fresh).
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
    warm_runner: bool = False

    @property
    def label(self):
        who = self.student or "trusted run"
        return f"{self.spec.assignment}/{self.spec.name} ({who})"


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What a worker sends back for one job (picklable; the main process decides from it).

    Attributes:
        observed: ``{grade_id: decide.Observation}`` of the test cells.
        executed: the executed notebook (test cells carry the trusted run's outputs), or None.
        notes, flags: rebuild notes and integrity flags (strings).
        reason: why the notebook could not be run at all; fault: why the run stopped early.
        machine_error: an error of the engine itself (the result is not saved).
    """

    kind: str
    assignment: str
    notebook: str
    student: str = ""
    sha: str = ""
    source_sha: str = ""
    notes: tuple = ()
    flags: tuple = ()
    reason: str = None
    fault: str = None
    observed: dict = dataclasses.field(default_factory=dict)
    executed: object = None
    timings: dict = dataclasses.field(default_factory=dict)
    machine_error: str = None


def run_job(job):
    """Grade-side work for one notebook -> :class:`RunResult` (see module docstring)."""
    started = time.monotonic()
    job = dataclasses.replace(job, sandbox=dataclasses.replace(
        job.sandbox, extra_ro=tuple(job.sandbox.extra_ro) + (str(SANDBOXED_DIR),)))
    result = dict(kind=job.kind, assignment=job.spec.assignment, notebook=job.spec.name, student=job.student,
                  sha=job.sha, source_sha=job.spec.sha256, notes=[], reason=job.reason, flags=[])
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
    result["observed"] = decide.observe(executed, client.cell_log, client.trusted_log, client.fault)
    result["timings"] = dict(client.timings, slowest_cells=sorted(
        client.cell_log, key=lambda c: -c["seconds"])[:3],
        first_code_cell=client.cell_log[0]["seconds"] if client.cell_log else 0.0)
    for cell in executed["cells"]:
        cell.get("metadata", {}).pop("autograder", None)
    result["executed"] = nbformat.from_dict(executed)
    return _finish(result, started)


def _finish(result, started):
    timings = dict(result.pop("timings", {}), total=round(time.monotonic() - started, 3))
    return RunResult(timings=timings, **{k: tuple(v) if isinstance(v, list) else v for k, v in result.items()})


def _execute(job, graded, on_disk):
    """Run ``graded``: the kernel (sandboxed; its folder holds only the student's file and the support files)
    with the trusted runner beside it for the test cells."""
    students = names.student_names(graded["cells"], job.spec.solutions)
    setup = names.needed_setup(graded["cells"], students)
    started = time.monotonic()
    trusted_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"autograder-trusted-{os.getpid()}-"))
    runner = None
    try:
        _fill(trusted_dir, job, None)
        runner = _start_runner(job, trusted_dir)
        sources = names.student_sources(graded["cells"])
        runner.send(protocol.RunnerInit(workdir=str(trusted_dir), student_names=tuple(sorted(students)),
                                        label=f"{job.spec.assignment}|{job.spec.name}|{job.student}|{job.sha}",
                                        sources=tuple(sorted(sources.items()))))
        runner_start = time.monotonic() - started
        client = None
        if job.warm:
            try:
                client = _execute_warm(job, graded, on_disk, runner, setup)
            except warm.ZygoteError:
                _drop_zygote()
        if client is None:
            client = _execute_fresh(job, graded, on_disk, runner, setup)
        client.timings["runner_start"] = runner_start
        return client
    finally:
        if runner is not None:
            runner.kill()
        shutil.rmtree(trusted_dir, ignore_errors=True)


def _start_runner(job, trusted_dir):
    if job.warm_runner:
        try:
            return _trusted_zygote(job).spawn()
        except trusted_warm.RunnerError:
            _drop_trusted()
    return trusted_warm.start_fresh(trusted_dir)


def _execute_fresh(job, graded, on_disk, runner, setup):
    base = pathlib.Path(tempfile.mkdtemp(prefix=f"autograder-{os.getpid()}-"))
    try:
        workdir, runtime = base / "work", base / "run"
        workdir.mkdir()
        runtime.mkdir()
        _fill(workdir, job, on_disk)
        return kernel.run_notebook(nbformat.from_dict(copy.deepcopy(graded)), job.sandbox, workdir, runtime,
                                   runner=runner, setup_cells=setup)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _fill(workdir, job, on_disk):
    """The support files (and the submitted notebook file, unless ``on_disk`` is None) into ``workdir``."""
    if on_disk is not None:
        (workdir / f"{job.spec.name}.ipynb").write_bytes(
            on_disk if isinstance(on_disk, bytes) else nbformat.writes(on_disk).encode())
    for rel, data in job.spec.support_files.items():
        target = workdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


_ZYGOTE = {}  # this worker process's zygote: {"key": ..., "zygote": Zygote, "base": folder}


def _execute_warm(job, graded, on_disk, runner, setup):
    started = time.monotonic()
    zygote = _zygote(job)
    zygote_start = time.monotonic() - started
    workdir, runtime = zygote.workdir, zygote.runtime_dir
    zygote.empty_folders()
    _fill(workdir, job, on_disk)
    try:
        client = kernel.run_notebook(nbformat.from_dict(copy.deepcopy(graded)), job.sandbox, workdir, runtime,
                                     runner=runner, setup_cells=setup, zygote=zygote)
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


_TRUSTED = {}  # this worker process's trusted zygote: {"key": preload, "zygote": TrustedZygote, "base": folder}


def _trusted_zygote(job):
    preload = tuple(sorted(set(job.preload) | {"numpy", "fclab.checks", "IPython.core.interactiveshell"}))
    if _TRUSTED.get("key") == preload and _TRUSTED["zygote"].alive():
        return _TRUSTED["zygote"]
    _drop_trusted()
    base = pathlib.Path(tempfile.mkdtemp(prefix=f"autograder-tzygote-{os.getpid()}-"))
    zygote = trusted_warm.TrustedZygote(preload, base, base / "trusted-zygote.log")
    _TRUSTED.update(key=preload, zygote=zygote, base=base)
    atexit.register(_drop_trusted)
    multiprocessing.util.Finalize(zygote, _drop_trusted, exitpriority=10)
    return zygote


def _drop_trusted():
    if _TRUSTED:
        _TRUSTED["zygote"].close()
        shutil.rmtree(_TRUSTED["base"], ignore_errors=True)
        _TRUSTED.clear()


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


def solved_view(spec):
    """The release view answered with the instructor's solutions: what a student who got everything right
    hands in (the benchmarks and the real-course test submit it)."""
    nb = release_view(spec)
    for cell in nb.cells:
        if is_solution(cell) and gid(cell) in spec.solutions:
            cell.source = spec.solutions[gid(cell)]
    return nb
