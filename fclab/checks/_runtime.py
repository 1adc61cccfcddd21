"""What surrounds the checks: the student's kernel (the lab) or the autograder's trusted runner.

The checks ask one :class:`Runtime` object for the few things that differ between the two:

- ``seed_for(exercise_id)``: the seed of an exercise's inputs. In the lab a fresh one on every run (so an
  answer fitted to one set of inputs fails), unless :func:`seed` pinned one; in grading a seed fixed per
  student, assignment and exercise, so a regrade gives the same result.
- ``emit(record)``: where a check record goes (the lab keeps it in :data:`fclab.checks.records` and
  displays it under the check MIME type so it is saved in the notebook; the grader collects it).
- ``answer_source(fn)`` and ``namespace(fn)``: the source text of an answer and the names it is resolved
  against, for the static scan of forbidden calls.

The autograder installs its own runtime with :func:`set_runtime`; nothing else should.
"""

import inspect
import secrets
import sys

from fclab.checks import _records

SEED_LIMIT = 2**31 - 1


class Runtime:
    """The lab's runtime (the default): fresh seeds, records kept and displayed, sources from inspect."""

    grading = False

    def __init__(self):
        self.pinned_seed = None

    def seed_for(self, exercise_id):
        """The seed of ``exercise_id``'s inputs (an int in [0, 2**31 - 1))."""
        if self.pinned_seed is not None:
            return self.pinned_seed
        return secrets.randbelow(SEED_LIMIT)

    def emit(self, record):
        """Keep ``record`` and, inside a Jupyter kernel, display it (saved with the notebook)."""
        _records.keep(record)
        shell = _kernel_shell()
        if shell is not None:
            from IPython.display import display

            display({_records.MIME_TYPE: record}, raw=True)

    def answer_source(self, fn):
        """Source text of a student's function (None when it cannot be read)."""
        try:
            return inspect.getsource(fn)
        except (OSError, TypeError):
            return None

    def namespace(self, fn):
        """The globals an answer's names resolve against (None when unknown)."""
        return getattr(fn, "__globals__", None)

    def helper_sources(self, fn):
        """``[(name, source)]``: the cells of the student's other names the answer uses, for the static
        forbid scan (in the lab the call watch sees a helper's calls as they happen: none needed)."""
        return []


_current = Runtime()


def get_runtime():
    """The runtime in force."""
    return _current


def set_runtime(runtime):
    """Install ``runtime`` (the autograder's trusted runner does); returns the previous one."""
    global _current
    previous, _current = _current, runtime
    return previous


def seed(value):
    """Pin the inputs of the next exercises to ``value``, or go back to fresh inputs with ``None``.

    A failing test says its seed: ``checks.seed(1234)`` then re-running the test cell draws exactly the
    same inputs again, so you can print them and debug. In grading the seed is fixed by the grader and this
    call has no effect.
    """
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < SEED_LIMIT):
        raise ValueError(f"checks.seed: expected an int in [0, {SEED_LIMIT}) or None, got {value!r}")
    runtime = get_runtime()
    if hasattr(runtime, "pinned_seed"):
        runtime.pinned_seed = value


def _kernel_shell():
    """The running IPython kernel's shell, or None (plain Python, terminal IPython, no IPython at all)."""
    if "IPython" not in sys.modules or "ipykernel" not in sys.modules:
        return None
    shell = sys.modules["IPython"].get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    return shell
