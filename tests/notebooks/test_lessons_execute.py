"""Every lesson runs: the instructor version passes all its tests, the student version fails only where
an answer is still missing. Timings are appended to .pytest_cache/notebook-timings.txt."""

import pytest

from nbrun import LESSONS, REPO, cell_errors, execute_notebook

pytestmark = [pytest.mark.tf]


def test_the_seven_lessons_exist():
    missing = [name for name in LESSONS if not (REPO / "source" / name / f"{name}.ipynb").exists()]
    assert not missing, f"expected source/NN_name/NN_name.ipynb for every lesson; missing: {missing}"
    missing = [name for name in LESSONS if not (REPO / "release" / name / f"{name}.ipynb").exists()]
    assert not missing, f"release/ lacks {missing}: run `make release`"


@pytest.mark.parametrize("name", LESSONS)
def test_source_notebook_runs_and_passes_its_tests(name):
    nb, seconds = execute_notebook(REPO / "source" / name / f"{name}.ipynb")
    stderr = [
        (i, out["text"][:300])
        for i, cell in enumerate(nb.cells)
        if cell.metadata.get("nbgrader", {}).get("grade")
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    assert not stderr, f"{name}: graded cells wrote to stderr (nbgrader would zero them): {stderr}"


@pytest.mark.parametrize("name", LESSONS)
def test_release_notebook_fails_only_on_missing_answers(name):
    nb, seconds = execute_notebook(REPO / "release" / name / f"{name}.ipynb", allow_errors=True)
    unexpected = [
        f"cell {index}: {output['ename']}: {output['evalue'][:200]}"
        for index, meta, output in cell_errors(nb)
        if not (output["ename"] == "NotImplementedError" and (meta.get("grade") or meta.get("solution")))
    ]
    assert not unexpected, (
        f"release/{name} should fail only with NotImplementedError in answer and test cells, but: {unexpected}"
    )
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    failing = {index for index, meta, output in cell_errors(nb) if meta.get("grade")}
    assert len(failing) == len(graded) and graded, (
        f"release/{name}: every test cell should fail before the student answers "
        f"({len(graded)} test cells, {len(failing)} failed): a test that passes on a blank answer checks nothing"
    )
