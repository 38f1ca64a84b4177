"""Reading the generated application the way the local runner runs it: from template.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter.errors import InputError
from splitter.local.app import load_app


def test_functions_have_their_folders_layers_and_environment(bank_generated: Path) -> None:
    app = load_app(bank_generated, parameters={"BankDbPath": "/data/bank.db"})
    assert set(app.functions) == {"AccountsFunction", "LedgerFunction", "TransfersFunction"}
    accounts = app.functions["AccountsFunction"]
    assert accounts.code_dir == bank_generated / "services" / "accounts"
    assert accounts.handler == "handlers.handle"
    assert accounts.layer_dirs == (bank_generated / "layers" / "shared" / "python",)
    assert accounts.environment["BANK_DB_PATH"] == "/data/bank.db"
    transfers = app.functions["TransfersFunction"]
    assert transfers.name == "local-TransfersFunction"


def test_a_parameter_defaults_to_the_variable_it_describes(
    bank_generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANK_DB_PATH", "/from/the/shell.db")
    app = load_app(bank_generated)
    assert app.functions["LedgerFunction"].environment["BANK_DB_PATH"] == "/from/the/shell.db"


def test_workflow_definitions_name_the_local_functions(bank_generated: Path) -> None:
    app = load_app(bank_generated)
    assert set(app.workflows) == {"statement", "transfer"}
    assert app.operations["open_account"].service == "accounts"
    definition = app.definition(app.workflow("transfer"))
    assert "${" not in definition
    assert app.functions["AccountsFunction"].arn in definition


def test_unknown_workflow_lists_the_known_ones(bank_generated: Path) -> None:
    app = load_app(bank_generated)
    with pytest.raises(InputError) as caught:
        app.workflow("refund")
    assert "statement, transfer" in caught.value.hint


def test_unknown_parameter_and_missing_template_are_input_errors(
    bank_generated: Path, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="no parameter NoSuch"):
        load_app(bank_generated, parameters={"NoSuch": "x"})
    with pytest.raises(InputError, match=r"no template\.yaml") as caught:
        load_app(tmp_path)
    assert "splitter generate" in caught.value.hint


def test_a_parameter_with_no_value_leaves_its_variable_unset(
    bank_generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BANK_DB_PATH", raising=False)
    ledger = load_app(bank_generated).functions["LedgerFunction"]
    assert "BANK_DB_PATH" not in ledger.environment  # the code's own default applies
    assert "BANK_DB_PATH" in ledger.variables
