"""Plans for tests: the sample monolith's intended split, read from its decomposition.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

from splitter.planner.assignment import assign_functions
from splitter.planner.plan import Plan, Service, SharedLibrary, Workflow

SAMPLE_ROOT = Path(__file__).resolve().parents[2] / "sample_monolith"
SAMPLE_WORKFLOWS = (
    "place_order",
    "cancel_order",
    "process_return",
    "restock",
    "month_end_invoicing",
)
"""The sample's workflows, all functions of `shop.services`."""


def plan_from_decomposition(path: Path, workflows: dict[str, str] | None = None) -> Plan:
    """A plan with one service per `[domains.<name>]` of a decomposition file (its
    `functions` as members, its `tables`) and `[shared]` functions as the shared library.

    `workflows` maps workflow names to entry functions; each is owned by the service its
    entry belongs to.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    services = tuple(
        Service(
            name=name,
            members=tuple(section.get("functions", ())),
            tables=tuple(section.get("tables", ())),
        )
        for name, section in data.get("domains", {}).items()
    )
    shared = SharedLibrary(members=tuple(data.get("shared", {}).get("functions", ())))
    plan = Plan(root=str(path.parent), services=services, shared=shared)
    entries = workflows or {}
    owners = assign_functions(plan, entries.values())
    found = tuple(
        Workflow(name=name, entry=entry, service=owners[entry])
        for name, entry in entries.items()
        if entry in owners
    )
    return Plan(root=plan.root, services=services, shared=shared, workflows=found)


def sample_plan() -> Plan:
    """The sample monolith's plan, with its five workflows."""
    entries = {name: f"shop.services.{name}" for name in SAMPLE_WORKFLOWS}
    return plan_from_decomposition(SAMPLE_ROOT / "decomposition.toml", entries)
