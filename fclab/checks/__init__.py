"""What test cells call: checks that say what was expected, what came, why, and what to do next.

A test cell runs its checks inside an exercise block (the contract every lesson follows)::

    with checks.exercise("ex3_dense_forward", forbid=["fclab.reference.dense"], hints=[...]) as ex:
        X, W, b = ex.normal((5, 3)), ex.normal((3, 4)), ex.normal(4) + 0.5
        checks.check_function(dense_forward, ref.dense, [(X, W, b)], mistakes=checks.mistakes.dense_forward())

- inputs are drawn from ``ex.rng`` (fresh seed on every run in the lab; :func:`seed` replays one; fixed per
  student in grading), so an answer fitted to one example fails;
- the answer is called under watch (:meth:`Exercise.call`, used by :func:`check_function`): calling what
  the exercise forbids, modifying an input in place, or raising inside the answer fails the test and says
  so (shape errors explained by :mod:`fclab.explain`);
- a failing check raises ``AssertionError``: got vs expected (shapes, dtypes, largest error and where,
  first differing index or item), ``Diagnosis [code]:`` lines when a cause is likely (see
  :mod:`fclab.checks.mistakes` and :data:`CATALOGUE`), what to do next, the exercise and seed, and how to
  get a hint (:func:`hint`).

Checks: :func:`check_shape`, :func:`check_close`, :func:`check_equal`, :func:`check_true`,
:func:`check_function`, :func:`check_accuracy`.

Records. Every check, pass or fail, emits a JSON record (format in :mod:`fclab.checks._records`: check,
name, exercise, hidden, seed, passed, diagnosis codes, got, expected) to the runtime in force
(:mod:`fclab.checks._runtime`). In the lab it is appended to :data:`records` and, inside a Jupyter kernel,
displayed with MIME type :data:`MIME_TYPE` (``application/vnd.fclab.check+json``) so that it is saved in
the notebook; the in-lab :func:`score_card` reads them. In grading the autograder's trusted runner installs
its own runtime and collects them; test cells never run in the student's kernel there.

The display bundle holds only that MIME type, deliberately without ``text/plain``: JupyterLab 4 shows
nothing for it (an empty output area), and nbconvert's HTML exporter (nbgrader's feedback) renders an
empty output area and logs "not able to be represented".
"""

from fclab.checks import mistakes
from fclab.checks._calls import CallOutcome, ErrorInfo, call_watched
from fclab.checks._catalogue import CATALOGUE
from fclab.checks._checks import check_close, check_equal, check_shape, check_true
from fclab.checks._exercise import Exercise, exercise, hint
from fclab.checks._function import check_accuracy, check_function
from fclab.checks._match import records_match
from fclab.checks._records import MIME_TYPE, records
from fclab.checks._runtime import Runtime, get_runtime, seed, set_runtime
from fclab.checks._scorecard import score_card
from fclab.checks.mistakes import Mistake

__all__ = [
    "CATALOGUE",
    "CallOutcome",
    "ErrorInfo",
    "Exercise",
    "MIME_TYPE",
    "Mistake",
    "Runtime",
    "call_watched",
    "check_accuracy",
    "check_close",
    "check_equal",
    "check_function",
    "check_shape",
    "check_true",
    "exercise",
    "get_runtime",
    "hint",
    "mistakes",
    "records",
    "records_match",
    "score_card",
    "seed",
    "set_runtime",
]
