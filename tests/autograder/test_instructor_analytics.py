"""Class analytics (autograder.analytics) on a generated class of 120 submissions with planted mistakes."""

import csv
import json
import re

import numpy as np
import pytest

import instructor_class
from autograder import analytics, report
from autograder.course import Course


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return instructor_class.make_class(tmp_path_factory.mktemp("class"))


@pytest.fixture(scope="module")
def written(planted):
    path = report.write(Course(planted.course))
    return path, json.loads(path.with_name(analytics.JSON_NAME).read_text())["01_xw_plus_b"]


def test_point_biserial_is_the_correlation_and_none_when_constant():
    item, rest = [0, 0, 1, 1, 1], [1.0, 2.0, 3.0, 5.0, 4.0]
    assert analytics.point_biserial(item, rest) == pytest.approx(np.corrcoef(item, rest)[0, 1])
    assert analytics.point_biserial([1, 1, 1, 1], rest[:4]) is None
    assert analytics.point_biserial([1, 0, 1, 0], [2.0] * 4) is None


@pytest.mark.parametrize("got, expected, cluster", [
    ({"error": "ValueError: operands could not be broadcast"}, {"shape": [2, 3]}, "raised ValueError"),
    ({"shape": [2, 2], "dtype": "float32", "data": [2, 4, 6, 8]},
     {"shape": [2, 2], "dtype": "float32", "data": [1, 2, 3, 4]}, "off by a constant factor"),
    ({"shape": [3], "dtype": "float32", "data": [1.5, 2.5, 3.5]},
     {"shape": [3], "dtype": "float32", "data": [1, 2, 3]}, "off by a constant offset"),
    ({"shape": [6, 2], "dtype": "float32", "data": [0] * 12},
     {"shape": [3, 2, 2], "dtype": "float32", "data": [1] * 12}, "wrong shape: rank 2 for rank 3"),
    ({"shape": [4, 2], "dtype": "float32", "data": [0] * 8},
     {"shape": [2, 4], "dtype": "float32", "data": [1] * 8}, "transposed shape"),
    ({"shape": [2], "dtype": "int64", "data": [1, 2]},
     {"shape": [2], "dtype": "float32", "data": [1, 2]}, "dtype int64 for float32"),
    ({"value": None}, {"value": 3.0}, "returned None"),
    ({"value": [2, 3]}, {"value": None}, "returned a value where None was expected"),
    ({"shape": [2], "dtype": "float32", "data": [1.0, 7.0]},
     {"shape": [2], "dtype": "float32", "data": [1.0, 2.0]}, "wrong values, right shape and type"),
])
def test_undiagnosed_wrong_answers_are_grouped_by_what_they_returned(got, expected, cluster):
    assert analytics.describe_wrong(got, expected)[0] == cluster


def _truth(planted, exercise):
    """Students per planted mistake of ``exercise``, from what was planted (not from the records)."""
    counts = {}
    for student in planted.students:
        kind, code, _ = planted.answers[student][exercise]
        if kind == "wrong" and code:
            counts[code] = counts.get(code, 0) + 1
    return counts


@pytest.mark.slow
def test_the_planted_top_mistake_of_every_exercise_comes_first(planted, written):
    _, data = written
    for exercise, top in instructor_class.TOP_MISTAKE.items():
        first = next(m for m in data["mistakes"] if m["exercise"] == exercise)
        if top == "undiagnosed":
            assert first["kind"] == "returned" and first["key"].startswith("wrong shape"), first
            continue
        expected_key = "raised_exception: ValueError" if top == "raised_exception" else top
        assert first["key"] == expected_key, (exercise, first["key"])
        if top != "raised_exception":  # an exception can also come from other wrong answers
            assert first["students"] == _truth(planted, exercise)[top]


@pytest.mark.slow
def test_items_have_rates_and_discrimination(written):
    _, data = written
    assert [i["exercise"] for i in data["items"]] == sorted(instructor_class.RIGHT)
    assert data["students"] == 120 and data["max_score"] == 13 and 0 < data["sd"]
    assert data["mean"] == pytest.approx(sum(i["mean"] for i in data["items"]))
    for item in data["items"]:
        assert item["students"] == 120 and 0 < item["pass_rate"] < 1
        assert item["difficulty"] == pytest.approx(item["pass_rate"])  # all-or-nothing test cells
        assert item["discrimination"] > 0.2  # the generated class answers by ability


@pytest.mark.slow
def test_example_answers_are_anonymised_answer_cells(written):
    _, data = written
    text = json.dumps(data)
    assert "# answer by" in text  # some students signed their answer ...
    assert not re.search(r"\bs\d{3}\b", text)  # ... and no student id is left
    example = next(m for m in data["mistakes"] if m["key"] == "bias_missing" and m["exercise"] == "ex3_dense_forward")
    assert "def dense_forward(X, W, b):" in example["example"] and "X @ W" in example["example"]
    from fclab.checks._catalogue import CATALOGUE  # codes are named with the catalogue's title and section

    assert example["title"] == CATALOGUE["bias_missing"].title
    assert example["section"] == CATALOGUE["bias_missing"].section


@pytest.mark.slow
def test_report_has_the_section_and_csv(written):
    path, _ = written
    page = path.read_text()
    assert "<h2>Class analytics</h2>" in page and "data:image/png;base64" in page
    rows = list(csv.DictReader(path.with_name(analytics.CSV_NAME).open()))
    assert len(rows) == 7 and rows[2]["exercise"] == "ex3_dense_forward"
    assert rows[2]["top_mistake"] == "bias_missing"
