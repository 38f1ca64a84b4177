"""How `splitter analyze` shows a proposal to a person: a tree of services, the figures,
conflicts, cycles and workflows."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table
from rich.tree import Tree

from splitter.cli.console import stdout
from splitter.planner.assignment import SHARED
from splitter.planner.export import plan_document
from splitter.planner.planfile import FIGURE_KEYS, PlanFile
from splitter.planner.propose import Proposal

_SHOWN_FUNCTIONS = 6
_SHOWN_ROWS = 12

_LABELS = {
    "service_count": ("services", ""),
    "function_count": ("functions placed", ""),
    "structural_modularity": ("structural modularity SM", "higher is better"),
    "inter_call_percentage": ("inter-call percentage ICP", "lower is better"),
    "interface_number": ("interface number IFN", "lower is better"),
    "non_extreme_distribution": ("non-extreme distribution NED", "lower is better"),
    "business_context_purity": ("business context purity BCP", "nats, lower is better"),
    "modularity": ("modularity Q", "higher is better"),
    "mean_cohesion": ("mean cohesion", "higher is better"),
    "mean_services_per_table": ("services per table", "lower is better"),
}


@dataclass(frozen=True)
class PlanReport:
    """A proposal with what the run read and wrote."""

    proposal: Proposal
    stored: PlanFile | None = None
    written: Path | None = None
    profiled: int = 0
    services_ignored: bool = False


def render_plan(report: PlanReport) -> None:
    """Print the proposal: services as a tree, figures (before and after on a rerun),
    ownership conflicts, cycles, workflows, and what happened to the plan file."""
    proposal = report.proposal
    stdout.print(f"\n[bold]Proposed services[/] ({len(proposal.plan.services)})")
    stdout.print(f"  [dim]why:[/] {proposal.choice.reason}")
    if report.profiled:
        stdout.print(f"  [dim]runtime call counts of {report.profiled} functions weighed in[/]")
    stdout.print(_tree(proposal))
    _figures(report)
    _conflicts(proposal)
    _cycles(proposal)
    _workflows(proposal)
    _plan_file(report)


def _tree(proposal: Proposal) -> Tree:
    modules = dict(proposal.modules)
    by_service: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for unit, placed in proposal.assignment:
        by_service[placed][modules.get(unit, "")].append(unit)
    tree = Tree("[bold]services[/]")
    for service in proposal.plan.services:
        count = sum(len(units) for units in by_service[service.name].values())
        branch = tree.add(f"[bold cyan]{service.name}[/]  [dim]{count} functions[/]")
        _modules(branch, by_service[service.name])
        if service.tables:
            branch.add("tables: " + ", ".join(service.tables))
        if service.entry_points:
            branch.add("entry points: " + ", ".join(service.entry_points))
    shared = proposal.plan.shared
    count = sum(len(units) for units in by_service[SHARED].values())
    branch = tree.add(f"[bold magenta]shared library[/]  [dim]{count} functions[/]")
    for reason in shared.reasons[:_SHOWN_ROWS]:
        branch.add(f"{reason.function}  [dim]{'; '.join(reason.ties)}[/]")
    if len(shared.reasons) > _SHOWN_ROWS:
        branch.add(f"[dim]… and {len(shared.reasons) - _SHOWN_ROWS} more[/]")
    if shared.tables:
        branch.add("tables only it touches: " + ", ".join(shared.tables))
    return tree


def _modules(branch: Tree, modules: Mapping[str, list[str]]) -> None:
    for module in sorted(modules):
        names = [unit.removeprefix(module + ".") for unit in sorted(modules[module])]
        branch.add(f"{module} ({len(names)}): [dim]{_listed(names, _SHOWN_FUNCTIONS)}[/]")


def _listed(names: list[str], limit: int) -> str:
    more = f" … and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _figures(report: PlanReport) -> None:
    current = dict(plan_document(report.proposal, "").figures)
    before = dict(report.stored.figures) if report.stored else {}
    table = Table(title="Quality figures", title_justify="left", box=None)
    table.add_column("figure")
    if before:
        table.add_column("before", justify="right")
    table.add_column("now" if before else "value", justify="right")
    table.add_column("")
    for key in FIGURE_KEYS:
        label, note = _LABELS[key]
        row = [label]
        if before:
            row.append(_number(key, before.get(key)))
        row += [_number(key, current.get(key)), f"[dim]{note}[/]"]
        table.add_row(*row)
    stdout.print()
    stdout.print(table)


def _number(key: str, value: float | None) -> str:
    if value is None:
        return "-"
    if key.endswith("_count"):
        return str(int(value))
    return f"{value:.1%}" if key == "inter_call_percentage" else f"{value:.4f}"


def _conflicts(proposal: Proposal) -> None:
    conflicts = proposal.plan.conflicts
    stdout.print(f"\n[bold]Data ownership conflicts[/] ({len(conflicts)})")
    for conflict in conflicts:
        stdout.print(f"  [yellow]{conflict}[/]")
    if not conflicts:
        stdout.print("  [dim]every table is written by its owner only[/]")


def _cycles(proposal: Proposal) -> None:
    cycles = proposal.plan.cycles
    stdout.print(f"\n[bold]Cycles between services[/] ({len(cycles)})")
    for cycle in cycles[:_SHOWN_ROWS]:
        stdout.print("  " + " -> ".join([*cycle, cycle[0]]))
    _more(len(cycles))
    pairs = Counter((c.caller_service, c.callee_service) for c in proposal.plan.cross_calls)
    stdout.print(
        f"  [dim]{len(proposal.plan.cross_calls)} call sites cross services, "
        f"between {len(pairs)} pairs of services (--output json lists them)[/]"
    )


def _workflows(proposal: Proposal) -> None:
    workflows = proposal.plan.workflows
    stdout.print(f"\n[bold]Workflows[/] ({len(workflows)})")
    for workflow in workflows:
        steps = " -> ".join(
            f"{step.service}.{step.function.rpartition('.')[2]}" for step in workflow.steps
        )
        stdout.print(f"  [cyan]{workflow.name}[/] [dim]({workflow.kind} {workflow.detail})[/]")
        stdout.print(f"    {steps}")


def _plan_file(report: PlanReport) -> None:
    proposal = report.proposal
    for note in proposal.notes:
        stdout.print(f"\n[dim]note: {note}[/]")
    if proposal.missing:
        stdout.print(f"\n[bold yellow]Members that no longer exist[/] ({len(proposal.missing)})")
        for member in proposal.missing:
            stdout.print(f"  {member} [dim](dropped)[/]")
    if report.services_ignored:
        stdout.print(
            "\n[dim]--services shapes a fresh proposal only: the plan file's services are "
            "kept (delete it, or pass --plan NEW, to start over)[/]"
        )
    if report.written is not None:
        kept = "updated" if report.stored else "written"
        stdout.print(
            f"\nplan {kept}: {report.written} (edit it, then run `splitter analyze` again)"
        )


def _more(count: int) -> None:
    if count > _SHOWN_ROWS:
        stdout.print(f"  [dim]... and {count - _SHOWN_ROWS} more (--output json lists all)[/]")
