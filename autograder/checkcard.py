"""The self-check's result and its score card as text: light (standard library only).

The command line (``python -m autograder check``) prints it from the self-check server's reply without
importing the engine (nbgrader, nbclient): a warm check costs the lesson's own compute plus about a second.
"""

import dataclasses
import time


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """One self-check (JSON-ready: the check server sends it as a dict).

    Attributes:
        name: the notebook's file name; saved_at: its modification time (seconds since the epoch).
        rows: ``[(grade_id, points, max_points, why)]`` per visible test cell, ``why == "passed"`` or the cause.
        fault: why the run stopped early, or None.
        warm: the kernel was forked from a warm zygote; how: that in words.
        timings: seconds (``total``, ``cells``, ``kernel_start``, ...).
    """

    name: str
    rows: tuple
    fault: str = None
    saved_at: float = 0.0
    warm: bool = False
    how: str = ""
    timings: dict = dataclasses.field(default_factory=dict)

    @property
    def passed(self):
        return all(r[3] == "passed" for r in self.rows)

    def as_dict(self):
        return dict(dataclasses.asdict(self), rows=[list(r) for r in self.rows])

    @classmethod
    def from_dict(cls, data):
        return cls(**dict(data, rows=tuple(tuple(r) for r in data["rows"])))


def score_card(name, rows, fault=None):
    """The printed table: exercise, points, PASS/FAIL and the first line of the failure."""
    width = max([len("exercise")] + [len(r[0]) for r in rows])
    lines = [f"Self-check of {name} (visible tests only: the hidden tests used for grading check more)",
             f"  {'exercise'.ljust(width)}  points  result"]
    for grade_id, points, max_points, why in rows:
        verdict = "PASS" if why == "passed" else f"FAIL  {why}"
        lines.append(f"  {grade_id.ljust(width)}  {f'{points:g}/{max_points:g}'.ljust(6)}  {verdict}")
    earned, total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    passed = sum(r[3] == "passed" for r in rows)
    lines.append(f"Total: {earned:g}/{total:g} points; {passed} of {len(rows)} visible test cells passed.")
    if fault:
        lines.append(f"Note: {fault}")
    return "\n".join(lines)


def timing_line(result):
    """``clean run of the file as saved at 14:02:11: 3.1 s (a kernel forked ...; the cells themselves 2.4 s)``."""
    saved = time.strftime("%H:%M:%S", time.localtime(result.saved_at)) if result.saved_at else "?"
    how = result.how or ("a warm kernel" if result.warm else "a fresh kernel")
    cells = result.timings.get("cells")
    return (f"clean run of the file as saved at {saved}: {result.timings.get('total', 0):.1f} s ({how}"
            + (f"; the cells themselves {cells:.1f} s" if cells is not None else "") + ")")
