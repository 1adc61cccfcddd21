"""Answers that return Keras models, graded end to end: a built-in model is rebuilt trusted-side and measured
there; a model with a Lambda layer or a custom layer class never crosses, and the test cell says why."""

import nbformat
import pytest

import autograder_fixture as F
from autograder.course import Course
from autograder.grade import Grader
from autograder.journal import Journal

pytestmark = [pytest.mark.slow, pytest.mark.tf]

SETUP = "import numpy as np\nimport keras\nfrom fclab.checks import check_close, check_equal"
SOLUTION = '''def make_model():
    """A Sequential 3 -> 2 Dense model with kernel all 0.5 and bias [1, -1]."""
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.set_weights([np.full((3, 2), 0.5, "float32"), np.array([1.0, -1.0], "float32")])
    return model
    ### END SOLUTION'''
TEST = '''model = make_model()
x = np.arange(12, dtype="float32").reshape(4, 3)
check_equal(type(model).__name__, "Sequential", name="a Sequential model")
check_close(model.predict(x, verbose=0), x @ np.full((3, 2), 0.5) + np.array([1.0, -1.0]), name="forward pass")'''
LAMBDA = '''def make_model():
    return keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t[:, :2] * 0 + 1)])'''
CUSTOM = '''class Cheat(keras.layers.Layer):
    def call(self, inputs):
        return inputs[:, :2]
def make_model():
    return keras.Sequential([keras.Input((3,)), Cheat()])'''


def _course(root):
    (root / "course").mkdir(parents=True)
    (root / "course" / "nbgrader_config.py").write_text(F.CONFIG)
    (root / "source" / "km").mkdir(parents=True)
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[v4.new_code_cell(SETUP, metadata=F._meta("setup", locked=True)),
                                v4.new_code_cell(SOLUTION, metadata=F._meta("ex_model", solution=True)),
                                v4.new_code_cell(TEST, metadata=F._meta("ex_model_test", grade=True, locked=True,
                                                                        points=1))])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(root / "source" / "km" / "km.ipynb"))
    return root / "course"


def test_keras_answers(tmp_path, sandbox):
    course_dir = _course(tmp_path)
    source = nbformat.read(str(tmp_path / "source" / "km" / "km.ipynb"), 4)
    answers = {"honest": SOLUTION.replace("    ### BEGIN SOLUTION\n", "").replace("\n    ### END SOLUTION", ""),
               "lambda_layer": LAMBDA, "custom_class": CUSTOM}
    for student, answer in answers.items():
        nb = nbformat.from_dict(nbformat.reads(nbformat.writes(source), 4))
        nb.cells[1].source = answer
        folder = course_dir / "submitted" / student / "km"
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / "km.ipynb"))
    summary = Grader(Course(course_dir), sandbox, workers=1, progress=False).run()
    assert summary.ok, summary.errors
    cells = {r["student"]: r["notebooks"]["km"]["cells"]["ex_model_test"] for r in Journal(Course(course_dir).runs_dir).records()}
    assert cells["honest"]["points"] == 1.0, cells["honest"]["reason"]
    assert cells["lambda_layer"]["points"] == 0.0 and "'Lambda'" in cells["lambda_layer"]["reason"]
    assert cells["custom_class"]["points"] == 0.0 and "Cheat" in cells["custom_class"]["reason"]
