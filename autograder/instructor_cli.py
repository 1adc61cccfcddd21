"""The instructor's class commands of ``python -m autograder``: regrade, similarity, deadline.

Added to :mod:`autograder.cli`'s parser by :func:`add_commands`; each handler returns the exit code.
"""

import os
import pathlib
import sys

EXAMPLES = """  python -m autograder regrade --course course                      # after editing a test in source/
  python -m autograder regrade --course course --student alice      # one student, even if nothing changed
  python -m autograder similarity --course course --assignment 01_xw_plus_b
  python -m autograder deadline --course course --assignment 01_xw_plus_b --due "2026-12-01 23:59 UTC"
  python -m autograder deadline --course course --assignment 01_xw_plus_b --student alice --extension-hours 48
"""


def add_commands(commands):
    """Add the subcommands to ``commands`` (an argparse subparsers object)."""
    regrade = commands.add_parser("regrade", help="regrade what a change in source/ affects (keeps manual grades)")
    regrade.add_argument("--course", required=True, type=pathlib.Path, help="nbgrader course root")
    regrade.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    regrade.add_argument("--student", action="append", help="only this student, even if nothing changed (repeatable)")
    regrade.add_argument("--workers", type=int, default=os.cpu_count(), help="worker processes (default: cores)")
    regrade.add_argument("--cluster", metavar="ADDRESS", help="dask.distributed scheduler, e.g. tcp://host:8786")
    regrade.add_argument("--no-sandbox", action="store_true", help="skip bubblewrap (rlimits only)")
    regrade.add_argument("--no-progress", action="store_true", help="no progress bar")

    similar = commands.add_parser("similarity", help="pairs of submissions with unusually alike answers (for review)")
    similar.add_argument("--course", required=True, type=pathlib.Path, help="nbgrader course root")
    similar.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    similar.add_argument("--threshold", type=float, help="smallest score reported (default: autograder.similarity)")
    similar.add_argument("--out", type=pathlib.Path, help="folder for the pages (default: course/private/similarity)")

    deadline = commands.add_parser("deadline", help="due dates and extensions in nbgrader's gradebook")
    deadline.add_argument("--course", required=True, type=pathlib.Path, help="nbgrader course root")
    deadline.add_argument("--assignment", help="the assignment (without it: apply c.Deadlines of the course config)")
    deadline.add_argument("--due", help='due date, e.g. "2026-12-01 23:59 Europe/Berlin" ("none" clears it)')
    deadline.add_argument("--student", help="the student an extension is for")
    deadline.add_argument("--extension-hours", type=float, help="extra hours for --student (0 removes it)")


def _regrade(args):
    from autograder import regrade
    from autograder.course import Course
    from autograder.grade import Grader
    from autograder.sandbox import Limits, Sandbox

    course = Course(args.course)
    sandbox, warning = Sandbox.create(Limits(cell_timeout=course.cell_timeout), sandbox=not args.no_sandbox)
    if warning:
        print(f"autograder: {warning}", file=sys.stderr)
    grader = Grader(course, sandbox, workers=args.workers, cluster=args.cluster, progress=not args.no_progress)
    moved = regrade.regrade(course, grader, args.assignment, args.student)
    for change in moved:
        print(regrade.describe(change))
    if grader.summary.graded:
        print(f"{grader.summary.graded} submission(s) regraded, {len(moved)} score(s) changed; the earlier results "
              f"are in each journal record's history; manual scores and comments in the gradebook were kept")
    return 0 if grader.summary.ok else 1


def _similarity(args):
    from autograder import similarity
    from autograder.course import Course

    course = Course(args.course)
    threshold = similarity.THRESHOLD if args.threshold is None else args.threshold
    for assignment in args.assignment or course.assignments():
        pairs, found = similarity.find(course, assignment, threshold)
        if not found:
            print(f"{assignment}: no submissions in {course.submitted_dir()}")
            continue
        path = similarity.write(course, assignment, pairs, found, args.out)
        print(f"{assignment}: {len(pairs)} pair(s) of {len(found)} submissions with score >= {threshold:g}: {path}")
        for pair in pairs[:10]:
            print(f"  {pair.score:.2f}  {pair.first}  {pair.second}")
    return 0


def _deadline(args):
    from autograder import deadlines
    from autograder.course import Course

    course = Course(args.course)
    if args.assignment is None:
        if args.due or args.student:
            raise ValueError("--due and --student need --assignment")
        for assignment in course.assignments():
            deadlines.apply_config(course, assignment)
        print("applied c.Deadlines from the course config to the gradebook")
        return 0
    if args.student is not None:
        if args.extension_hours is None:
            raise ValueError("--student needs --extension-hours (the extra time, in hours)")
        rows = deadlines.set_extension(course, args.assignment, args.student, args.extension_hours)
    elif args.due is not None:
        rows = deadlines.set_duedate(course, args.assignment, None if args.due.lower() == "none" else args.due)
    else:
        rows = deadlines.lateness(course, args.assignment)
    if not rows:
        print(f"{args.assignment}: no submission in the gradebook yet; the due date and extensions apply when "
              f"submissions are graded")
    for r in rows:
        when = f"{r.timestamp:%Y-%m-%d %H:%M}" if r.known else "unknown (no timestamp.txt: never late)"
        late = f"{r.seconds_late / 3600:.1f} h late, penalty {r.penalty:g}" if r.seconds_late else "on time"
        print(f"{r.student:20} submitted {when}; {late}" + (f" (extension {r.extension_hours:g} h)"
                                                           if r.extension_hours else ""))
    return 0


COMMANDS = {"regrade": _regrade, "similarity": _similarity, "deadline": _deadline}
