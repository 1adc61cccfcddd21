"""Each pipeline step on its own, without a kernel (fast)."""

import copy
import json

import nbformat
import pytest
from hypothesis import given, settings, strategies as st

import autograder_fixture as F
from autograder import prepare, rebuild
from autograder.course import Course
from autograder.feedback import HideHiddenTestTracebacks
from autograder.integrity import scan_notebook, scan_source
from autograder.kernel import _truncate_utf8
from autograder.spec import build_spec, gid


@pytest.fixture
def spec(course_dir):
    course = Course(course_dir)
    return build_spec(course, F.ASSIGNMENT, F.ASSIGNMENT, course.source_notebooks(F.ASSIGNMENT)[F.ASSIGNMENT])


# -- prepare ----------------------------------------------------------------------------------------------
def test_prepare_reasons_for_unreadable_files(tmp_path):
    assert "empty" in prepare.parse_notebook(b"").reason
    assert "not valid JSON (line 1" in prepare.parse_notebook(b'{"cells": [').reason
    assert "not a notebook" in prepare.parse_notebook(b'{"a": 1}').reason
    assert "nbformat 2" in prepare.parse_notebook(b'{"nbformat": 2, "cells": []}').reason
    data, sha, reason = prepare.read_bytes(tmp_path / "nope.ipynb")
    assert data is None and "no notebook submitted" in reason
    (tmp_path / "big.ipynb").write_bytes(b" " * 2048)
    data, _, reason = prepare.read_bytes(tmp_path / "big.ipynb", max_bytes=1024)
    assert data is None and "over the" in reason


def test_prepare_upgrades_nbformat3(release_nb):
    v3 = nbformat.writes(nbformat.convert(copy.deepcopy(release_nb), 3)).encode()  # convert mutates
    prepared = prepare.parse_notebook(v3)
    assert prepared.notebook.nbformat == 4 and "upgraded from nbformat 3" in prepared.notes[0]
    assert [gid(c) for c in prepared.notebook.cells] == [gid(c) for c in release_nb.cells]


# -- rebuild ----------------------------------------------------------------------------------------------
def _sources(nb):
    return {gid(c): c["source"] for c in nb["cells"] if gid(c)}


def test_rebuild_takes_answers_and_restores_everything_else(spec, release_nb):
    student = F.answer(release_nb, F.honest_answers())
    for cell in student.cells:
        if gid(cell) == "ex1_add_bias_test":
            cell.source = "pass"
    student.cells = [c for c in student.cells if gid(c) != "ex2_relu_test"]
    done = rebuild.rebuild(spec, student)
    sources = _sources(done.notebook)
    assert sources["ex1_add_bias_test"] == F.TESTS["ex1_add_bias_test"]  # edited -> source, hidden tests in
    assert sources["ex2_relu_test"] == F.TESTS["ex2_relu_test"]  # deleted -> rebuilt
    assert sources["ex1_add_bias"] == F.honest_answers()["ex1_add_bias"]
    assert any("'ex1_add_bias_test' was edited" in n for n in done.notes)
    assert any("'ex2_relu_test' was deleted" in n for n in done.notes)
    assert [gid(c) for c in done.notebook["cells"]] == [gid(c) for c in spec.cells()]


def test_rebuild_matches_metadata_stripped_solutions_by_content(spec, release_nb):
    student = F.answer(release_nb, F.honest_answers())
    for cell in student.cells:
        cell.metadata = {}
        cell.pop("id", None)
    done = rebuild.rebuild(spec, student)
    assert _sources(done.notebook)["ex2_relu"] == F.honest_answers()["ex2_relu"]
    assert sum("had no nbgrader metadata" in n for n in done.notes) >= 3
    assert not any("kept" in n for n in done.notes)  # stripped test cells are recognised, not "added"


def test_rebuild_keeps_added_cells_in_place_and_reports_missing_solutions(spec, release_nb):
    student = F.answer(release_nb, F.honest_answers())
    helper = nbformat.v4.new_code_cell("def helper():\n    return 1")
    index = next(i for i, c in enumerate(student.cells) if gid(c) == "ex2_relu")
    student.cells.insert(index, helper)
    student.cells = [c for c in student.cells if gid(c) != "ex3_count"]
    done = rebuild.rebuild(spec, student)
    cells = done.notebook["cells"]
    position = next(i for i, c in enumerate(cells) if c["source"] == helper.source)
    assert gid(cells[position + 1]) in (None, "ex2_relu") and cells[position]["metadata"]["autograder"]["added"]
    assert _sources(done.notebook)["ex3_count"] == spec.release["ex3_count"]  # graded as the stub
    assert any("'ex3_count' is missing" in n for n in done.notes)


def test_rebuild_drops_duplicated_test_cells_and_fake_grade_cells(spec, release_nb):
    student = F.answer(release_nb, F.honest_answers())
    test = next(c for c in student.cells if gid(c) == "ex1_add_bias_test")
    fake = copy.deepcopy(test)
    fake["id"], fake.source = "fake", "print('I grade myself')"
    fake.metadata["nbgrader"]["grade_id"] = "my_own_points"
    dup = copy.deepcopy(test)
    dup["id"] = "dup"
    student.cells += [dup, fake]
    done = rebuild.rebuild(spec, student)
    graded_ids = [gid(c) for c in done.notebook["cells"] if gid(c)]
    assert graded_ids == [gid(c) for c in spec.cells() if gid(c)]  # no duplicate, no self-made grade cell
    assert any("duplicates test cell 'ex1_add_bias_test'" in n for n in done.notes)


# -- integrity --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code, expected", [
    ("import numpy as np\nnp.allclose = lambda *a, **k: True", "assigns numpy.allclose"),
    ("from fclab import checks as c\nc.check_close = print", "assigns fclab.checks.check_close"),
    ("ip = get_ipython()\nip.input_transformers_post.append(f)", "IPython internals"),
    ("import sys\nsys.modules['numpy'] = None", "sys.modules"),
    ("import sqlite3", "imports sqlite3"),
    ("open('/etc/passwd')", "outside the working folder"),
    ("open('../../gradebook.db')", "outside the working folder"),
    ("import os\nos._exit(1)", "calls os._exit"),
    ("!curl http://example.com", "get_ipython().system"),
    ("import builtins\nbuiltins.print = None", "assigns builtins.print"),
    ("setattr(__import__('numpy'), 'isclose', None)", "setattr() on a computed object"),
    ("__builtins__['len'] = len", "__builtins__"),
    ("print(open(__file__).read())", "__file__"),
    ("import subprocess\nsubprocess.run(['ls'])", "imports subprocess"),
    ("import ctypes", "imports ctypes"),
    ("eval('1+1')", "runs code from a string"),
    ("getattr(__import__('sys'), 'setpro' + 'file')(None)", "puts together the string 'setprofile'"),
    ("getattr(__import__('sys'), name)(None)", "getattr() with a computed name on a module from __import__()"),
    ("import sys\ngetattr(sys, name)", "getattr() with a computed name on sys"),
    ("__import__('os').system('ls')", "imports os through __import__()"),
    ("handle = __fclab_agent__.handle", "the grader's own name __fclab_agent__"),
    ("f.__fclab_call__((), {}, (), False)", "the grader's own name __fclab_call__"),
])
def test_integrity_flags_reaching_for_the_machinery(code, expected):
    flags = [str(f) for f in scan_source(code, 7, "ex1")]
    assert any(expected in f for f in flags), flags
    assert all(f.startswith("cell 7 (ex1), line ") for f in flags)


def test_integrity_is_quiet_on_honest_code(spec, release_nb):
    honest = F.answer(release_nb, F.honest_answers())
    done = rebuild.rebuild(spec, honest)
    assert scan_notebook(done.notebook) == []
    assert scan_source("import numpy as np\nW = np.random.default_rng(0).normal(size=(3, 4))\n"
                       "def f(X):\n    out = X @ W\n    out[out < 0] = 0\n    return out") == []
    assert scan_source("import keras\ndef act(name):\n    return getattr(keras.activations, name)\n"
                       "label = 'relu' + '_' + str(3)") == []  # computed getattr on keras, plain strings


# -- output caps, feedback -----------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200), st.integers(0, 300))
def test_truncate_utf8_keeps_a_valid_prefix_within_the_budget(text, budget):
    cut = _truncate_utf8(text, budget)
    assert text.startswith(cut)
    assert len(cut.encode()) <= budget or cut == text and len(text.encode()) <= budget
    if len(text.encode()) <= budget:
        assert cut == text


def test_feedback_preprocessor_hides_hidden_test_source():
    source = F.TESTS["ex1_add_bias_test"]
    cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 1,
                                                                     "solution": False, "locked": True}})
    secret_line = [line for line in source.splitlines() if "HIDDEN_SECRET_1" in line][0]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="add_bias got X of shape (5, 7)\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="and b [0.3, ...]\n"),
                    nbformat.v4.new_output("error", ename="AssertionError",
                                           evalue=f"check_close 'add_bias hidden': got differs\n{secret_line}",
                                           traceback=[f"---> 9 {secret_line}", "AssertionError: ..."])]
    nb = nbformat.v4.new_notebook(cells=[cell])
    out, _ = HideHiddenTestTracebacks().preprocess(nb, {})
    text = json.dumps(out.cells[0].outputs)
    assert "HIDDEN_SECRET_1" not in text and "Xh" not in text
    assert "add_bias hidden" not in text and "(5, 7)" not in text  # the hidden check's name, the printed inputs
    assert "check_close '(hidden)': got differs" in text and "AssertionError" in text
    assert [o["output_type"] for o in out.cells[0].outputs] == ["stream", "error"]
    assert "not shown here" in out.cells[0].outputs[0]["text"]
