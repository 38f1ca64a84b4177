"""A Django monolith, generated and verified: each function sets up its own Django."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.cli.app import app

runner = CliRunner()


def test_verify_finds_every_entry_equivalent(
    django_site_workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The monolith and both functions each run their own Django on each run's database."""
    site = django_site_workdir
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    result = runner.invoke(
        app,
        [
            "verify",
            str(site / "site"),
            "--generated",
            str(site / "splitter-out"),
            "--cases",
            str(site / "site" / "splitter-verify.toml"),
            "--examples",
            "8",
            "--output",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    verdicts = {w["workflow"]: (w["kind"], w["equivalent"]) for w in report["workflows"]}
    assert verdicts == {
        "add_product": ("one function", True),
        "catalog_size": ("one function", True),
        "order_count": ("one function", True),
        "order_rows": ("one function", True),
        "place_order": ("state machine", True),
    }
    place = next(w for w in report["workflows"] if w["workflow"] == "place_order")
    assert place["inputs"] >= 2 and place["error_paths"] >= 1
