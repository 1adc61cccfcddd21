"""A small nbgrader course for the autograder's tests: numpy + fclab.checks only (no TensorFlow: fast).

One assignment ``ps1`` with three exercises (2 + 3 + 1 points), a locked setup cell, a demo cell, and
hidden tests that carry a marker (``HIDDEN_SECRET_<n>``) so the tests can search every output, feedback
file and report for a leak.
"""

import copy
import json
import pathlib
import textwrap

import nbformat

ASSIGNMENT = "ps1"
POINTS = {"ex1_add_bias_test": 2.0, "ex2_relu_test": 3.0, "ex3_count_test": 1.0}
MAX_SCORE = sum(POINTS.values())
HIDDEN_MARKERS = ("HIDDEN_SECRET_1", "HIDDEN_SECRET_2", "HIDDEN_SECRET_3")

CONFIG = '''
import os
c = get_config()
HERE = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "fixture"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "../source"
c.CourseDirectory.release_directory = "../release"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(^|\\n)IGNORED:"
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.HideHiddenTestTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "autograder.feedback.SanitizeFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''

SOLUTIONS = {
    "ex1_add_bias": '''def add_bias(X, b):
    """X: (batch, n), b: (n,) -> X + b, shape (batch, n)."""
    ### BEGIN SOLUTION
    return X + b
    ### END SOLUTION''',
    "ex2_relu": '''def relu(x):
    """Elementwise max(x, 0), same shape and dtype as x."""
    ### BEGIN SOLUTION
    return np.maximum(x, 0).astype(x.dtype)
    ### END SOLUTION''',
    "ex3_count": '''def count_params(n_in, units):
    """Parameters of a Dense layer: kernel (n_in, units) + bias (units,)."""
    ### BEGIN SOLUTION
    return n_in * units + units
    ### END SOLUTION''',
}

TESTS = {
    "ex1_add_bias_test": '''X = np.arange(6, dtype=np.float32).reshape(2, 3)
b = np.array([1.0, -2.0, 0.5], dtype=np.float32)
check_close(add_bias(X, b), X + b, name="add_bias(X, b)")
### BEGIN HIDDEN TESTS
rng = np.random.default_rng(1234)
Xh = rng.normal(size=(5, 7)).astype(np.float32)
bh = rng.normal(size=(7,)).astype(np.float32)
check_close(add_bias(Xh, bh), Xh + bh, name="add_bias hidden")  # HIDDEN_SECRET_1
### END HIDDEN TESTS''',
    "ex2_relu_test": '''x = np.array([-1.0, 0.0, 2.0], dtype=np.float32)
check_close(relu(x), np.array([0.0, 0.0, 2.0], dtype=np.float32), name="relu(x)")
### BEGIN HIDDEN TESTS
rng = np.random.default_rng(99)
xh = rng.normal(size=(4, 9)).astype(np.float32)
check_close(relu(xh), np.maximum(xh, 0), name="relu hidden")  # HIDDEN_SECRET_2
### END HIDDEN TESTS''',
    "ex3_count_test": '''check_equal(count_params(8, 6), 54, name="count_params(8, 6)")
### BEGIN HIDDEN TESTS
check_equal(count_params(3, 1), 4, name="count_params hidden")  # HIDDEN_SECRET_3
### END HIDDEN TESTS''',
}


def _meta(grade_id, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook():
    """The instructor's notebook (solutions and hidden tests in)."""
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell("# Problem set 1\nFill in the three functions."),
             v4.new_code_cell("import numpy as np\nfrom fclab.checks import check_close, check_equal",
                              metadata=_meta("setup", locked=True))]
    for ex, test in zip(SOLUTIONS, TESTS):
        cells.append(v4.new_markdown_cell(f"## {ex}"))
        cells.append(v4.new_code_cell(SOLUTIONS[ex], metadata=_meta(ex, solution=True)))
        cells.append(v4.new_code_cell(TESTS[test], metadata=_meta(test, grade=True, locked=True,
                                                                  points=POINTS[test])))
        if ex == "ex1_add_bias":
            cells.append(v4.new_code_cell("demo = np.ones((2, 3)) @ np.ones((3, 4))\nprint(demo.shape)"))
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def make_course(root):
    """Create ``root/course`` (config) and ``root/source/ps1/ps1.ipynb``; returns the course folder."""
    root = pathlib.Path(root)
    (root / "course").mkdir(parents=True)
    (root / "course" / "nbgrader_config.py").write_text(CONFIG)
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source_notebook(), str(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    return root / "course"


def release_notebook(course_dir):
    """The student version, made with nbgrader's generate_assignment steps (autograder.spec)."""
    from autograder.course import Course
    from autograder.pipeline import release_view
    from autograder.spec import build_spec

    course = Course(course_dir)
    spec = build_spec(course, ASSIGNMENT, ASSIGNMENT, course.source_notebooks(ASSIGNMENT)[ASSIGNMENT])
    return release_view(spec)


def answer(release, answers):
    """A copy of ``release`` with ``answers[grade_id]`` as the source of those solution cells."""
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def honest_answers():
    return {k: v.replace("    ### BEGIN SOLUTION\n", "").replace("\n    ### END SOLUTION", "")
            for k, v in SOLUTIONS.items()}


def submit(course_dir, student, content, name=ASSIGNMENT):
    """Write ``submitted/<student>/ps1/ps1.ipynb`` (NotebookNode, bytes, or None for a missing file)."""
    folder = pathlib.Path(course_dir) / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    if content is None:
        return folder
    data = content if isinstance(content, bytes) else nbformat.writes(content).encode()
    (folder / f"{name}.ipynb").write_bytes(data)
    return folder


def dedent(text):
    return textwrap.dedent(text).strip("\n")


def as_json(nb):
    return json.loads(nbformat.writes(nb))
