"""``--cluster``: the same jobs on a dask.distributed cluster (a LocalCluster with 2 worker processes)."""

import pytest

import autograder_fixture as F
from autograder.course import Course
from autograder.grade import Grader
from autograder.gradebook import scores_in_gradebook


@pytest.mark.slow
def test_grading_on_a_dask_local_cluster_gives_the_local_scores(course_dir, release_nb, sandbox):
    distributed = pytest.importorskip("distributed")
    answers = {"honest": {}, "partial": {"ex2_relu": "def relu(x):\n    return x"},
               "blank": {k: F.SOLUTIONS[k].split("### BEGIN SOLUTION")[0] + "raise NotImplementedError()"
                         for k in F.SOLUTIONS}}
    for student, changed in answers.items():
        F.submit(course_dir, student, F.answer(release_nb, dict(F.honest_answers(), **changed)))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            summary = Grader(Course(course_dir), sandbox, cluster=client, progress=False).run()
            assert len(client.scheduler_info()["workers"]) == 2
    assert summary.ok and summary.graded == 3, summary.errors
    scores = scores_in_gradebook(Course(course_dir), F.ASSIGNMENT)
    assert {s: sum(v[F.ASSIGNMENT].values()) for s, v in scores.items()} == {"honest": 6, "partial": 3, "blank": 0}
