"""The adversarial corpus graded in one run: every attack and fault gets the right score, flag or reason.

One run of the engine (2 workers, sandbox on) over ~45 submissions; the tests below read its journal,
its gradebook, its autograded notebooks, its report and nbgrader's feedback made from them.
"""

import json
import os
import re
import sqlite3
import subprocess
import sys

import nbformat
import pytest

import autograder_corpus as corpus
import autograder_fixture as F
from autograder.course import Course
from autograder.grade import Grader
from autograder.gradebook import scores_in_gradebook
from autograder.journal import Journal

TEST_IDS = tuple(F.POINTS)
pytestmark = pytest.mark.xdist_group("autograder-adversarial")  # one module fixture: keep its tests on one xdist worker


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox):
    course_dir = F.make_course(tmp_path_factory.mktemp("adversarial"))
    release = F.release_notebook(course_dir)
    cases = corpus.cases(release, course_dir)
    for student, case in cases.items():
        F.submit(course_dir, student, case.content)
    course = Course(course_dir)
    summary = Grader(course, sandbox, workers=2, max_bytes=2 * 2**20, progress=False).run()
    records = {r["student"]: r for r in Journal(course.runs_dir).records()}
    return course, cases, summary, records


def _cells(record):
    return record["notebooks"][F.ASSIGNMENT]["cells"]


STUDENTS = ["honest", "blank", "partial", "allclose", "patch_checks", "fake_records", "patch_during_test",
            "transformer", "events_ast", "sys_modules", "thread", "builtins", "sqlite_write", "read_hidden",
            "deleted_tests", "edited_tests", "duplicated_moved", "stripped", "infinite_loop", "uninterruptible",
            "memory_hog", "fork_bomb", "os_exit", "crash", "big_print", "network", "malformed", "nbformat3", "empty",
            "missing", "too_large", "stderr_real", "stderr_ignored",
            "stack_walk", "shadow_package", "self_restoring", "disguised_hook", "linecache_print", "reversed_text",
            "hostile_eq", "huge_array", "hangs",
            "mutate_args", "warning_leak", "deep_json", "grade_id_object"]


def test_corpus_list_is_complete(graded):
    _, cases, summary, records = graded
    assert sorted(cases) == sorted(STUDENTS)
    assert summary.ok, summary.errors
    assert sorted(records) == sorted(STUDENTS)


@pytest.mark.parametrize("student", STUDENTS)
def test_each_attack_gets_its_score_flag_and_reason(graded, student):
    course, cases, _, records = graded
    case, record = cases[student], records[student]
    cells = _cells(record)
    got = tuple(cells[g]["points"] for g in TEST_IDS)
    assert got == case.points, {g: cells[g]["reason"] for g in TEST_IDS}
    stored = scores_in_gradebook(course, F.ASSIGNMENT)[student][F.ASSIGNMENT]
    assert tuple(stored[g] for g in TEST_IDS) == case.points
    nb = record["notebooks"][F.ASSIGNMENT]
    if case.flag:
        assert any(case.flag in f for f in nb["flags"]), nb["flags"]
    if case.reason:
        texts = [c["reason"] for c in cells.values()] + [nb["reason"] or "", nb["fault"] or ""]
        assert any(case.reason in t for t in texts), texts
    if case.note:
        assert any(case.note in n for n in nb["notes"]), nb["notes"]


def test_honest_work_has_no_flags_and_attackers_do(graded):
    _, _, _, records = graded
    assert records["honest"]["notebooks"][F.ASSIGNMENT]["flags"] == []
    assert records["partial"]["notebooks"][F.ASSIGNMENT]["flags"] == []


def test_gradebook_intact_and_nothing_left_for_manual_grading(graded):
    course, cases, _, _ = graded
    db = sqlite3.connect(course.root / "gradebook.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM submitted_assignment").fetchone() == (len(cases),)
    rows = db.execute("SELECT g.auto_score, g.needs_manual_grade, c.max_score FROM grade g "
                      "JOIN grade_cells c ON g.cell_id = c.id").fetchall()
    assert len(rows) == len(cases) * len(TEST_IDS)
    assert all(score is not None and 0 <= score <= top and not manual for score, manual, top in rows)


def test_nothing_escaped_the_sandbox(graded):
    course, _, _, _ = graded
    outputs = _outputs(course, "sqlite_write") + _outputs(course, "network") + _outputs(course, "read_hidden")
    assert "WROTE" not in outputs and "NETWORK-OPEN" not in outputs
    assert re.search(r"NO-LEAK \d", outputs) and "NO-LEAK-AFTER" in outputs
    assert "LEAK" not in outputs.replace("NO-LEAK", "")
    forks = re.search(r"FORKS (\d+) BlockingIOError", _outputs(course, "fork_bomb"))
    assert forks and 0 < int(forks.group(1)) < 64  # stopped by the sandbox's process limit (64 in these tests)


def _outputs(course, student):
    nb = nbformat.read(str(course.autograded_dir(student, F.ASSIGNMENT) / f"{F.ASSIGNMENT}.ipynb"), 4)
    return "\n".join(json.dumps(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_outputs_are_capped_in_bytes(graded):
    course, _, _, _ = graded
    path = course.autograded_dir("big_print", F.ASSIGNMENT) / f"{F.ASSIGNMENT}.ipynb"
    assert path.stat().st_size < 2 * 2**20
    assert "output truncated" in _outputs(course, "big_print")


def test_hidden_tests_never_in_outputs_reports_or_journal(graded):
    course, _, _, _ = graded
    texts = [(course.runs_dir / "report.html").read_text(), (course.runs_dir / "grades.csv").read_text()]
    texts += [p.read_text() for p in course.runs_dir.glob("*/*.json")]
    texts += [_outputs(course, s) for s in ("read_hidden", "honest", "edited_tests", "stripped")]
    for marker in F.HIDDEN_MARKERS:
        assert not any(marker in t for t in texts), marker


def test_report_lists_flags_and_plots(graded):
    course, _, _, _ = graded
    html = (course.runs_dir / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 1
    assert "assigns numpy.allclose" in html and "Slowest submissions" in html
    assert "<script" not in html


def test_hidden_tests_never_reach_feedback(graded):
    """nbgrader's own generate_feedback on our autograded notebooks: no hidden-test text, forwards or reversed
    (the linecache-print and reversed-text attacks, and every failing hidden test's trusted traceback)."""
    course, cases, _, _ = graded
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", F.ASSIGNMENT, "--force"],
                          cwd=course.root, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = {p.parts[-3]: p.read_text() for p in (course.root / "feedback").glob(f"*/{F.ASSIGNMENT}/*.html")}
    assert {"honest", "linecache_print", "reversed_text", "hangs", "warning_leak"} <= set(pages)
    hidden = [line.strip() for test in F.TESTS.values() for line in
              test.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0].splitlines() if line.strip()]
    for student, page in pages.items():
        for text in list(F.HIDDEN_MARKERS) + hidden:
            assert text not in page and text[::-1] not in page, (student, text)


# -- a variant of the fixture course: test cells that read builtins and a locked helper, and use forbid -----
# (the fixture's own tests read neither, so these holes need test cells written the way the real lessons are)
SHADOW_SETUP = '''def expected_count(n_in, units):
    """The parameters of Dense(units) on n_in inputs: the test's own reference."""
    return n_in * units + units'''
SHADOW_TEST = '''for n_in, units in zip([8, 2], [6, 5]):
    check_equal(count_params(n_in, units), expected_count(n_in, units), name=f"count_params({n_in}, {units})")
### BEGIN HIDDEN TESTS
for n_in, units in zip([3], [1]):
    check_equal(count_params(n_in, units), expected_count(n_in, units), name="count_params hidden")  # HIDDEN_SECRET_3
### END HIDDEN TESTS'''
FORBID_TEST = '''from fclab import checks
with checks.exercise("ex2_relu", forbid=["fclab.reference.activations.relu"]) as ex:
    x = ex.normal((4, 9))
    check_close(ex.call(relu, x), np.maximum(x, 0), name="relu(x)")
### BEGIN HIDDEN TESTS
with checks.exercise("ex2_relu", forbid=["fclab.reference.activations.relu"], hidden=True) as ex:
    xh = ex.normal((3, 5))
    check_close(ex.call(relu, xh), np.maximum(xh, 0), name="relu hidden")  # HIDDEN_SECRET_2
### END HIDDEN TESTS'''
WRONG_COUNT = "def count_params(n_in, units):\n    return 0\n"
HONEST_RELU = F.honest_answers()["ex2_relu"]
REF_RELU = "from fclab import reference as ref\ndef relu(x):\n    return ref.activations.relu(x)\n"
NOPROFILE_RELU = F.dedent("""
    from fclab import reference as ref
    def relu(x):
        getattr(__import__("sys"), "setpro" + "file")(None)  # the kernel-side forbidden-call watch, off
        return getattr(ref.activations, "re" + "lu")(x)
    """)
FORGED_RELU = F.dedent("""
    import json
    from fclab import reference as ref
    def relu(x):
        return getattr(ref.activations, "re" + "lu")(x)
    _real_handle = __fclab_agent__.handle
    def _clean(text):  # every reply of the kernel's agent now says that nothing forbidden was called
        reply = json.loads(_real_handle(text))
        reply["forbidden"] = []
        return json.dumps(reply)
    __fclab_agent__.handle = _clean
    """)
VARIANT_CASES = {  # student: (ex2 solution cell, ex3 solution cell, (ex2, ex3) points it must get)
    "variant_honest": (HONEST_RELU, F.honest_answers()["ex3_count"], (3.0, 1.0)),
    "shadow_builtin": (HONEST_RELU, WRONG_COUNT + "zip = lambda *args: []  # the test's loop runs zero times",
                       (3.0, 0.0)),
    "shadow_helper": (HONEST_RELU, WRONG_COUNT + "expected_count = lambda n_in, units: 0  # the test's reference",
                      (3.0, 0.0)),
    "forbid_plain": (REF_RELU, F.honest_answers()["ex3_count"], (0.0, 1.0)),
    "forbid_noprofile": (NOPROFILE_RELU, F.honest_answers()["ex3_count"], (0.0, 1.0)),
    "forbid_forged": (FORGED_RELU, F.honest_answers()["ex3_count"], (0.0, 1.0)),
}


def _variant_course(root):
    """The fixture course; ex2's test uses forbid, ex3's reads a builtin (zip) and a locked cell's helper."""
    from autograder.spec import gid as grade_id

    course_dir = F.make_course(root)
    path = course_dir.parent / "source" / F.ASSIGNMENT / f"{F.ASSIGNMENT}.ipynb"
    nb = nbformat.read(str(path), 4)
    for cell in nb.cells:
        if grade_id(cell) == "ex3_count_test":
            cell.source = SHADOW_TEST
        elif grade_id(cell) == "ex2_relu_test":
            cell.source = FORBID_TEST
    for n, cell in enumerate(nb.cells):
        if grade_id(cell) == "ex3_count":  # the helper comes before the exercise, as lesson 05's test_helpers
            helper = nbformat.v4.new_code_cell(SHADOW_SETUP)
            helper.metadata["nbgrader"] = {"grade": False, "grade_id": "ex3_helper", "locked": True,
                                           "schema_version": 3, "solution": False, "task": False}
            nb.cells.insert(n, helper)
            break
    nbformat.write(nb, str(path))
    return course_dir


@pytest.fixture(scope="module")
def variant(tmp_path_factory, sandbox):
    course_dir = _variant_course(tmp_path_factory.mktemp("variant"))
    release = F.release_notebook(course_dir)
    for student, (relu, count, _) in VARIANT_CASES.items():
        F.submit(course_dir, student, corpus._with(release, ex2=relu, ex3=count))
    course = Course(course_dir)
    summary = Grader(course, sandbox, workers=2, progress=False).run()
    assert summary.ok, summary.errors
    return course, {r["student"]: r for r in Journal(course.runs_dir).records()}


@pytest.mark.parametrize("student", sorted(VARIANT_CASES))
def test_names_and_forbidden_calls_stay_the_graders(variant, student):
    """A student's cell binding a builtin (zip) or a locked helper's name (expected_count) must not replace it
    in the trusted test cell; a forbidden call must cost the points however it is reached (getattr with a
    computed name, the kernel's profiler switched off, the kernel agent's reply rewritten)."""
    course, records = variant
    cells = _cells(records[student])
    got = (cells["ex2_relu_test"]["points"], cells["ex3_count_test"]["points"])
    assert got == VARIANT_CASES[student][2], (cells["ex2_relu_test"]["reason"], cells["ex3_count_test"]["reason"])
