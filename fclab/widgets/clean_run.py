"""The clean-run button under the score card: the saved notebook, top to bottom, in a fresh kernel.

The score card (``checks.score_card()``) reads this kernel's check records: it shows what *this session*
ran, including anything typed and run by hand and since deleted. The button asks for a clean run of the
notebook *as saved*, the way the grader runs it: a new kernel, every cell in order, the visible tests. It
goes through :mod:`autograder.check_client` (the warm self-check server: the first run starts it, later
runs cost the lesson's own compute plus about a second) and shows the same score card as
``python -m autograder check``, with each failure's cause.

A saved file older than the last test run in this session is stale: the button says so (press Ctrl-S),
and still checks the file, since that is what would be handed in.
"""

from __future__ import annotations

import html
import os
import time

import ipywidgets as widgets

from fclab.checks._exercise import latest_runs

from ._saved_view import SavedView

INTRO = ("Runs the notebook <b>as saved</b> (Ctrl-S first) from top to bottom in a fresh kernel, as the grader "
         "does, against the visible tests. The first run starts a helper (about 10 s); later runs take the "
         "lesson's own time plus a second.")


def _check_with_server(path):
    """The self-check server's result dict for ``path`` (raises RuntimeError with what to do)."""
    try:
        from autograder import check_client
    except ImportError as exc:
        raise RuntimeError("the clean run needs the autograder package of the fclab repository (it is in "
                           f"the repository and in the student bundle; importing it failed: {exc})") from exc
    return check_client.check(path)


def stale_note(path, runs=None):
    """A warning when this session ran a test after the file at ``path`` was last saved, else ""."""
    runs = latest_runs() if runs is None else runs
    try:
        saved = os.stat(path).st_mtime
    except OSError:
        return ""
    latest = max((getattr(r, "started_at", 0.0) for r in runs.values()), default=0.0)
    if latest <= saved + 1.0:  # file times use a coarse clock: a save right after a run is not stale
        return ""
    return (f"The saved file ({_clock(saved)}) is older than your last test run here ({_clock(latest)}): what "
            f"you see in the notebook may not be saved yet. Press Ctrl-S, then run the clean check again.")


def _clock(seconds):
    return time.strftime("%H:%M:%S", time.localtime(seconds))


def result_html(result):
    """The clean run's score card as an HTML table (``result``: the server's dict, see
    :class:`autograder.selfcheck.CheckResult`)."""
    rows = "".join(
        f"<tr><td><code>{html.escape(grade_id.removesuffix('_test'))}</code></td>"
        f"<td style='color:{'#1a7f37' if why == 'passed' else '#cf222e'};font-weight:600'>"
        f"{'PASS' if why == 'passed' else 'FAIL'}</td><td>{points:g} / {max_points:g}</td>"
        f"<td style='white-space:pre-wrap'>{'' if why == 'passed' else html.escape(why)}</td></tr>"
        for grade_id, points, max_points, why in result["rows"])
    earned = sum(r[1] for r in result["rows"])
    total = sum(r[2] for r in result["rows"])
    fault = (f"<p style='color:#cf222e'>The run stopped early: {html.escape(result['fault'])}</p>"
             if result.get("fault") else "")
    timings = result.get("timings", {})
    how = html.escape(result.get("how") or "a fresh kernel")
    # JupyterLab's own class for rendered HTML: the same table style as the score card above
    return (f"<div class='jp-RenderedHTMLCommon' style='padding:0'><p><b>Clean run of "
            f"{html.escape(result['name'])}</b> as saved at {_clock(result.get('saved_at', 0))}"
            f" ({timings.get('total', 0):.1f} s, {how})</p>{fault}"
            "<table style='margin-left:0'><thead><tr><th>exercise</th><th>result</th><th>points</th><th>why</th></tr></thead>"
            f"<tbody>{rows}</tbody><tfoot><tr><td>total</td><td></td><td>{earned:g} / {total:g}</td>"
            "<td>visible tests only; grading runs hidden tests too</td></tr></tfoot></table></div>")


class CleanRun(SavedView, widgets.VBox):
    """The button, a status line and the last clean run's card (see module docstring).

    Args:
        path: the saved notebook (absolute path; the lab gives it as ``JPY_SESSION_NAME``).
        checker: ``checker(path) -> result dict``; the self-check server by default (tests pass their own).
    """

    saved_view_name = "clean-run button"

    def __init__(self, path, checker=None):
        self.path = path
        self.checker = checker or _check_with_server
        self.button = widgets.Button(description="Clean run of the saved notebook", icon="play",
                                     layout=widgets.Layout(width="300px"),
                                     tooltip="top to bottom in a fresh kernel, visible tests only")
        self.status = widgets.HTML(f"<span style='color:#555'>{INTRO}</span>")
        self.result = widgets.HTML("")
        self.button.on_click(lambda _button: self.run())
        super().__init__([self.button, self.status, self.result])
        self.watch_view(self.result)

    def run(self):
        """Check the saved file now (what a click does); returns the result dict, or None on failure."""
        note = stale_note(self.path)
        self.button.disabled = True
        self.status.value = "<span style='color:#555'>Running the saved notebook in a fresh kernel…</span>"
        try:
            result = self.checker(self.path)
        except (RuntimeError, OSError, ValueError) as exc:
            self.status.value = (f"<span style='color:#cf222e'>The clean run could not start: "
                                 f"{html.escape(str(exc))}</span>")
            return None
        finally:
            self.button.disabled = False
        self.status.value = (f"<span style='color:#9a6700'>⚠ {html.escape(note)}</span>" if note else
                             f"<span style='color:#555'>{INTRO}</span>")
        self.result.value = result_html(result)
        return result

    def saved_view_html(self):
        return self.result.value or f"<p style='color:#555'>{INTRO}</p>"


def clean_run_button(path=None):
    """The button for the notebook this kernel belongs to (``JPY_SESSION_NAME``), or None outside a lab."""
    path = path or os.environ.get("JPY_SESSION_NAME")
    if not path or not path.endswith(".ipynb"):
        return None
    return CleanRun(os.path.abspath(path))
