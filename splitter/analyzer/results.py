"""The last pass of resolution: turn the solved value sets into the `Analysis` a person reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

from splitter.analyzer.facts import Binding, CallSite, Definition, FileFacts, FileProblem, Ref
from splitter.analyzer.model import (
    Analysis,
    Call,
    ClassInfo,
    EntryPoint,
    EnvironmentRead,
    Function,
    ModuleInfo,
    NodeKind,
    StateUse,
    TableUse,
    Target,
    UnresolvedCall,
)
from splitter.analyzer.references import describe, plain_name

if TYPE_CHECKING:
    from splitter.analyzer.resolve import Value, _Resolver

_Item = TypeVar("_Item", Call, UnresolvedCall, TableUse, StateUse, EntryPoint, EnvironmentRead)

_SILENT_KINDS = frozenset(
    {"builtinmethod", "container-get", "container-view", "container-items", "container-add",
     "extinst", "extresult", "container", "builtininst", "module", "super"}
)  # fmt: skip
_OBJECT_METHODS = frozenset(dir(object))
_SYSTEM_TABLES = frozenset(
    {"sqlite_master", "sqlite_schema", "sqlite_sequence", "sqlite_temp_master", "dual"}
)
"""The database's own catalogue tables: no service owns them."""
_CLASS_KINDS = frozenset({"class", "classsub", "inst", "instsub", "super"})
_ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "head", "options", "websocket", "api_route"}
)
_CLI_DECORATORS = frozenset({"command", "group"})
_VIEW_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "dispatch")
_TASK_DECORATORS = frozenset({"task", "shared_task"})
_DJANGO_URLS = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})
_DJANGO_URL_VALUES = frozenset(("ext", url) for url in _DJANGO_URLS)
_DJANGO_MODEL_BASES = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
_ORM_WRITES = frozenset(
    {"create", "update", "delete", "save", "bulk_create", "bulk_update", "get_or_create",
     "update_or_create", "add", "add_all", "merge", "insert", "remove"}
)  # fmt: skip
_MUTATORS = frozenset(
    {"append", "add", "insert", "extend", "update", "setdefault", "pop", "popitem", "clear",
     "remove", "discard", "sort", "reverse"}
)  # fmt: skip


def collect_results(
    resolver: _Resolver, root: str, problems: Sequence[FileProblem], declared: Sequence[str]
) -> Analysis:
    """Build the analysis from a solved resolver (see `splitter.analyzer.resolve`)."""
    collector = _Results(resolver)
    for file in resolver.files:
        collector.add_file(file)
    return Analysis(
        root=root,
        modules=_modules(resolver.files),
        functions=tuple(sorted(collector.functions(), key=lambda f: f.qualname)),
        classes=tuple(collector.classes()),
        calls=_sorted(collector.calls),
        unresolved=_sorted(collector.unresolved),
        tables=_sorted(collector.tables),
        state=_sorted(collector.state),
        entry_points=_sorted(collector.entry_points(declared)),
        environment=_sorted(collector.environment),
        transactional=tuple(sorted(collector.transactional)),
        problems=_sorted_problems(problems),
    )


def with_files(
    resolved: Analysis, files: Sequence[FileFacts], problems: Sequence[FileProblem], root: str
) -> Analysis:
    """`resolved` with the parts that resolution does not shape set from this run: the root,
    the modules (whose line counts a comment changes) and the files that could not be read.

    Args:
        resolved: an analysis that `collect_results` made from facts with the same digests.
        files: this run's facts, in any order.
        problems: this run's problems.
        root: the analyzed root, as the user named it.
    """
    ordered = sorted(files, key=lambda f: f.module)  # as `resolve_project` orders them
    return replace(
        resolved, root=root, modules=_modules(ordered), problems=_sorted_problems(problems)
    )


def _modules(files: Sequence[FileFacts]) -> tuple[ModuleInfo, ...]:
    return tuple(ModuleInfo(f.module, f.path, f.lines, f.is_package) for f in files)


def _sorted_problems(problems: Sequence[FileProblem]) -> tuple[FileProblem, ...]:
    return tuple(sorted(problems, key=lambda p: (p.path, p.line, p.kind)))


def _sorted(items: Iterable[_Item]) -> tuple[_Item, ...]:
    """Unique items in the order of their fields, so equal input gives equal output.

    Items are told apart and ordered by the tuple of their fields, which is what their
    equality compares, without a call to their `__hash__` and `__eq__` for each.
    """
    items = list(items)
    if not items:
        return ()
    fields = attrgetter(*items[0].__dataclass_fields__)
    by_fields = {fields(item): item for item in items}
    return tuple(by_fields[key] for key in sorted(by_fields))


class _Results:
    def __init__(self, resolver: _Resolver) -> None:
        self.resolver = resolver
        self.scopes = resolver.scopes
        self.calls: list[Call] = []
        self.unresolved: list[UnresolvedCall] = []
        self.tables: list[TableUse] = []
        self.state: list[StateUse] = []
        self.transactional: set[str] = set()
        self.environment: list[EnvironmentRead] = []
        self.routes: list[EntryPoint] = []
        self.properties: dict[tuple[Value, str], tuple[str, ...]] = {}
        self.state_vars = self._state_variables(resolver.files)
        self.models = self._model_tables(resolver.files)

    # ------------------------------------------------------------- nodes

    def functions(self) -> Iterator[Function]:
        for definition in self.scopes.definitions.values():
            if definition.kind == "class":
                continue
            module = self.scopes.module_of(definition.qualname)
            parent_kind = self.scopes.kind(definition.parent) if definition.parent else ""
            kind: NodeKind = definition.kind
            if kind == "function" and parent_kind == "class":
                kind = "method"
            yield Function(
                qualname=definition.qualname,
                kind=kind,
                module=module,
                path=self.scopes.modules[module].path,
                line=definition.line,
                end_line=definition.end_line,
                class_name=definition.parent if kind == "method" else "",
                decorators=definition.decorators,
                params=tuple(p.name for p in definition.params),
                is_async=definition.is_async,
                docstring=definition.docstring,
            )

    def classes(self) -> Iterator[ClassInfo]:
        for qualname in self.scopes.classes:
            definition = self.scopes.definitions[qualname]
            module = self.scopes.module_of(qualname)
            bases = [*self.resolver.bases(qualname), *self.resolver.external_bases(qualname)]
            yield ClassInfo(
                qualname=qualname,
                module=module,
                path=self.scopes.modules[module].path,
                line=definition.line,
                end_line=definition.end_line,
                bases=tuple(bases),
                mro=self.resolver.mro(qualname),
                decorators=definition.decorators,
                docstring=definition.docstring,
            )

    # ------------------------------------------------------------- calls

    def add_file(self, file: FileFacts) -> None:
        for site in file.calls:
            self._call_site(file, site)
        for site in file.attribute_loads:
            self._property_load(file, site)
        for binding in file.bindings:
            if binding.target[0] == "attr":
                self._property_load(file, CallSite(binding.scope, binding.target, binding.line))
        for binding in file.withs:
            self._protocol(file, binding, ("__enter__", "__exit__"))
        for binding in file.loops:
            self._protocol(file, binding, ("__iter__", "__next__"))
        self._data_access(file)
        self.environment.extend(
            EnvironmentRead(self.scopes.owner(scope), variable, file.path, line)
            for scope, variable, line in file.environment
        )
        self.transactional.update(self.scopes.owner(s) for s in file.transactional_scopes)

    def _call_site(self, file: FileFacts, site: CallSite) -> None:
        ref = site.call
        if ref[0] != "call":
            return
        caller = self.scopes.owner(site.scope)
        values = self.resolver.called_values(site)
        edges = 0
        for value in values:  # in any order: the calls are sorted once all are found
            for callee, target in self._callees(value):
                self.calls.append(Call(caller, callee, file.path, site.line, target))
                edges += 1
        operator = len(ref) > 4  # `a + b`: only an edge when `a` has the method
        if not edges and not operator and not self._silent(ref[1], values):
            reason = self._explain(ref[1])
            self.unresolved.append(
                UnresolvedCall(caller, describe(ref), file.path, site.line, reason)
            )
        self._django_urls(file, site, values)

    def _silent(self, function: Ref, values: AbstractSet[Value]) -> bool:
        """Whether a call with no edge is still understood: a builtin method, a class with no
        `__init__` of its own, or a method every object inherits from `object`."""
        if any(v[0] in _SILENT_KINDS or v[0] in ("class", "classsub") for v in values):
            return True
        if function[0] == "attr" and function[2] in _OBJECT_METHODS:
            return any(v[0] in _CLASS_KINDS for v in self.resolver.evaluate(function[1]))
        return False

    def _callees(self, value: Value) -> Iterator[tuple[str, Target]]:
        kind, name = value
        if kind in ("func", "bound"):
            yield name, "internal"
        elif kind in ("class", "classsub"):
            instance = ("inst" if kind == "class" else "instsub", name)
            yield from self._methods(instance, "__init__")
        elif kind in ("inst", "instsub"):
            yield from self._methods(value, "__call__")
        elif kind == "ext":
            yield name, "external"
        elif kind == "builtin" and name != "super":
            yield f"<builtin>.{name}", "builtin"

    def _methods(self, instance: Value, name: str) -> Iterator[tuple[str, Target]]:
        for method in self.resolver._class_attribute(instance, name):
            if method[0] in ("func", "bound"):
                yield method[1], "internal"

    def _property_load(self, file: FileFacts, site: CallSite) -> None:
        ref = site.call
        if ref[0] != "attr":
            return
        for base in self.resolver.evaluate(ref[1]):
            if base[0] not in ("inst", "instsub"):
                continue
            for qualname in self._properties(base, ref[2]):
                caller = self.scopes.owner(site.scope)
                self.calls.append(Call(caller, qualname, file.path, site.line))

    def _properties(self, instance: Value, name: str) -> tuple[str, ...]:
        """The properties `name` may read on `instance`, kept: no class attribute changes once
        resolution is done."""
        key = (instance, name)
        found = self.properties.get(key)
        if found is None:
            candidates = self.resolver._mro_lookup(self.resolver.mro(instance[1]), name)
            if instance[0] == "instsub":
                candidates |= self.resolver.overrides(instance[1], name)
            found = tuple(
                sorted(
                    value[1]
                    for value in candidates
                    if value[0] == "func" and self.resolver.is_property(value[1])
                )
            )
            self.properties[key] = found
        return found

    def _protocol(self, file: FileFacts, binding: Binding, dunders: tuple[str, ...]) -> None:
        caller = self.scopes.owner(binding.scope)
        for value in self.resolver.evaluate(binding.value):
            if value[0] not in ("inst", "instsub"):
                continue
            for dunder in dunders:
                for callee, target in self._methods(value, dunder):
                    self.calls.append(Call(caller, callee, file.path, binding.line, target))

    def _explain(self, ref: Ref) -> str:
        kind = ref[0]
        if kind == "name":
            name = plain_name(ref[2])
            found = self.scopes.lookup(ref[1], ref[2])
            if found is None:
                return f"name '{name}' is not defined anywhere the analyzer can see"
            definition = self.scopes.definitions.get(found[0])
            if definition is not None and any(p.name == name for p in definition.params):
                return f"parameter '{name}' has no annotation and no call passes a known value"
            return f"'{name}' is bound only to values the analyzer cannot follow"
        if kind == "attr":
            base = self.resolver.evaluate(ref[1])
            if not base:
                return self._explain(ref[1])
            kinds = ", ".join(sorted({_describe_value(v) for v in base}))
            return f"no attribute '{ref[2]}' found on {kinds}"
        if kind == "call":
            return f"the value returned by {describe(ref)} is unknown"
        if kind == "item":
            return "an element of a container whose contents are unknown"
        return "an expression the analyzer does not follow"

    # ------------------------------------------------------------- data

    def _data_access(self, file: FileFacts) -> None:
        for access in file.tables:
            if access.table.lower() in _SYSTEM_TABLES:
                continue
            owner = self.scopes.owner(access.scope)
            self.tables.append(
                TableUse(
                    owner,
                    access.table,
                    access.mode,
                    file.path,
                    access.line,
                    access.via,
                    access.in_transaction,
                )
            )
            if access.in_transaction:
                self.transactional.add(owner)
        for site in file.calls:
            self._orm_call(file, site)
            self._mutating_call(file, site)
        for state in file.state:
            self._state_access(file, state.scope, state.ref, state.mode, state.line)
        for load in file.attribute_loads:
            if load.call[1][0] == "name":  # `module.VARIABLE`, or an attribute of a variable
                self._state_access(file, load.scope, load.call, "read", load.line)

    def _state_variables(self, files: Sequence[FileFacts]) -> set[tuple[str, str]]:
        variables: set[tuple[str, str]] = set()
        for file in files:
            for binding in file.bindings:
                target = binding.target
                if binding.scope != file.module or target[0] != "name":
                    continue
                name = target[2]
                if name.startswith("__") or (file.module, name) in self.scopes.imports:
                    continue
                values = self.resolver.vars.get((file.module, name), set())
                if values and all(v[0] in ("func", "class", "module", "ext") for v in values):
                    continue
                variables.add((file.module, name))
        return variables

    def _state_var(self, scope: str, name: str) -> tuple[str, str] | None:
        found = self.scopes.lookup(scope, name)
        seen = 0
        while found is not None and seen < 10:
            if found in self.state_vars:
                return found
            imported = self.scopes.imports.get(found)
            if imported is None or imported.kind != "from":
                return None
            module, _, attribute = imported.target.rpartition(".")
            found, seen = (module, attribute), seen + 1
        return None

    def _state_access(self, file: FileFacts, scope: str, ref: Ref, mode: str, line: int) -> None:
        variable = self._state_of(ref)
        if variable is not None:
            owner = self.scopes.owner(scope)
            self.state.append(StateUse(owner, ".".join(variable), mode, file.path, line))  # type: ignore[arg-type]

    def _state_of(self, ref: Ref) -> tuple[str, str] | None:
        if not ref:
            return None
        kind = ref[0]
        if kind == "name":
            return self._state_var(ref[1], ref[2])
        if kind == "attr":
            name = ref[2]
            modules = [
                value[1]
                for value in self.resolver.evaluate(ref[1])
                if value[0] == "module" and (value[1], name) in self.state_vars
            ]
            if modules:
                return (min(modules), name)  # the first in the order of values
            return self._state_of(ref[1])
        if kind == "item":
            return self._state_of(ref[1])
        return None

    def _mutating_call(self, file: FileFacts, site: CallSite) -> None:
        function = site.call[1] if site.call[0] == "call" else None
        if function is not None and function[0] == "attr" and function[2] in _MUTATORS:
            self._state_access(file, site.scope, function[1], "write", site.line)

    def _model_tables(self, files: Sequence[FileFacts]) -> dict[str, str]:
        """Model class -> its table; abstract models (`Meta.abstract = True`) have none."""
        tables = {cls: table for file in files for cls, table in file.model_tables}
        for cls in self.scopes.classes:
            if cls in tables:
                continue
            external = set(self.resolver.external_bases(cls))
            for base in self.resolver.mro(cls)[1:]:
                external.update(self.resolver.external_bases(base))
            if external & _DJANGO_MODEL_BASES:
                module = self.scopes.module_of(cls).split(".")
                app = module[-2] if len(module) > 1 else module[0]
                tables[cls] = f"{app}_{cls.rpartition('.')[2].lower()}"
        return {cls: table for cls, table in tables.items() if table}

    def _orm_call(self, file: FileFacts, site: CallSite) -> None:
        if not self.models or site.call[0] != "call":
            return
        function = site.call[1]
        method = function[2] if function[0] == "attr" else ""
        mode = "write" if method in _ORM_WRITES else "read"
        owner = self.scopes.owner(site.scope)
        refs = [function, *site.call[2], *(value for _, value in site.call[3])]
        for model in sorted({m for r in refs for m in self._models_in(r)}):
            table = self.models[model]
            self.tables.append(TableUse(owner, table, mode, file.path, site.line, "orm"))  # type: ignore[arg-type]

    def _models_in(self, ref: Ref) -> Iterator[str]:
        while ref and ref[0] in ("attr", "call"):
            ref = ref[1]
        if not ref or ref[0] != "name":
            return
        for value in self.resolver.evaluate(ref):
            if value[0] in ("class", "classsub", "inst", "instsub") and value[1] in self.models:
                yield value[1]

    # ------------------------------------------------------------- entries

    def entry_points(self, declared: Sequence[str]) -> Iterator[EntryPoint]:
        yield from self.routes
        for definition in self.scopes.definitions.values():
            yield from self._decorated_entry(definition)
        for module, file in self.scopes.modules.items():
            if file.has_main_block:
                yield EntryPoint(module, "main", "if __name__ == '__main__'", file.path, 1)
            yield from self._management_command(module, file)
        for qualname in declared:
            declared_at = self.scopes.definitions.get(qualname)
            if declared_at is not None:
                module = self.scopes.module_of(qualname)
                path = self.scopes.modules[module].path
                yield EntryPoint(qualname, "declared", "configuration", path, declared_at.line)

    def _management_command(self, module: str, file: FileFacts) -> Iterator[EntryPoint]:
        """`<app>/management/commands/<name>.py` holding a `Command`: `manage.py <name>`."""
        package, _, name = module.rpartition(".")
        handle = self.scopes.definitions.get(f"{module}.Command.handle")
        if package.endswith("management.commands") and handle is not None:
            yield EntryPoint(handle.qualname, "cli", f"manage.py {name}", file.path, handle.line)

    def _decorated_entry(self, definition: Definition) -> Iterator[EntryPoint]:
        if definition.kind != "function":
            return
        module = self.scopes.module_of(definition.qualname)
        path = self.scopes.modules[module].path
        for name, text in zip(definition.decorator_names, definition.decorators, strict=False):
            last = name.rpartition(".")[2]
            kind = None
            if last in _ROUTE_DECORATORS and "(" in text and "." in name:
                kind = "http"
            elif last in _CLI_DECORATORS and ("click" in name or "(" in text):
                kind = "cli"
            elif last in _TASK_DECORATORS:
                kind = "task"
            if kind is not None:
                yield EntryPoint(definition.qualname, kind, text, path, definition.line)  # type: ignore[arg-type]
                return

    def _django_urls(self, file: FileFacts, site: CallSite, values: AbstractSet[Value]) -> None:
        if values.isdisjoint(_DJANGO_URL_VALUES):
            return
        arguments = site.call[2]
        if len(arguments) < 2:
            return
        for view in self._views(arguments[1]):
            self.routes.append(
                EntryPoint(view, "django-url", describe(site.call), file.path, site.line)
            )

    def _views(self, view: Ref) -> list[str]:
        """The functions a URL pattern's view runs: the function itself, the one a decorator
        call wraps (`login_required(view)`), or the HTTP methods of `View.as_view()`."""
        if view[0] == "call" and view[1][0] == "attr" and view[1][2] == "as_view":
            classes = self.resolver.evaluate(view[1][1])
            return sorted(
                method[1]
                for cls in classes
                if cls[0] in ("class", "classsub")
                for name in _VIEW_METHODS
                for method in self.resolver._class_attribute(("inst", cls[1]), name)
                if method[0] in ("func", "bound")
            )
        if view[0] == "call":
            wrapped = [v for argument in view[2] for v in self._views(argument)]
            if wrapped:
                return wrapped
        values = self.resolver.evaluate(view)
        return sorted(v[1] for v in values if v[0] in ("func", "bound"))


def _describe_value(value: Value) -> str:
    kind, name = value
    labels = {
        "inst": "an instance of", "instsub": "an instance of", "class": "class",
        "classsub": "class", "module": "module", "ext": "external", "extinst": "external",
        "func": "function", "bound": "method", "builtin": "builtin", "builtininst": "a builtin",
    }  # fmt: skip
    return f"{labels.get(kind, kind)} {name}"
