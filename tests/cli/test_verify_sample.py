"""`splitter verify` on the sample monolith: every workflow behaves like the monolith."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.cli.app import app
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow


def test_every_sample_workflow_is_equivalent_to_the_monolith(sample_workdir: Path) -> None:
    settings = SAMPLE / "splitter-verify.toml"
    generated = sample_workdir / "splitter-out"
    result = CliRunner().invoke(
        app,
        [
            "verify",
            str(SAMPLE),
            "-g",
            str(generated),
            "--cases",
            str(settings),
            "-n",
            "12",
            "--output",
            "json",
        ],
    )
    report = json.loads(result.stdout)
    differing = {w["workflow"]: w["differing"][:1] for w in report["workflows"] if w["differing"]}
    assert differing == {}
    assert result.exit_code == 0
    workflows = {w["workflow"]: w for w in report["workflows"]}
    machines = {name: w for name, w in workflows.items() if w["kind"] == "state machine"}
    assert {"place_order", "cancel_order", "process_return", "restock"} <= set(machines)
    assert {"register_customer", "mark_shipped"} <= set(workflows) - set(machines)
    assert all(w["inputs"] >= 12 for w in machines.values())
    assert all(0 < w["error_paths"] < w["inputs"] for w in machines.values())
    exercised = set(workflows["place_order"]["errors"])
    assert {"PaymentDeclined", "CustomerInactive", "OutOfStock"} <= exercised
