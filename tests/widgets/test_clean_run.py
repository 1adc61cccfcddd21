"""The clean-run button under the score card (the self-check server itself: tests/autograder/test_check_server.py)."""

import os
import time

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from fclab import checks
from fclab.widgets.clean_run import CleanRun, clean_run_button, result_html, stale_note

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RESULT = {"name": "01_xw_plus_b.ipynb", "saved_at": 1_700_000_000.0, "fault": None, "warm": True,
          "how": "a kernel forked from the warm self-check server", "timings": {"total": 2.25},
          "rows": [["ex1_test", 2.0, 2.0, "passed"],
                   ["ex2_test", 0.0, 3.0, "raised AssertionError: <b>\n      Diagnosis [bias_missing]: x"]]}


@pytest.fixture(scope="module")
def shell():
    return InteractiveShell.instance()


def test_the_card_of_a_clean_run_shows_each_test_its_cause_and_the_total():
    page = result_html(RESULT)
    assert "Clean run of 01_xw_plus_b.ipynb" in page and "2.2 s" in page and "forked from the warm" in page
    assert "PASS" in page and "FAIL" in page and "2 / 5" in page
    assert "Diagnosis [bias_missing]" in page and "&lt;b&gt;" in page and "<b>\n" not in page  # escaped


def test_a_click_runs_the_checker_on_the_saved_file_and_shows_its_card(tmp_path):
    path = tmp_path / "lesson.ipynb"
    path.write_text("{}")
    seen = []
    widget = CleanRun(str(path), checker=lambda p: seen.append(p) or RESULT)
    widget.button.click()
    assert seen == [str(path)]
    assert "FAIL" in widget.result.value and not widget.button.disabled
    assert widget.saved_view_html() == widget.result.value  # a reopened notebook shows the last card


def test_a_checker_that_cannot_start_says_why_and_keeps_the_button(tmp_path):
    def broken(_path):
        raise RuntimeError("the self-check server did not answer within 60 s; its log: /x/server.log")

    widget = CleanRun(str(tmp_path / "l.ipynb"), checker=broken)
    assert widget.run() is None
    assert "could not start" in widget.status.value and "server.log" in widget.status.value
    assert not widget.button.disabled


def test_a_test_run_newer_than_the_saved_file_is_named_stale(tmp_path):
    path = tmp_path / "lesson.ipynb"
    path.write_text("{}")
    os.utime(path, (time.time() - 60, time.time() - 60))
    assert stale_note(path, runs={}) == ""
    with checks.exercise("clean_run_stale_demo") as ex:
        checks.check_close(np.ones(2), np.ones(2), name="x")
    note = stale_note(path, runs={"clean_run_stale_demo": ex})
    assert "older than your last test run" in note and "Ctrl-S" in note
    os.utime(path, None)  # saved now
    assert stale_note(path, runs={"clean_run_stale_demo": ex}) == ""


def test_the_score_card_offers_the_button_only_in_a_lab_notebook(shell, monkeypatch, tmp_path):
    from IPython.display import display

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with capture_output() as plain:
        display(checks.score_card(points={"x": 1}))
    assert len(plain.outputs) == 1 and "text/html" in plain.outputs[0].data
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "lesson.ipynb"))
    with capture_output() as lab:
        display(checks.score_card(points={"x": 1}))
    assert any(WIDGET_VIEW in o.data for o in lab.outputs)
    assert clean_run_button(str(tmp_path / "a console")) is None  # a console's session is no notebook
