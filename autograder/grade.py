"""``python -m autograder grade``: the main process's loop (plan, dispatch, decide, save, journal, report).

Per assignment: build the :class:`~autograder.spec.NotebookSpec` of each source notebook, record the
assignment in the gradebook, and (unless cached) queue the trusted run first. Every submitted notebook
not already in the journal with the same key becomes a job. Results are handled as they arrive, one at a
time: when all notebooks of a student's assignment are back and the instructor's run passed its own tests
(:mod:`autograder.trusted`), points are decided (:mod:`autograder.decide`, from the trusted runner's run of
each test cell), the gradebook is written (:mod:`autograder.gradebook`), then the
journal (:mod:`autograder.journal`). A progress bar with ETA goes to stderr.
"""

import concurrent.futures.process
import dataclasses
import datetime
import hashlib
import sys
import time

import nbformat
from tqdm import tqdm

from autograder import deadlines, decide, gradebook, reconcile, regrade, report, trusted, warm
from autograder.cluster import make_pool
from autograder.decide import CellDecision
from autograder.ids import student_id_problem
from autograder.journal import Journal, JournalRecord
from autograder.pipeline import Job, RunResult, release_view, run_job
from autograder.prepare import DEFAULT_MAX_BYTES, read_bytes
from autograder.spec import build_spec

MAX_POOL_RESTARTS = 3


@dataclasses.dataclass
class Summary:
    """What a grading run did (the CLI prints it)."""

    graded: int = 0
    skipped: int = 0
    errors: list = dataclasses.field(default_factory=list)
    report: str = None
    timings: dict = dataclasses.field(default_factory=dict)

    @property
    def ok(self):
        return not self.errors


class Grader:
    """One grading run over a :class:`~autograder.course.Course` (see module docstring)."""

    def __init__(self, course, sandbox, workers=None, cluster=None, max_bytes=DEFAULT_MAX_BYTES, progress=True,
                 out=sys.stderr, warm=True):
        self.course, self.sandbox, self.max_bytes = course, sandbox, max_bytes
        self.warm = warm and sandbox.use_bwrap  # the zygote's clean-up needs its own PID namespace
        self.warm_runner = warm  # the trusted zygote runs outside the sandbox: no namespace needed
        self.workers, self.cluster, self.progress, self.out = workers, cluster, progress, out
        self.journal = Journal(course.runs_dir)
        self.summary = Summary()
        self.specs, self.references, self.waiting, self.plans = {}, {}, {}, {}
        self.failed_assignments = {}

    def say(self, text):
        print(text, file=self.out, flush=True)

    # -- plan -----------------------------------------------------------------------------------------
    def plan(self, assignments=None, students=None):
        """Jobs to run: ``[Job]`` (trusted runs first); fills ``self.plans`` per (assignment, student)."""
        known = set(self.course.assignments())
        unknown = sorted(set(assignments or []) - known)
        if unknown:
            raise ValueError(f"no source notebook for assignment(s) {', '.join(unknown)} in "
                             f"{self.course.source_dir('.')}; known: {', '.join(sorted(known)) or 'none'}")
        jobs, trusted_jobs = [], []
        for sub in self.course.submissions(assignments, students):
            problem = student_id_problem(sub.student)
            if problem:  # the same rule as collect (autograder.ids): say so, grade the others
                self.summary.errors.append(f"{sub.folder}: not graded: {problem}; rename the folder")
                self.say(self.summary.errors[-1])
                continue
            specs = self._specs(sub.assignment)
            files = {s.name: read_bytes(sub.folder / f"{s.name}.ipynb", self.max_bytes) for s in specs}
            key = "|".join(f"{s.name}:{files[s.name][1]}:{s.sha256}" for s in specs)
            key = hashlib.sha256(key.encode()).hexdigest()  # the files submitted and the sources they answer
            if self.journal.done(sub.assignment, sub.student, key):
                self.summary.skipped += 1
                continue
            self.plans[(sub.assignment, sub.student)] = {"submission": sub, "key": key, "results": {}}
            for spec in specs:
                data, sha, reason = files[spec.name]
                jobs.append(Job("submission", spec, self.sandbox, sub.student, data, sha, reason,
                                self.course.ignore_pattern))
        for assignment in sorted({a for a, _ in self.plans}):
            for spec in self._specs(assignment):
                cached = trusted.load(self.course, spec)
                if cached is not None:
                    self.references[(assignment, spec.name)] = cached
                else:
                    trusted_jobs.append(Job("trusted", spec, self.sandbox, ignore_pattern=self.course.ignore_pattern))
        preload = warm.preload_for([s for a in {a for a, _ in self.plans} for s in self._specs(a)])
        return [dataclasses.replace(job, warm=self.warm, preload=preload, warm_runner=self.warm_runner)
                for job in trusted_jobs + jobs]

    def _specs(self, assignment):
        if assignment not in self.specs:
            self.specs[assignment] = [build_spec(self.course, assignment, name, path)
                                      for name, path in self.course.source_notebooks(assignment).items()]
            gradebook.ensure_assignment(self.course, self.specs[assignment])
        return self.specs[assignment]

    # -- run ------------------------------------------------------------------------------------------
    def run(self, assignments=None, students=None, report_dir=None):
        clock = time.monotonic()
        jobs = self.plan(assignments, students)
        self.summary.timings = {"plan": time.monotonic() - clock, "save": 0.0}
        if not jobs and not self.summary.skipped:
            self.say(f"nothing to grade: no submission folders in {self.course.submitted_dir()} (expected "
                     f"submitted/STUDENT/ASSIGNMENT/ASSIGNMENT.ipynb; file an LMS download with "
                     f"`python -m autograder collect FOLDER --course {self.course.root}`)")
        if self.summary.skipped:
            self.say(f"{self.summary.skipped} submission(s) already graded with the same files: skipped "
                     f"(delete {self.course.runs_dir} to regrade everything)")
        clock = time.monotonic()
        if jobs:
            self._dispatch(jobs)
        self.summary.timings["runs"] = time.monotonic() - clock
        self.summary.errors += reconcile.messages(self.course)  # gradebook written behind our back?
        clock = time.monotonic()
        self.summary.report = str(report.write(self.course, report_dir))
        self.summary.timings["report"] = time.monotonic() - clock
        return self.summary

    def _dispatch(self, jobs):
        pool = make_pool(self.workers, self.cluster)
        self.say(f"grading {len(self.plans)} submission(s) ({len(jobs)} notebook run(s)) on {pool.describe()}")
        bar = tqdm(total=len(jobs), unit="nb", file=self.out, disable=not self.progress, dynamic_ncols=True)
        restarts = 0
        try:
            for job in jobs:
                pool.submit(run_job, job, priority=10 if job.kind == "trusted" else 0)
            while pool.pending:
                broken = []
                for job, future in pool.next_done():
                    try:
                        result = future.result()
                    except concurrent.futures.process.BrokenProcessPool:
                        broken.append(job)
                        continue
                    except Exception as exc:  # a bug in the engine, not the submission: keep going
                        result = RunResult(job.kind, job.spec.assignment, job.spec.name, job.student,
                                           machine_error=f"{type(exc).__name__}: {exc}")
                    bar.update(1)
                    bar.set_postfix_str(job.student or "trusted run", refresh=False)
                    self._handle(job, result)
                if broken:
                    restarts += 1
                    if restarts > MAX_POOL_RESTARTS:
                        raise RuntimeError(f"worker processes keep dying (last: {broken[0].label}); stopped")
                    self.say(f"a worker process died while grading {broken[0].label}: restarting the pool")
                    pool = self._restart(pool, broken)
        finally:
            bar.close()
            pool.close()

    def _restart(self, pool, extra):
        remaining = list(pool.jobs.values()) + extra
        pool.close()
        pool = make_pool(self.workers, self.cluster)
        for job in remaining:
            pool.submit(run_job, job)
        return pool

    def _handle(self, job, result):
        assignment = job.spec.assignment
        if result.machine_error:
            message = f"{job.label}: grading failed inside the engine ({result.machine_error}); not saved"
            self.summary.errors.append(message)
            self.say(message)
            if job.kind == "trusted":
                self.failed_assignments[assignment] = message
            self.plans.pop((assignment, job.student), None)
            return
        if job.kind == "trusted":
            try:
                self.references[(assignment, job.spec.name)] = trusted.accept(self.course, job.spec, result)
            except trusted.TrustedRunError as exc:
                self.failed_assignments[assignment] = str(exc)
                self.summary.errors.append(str(exc))
                self.say(str(exc))
            for (a, student) in [k for k in self.plans if k[0] == assignment]:
                self._maybe_finish(a, student)
            return
        plan = self.plans.get((assignment, job.student))
        if plan is not None:
            plan["results"][job.spec.name] = result
            self._maybe_finish(assignment, job.student)

    def _maybe_finish(self, assignment, student):
        plan = self.plans.get((assignment, student))
        specs = self.specs[assignment]
        if plan is None or len(plan["results"]) < len(specs):
            return
        if assignment in self.failed_assignments:
            self.plans.pop((assignment, student))
            return
        if any((assignment, s.name) not in self.references for s in specs):
            return
        self.plans.pop((assignment, student))
        self._save(plan, specs)

    # -- decide and save ------------------------------------------------------------------------------
    def _save(self, plan, specs):
        sub = plan["submission"]
        entries, notebooks = {}, {}
        for spec in specs:
            result = plan["results"][spec.name]
            cells, scores = decide_notebook(spec, result)
            executed = result.executed or placeholder(spec, result.reason)
            notebooks[spec.name] = (executed, scores)
            entries[spec.name] = {"reason": result.reason, "fault": result.fault, "notes": list(result.notes),
                                  "flags": list(result.flags), "timings": result.timings,
                                  "cells": {g: c.to_dict() for g, c in cells.items()}}
        clock = time.monotonic()
        gradebook.save(self.course, sub, notebooks, self.course.timestamp(sub))
        deadlines.apply_config(self.course, sub.assignment, [sub.student])  # c.Deadlines: due date, extension
        cells = [c for nb in entries.values() for c in nb["cells"].values()]
        record = JournalRecord(
            assignment=sub.assignment, student=sub.student, key=plan["key"], notebooks=entries,
            graded_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            score=sum(c["points"] or 0 for c in cells), max_score=sum(c["max"] for c in cells))
        previous = self.journal.load(sub.assignment, sub.student)  # a regrade keeps the earlier results
        self.journal.write(dict(record.to_dict(), history=regrade.carry_history(previous)))
        self.summary.graded += 1
        self.summary.timings["save"] += time.monotonic() - clock


def decide_notebook(spec, result):
    """``({grade_id: CellDecision}, {grade_id: auto_score})``: the journal's cells and the gradebook's scores."""
    cells, scores = {}, {}
    tests = set(spec.test_ids())
    for grade_id, max_points in spec.points().items():
        if grade_id not in tests:  # manually graded answer: nbgrader decides (None = needs manual grade)
            cells[grade_id] = CellDecision(None, max_points, "graded by hand (formgrader)")
            continue
        obs = result.observed.get(grade_id)
        if obs is None:
            why = result.reason or result.fault or "the test cell did not run"
            cells[grade_id] = CellDecision(0.0, max_points, why)
        else:
            cells[grade_id] = decide.decide(obs, max_points)
        scores[grade_id] = cells[grade_id].points
    return cells, scores


def placeholder(spec, reason):
    """The notebook saved for a submission that could not be run: what was released, plus the reason."""
    nb = release_view(spec)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"**Autograder:** this notebook could not be graded: {reason}"))
    return nb
