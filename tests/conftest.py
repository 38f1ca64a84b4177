"""Shared fixtures: the bank, a small monolith split in three, generated once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.analyzer.compiled import check_compiled
from splitter.cli.app import app
from splitter.errors import AnalysisError


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test a compiled analyzer module whose source was edited since it was
    compiled: the tests would run the earlier code (`splitter/analyzer/compiled.py`)."""
    try:
        check_compiled()
    except AnalysisError as error:
        raise pytest.UsageError(str(error)) from error


FIXTURE = Path(__file__).resolve().parent / "local" / "fixtures" / "bank"
MONOLITH = FIXTURE / "bank"
SETTINGS = FIXTURE / "splitter-verify.toml"


def analyze_and_generate(folder: Path, root: Path, *generate: str) -> Path:
    """Run `splitter analyze ROOT`, then `splitter generate GENERATE...`, in `folder`, as a
    user would (the plan lands there); fails with the command's output if either does."""
    runner = CliRunner()
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        for command in (["analyze", str(root)], ["generate", *generate]):
            result = runner.invoke(app, command)
            assert result.exit_code == 0, f"splitter {command[0]} failed:\n{result.output}"
    finally:
        os.chdir(cwd)
    return folder


DJANGO_SITE = Path(__file__).parent / "generator" / "fixtures" / "django_site"


@pytest.fixture(scope="session")
def django_site_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a copy of the Django site (`site/`), analyzed with its plan and
    generated into splitter-out/."""
    folder = tmp_path_factory.mktemp("django_site")
    monolith = folder / "site"
    shutil.copytree(DJANGO_SITE, monolith)
    plan = (DJANGO_SITE / "splitter-plan.toml").read_text(encoding="utf-8")
    (folder / "splitter-plan.toml").write_text(f'root = "{monolith}"\n{plan}', encoding="utf-8")
    return analyze_and_generate(folder, monolith)


@pytest.fixture(scope="session")
def bank_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where the bank was analyzed with its plan and generated into splitter-out/."""
    folder = tmp_path_factory.mktemp("bank")
    plan = (FIXTURE / "splitter-plan.toml").read_text(encoding="utf-8")
    (folder / "splitter-plan.toml").write_text(f'root = "{MONOLITH}"\n{plan}', encoding="utf-8")
    return analyze_and_generate(folder, MONOLITH)


@pytest.fixture(scope="session")
def bank_generated(bank_workdir: Path) -> Path:
    return bank_workdir / "splitter-out"


@pytest.fixture
def generated_copy(bank_generated: Path, tmp_path: Path) -> Path:
    """A copy of the generated bank a test may change."""
    return Path(shutil.copytree(bank_generated, tmp_path / "splitter-out"))


@pytest.fixture
def bank_database(tmp_path: Path) -> Path:
    """A seeded bank database, built by the fixture's own seed function (no import)."""
    import runpy

    seed = runpy.run_path(str(MONOLITH / "db.py"))["seed"]
    return Path(seed(str(tmp_path / "bank.db")))


SAMPLE = Path(__file__).resolve().parents[1] / "sample_monolith"


@pytest.fixture(scope="session")
def sample_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where the sample monolith was analyzed and generated into splitter-out/."""
    return analyze_and_generate(tmp_path_factory.mktemp("sample"), SAMPLE)
