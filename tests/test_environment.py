"""The pinned environment: one lock file, environment.yml in step with it, CI calling the README's command."""

from __future__ import annotations

import re

import yaml


def _lock(project_root):
    pins = {}
    for line in (project_root / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock line is not an exact pin: {line!r}"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_every_lock_line_is_an_exact_pin(project_root):
    pins = _lock(project_root)
    # The direct dependencies declared in pyproject.toml must all be pinned in the lock.
    for name in ["pandas", "numpy", "scipy", "statsmodels", "matplotlib", "pandera",
                 "pyarrow", "openpyxl", "ijson", "papermill", "nbconvert", "ipykernel",
                 "jupyterlab", "pyyaml", "pytest", "nbval", "hypothesis"]:
        assert name in pins, f"{name} missing from requirements.lock"


def test_environment_yml_pins_equal_the_lock(project_root):
    pins = _lock(project_root)
    env = yaml.safe_load((project_root / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str) and "=" in d]
    assert len(conda) >= 20
    for dep in conda:
        name, version = dep.split("=", 1)
        if name == "python":
            continue
        key = re.sub(r"[-_.]+", "-", name).lower()
        assert pins.get(key) == version, f"environment.yml {dep} != requirements.lock {pins.get(key)}"


def test_ci_runs_the_readme_test_command(project_root):
    ci = (project_root / ".ci" / "run").read_text()
    readme = (project_root / "README.md").read_text()
    assert "make test" in readme and "make report" in readme
    commands = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.startswith("#")]
    assert commands[-1] == "make test"
