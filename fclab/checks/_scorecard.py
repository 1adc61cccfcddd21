"""The in-lab score card: each exercise's state from this kernel's check records, instantly.

``checks.score_card()`` (the last cell of every lesson) shows, per exercise: not tried yet / failing, with
the diagnosis of its first failing check / passing, and the points of its test cell. Only the visible
tests count here (the grader's hidden tests check more). The exercises and their points are read from the
saved notebook (``JPY_SESSION_NAME``, set by Jupyter for a notebook's kernel) or given as ``points``.
In the lab, a button under the card runs the saved notebook clean, top to bottom in a fresh kernel
(:mod:`fclab.widgets.clean_run`).
"""

import dataclasses
import html
import json
import os

from fclab.checks._catalogue import CATALOGUE
from fclab.checks._exercise import latest_runs

TEST_SUFFIX = "_test"


@dataclasses.dataclass(frozen=True)
class Row:
    """One exercise on the card."""

    exercise: str
    state: str  # "not tried", "failing", "passing"
    points: float
    max_points: float
    why: str = ""


def _notebook_points(path):
    """``{exercise id: points}`` of the test cells of the notebook at ``path`` (in order), or {}."""
    try:
        with open(path, encoding="utf-8") as handle:
            notebook = json.load(handle)
    except (OSError, ValueError):
        return {}
    found = {}
    for cell in notebook.get("cells", []):
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        grade_id = meta.get("grade_id") or ""
        if meta.get("grade") and not meta.get("solution") and grade_id.endswith(TEST_SUFFIX):
            found[grade_id[: -len(TEST_SUFFIX)]] = float(meta.get("points", 0))
    return found


def _why(records):
    failing = next((r for r in records if not r.get("passed")), None)
    if failing is None:
        return ""
    codes = failing.get("diagnoses") or []
    if codes:
        return "; ".join(CATALOGUE[c].title if c in CATALOGUE else c for c in codes)
    return f"{failing.get('check')} {failing.get('name')!r} failed"


def rows(points=None):
    """The card's rows from the latest run of each exercise in this kernel."""
    runs = latest_runs()
    if points is None:
        session = os.environ.get("JPY_SESSION_NAME")
        points = _notebook_points(session) if session else {}
    order = list(points) + [e for e in runs if e not in points]
    out = []
    for exercise_id in order:
        max_points = float(points.get(exercise_id, 0))
        run = runs.get(exercise_id)
        if run is None:
            out.append(Row(exercise_id, "not tried", 0.0, max_points, "run its test cell"))
        elif run.failed or any(not r.get("passed") for r in run.records):
            out.append(Row(exercise_id, "failing", 0.0, max_points, _why(run.records) or run.failed))
        elif not run.records:
            out.append(Row(exercise_id, "not tried", 0.0, max_points, "its test cell ran no check"))
        else:
            out.append(Row(exercise_id, "passing", max_points, max_points))
    return out


class ScoreCard:
    """What :func:`score_card` returns: shown as a table in JupyterLab, as text elsewhere."""

    def __init__(self, card_rows):
        self.rows = card_rows

    @property
    def total(self):
        return sum(r.points for r in self.rows), sum(r.max_points for r in self.rows)

    def __repr__(self):
        earned, total = self.total
        lines = ["Score card (visible tests of this session; grading runs hidden tests too)"]
        for r in self.rows:
            lines.append(f"  {r.exercise:<34} {r.state:<10} {r.points:g}/{r.max_points:g}  {r.why}".rstrip())
        lines.append(f"  total {earned:g}/{total:g}")
        return "\n".join(lines)

    def _ipython_display_(self):
        from IPython.display import display

        display({"text/html": self._repr_html_(), "text/plain": repr(self)}, raw=True)
        if os.environ.get("JPY_SESSION_NAME"):  # a notebook in Jupyter: offer the clean run
            try:
                from fclab.widgets.clean_run import clean_run_button
            except ImportError:  # no ipywidgets: the card alone
                return
            button = clean_run_button()
            if button is not None:
                display(button)

    def _repr_html_(self):
        colour = {"passing": "#1a7f37", "failing": "#cf222e", "not tried": "#6e7781"}
        body = "".join(
            f"<tr><td><code>{html.escape(r.exercise)}</code></td>"
            f"<td style='color:{colour[r.state]};font-weight:600'>{r.state}</td>"
            f"<td>{r.points:g} / {r.max_points:g}</td><td>{html.escape(r.why)}</td></tr>" for r in self.rows)
        earned, total = self.total
        return ("<table><thead><tr><th>exercise</th><th>state</th><th>points</th><th>why</th></tr></thead>"
                f"<tbody>{body}</tbody><tfoot><tr><td>total</td><td></td><td>{earned:g} / {total:g}</td>"
                "<td>visible tests only; grading runs hidden tests too</td></tr></tfoot></table>")


def score_card(points=None):
    """The score card of this session (see module docstring). ``points``: ``{exercise id: points}``."""
    return ScoreCard(rows(points))
