"""environment.yml, pyproject.toml and requirements.lock describe the same environment."""

import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version


def _pyproject(repo):
    return tomllib.loads((repo / "pyproject.toml").read_text())["project"]


def _by_name(requirement_strings):
    reqs = [Requirement(s) for s in requirement_strings]
    return {canonicalize_name(r.name): r for r in reqs}


def _lock(repo):
    pins = {}
    for line in (repo / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pins[canonicalize_name(match.group(1))] = Version(match.group(2))
    return pins


def test_environment_yml_pins_the_same_packages_as_pyproject(repo):
    env = yaml.safe_load((repo / "environment.yml").read_text())
    deps = env["dependencies"]
    python = [d for d in deps if isinstance(d, str) and d.startswith("python=")]
    assert python == ["python=3.11"], f"environment.yml should pin python=3.11, found {python}"
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    conda_reqs = _by_name(s for s in pip_section if not s.startswith("-"))
    pyproject_reqs = _by_name(_pyproject(repo)["dependencies"])

    missing = sorted(set(pyproject_reqs) - set(conda_reqs))
    extra = sorted(set(conda_reqs) - set(pyproject_reqs))
    assert not missing and not extra, (
        f"environment.yml and pyproject.toml disagree: missing from environment.yml {missing}, "
        f"not in pyproject.toml {extra}. Edit environment.yml to list exactly the pyproject dependencies."
    )
    differing = {
        name: (str(conda_reqs[name].specifier), str(pyproject_reqs[name].specifier))
        for name in pyproject_reqs
        if conda_reqs[name].specifier != pyproject_reqs[name].specifier
    }
    assert not differing, f"version ranges differ (environment.yml, pyproject.toml): {differing}"


def test_lock_satisfies_every_declared_range(repo):
    project = _pyproject(repo)
    declared = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    pins = _lock(repo)
    problems = []
    for req in map(Requirement, declared):
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name}: not pinned in requirements.lock")
        elif pins[name] not in req.specifier:
            problems.append(f"{req.name}: lock pins {pins[name]}, pyproject asks {req.specifier}")
    assert not problems, "requirements.lock is out of step with pyproject.toml; re-run " \
        "`uv pip compile pyproject.toml --extra dev --override overrides.txt -o requirements.lock`:\n" + "\n".join(problems)


def test_installed_versions_are_the_locked_ones(repo):
    from importlib.metadata import PackageNotFoundError, version

    pins = _lock(repo)
    wrong = []
    for name in ("tensorflow-cpu", "keras", "numpy", "nbgrader", "jupyterlab", "ipywidgets"):
        try:
            installed = Version(version(name))
        except PackageNotFoundError:
            if name == "tensorflow-cpu":  # GPU machines carry tensorflow[and-cuda] instead
                installed = Version(version("tensorflow"))
            else:
                raise
        if installed != pins[canonicalize_name(name)]:
            wrong.append(f"{name}: installed {installed}, locked {pins[canonicalize_name(name)]}")
    assert not wrong, "the environment differs from requirements.lock (run `make install`): " + "; ".join(wrong)
