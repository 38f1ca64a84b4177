"""Carrying each service's code over from the monolith: the Python of every service and the layer.

`carry_services` is pure: it takes the plan, the analysis and the monolith's sources and
returns the generated files as data. How the pieces fit at run time is fixed by
`docs/generated-app.md`.

A function another service owns is reached by rebinding its name, in the module that defined
it, to a client in `splitter_remote` (`quote_items = splitter_remote.catalog_quote_items`).
The call sites stay as they were: `quote_items(...)`, `pricing.quote_items(...)` and
`from .pricing import quote_items` all find the client, because the copy of `shop/pricing.py`
the calling service carries binds the name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from splitter.analyzer.model import Analysis
from splitter.errors import GenerationError
from splitter.generator.copies import CopyStyle, render_copy
from splitter.generator.django_setup import (
    BOOTSTRAP_MODULE,
    DjangoProject,
    carried_apps,
    django_notes,
    find_project,
    lookup_notes,
    render_bootstrap,
    required_configs,
    settings_roots,
    top_packages,
    uninstalled_notes,
)
from splitter.generator.handlers import (
    RemoteCode,
    ServiceCode,
    client_names,
    decodable_results,
    render_handlers,
    render_layer_requirements,
    render_remote,
    render_requirements,
)
from splitter.generator.layer import shared_errors, split_packages, third_party
from splitter.generator.operations import Operation, build_operations, wanted_operations
from splitter.generator.statements import ModuleFacts, read_module
from splitter.generator.string_references import with_string_references
from splitter.generator.trees import Ownership, Planner, TreePlan, build_ownership
from splitter.planner.assignment import SHARED
from splitter.planner.plan import Plan

GRANULARITIES = ("service", "operation")
LAYER_ROOT = "layers/shared/python"


@dataclass(frozen=True)
class GeneratedFile:
    """A file of the generated application, with the monolith file it came from."""

    path: str
    content: str
    source: str = ""

    def __str__(self) -> str:
        origin = f" from {self.source}" if self.source else ""
        return f"{self.path} ({self.content.count(chr(10))} lines{origin})"


@dataclass(frozen=True)
class RemoteCall:
    """A call in one service's code that now goes to another service: coupling that remains."""

    caller: str
    callee: str
    services: tuple[str, str]
    path: str
    line: int

    def __str__(self) -> str:
        caller, callee = self.services
        return f"{caller} -> {callee}: {self.caller} calls {self.callee} ({self.path}:{self.line})"


@dataclass(frozen=True)
class CarriedCode:
    """The generated Python of every service and of the shared layer."""

    files: tuple[GeneratedFile, ...]
    operations: Mapping[str, tuple[Operation, ...]] = field(default_factory=dict)
    remote_calls: tuple[RemoteCall, ...] = ()
    notes: tuple[str, ...] = ()
    result_types: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Function -> imports (name -> module) of its return annotation, for the operations
    whose results any service can rebuild (`handlers.decodable`)."""
    django: DjangoProject | None = None
    """The monolith's Django project, when its code uses Django (`django_setup`)."""

    def file(self, path: str) -> GeneratedFile | None:
        return next((f for f in self.files if f.path == path), None)

    def __str__(self) -> str:
        count = sum(len(ops) for ops in self.operations.values())
        return f"{len(self.files)} files, {count} operations, {len(self.remote_calls)} remote calls"


def carry_services(
    plan: Plan,
    analysis: Analysis,
    sources: Mapping[str, str],
    *,
    granularity: str = "service",
    extra_operations: Mapping[str, Sequence[str]] | None = None,
    glue_services: Collection[str] = (),
) -> CarriedCode:
    """Carry each service's code, its handlers, its clients and the shared layer.

    Args:
        plan: the services and the shared library.
        analysis: the analysis of the monolith the plan was made from.
        sources: each analyzed file's path (as in `Function.path`) -> its text.
        granularity: "service" (one function per service) or "operation" (one per
            operation); it decides the environment variables the clients read.
        extra_operations: service -> functions to expose besides those the analysis shows
            being called from outside (workflow tasks).
        glue_services: services whose `splitter_glue.py` (written by the caller) holds glue
            steps; their `handle` serves those operations too.

    Returns:
        The files sorted by path, the operations of each service, the calls that still go from
        one service to another, and notes on what could not be carried as it was.

    Raises:
        GenerationError: `granularity` is not one of "service" and "operation".
    """
    if granularity not in GRANULARITIES:
        raise GenerationError(
            f"unknown granularity {granularity!r}",
            hint="run `splitter generate --granularity service` or `--granularity operation`",
        )
    facts, notes = read_facts(analysis, sources)
    django = find_project(facts)
    settings = settings_roots(django, facts)
    facts = with_string_references(facts, django, skipped=frozenset(settings))
    ownership = build_ownership(plan, analysis)
    planner = Planner(facts, ownership)
    layer = _plan(planner, SHARED, None, django, settings)
    trees = {service.name: _plan(planner, service.name, layer, django) for service in plan.services}
    remote = _remote_bindings(trees, ownership)
    wanted = wanted_operations(plan, analysis, ownership, remote, extra_operations or {})
    operations, operation_notes = build_operations(wanted, analysis, ownership, facts)
    build = _Build(facts, layer, trees, operations, granularity, analysis)
    build.glue = frozenset(glue_services)
    build.django = django
    files = tuple(sorted(build.files(), key=lambda f: f.path))
    remote_calls = _remote_calls(analysis, ownership, trees)
    notes += [*operation_notes, *build.notes]
    notes += tree_notes(layer, trees, facts) + state_notes(analysis, layer, trees, facts)
    notes += transaction_notes(remote_calls, analysis)
    if django is not None:
        notes += django_notes(django, build.internal)
        notes += lookup_notes(django, facts, layer, trees, build.internal)
        notes += uninstalled_notes(django, facts, trees)
    return CarriedCode(
        files=files,
        operations={s.name: operations.get(s.name, ()) for s in plan.services},
        remote_calls=remote_calls,
        notes=tuple(dict.fromkeys(notes)),
        result_types=decodable_results(operations, facts, layer),
        django=django,
    )


def _plan(
    planner: Planner,
    owner: str,
    layer: TreePlan | None,
    django: DjangoProject | None,
    extra: Mapping[str, set[str]] | None = None,
) -> TreePlan:
    """The tree of `owner`; in a Django monolith it also keeps the AppConfig of every app
    whose models it carries, which `django.setup()` loads."""
    tree = planner.plan_tree(owner, layer, extra)
    if django is None:
        return tree
    configs = required_configs(django, planner.facts, tree, layer)
    if not configs:
        return tree
    wanted = {module: set(names) for module, names in (extra or {}).items()}
    for module, names in configs.items():
        wanted.setdefault(module, set()).update(names)
    return planner.plan_tree(owner, layer, wanted)


def read_facts(
    analysis: Analysis, sources: Mapping[str, str]
) -> tuple[dict[str, ModuleFacts], list[str]]:
    """The facts of every analyzed module whose source is given and parses."""
    known = frozenset(_with_packages(m.name for m in analysis.modules))
    facts: dict[str, ModuleFacts] = {}
    notes: list[str] = []
    for info in sorted(analysis.modules, key=lambda m: m.name):
        text = sources.get(info.path)
        if text is None:
            notes.append(f"{info.path}: no source given, nothing of {info.name} is carried")
            continue
        try:
            facts[info.name] = read_module(
                text, module=info.name, path=info.path, is_package=info.is_package, known=known
            )
        except cst.ParserSyntaxError as error:
            notes.append(
                f"{info.path}:{error.raw_line}: cannot be parsed, not carried ({error.message})"
            )
    return facts, notes


def _with_packages(modules: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for module in modules:
        parts = module.split(".")
        found.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return found


def _remote_bindings(trees: Mapping[str, TreePlan], ownership: Ownership) -> list[tuple[str, str]]:
    """(service owning it, function) for every function some tree reaches through a client."""
    return sorted(
        {
            (ownership.functions[qualname], qualname)
            for tree in trees.values()
            for kept in tree.modules.values()
            for qualname in kept.remote.values()
        }
    )


def _remote_calls(
    analysis: Analysis, ownership: Ownership, trees: Mapping[str, TreePlan]
) -> tuple[RemoteCall, ...]:
    bound = {
        owner: {q for kept in tree.modules.values() for q in kept.remote.values()}
        for owner, tree in trees.items()
    }
    found = []
    for call in analysis.calls:
        caller = ownership.functions.get(call.caller)
        callee = ownership.functions.get(call.callee)
        if (
            call.target != "internal"
            or caller in (None, SHARED)
            or callee in (None, SHARED, caller)
        ):
            continue
        if call.callee in bound.get(caller or "", set()):
            found.append(
                RemoteCall(
                    call.caller, call.callee, (caller or "", callee or ""), call.path, call.line
                )
            )
    return tuple(sorted(set(found), key=lambda c: (c.path, c.line, c.caller, c.callee)))


def module_path(module: str, is_package: bool) -> str:
    """Where a module's copy goes inside a tree: `shop/services.py`, `shop/__init__.py`."""
    base = module.replace(".", "/")
    return f"{base}/__init__.py" if is_package else f"{base}.py"


class _Build:
    """Renders every file once the trees and operations are known."""

    def __init__(
        self,
        facts: Mapping[str, ModuleFacts],
        layer: TreePlan,
        trees: Mapping[str, TreePlan],
        operations: Mapping[str, tuple[Operation, ...]],
        granularity: str,
        analysis: Analysis,
    ) -> None:
        self.facts = facts
        self.layer = layer
        self.trees = trees
        self.operations = operations
        self.granularity = granularity
        self.internal = frozenset(_with_packages(m.name for m in analysis.modules))
        self.split = split_packages(layer, trees.values(), facts)
        self.by_function = {op.function: op for ops in operations.values() for op in ops}
        self.errors = shared_errors(layer, facts)
        self.notes: list[str] = []
        self.glue: frozenset[str] = frozenset()
        self.django: DjangoProject | None = None

    def files(self) -> list[GeneratedFile]:
        found = self._layer_files()
        for service in sorted(self.trees):
            found += self._service_files(service)
        return found

    def _layer_files(self) -> list[GeneratedFile]:
        found = [
            self._copy(LAYER_ROOT, SHARED, kept.module, {}) for kept in self.layer.modules.values()
        ]
        packages = third_party(self.layer, self.internal)
        if self.django is not None:
            packages = tuple(sorted({*packages, "django"}, key=str.lower))
        if packages:
            found.append(
                GeneratedFile("layers/shared/requirements.txt", render_layer_requirements(packages))
            )
        return found

    def _service_files(self, service: str) -> list[GeneratedFile]:
        tree = self.trees[service]
        calls = self._calls(tree)
        clients = client_names(calls)
        root = f"services/{service}"
        found = [self._copy(root, service, module, clients) for module in sorted(tree.modules)]
        operations = self.operations.get(service, ())
        text, notes = render_handlers(
            ServiceCode(
                service,
                operations,
                tree,
                self.layer,
                self.facts,
                self.internal,
                glue=service in self.glue,
                django=self.django is not None,
            )
        )
        self.notes += notes
        sources = ", ".join(sorted({op.path for op in operations if op.path}))
        found.append(GeneratedFile(f"{root}/handlers.py", text, sources))
        if calls:
            code = RemoteCode(
                service,
                tuple(calls),
                clients,
                self.errors,
                self.granularity,
                self.facts,
                self.layer,
            )
            found.append(GeneratedFile(f"{root}/splitter_remote.py", render_remote(code)))
        requirements = render_requirements(service, third_party(tree, self.internal))
        found.append(GeneratedFile(f"{root}/requirements.txt", requirements))
        if self.django is not None:
            roots = top_packages(self.internal)
            apps = carried_apps(self.django, self.facts, tree, self.layer, roots)
            bootstrap = render_bootstrap(self.django, roots, apps)
            found.append(GeneratedFile(f"{root}/{BOOTSTRAP_MODULE}.py", bootstrap))
        return found

    def _calls(self, tree: TreePlan) -> list[Operation]:
        wanted = sorted({q for kept in tree.modules.values() for q in kept.remote.values()})
        for qualname in wanted:
            if qualname not in self.by_function:
                self.notes.append(f"{tree.owner}: no operation serves {qualname}; calls to it fail")
        return [self.by_function[q] for q in wanted if q in self.by_function]

    def _copy(
        self, root: str, owner: str, module: str, clients: Mapping[str, str]
    ) -> GeneratedFile:
        facts = self.facts[module]
        kept = (self.layer if owner == SHARED else self.trees[owner]).modules[module]
        bound = {
            name: clients[qualname] for name, qualname in kept.remote.items() if qualname in clients
        }
        style = CopyStyle(
            header=_header(facts.path, owner, "partial" if kept.unavailable else kept.mode),
            clients=bound,
            extend_path=module in self.split,
        )
        path = f"{root}/{module_path(module, facts.is_package)}"
        return GeneratedFile(path, render_copy(facts, kept, style), facts.path)


def _header(path: str, owner: str, mode: str) -> tuple[str, ...]:
    if owner == SHARED:
        what = "the part every service shares" if mode == "partial" else "carried whole"
        return (f"From {path} of the monolith: {what}.",)
    what = f"the {owner} service's part" if mode == "partial" else f"carried whole to {owner}"
    return (f"From {path} of the monolith: {what}.",)


def tree_notes(
    layer: TreePlan, trees: Mapping[str, TreePlan], facts: Mapping[str, ModuleFacts]
) -> list[str]:
    """Classes carried to several places, code in no plan section, statements left out,
    service code the layer would need."""
    places: dict[str, dict[str, set[str]]] = {
        "copied": {},
        "lent": {},
        "split": {},
        "unplanned": {},
    }
    dropped: dict[tuple[str, int], set[str]] = {}
    notes = []
    for tree in [layer, *trees.values()]:
        label = "the shared layer" if tree.owner == SHARED else tree.owner
        for kept in tree.modules.values():
            for kind, found in places.items():
                for qualname in getattr(kept, kind):
                    found.setdefault(qualname, set()).add(label)
            for index in kept.dropped:
                line = facts[kept.module].statements[index].line
                dropped.setdefault((facts[kept.module].path, line), set()).add(label)
            notes += [_unavailable(*pair) for pair in kept.unavailable]
    return notes + _placement_notes(places, dropped)


def _unavailable(qualname: str, cause: str) -> str:
    if qualname == cause:
        return (
            f"shared code needs {qualname}, which a service owns: the shared layer leaves it "
            "out; the services that use this shared code carry it and call its owner"
        )
    return (
        f"shared {qualname} needs {cause}, which a service owns: the shared layer leaves it "
        "out; each service that uses it carries its own copy"
    )


_PLACEMENT = {
    "copied": "class {q} of another service is copied into {where}: each copy runs on its own",
    "lent": "function {q} of another service is copied into {where}: shared code, or code "
    "that runs on import, calls it and it uses no table, each copy runs on its own",
    "split": "class {q} has methods in {where}: each carries the whole class and runs its own",
    "unplanned": "{q} is in no section of the plan: copied into {where}",
}


def _placement_notes(
    places: Mapping[str, Mapping[str, set[str]]], dropped: Mapping[tuple[str, int], set[str]]
) -> list[str]:
    notes = [
        _PLACEMENT[kind].format(q=qualname, where=_listed(where))
        for kind, found in places.items()
        for qualname, where in sorted(found.items())
    ]
    return notes + [
        f"{path}:{line}: module-level statement left out of {_listed(where)}: it uses "
        "names those copies do not keep"
        for (path, line), where in sorted(dropped.items())
    ]


def state_notes(
    analysis: Analysis,
    layer: TreePlan,
    trees: Mapping[str, TreePlan],
    facts: Mapping[str, ModuleFacts],
) -> list[str]:
    """Module state that is written at run time: every copy of it is a separate value."""
    written = sorted({use.variable for use in analysis.state if use.mode == "write"})
    notes = []
    for variable in written:
        module, _, name = variable.rpartition(".")
        holders = [
            "the shared layer" if tree.owner == SHARED else tree.owner
            for tree in [layer, *trees.values()]
            if module in tree.modules
            and name in tree.modules[module].needed
            and _is_state(facts[module], name)
        ]
        if holders:
            notes.append(
                f"module state {variable} is kept in {_listed(holders)}: each Lambda function "
                "holds its own copy, changes are not seen by the others"
            )
    return notes


def _is_state(facts: ModuleFacts, name: str) -> bool:
    return any(s.kind == "other" for s in facts.bindings(name))


def transaction_notes(remote_calls: Sequence[RemoteCall], analysis: Analysis) -> list[str]:
    """Remote calls made inside a transaction: the transaction no longer covers them."""
    transactional = set(analysis.transactional)
    return [
        f"{call.caller} ({call.services[0]}) runs in a transaction but calls {call.callee} of "
        f"{call.services[1]} ({call.path}:{call.line}): that call is outside the transaction now"
        for call in remote_calls
        if call.caller in transactional
    ]


def _listed(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))
