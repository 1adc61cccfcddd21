"""`make lab`: JupyterLab on the student's own working copy of release/.

The working copy (``work/`` by default, git-ignored) is made on the first run. Later runs add lessons and
files that are new in release/ (after a ``git pull``) and never overwrite a file the student already has,
so the student's answers are safe and ``git pull`` stays clean.

    python -m fclab.lab [--release release] [--work work] [--port 8888] [--dry-run]
"""

import argparse
import os
import pathlib
import shutil
import sys


def sync_working_copy(release, work):
    """Copy every file of ``release`` that ``work`` lacks; return the list of files added.

    Files already in ``work`` are left exactly as they are, even when release/ has a newer version.
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
        target = work / source.relative_to(release)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        added.append(target)
    return added


def has_display():
    """True where a browser window can open (macOS/Windows, or an X/Wayland display on Linux)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def jupyter_command(work, port=None, open_browser=None):
    """The command line that starts JupyterLab on ``work``."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={pathlib.Path(work).resolve()}"]
    if port:
        command.append(f"--port={port}")
    if open_browser is None:
        open_browser = has_display()
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and cloud machines often run as root; Jupyter refuses it
    return command


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m fclab.lab", description=__doc__.splitlines()[0])
    parser.add_argument("--release", default="release", help="the student notebooks (default: release)")
    parser.add_argument("--work", default="work", help="your working copy (default: work)")
    parser.add_argument("--port", type=int, default=None, help="port for JupyterLab (default: its own choice)")
    parser.add_argument("--dry-run", action="store_true", help="sync the working copy, print the command, don't start")
    args = parser.parse_args(argv)

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
    else:
        print(f"Your working copy {work} is up to date (your own files are never overwritten).")

    command = jupyter_command(work, args.port)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "--no-browser" in command:
        print("No display found: open the http://127.0.0.1:…/lab?token=… URL that JupyterLab prints below.")
    print("Starting:", " ".join(command), flush=True)
    if args.dry_run:
        return 0
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
