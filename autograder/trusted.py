"""The instructor's run: the source notebook with its own solutions, run once per assignment as a check.

Points never depend on it (each submission's test cells are run by the trusted runner against that
submission). It runs through the same sandbox, kernel and trusted runner as every submission (so the two
runs differ only in the solution cells): a source notebook whose test cells fail against its own solutions
through proxies (a test cell not written to the contract) stops the grading of that assignment with the
cell and the reason, before any student is given a wrong score. It is cached under
``course/autograder-runs/.trusted/`` keyed by the source file's hash
(plus fclab.checks and the engine version, see :attr:`autograder.spec.NotebookSpec.sha256`). A source
notebook whose own test cells do not pass cannot be a reference: :class:`TrustedRunError` says which.
"""

import hashlib
import json

from autograder import decide
from autograder.decide import Observation
from autograder.journal import write_json

CACHE_DIR = ".trusted"


class TrustedRunError(RuntimeError):
    """The instructor's source notebook fails its own tests (or did not run): nothing can be graded."""


def cache_path(course, spec):
    """Keyed by the source (and checks code, see NotebookSpec.sha256) and the course's IgnorePattern."""
    key = hashlib.sha256(f"{spec.sha256}|{course.ignore_pattern}".encode()).hexdigest()
    return course.runs_dir / CACHE_DIR / spec.assignment / f"{spec.name}-{key[:20]}.json"


def load(course, spec):
    """The cached observations ``{grade_id: Observation}``, or None."""
    try:
        data = json.loads(cache_path(course, spec).read_text())["observed"]
        return {grade_id: Observation.from_dict(obs) for grade_id, obs in data.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def accept(course, spec, result):
    """Validate a trusted job's result, cache it, and return its observations (or raise)."""
    problems = decide.trusted_problems(result.observed)
    if result.fault:
        problems.insert(0, result.fault)
    missing = set(spec.test_ids()) - set(result.observed)
    problems += [f"{g}: test cell missing from the trusted run" for g in sorted(missing)]
    if problems:
        raise TrustedRunError(
            f"the source notebook {spec.assignment}/{spec.name} fails its own tests, so it cannot be the "
            f"reference: {'; '.join(problems[:5])}. Fix source/{spec.assignment}/{spec.name}.ipynb (run it "
            f"top to bottom) and grade again; no submission of {spec.assignment} was graded")
    observed = {grade_id: obs.to_dict() for grade_id, obs in result.observed.items()}
    write_json(cache_path(course, spec), {"key": spec.sha256, "observed": observed, "timings": result.timings})
    return result.observed
