"""`make lab`: JupyterLab on the student's own working copy of release/, without instructor tools or noise.

The working copy (``work/`` by default, git-ignored) is made on the first run. Later runs add lessons and
files that are new in release/ (after a ``git pull``) and never overwrite a file the student already has;
``--update`` (``make update-lessons``) brings changed lessons in, keeping the student's answers
(see :mod:`fclab.lab_update`).

JupyterLab runs with ``fclab/lab_config`` first on ``JUPYTER_CONFIG_PATH`` (nbgrader's instructor tools
and the news pop-up off; see its README) and the kernel environment of :mod:`fclab.env`. Its own log goes
to ``work/.lab/jupyter.log``; the terminal shows the address, where the work is saved and how to stop.

    python -m fclab.lab [--release release] [--work work] [--port 8888] [--dry-run] [--update]
    python -m fclab.lab --instructor course      (make instructor-lab: nbgrader's tools, full logs)
"""

import argparse
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from fclab import env as fclab_env
from fclab import lab_update

LAB_CONFIG = pathlib.Path(__file__).resolve().parent / "lab_config"
INSTRUCTOR_CONFIG = pathlib.Path(__file__).resolve().parent / "lab_config_instructor"  # no news pop-up
LOG_NAME = pathlib.Path(".lab") / "jupyter.log"


def sync_working_copy(release, work):
    """Copy every file of ``release`` that ``work`` lacks; return the list of files added.

    Files already in ``work`` are left exactly as they are, even when release/ has a newer version. Each
    notebook copied is also kept as the base of later updates (``work/.lab/release/``).
    """
    release, work = pathlib.Path(release), pathlib.Path(work)
    if not release.is_dir():
        raise FileNotFoundError(
            f"expected the student notebooks in {release.resolve()}, but there is no such folder; "
            "run this from the root of the fclab repository (where release/ is), or pass --release PATH"
        )
    added = []
    for source in sorted(release.rglob("*")):
        if not source.is_file() or ".ipynb_checkpoints" in source.parts:
            continue
        relative = source.relative_to(release)
        target = work / relative
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        if source.suffix == ".ipynb":
            lab_update.record_base(release, work, relative)
        added.append(target)
    return added


def has_display():
    """True where a browser window can open (macOS/Windows, or an X/Wayland display on Linux)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def free_port(preferred=8888):
    """``preferred`` if nothing listens on it on 127.0.0.1, else a free port the system picks."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise OSError("no free TCP port on 127.0.0.1")


def lab_environment(base=None):
    """The environment JupyterLab (and so every kernel it starts) runs in: fclab.env's kernel settings
    and the student's lab config first on JUPYTER_CONFIG_PATH."""
    environment = fclab_env.kernel_env(base)
    paths = [str(LAB_CONFIG)] + [p for p in environment.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return environment


def jupyter_command(work, port=None, open_browser=None, token=None):
    """The command line that starts JupyterLab on ``work``."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={pathlib.Path(work).resolve()}",
               "--ServerApp.ip=127.0.0.1"]
    if port:
        command += [f"--port={port}", "--ServerApp.port_retries=0"]   # that port or an error, never another
    if token:
        command.append(f"--IdentityProvider.token={token}")
    if open_browser is None:
        open_browser = has_display()
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and cloud machines often run as root; Jupyter refuses it
    return command


def banner(url, work, log) -> str:
    """What the student reads in the terminal once JupyterLab answers."""
    return "\n".join([
        "",
        "  fclab's JupyterLab is running.",
        f"  Open:        {url}",
        f"  Your work:   {work}  (your own copy of the lessons; `git pull` never changes it)",
        "               Save with Ctrl+S; JupyterLab also saves every 2 minutes.",
        "  Lesson fixed after a `git pull`?  Stop, run `make update-lessons`, start again.",
        "  Stop:        press Ctrl+C here (once).",
        f"  Lab log:     {log}",
        "",
    ])


def _wait_until_ready(url, token, proc, timeout=600, patience=20):
    """True once JupyterLab answers at ``url``; False if it exits or ``timeout`` seconds pass. Says once,
    after ``patience`` seconds, that it is still starting (a first start or a busy machine is slow)."""
    start = time.monotonic()
    told = False
    while time.monotonic() - start < timeout and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
        if not told and time.monotonic() - start > patience:
            print("JupyterLab is still starting…", flush=True)
            told = True
    return False


def run_lab(command, environment, url, token, work, log_path):
    """Start JupyterLab, print :func:`banner` when it answers, wait until it ends; return its exit code."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            if _wait_until_ready(url, token, proc):
                print(banner(f"{url}/lab?token={token}", work, log_path), flush=True)
            elif proc.poll() is None:
                print(f"JupyterLab has not answered at {url} within 10 minutes; it may still be starting. "
                      f"Its log: {log_path}. Address once it is up: {url}/lab?token={token}", flush=True)
            return_code = proc.wait()
        except KeyboardInterrupt:      # Ctrl+C reached JupyterLab too; it shuts down on its own
            print("\nStopping JupyterLab (your notebooks are saved in the state you last saved them)…", flush=True)
            try:
                return_code = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.terminate()
                return_code = proc.wait()
            print("Stopped.")
            return 0
    if return_code:
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
        print(f"JupyterLab stopped with exit code {return_code}. The end of its log ({log_path}):", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr)
    return return_code


def instructor_lab(course, port=None, dry_run=False):
    """JupyterLab for the instructor: nbgrader's extensions on (the shared venv's config), cwd ``course``
    so nbgrader finds its nbgrader_config.py, the repository (course's parent) as the file browser's root."""
    course = pathlib.Path(course).resolve()
    if not (course / "nbgrader_config.py").exists():
        print(f"fclab lab: expected nbgrader_config.py in {course}; pass the course folder (course/).", file=sys.stderr)
        return 2
    command = jupyter_command(course.parent, port, token=None)
    if dry_run:
        print("Would start (in", course, "):", " ".join(command))
        return 0
    fclab_env.apply()
    paths = [str(INSTRUCTOR_CONFIG)] + [p for p in os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    os.chdir(course)
    os.execv(command[0], command)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m fclab.lab", description=__doc__.splitlines()[0])
    parser.add_argument("--release", default="release", help="the student notebooks (default: release)")
    parser.add_argument("--work", default="work", help="your working copy (default: work)")
    parser.add_argument("--port", type=int, default=None, help="port for JupyterLab (default: 8888 or a free one)")
    parser.add_argument("--dry-run", action="store_true", help="sync the working copy, print the command, don't start")
    parser.add_argument("--update", action="store_true",
                        help="bring changed lessons into your working copy (answers kept), then exit")
    parser.add_argument("--instructor", metavar="COURSE",
                        help="the instructor's lab instead: JupyterLab with nbgrader's tools, run from COURSE "
                             "(where nbgrader_config.py is), showing the repository")
    args = parser.parse_args(argv)
    if args.instructor:
        return instructor_lab(args.instructor, args.port, args.dry_run)

    work = pathlib.Path(args.work).resolve()
    try:
        added = sync_working_copy(args.release, work)
    except FileNotFoundError as error:
        print(f"fclab lab: {error}", file=sys.stderr)
        return 2
    if added:
        print(f"Added {len(added)} new file(s) to your working copy {work}:")
        for path in added:
            print(f"  {path.relative_to(work)}")
    if args.update:
        print(lab_update.describe(lab_update.update_working_copy(args.release, work), work))
        return 0
    if not added:
        print(f"Your working copy {work} is up to date (your own files are never overwritten).")
    outdated = lab_update.outdated_notebooks(args.release, work)
    if outdated:
        print(f"{len(outdated)} lesson(s) changed in release/ since you copied them "
              f"({', '.join(p.stem for p in outdated)}): `make update-lessons` brings the new tests in, "
              "keeping your answers.")

    port, token = args.port or free_port(), secrets.token_hex(16)
    command = jupyter_command(work, port, token=token)
    url = f"http://127.0.0.1:{port}"
    if args.dry_run:
        print("Would start:", " ".join(command).replace(token, "<token>"))
        return 0
    if "--no-browser" in command:
        print("No display found: open the address below in a browser on this machine.")
    print("Starting JupyterLab…", flush=True)
    return run_lab(command, lab_environment(), url, token, work, work / LOG_NAME)


if __name__ == "__main__":
    sys.exit(main())
