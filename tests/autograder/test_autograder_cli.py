"""The command line: check (self-study score card), collect, report, and grade resumed after SIGKILL."""

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import nbformat
import pytest

import autograder_fixture as F
from autograder.cli import main
from autograder.course import Course
from autograder.gradebook import scores_in_gradebook
from autograder.journal import Journal
from autograder.report import write as write_report


def test_check_prints_a_score_card(tmp_path, release_nb, capsys):
    wrong = dict(F.honest_answers(), ex2_relu="def relu(x):\n    return x")
    path = tmp_path / "lesson" / "ps1.ipynb"
    path.parent.mkdir()
    nbformat.write(F.answer(release_nb, wrong), str(path))
    assert main(["check", str(path)]) == 1
    card = capsys.readouterr().out
    assert "ex1_add_bias_test  2/2     PASS" in card
    assert "ex2_relu_test      0/3     FAIL  raised AssertionError: check_close 'relu(x)'" in card
    assert "Total: 3/6 points; 2 of 3 visible test cells passed." in card
    assert "HIDDEN" not in card  # the release copy has no hidden tests; nothing invents them

    nbformat.write(F.answer(release_nb, F.honest_answers()), str(path))
    assert main(["check", str(path)]) == 0
    assert "Total: 6/6 points; 3 of 3 visible test cells passed." in capsys.readouterr().out


def test_check_explains_a_notebook_without_tests(tmp_path, capsys):
    path = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), str(path))
    assert main(["check", str(path)]) == 2
    assert "has no test cells" in capsys.readouterr().err


def test_collect_files_an_lms_download_without_overwriting(tmp_path, course_dir, release_nb, capsys):
    download = tmp_path / "download"
    (download / "carol" / "ps1").mkdir(parents=True)
    notebook = nbformat.writes(release_nb).encode()
    for name in ("alice_ps1.ipynb", "bob.smith - ps1 (1).ipynb", "carol/ps1/my answers.ipynb", "ps1.ipynb",
                 "dave_hw9.ipynb"):
        (download / name).write_bytes(notebook)
    (download / "readme.txt").write_text("not a notebook")
    assert main(["collect", str(download), "--course", str(course_dir)]) == 1  # some files skipped
    out = capsys.readouterr().out
    for student in ("alice", "bob.smith", "carol"):
        assert (course_dir / "submitted" / student / "ps1" / "ps1.ipynb").read_bytes() == notebook
    assert out.count("skipped") >= 3 and "ASSIGNMENT one of ps1" in out and "not a notebook" in out

    (download / "alice_ps1.ipynb").write_bytes(notebook + b"\n")
    main(["collect", str(download), "--course", str(course_dir)])
    out = capsys.readouterr().out
    assert "differs" in out and "kept the old one" in out and "unchanged" in out
    assert (course_dir / "submitted" / "alice" / "ps1" / "ps1.ipynb").read_bytes() == notebook
    main(["collect", str(download), "--course", str(course_dir), "--update"])
    assert "updated" in capsys.readouterr().out
    assert (course_dir / "submitted" / "alice" / "ps1" / "ps1.ipynb").read_bytes() == notebook + b"\n"


def test_report_regenerates_csv_and_html_from_the_journal(course_dir):
    course = Course(course_dir)
    journal = Journal(course.runs_dir)
    for student, points in (("ann", 2.0), ("ben", 0.0)):
        journal.write({"assignment": "ps1", "student": student, "key": "k", "score": points, "max_score": 2.0,
                       "notebooks": {"ps1": {"cells": {"t": {"points": points, "max": 2.0, "seconds": 1.0,
                                                             "reason": "passed" if points else "raised <b>X</b>"}},
                                             "flags": ["cell 3, line 1: imports sqlite3"] if points else [],
                                             "notes": [], "reason": None, "fault": None,
                                             "timings": {"total": 3.0, "kernel_start": 1.0, "cells": 1.5}}}})
    html = write_report(course).read_text()
    assert "raised &lt;b&gt;X&lt;/b&gt;" in html and "<b>X</b>" not in html
    assert "imports sqlite3" in html and "data:image/png;base64," in html
    with open(course.runs_dir / "grades.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["student"], r["score"], r["cells"]) for r in rows] == [("ann", "2", "t=2/2"), ("ben", "0", "t=0/2")]


@pytest.mark.slow
def test_grade_resumes_after_sigkill_without_losing_or_doubling_grades(course_dir, release_nb):
    students = {"ann": {}, "ben": {"ex2_relu": "def relu(x):\n    return x"}, "cy": {}, "dee": {}, "eve": {}}
    for student, answers in students.items():
        F.submit(course_dir, student, F.answer(release_nb, dict(F.honest_answers(), **answers)))
    command = [sys.executable, "-m", "autograder", "grade", "--course", str(course_dir), "--workers", "1",
               "--no-progress", "--timeout-cell", "20", "--memory-mb", "2048"]
    first = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    journal_dir = course_dir / "autograder-runs" / "ps1"
    deadline = time.monotonic() + 300
    while not list(journal_dir.glob("*.json")) and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    done_before = len(list(journal_dir.glob("*.json")))
    assert 1 <= done_before < len(students), "kill the run after the first result and before the last"

    second = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"{done_before} submission(s) already graded" in second.stderr + second.stdout
    course = Course(course_dir)
    scores = scores_in_gradebook(course, "ps1")
    assert {s: sum(v["ps1"].values()) for s, v in scores.items()} == {"ann": 6, "ben": 3, "cy": 6, "dee": 6, "eve": 6}
    db = sqlite3.connect(course_dir / "gradebook.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM submitted_assignment").fetchone() == (len(students),)
    assert db.execute("SELECT count(*) FROM grade").fetchone() == (len(students) * len(F.POINTS),)
    assert all(json.loads(p.read_text())["score"] in (3, 6) for p in journal_dir.glob("*.json"))
    assert not list(journal_dir.glob(".*"))  # no half-written journal files left behind


def test_check_names_the_cause_of_a_failure(tmp_path, release_nb, capsys):
    answers = dict(F.honest_answers(), ex2_relu="def relu(x):\n    return x +", ex1_add_bias="def add_bias(X, b):\n"
                   "    return X.T @ np.eye(X.shape[0]) @ np.eye(X.shape[0]).T if False else X - b")
    nb = F.answer(release_nb, answers)
    path = tmp_path / "lesson" / "ps1.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, str(path))
    assert main(["check", str(path), "--no-sandbox"]) == 1
    card = capsys.readouterr().out
    assert "because the answer cell ex2_relu has a SyntaxError: invalid syntax (line 2)" in card
    assert "ex1_add_bias_test  0/2     FAIL  raised AssertionError" in card
    setup = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    setup.source += "\nraise RuntimeError('setup broke')"
    nbformat.write(nb, str(path))
    main(["check", str(path), "--no-sandbox"])
    card = capsys.readouterr().out
    assert "because setup cell 1 raised RuntimeError: setup broke" in card
