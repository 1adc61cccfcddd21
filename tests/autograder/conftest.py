"""Fixtures for the autograder's tests: the small numpy-only course (see autograder_fixture.py)."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import autograder_fixture  # noqa: E402  (needs the path above)


@pytest.fixture(scope="session")
def test_limits():
    """Limits small enough for the fixture course and this shared machine."""
    from autograder.sandbox import Limits

    return Limits(cpu_seconds=120, memory_bytes=2 * 2**30, processes=64, file_bytes=64 * 2**20, cell_timeout=8,
                  notebook_timeout=120, cell_output_bytes=64 * 1024, notebook_output_bytes=512 * 1024)


@pytest.fixture(scope="session")
def sandbox(test_limits):
    from autograder.sandbox import Sandbox

    box, _ = Sandbox.create(test_limits)
    return box


@pytest.fixture
def course_dir(tmp_path):
    """A fresh fixture course (no submissions yet)."""
    return autograder_fixture.make_course(tmp_path)


@pytest.fixture(scope="session")
def release_nb(tmp_path_factory):
    """The fixture's student version (built once)."""
    return autograder_fixture.release_notebook(autograder_fixture.make_course(tmp_path_factory.mktemp("release")))
