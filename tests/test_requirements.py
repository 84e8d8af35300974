"""What a new user installs is what the suite runs on.

`.ci/run` makes a fresh virtual environment from the requirements files and runs the README's test
command in it; in CI these tests prove the suite is really running there, with nothing from the
machine's own Python. On any machine, every third-party module the code imports must belong to a
distribution the requirements files name directly (not one that happens to arrive with another).
"""

from __future__ import annotations

import ast
import os
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

FIRST_PARTY = {"dashboard", "bootstrap", "data_access", "geo", "ui", "pages", "sample_data", "tests", "benchmarks"}
CODE_DIRS = ("data_access", "geo", "ui", "pages", "sample_data", "tests", "benchmarks")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(path: Path) -> set[str]:
    """Distribution names in a requirements file and the files it includes (-r)."""
    names: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r"):
            names |= declared(path.parent / line[2:].strip())
            continue
        names.add(_normal(re.split(r"[\s\[<>=!~;]", line, maxsplit=1)[0]))
    return names


def imported_modules() -> dict[str, str]:
    """Top-level modules imported anywhere in the project's code -> one file that imports it."""
    found: dict[str, str] = {}
    files = [ROOT / "dashboard.py", *(p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py"))]
    for path in files:
        if "artifacts" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared():
    wanted = declared(ROOT / "requirements-dev.txt")
    owners = packages_distributions()
    missing = []
    for module, where in sorted(imported_modules().items()):
        if module in FIRST_PARTY or module in sys.stdlib_module_names or module == "__future__":
            continue
        dists = {_normal(d) for d in owners.get(module, [])}
        if not dists & wanted:
            missing.append(f"{module} (imported in {where}; distribution {sorted(dists) or 'not installed'})")
    assert not missing, "imported but not in requirements*.txt: " + "; ".join(missing)


def test_ci_runs_in_the_fresh_virtual_environment():
    """In CI the suite runs in the venv .ci/run made, which sees no system site-packages."""
    if not IN_CI:
        pytest.skip("outside CI the suite may run in any environment; .ci/run makes the fresh one")
    venv = os.environ.get("GRID_CI_VENV")
    assert venv, "CI must run through .ci/run, which makes a fresh virtual environment"
    assert Path(sys.prefix).resolve() == Path(venv).resolve(), (sys.prefix, venv)
    cfg = (Path(venv) / "pyvenv.cfg").read_text(encoding="utf-8")
    assert re.search(r"include-system-site-packages\s*=\s*false", cfg), cfg
