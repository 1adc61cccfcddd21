"""Honest work gets exactly nbgrader's scores, and nbgrader's own tools work on our gradebook afterwards.

Two copies of the fixture course with the same submissions: one graded by this engine, one by
``nbgrader generate_assignment`` + ``nbgrader autograde``. Then ``nbgrader generate_feedback`` and
``nbgrader export`` run on the engine's copy.
"""

import csv
import os
import shutil
import subprocess
import sys

import pytest

import autograder_fixture as F
from autograder.course import Course
from autograder.grade import Grader
from autograder.gradebook import scores_in_gradebook

pytestmark = pytest.mark.xdist_group("autograder-parity")  # one module fixture: keep its tests on one xdist worker

HONEST_CORPUS = {
    "honest": {},
    "partial": {"ex2_relu": "def relu(x):\n    return x"},
    "hidden_fail": {"ex1_add_bias": "def add_bias(X, b):\n    return X + b[:3]  # right only for 3 features"},
    "stderr_ignored": {"ex2_relu": "import sys\ndef relu(x):\n    sys.stderr.write('IGNORED: log line\\n')\n"
                                   "    return np.maximum(x, 0)"},
}


def _nbgrader(course_dir, *args):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def both(tmp_path_factory, sandbox):
    ours = F.make_course(tmp_path_factory.mktemp("parity"))
    release = F.release_notebook(ours)
    for student, answers in HONEST_CORPUS.items():
        merged = dict(F.honest_answers(), **answers)
        F.submit(ours, student, F.answer(release, merged))
    F.submit(ours, "blank", release)
    theirs = tmp_path_factory.mktemp("parity-nbgrader") / "root"
    shutil.copytree(ours.parent, theirs)
    theirs = theirs / "course"

    Grader(Course(ours), sandbox, workers=2, progress=False).run()
    _nbgrader(theirs, "generate_assignment", F.ASSIGNMENT, "--force")
    _nbgrader(theirs, "autograde", F.ASSIGNMENT, "--force")
    return Course(ours), Course(theirs)


def test_scores_equal_nbgrader_autograde(both):
    ours, theirs = both
    mine, reference = scores_in_gradebook(ours, F.ASSIGNMENT), scores_in_gradebook(theirs, F.ASSIGNMENT)
    assert sorted(mine) == sorted(reference) == sorted(list(HONEST_CORPUS) + ["blank"])
    assert mine == reference
    assert reference["honest"][F.ASSIGNMENT] == F.POINTS  # the comparison is not vacuous
    assert reference["hidden_fail"][F.ASSIGNMENT]["ex1_add_bias_test"] == 0
    assert reference["partial"][F.ASSIGNMENT]["ex2_relu_test"] == 0


def test_feedback_and_export_work_on_our_gradebook(both):
    ours, _ = both
    _nbgrader(ours.root, "generate_feedback", F.ASSIGNMENT, "--force")
    pages = {p.parts[-3]: p.read_text() for p in (ours.root / "feedback").glob(f"*/{F.ASSIGNMENT}/*.html")}
    assert sorted(pages) == sorted(list(HONEST_CORPUS) + ["blank"])
    assert "Score: 6.0 / 6.0" in pages["honest"].replace("\n", " ") or "6.0 / 6.0" in pages["honest"]
    assert "could not be broadcast" in pages["hidden_fail"]  # the student sees why...
    for student, page in pages.items():
        assert not any(marker in page for marker in F.HIDDEN_MARKERS), student  # ...but never the hidden tests
        assert "rng.normal(size=(5, 7))" not in page
    _nbgrader(ours.root, "export", "--to", "export.csv")
    with open(ours.root / "export.csv") as handle:
        rows = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(handle)}
    assert rows == {"honest": 6.0, "partial": 3.0, "hidden_fail": 4.0, "stderr_ignored": 6.0, "blank": 0.0}
