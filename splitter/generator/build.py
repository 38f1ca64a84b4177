"""The use case of `splitter generate`: from plan, analysis and sources to the generated files.

Pure: it returns the files as data (`GeneratedApp`); `splitter.generator.writer` puts them on
disk. Each part comes from its own module: state machines from `workflow_translation`, the
carried code and handlers from `carry`, glue modules from `glue_module`, the SAM template from
`deployment` and `sam`, the rest (README, events, tests, report) from `app_files`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from splitter.analyzer.model import Analysis
from splitter.errors import GenerationError
from splitter.generator.app_files import (
    example_events,
    generated_readme,
    generated_tests,
    lint_settings,
    report_json,
)
from splitter.generator.asl import dump_definition
from splitter.generator.carry import CarriedCode, GeneratedFile, carry_services
from splitter.generator.deployment import (
    DeploymentModel,
    EnvironmentVariable,
    FunctionSpec,
    ParameterKind,
    ParameterRef,
    ParameterSpec,
    WorkflowType,
    function_logical_id,
    function_spec,
    functions_named_in,
    pascal_name,
    state_machine_spec,
)
from splitter.generator.django_setup import SETTINGS_VARIABLE, DjangoProject
from splitter.generator.glue_module import (
    GLUE_MODULE,
    ResultType,
    glue_handler,
    render_glue_module,
    typed_glue,
)
from splitter.generator.orchestration import find_orchestration, internal_callees
from splitter.generator.sam import render_template
from splitter.generator.workflow_model import GlueStep, WorkflowTranslation
from splitter.generator.workflow_translation import translate_workflow
from splitter.planner.assignment import SHARED, assign_functions
from splitter.planner.plan import Plan, Service, Workflow
from splitter.report.diagrams import diagram_files
from splitter.report.service_map import service_colours
from splitter.report.workflows import draw_workflows

GRANULARITIES = ("service", "operation")
_SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "API_KEY", "PRIVATE")


@dataclass(frozen=True)
class GenerateOptions:
    """The choices of `splitter generate`."""

    granularity: str = "service"
    workflow_type: WorkflowType = WorkflowType.STANDARD
    only: str | None = None
    app_name: str = ""
    lint_baseline: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Monolith file -> the ruff rules its own code breaks: the files carried from it ignore
    them in the generated `ruff.toml`."""


@dataclass(frozen=True)
class GeneratedApp:
    """The generated application as files, and the report of how it was made."""

    files: tuple[GeneratedFile, ...]
    translations: tuple[WorkflowTranslation, ...] = ()
    operations_only: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    report: Mapping[str, Any] = field(default_factory=dict)

    def file(self, path: str) -> GeneratedFile | None:
        return next((f for f in self.files if f.path == path), None)


def generate_app(
    plan: Plan, analysis: Analysis, sources: Mapping[str, str], options: GenerateOptions
) -> GeneratedApp:
    """Generate the serverless application for `plan`.

    Args:
        plan: the reviewed plan.
        analysis: the analysis of the monolith the plan names.
        sources: each analyzed file's path (as in `Function.path`) -> its text.
        options: granularity, workflow type, `only` (strangler: one service out, the rest
            kept as one `monolith` service) and the application's name.

    Raises:
        GenerationError: an unknown granularity or `only` service, or a plan with no service.
    """
    _check(plan, options)
    if options.only:
        plan = strangle(plan, options.only)
    assignment = assign_functions(plan, [f.qualname for f in analysis.functions])
    translations, operations_only, notes = _translate(plan, analysis, sources, assignment)
    extra = _extra_operations(translations, operations_only, assignment)
    glue = _glue_by_service(translations)
    carried = carry_services(
        plan,
        analysis,
        sources,
        granularity=options.granularity,
        extra_operations=extra,
        glue_services=sorted(glue),
    )
    results = _result_types(carried)
    translations = [typed_glue(translation, results) for translation in translations]
    glue = _glue_by_service(translations)
    machines = {t.workflow: _for_granularity(t, options.granularity) for t in translations}
    django = carried.django is not None
    files = [*carried.files, *_glue_files(glue, django), *_machine_files(machines)]
    model = _deployment(plan, analysis, carried, machines, options, glue)
    files.append(GeneratedFile("template.yaml", render_template(model)))
    report = report_json(plan, translations, operations_only, carried, notes)
    files += _supporting_files(plan, analysis, sources, translations, carried, model, report)
    files.append(GeneratedFile("ruff.toml", lint_settings(carried.files, options.lint_baseline)))
    return GeneratedApp(
        files=tuple(sorted(files, key=lambda f: f.path)),
        translations=tuple(translations),
        operations_only=tuple(operations_only),
        notes=tuple([*notes, *carried.notes]),
        report=report,
    )


def _check(plan: Plan, options: GenerateOptions) -> None:
    if options.granularity not in GRANULARITIES:
        raise GenerationError(
            f"unknown granularity {options.granularity!r}",
            hint="use `--granularity service` or `--granularity operation`",
        )
    if not plan.services:
        raise GenerationError(
            "the plan has no service to generate", hint="run `splitter analyze PATH` first"
        )
    if options.only and plan.service_named(options.only) is None:
        names = ", ".join(s.name for s in plan.services)
        raise GenerationError(
            f"the plan has no service {options.only!r}", hint=f"choose one of: {names}"
        )


def strangle(plan: Plan, only: str) -> Plan:
    """The plan with `only` as a service and every other service merged into `monolith`."""
    kept = [s for s in plan.services if s.name == only]
    rest = [s for s in plan.services if s.name != only]
    monolith = Service(
        name="monolith" if only != "monolith" else "monolith_rest",
        members=tuple(sorted({m for s in rest for m in s.members})),
        tables=tuple(sorted({t for s in rest for t in s.tables})),
        entry_points=tuple(sorted({e for s in rest for e in s.entry_points})),
        pinned=tuple(sorted({p for s in rest for p in s.pinned})),
        description="Everything not yet extracted, kept together as it was",
    )
    moved = {s.name: monolith.name for s in rest}
    workflows = tuple(replace(w, service=moved.get(w.service, w.service)) for w in plan.workflows)
    return replace(plan, services=(*kept, monolith), workflows=workflows)


def _translate(
    plan: Plan, analysis: Analysis, sources: Mapping[str, str], assignment: Mapping[str, str]
) -> tuple[list[WorkflowTranslation], list[str], list[str]]:
    """State machines for workflows that reach other services; the rest stay operations."""
    functions = {f.qualname: f for f in analysis.functions}
    callees = internal_callees(analysis)
    translations: list[WorkflowTranslation] = []
    operations_only: list[str] = []
    notes: list[str] = []
    seen: set[str] = set()
    for workflow in sorted(plan.workflows, key=lambda w: w.name):
        found = find_orchestration(workflow.entry, analysis, assignment, callees)
        function = functions.get(found.function)
        if function is None or found.owner == SHARED or found.function in seen:
            notes.append(_skipped(workflow, found.function, found.owner, found.function in seen))
            continue
        seen.add(found.function)
        if not found.crosses_services:
            operations_only.append(found.function)
            continue
        translation = translate_workflow(
            found.machine_name,
            found.function,
            sources[function.path],
            analysis,
            assignment,
            found.owner,
            transaction=found.function in analysis.transactional,
        )
        translations.append(translation)
        if translation.failed:
            notes.append(
                f"workflow {found.machine_name}: translation failed, see its notes in the report"
            )
    return translations, operations_only, notes


def _skipped(workflow: Workflow, orchestrator: str, owner: str, repeated: bool) -> str:
    if repeated:
        return f"workflow {workflow.name}: same orchestrating function {orchestrator} as another"
    if owner == SHARED:
        return f"workflow {workflow.name}: {orchestrator} is in the shared library, not a service"
    return f"workflow {workflow.name}: {orchestrator} is not a function of the analyzed code"


def _extra_operations(
    translations: Sequence[WorkflowTranslation],
    operations_only: Sequence[str],
    assignment: Mapping[str, str],
) -> dict[str, list[str]]:
    extra: dict[str, list[str]] = defaultdict(list)
    for translation in translations:
        for task in translation.tasks:
            extra[task.service].append(task.function)
    for function in operations_only:
        extra[assignment[function]].append(function)
    return {service: sorted(set(functions)) for service, functions in extra.items()}


def _result_types(carried: CarriedCode) -> dict[str, ResultType]:
    """Function -> its return annotation, for the operations whose results can be rebuilt."""
    return {
        op.function: ResultType(
            op.returns, tuple(sorted(carried.result_types[op.function].items()))
        )
        for operations in carried.operations.values()
        for op in operations
        if op.function in carried.result_types
    }


def _glue_by_service(translations: Sequence[WorkflowTranslation]) -> dict[str, list[GlueStep]]:
    glue: dict[str, list[GlueStep]] = defaultdict(list)
    for translation in translations:
        for step in translation.glue:
            glue[step.service].append(step)
    return dict(glue)


def _glue_files(glue: Mapping[str, Sequence[GlueStep]], django: bool) -> list[GeneratedFile]:
    return [
        GeneratedFile(
            f"services/{service}/{GLUE_MODULE}.py",
            render_glue_module(service, steps, django=django),
        )
        for service, steps in sorted(glue.items())
    ]


def _for_granularity(translation: WorkflowTranslation, granularity: str) -> dict[str, Any]:
    """The definition, with each Task naming its operation's own function when asked."""
    definition = translation.definition
    if granularity == "service":
        return definition
    per_operation: dict[str, Any] = _per_operation(definition)
    return per_operation


def _per_operation(node: Any) -> Any:
    if isinstance(node, dict):
        updated = {key: _per_operation(value) for key, value in node.items()}
        parameters = updated.get("Parameters")
        if isinstance(parameters, dict) and "FunctionName" in parameters:
            payload = parameters.get("Payload", {})
            service = str(parameters["FunctionName"])[2:].removesuffix("FunctionArn}")
            operation = payload.get("operation", "")
            target = f"${{{service}{pascal_name(operation)}FunctionArn}}"
            updated["Parameters"] = {**parameters, "FunctionName": target}
        return updated
    if isinstance(node, list):
        return [_per_operation(item) for item in node]
    return node


def _machine_files(machines: Mapping[str, dict[str, Any]]) -> list[GeneratedFile]:
    return [
        GeneratedFile(f"statemachines/{name}.asl.json", dump_definition(definition))
        for name, definition in sorted(machines.items())
    ]


def _deployment(
    plan: Plan,
    analysis: Analysis,
    carried: CarriedCode,
    machines: Mapping[str, dict[str, Any]],
    options: GenerateOptions,
    glue: Mapping[str, Sequence[GlueStep]],
) -> DeploymentModel:
    parameters = _parameters(analysis, carried.django)
    environment = [
        EnvironmentVariable(p.description, ParameterRef(p.logical_id)) for p in parameters
    ]
    functions = _functions(plan, carried, options.granularity, environment)
    if options.granularity == "operation":
        functions += _glue_functions(glue, environment)
    state_machines = tuple(
        state_machine_spec(
            name, functions_named_in(dump_definition(d)), workflow_type=options.workflow_type
        )
        for name, d in sorted(machines.items())
    )
    name = options.app_name or plan.root.rstrip("/").rpartition("/")[2] or "app"
    return DeploymentModel(
        app_name=name,
        description=f"{name} split into services by splitter",
        functions=functions,
        state_machines=state_machines,
        parameters=tuple(parameters),
    )


def _parameters(analysis: Analysis, django: DjangoProject | None) -> list[ParameterSpec]:
    """One template parameter per environment variable the monolith reads by name; in a
    Django monolith, one for its settings module, the one found by default."""
    names = {read.variable for read in analysis.environment}
    if django is not None:
        names.add(SETTINGS_VARIABLE)
    return [
        ParameterSpec(
            logical_id=pascal_name(name.lower()),
            description=name,
            default=django.settings if django and name == SETTINGS_VARIABLE else None,
            kind=_kind(name),
        )
        for name in sorted(names)
    ]


def _kind(variable: str) -> ParameterKind:
    if any(word in variable.upper() for word in _SECRET_WORDS):
        return ParameterKind.SECRET_NAME
    return ParameterKind.SETTING


def _functions(
    plan: Plan,
    carried: CarriedCode,
    granularity: str,
    environment: Sequence[EnvironmentVariable],
) -> tuple[Any, ...]:
    callees = _callees(carried, granularity)
    specs = []
    for service in plan.services:
        operations = carried.operations.get(service.name, ())
        if granularity == "service":
            invokes = callees.get((service.name, None), set())
            specs.append(
                function_spec(
                    service.name,
                    description=service.description or f"The {service.name} service",
                    environment=environment,
                    invokes=invokes,
                )
            )
            continue
        for operation in operations:
            invokes = callees.get((service.name, operation.name), set())
            specs.append(
                function_spec(
                    service.name,
                    operation.name,
                    description=f"{operation.function} ({operation.path}:{operation.line})",
                    environment=environment,
                    invokes=invokes,
                )
            )
    return tuple(specs)


def _glue_functions(
    glue: Mapping[str, Sequence[GlueStep]], environment: Sequence[EnvironmentVariable]
) -> tuple[FunctionSpec, ...]:
    """In operation granularity each glue step is an operation with a function of its own."""
    return tuple(
        replace(
            function_spec(
                service,
                step.function,
                description=f"glue of {step.module}, lines {step.lines[0]}-{step.lines[1]}",
                environment=environment,
            ),
            handler=f"{GLUE_MODULE}.{glue_handler(step.function)}",
        )
        for service, steps in sorted(glue.items())
        for step in steps
    )


def _callees(carried: CarriedCode, granularity: str) -> dict[tuple[str, str | None], set[str]]:
    """Which functions each function invokes through its remote client, by logical ID."""
    operation_of = {
        op.function: (service, op.name) for service, ops in carried.operations.items() for op in ops
    }
    callees: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for call in carried.remote_calls:
        caller_service, callee_service = call.services
        callee = operation_of.get(call.callee)
        if callee is None:
            continue
        if granularity == "service":
            callees[(caller_service, None)].add(function_logical_id(callee_service))
        else:
            # any operation of the calling service may run the calling code
            for operation in carried.operations.get(caller_service, ()):
                callees[(caller_service, operation.name)].add(function_logical_id(*callee))
    return callees


def _supporting_files(
    plan: Plan,
    analysis: Analysis,
    sources: Mapping[str, str],
    translations: Sequence[WorkflowTranslation],
    carried: CarriedCode,
    model: DeploymentModel,
    report: Mapping[str, Any],
) -> list[GeneratedFile]:
    files = [
        GeneratedFile("README.md", generated_readme(plan, translations, carried, model)),
        GeneratedFile("splitter-report.json", _json(report)),
    ]
    files += example_events(translations, analysis)
    files += generated_tests(plan, translations, carried)
    files += _diagrams(plan, analysis, sources, translations)
    return files


def _diagrams(
    plan: Plan,
    analysis: Analysis,
    sources: Mapping[str, str],
    translations: Sequence[WorkflowTranslation],
) -> list[GeneratedFile]:
    """The service map, the call graph and each workflow as Mermaid, DOT and SVG files."""
    colours = service_colours(service.name for service in plan.services)
    done = {translation.entry: translation for translation in translations}
    drawings = draw_workflows(analysis, plan, sources.get, colours, done)
    pictures = diagram_files(analysis, plan, drawings)
    return [GeneratedFile(path, text) for path, text in sorted(pictures.items())]


def _json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
