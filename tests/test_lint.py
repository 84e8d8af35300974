"""Lint and format hold: `ruff check` with the rules in pyproject.toml (E, W, F, I, B, UP and the
complexity limit; known debts are listed there by file) and `ruff format --check`."""

from __future__ import annotations

import shutil
import subprocess
import tomllib

import pytest

from tests.conftest import ROOT, require


def _ruff(*args: str) -> subprocess.CompletedProcess:
    ruff = shutil.which("ruff")
    require(ruff is not None, "ruff is not installed (pip install -r requirements-dev.txt)")
    return subprocess.run([ruff, *args, "--no-cache", str(ROOT)], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_the_configured_rules_are_the_agreed_ones():
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert {"E", "W", "F", "I", "B", "UP", "C90"} <= set(lint["select"])
    assert lint["mccabe"]["max-complexity"] <= 15


@pytest.mark.parametrize("command", [("check", "--output-format", "concise"), ("format", "--check")])
def test_ruff_is_clean(command):
    result = _ruff(*command)
    assert result.returncode == 0, result.stdout + result.stderr
