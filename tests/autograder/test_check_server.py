"""The warm self-check server and its client: clean runs of saved notebooks, forked warm after the first.

Each test gets its own state folder (``XDG_RUNTIME_DIR``), so servers of other tests or of the user are
never touched; every server started here is stopped at the end.
"""

import json
import os
import socket
import time

import nbformat
import pytest

import autograder_fixture as F
from autograder import check_client, check_server, selfcheck
from autograder.cli import main


@pytest.fixture
def state(tmp_path, monkeypatch):
    folder = tmp_path / "xdg"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder / "fclab-check"
    check_client.stop()


def _write(tmp_path, release_nb, answers, name="ps1.ipynb"):
    path = tmp_path / "lesson" / name
    path.parent.mkdir(exist_ok=True)
    nbformat.write(F.answer(release_nb, answers), str(path))
    return path


def test_second_check_is_forked_warm_and_sees_the_saved_file(tmp_path, release_nb, state, sandbox):
    if not sandbox.use_bwrap:
        pytest.skip("bubblewrap is not usable here: the server runs cold (tested below)")
    path = _write(tmp_path, release_nb, dict(F.honest_answers(), ex2_relu="def relu(x):\n    return x"))
    first = selfcheck.CheckResult.from_dict(check_client.check(path))
    assert first.warm and "forked from the warm self-check server" in first.how
    assert [r[3] == "passed" for r in first.rows] == [True, False, True]
    assert "check_close 'relu(x)'" in first.rows[1][3]
    pid = check_client.ask({"op": "ping"})["pid"]

    nbformat.write(F.answer(release_nb, F.honest_answers()), str(path))  # the student fixes it and saves
    second = selfcheck.CheckResult.from_dict(check_client.check(path))
    assert second.passed and second.saved_at == os.stat(path).st_mtime
    assert check_client.ask({"op": "ping"})["pid"] == pid  # the same server: no new interpreter
    # forked, not started: no Python start-up and no import in the kernel's start
    assert second.timings["kernel_start"] < first.timings["kernel_start"] + 1.0
    assert second.timings["kernel_start"] < 2.0, second.timings


def test_a_server_running_other_code_is_replaced(tmp_path, release_nb, state, monkeypatch):
    path = _write(tmp_path, release_nb, F.honest_answers())
    check_client.ensure_server(no_sandbox=True)
    old = check_client.ask({"op": "ping"})
    monkeypatch.setattr(check_client, "fingerprint", lambda no_sandbox=False: "after-a-git-pull")
    result = check_client.check(path, no_sandbox=True)
    new = check_client.ask({"op": "ping"})
    assert new["fingerprint"] == "after-a-git-pull" and new["pid"] != old["pid"]
    assert selfcheck.CheckResult.from_dict(result).passed
    assert not result["warm"] and "without bubblewrap" in result["how"]


def test_the_command_line_uses_the_server_and_can_stop_it(tmp_path, release_nb, state, capsys):
    path = _write(tmp_path, release_nb, dict(F.honest_answers(), ex3_count="def count(x):\n    return 0"))
    assert main(["check", str(path), "--no-sandbox"]) == 1
    out = capsys.readouterr().out
    assert "ex3_count_test     0/1     FAIL" in out and "Total: 5/6 points" in out
    assert "clean run of the file as saved at" in out
    assert main(["check", "--stop"]) == 0
    assert "stopped the self-check server" in capsys.readouterr().out
    with pytest.raises(OSError):
        check_client.ask({"op": "ping"})


def test_check_of_a_missing_file_says_to_save_first(tmp_path, state):
    with pytest.raises(check_client.CheckError, match="save the notebook first"):
        check_client.check(tmp_path / "never_saved.ipynb")


def test_a_state_folder_of_another_mode_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    (tmp_path / "fclab-check").mkdir(mode=0o777)
    os.chmod(tmp_path / "fclab-check", 0o777)
    with pytest.raises(check_client.CheckError, match="not a private folder of yours"):
        check_client.state_dir()


class _Runner:
    warm, how = False, "a fake runner"

    def __init__(self, error=None):
        self.error = error

    def run(self, notebook, folder):
        raise self.error


def test_the_server_answers_every_request_and_survives_a_failing_run(tmp_path):
    assert check_server.answer({"op": "ping"}, _Runner(), "fp")["fingerprint"] == "fp"
    assert "unknown request" in check_server.answer({"op": "format c:"}, _Runner(), "fp")["error"]
    nb = tmp_path / "x.ipynb"
    nb.write_text("not json")
    assert "cannot check" in check_server.answer({"op": "check", "path": str(nb)}, _Runner(), "fp")["error"]
    real = tmp_path / "real.ipynb"
    release = F.release_notebook(F.make_course(tmp_path / "c"))
    nbformat.write(release, str(real))
    reply = check_server.answer({"op": "check", "path": str(real)}, _Runner(KeyError("boom")), "fp", log=open(
        os.devnull, "w"))
    assert not reply["ok"] and "the self-check itself failed (KeyError" in reply["error"]
    assert "--cold" in reply["error"]


def test_serve_stops_after_its_idle_time(tmp_path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(tmp_path / "s.sock"))
    listener.listen(1)
    started = time.monotonic()
    with open(os.devnull, "w") as log:
        check_server.serve(listener, _Runner(), "fp", idle=0.3, log=log)
    assert time.monotonic() - started < 5
    listener.close()


def test_result_round_trips_as_json(tmp_path):
    result = selfcheck.CheckResult("a.ipynb", (("t1", 1.0, 2.0, "passed"),), None, 5.0, True, "warm", {"total": 1})
    assert selfcheck.CheckResult.from_dict(json.loads(json.dumps(result.as_dict()))) == result
