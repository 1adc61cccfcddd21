"""Similarity of answer cells (autograder.similarity): planted copies found, look-alikes and starter code not."""

import json
import subprocess

import pytest

import instructor_class
from autograder import similarity
from autograder.course import Course

LONG = '''def dense_per_example(X, W, b):
    {acc} = []
    for {row} in X:
        {z} = {row} @ W
        {z} = {z} + b
        {acc}.append({z})
    {out} = np.stack({acc})
    assert {out}.shape == (X.shape[0], W.shape[1])
    return {out}
'''


def test_short_answers_everyone_writes_are_never_a_pair():
    docs = {f"s{i}": f"def dense_forward(X, W, b):\n    # {'mine' * i}\n    {name} = X @ W + b\n    return {name}\n"
            for i, name in enumerate(["Z", "out", "result", "z", "y", "Y", "a", "res"])}
    solution = "def dense_forward(X, W, b):\n    ### BEGIN SOLUTION\n    return X @ W + b\n    ### END SOLUTION\n"
    assert similarity.compare(docs, [solution]) == []


def test_renamed_copy_of_a_longer_answer_is_found_and_starter_code_is_not():
    original = LONG.format(acc="rows", row="x_row", z="z", out="out")
    copy = "# my own work\n" + LONG.format(acc="collected", row="example", z="h", out="stacked")
    other = LONG.format(acc="rows", row="x_row", z="z", out="out").replace("    assert", "    # assert")
    starter = "def dense_per_example(X, W, b):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    docs = {"ann": original, "bob": copy, "cyd": starter, "dan": starter}
    pairs = similarity.compare(docs, [starter], max_share=1.0)
    assert [(p.first, p.second) for p in pairs] == [("ann", "bob")] and pairs[0].score == pytest.approx(1.0)
    partial = similarity.compare({"ann": original, "eve": other}, [starter], threshold=0.0, max_share=1.0)
    assert 0.0 < partial[0].score < 1.0  # a line of ann's is not in eve's


@pytest.fixture(scope="module")
def found_pairs(tmp_path_factory):
    planted = instructor_class.make_class(tmp_path_factory.mktemp("class"))
    return (planted,) + similarity.find(Course(planted.course), instructor_class.ASSIGNMENT)


@pytest.mark.slow
def test_planted_copies_are_found_with_few_false_positives(found_pairs):
    planted, pairs, found = found_pairs
    flagged = {frozenset((p.first, p.second)) for p in pairs}
    assert flagged >= planted.copies  # every planted copy (renamed, reordered, comments rewritten)
    honest_pairs = len(found) * (len(found) - 1) // 2 - len(planted.copies)
    # honest students here share whole variants and habits; measured: 14 of 7132 honest pairs on this class
    assert len(flagged - planted.copies) <= 0.003 * honest_pairs


@pytest.mark.slow
def test_pairs_are_written_side_by_side_under_the_ignored_private_folder(found_pairs):
    planted, pairs, found = found_pairs
    course = Course(planted.course)
    path = similarity.write(course, instructor_class.ASSIGNMENT, pairs, found)
    assert path.parent == course.root / "private" / "similarity"
    page = path.read_text()
    first = pairs[0]
    assert f"{first.first} and {first.second}" in page and page.count("<table>") == len(pairs)
    assert json.loads(path.with_suffix(".json").read_text())[0]["score"] == first.score
    ignored = subprocess.run(["git", "check-ignore", "-q", "course/private/similarity/x.html"],
                             cwd=instructor_class.REPO)
    assert ignored.returncode == 0, "course/private/ must be git-ignored (student work)"
