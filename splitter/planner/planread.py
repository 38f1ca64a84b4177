"""Reading a plan file back, with errors that point at the line to fix."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from splitter.errors import InputError, PlanError
from splitter.planner.plan import PLAN_VERSION, Plan, Service, SharedLibrary, Workflow, WorkflowStep
from splitter.planner.planfile import PlanFile
from splitter.planner.weights import Settings, Weights

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_HINT = "fix the plan file by hand, or delete it for a fresh proposal (see docs/plan-file.md)"


def read_plan_file(path: Path) -> PlanFile:
    """Read and check a plan file.

    Raises:
        PlanError: the file is not valid TOML, or it is not a plan (with file:line when
            the line can be found).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"cannot read {path}: {error}", hint=_HINT) from error
    return parse_plan_file(text, str(path))


def parse_plan_file(text: str, source: str = "splitter-plan.toml") -> PlanFile:
    """The plan file in `text`; `source` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = _decode_line(str(error), text)
        raise PlanError(f"{source}:{line}: {error}", hint=_HINT) from error
    where = _Locator(text, source)
    version = data.get("version", PLAN_VERSION)
    if version != PLAN_VERSION:
        raise PlanError(
            f"{where.at('version')}: plan file version {version} is not {PLAN_VERSION}",
            hint="this version of splitter reads version 1; delete the file to start anew",
        )
    plan = _plan(data, where)
    figures = _section(data.get("figures", {}), "figures", where)
    return PlanFile(
        plan=plan,
        settings=_settings(_section(data.get("settings", {}), "settings", where), where),
        figures=tuple(
            (key, float(value))
            for key, value in sorted(figures.items())
            if isinstance(value, int | float) and not isinstance(value, bool)
        ),
        reason=str(figures.get("why", "")),
    )


def _plan(data: Mapping[str, Any], where: _Locator) -> Plan:
    services = _services(data.get("services", {}), where)
    shared = _section(data.get("shared", {}), "shared", where)
    plan = Plan(
        root=_text(data.get("root", ""), "root", where),
        services=services,
        shared=SharedLibrary(
            members=_names(shared, "members", "shared", where),
            tables=_names(shared, "tables", "shared", where),
        ),
        workflows=_workflows(data.get("workflows", {}), {s.name for s in services}, where),
    )
    _check_unique_members(plan, where)
    return plan


class _Locator:
    """Finds the line of a name in the file, for error messages."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source

    def at(self, needle: str, occurrence: int = 1) -> str:
        seen = 0
        for number, line in enumerate(self.lines, start=1):
            if needle in line:
                seen += 1
                if seen == occurrence:
                    return f"{self.source}:{number}"
        return self.source


def _services(data: object, where: _Locator) -> tuple[Service, ...]:
    table = _section(data, "services", where)
    services = []
    for name, body in sorted(table.items()):
        if not _NAME.match(name) or name == "shared":
            raise PlanError(
                f"{where.at(f'[services.{name}]')}: {name!r} cannot name a service",
                hint="use letters, digits, _ and -, starting with a letter (not 'shared')",
            )
        section = _section(body, f"services.{name}", where)
        services.append(
            Service(
                name=name,
                members=_names(section, "members", name, where),
                tables=_names(section, "tables", name, where),
                entry_points=_names(section, "entry_points", name, where),
                pinned=_names(section, "pinned", name, where),
                description=_text(section.get("description", ""), "description", where),
            )
        )
    return tuple(services)


def _workflows(data: object, services: set[str], where: _Locator) -> tuple[Workflow, ...]:
    table = _section(data, "workflows", where)
    found = []
    for name, body in sorted(table.items()):
        section = _section(body, f"workflows.{name}", where)
        service = _text(section.get("service", ""), "service", where)
        steps = section.get("steps", [])
        if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
            raise PlanError(f"{where.at(f'[workflows.{name}]')}: steps must be tables", hint=_HINT)
        for referenced in [service, *(str(step.get("service", "")) for step in steps)]:
            if referenced not in services:
                raise PlanError(
                    f"{where.at(f'[workflows.{name}]')}: workflow {name} names service "
                    f"{referenced!r}, which the plan does not define",
                    hint="rename the reference too, or delete the [workflows] tables: they "
                    "are worked out again on every run",
                )
        found.append(
            Workflow(
                name=name,
                entry=_text(section.get("entry", ""), "entry", where),
                service=service,
                steps=tuple(
                    WorkflowStep(str(s["service"]), str(s.get("function", "")), _int(s, "line"))
                    for s in steps
                ),
                kind=_text(section.get("kind", ""), "kind", where),
                detail=_text(section.get("detail", ""), "detail", where),
            )
        )
    return tuple(found)


def _check_unique_members(plan: Plan, where: _Locator) -> None:
    """A member (or a table) listed in two services has no single service."""
    for kind, sections in (
        (
            "member",
            [("shared", plan.shared.members)] + [(s.name, s.members) for s in plan.services],
        ),
        ("table", [("shared", plan.shared.tables)] + [(s.name, s.tables) for s in plan.services]),
    ):
        seen: dict[str, str] = {}
        for name, members in sections:
            for member in members:
                if seen.get(member, name) != name:
                    raise PlanError(
                        f"{where.at(_quoted(member), 2)}: {kind} {member} is listed in both "
                        f"{seen[member]} and {name}",
                        hint="keep it in the one service it belongs to and delete the other line",
                    )
                seen[member] = name


def _settings(section: Mapping[str, Any], where: _Locator) -> Settings:
    services = section.get("services")
    if services is not None and (not isinstance(services, int) or isinstance(services, bool)):
        raise PlanError(f"{where.at('services =')}: services must be a number", hint=_HINT)
    seed = section.get("seed", Settings().seed)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise PlanError(f"{where.at('seed =')}: seed must be a whole number", hint=_HINT)
    weights = section.get("weights", {})
    try:
        parsed = Weights.from_mapping(weights) if isinstance(weights, dict) else Weights()
        return Settings(services=services, seed=seed, weights=parsed)
    except InputError as error:
        raise PlanError(f"{where.at('[settings')}: {error.message}", hint=error.hint) from error


def _section(value: object, name: str, where: _Locator) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PlanError(f"{where.at(name)}: {name} must be a table", hint=_HINT)
    return value


def _names(section: Mapping[str, Any], key: str, owner: str, where: _Locator) -> tuple[str, ...]:
    values = section.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise PlanError(
            f"{where.at(f'{key} =')}: {key} of {owner} must be a list of names",
            hint=f'write it as {key} = ["pkg.mod.func", "pkg.other.*"]',
        )
    return tuple(values)


def _text(value: object, key: str, where: _Locator) -> str:
    if not isinstance(value, str):
        raise PlanError(f"{where.at(f'{key} =')}: {key} must be a string", hint=_HINT)
    return value


def _int(step: Mapping[str, Any], key: str) -> int:
    value = step.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _quoted(name: str) -> str:
    return f'"{name}"'


def _decode_line(message: str, text: str) -> int:
    """The line tomllib names, or the last line when it stopped at the end of the file."""
    match = re.search(r"line (\d+)", message)
    if match:
        return int(match.group(1))
    return max(len(text.splitlines()), 1) if "end of document" in message else 1
