"""The project's own checks: lint, formatting, strict typing and the layering contracts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("splitter", "tests", "benchmarks", "setup.py", "build_support")
"""What ruff lints and checks the formatting of: the package, its tests and its build."""

pytestmark = pytest.mark.slow


def run(*command: str) -> subprocess.CompletedProcess[str]:
    program = shutil.which(command[0])
    assert program is not None, f"{command[0]} is not installed: pip install -e '.[test]'"
    return subprocess.run([program, *command[1:]], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint() -> None:
    result = run("ruff", "check", *CHECKED)
    assert result.returncode == 0, result.stdout


def test_ruff_format() -> None:
    result = run("ruff", "format", "--check", *CHECKED)
    assert result.returncode == 0, result.stdout


def test_mypy_strict() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout


def test_import_contracts() -> None:
    result = run("lint-imports")
    assert result.returncode == 0, result.stdout
