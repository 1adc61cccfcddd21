"""End to end in a real browser: JupyterLab on loopback, Debian's Chromium through Playwright.

Opens a notebook showing the shape explorer and the stack explorer, runs all cells, moves the batch slider
with the keyboard and checks that the shape text the widget shows changed. Chromium is launched from
/usr/bin/chromium (never ``playwright install``); the test skips, saying so, when it is absent.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.tf, pytest.mark.slow]  # the kernel imports TensorFlow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
JUPYTER = Path(sys.executable).with_name("jupyter")
IDLE = "Python 3 (ipykernel) | Idle"

NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": "import fclab.widgets as w\nshape = w.shape_explorer()\nshape"},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": "stack = w.stack_explorer()\nstack"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_status(url, token, proc, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {proc.returncode} before answering /api/status")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"jupyter lab did not answer {url}/api/status within {timeout} s")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 with private config/settings/runtime dirs; stopped with SIGTERM."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package "
                    "(apt-get install chromium) to run the browser tests")
    root = tmp_path_factory.mktemp("jupyterlab")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        path = root / name.lower()
        path.mkdir()
        env[name] = str(path)
    port, token = _free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    log = open(root / "jupyter.log", "w")
    proc = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", "--ip", "127.0.0.1", f"--port={port}", "--allow-root",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
         "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_status(url, token, proc)
        yield {"url": url, "token": token, "notebooks": notebooks, "log": root / "jupyter.log"}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_slider_changes_the_shape_shown_in_jupyterlab(lab, tmp_path):
    from playwright.sync_api import sync_playwright

    (lab["notebooks"] / "widgets.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1400})
            page.goto(f"{lab['url']}/lab/tree/widgets.ipynb?token={lab['token']}")
            page.get_by_text(IDLE).wait_for(timeout=120_000)
            page.evaluate("window.jupyterapp.commands.execute('runmenu:run-all')")

            shapes = page.locator(".fclab-shape-explorer .fclab-shapes")
            shapes.wait_for(timeout=120_000)
            before = shapes.inner_text()
            assert "X (2, 3) @ W (3, 2) + b (2,) → out (2, 2)" in before
            page.locator(".fclab-stack-explorer").get_by_text("✓ same output shapes").wait_for(timeout=180_000)

            handle = page.locator(".fclab-shape-explorer .widget-slider .noUi-handle").first   # batch
            handle.focus()
            handle.press("ArrowRight")
            handle.press("ArrowRight")
            page.wait_for_function(
                "() => document.querySelector('.fclab-shape-explorer .fclab-shapes').innerText.includes('X (4, 3)')",
                timeout=30_000)
            after = shapes.inner_text()
            assert after != before and "→ out (4, 2)" in after
            assert page.locator(".fclab-shape-explorer svg.fclab-blocks").count() == 1
            page.screenshot(path=str(tmp_path / "widgets.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "widgets.png").stat().st_size > 10_000
