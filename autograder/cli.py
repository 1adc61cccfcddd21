"""Command line: ``python -m autograder grade|check|collect|report`` (instructor-facing, plus ``check``)."""

import argparse
import os
import pathlib
import sys

import fclab.env

from autograder import instructor_cli
from autograder.prepare import DEFAULT_MAX_BYTES
from autograder.sandbox import Limits, Sandbox

EXAMPLES = """examples:
  python -m autograder collect ~/Downloads/lms-export --course course
  python -m autograder grade --course course --workers 4
  python -m autograder grade --course course --assignment 01_xw_plus_b --student alice
  python -m autograder report --course course
  python -m autograder check release/01_xw_plus_b/01_xw_plus_b.ipynb
""" + instructor_cli.EXAMPLES


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m autograder", epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="Sandboxed, parallel grading into nbgrader's gradebook.")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade everything in course/submitted (resumable)")
    grade.add_argument("--course", required=True, type=pathlib.Path, help="nbgrader course root")
    grade.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    grade.add_argument("--student", action="append", help="only this student (repeatable)")
    grade.add_argument("--workers", type=int, default=os.cpu_count(), help="worker processes (default: cores)")
    grade.add_argument("--cluster", metavar="ADDRESS", help="dask.distributed scheduler, e.g. tcp://host:8786")
    grade.add_argument("--timeout-cell", type=float, metavar="S", help="seconds per cell (default: course config)")
    grade.add_argument("--timeout-notebook", type=float, metavar="S", help="seconds per notebook (default 1200)")
    grade.add_argument("--memory-mb", type=int, default=Limits.memory_bytes // 2**20, help="address space per kernel")
    grade.add_argument("--cpu-seconds", type=int, default=Limits.cpu_seconds, help="CPU seconds per kernel")
    grade.add_argument("--processes", type=int, default=Limits.processes, help="processes/threads per kernel")
    grade.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest submitted file accepted")
    grade.add_argument("--no-sandbox", action="store_true", help="skip bubblewrap (rlimits only)")
    grade.add_argument("--fresh-kernels", action="store_true",
                       help="start every kernel from scratch instead of forking it from a warm zygote")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument("--report-dir", type=pathlib.Path, help="where grades.csv and report.html go")

    check = commands.add_parser("check", help="self-study: run one notebook against its visible tests",
                                description="A clean run of the saved notebook against its visible tests. The "
                                "kernel is forked from a warm self-check server (started on first use, stopped "
                                "after 30 idle minutes), so only the first check pays for the imports.")
    check.add_argument("notebook", type=pathlib.Path, nargs="?")
    check.add_argument("--no-sandbox", action="store_true", help="skip bubblewrap (rlimits only)")
    check.add_argument("--cold", action="store_true", help="start a fresh kernel here instead of asking the server")
    check.add_argument("--stop", action="store_true", help="stop the self-check server and exit")

    collect = commands.add_parser("collect", help="file a folder of submissions into course/submitted")
    collect.add_argument("folder", type=pathlib.Path)
    collect.add_argument("--course", required=True, type=pathlib.Path, help="nbgrader course root")
    collect.add_argument("--update", action="store_true", help="replace already collected files that differ")

    report = commands.add_parser("report", help="regenerate grades.csv and report.html from stored results")
    report.add_argument("--course", required=True, type=pathlib.Path, help="nbgrader course root")
    report.add_argument("--report-dir", type=pathlib.Path, help="where grades.csv and report.html go")
    instructor_cli.add_commands(commands)  # regrade, similarity, deadline
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    fclab.env.apply()  # before anything imports TensorFlow: kernels and runners inherit it
    try:
        return COMMANDS[args.command](args)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return 2


def _grade(args):
    from autograder.course import Course
    from autograder.grade import Grader

    course = Course(args.course)
    limits = Limits(cpu_seconds=args.cpu_seconds, memory_bytes=args.memory_mb * 2**20, processes=args.processes,
                    cell_timeout=args.timeout_cell or course.cell_timeout,
                    notebook_timeout=args.timeout_notebook or Limits.notebook_timeout)
    sandbox, warning = Sandbox.create(limits, sandbox=not args.no_sandbox)
    if warning:
        print(f"autograder: {warning}", file=sys.stderr)
    print(f"autograder: {sandbox.process_limit}", file=sys.stderr)
    cluster = args.cluster
    grader = Grader(course, sandbox, workers=args.workers, cluster=cluster, max_bytes=args.max_bytes,
                    progress=not args.no_progress, warm=not args.fresh_kernels)
    summary = grader.run(args.assignment, args.student, args.report_dir)
    print(f"graded {summary.graded}, skipped {summary.skipped} (already graded), problems {len(summary.errors)}; "
          f"report: {summary.report}")
    t = summary.timings
    print(f"time: planning {t.get('plan', 0):.1f} s, notebook runs {t.get('runs', 0):.1f} s (wall; of which "
          f"gradebook and journal writes {t.get('save', 0):.1f} s), report {t.get('report', 0):.1f} s")
    for error in summary.errors:
        print(f"  problem: {error}")
    return 0 if summary.ok else 1


def _check(args):
    from autograder import check_client, checkcard  # light: the engine loads in the server only

    if args.stop:
        print("stopped the self-check server" if check_client.stop() else "no self-check server was running")
        return 0
    if args.notebook is None:
        raise SystemExit("usage: python -m autograder check NOTEBOOK (or --stop)")
    if args.cold:
        from autograder import selfcheck

        sandbox = None if not args.no_sandbox else selfcheck.default_sandbox(sandbox=False)[0]
        rows = selfcheck.check(args.notebook, sandbox=sandbox)
        return 0 if all(r[3] == "passed" for r in rows) else 1
    result = checkcard.CheckResult.from_dict(check_client.check(args.notebook, no_sandbox=args.no_sandbox))
    print(checkcard.score_card(result.name, result.rows, result.fault))
    print(checkcard.timing_line(result))
    return 0 if result.passed else 1


def _collect(args):
    from autograder.collect import collect
    from autograder.course import Course

    filed = collect(args.folder, Course(args.course), update=args.update)
    for item in filed:
        print(f"{item.status:9} {item.source}: {item.message}")
    counts = {s: sum(f.status == s for f in filed)
              for s in ("new", "updated", "unchanged", "differs", "skipped", "ignored")}
    print(", ".join(f"{n} {s}" for s, n in counts.items()))
    return 1 if counts["differs"] or counts["skipped"] else 0


def _report(args):
    from autograder import report
    from autograder.course import Course

    from autograder.reconcile import messages

    course = Course(args.course)
    path = report.write(course, args.report_dir)
    print(f"wrote {path} and {path.with_name(report.CSV_NAME)}")
    problems = messages(course)
    for line in problems:
        print(f"  problem: {line}")
    return 1 if problems else 0


COMMANDS = {"grade": _grade, "check": _check, "collect": _collect, "report": _report, **instructor_cli.COMMANDS}
