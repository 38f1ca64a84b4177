"""`splitter run` and `splitter verify` on the generated bank, as a user types them."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.cli.app import app
from tests.conftest import MONOLITH, SETTINGS

runner = CliRunner()


@pytest.fixture
def database(bank_database: Path) -> list[str]:
    return ["--parameter", f"BankDbPath={bank_database}"]


def test_run_prints_the_path_and_the_output(bank_generated: Path, database: list[str]) -> None:
    given = '{"source": 1, "target": 2, "amount": 30}'
    result = runner.invoke(
        app, ["run", "transfer", "--input", given, "--generated", str(bank_generated), *database]
    )
    assert result.exit_code == 0, result.output
    assert "Withdraw" in result.stdout and "Deposit" in result.stdout
    assert "transfer: SUCCEEDED" in result.stdout
    assert '"target_balance": 80' in result.stdout
    assert "skipped locally" in result.stdout


def test_run_as_json_and_a_failed_execution_exits_1(
    bank_generated: Path, database: list[str], tmp_path: Path
) -> None:
    event = tmp_path / "poor.json"
    event.write_text(json.dumps({"source": 2, "target": 1, "amount": 500}))
    result = runner.invoke(
        app,
        [
            "run",
            "transfer",
            "-i",
            f"@{event}",
            "-g",
            str(bank_generated),
            *database,
            "--output",
            "json",
        ],
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["status"], report["error"]) == ("FAILED", "InsufficientFunds")
    assert report["steps"][-1]["state"] == "Withdraw"


def test_run_refuses_bad_input_with_a_hint(bank_generated: Path) -> None:
    result = runner.invoke(app, ["run", "transfer", "-i", "{nope", "-g", str(bank_generated)])
    assert result.exit_code == 2
    assert "--input is not JSON" in result.stderr
    missing = runner.invoke(app, ["run", "refund", "-g", str(bank_generated)])
    assert missing.exit_code == 2 and "no workflow 'refund'" in missing.stderr


def test_verify_reports_equivalence(bank_generated: Path) -> None:
    result = runner.invoke(
        app,
        ["verify", str(MONOLITH), "-g", str(bank_generated), "--cases", str(SETTINGS), "-n", "8"],
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"(\d+) of \1 workflows equivalent", result.stdout)
    assert "open_account" in result.stdout and "one function" in result.stdout


def test_verify_exits_1_on_a_difference_and_shows_it(generated_copy: Path, tmp_path: Path) -> None:
    code = generated_copy / "services" / "accounts" / "bank" / "accounts.py"
    code.write_text(code.read_text().replace("raise InsufficientFunds(", "raise AccountClosed("))
    cwd = Path.cwd()
    shutil.copy(SETTINGS, tmp_path / "splitter-verify.toml")  # found without --cases
    os.chdir(tmp_path)
    try:
        result = runner.invoke(app, ["verify", str(MONOLITH), "-w", "transfer", "-n", "4"])
        as_json = runner.invoke(
            app, ["verify", str(MONOLITH), "-w", "transfer", "-n", "4", "--output", "json"]
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1, result.output
    assert not (tmp_path / ".hypothesis").exists()  # hypothesis kept its caches elsewhere
    assert "insufficient funds" in result.stdout
    assert "monolith : raised InsufficientFunds" in result.stdout
    assert "workflow : raised AccountClosed" in result.stdout
    report = json.loads(as_json.stdout)
    assert report["equivalent"] is False
    [workflow] = report["workflows"]
    assert any(case["name"] == "insufficient funds" for case in workflow["differing"])
