"""`Verifier`: the monolith against the generated workflows, and planted differences caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter.local.app import load_app
from splitter.local.cases import read_settings
from splitter.local.monolith import Outcome
from splitter.local.verify import Verification, Verifier, compare, value_differences
from tests.conftest import MONOLITH, SETTINGS


def _verify(
    generated: Path, workflows: tuple[str, ...] = ("transfer",), examples: int = 12
) -> Verification:
    settings = read_settings(SETTINGS)
    with Verifier(load_app(generated), MONOLITH, settings, examples=examples) as verifier:
        return verifier.verify(only=workflows)


def test_the_generated_bank_is_equivalent_over_derived_and_given_inputs(
    bank_generated: Path,
) -> None:
    result = _verify(bank_generated, ("statement", "transfer"), examples=25)
    assert result.equivalent, result.to_json()
    transfer = next(w for w in result.workflows if w.workflow == "transfer")
    names = {case.case.name for case in transfer.cases}
    assert {"ana pays bob", "insufficient funds", "closed account"} <= names
    assert len(transfer.cases) >= 25
    assert 0 < transfer.error_paths < len(transfer.cases)
    errors = {case.monolith.error for case in transfer.cases}
    assert {"InsufficientFunds", "AccountClosed", None} <= errors


def test_an_entry_point_one_function_serves_is_verified_too(bank_generated: Path) -> None:
    result = _verify(bank_generated, ("open_account",), examples=10)
    [workflow] = result.workflows
    assert (workflow.kind, workflow.equivalent) == ("one function", True)
    assert {"InvalidAmount", None} <= {case.monolith.error for case in workflow.cases}


def test_a_changed_value_is_caught(generated_copy: Path) -> None:
    handlers = generated_copy / "services" / "accounts" / "handlers.py"
    text = handlers.read_text()
    planted = "return to_jsonable_python(withdraw(**arguments) + 1)"
    handlers.write_text(text.replace("return to_jsonable_python(withdraw(**arguments))", planted))
    result = _verify(generated_copy)
    assert not result.equivalent
    case = next(c for c in result.workflows[0].differing if c.case.name == "ana pays bob")
    assert case.differences == ("$.source_balance: monolith 70, workflow 71",)


def test_a_skipped_write_is_caught_by_the_rows(generated_copy: Path) -> None:
    handlers = generated_copy / "services" / "ledger" / "handlers.py"
    text = handlers.read_text()
    # the first ledger line of a fresh database has id 1: the output stays the same
    planted = "return 1 if arguments['amount'] < 0 else to_jsonable_python(record(**arguments))"
    handlers.write_text(text.replace("return to_jsonable_python(record(**arguments))", planted))
    result = _verify(generated_copy)
    case = next(c for c in result.workflows[0].differing if c.case.name == "ana pays bob")
    assert case.differences == ()
    assert [table.table for table in case.tables] == ["ledger"]
    ledger = case.tables[0]
    assert ledger.only_monolith == ((1, 1, -30, "transfer"), (2, 2, 30, "transfer"))
    assert ledger.only_generated == ((1, 2, 30, "transfer"),)


def test_a_swapped_error_is_caught(generated_copy: Path) -> None:
    code = generated_copy / "services" / "accounts" / "bank" / "accounts.py"
    text = code.read_text()
    code.write_text(text.replace("raise InsufficientFunds(", "raise AccountClosed("))
    result = _verify(generated_copy)
    case = next(c for c in result.workflows[0].differing if c.case.name == "insufficient funds")
    assert case.monolith.error == "InsufficientFunds"
    assert case.generated.error == "AccountClosed"
    assert "the monolith raised InsufficientFunds, the workflow failed with AccountClosed" in (
        case.differences
    )


def test_inputs_outside_the_signature_are_reported_apart(bank_generated: Path) -> None:
    result = _verify(bank_generated, ("transfer",), examples=5)
    outside = dict((case.name, why) for case, why in result.workflows[0].outside)
    assert "does not fit int" in outside["example"]  # the generated example holds nulls


def test_compare_names_what_differs() -> None:
    assert compare(Outcome(value={"a": 1}), Outcome(value={"a": 1})) == ()
    assert compare(Outcome(error="X"), Outcome(value=1)) == (
        "the monolith raised X, the workflow succeeded",
    )
    assert value_differences({"a": [1, 2], "b": 1}, {"a": [1, 3], "c": 1}) == [
        "$.a[1]: monolith 2, workflow 3",
        "$.b: only the monolith returns it",
        "$.c: only the workflow returns it",
    ]


def test_unknown_workflow_is_an_input_error(bank_generated: Path) -> None:
    from splitter.errors import InputError

    with pytest.raises(InputError, match="no workflow refund"):
        _verify(bank_generated, ("refund",))
