"""``make student-bundle``: what an instructor hands to a class, without solutions or hidden tests.

    python -m autograder.bundle [--out dist/fclab-student] [--zip]

The bundle is a folder (and optionally a zip beside it) with:

- ``release/``: the student notebooks exactly as nbgrader generated them;
- ``fclab/``: the helper package the lessons import; ``autograder/``: the engine, for the self-check
  (``python -m autograder check``), which holds no course content;
- ``pyproject.toml``, ``requirements.lock``, ``overrides.txt``, ``environment.yml``: the same pinned install;
- a student ``Makefile`` (``make lab``, ``make check NB=...``) and a student ``README.md``.

It never contains ``source/``, ``course/`` (gradebook, submissions, rosters), ``tests/`` or git history.
Before writing anything the release notebooks are checked (:func:`leaks`): no nbgrader solution or
hidden-test marker, and no line of an instructor's solution that the starter code does not already show.
"""

import argparse
import pathlib
import re
import shutil
import sys

import nbformat

REPO = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("fclab", "autograder")
FILES = ("pyproject.toml", "requirements.lock", "overrides.txt", "environment.yml")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

STUDENT_MAKEFILE = """\
# fclab, student edition: `make lab` (JupyterLab on your own copy of the lessons), `make check NB=...`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export KERAS_BACKEND ?= tensorflow

.PHONY: lab check install

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
\t@test -x $(PY) || $(PYTHON) -m venv $(VENV)
\t$(PY) -m pip install --quiet --disable-pip-version-check uv
\t$(VENV)/bin/uv pip sync --python $(PY) --quiet requirements.lock
\t$(VENV)/bin/uv pip install --python $(PY) --quiet --no-deps -e .
\t@touch $(STAMP)

lab: $(STAMP)
\t@$(PY) -m fclab.lab --release release --work work

check: $(STAMP)
\t@test -n "$(NB)" || { echo "usage: make check NB=work/01_xw_plus_b/01_xw_plus_b.ipynb"; exit 2; }
\t$(PY) -m autograder check "$(NB)"
"""

STUDENT_README = """\
# fclab: fully-connected layers, from `X @ W + b` to `keras.Sequential`

Seven JupyterLab notebooks in `release/`. You need Python 3.11, `make` and an internet connection for the
first install (about 1 GB, mostly TensorFlow; a few minutes).

```
make lab      # installs on first use, then starts JupyterLab on your own copy of the lessons (in work/)
```

`make lab` copies `release/` into `work/` the first time and never overwrites a file you already have
there, so your answers are safe. With no display, JupyterLab prints a `http://127.0.0.1:8888/lab?token=...`
address to open in your browser.

Each exercise is a function with `raise NotImplementedError()` in its body: replace that line with your
code, run the cell, then run the test cell below it. A failing test says what it expected, what it got
and often why.

When a notebook is done, check it:

```
make check NB=work/01_xw_plus_b/01_xw_plus_b.ipynb
```

prints a score card per exercise from the visible tests. Your instructor's grading also runs hidden tests
with other inputs, so an answer that only fits the visible example will not pass there.

Hand in the notebook files from `work/` the way your instructor tells you.
"""


def solution_lines(source_dir=REPO / "source"):
    """Every non-trivial line of the instructor's solutions (between the solution markers)."""
    lines = set()
    for path in sorted(pathlib.Path(source_dir).glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for block in re.findall(r"BEGIN SOLUTION(.*?)END SOLUTION", cell.source, flags=re.S):
                lines |= {line.strip() for line in block.splitlines() if len(line.strip()) >= 12}
    return lines


def leaks(notebook_paths, solutions):
    """``[(path, what)]``: markers, and solution lines not already in the starter code of the same notebook."""
    found = []
    for path in notebook_paths:
        text = pathlib.Path(path).read_text(encoding="utf-8")
        found += [(path, f"marker {m!r}") for m in MARKERS if m in text]
        nb = nbformat.reads(text, as_version=4)
        shown = "\n".join(c.source for c in nb.cells if not c.get("metadata", {}).get("nbgrader", {}).get("solution"))
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                for line in cell.source.splitlines():
                    if line.strip() in solutions and line.strip() not in shown:
                        found.append((path, f"solution line {line.strip()!r}"))
    return found


def build(out, repo=REPO, make_zip=False):
    """Write the bundle to ``out`` (replaced if present); returns the folder (and the zip when asked)."""
    repo, out = pathlib.Path(repo), pathlib.Path(out)
    release = repo / "release"
    notebooks = sorted(release.rglob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {release}: run `make release` first")
    problems = leaks(notebooks, solution_lines(repo / "source"))
    if problems:
        listing = "; ".join(f"{p.relative_to(repo)}: {what}" for p, what in problems[:10])
        raise ValueError(f"release/ shows instructor material ({listing}); run `make release` to regenerate "
                         f"it from source/ and build the bundle again. Nothing was written")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(release, out / "release", ignore=SKIP)
    for package in PACKAGES:
        shutil.copytree(repo / package, out / package, ignore=SKIP)
    for name in FILES:
        shutil.copy2(repo / name, out / name)
    (out / "Makefile").write_text(STUDENT_MAKEFILE)
    (out / "README.md").write_text(STUDENT_README)
    (out / ".gitignore").write_text(".venv/\nwork/\n__pycache__/\n*.egg-info/\n")
    if make_zip:
        return out, pathlib.Path(shutil.make_archive(str(out), "zip", out.parent, out.name))
    return out, None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.bundle", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "dist" / "fclab-student")
    parser.add_argument("--zip", action="store_true", help="also write OUT.zip")
    args = parser.parse_args(argv)
    try:
        folder, archive = build(args.out, make_zip=args.zip)
    except (FileNotFoundError, ValueError) as exc:
        print(f"student bundle: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {folder}" + (f" and {archive}" if archive else "") + ": release/, fclab, the self-check, "
          f"a student README and Makefile; no source/, solutions, hidden tests or course data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
