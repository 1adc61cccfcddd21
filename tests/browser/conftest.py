"""The student's lab started the way `make lab` starts it, and Debian's Chromium driven by Playwright.

`python -m fclab.lab` runs on a temporary working copy of release/, with private Jupyter settings,
workspace and runtime folders (nothing from the machine's ~/.jupyter). The solved lessons (source/, with
the solutions) are copied into the working copy's ``_solved/`` so every widget can be reached by Run All.
Screenshots go to tests/browser/artifacts/ (git-ignored): look at them.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
REPO = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_url(stdout_path, proc, timeout=300):
    """The address the lab's banner prints ("Open: http://…/lab?token=…")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = stdout_path.read_text(encoding="utf-8", errors="replace")
        found = re.search(r"Open:\s+(http://\S+/lab\?token=(\w+))", text)
        if found:
            return found.group(1), found.group(2)
        if proc.poll() is not None:
            raise RuntimeError(f"python -m fclab.lab exited with {proc.returncode}:\n{text}")
        time.sleep(0.3)
    raise TimeoutError(f"no 'Open:' line from python -m fclab.lab within {timeout} s:\n{stdout_path.read_text()}")


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def student_lab(tmp_path_factory):
    """`python -m fclab.lab` on a temporary working copy; yields its URL, token, folders and terminal output."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package "
                    "(apt-get install chromium) to run the browser tests")
    root = tmp_path_factory.mktemp("student")
    work = root / "work"
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        path = root / name.lower()
        path.mkdir()
        env[name] = str(path)
    # the test (only) lets Playwright call JupyterLab's commands (window.jupyterapp)
    test_config = root / "test_config"
    test_config.mkdir()
    (test_config / "jupyter_server_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}}), encoding="utf-8")
    env["JUPYTER_CONFIG_PATH"] = str(test_config)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["PYTHONPATH"] = str(REPO)
    for lesson in sorted((REPO / "source").glob("[0-9][0-9]_*")):
        target = work / "_solved" / lesson.name
        target.mkdir(parents=True)
        shutil.copy2(lesson / f"{lesson.name}.ipynb", target / f"{lesson.name}.ipynb")
    stdout_path = root / "terminal.txt"
    with open(stdout_path, "w", encoding="utf-8") as terminal:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fclab.lab", "--release", str(REPO / "release"), "--work", str(work),
             "--port", str(_free_port())],
            env=env, stdout=terminal, stderr=subprocess.STDOUT, cwd=root, start_new_session=True)
    try:
        url, token = _read_url(stdout_path, proc)
        base = url.split("/lab?")[0]
        yield {"url": base, "token": token, "work": work, "terminal": stdout_path, "proc": proc,
               "log": work / ".lab" / "jupyter.log"}
    finally:
        os.killpg(proc.pid, signal.SIGINT)       # what Ctrl+C in the terminal does
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def browser(student_lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def instructor_lab(tmp_path_factory):
    """`python -m fclab.lab --instructor course` (make instructor-lab), private Jupyter settings folders."""
    root = tmp_path_factory.mktemp("instructor")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        (root / name.lower()).mkdir()
        env[name] = str(root / name.lower())
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    out = root / "terminal.txt"
    with open(out, "w", encoding="utf-8") as terminal:
        proc = subprocess.Popen([sys.executable, "-m", "fclab.lab", "--instructor", str(REPO / "course"),
                                 "--port", str(_free_port())],
                                env=env, stdout=terminal, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = re.search(r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", out.read_text(errors="replace"))
            if found or proc.poll() is not None:
                break
            time.sleep(0.3)
        if not found:
            raise RuntimeError(f"the instructor lab printed no address:\n{out.read_text()}")
        yield {"url": found.group(1), "token": found.group(2), "terminal": out}
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
