"""Warm kernels (forked from a per-worker zygote): nothing of one student reaches the next, and the scores
equal those of fresh kernels."""

import pytest

import autograder_fixture as F
from autograder.course import Course
from autograder.grade import Grader
from autograder.gradebook import scores_in_gradebook
from autograder.journal import Journal

POLLUTE = F.dedent("""
    import ctypes, os, time
    for path in ("/tmp/planted", os.path.expanduser("~/planted"), "/dev/shm/planted", "planted_in_workdir"):
        try:
            open(path, "w").write("left by the previous student")
        except OSError:
            pass
    if os.fork() == 0:  # a daemon that outlives the kernel
        os.setsid()
        if os.fork() == 0:
            while True:
                time.sleep(1)
        os._exit(0)
    ctypes.CDLL(None).shmget(0x5EED, 4096, 0o1000 | 0o666)  # IPC_CREAT: a System V segment
    os.environ["PLANTED"] = "1"
    """)

INSPECT = F.dedent("""
    import os
    paths = ("/tmp/planted", os.path.expanduser("~/planted"), "/dev/shm/planted", "planted_in_workdir")
    files = [p for p in paths if os.path.exists(p)]
    others = sorted(set(p for p in os.listdir("/proc") if p.isdigit()) - {"1", str(os.getpid())})
    try:
        segments = len(open("/proc/sysvipc/shm").read().splitlines()) - 1
    except OSError:
        segments = 0
    print("TRACES", files, others, segments, os.environ.get("PLANTED"))
    """)


def _grade(course_dir, sandbox, **kw):
    summary = Grader(Course(course_dir), sandbox, workers=1, progress=False, **kw).run()
    assert summary.ok, summary.errors
    return {r["student"]: r for r in Journal(Course(course_dir).runs_dir).records()}


def test_nothing_of_one_student_reaches_the_next(course_dir, release_nb, sandbox):
    if not sandbox.use_bwrap:
        pytest.skip("warm kernels need bubblewrap (their clean-up needs a PID namespace)")
    honest = F.honest_answers()
    for student, extra in (("a_polluter", POLLUTE), ("b_inspector", INSPECT)):
        answers = dict(honest, ex1_add_bias=honest["ex1_add_bias"] + "\n" + extra)
        F.submit(course_dir, student, F.answer(release_nb, answers))
    records = _grade(course_dir, sandbox)  # one worker: the inspector runs right after, in the same zygote
    assert records["b_inspector"]["score"] == F.MAX_SCORE
    nb = (Course(course_dir).autograded_dir("b_inspector", F.ASSIGNMENT) / "ps1.ipynb").read_text()
    assert "TRACES [] [] 0 None" in nb


def test_warm_and_fresh_kernels_give_the_same_scores(tmp_path, release_nb, sandbox):
    answers = {"honest": {}, "partial": {"ex2_relu": "def relu(x):\n    return x"},
               "crashing": {"ex2_relu": F.honest_answers()["ex2_relu"] + "\nimport os\nos._exit(3)"}}
    scores = {}
    for mode in ("warm", "fresh"):
        course_dir = F.make_course(tmp_path / mode)
        for student, changed in answers.items():
            F.submit(course_dir, student, F.answer(release_nb, dict(F.honest_answers(), **changed)))
        records = _grade(course_dir, sandbox, warm=mode == "warm")
        scores[mode] = scores_in_gradebook(Course(course_dir), F.ASSIGNMENT)
        assert "exit status 3" in records["crashing"]["notebooks"][F.ASSIGNMENT]["fault"]
    assert scores["warm"] == scores["fresh"]
    assert sum(scores["warm"]["partial"][F.ASSIGNMENT].values()) == 3


def test_without_bubblewrap_kernels_still_run_under_rlimits(course_dir, release_nb, test_limits):
    from autograder.sandbox import Sandbox

    box, warning = Sandbox.create(test_limits, sandbox=False)
    assert "rlimits only" in warning and not box.use_bwrap
    hog = "import numpy as np\nbig = np.ones(4 * 2**30, dtype=np.uint8)  # over the 2 GB address-space limit"
    answers = {"honest": {}, "hog": {"ex2_relu": F.honest_answers()["ex2_relu"] + "\n" + hog}}
    for student, changed in answers.items():
        F.submit(course_dir, student, F.answer(release_nb, dict(F.honest_answers(), **changed)))
    records = _grade(course_dir, box)
    assert records["honest"]["score"] == records["hog"]["score"] == F.MAX_SCORE
    nb = (Course(course_dir).autograded_dir("hog", F.ASSIGNMENT) / "ps1.ipynb").read_text()
    assert "MemoryError" in nb
