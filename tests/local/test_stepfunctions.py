"""Generated workflows executed by moto's interpreter with the handlers served in-process."""

from __future__ import annotations

import json
import sqlite3
from importlib import metadata
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from splitter.local import stepfunctions
from splitter.local.app import load_app
from splitter.local.stepfunctions import (
    SUPPORTED_MOTO,
    LocalRunnerError,
    LocalStepFunctions,
    check_moto,
)


def _balances(database: Path) -> dict[int, int]:
    with sqlite3.connect(database) as conn:
        return dict(conn.execute("SELECT id, balance FROM accounts").fetchall())


def test_a_transfer_runs_through_every_service(bank_generated: Path, bank_database: Path) -> None:
    app = load_app(bank_generated, parameters={"BankDbPath": str(bank_database)})
    with LocalStepFunctions(app) as service:
        execution = service.run("transfer", {"source": 1, "target": 2, "amount": 30})
    assert execution.succeeded, execution.cause
    assert execution.output == {"source_balance": 70, "target_balance": 80, "entry": 1}
    states = [step.state for step in execution.steps]
    assert states.index("Withdraw") < states.index("Deposit") < states.index("Return")
    tasks = {step.state: step for step in execution.steps if step.kind == "Task"}
    assert tasks["Withdraw"].output["vars"]["left"]["value"] == 70
    assert _balances(bank_database) == {1: 70, 2: 80, 3: 0}
    served = [call.function for call in service.dispatcher.invocations]
    assert served[:2] == ["AccountsFunction", "AccountsFunction"]
    assert "LedgerFunction" in served


def test_a_domain_exception_fails_the_execution_by_its_class_name(
    bank_generated: Path, bank_database: Path
) -> None:
    app = load_app(bank_generated, parameters={"BankDbPath": str(bank_database)})
    with LocalStepFunctions(app) as service:
        poor = service.run("transfer", {"source": 2, "target": 1, "amount": 500})
        invalid = service.run("transfer", {"source": 1, "target": 2, "amount": 0})
    assert (poor.status, poor.error) == ("FAILED", "InsufficientFunds")
    assert json.loads(poor.cause or "")["errorMessage"] == "account 2 holds 50"
    assert poor.steps[-1].state == "Withdraw" and poor.steps[-1].error == "InsufficientFunds"
    assert invalid.error == "InvalidAmount"  # raised by the definition's own Fail state
    assert _balances(bank_database) == {1: 100, 2: 50, 3: 0}


def test_a_handler_that_needs_another_services_code_fails_here(
    generated_copy: Path, bank_database: Path
) -> None:
    handlers = generated_copy / "services" / "accounts" / "handlers.py"
    handlers.write_text(handlers.read_text() + "\nimport bank.ledger  # noqa\n", encoding="utf-8")
    app = load_app(generated_copy, parameters={"BankDbPath": str(bank_database)})
    with LocalStepFunctions(app) as service:
        execution = service.run("transfer", {"source": 1, "target": 2, "amount": 5})
    assert execution.error == "Runtime.ImportModuleError"
    assert "bank.ledger" in (execution.cause or "")


def test_retry_intervals_are_not_waited_for(generated_copy: Path, bank_database: Path) -> None:
    definition = generated_copy / "statemachines" / "statement.asl.json"
    data = json.loads(definition.read_text())
    first_task = next(s for s in data["States"].values() if s.get("Type") == "Task")
    first_task["Retry"] = [
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 600, "MaxAttempts": 2}
    ]
    definition.write_text(json.dumps(data))
    app = load_app(generated_copy, parameters={"BankDbPath": str(bank_database)})
    with LocalStepFunctions(app) as service:
        execution = service.run("statement", {"account_id": 404})
    attempts = [
        c for c in service.dispatcher.invocations if c.payload["operation"] == "get_account"
    ]
    assert execution.error == "UnknownAccount"
    assert len(attempts) == 3  # the first try and two retries, none waited 600 s
    assert execution.duration_ms < 60_000


def test_the_installed_moto_is_supported_and_hooked() -> None:
    assert metadata.version("moto") in SpecifierSet(SUPPORTED_MOTO)
    modules = check_moto()
    assert callable(modules["lambda"]._invoke_lambda_function)


def test_a_moto_without_the_hooked_function_is_refused_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    modules = check_moto()
    monkeypatch.delattr(modules["lambda"], "_invoke_lambda_function")
    with pytest.raises(LocalRunnerError, match="changed the Step Functions internals") as caught:
        check_moto()
    assert SUPPORTED_MOTO in caught.value.hint
    assert stepfunctions.SUPPORTED_MOTO.startswith(">=")


def test_an_entry_point_one_function_serves_runs_as_one_invocation(
    bank_generated: Path, bank_database: Path
) -> None:
    app = load_app(bank_generated, parameters={"BankDbPath": str(bank_database)})
    assert "open_account" in app.operations and "open_account" not in app.workflows
    with LocalStepFunctions(app) as service:
        opened = service.run("open_account", {"owner": "dee", "deposit": 20})
        refused = service.run("open_account", {"owner": "eve", "deposit": -5})
    assert opened.output == {"id": 4, "owner": "dee", "balance": 20, "active": True}
    [step] = opened.steps
    assert (step.state, step.kind) == ("accounts.open_account", "Lambda")
    assert refused.error == "InvalidAmount"


def test_a_package_the_function_installs_is_named_with_its_requirements(
    generated_copy: Path, bank_database: Path
) -> None:
    handlers = generated_copy / "services" / "ledger" / "handlers.py"
    handlers.write_text(handlers.read_text() + "\nimport no_such_package  # noqa\n")
    app = load_app(generated_copy, parameters={"BankDbPath": str(bank_database)})
    with LocalStepFunctions(app) as service:
        execution = service.run("transfer", {"source": 1, "target": 2, "amount": 5})
    assert execution.error == "Runtime.ImportModuleError"
    cause = json.loads(execution.cause or "")["errorMessage"]
    assert "No module named 'no_such_package'" in cause
    assert f"pip install -r {generated_copy / 'services' / 'ledger' / 'requirements.txt'}" in cause
