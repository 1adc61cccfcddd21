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
Run         the notebook minus its test cells in a sandboxed kernel (bubblewrap +         kernel, sandbox,
            rlimits, byte-capped outputs), forked from a warm per-worker zygote           warm, sandboxed/
Test        the test cells (and the setup cells they need) in the trusted runner,        runner, names,
            outside the sandbox; the student's names are proxies: every use is a         proxies, relay,
            JSON request to the agent in the kernel, plain data comes back              protocol, sandboxed/
            (runners forked per submission from a warm per-worker trusted zygote)        agent+wire,
                                                                                         trusted_warm
Decide      points from the trusted run of each test cell (nbgrader's rules)             decide
Check       the instructor's solutions pass their own tests through the same path        trusted
Save        nbgrader's gradebook (SaveCells, SaveAutoGrades) in the main process only    gradebook
Journal     one atomic JSON per (assignment, student) after the gradebook: resumable     journal
Report      grades.csv and report.html (plots, slowest submissions, flags, reasons)      report
==========  ===========================================================================  =====================

Workers (:mod:`autograder.cluster`: local forkserver processes or a dask cluster) run Prepare to Test and
return a :class:`~autograder.pipeline.RunResult`; the main process (:mod:`autograder.grade`) decides, saves
and journals one result at a time, so SQLite is only ever written by one process.

The trust boundary: test cells (hidden tests included) never enter the student's kernel, and nothing from
the kernel is unpickled, imported, executed or called in the trusted runner: it only reads JSON and
``.npy`` (without pickle) through :mod:`autograder.sandboxed.wire`. What a student can still do is
listed in the README ("What the autograder does not stop").
"""

__version__ = "0.2.0"
