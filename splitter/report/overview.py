"""The report's overview: the quality figures with their change, and one row per service."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from splitter.planner.metrics import QualityFigures
from splitter.planner.plan import Plan
from splitter.planner.planfile import FIGURE_KEYS, stored_figures

Verdict = Literal["better", "worse", "same", ""]

FIGURE_LABELS: Mapping[str, tuple[str, str]] = {
    "service_count": ("services", ""),
    "function_count": ("functions placed", ""),
    "structural_modularity": ("structural modularity SM", "higher"),
    "inter_call_percentage": ("inter-call percentage ICP", "lower"),
    "interface_number": ("interface number IFN", "lower"),
    "non_extreme_distribution": ("non-extreme distribution NED", "lower"),
    "business_context_purity": ("business context purity BCP (nats)", "lower"),
    "modularity": ("modularity Q", "higher"),
    "mean_cohesion": ("mean cohesion", "higher"),
    "mean_services_per_table": ("services per table", "lower"),
}
"""Figure key -> (label, which way is better: "higher", "lower" or "" for neither)."""


@dataclass(frozen=True)
class FigureRow:
    """One quality figure now and, when a previous plan is known, before."""

    key: str
    label: str
    better: str
    value: str
    previous: str = ""
    change: str = ""
    verdict: Verdict = ""


@dataclass(frozen=True)
class ServiceRow:
    """One service as the overview lists it."""

    name: str
    colour: str
    functions: int
    lines: int
    tables: tuple[str, ...]
    entry_points: tuple[str, ...]
    coupled: tuple[str, ...]
    cohesion: str
    description: str = ""
    conflict: bool = False


def figure_values(figures: QualityFigures) -> dict[str, float]:
    """The figures a plan file keeps (`[figures]`), from a proposal's `QualityFigures`."""
    values = figures.to_dict()
    values["mean_services_per_table"] = figures.tables.mean_services_per_table
    return dict(stored_figures(values))


def figure_rows(
    current: Mapping[str, float], previous: Mapping[str, float]
) -> tuple[FigureRow, ...]:
    """A row per figure in the plan file's order, with the change against `previous`."""
    rows = []
    for key in FIGURE_KEYS:
        if key not in current:
            continue
        label, better = FIGURE_LABELS.get(key, (key, ""))
        row = FigureRow(key, label, better, format_figure(key, current[key]))
        if key in previous:
            delta = current[key] - previous[key]
            row = FigureRow(
                key,
                label,
                better,
                row.value,
                format_figure(key, previous[key]),
                _change(key, delta),
                _verdict(delta, better),
            )
        rows.append(row)
    return tuple(rows)


def format_figure(key: str, value: float) -> str:
    """A figure as the plan view shows it: counts whole, ICP as a percentage, else 4 places."""
    if key.endswith("_count"):
        return str(int(value))
    return f"{value:.1%}" if key == "inter_call_percentage" else f"{value:.4f}"


def _change(key: str, delta: float) -> str:
    if abs(delta) < 5e-5:
        return "="
    sign = "+" if delta > 0 else "-"
    return sign + format_figure(key, abs(delta))


def _verdict(delta: float, better: str) -> Verdict:
    if abs(delta) < 5e-5:
        return "same"
    if not better:
        return ""
    return "better" if (delta > 0) == (better == "higher") else "worse"


def service_rows(
    plan: Plan,
    figures: QualityFigures,
    assignment: Mapping[str, str],
    lines: Mapping[str, int],
    colours: Mapping[str, str],
    conflicted: frozenset[str],
) -> tuple[ServiceRow, ...]:
    """One row per service in name order: size, tables, entry points, coupling, cohesion."""
    counts = Counter(assignment.values())
    measured = {service.name: service for service in figures.services}
    rows = []
    for service in sorted(plan.services, key=lambda s: s.name):
        figure = measured.get(service.name)
        rows.append(
            ServiceRow(
                name=service.name,
                colour=colours.get(service.name, "shared"),
                functions=counts[service.name],
                lines=lines.get(service.name, 0),
                tables=service.tables,
                entry_points=service.entry_points,
                coupled=figure.coupled_services if figure else (),
                cohesion=f"{figure.cohesion:.2f}" if figure else "-",
                description=service.description,
                conflict=service.name in conflicted,
            )
        )
    return tuple(rows)
