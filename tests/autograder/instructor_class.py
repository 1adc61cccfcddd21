"""A generated class for the instructor tools' tests: >= 100 submissions of lesson 01, no grading run.

:func:`make_class` writes what a graded class leaves behind, directly: an nbgrader course root whose
source is the repository's ``source/01_xw_plus_b``, each student's autograded notebook (the released
notebook with the student's answers in the solution cells), the journal record the engine would write
(with contract-v2 check records whose ``got`` is computed by running the student's answer on the test
inputs), ``timestamp.txt`` files (some late, some missing) and a roster. What was planted is returned
(:class:`Planted`) so a test can compare the tools' findings with the truth:

- every wrong answer is one of the course's signature mistakes (the code its check would emit) or an
  undiagnosed wrong answer of a known kind (a shape, a constant factor, an exception);
- the most frequent mistake of each exercise is fixed (``TOP_MISTAKE``);
- ``copies``: students who copied another's whole notebook, then renamed variables, reordered
  independent lines and rewrote the comments;
- many honest students write the same short answers (``return X @ W + b``); each has a few habits of their
  own (extra checks, a result variable) that show up in some of their answers.
"""

import ast
import dataclasses
import datetime
import json
import pathlib
import random
import re
import textwrap

import nbformat
import numpy as np

from fclab.checks._records import encode, encode_error

REPO = pathlib.Path(__file__).resolve().parents[2]
ASSIGNMENT = NOTEBOOK = "01_xw_plus_b"
DUE = datetime.datetime(2026, 11, 20, 23, 59, tzinfo=datetime.timezone.utc)
POINTS = {"ex1_neuron_test": 2.0, "ex2_matmul_shape_test": 1.0, "ex3_dense_forward_test": 2.0,
          "ex4_add_bias_test": 2.0, "ex5_dense_per_example_test": 2.0, "ex6_dense_from_out_in_test": 2.0,
          "ex7_dense_nd_test": 2.0}

CONFIG = '''
c = get_config()
c.CourseDirectory.course_id = "generated"
c.CourseDirectory.root = {root!r}
c.CourseDirectory.source_directory = {source!r}
c.CourseDirectory.release_directory = {release!r}
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''

# Answers: the body lines of each exercise (indented 4 spaces in the notebook). ``right`` are honest
# correct variants; ``wrong`` maps (kind, code or cluster) to a variant. A diagnosis "" = undiagnosed.
RIGHT = {
    "ex1_neuron": ["return float(np.dot(x, w) + b)", "return float(x @ w + b)", "return float(np.sum(x * w) + b)",
                   "total = b\nfor xi, wi in zip(x, w):\n    total = total + xi * wi\nreturn float(total)",
                   "z = 0.0\nfor i in range(len(x)):\n    z += x[i] * w[i]\nz += b\nreturn float(z)"],
    "ex2_matmul_shape": ["n, k = a_shape\nk2, m = b_shape\nif k != k2:\n    return None\nreturn (n, m)",
                         "if a_shape[1] != b_shape[0]:\n    return None\nreturn (a_shape[0], b_shape[1])",
                         "rows, inner = a_shape\ninner_b, cols = b_shape\nreturn (rows, cols) if inner == inner_b "
                         "else None"],
    "ex3_dense_forward": ["return X @ W + b", "return np.dot(X, W) + b", "return np.matmul(X, W) + b",
                          "Z = X @ W\nZ = Z + b\nreturn Z"],
    "ex4_add_bias": ["return Z + np.reshape(b, -1)", "return Z + b.ravel()", "b = np.asarray(b).reshape(-1)\n"
                     "return Z + b[None, :]", "flat = b.flatten()\nout = Z.copy()\nfor j in range(Z.shape[1]):\n"
                     "    out[:, j] += flat[j]\nreturn out"],
    "ex5_dense_per_example": ["rows = []\nfor x_row in X:\n    rows.append(x_row @ W + b)\nreturn np.stack(rows)",
                              "out = np.zeros((X.shape[0], W.shape[1]), dtype=X.dtype)\nfor i in range(X.shape[0]):"
                              "\n    out[i] = X[i] @ W + b\nreturn out",
                              "return np.array([row @ W + b for row in X])"],
    "ex6_dense_from_out_in": ["return X @ W_oi.T + b", "W = W_oi.T\nreturn X @ W + b",
                              "return np.dot(X, np.transpose(W_oi)) + b"],
    "ex7_dense_nd": ["n_in, n_out = W.shape\nrows = X.reshape(-1, n_in)\nreturn (rows @ W + b).reshape(X.shape[:-1] + "
                     "(n_out,))", "return X @ W + b", "return np.tensordot(X, W, axes=([-1], [0])) + b",
                     "return np.einsum('...i,io->...o', X, W) + b"],
}
WRONG = {  # exercise -> [(weight, code or "", body)]; the first entry is the planted top mistake
    "ex1_neuron": [(6, "bias_missing", "return float(np.dot(x, w))"),
                   (2, "bias_twice", "return float(np.dot(x, w) + 2 * b)"),
                   (2, "", "return float(np.dot(x, w) + b) * 2")],
    "ex2_matmul_shape": [(5, "output_transposed", "if a_shape[1] != b_shape[0]:\n    return None\n"
                          "return (b_shape[1], a_shape[0])"),
                         (2, "", "return (a_shape[0], b_shape[1])")],
    "ex3_dense_forward": [(6, "bias_missing", "return X @ W"),
                          (3, "relu_on_output", "return np.maximum(X @ W + b, 0)"),
                          (1, "", "return (X @ W + b).astype(np.float64)")],
    "ex4_add_bias": [(6, "bias_column", "return Z + b"),
                     (3, "", "return Z + b.reshape(-1, 1)")],
    "ex5_dense_per_example": [(5, "bias_missing", "rows = []\nfor x_row in X:\n    rows.append(x_row @ W)\n"
                               "return np.stack(rows)"),
                              (3, "", "rows = []\nfor x_row in X:\n    rows.append(x_row @ W + b)\n"
                               "return np.stack(rows) / len(X)")],
    "ex6_dense_from_out_in": [(6, "raised_exception", "return X @ W_oi + b"),
                              (2, "bias_missing", "return X @ W_oi.T")],
    "ex7_dense_nd": [(6, "", "n_in = W.shape[0]\nreturn X.reshape(-1, n_in) @ W + b"),
                     (2, "relu_on_output", "return np.maximum(X @ W + b, 0)")],
}
TOP_MISTAKE = {ex: wrong[0][1] or "undiagnosed" for ex, wrong in WRONG.items()}
DIFFICULTY = {"ex1_neuron": -1.5, "ex2_matmul_shape": -0.5, "ex3_dense_forward": -0.8, "ex4_add_bias": 0.0,
              "ex5_dense_per_example": -0.3, "ex6_dense_from_out_in": 0.3, "ex7_dense_nd": 0.8}
PARAMETERS = {"x", "w", "b", "X", "W", "W_oi", "Z", "a_shape", "b_shape"}
ARGS = {"ex1_neuron": ("x", "w", "b"), "ex2_matmul_shape": ("a_shape", "b_shape"), "ex3_dense_forward": ("X", "W", "b"),
        "ex4_add_bias": ("Z", "b"), "ex5_dense_per_example": ("X", "W", "b"),
        "ex6_dense_from_out_in": ("X", "W_oi", "b"),
        "ex7_dense_nd": ("X", "W", "b")}
ASSIGNMENT_LINE = re.compile(r"^\w+(\s*,\s*\w+)*\s*=[^=]")
HABITS = ("{p} = np.asarray({p})", "assert {p} is not None", "size = np.size({p})", "shape_{p} = np.shape({p})",
          "kind = np.asarray({p}).dtype.kind", "assert len(np.shape({p})) >= 1",
          "if {p} is None:\n    raise ValueError('{p}')",
          "_ = np.ndim({p})", "dims = [int(d) for d in np.shape({p})]", "check = np.all(np.isfinite({p}))")
COMMENTS = ("# the layer", "# add the bias", "# matrix product first", "# one row per example", "# done",
            "# shapes: (batch, out)", "# bias broadcast over rows", "# check the inner sizes")


@dataclasses.dataclass(frozen=True)
class Planted:
    """What :func:`make_class` planted: the truth the tools are measured against."""

    course: pathlib.Path
    students: tuple
    answers: dict        # {student: {exercise: (kind, code, body)}}; kind "right" or "wrong"
    copies: frozenset    # {frozenset({original, copier})}
    late: dict           # {student: seconds late (> 0)} among students with a timestamp
    no_timestamp: frozenset
    extensions: dict     # {student: hours}: late without it, on time with it


def _inputs(exercise, rng, case):
    """Test inputs of one case (batch != in != out, non-zero bias), as the lesson's checks draw them."""
    sizes = [(2, 3, 4), (5, 4, 3), (1, 6, 2), (3, 2, 5), (4, 5, 2)][case]
    batch, n_in, n_out = sizes
    normal = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    if exercise == "ex1_neuron":
        return (normal(n_in), normal(n_in), float(rng.standard_normal()) + 0.5)
    if exercise == "ex2_matmul_shape":
        return ((batch, n_in), (n_in if case % 2 == 0 else n_out, n_out))
    if exercise == "ex4_add_bias":
        b = normal(n_out) + 0.5
        return (normal(batch, n_out), [b, b.reshape(1, -1), b.reshape(-1, 1)][case % 3])
    if exercise == "ex6_dense_from_out_in":
        return (normal(batch, n_in), normal(n_out, n_in), normal(n_out) + 0.5)
    if exercise == "ex7_dense_nd":
        return (normal(batch, 2, n_in), normal(n_in, n_out), normal(n_out) + 0.5)
    return (normal(batch, n_in), normal(n_in, n_out), normal(n_out) + 0.5)


def _function(exercise, body, signature):
    namespace = {"np": np}
    exec(f"{signature}\n{textwrap.indent(body, '    ')}\n", namespace)  # test fixture: our own generated code
    return namespace[signature.split("(")[0].split()[-1]]


def _records(exercise, answer, solution, signature, rng, student_seed):
    kind, code, body = answer
    fn, ref = _function(exercise, body, signature), _function(exercise, solution, signature)
    records = []
    for case in range(5):
        args = _inputs(exercise, rng, case)
        expected = ref(*args)
        try:
            got = fn(*args)
            same = np.shape(got) == np.shape(expected) and (
                np.allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float), rtol=1e-5, atol=1e-6)
                if expected is not None and got is not None else got == expected)
            if same and isinstance(expected, np.ndarray) and np.asarray(got).dtype != expected.dtype:
                same = False
            got_enc, diagnoses = encode(np.asarray(got) if isinstance(got, np.ndarray) else got), []
        except Exception as exc:  # noqa: BLE001  the answer's own error, recorded like the call watch does
            got_enc, same, diagnoses = encode_error(exc), False, ["raised_exception"]
        if not same and code and not diagnoses:
            diagnoses = [code]
        records.append({"v": 2, "check": "check_function", "name": f"{exercise} case {case}", "seq": case,
                        "exercise": exercise, "hidden": case >= 3, "seed": student_seed, "case": case,
                        "passed": bool(same), "diagnoses": diagnoses if not same else [], "got": got_enc,
                        "expected": encode(expected), "rtol": 1e-05, "atol": 1e-06})
    return records


def _solution_bodies(source_nb):
    """``{exercise: (signature line, solution body, docstring lines)}`` from the instructor's notebook."""
    found = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in RIGHT:
            head, rest = cell.source.split("### BEGIN SOLUTION", 1)
            body = textwrap.dedent(rest.split("### END SOLUTION", 1)[0]).strip("\n")
            found[meta["grade_id"]] = (head.splitlines()[0], body, head.rstrip() + "\n")
    return found


def _disguise(body, rnd):
    """A copier's version of ``body``: variables renamed, independent lines swapped, comments rewritten."""
    tree = ast.parse("def f():\n" + textwrap.indent(body, "    "))
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for name in sorted(assigned - PARAMETERS):
        body = re.sub(rf"\b{name}\b", f"{name}_{rnd.choice('abc')}v", body)
    lines = [line for line in body.splitlines() if not line.strip().startswith("#")]
    for i in range(len(lines) - 1):  # swap two adjacent plain assignments that do not read each other
        a, b = lines[i], lines[i + 1]
        if ASSIGNMENT_LINE.match(a) and ASSIGNMENT_LINE.match(b):
            target = a.split("=")[0].strip()
            if not re.search(rf"\b{re.escape(target)}\b", b.split("=", 1)[1]):
                lines[i], lines[i + 1] = b, a
                break
    return "\n".join([rnd.choice(COMMENTS).replace("#", "# note:")] + lines)


def personal(exercise, body, habits, rnd):
    """An honest student's own version of a variant: their habitual extra lines, their way to return."""
    lines = [h.format(p=rnd.choice(ARGS[exercise])) for h in habits if rnd.random() < 0.6]
    if body.startswith("return ") and "\n" not in body and rnd.random() < 0.4:
        body = f"result = {body[len('return '):]}\nreturn result"
    return "\n".join(lines + [body])


def _cell_source(docstring_head, body, student, rnd):
    extra = [rnd.choice(COMMENTS)] if rnd.random() < 0.5 else []
    if rnd.random() < 0.05:
        extra.append(f"# answer by {student}")
    return docstring_head + textwrap.indent("\n".join(extra + [body]), "    ") + "\n"


def make_class(root, n_students=120, n_copies=8, seed=0):
    """Write the generated class under ``root`` (see module docstring); returns :class:`Planted`."""
    root = pathlib.Path(root)
    course = root / "course"
    course.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(CONFIG.format(root=str(course), source=str(REPO / "source"),
                                                             release=str(REPO / "release")))
    rnd, rng = random.Random(seed), np.random.default_rng(seed)
    source_nb = nbformat.read(REPO / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    release_nb = nbformat.read(REPO / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    solutions = _solution_bodies(source_nb)
    students = tuple(f"s{k:03d}" for k in range(1, n_students + 1))
    answers = {}
    for student in students:
        ability = rng.standard_normal()
        habits = rnd.sample(HABITS, rnd.choice([0, 1, 2, 2, 3]))
        answers[student] = {}
        for ex in RIGHT:
            if rnd.random() < 1 / (1 + np.exp(-(1.7 * ability - DIFFICULTY[ex]))):
                answers[student][ex] = ("right", "", personal(ex, rnd.choice(RIGHT[ex]), habits, rnd))
            else:
                weight, code, body = rnd.choices(WRONG[ex], weights=[w for w, _, _ in WRONG[ex]])[0]
                answers[student][ex] = ("wrong", code, personal(ex, body, habits, rnd))
    originals = rnd.sample(students[: n_students // 2], n_copies)
    copiers = rnd.sample(students[n_students // 2:], n_copies)
    copies = frozenset(frozenset(pair) for pair in zip(originals, copiers))
    for original, copier in zip(originals, copiers):
        answers[copier] = {ex: (kind, code, _disguise(body, rnd)) for ex, (kind, code, body)
                           in answers[original].items()}
    late, no_timestamp, extensions = {}, set(), {}
    for index, student in enumerate(students):
        _write_student(course, student, answers[student], solutions, release_nb, rnd, index)
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4),
                       folder / f"{NOTEBOOK}.ipynb")
        roll = rnd.random()
        if roll < 0.05:
            no_timestamp.add(student)
            continue
        offset = datetime.timedelta(hours=-rnd.uniform(1, 72))
        if roll < 0.15:
            offset = datetime.timedelta(hours=rnd.uniform(1, 30))
            late[student] = offset.total_seconds()
            if roll < 0.08:
                extensions[student] = 48
                del late[student]
        stamp = (DUE + offset).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
        (folder / "timestamp.txt").write_text(stamp)
    roster = ["student,lms_id,sis_login,first_name,last_name,email,section"]
    roster += [f"{s},{9000 + i},{s}@uni.example,Étudiant{i},Müller-{s},{s}@uni.example,Section A"
               for i, s in enumerate(students)]
    (course / "private").mkdir()
    (course / "private" / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    return Planted(course, students, answers, copies, late, frozenset(no_timestamp), extensions)


def _write_student(course, student, answers, solutions, release_nb, rnd, index):
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))
    cells, score = {}, 0.0
    for cell in nb.cells:
        exercise = cell.metadata.get("nbgrader", {}).get("grade_id")
        if exercise in answers:
            signature, solution, head = solutions[exercise]
            cell.source = _cell_source(head, answers[exercise][2], student, rnd)
            if exercise == "ex1_neuron":
                cell.source += "\n\nz_by_hand = 1.5\n"
            records = _records(exercise, answers[exercise], solution, signature,
                               np.random.default_rng([index, len(exercise)]), 1000 + index)
            test = f"{exercise}_test"
            points = POINTS[test] if all(r["passed"] for r in records) else 0.0
            score += points
            failed = [r for r in records if not r["passed"]]
            cells[test] = {"points": points, "max": POINTS[test], "seconds": 0.01, "records": records,
                           "reason": "passed" if not failed else f"{failed[0]['name']}: wrong answer"}
    folder = course / "autograded" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
    record = {"assignment": ASSIGNMENT, "student": student, "key": f"generated-{student}",
              "graded_at": "2026-11-29T13:00:00+00:00", "score": score, "max_score": sum(POINTS.values()),
              "notebooks": {NOTEBOOK: {"reason": None, "fault": None, "notes": [], "flags": [], "timings": {},
                                       "cells": cells}}}
    runs = course / "autograder-runs" / ASSIGNMENT
    runs.mkdir(parents=True, exist_ok=True)
    (runs / f"{student}.json").write_text(json.dumps(record, indent=1))
