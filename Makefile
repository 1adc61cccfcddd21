# fclab — every target bootstraps .venv from requirements.lock on first use.
#
#   make lab             JupyterLab on your own working copy of release/ (in ./work, git-ignored)
#   make update-lessons  bring lessons changed by a `git pull` into ./work, keeping your answers
#   make test       the whole test suite
#
# Instructor targets (nbgrader course root: ./course; see README.md):
#   make instructor-lab             JupyterLab in ./course with nbgrader's tools (formgrader, create assignment)
#   make release                    regenerate release/ from source/ with nbgrader
#   make collect SUBMISSIONS=dir    file a folder of submitted notebooks into course/submitted/
#   make autograde                  grade course/submitted/ with nbgrader autograde
#   make grade                      grade course/submitted/ with fclab's sandboxed parallel autograder
#   make feedback                   HTML feedback (no hidden tests) into course/feedback/
#   make export                     grades.csv from the gradebook
#   make export-canvas / export-moodle  LMS gradebook imports (roster: course/private/roster.csv)
#   make regrade [STUDENT=id]       regrade what a change in source/ affects (keeps manual grades)
#   make similarity                 pairs of unusually alike submissions, for review (course/private/)
#   make deadline ASSIGNMENT=a DUE="2026-12-01 23:59 UTC"   due date in the gradebook (and penalties)
#   make student-bundle             dist/fclab-student(.zip): release/, fclab, self-check; no solutions
#   make bench                      benchmarks under tests/bench (ratios, printed)

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.8
LESSONS := $(notdir $(wildcard source/[0-9][0-9]_*))
# nbgrader runs tools (alembic) by name: the venv's bin comes first on PATH
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# TensorFlow/Keras settings for kernels live in fclab/env.py (the lab, nbgrader's config, the grader use it)
export PYTHONWARNINGS ?= ignore::DeprecationWarning

.PHONY: lab update-lessons instructor-lab test release collect autograde grade feedback export bench install \
	clean-course export-canvas export-moodle regrade similarity deadline student-bundle

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip sync --python $(PY) --compile-bytecode --quiet requirements.lock
	$(VENV)/bin/uv pip install --python $(PY) --quiet --no-deps -e .
	@if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
	  echo "GPU found: installing tensorflow[and-cuda] in place of tensorflow-cpu"; \
	  $(VENV)/bin/uv pip uninstall --python $(PY) --quiet tensorflow-cpu; \
	  $(VENV)/bin/uv pip install --python $(PY) --quiet "tensorflow[and-cuda]==$$($(PY) -c 'import re;print(re.search(r"^tensorflow-cpu==(\S+)", open("requirements.lock").read(), re.M).group(1))')"; \
	fi
	@touch $(STAMP)

lab: $(STAMP)
	@$(PY) -m fclab.lab --release release --work work

update-lessons: $(STAMP)
	@$(PY) -m fclab.lab --release release --work work --update

instructor-lab: $(STAMP)
	@$(PY) -m fclab.lab --instructor course

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

release: $(STAMP)
	cd course && for a in $(LESSONS); do ../$(PY) -m nbgrader generate_assignment "$$a" --force --no-db || exit 1; done

collect: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make collect SUBMISSIONS=path/to/folder (one notebook per student, named STUDENT_LESSON.ipynb or STUDENT/LESSON/LESSON.ipynb)"; exit 2; }
	$(PY) -m autograder collect "$(SUBMISSIONS)" --course course

autograde: $(STAMP)
	cd course && for a in $(LESSONS); do test -d submitted || break; ../$(PY) -m nbgrader autograde "$$a" --create || exit 1; done

grade: $(STAMP)
	$(PY) -m autograder grade --course course

feedback: $(STAMP)
	cd course && for a in $(LESSONS); do ../$(PY) -m nbgrader generate_feedback "$$a" --force || exit 1; done

export: $(STAMP)
	cd course && ../$(PY) -m nbgrader export --to grades.csv && echo "wrote course/grades.csv"

export-canvas: $(STAMP)
	cd course && ../$(PY) -m nbgrader export --exporter=autograder.lms.CanvasExportPlugin && echo "wrote course/private/canvas_grades.csv"

export-moodle: $(STAMP)
	cd course && ../$(PY) -m nbgrader export --exporter=autograder.lms.MoodleExportPlugin && echo "wrote course/private/moodle_grades.csv"

regrade: $(STAMP)
	$(PY) -m autograder regrade --course course $(if $(STUDENT),--student $(STUDENT)) $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT))

similarity: $(STAMP)
	$(PY) -m autograder similarity --course course $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT))

deadline: $(STAMP)
	$(PY) -m autograder deadline --course course $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) $(if $(DUE),--due "$(DUE)")

student-bundle: $(STAMP)
	$(PY) -m autograder.bundle --out dist/fclab-student --zip

bench: $(STAMP)
	$(PY) -m pytest tests/bench -p no:cacheprovider -s -q $(PYTEST_ARGS)

clean-course:
	rm -rf course/gradebook.db course/submitted course/autograded course/feedback course/autograder-runs course/grades.csv
