"""End to end in a real browser: the student's lab (`python -m fclab.lab`) and every widget of every lesson.

- the lab has no nbgrader tools and no news pop-up, and the terminal shows the address, not log noise;
- each lesson with a widget is Run All'd (the solved version, so every cell runs), shows no stderr
  output (no TensorFlow log line), and its widget answers a control;
- the playground starts, pauses, steps and exports Keras code;
- a lesson reopened after its kernel is gone shows the saved picture, not "model not found";
- the score card's clean-run button runs the saved lesson in a fresh kernel and shows its card.

Screenshots: tests/browser/artifacts/*.png (git-ignored). Chromium is Debian's /usr/bin/chromium.
"""

import json
import pathlib
import re
import time
import urllib.request

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.tf, pytest.mark.slow]  # kernels import TensorFlow

NOISE = ("No nbgrader_config.py file found", "not trusted", "without encryption",
         "Skipped non-installed server", "[I ", "[W ")
ARTIFACTS = pathlib.Path(__file__).resolve().parent / "artifacts"
LONG = 240_000   # ms: Run All of a lesson on 2 busy cores


def api(lab, method, path):
    """Call the Jupyter REST API of ``lab``; returns the decoded JSON (or None)."""
    request = urllib.request.Request(f"{lab['url']}{path}", method=method,
                                     headers={"Authorization": f"token {lab['token']}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def shut_down_kernels(lab):
    """Shut every kernel down (as closing JupyterLab and coming back another day would)."""
    for session in api(lab, "GET", "/api/sessions"):
        api(lab, "DELETE", f"/api/sessions/{session['id']}")


_workspaces = iter(range(10**6))


def _open(browser, lab, path, width=1300, height=1400, fresh=True):
    """A new page showing notebook ``path`` once its own kernel is idle.

    ``fresh``: in a workspace of its own (no tabs restored from an earlier page), as a new student sees it.
    A "Select Kernel" question (JupyterLab asks when its kernel list is still loading) is answered.
    """
    page = browser.new_page(viewport={"width": width, "height": height})
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    where = f"workspaces/test{next(_workspaces)}/tree/{path}?reset&" if fresh else f"tree/{path}?"
    page.goto(f"{lab['url']}/lab/{where}token={lab['token']}", timeout=LONG, wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=LONG)
    select = page.locator(".jp-Dialog").get_by_role("button", name="Select")
    deadline = time.monotonic() + LONG / 1000
    while time.monotonic() < deadline:
        if select.count() and select.first.is_visible():
            select.first.click()
        if page.evaluate(KERNEL_IDLE):
            break
        page.wait_for_timeout(300)
    else:
        raise AssertionError(f"the kernel of {path} did not become idle in {LONG / 1000:.0f} s")
    page.console_errors = console_errors
    return page


KERNEL_IDLE = """() => {
    const widget = window.jupyterapp.shell.currentWidget;
    const kernel = widget && widget.sessionContext && widget.sessionContext.session
                   && widget.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle' && !!widget.content && widget.content.widgets.length > 0;
}"""


def _run_all(page):
    # not awaited: the command's promise ends only when every cell has run
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    try:
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""", timeout=LONG)
        page.wait_for_function(KERNEL_IDLE, timeout=LONG)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "run_all_did_not_finish.png"), full_page=False)
        waiting = page.evaluate("""() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
            .map((c, i) => [i, c.querySelector('.jp-InputPrompt').textContent])
            .filter(([i, t]) => !/\\[\\d+\\]/.test(t)).slice(0, 5)""")
        raise AssertionError(f"Run All did not reach every code cell; first not run (code cell, prompt): {waiting}")


def _stderr_outputs(page):
    return page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()


def _shot(page, artifacts, name, locator=None):
    path = artifacts / f"{name}.png"
    (locator or page).screenshot(path=str(path), **({} if locator else {"full_page": False}))
    assert path.stat().st_size > 5_000
    return path


def test_student_lab_has_no_instructor_tools_no_news_and_a_quiet_terminal(student_lab, browser, artifacts):
    page = _open(browser, student_lab, "01_xw_plus_b/01_xw_plus_b.ipynb", height=900, fresh=False)
    try:
        page.wait_for_timeout(4000)                    # the news question would come a few seconds in
        _shot(page, artifacts, "student_lab")
        menus = page.locator("#jp-menu-panel").inner_text()
        assert "Run" in menus and "Kernel" in menus
        assert "Nbgrader" not in menus and "Formgrader" not in menus, menus
        body = page.locator("body").inner_text()
        assert "Create Assignment" not in body and "Course List" not in body and "Assignment List" not in body
        assert "Jupyter news" not in body, "the news pop-up is showing"
    finally:
        page.close()
    terminal = student_lab["terminal"].read_text()
    assert "Open:" in terminal and "Your work:" in terminal and "Ctrl+C" in terminal
    assert not [n for n in NOISE if n in terminal], terminal
    log = student_lab["log"].read_text()
    assert "No nbgrader_config.py" not in log


LESSON_WIDGETS = {
    "01_xw_plus_b": ".fclab-shape-explorer",
    "02_activations": ".fclab-activation-explorer",
    "03_three_layer_relu": ".fclab-stack-explorer",
    "05_sequential": ".fclab-stack-explorer",
    "06_training": ".fclab-playground",
}


def _use_shape_explorer(page, widget):
    shapes = widget.locator(".fclab-shapes")
    before = shapes.inner_text()
    handle = widget.locator(".widget-slider .noUi-handle").first   # batch
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    page.wait_for_function("b => document.querySelector('.fclab-shape-explorer .fclab-shapes').innerText !== b",
                           arg=before, timeout=30_000)
    assert widget.locator("svg.fclab-blocks").count() == 1


def _use_activation_explorer(page, widget):
    legend_before = widget.inner_text()
    assert "leaky_relu" in legend_before and "largest f' = 1/4 at x = 0" in legend_before
    widget.locator(".widget-checkbox", has_text="linear").locator("input").check()
    page.wait_for_function("() => document.querySelector('.fclab-activation-explorer').innerText"
                           ".includes('linear: f\\' = 1 everywhere')", timeout=30_000)


def _use_stack_explorer(page, widget):
    widget.get_by_text("✓ same output shapes").first.wait_for(timeout=LONG)
    rows = widget.locator(".widget-inline-hbox", has_text="Dense").count()
    widget.locator("button", has_text="add Dense layer").click()
    page.wait_for_function(
        "n => document.querySelectorAll('.fclab-stack-explorer')[0]"
        ".querySelectorAll('.widget-inline-hbox').length > n", arg=rows, timeout=30_000)
    widget.get_by_text("✓ same output shapes").first.wait_for(timeout=LONG)


def _epoch(widget):
    return int(re.search(r"epoch (\d+)", widget.locator(".fclab-status").inner_text()).group(1))


def _use_playground(page, widget, artifacts):
    assert _epoch(widget) == 0
    widget.locator("button", has_text="start").click()
    page.wait_for_function(
        "() => /epoch [1-9]/.test(document.querySelector('.fclab-playground .fclab-status').innerText)",
        timeout=LONG)
    widget.locator("button", has_text="pause").click()
    widget.locator("button", has_text="start").wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    paused_at = _epoch(widget)
    page.wait_for_timeout(1000)
    assert _epoch(widget) == paused_at, "training went on after pause"
    widget.locator("button", has_text="step").click()
    page.wait_for_function(
        "n => document.querySelector('.fclab-playground .fclab-status').innerText.includes('epoch ' + (n + 1))",
        arg=paused_at, timeout=60_000)
    widget.locator("button", has_text="Keras code").click()
    code = widget.locator("pre.fclab-code")
    code.wait_for(timeout=30_000)
    text = code.inner_text()
    assert "keras.Sequential([" in text and "model.set_weights([" in text
    compile(text, "exported", "exec")             # every number whole: the text is valid Python
    assert widget.locator(".fclab-colour-key").count() >= 1
    _shot(page, artifacts, "06_playground_after_step_and_export", widget)


def _use_clean_run(page, artifacts, lesson):
    """Save, then click the clean-run button under the score card: the saved lesson runs in a fresh kernel
    (the first click starts the self-check server) and its card shows every test passing."""
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_timeout(1500)
    button = page.locator("button", has_text="Clean run of the saved notebook")
    button.scroll_into_view_if_needed()
    button.click()
    card = page.locator(".widget-html", has_text=re.compile(r"Clean run of \S+\.ipynb")).last
    card.wait_for(timeout=LONG)
    text = card.inner_text()
    assert "FAIL" not in text and text.count("PASS") >= 3, text
    assert "forked from the warm self-check server" in text or "fresh kernel" in text, text
    cell = page.locator(".jp-Cell", has=button).last
    cell.scroll_into_view_if_needed()
    _shot(page, artifacts, f"{lesson}_clean_run", cell)


@pytest.mark.parametrize("lesson", sorted(LESSON_WIDGETS))
def test_every_widget_of_every_lesson(student_lab, browser, artifacts, lesson):
    page = _open(browser, student_lab, f"_solved/{lesson}/{lesson}.ipynb")
    try:
        _run_all(page)
        assert _stderr_outputs(page) == [], "a cell wrote to stderr (a TensorFlow log line?)"
        assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
        widget = page.locator(LESSON_WIDGETS[lesson]).first
        widget.scroll_into_view_if_needed()
        _shot(page, artifacts, f"{lesson}_widget", widget)
        if lesson == "01_xw_plus_b":
            _use_shape_explorer(page, widget)
        elif lesson == "02_activations":
            _use_activation_explorer(page, widget)
        elif lesson == "06_training":
            _use_playground(page, widget, artifacts)
        else:
            _use_stack_explorer(page, widget)
        _shot(page, artifacts, f"{lesson}_widget_used", widget)
        saved = page.locator(".fclab-saved-view")
        assert saved.count() >= 1 and not saved.first.is_visible(), "the saved picture shows under a live widget"
        if lesson == "01_xw_plus_b":
            _use_clean_run(page, artifacts, lesson)
        assert not [e for e in page.console_errors if "widget" in e.lower()], page.console_errors
    finally:
        page.close()


def test_a_reopened_lesson_shows_the_saved_picture_not_model_not_found(student_lab, browser, artifacts):
    path = "_solved/02_activations/02_activations.ipynb"
    page = _open(browser, student_lab, path)
    try:
        _run_all(page)
        page.locator(".fclab-activation-explorer").first.wait_for(timeout=LONG)
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_timeout(1500)
    finally:
        page.close()
    shut_down_kernels(student_lab)

    page = _open(browser, student_lab, path)
    try:
        saved = page.locator(".fclab-saved-view").first
        saved.scroll_into_view_if_needed()
        saved.wait_for(state="visible", timeout=60_000)
        assert "Run this cell to bring it back" in saved.inner_text()
        assert saved.locator("svg").count() >= 2, "the picture has the two panels"
        _shot(page, artifacts, "02_reopened_saved_picture", saved)
        not_found = page.get_by_text("Error displaying widget: model not found")
        assert all(not not_found.nth(i).is_visible() for i in range(not_found.count()))
    finally:
        page.close()


def test_instructor_lab_keeps_nbgrader_tools(instructor_lab, browser, artifacts):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    try:
        page.goto(f"{instructor_lab['url']}/lab?token={instructor_lab['token']}", timeout=LONG,
                  wait_until="domcontentloaded")
        page.locator("#jp-menu-panel").get_by_text("Nbgrader").wait_for(timeout=LONG)
        page.locator("#jp-menu-panel").get_by_text("Nbgrader").click()
        page.get_by_text("Formgrader").first.wait_for(timeout=30_000)
        listing = page.locator(".jp-DirListing-content")
        for name in ("course", "source", "release"):     # the repository is the file browser's root
            listing.get_by_text(name, exact=True).wait_for(timeout=60_000)
        page.wait_for_timeout(4000)                    # the news question would come a few seconds in
        assert "Jupyter news" not in page.locator("body").inner_text(), "the news pop-up is showing"
        _shot(page, artifacts, "instructor_lab_nbgrader_menu")
    finally:
        page.close()
