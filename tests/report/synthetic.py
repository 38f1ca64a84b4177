"""A synthetic code base, plan and workflows of any size, built in memory, for the report's
scale tests and load benchmark."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import networkx as nx

from splitter.analyzer.facts import FileProblem
from splitter.analyzer.model import (
    Analysis,
    Call,
    Function,
    ModuleInfo,
    TableUse,
    UnresolvedCall,
)
from splitter.generator.orchestration import Orchestration
from splitter.planner.metrics import measure
from splitter.planner.plan import (
    CrossCall,
    OwnershipConflict,
    Plan,
    Reason,
    Service,
    Workflow,
)
from splitter.report.model import ReportInput
from splitter.report.service_map import service_colours
from splitter.report.workflow_diagram import StateRoles, workflow_diagram
from splitter.report.workflows import WorkflowDrawing

PER_MODULE = 20
MODULES_PER_SERVICE = 25


def synthetic_input(functions: int = 20_000, seed: int = 7) -> ReportInput:
    """A code base of `functions` functions, 20 a module, 25 modules a service, three calls
    a function (most inside its module), 200 tables, unresolved calls and bad files, and a
    plan placing each module whole, with 20 drawn workflows."""
    rng = random.Random(seed)
    modules = [f"pkg{m // 50}.mod{m}" for m in range(max(functions // PER_MODULE, 1))]
    service_of_module = {m: f"svc{i // MODULES_PER_SERVICE:02d}" for i, m in enumerate(modules)}
    found = [_function(modules[i // PER_MODULE], i) for i in range(functions)]
    calls = _calls(found, rng)
    service_of = {f.qualname: service_of_module[f.module] for f in found}
    analysis = Analysis(
        root="synthetic",
        modules=tuple(ModuleInfo(m, _path(m), PER_MODULE * 12, False) for m in modules),
        functions=tuple(found),
        calls=tuple(calls),
        unresolved=tuple(_unresolved(found, rng)),
        tables=tuple(_tables(found, rng)),
        problems=tuple(
            FileProblem(f"broken/bad{i}.py", i + 1, "syntax", "invalid syntax") for i in range(10)
        ),
    )
    plan = _plan(analysis, service_of_module, service_of)
    partition = dict(service_of)
    graph = nx.DiGraph()
    graph.add_edges_from((c.caller, c.callee) for c in calls)
    figures = measure(graph, partition)
    colours = service_colours(s.name for s in plan.services)
    workflows = tuple(_workflow(index, plan, colours) for index in range(20))
    return ReportInput(analysis, plan, figures, workflows=workflows)


def _function(module: str, index: int) -> Function:
    line = 1 + (index % PER_MODULE) * 12
    return Function(f"{module}.f{index}", "function", module, _path(module), line, line + 9)


def _path(module: str) -> str:
    return module.replace(".", "/") + ".py"


def _calls(functions: list[Function], rng: random.Random) -> list[Call]:
    calls = []
    for index, function in enumerate(functions):
        base = index - index % PER_MODULE
        for _ in range(3):
            if rng.random() < 0.8:
                target = base + rng.randrange(PER_MODULE)
            else:
                target = rng.randrange(len(functions))
            if target != index and target < len(functions):
                callee = functions[target].qualname
                calls.append(Call(function.qualname, callee, function.path, function.line + 1))
    return calls


def _unresolved(functions: list[Function], rng: random.Random) -> list[UnresolvedCall]:
    picked = rng.sample(functions, min(1_000, len(functions)))
    return [
        UnresolvedCall(f.qualname, "handler.run()", f.path, f.line + 2, "'handler' is a parameter")
        for f in picked
    ]


def _tables(functions: list[Function], rng: random.Random) -> list[TableUse]:
    uses = []
    for function in rng.sample(functions, min(3_000, len(functions))):
        table = f"table_{rng.randrange(200):03d}"
        write = rng.random() < 0.3
        uses.append(
            TableUse(
                function.qualname,
                table,
                "write" if write else "read",
                function.path,
                function.line,
                "sql",
            )
        )
    return uses


def _plan(analysis: Analysis, by_module: dict[str, str], service_of: dict[str, str]) -> Plan:
    members: dict[str, list[str]] = {}
    for module, service in by_module.items():
        members.setdefault(service, []).append(f"{module}.*")
    owners = _table_owners(analysis, service_of)
    services = tuple(
        Service(
            name,
            tuple(sorted(members[name])),
            tables=tuple(sorted(t for t, owner in owners.items() if owner == name)),
        )
        for name in sorted(members)
    )
    cross = tuple(
        CrossCall(c.caller, c.callee, service_of[c.caller], service_of[c.callee], c.path, c.line)
        for c in analysis.calls
        if service_of[c.caller] != service_of[c.callee]
    )
    pairs = {(c.caller_service, c.callee_service) for c in cross}
    cycles = tuple(sorted({tuple(sorted(p)) for p in pairs if (p[1], p[0]) in pairs}))[:50]
    return Plan(
        root="synthetic",
        services=services,
        cross_calls=cross,
        cycles=cycles,
        conflicts=_conflicts(analysis, service_of, owners),
        reasons=tuple(
            Reason(
                f.qualname, (f"in module {f.module} with {PER_MODULE - 1} more of its functions",)
            )
            for f in analysis.functions
        ),
    )


def _table_owners(analysis: Analysis, service_of: dict[str, str]) -> dict[str, str]:
    writers: dict[str, Counter[str]] = {}
    for use in analysis.tables:
        writers.setdefault(use.table, Counter())[service_of[use.function]] += 1
    return {table: min(c, key=lambda s: (-c[s], s)) for table, c in writers.items()}


def _conflicts(
    analysis: Analysis, service_of: dict[str, str], owners: dict[str, str]
) -> tuple[OwnershipConflict, ...]:
    foreign: dict[str, set[tuple[str, str]]] = {}
    for use in analysis.tables:
        service = service_of[use.function]
        if use.mode == "write" and owners[use.table] != service:
            foreign.setdefault(use.table, set()).add((service, use.function))
    return tuple(
        OwnershipConflict(table, owners[table], tuple(sorted(writers))[:3])
        for table, writers in sorted(foreign.items())[:20]
    )


def _workflow(index: int, plan: Plan, colours: dict[str, int]) -> WorkflowDrawing:
    services = [s.name for s in plan.services]
    called = [services[(index + k) % len(services)] for k in range(4)]
    definition = synthetic_machine(f"wf{index}", called)
    roles = StateRoles(
        task_services={f"Call{k}": service for k, service in enumerate(called)},
        colours=colours,
    )
    workflow = Workflow(f"wf{index:02d}", f"entry.wf{index}", called[0], kind="http", detail="/x")
    orchestration = Orchestration(workflow.entry, workflow.entry, called[0], tuple(sorted(called)))
    return WorkflowDrawing(
        workflow,
        orchestration,
        definition=definition,
        diagram=workflow_diagram(workflow.name, definition, roles),
        service_calls=len(called),
    )


def synthetic_machine(name: str, services: list[str]) -> dict[str, Any]:
    """A state machine calling each service in turn, with a Choice, a Map and a Catch."""
    states: dict[str, Any] = {}
    for k, service in enumerate(services):
        following = f"Call{k + 1}" if k + 1 < len(services) else "Decide"
        states[f"Call{k}"] = {
            "Type": "Task",
            "Comment": f"calls {service}",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Catch": [{"ErrorEquals": ["Failed"], "Next": "Fail"}],
            "Next": following,
        }
    states["Decide"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.vars.ok.value", "BooleanEquals": True, "Next": "Each"}],
        "Default": "Done",
    }
    states["Each"] = {
        "Type": "Map",
        "ItemProcessor": {
            "StartAt": "Item",
            "States": {"Item": {"Type": "Task", "Resource": "x", "End": True}},
        },
        "Next": "Done",
    }
    states["Fail"] = {"Type": "Fail", "Error": "Failed"}
    states["Done"] = {"Type": "Pass", "End": True}
    return {"Comment": f"the {name} workflow", "StartAt": "Call0", "States": states}
