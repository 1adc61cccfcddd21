"""fclab's autograder: sandboxed, parallel, tamper-resistant grading into nbgrader's gradebook.

Instructor-facing (students never import it; nothing here is inside ``fclab``). Run it as
``python -m autograder grade|check|collect|report`` (see :mod:`autograder.cli`).

Grading is a pipeline of small named steps, like nbgrader's preprocessors:

==========  ===========================================================================  =====================
step        what it does                                                                 module
==========  ===========================================================================  =====================
Prepare     read the submitted file safely (size, JSON, nbformat 3 -> 4)                 prepare
Rebuild     the source's cell list; solution cells take the student's answers            rebuild (spec)
Scan        static integrity scan of the student's code (flags for the instructor)       integrity
Run         sandboxed kernel (bubblewrap + rlimits), byte-capped outputs, the guard      kernel, sandbox,
            around each test cell; kernels forked from a warm per-worker zygote          guard, warm
Decide      points outside the kernel: the test's records vs the trusted run's records   decide, trusted
Save        nbgrader's gradebook (SaveCells, SaveAutoGrades) in the main process only    gradebook
Journal     one atomic JSON per (assignment, student) after the gradebook: resumable     journal
Report      grades.csv and report.html (plots, slowest submissions, flags, reasons)      report
==========  ===========================================================================  =====================

Workers (:mod:`autograder.cluster`: local forkserver processes or a dask cluster) run Prepare to Run and
return plain data; the main process (:mod:`autograder.grade`) decides, saves and journals one result at a
time, so SQLite is only ever written by one process.

What the sandbox and the guard do not do: a student's code runs in the same process as the test cell
that calls it, so code written to forge check records *from inside the call* and to undo its own patches
before the guard's after-test look can still pass a test. Every way of doing that found so far needs
lines the static scan flags (assigning attributes of fclab/numpy/IPython/builtins, ``setattr``,
``sys.modules``, ``__dict__``...), so such a submission always reaches the instructor's review list.
"""

__version__ = "0.1.0"
