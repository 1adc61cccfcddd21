"""Similarity (autograder.similarity) on generated classes: recall of planted copies and false positives.

Each class has 120 submissions of lesson 01 and 8 planted copies (variables renamed, independent lines
swapped, comments rewritten); honest students draw from a few common variants per exercise plus their own
habits, so honest look-alikes are frequent. Prints one line per class; a report, not a pass/fail test.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "autograder"))
import instructor_class  # noqa: E402
from autograder import similarity  # noqa: E402
from autograder.course import Course  # noqa: E402


def test_similarity_recall_and_false_positives(tmp_path):
    lines = []
    for seed in (0, 1, 2):
        planted = instructor_class.make_class(tmp_path / str(seed), seed=seed)
        course = Course(planted.course)
        pairs, found = similarity.find(course, instructor_class.ASSIGNMENT)
        flagged = {frozenset((p.first, p.second)) for p in pairs}
        n_pairs = len(found) * (len(found) - 1) // 2
        hits = len(flagged & planted.copies)
        false = len(flagged - planted.copies)
        assert 0 <= hits <= len(planted.copies) and all(p.score >= similarity.THRESHOLD for p in pairs)
        lines.append(f"seed {seed}: recall {hits}/{len(planted.copies)}, false positives {false} of "
                     f"{n_pairs - len(planted.copies)} honest pairs ({false / n_pairs:.2%})")
    print("\nsimilarity (threshold %.2f, k=%d, max_share %.2f):\n  " % (
        similarity.THRESHOLD, similarity.NOISE, similarity.MAX_SHARE) + "\n  ".join(lines))
