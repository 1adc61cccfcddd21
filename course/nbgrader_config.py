"""nbgrader configuration for the fclab course.

Run nbgrader from this folder (the Makefile's instructor targets do): the lessons live in ../source
(instructor versions) and ../release (student versions, committed); gradebook.db, submitted/,
autograded/ and feedback/ are created here at run time and are git-ignored.
"""

import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

# TensorFlow writes C++ log lines to stderr; nbgrader zeroes a test cell with any stderr output
# (nbgrader issue 1904). Keep TF quiet in every kernel nbgrader starts (kernels inherit this environment)...
import fclab.env  # noqa: E402  (TF_CPP_MIN_LOG_LEVEL, TF_ENABLE_ONEDNN_OPTS, KERAS_BACKEND: one place)

fclab.env.apply()
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

c.CourseDirectory.course_id = "fclab"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "../source"
c.CourseDirectory.release_directory = "../release"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Cells may train a small network; a runaway cell still ends.
c.ExecutePreprocessor.timeout = 300
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# ...and should a log line get through anyway, drop it before grades are decided.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(^|\n)(WARNING: All log messages before absl::InitializeLog|[IWE]\d{4} [\d:. ]+\d+ \w+\.cc:\d+\]"
    r"|This TensorFlow binary is optimized|To enable the following instructions)"
)

# Feedback goes to students: no hidden tests, no hidden-test source in tracebacks (nbgrader issues 917
# and 1363), and no live script, event handler or javascript: URL from a student's outputs (bleach).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.HideHiddenTestTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "autograder.feedback.SanitizeFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
