"""The instructor's whole nbgrader cycle on a temporary copy of the course: generate, collect a corpus of
submissions, autograde, feedback, export — the scores equal the expected table exactly, and no feedback
file shows a hidden test.

The same runs are the lessons' execution tests (nbgrader executes each notebook top to bottom with
nbclient, test cells restored from source/): the complete submission — the source notebook's solutions in
the student's notebook — runs with no error and nothing on stderr in a graded cell; the blank release
fails only on missing answers (NotImplementedError in answer cells; NotImplementedError or the checks' "not
answered yet" AssertionError in test cells), and every test cell fails on it.
"""

import csv
import html
import re

import nbformat
import pytest

from course import HIDDEN, REPO, copy_course, lesson_names, nbgrader, secret_lines, student_versions

pytestmark = [pytest.mark.tf, pytest.mark.slow]


def _visible_text(html_text):
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def _errors(nb):
    return [
        (index, cell.metadata.get("nbgrader", {}), output)
        for index, cell in enumerate(nb.cells)
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def check_complete_runs_clean(path):
    nb = nbformat.read(path, as_version=4)
    errors = [f"cell {i}: {out['ename']}: {out['evalue'][:300]}" for i, _, out in _errors(nb)]
    assert not errors, f"{path.name} with the source's solutions should run clean, but: {errors}"
    stderr = [
        (i, out["text"][:300])
        for i, cell in enumerate(nb.cells)
        if cell.metadata.get("nbgrader", {}).get("grade")
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    assert not stderr, f"{path.name}: graded cells wrote to stderr (nbgrader zeroes them): {stderr}"


def _missing_answer(meta, out):
    """An answer cell's NotImplementedError, or a test cell's NotImplementedError / "not answered yet" failure."""
    if out["ename"] == "NotImplementedError":
        return bool(meta.get("grade") or meta.get("solution"))
    return out["ename"] == "AssertionError" and bool(meta.get("grade")) and "not answered yet" in out["evalue"]


def check_blank_fails_only_on_missing_answers(path):
    nb = nbformat.read(path, as_version=4)
    errors = _errors(nb)
    unexpected = [
        f"cell {i}: {out['ename']}: {out['evalue'][:200]}"
        for i, meta, out in errors
        if not _missing_answer(meta, out)
    ]
    assert not unexpected, f"the blank {path.name} should fail only on missing answers, but: {unexpected}"
    graded = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    failing = {i for i, meta, _ in errors if meta.get("grade")}
    assert graded and failing == set(graded), (
        f"every test cell of the blank {path.name} should fail (test cells {graded}, failing {sorted(failing)}): "
        "a test that passes on a blank answer checks nothing"
    )


@pytest.mark.parametrize("name", lesson_names() or ["(none)"])
def test_nbgrader_cycle_scores_and_feedback(name, tmp_path):
    course = copy_course(tmp_path)
    nbgrader(course, "generate_assignment", name, "--force")
    corpus = student_versions(name)
    for student, (nb, _) in corpus.items():
        target = course / "submitted" / student / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)

    nbgrader(course, "autograde", name, "--create")
    nbgrader(course, "generate_feedback", name)
    nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))

    check_complete_runs_clean(course / "autograded" / "complete" / name / f"{name}.ipynb")
    check_blank_fails_only_on_missing_answers(course / "autograded" / "blank" / name / f"{name}.ipynb")

    with open(tmp_path / "grades.csv") as handle:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle) if row["assignment"] == name}
    expected = {student: float(score) for student, (_, score) in corpus.items()}
    assert rows == expected, f"{name}: nbgrader scores {rows} differ from the expected table {expected}"

    secrets = secret_lines(REPO / "source" / name / f"{name}.ipynb", regions=(HIDDEN,))
    for student in corpus:
        feedback = course / "feedback" / student / name / f"{name}.html"
        assert feedback.exists(), f"no feedback generated for {student} at {feedback}"
        text = _visible_text(feedback.read_text())
        leaked = sorted(secrets & {line.strip() for line in text.splitlines()})
        assert not leaked, f"feedback for {student} on {name} shows hidden tests: {leaked[:5]}"
        assert "BEGIN HIDDEN TESTS" not in text
