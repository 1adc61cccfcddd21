"""Benchmarks: collected only when tests/bench (or a file in it) is named on the command line.

``make bench`` runs ``pytest tests/bench -s -q``. Benchmark files are called ``bench_*.py`` so that the
normal run (``pytest`` from the repository root, ``testpaths = ["tests"]``) never collects them: this
hook adds them only when the bench directory itself was asked for. They print figures and ratios and
assert only that the figures make sense, never a timing.
"""

import pathlib

import pytest

BENCH_DIR = pathlib.Path(__file__).resolve().parent


def _bench_requested(config):
    for arg in config.args:
        path = pathlib.Path(config.invocation_params.dir, str(arg).split("::")[0]).resolve()
        if path == BENCH_DIR or BENCH_DIR in path.parents:
            return True
    return False


def pytest_collect_file(file_path, parent):
    if file_path.suffix != ".py" or not file_path.name.startswith("bench_"):
        return None
    if parent.session.isinitpath(file_path):
        return None  # a file named on the command line is collected by pytest's own python plugin
    if _bench_requested(parent.config):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
