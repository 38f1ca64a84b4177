"""A proposal as plain data for JSON: the plan, its figures, and how it was chosen."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from splitter.planner.choice import Candidate
from splitter.planner.planfile import PlanFile, stored_figures
from splitter.planner.propose import Proposal


def proposal_to_dict(proposal: Proposal) -> dict[str, Any]:
    """Plain data with sorted keys (lists keep the plan's order), ready for JSON."""
    plan = asdict(proposal.plan)
    return {
        "plan": plan,
        "figures": proposal.figures.to_dict(),
        "choice": {
            "requested": proposal.choice.requested,
            "reason": proposal.choice.reason,
            "chosen": _candidate(proposal.choice.chosen),
            "candidates": [_candidate(c) for c in proposal.choice.candidates],
        },
        "settings": {
            "services": proposal.settings.services,
            "seed": proposal.settings.seed,
            "weights": asdict(proposal.settings.weights),
        },
        "assignment": dict(proposal.assignment),
        "missing": list(proposal.missing),
        "notes": list(proposal.notes),
    }


def _candidate(candidate: Candidate) -> dict[str, Any]:
    return {
        "resolution": candidate.resolution,
        "services": candidate.count,
        "modularity": round(candidate.modularity, 4),
        "structural_modularity": round(candidate.structural_modularity, 4),
        "inter_call_percentage": round(candidate.inter_call_percentage, 4),
        "non_extreme_distribution": round(candidate.non_extreme_distribution, 4),
    }


def plan_document(proposal: Proposal, root: str, stored_reason: str = "") -> PlanFile:
    """What to write to the plan file for a proposal, with `root` as the file should record
    it (relative to the file's folder). When the proposal kept a plan file unchanged, its
    `stored_reason` is kept too, so that a rerun with nothing new rewrites the same bytes."""
    figures = proposal.figures.to_dict()
    figures["mean_services_per_table"] = proposal.figures.tables.mean_services_per_table
    keep = proposal.choice.unchanged and stored_reason
    return PlanFile(
        plan=replace(proposal.plan, root=root),
        settings=proposal.settings,
        figures=stored_figures(figures),
        reason=stored_reason if keep else proposal.choice.reason,
    )
