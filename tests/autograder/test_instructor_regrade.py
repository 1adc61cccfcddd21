"""Regrade (autograder.regrade) on the fixture course: a fixed expected value, changed points, one student, ids."""

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import regrade
from autograder.course import Course
from autograder.grade import Grader
from autograder_fixture import ASSIGNMENT, SOLUTIONS, TESTS, answer, honest_answers, submit


# the instructor's first version forgot the bias, in the solution and in the test's expected values
WRONG_COUNT_SOLUTION = SOLUTIONS["ex3_count"].replace("n_in * units + units", "n_in * units")
WRONG_COUNT_TEST = TESTS["ex3_count_test"].replace("54", "48").replace("(3, 1), 4", "(3, 1), 3")


def _edit(course_dir, grade_id, source=None, points=None, new_id=None):
    path = course_dir.parent / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    if source is not None:
        cell.source = source
    if points is not None:
        cell.metadata["nbgrader"]["points"] = points
    if new_id is not None:
        cell.metadata["nbgrader"]["grade_id"] = new_id
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def sandbox(test_limits):
    """Rlimits only: this test is about what is regraded, not about isolation (the sandbox has its own tests)."""
    from autograder.sandbox import Sandbox

    return Sandbox.create(test_limits, sandbox=False)[0]


def _grader(course, sandbox):
    return Grader(course, sandbox, workers=2, progress=False)


@pytest.mark.slow
def test_regrade_after_a_fixed_test_and_changed_points_keeps_manual_grades(course_dir, sandbox, release_nb):
    _edit(course_dir, "ex3_count", source=WRONG_COUNT_SOLUTION)
    _edit(course_dir, "ex3_count_test", source=WRONG_COUNT_TEST)
    nobias = dict(honest_answers(), ex3_count="def count_params(n_in, units):\n    return n_in * units")
    submit(course_dir, "honest", answer(release_nb, honest_answers()))
    submit(course_dir, "nobias", answer(release_nb, nobias))
    course = Course(course_dir)
    assert _grader(course, sandbox).run().ok
    with Gradebook(course.db_url, course.course_id) as gb:  # what a person did in formgrader
        gb.find_grade("ex2_relu_test", ASSIGNMENT, ASSIGNMENT, "honest").manual_score = 2.5
        gb.find_comment("ex1_add_bias", ASSIGNMENT, ASSIGNMENT, "honest").manual_comment = "neat"
        gb.db.commit()

    _edit(course_dir, "ex3_count", source=SOLUTIONS["ex3_count"])  # the instructor fixes solution and test
    _edit(course_dir, "ex3_count_test", source=TESTS["ex3_count_test"])
    _edit(course_dir, "ex1_add_bias_test", points=3.0)
    found = regrade.changes(course, ASSIGNMENT)
    assert {(c.grade_id, c.what) for c in found} == {("ex3_count_test", "test changed"),
                                                     ("ex1_add_bias_test", "points 2 -> 3")}
    said = []
    moved = regrade.regrade(course, _grader(course, sandbox), say=said.append)
    assert any("regrading 2 submission(s)" in s for s in said)
    lines = sorted(regrade.describe(m) for m in moved)
    assert lines == ["honest ps1: 5 -> 7 (ex1_add_bias_test 2 -> 3, ex3_count_test 0 -> 1)",
                     "nobias ps1: 6 -> 6 (ex1_add_bias_test 2 -> 3, ex3_count_test 1 -> 0)"]
    with Gradebook(course.db_url, course.course_id) as gb:
        assert gb.find_grade("ex2_relu_test", ASSIGNMENT, ASSIGNMENT, "honest").manual_score == 2.5
        assert gb.find_comment("ex1_add_bias", ASSIGNMENT, ASSIGNMENT, "honest").manual_comment == "neat"
        assert gb.find_grade("ex3_count_test", ASSIGNMENT, ASSIGNMENT, "nobias").auto_score == 0.0
    record = course_journal(course).load(ASSIGNMENT, "honest")
    assert [h["score"] for h in record["history"]] == [5.0] and record["score"] == 7.0

    said.clear()  # nothing changed: only an explicit --student regrades, and history grows
    assert regrade.regrade(course, _grader(course, sandbox), say=said.append) == []
    assert "nothing changed in source/" in said[0]
    assert regrade.regrade(course, _grader(course, sandbox), students=["nobias"], say=said.append) == []
    assert len(course_journal(course).load(ASSIGNMENT, "nobias")["history"]) == 2
    assert len(course_journal(course).load(ASSIGNMENT, "honest")["history"]) == 1

    _edit(course_dir, "ex3_count_test", new_id="ex3_count_check")  # a renamed grade id after submission
    with pytest.raises(regrade.RegradeRefused, match="put the old grade id back") as refused:
        regrade.changes(course, ASSIGNMENT)
    assert "ps1/ex3_count_check added" in str(refused.value) and "ps1/ex3_count_test removed" in str(refused.value)


def course_journal(course):
    from autograder.journal import Journal

    return Journal(course.runs_dir)


def _recorded_with_a_submission(course_dir):
    """The fixture assignment recorded in the gradebook with one submission (no grading run needed)."""
    import warnings

    from autograder.gradebook import ensure_assignment
    from autograder.spec import build_spec

    course = Course(course_dir)
    path = course.source_notebooks(ASSIGNMENT)[ASSIGNMENT]
    ensure_assignment(course, [build_spec(course, ASSIGNMENT, ASSIGNMENT, path)])
    with warnings.catch_warnings(), Gradebook(course.db_url, course.course_id) as gb:
        warnings.filterwarnings("ignore", message=".*not in session.*")
        gb.add_student("ann")
        gb.add_submission(ASSIGNMENT, "ann")
    return course


@pytest.mark.parametrize("edit, expected", [
    ({"grade_id": "setup", "source": "import numpy as np\nfrom fclab.checks import check_close, check_equal\nEPS = 1"},
     [("setup", "setup cell changed")]),
    ({"grade_id": "ex2_relu_test", "points": 5.0}, [("ex2_relu_test", "points 3 -> 5")]),
    ({"grade_id": "ex2_relu", "source": "def relu(x):\n    ### BEGIN SOLUTION\n    return x * (x > 0)\n"
                                        "    ### END SOLUTION"}, []),  # a solution is not recorded: no change
])
def test_changes_name_the_cell_and_a_setup_change_affects_all(course_dir, edit, expected):
    course = _recorded_with_a_submission(course_dir)
    grade_id = edit.pop("grade_id")
    _edit(course_dir, grade_id, **edit)
    found = regrade.changes(course, ASSIGNMENT)
    assert [(c.grade_id, c.what) for c in found] == expected
    assert any(c.affects_all for c in found) == (grade_id == "setup")


def test_a_removed_test_cell_is_refused_with_the_way_out(course_dir):
    course = _recorded_with_a_submission(course_dir)
    _edit(course_dir, "ex3_count_test", new_id="ex3_count_check")
    with pytest.raises(regrade.RegradeRefused) as refused:
        regrade.changes(course, ASSIGNMENT)
    text = str(refused.value)
    assert "put the old grade id back" in text and f"nbgrader db assignment remove {ASSIGNMENT} --force" in text


def test_carry_history_appends_the_replaced_result():
    first = {"graded_at": "t1", "score": 3.0, "max_score": 6.0,
             "notebooks": {"nb": {"cells": {"a_test": {"points": 3.0}, "b_test": {"points": 0.0}}}}}
    second = dict(first, graded_at="t2", score=4.0, history=regrade.carry_history(first))
    assert regrade.carry_history(None) == []
    assert [h["graded_at"] for h in regrade.carry_history(second)] == ["t1", "t2"]
    assert regrade.carry_history(second)[0]["cells"] == {"a_test": 3.0, "b_test": 0.0}
