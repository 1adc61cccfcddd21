"""The nbgrader course: its configuration, its folders and what has been submitted.

Everything is read through nbgrader's own :class:`~nbgrader.coursedir.CourseDirectory`, configured from
the course's ``nbgrader_config.py``, so paths, the gradebook URL and the IgnorePattern are exactly the
ones ``nbgrader autograde`` would use.
"""

import dataclasses
import glob
import hashlib
import os
import pathlib

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"
RUNS_DIR = "autograder-runs"


@dataclasses.dataclass(frozen=True)
class Submission:
    """One student's folder for one assignment: ``submitted/<student>/<assignment>/``."""

    student: str
    assignment: str
    folder: pathlib.Path

    @property
    def key(self):
        return f"{self.assignment}/{self.student}"


class Course:
    """An nbgrader course root (the folder holding ``nbgrader_config.py``).

    Args:
        root: the course folder, e.g. ``course/``.
    """

    def __init__(self, root):
        self.root = pathlib.Path(root).resolve()
        config_path = self.root / CONFIG_FILE
        if not config_path.is_file():
            raise FileNotFoundError(
                f"no {CONFIG_FILE} in {self.root}: expected an nbgrader course root (the folder you run "
                f"nbgrader from); pass --course pointing at it")
        self.config = self._load_config()
        self.coursedir = CourseDirectory(config=self.config)
        self.coursedir.root = str(self.root)

    def _load_config(self):
        loader = PyFileConfigLoader(CONFIG_FILE, path=str(self.root))
        config = Config()
        config.merge(loader.load_config())
        return config

    # -- folders -------------------------------------------------------------------------------------
    def step_dir(self, step, student=".", assignment="."):
        """``root/<step>/<student>/<assignment>`` following nbgrader's directory_structure."""
        return pathlib.Path(os.path.normpath(self.coursedir.format_path(step, student, assignment)))

    def source_dir(self, assignment):
        return self.step_dir(self.coursedir.source_directory, ".", assignment)

    def submitted_dir(self, student=".", assignment="."):
        return self.step_dir(self.coursedir.submitted_directory, student, assignment)

    def autograded_dir(self, student, assignment):
        return self.step_dir(self.coursedir.autograded_directory, student, assignment)

    @property
    def runs_dir(self):
        return self.root / RUNS_DIR

    @property
    def db_url(self):
        return self.coursedir.db_url

    @property
    def course_id(self):
        return self.coursedir.course_id

    @property
    def ignore_pattern(self):
        """The IgnorePattern regex (stderr lines that must not zero a test cell), or None when disabled."""
        section = self.config.get("IgnorePattern", {})
        if section.get("enabled", False) and section.get("pattern"):
            return section["pattern"]
        return None

    @property
    def cell_timeout(self):
        """Seconds per cell from the course config (``Execute.timeout``), default 30 like nbgrader."""
        for section in ("Execute", "ExecutePreprocessor"):
            value = self.config.get(section, {}).get("timeout")
            if isinstance(value, (int, float)) and value > 0:
                return float(value)
        return 30.0

    # -- contents ------------------------------------------------------------------------------------
    def assignments(self):
        """Assignment ids that have a source folder with at least one notebook, sorted."""
        base = self.source_dir(".")
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def source_notebooks(self, assignment):
        """``{notebook_id: path}`` of the instructor's notebooks of ``assignment``."""
        folder = self.source_dir(assignment)
        paths = sorted(pathlib.Path(p) for p in glob.glob(str(folder / "*.ipynb")))
        if not paths:
            raise FileNotFoundError(
                f"assignment {assignment!r} has no notebook in {folder}: expected the instructor's "
                f"version at {folder}/{assignment}.ipynb")
        return {p.stem: p for p in paths}

    def support_files(self, assignment):
        """Non-notebook files of the source folder (copied next to every submission, like nbgrader)."""
        folder = self.source_dir(assignment)
        files = {}
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and path.suffix != ".ipynb" and not _ignored(rel, self.coursedir.ignore):
                files[str(rel)] = path
        return files

    def submissions(self, assignments=None, students=None):
        """Every ``submitted/<student>/<assignment>/`` folder, filtered, sorted by assignment then student."""
        base = self.submitted_dir()
        if not base.is_dir():
            return []
        wanted_a = set(assignments) if assignments else set(self.assignments())
        wanted_s = set(students) if students else None
        found = []
        for student_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            if wanted_s is not None and student_dir.name not in wanted_s:
                continue
            for folder in sorted(p for p in student_dir.iterdir() if p.is_dir()):
                if folder.name in wanted_a:
                    found.append(Submission(student_dir.name, folder.name, folder))
        return sorted(found, key=lambda s: (s.assignment, s.student))

    def timestamp(self, submission):
        """The submission's timestamp.txt as nbgrader parses it, or None."""
        return self.coursedir.get_existing_timestamp(str(submission.folder))


def _ignored(rel, patterns):
    return any(part.startswith(".") or any(pathlib.PurePath(part).match(p) for p in patterns)
               for part in rel.parts)


def file_sha256(path):
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
