"""How long the 16 lesson notebooks (8 source + 8 release) take to execute on this machine.

Goal: ≤ 120 s in total on 2 cores, kernel start and `import tensorflow` included. Run one after another
(not in parallel) so the figure is what one student or one CI job sees. Correctness of the same runs is
tested in tests/nbgrader/test_cycle.py; here only the time is reported.
"""

from benchtable import print_table
from nbrun import LESSONS, REPO, cell_errors, execute_notebook

GOAL_SECONDS = 120


def test_lesson_execution_times():
    rows, total = [], 0.0
    for name in LESSONS:
        for version in ("source", "release"):
            nb, seconds = execute_notebook(REPO / version / name / f"{name}.ipynb", allow_errors=True)
            errors = {output["ename"] for _, _, output in cell_errors(nb)}
            assert version == "release" or not errors, f"source/{name} raised {errors}"
            total += seconds
            rows.append((f"{version}/{name}", f"{seconds:.1f}"))
    rows.append(("total", f"{total:.1f}"))
    rows.append(("goal", f"<= {GOAL_SECONDS}"))
    print_table("Lesson notebooks, executed one after another (s)", ("notebook", "seconds"), rows)
