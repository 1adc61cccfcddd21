"""``grade --cluster``: throughput of a dask.distributed cluster with 1 and then 2 workers.

The same >= 100 submissions of the small numpy-only fixture course (tests/autograder/autograder_fixture.py)
are graded twice, on a fresh copy each time, by a ``LocalCluster`` of 1 and of 2 worker processes with one
thread each. Every worker and every kernel it starts is pinned to one thread (OpenMP, OpenBLAS, MKL,
numexpr, TensorFlow intra/inter-op), so the ratio measures how the engine scales with workers, not how
BLAS threads fight over the cores. Prints submissions per second for both and their ratio (2.0 = linear);
asserts only that both runs graded everything with the same scores.

Run: ``BENCH_CLUSTER_SUBMISSIONS=100 .venv/bin/python -m pytest tests/bench/bench_cluster.py -s``
(several minutes on 2 cores; it needs both cores to itself to mean anything).
"""

import os
import pathlib
import shutil
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "autograder"))
import autograder_fixture as F  # noqa: E402

from autograder.course import Course  # noqa: E402
from autograder.gradebook import scores_in_gradebook  # noqa: E402

SUBMISSIONS = int(os.environ.get("BENCH_CLUSTER_SUBMISSIONS", "100"))
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                     "NUMEXPR_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")}


def _class(root):
    course_dir = F.make_course(root)
    release = F.release_notebook(course_dir)
    variants = [F.honest_answers(), dict(F.honest_answers(), ex2_relu="def relu(x):\n    return x")]
    for n in range(SUBMISSIONS):
        F.submit(course_dir, f"student{n:03d}", F.answer(release, variants[n % 2]))
    return course_dir


def _grade(course_dir, workers):
    import distributed

    from autograder.grade import Grader
    from autograder.sandbox import Limits, Sandbox

    sandbox, _ = Sandbox.create(Limits(cell_timeout=30, notebook_timeout=300))
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                  env=ONE_THREAD) as cluster, distributed.Client(cluster) as client:
        client.run(lambda: None)  # workers up before the clock starts
        start = time.monotonic()
        summary = Grader(Course(course_dir), sandbox, cluster=client, progress=False).run()
        seconds = time.monotonic() - start
    assert summary.ok and summary.graded == SUBMISSIONS, summary.errors
    return seconds, scores_in_gradebook(Course(course_dir), F.ASSIGNMENT)


@pytest.mark.slow
@pytest.mark.timeout(7200)  # 200 gradings; the suite's 900 s is for tests
def test_cluster_throughput_with_one_and_two_workers(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    for name, value in ONE_THREAD.items():
        monkeypatch.setenv(name, value)  # kernels inherit the allowed ones through the sandbox's env
    base = _class(tmp_path / "base")
    results = {}
    for workers in (1, 2):
        copy = tmp_path / f"w{workers}"
        shutil.copytree(base.parent, copy)
        results[workers] = _grade(copy / "course", workers)
    assert results[1][1] == results[2][1]  # the same scores either way
    rate = {w: SUBMISSIONS / seconds for w, (seconds, _) in results.items()}
    print(f"\n--cluster, {SUBMISSIONS} submissions of the fixture course, one thread per worker and kernel:"
          f"\n  1 worker : {results[1][0]:7.1f} s  {rate[1]:.2f} submissions/s"
          f"\n  2 workers: {results[2][0]:7.1f} s  {rate[2]:.2f} submissions/s"
          f"\n  throughput ratio 2/1 = {rate[2] / rate[1]:.2f} ({rate[2] / rate[1] / 2:.0%} of linear)")
