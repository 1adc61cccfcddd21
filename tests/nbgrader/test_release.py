"""release/ is exactly what `make release` generates from source/, and leaks no solution or hidden test."""

import filecmp
import json
import pathlib

import pytest

from course import REPO, copy_course, lesson_names, nbgrader, secret_lines


def test_every_source_lesson_has_a_release():
    names = lesson_names()
    assert names, "no lessons found under source/"
    missing = [n for n in names if not (REPO / "release" / n / f"{n}.ipynb").exists()]
    assert not missing, f"release/ lacks {missing}: run `make release` and commit release/"


def test_regenerating_release_reproduces_the_committed_files(tmp_path):
    course = copy_course(tmp_path, with_release=False)
    for name in lesson_names():
        nbgrader(course, "generate_assignment", name, "--force", "--no-db")
    generated, committed = tmp_path / "release", REPO / "release"
    gen_files = sorted(p.relative_to(generated) for p in generated.rglob("*") if p.is_file())
    com_files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert gen_files == com_files, f"files differ: generated {gen_files}, committed {com_files}; run `make release`"
    differing = [str(p) for p in gen_files if not filecmp.cmp(generated / p, committed / p, shallow=False)]
    assert not differing, (
        f"release/ is stale or was edited by hand: {differing} differ from what `make release` makes "
        "from source/. Run `make release` and commit release/ (never edit release/ by hand)."
    )


def readable_text(path):
    """A file's text as a person reads it (a notebook's cell sources, not its JSON escapes)."""
    text = path.read_text(errors="replace")
    if path.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        text = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells)
    return text


@pytest.mark.parametrize("name", lesson_names() or ["(none)"])
def test_release_contains_no_solution_or_hidden_test(name):
    source = REPO / "source" / name / f"{name}.ipynb"
    assert source.exists(), f"no lesson at {source}"
    secrets = secret_lines(source)
    assert secrets, f"{name}: found no solution or hidden-test lines in the source notebook: are the markers right?"
    leaks = []
    for path in (REPO / "release" / name).rglob("*"):
        if path.is_file():
            text = readable_text(path)
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
                if marker in text:
                    leaks.append(f"{path.relative_to(REPO)}: marker {marker!r}")
            lines = {line.strip() for line in text.splitlines()}
            leaks += [f"{path.relative_to(REPO)}: {line!r}" for line in sorted(secrets & lines)]
    assert not leaks, f"release/ gives away solutions or hidden tests of {name}:\n" + "\n".join(leaks[:20])
