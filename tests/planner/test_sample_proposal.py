"""The proposal for the sample shop against its intended decomposition, and its guarantees."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path
from splitter.planner.assignment import SHARED
from splitter.planner.compare import adjusted_rand_index, labels, reference_plan
from splitter.planner.evidence import Evidence
from splitter.planner.export import plan_document
from splitter.planner.gather import evidence_from_analysis
from splitter.planner.planfile import render_plan_file
from splitter.planner.propose import Proposal, propose
from splitter.planner.weights import Settings

SAMPLE = Path(__file__).parents[2] / "sample_monolith"


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return analyze_path(SAMPLE, cache_dir=None)


@pytest.fixture(scope="module")
def evidence(analysis: Analysis) -> Evidence:
    return evidence_from_analysis(analysis)


@pytest.fixture(scope="module")
def proposal(evidence: Evidence) -> Proposal:
    return propose(evidence)


def test_the_proposal_matches_the_intended_decomposition(
    evidence: Evidence, proposal: Proposal
) -> None:
    intended = reference_plan(tomllib.loads((SAMPLE / "decomposition.toml").read_text()))
    units = [unit.name for unit in evidence.units]
    ours, theirs = labels(proposal.plan, units), labels(intended, units)
    assert set(ours) == set(units)
    assert adjusted_rand_index(ours, theirs) >= 0.8


def test_infrastructure_is_the_shared_library_not_a_service(proposal: Proposal) -> None:
    shared = set(proposal.plan.shared.members)
    assert {"shop.utils.*", "shop.db.*", "shop.config.*", "shop.errors.*", "shop.models.*"} <= (
        shared
    )
    assert "shop.repository._conn" in shared
    reasons = {reason.function: reason.ties for reason in proposal.plan.shared.reasons}
    assert "infrastructure" in reasons["shop.utils.*"][0]


def test_every_table_has_one_owner_or_a_flagged_conflict(
    evidence: Evidence, proposal: Proposal
) -> None:
    owners: dict[str, list[str]] = {}
    for service in proposal.plan.services:
        for table in service.tables:
            owners.setdefault(table, []).append(service.name)
    assert all(len(services) == 1 for services in owners.values())
    placed = set(owners) | set(proposal.plan.shared.tables)
    assert placed == {use.resource for use in evidence.tables}
    assignment = dict(proposal.assignment)
    for table in owners:
        writers = {
            assignment[u.unit]
            for u in evidence.tables
            if u.resource == table and u.mode == "write" and assignment[u.unit] != SHARED
        }
        if writers - set(owners[table]):
            assert table in {conflict.table for conflict in proposal.plan.conflicts}


def test_every_workflow_lists_its_steps_in_call_order(proposal: Proposal) -> None:
    workflows = {workflow.name: workflow for workflow in proposal.plan.workflows}
    assert "place_order" in workflows and "month_end_invoicing" in workflows
    for workflow in workflows.values():
        assert workflow.steps and workflow.steps[0].function == workflow.entry
        assert workflow.steps[0].service == workflow.service
    place_order = [step.function for step in workflows["place_order"].steps]
    assert place_order.index("shop.pricing.quote_items") < place_order.index(
        "shop.payments.processing.charge"
    )


def test_services_have_names_from_their_nouns(proposal: Proposal) -> None:
    names = {service.name for service in proposal.plan.services}
    assert {"orders", "payments", "invoicing", "reporting"} <= names
    assert not any(name.startswith("cluster") for name in names)


def test_the_number_of_services_is_chosen_and_explained(proposal: Proposal) -> None:
    assert 6 <= len(proposal.plan.services) <= 14
    assert "modularity" in proposal.choice.reason
    assert len(proposal.choice.candidates) > 3


def test_the_same_input_gives_a_byte_identical_plan(evidence: Evidence, proposal: Proposal) -> None:
    first = render_plan_file(plan_document(proposal, "sample_monolith"))
    second = render_plan_file(plan_document(propose(evidence), "sample_monolith"))
    assert first == second
    assert tomllib.loads(first)["root"] == "sample_monolith"


def test_asking_for_a_number_of_services_gives_about_that_many(evidence: Evidence) -> None:
    asked = propose(evidence, Settings(services=5))
    assert len(asked.plan.services) == 5
    assert "5 services were asked for" in asked.choice.reason


def test_every_function_is_explained(evidence: Evidence, proposal: Proposal) -> None:
    reasons = {reason.function: reason.ties for reason in proposal.plan.reasons}
    assert set(reasons) == {unit.name for unit in evidence.units}
    assert "writes table payments" in " ".join(reasons["shop.payments.processing._insert_payment"])
