"""What test cells call: assertions that say what was expected, what came, and what to do next.

>>> import numpy as np
>>> from fclab.checks import check_close
>>> check_close(np.array([1.0, 2.0]), np.array([1.0, 2.0]))  # passes silently

Checks: :func:`check_shape`, :func:`check_close`, :func:`check_equal`, :func:`check_true`,
:func:`check_function`, :func:`check_accuracy`. A failing check raises ``AssertionError`` with got vs
expected (shapes, dtypes, largest error and where, first differing index, a few entries side by side, the
tolerance) and a diagnosis where one fits (kernel transposed, bias missing or sign-flipped, relu missing or
applied before the bias, softmax rows not summing to 1 or normalised over the wrong axis, output
transposed).

Records. Every check, pass or fail, emits a JSON record (format in :mod:`fclab.checks._records`) that is
appended to :data:`records` and, inside a Jupyter kernel, displayed with MIME type :data:`MIME_TYPE`
(``application/vnd.fclab.check+json``) so that it is saved in the notebook. The autograder compares those
records with the ones of a trusted run using :func:`records_match`.

The display bundle holds only that MIME type, deliberately without ``text/plain``. JupyterLab 4
(``OutputArea._insertOutput``: when ``createOutputItem`` finds no renderer for any MIME type of the bundle it
inserts a bare, empty ``Widget``) then shows nothing: no prompt, no text. Checked in JupyterLab 4.6 in
Chromium: the cell's output area holds one empty ``<div class="lm-Widget">``; a ``text/plain`` of "" would
add an output prompt and an empty ``<pre>`` instead, equally blank but not less. nbconvert's HTML exporter
(and so nbgrader's feedback) renders an empty output area for it and logs "not able to be represented".
"""

from fclab.checks._checks import check_close, check_equal, check_shape, check_true
from fclab.checks._function import check_accuracy, check_function
from fclab.checks._match import records_match
from fclab.checks._records import MIME_TYPE, records

__all__ = [
    "MIME_TYPE",
    "check_accuracy",
    "check_close",
    "check_equal",
    "check_function",
    "check_shape",
    "check_true",
    "records",
    "records_match",
]
