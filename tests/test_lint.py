"""Pyflakes-level checks (ruff's F rules): unused imports, undefined names, repeated dict keys."""

from __future__ import annotations

import shutil
import subprocess

from tests.conftest import ROOT, require


def test_no_pyflakes_errors():
    ruff = shutil.which("ruff")
    require(ruff is not None, "ruff is not installed (pip install -r requirements-dev.txt)")
    result = subprocess.run(
        [ruff, "check", "--select", "F", "--output-format", "concise", "--no-cache", str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
