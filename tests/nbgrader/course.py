"""Temporary copies of the course for nbgrader runs (never touch the repository's own course/)."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def lesson_names():
    return sorted(p.name for p in (REPO / "source").iterdir() if (p / f"{p.name}.ipynb").exists())


def copy_course(tmp_path, with_release=True):
    """tmp_path/{course,source[,release]} copied from the repository; returns the course root."""
    shutil.copytree(REPO / "source", tmp_path / "source")
    if with_release:
        shutil.copytree(REPO / "release", tmp_path / "release")
    (tmp_path / "course").mkdir()
    shutil.copy2(REPO / "course" / "nbgrader_config.py", tmp_path / "course" / "nbgrader_config.py")
    return tmp_path / "course"


# jupyter_client picks a kernel's TCP ports free and the kernel binds them a moment later; when another
# process takes one in between (two test workers starting kernels at once), the kernel dies at start.
# That is the machine's race, not the course's: such a run is tried again, at most twice.
PORT_RACE = "Address already in use"


def nbgrader(course, *args, timeout=1200, attempts=3):
    """Run ``nbgrader ARGS`` in ``course``; raise with its log when it fails."""
    for attempt in range(attempts):
        try:
            return _nbgrader_once(course, *args, timeout=timeout)
        except AssertionError as error:
            if attempt == attempts - 1 or PORT_RACE not in str(error):
                raise


def _nbgrader_once(course, *args, timeout):
    # nbgrader runs `alembic` by name: the venv's bin must be on PATH
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PATH=path)
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
        capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def split_regions(source, regions):
    """(inside, outside): the lines of ``source`` inside any of the marker pairs ``regions``, and the rest."""
    inside, outside, current = [], [], None
    for line in source.splitlines():
        stripped = line.strip()
        opening = [end for begin, end in regions if stripped.startswith(begin)]
        if current is None and opening:
            current = opening[0]
        elif current is not None and stripped.startswith(current):
            current = None
        else:
            (outside if current is None else inside).append(line)
    return inside, outside


def secret_lines(notebook_path, min_length=12, regions=(SOLUTION, HIDDEN)):
    """Lines inside ``regions`` (solutions, hidden tests) of a source notebook that appear nowhere else in it.

    Lines that also stand outside the secret regions (a ``return out`` the student sees elsewhere) can
    legitimately be in release/, so they are left out; so are short lines.
    """
    nb = json.loads(pathlib.Path(notebook_path).read_text())
    secret, public = set(), set()
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        inside, outside = split_regions(source, regions)
        secret.update(line.strip() for line in inside)
        public.update(line.strip() for line in outside)
    return {line for line in secret - public if len(line) >= min_length and not line.startswith("#")}


def _source_text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _strip_markers(source):
    return "\n".join(line for line in source.splitlines() if line.strip() not in SOLUTION)


def grade_cells(nb):
    """[(grade_id, points)] of the graded cells of a notebook, in order."""
    return [
        (c.metadata["nbgrader"]["grade_id"], c.metadata["nbgrader"].get("points", 0))
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    ]


def student_versions(name):
    """The corpus for one lesson: {student: (notebook, expected score)}.

    - ``complete``: the release notebook with every answer cell filled in from the source's solution;
    - ``blank``: the release notebook as handed out (expected 0);
    - ``partial``: complete except the last exercise, left as handed out: loses that exercise's test (the
      last one, because later exercises may build on earlier answers, as lesson 08's network does).
    """
    import copy

    import nbformat

    source = nbformat.read(REPO / "source" / name / f"{name}.ipynb", as_version=4)
    release = nbformat.read(REPO / "release" / name / f"{name}.ipynb", as_version=4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: _strip_markers(_source_text(c))
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    complete = copy.deepcopy(release)
    for cell in complete.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = solutions[grade_id]

    total = sum(points for _, points in grade_cells(source))
    last_solution = max(i for i, c in enumerate(complete.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    last_test = next(
        c for c in complete.cells[last_solution:] if c.metadata.get("nbgrader", {}).get("grade")
    )
    partial = copy.deepcopy(complete)
    partial.cells[last_solution].source = release.cells[last_solution].source
    return {
        "complete": (complete, total),
        "blank": (release, 0),
        "partial": (partial, total - last_test.metadata["nbgrader"]["points"]),
    }
