"""fclab's autograder: sandboxed, parallel, tamper-resistant grading into nbgrader's gradebook.

Instructor-facing (students never import it; nothing here is inside ``fclab``). Run it as
``python -m autograder grade|check|collect|report`` (see :mod:`autograder.cli`).

Grading is a pipeline of small named steps, like nbgrader's preprocessors:

============  ==========================================================================  ==============
step          what it does                                                                module
============  ==========================================================================  ==============
Prepare       read the submitted file safely (size, JSON, nbformat 3 -> 4)                prepare
Rebuild       source cell list; solution cells take the student's answers                 rebuild
Scan          static integrity scan of the student's code (flags for the instructor)      integrity
Run           execute in a sandboxed kernel (bubblewrap + rlimits), guard before tests     kernel, guard,
                                                                                          sandbox
Decide        points outside the kernel: test records vs the trusted run's records        decide, trusted
Save          nbgrader's gradebook (SaveAutoGrades) in the main process, then journal     gradebook,
                                                                                          journal
Report        CSV + HTML                                                                  report
============  ==========================================================================  ==============
"""

__version__ = "0.1.0"
