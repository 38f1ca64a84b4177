"""The plan file, `splitter-plan.toml`: written here, read back by `splitter.planner.planread`.

The writer is small and deterministic (same plan, same bytes): sections in a fixed order,
members sorted one per line, comments that say how to edit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from splitter.planner.plan import Plan, Service, Workflow
from splitter.planner.weights import Settings

PLAN_FILE = "splitter-plan.toml"
"""The plan file's default name, in the folder `splitter analyze` runs in."""

FIGURE_KEYS = (
    "service_count",
    "function_count",
    "structural_modularity",
    "inter_call_percentage",
    "interface_number",
    "non_extreme_distribution",
    "business_context_purity",
    "modularity",
    "mean_cohesion",
    "mean_services_per_table",
)
"""The figures stored in `[figures]`, so that a rerun can show them before and after."""

HEADER = """\
# The split of the code base into services, proposed by `splitter analyze`.
#
# Review it and edit it; `splitter analyze` keeps your edits and `splitter generate` builds
# what this file says. To
#   - rename a service: rename its [services.<name>] table (and the name in [workflows],
#     or delete the [workflows] tables);
#   - move a function: move its line to the members of another service (a name listed
#     outright wins over a glob such as "pkg.mod.*", which takes everything under pkg.mod);
#   - merge two services: move the members of one into the other, delete the empty table;
#   - split a service: add a [services.<name>] table and move members into it;
#   - give a table to another service: move it to that service's tables;
#   - record that a person placed a member: list it in pinned.
# On the next run everything this file places stays where it is, new code is placed by its
# ties, and members that no longer exist are reported and dropped. [workflows] and
# [figures] are worked out again on every run. Delete this file for a fresh proposal.
"""


@dataclass(frozen=True)
class PlanFile:
    """What a plan file holds: the plan, the settings it was made with, the figures and the
    reason for the number of services of the run that wrote it."""

    plan: Plan
    settings: Settings = field(default_factory=Settings)
    figures: tuple[tuple[str, float], ...] = ()
    reason: str = ""


def render_plan_file(document: PlanFile) -> str:
    """The plan file's text. `plan.root` is written as given; make it relative to the file's
    folder before calling."""
    plan = document.plan
    lines = [HEADER, f"version = {plan.version}", f"root = {_string(plan.root)}", ""]
    lines += _settings(document.settings)
    for service in plan.services:
        lines += _service(service)
    lines += ["[shared]", "# Infrastructure every service carries: helpers, connections, types."]
    lines += _array("members", plan.shared.members)
    lines += _array("tables", plan.shared.tables)
    lines.append("")
    for workflow in plan.workflows:
        lines += _workflow(workflow)
    lines += _figures(document)
    return "\n".join(lines).rstrip("\n") + "\n"


def stored_figures(values: Mapping[str, object]) -> tuple[tuple[str, float], ...]:
    """The figures to keep from `QualityFigures.to_dict()` plus the table sharing mean."""
    found = []
    for key in FIGURE_KEYS:
        value = values.get(key)
        if isinstance(value, int | float):
            found.append((key, round(float(value), 4)))
    return tuple(found)


def _settings(settings: Settings) -> list[str]:
    lines = ["[settings]", "# Used for a fresh proposal; --services and --seed override them."]
    if settings.services is not None:
        lines.append(f"services = {settings.services}")
    lines.append(f"seed = {settings.seed}")
    lines.append("")
    changed = settings.weights.changed()
    if changed:
        lines.append("[settings.weights]")
        lines += [f"{_key(name)} = {_number(value)}" for name, value in sorted(changed.items())]
        lines.append("")
    return lines


def _service(service: Service) -> list[str]:
    lines = [f"[services.{_key(service.name)}]"]
    lines.append(f"description = {_string(service.description)}")
    lines += _array("members", service.members)
    lines += _array("tables", service.tables)
    lines += _array("entry_points", service.entry_points)
    lines += _array("pinned", service.pinned)
    return [*lines, ""]


def _workflow(workflow: Workflow) -> list[str]:
    lines = [f"[workflows.{_key(workflow.name)}]"]
    lines.append(f"entry = {_string(workflow.entry)}")
    lines.append(f"service = {_string(workflow.service)}")
    if workflow.kind:
        lines.append(f"kind = {_string(workflow.kind)}")
    if workflow.detail:
        lines.append(f"detail = {_string(workflow.detail)}")
    lines.append("steps = [")
    for step in workflow.steps:
        lines.append(
            f"    {{ service = {_string(step.service)}, function = {_string(step.function)}, "
            f"line = {step.line} }},"
        )
    return [*lines, "]", ""]


def _figures(document: PlanFile) -> list[str]:
    lines = ["[figures]", "# The quality figures of the run that wrote this file."]
    if document.reason:
        lines.append(f"why = {_string(document.reason)}")
    for key, value in document.figures:
        shown = str(int(value)) if key.endswith("_count") else _number(value)
        lines.append(f"{_key(key)} = {shown}")
    return lines


def _array(key: str, values: Iterable[str]) -> list[str]:
    items = list(values)
    if not items:
        return [f"{key} = []"]
    return [f"{key} = [", *(f"    {_string(item)}," for item in items), "]"]


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else _string(name)


def _string(value: str) -> str:
    """A TOML basic string: JSON's escapes are valid TOML ones."""
    return json.dumps(value, ensure_ascii=False)


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{float(value):.1f}"
    return repr(round(float(value), 4))
