"""The last pass of resolution: turn the solved value sets into the `Analysis` a person reads."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

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
from splitter.analyzer.resolve import MAX_VALUES, TOO_MANY, adds_nothing

if TYPE_CHECKING:
    from splitter.analyzer.resolve import Value, _Resolver

_Item = TypeVar("_Item", Call, UnresolvedCall, TableUse, StateUse, EntryPoint, EnvironmentRead)
_Record = tuple[Any, ...]
"""The fields of a `Call`, `UnresolvedCall`, `TableUse`, `StateUse` or `EnvironmentRead`, in
their order, defaults included: what the collector keeps until the records are sorted."""

_SILENT_KINDS = frozenset(
    {"builtinmethod", "container-get", "container-view", "container-items", "container-add",
     "extinst", "extresult", "container", "builtininst", "module", "super", "class", "classsub"}
)  # fmt: skip
_OBJECT_METHODS = frozenset(dir(object))
_SYSTEM_TABLES = frozenset(
    {"sqlite_master", "sqlite_schema", "sqlite_sequence", "sqlite_temp_master", "dual"}
)
"""The database's own catalogue tables: no service owns them."""
_NOT_STATE = frozenset({"func", "class", "module", "ext"})
"""A module-level name holding only values of these kinds is a definition or an import, not
state."""
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
        functions=tuple(sorted(collector.functions(), key=attrgetter("qualname"))),
        classes=tuple(collector.classes()),
        calls=_built(Call, collector.calls),
        unresolved=_built(UnresolvedCall, collector.unresolved),
        tables=_built(TableUse, collector.tables),
        state=_built(StateUse, collector.state),
        entry_points=_sorted(collector.entry_points(declared)),
        environment=_built(EnvironmentRead, collector.environment),
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
    return with_modules(resolved, _modules(files), problems, root)


def with_modules(
    resolved: Analysis, modules: Sequence[ModuleInfo], problems: Sequence[FileProblem], root: str
) -> Analysis:
    """`with_files`, given this run's modules rather than its facts."""
    ordered = tuple(sorted(modules, key=lambda m: m.name))  # as `resolve_project` orders them
    return replace(resolved, root=root, modules=ordered, problems=_sorted_problems(problems))


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


def _built(model: Callable[..., _Item], records: Iterable[_Record]) -> tuple[_Item, ...]:
    """`_sorted` for items kept as the tuples of their fields: each distinct one is built once,
    in the order of its fields."""
    return tuple(model(*fields) for fields in sorted(set(records)))


class _Results:
    """Walks every file's facts against the solved resolver, keeping what it finds as records.

    Resolution is done, so most questions asked here have one answer for the whole run, and
    are kept: the node whose code runs in a scope, what calling a value reaches, the module
    variable a name reads, the names a property may be read by. Evaluating a reference may
    still add to a container's elements (a literal resolution never evaluated), so a question
    is skipped without evaluating its reference only when that surely adds nothing
    (`adds_nothing`).
    """

    def __init__(self, resolver: _Resolver) -> None:
        self.resolver = resolver
        self.scopes = resolver.scopes
        self.calls: list[_Record] = []
        self.unresolved: list[_Record] = []
        self.tables: list[_Record] = []
        self.state: list[_Record] = []
        self.transactional: set[str] = set()
        self.environment: list[_Record] = []
        self.routes: list[EntryPoint] = []
        self.owners: dict[str, str] = {}
        self.callees: dict[Value, tuple[tuple[str, Target], ...]] = {}
        self.callees_of: dict[Collection[Value], tuple[tuple[str, Target], ...]] = {}
        self.properties: dict[tuple[Value, str], tuple[str, ...]] = {}
        self.property_names = self._property_names()
        self.state_vars = self._state_variables(resolver.files)
        self.state_names = frozenset(name for _, name in self.state_vars)
        self.state_reachers = self.state_names | {
            name for (_, name), imported in self.scopes.imports.items() if imported.kind == "from"
        }
        """The names a read of which may find a module variable (`_state_var`): one of theirs,
        or one a `from` import binds, under that name or another."""
        self.state_var_of: dict[tuple[str, str], tuple[str, str] | None] = {}
        self.models = self._model_tables(resolver.files)
        self.models_of: dict[Ref, tuple[str, ...]] = {}

    def _owner(self, scope: str) -> str:
        """`ScopeTable.owner`, kept: every site of a scope asks it."""
        owner = self.owners.get(scope)
        if owner is None:
            owner = self.owners[scope] = self.scopes.owner(scope)
        return owner

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
        path = file.path
        self._call_sites(path, file.calls)
        for site in file.attribute_loads:
            self._property_load(path, site.scope, site.call, site.line)
        for binding in file.bindings:
            if binding.target[0] == "attr":
                self._property_load(path, binding.scope, binding.target, binding.line)
        for binding in file.withs:
            self._protocol(path, binding, ("__enter__", "__exit__"))
        for binding in file.loops:
            self._protocol(path, binding, ("__iter__", "__next__"))
        self._data_access(file)
        owner = self._owner
        self.environment.extend(
            (owner(scope), variable, path, line) for scope, variable, line in file.environment
        )
        self.transactional.update(owner(s) for s in file.transactional_scopes)

    def _call_sites(self, path: str, sites: Sequence[CallSite]) -> None:
        """Each call site's edges, or why it has none: the hottest loop of the results, hence
        written out, with what it reads at hand."""
        owners, called, evaluate = self.owners, self.resolver.called, self.resolver.evaluate
        calls, callees_of = self.calls, self._callees_of
        for site in sites:
            ref = site.call
            if ref[0] != "call":
                continue
            caller = owners.get(site.scope) or self._owner(site.scope)
            line = site.line
            # What `_Resolver.called_values` gives, without a copy: it is only read here.
            values: Collection[Value] | None = called.get(id(site))
            if values is None:
                values = evaluate(ref[1])
            callees = callees_of(values)
            if callees:
                calls += [(caller, callee, path, line, target) for callee, target in callees]
            elif len(ref) <= 4 and not self._silent(ref[1], values):
                # An operator (`a + b`, a fifth item) is only an edge when `a` has the method.
                reason = self._explain(ref[1])
                self.unresolved.append((caller, describe(ref), path, line, reason))
            if not _DJANGO_URL_VALUES.isdisjoint(values):
                self._django_urls(path, site, values)

    def _callees_of(self, values: Collection[Value]) -> tuple[tuple[str, Target], ...]:
        """What calling any of `values` runs, each once, in any order: the calls are sorted
        once all are found.

        Kept by the values themselves, the tuple or shared frozenset the site's last replay
        kept (`_Resolver.called`): most sites call one of a few functions.
        """
        if isinstance(values, set):  # evaluated again: not kept, nor hashable
            return tuple(dict.fromkeys(c for value in values for c in self._callees(value)))
        found = self.callees_of.get(values)
        if found is None:
            found = tuple(dict.fromkeys(c for value in values for c in self._callees(value)))
            self.callees_of[values] = found
        return found

    def _silent(self, function: Ref, values: Collection[Value]) -> bool:
        """Whether a call with no edge is still understood: a builtin method, a class with no
        `__init__` of its own, or a method every object inherits from `object`."""
        if any(v[0] in _SILENT_KINDS for v in values):
            return True
        if function[0] == "attr" and function[2] in _OBJECT_METHODS:
            return any(v[0] in _CLASS_KINDS for v in self.resolver.evaluate(function[1]))
        return False

    def _callees(self, value: Value) -> tuple[tuple[str, Target], ...]:
        """What calling `value` runs, kept: no class attribute changes once resolution is
        done."""
        found = self.callees.get(value)
        if found is None:
            found = self.callees[value] = tuple(self._value_callees(value))
        return found

    def _value_callees(self, value: Value) -> Iterator[tuple[str, Target]]:
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

    def _property_load(self, path: str, scope: str, ref: Ref, line: int) -> None:
        if ref[0] != "attr":
            return
        base_ref, name = ref[1], ref[2]
        if name not in self.property_names and adds_nothing(base_ref):
            return  # no property has that name, and evaluating the base changes nothing
        for base in self.resolver.evaluate(base_ref):
            if base[0] not in ("inst", "instsub"):
                continue
            for qualname in self._properties(base, name):
                self.calls.append((self._owner(scope), qualname, path, line, "internal"))

    def _property_names(self) -> frozenset[str]:
        """The names some class holds a property under: every value `_properties` reads is
        that of a class's variable, so it finds none for any other name."""
        resolver = self.resolver
        properties = {("func", q) for q in self.scopes.definitions if resolver.is_property(q)}
        if not properties:
            return frozenset()
        classes = frozenset(self.scopes.classes)
        return frozenset(
            var[1]
            for var, values in resolver.vars.items()
            if var[0] in classes and len(var) == 2 and not properties.isdisjoint(values)
        )

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

    def _protocol(self, path: str, binding: Binding, dunders: tuple[str, ...]) -> None:
        caller = self._owner(binding.scope)
        for value in self.resolver.evaluate(binding.value):
            if value[0] not in ("inst", "instsub"):
                continue
            for dunder in dunders:
                for callee, target in self._methods(value, dunder):
                    self.calls.append((caller, callee, path, binding.line, target))

    def _explain(self, ref: Ref) -> str:
        kind = ref[0]
        if TOO_MANY in self.resolver.evaluate(ref):
            expression = describe(ref)
            return f"'{expression}' may be any of {MAX_VALUES} values or more: too many to follow"
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
            if any(
                v[0] in _CLASS_KINDS and self.resolver.defines_attribute(v[1], ref[2]) for v in base
            ):
                return f"'{describe(ref)}' is bound only to values the analyzer cannot follow"
            kinds = ", ".join(sorted({_describe_value(v) for v in base}))
            return f"no attribute '{ref[2]}' found on {kinds}"
        if kind == "call":
            return f"the value returned by {describe(ref)} is unknown"
        if kind == "item":
            return "an element of a container whose contents are unknown"
        return "an expression the analyzer does not follow"

    # ------------------------------------------------------------- data

    def _data_access(self, file: FileFacts) -> None:
        path = file.path
        for access in file.tables:
            if access.table.lower() in _SYSTEM_TABLES:
                continue
            owner = self._owner(access.scope)
            self.tables.append(
                (
                    owner,
                    access.table,
                    access.mode,
                    path,
                    access.line,
                    access.via,
                    access.in_transaction,
                )
            )
            if access.in_transaction:
                self.transactional.add(owner)
        models = bool(self.models)
        for site in file.calls:
            call = site.call
            if call[0] != "call":
                continue
            if models:
                self._orm_call(path, site)
            function = call[1]
            if function[0] == "attr" and function[2] in _MUTATORS:
                self._state_access(path, site.scope, function[1], "write", site.line)
        names, reachers = self.state_names, self.state_reachers
        for state in file.state:
            ref = state.ref
            if ref[0] != "name" or ref[2] in reachers:  # most are names no module variable has
                self._state_access(path, state.scope, ref, state.mode, state.line)
        for load in file.attribute_loads:
            ref = load.call
            base = ref[1]
            # `module.VARIABLE`, or an attribute of a variable: `_state_of` finds neither
            # unless one of the two names may be a module variable's.
            if base[0] == "name" and (ref[2] in names or base[2] in reachers):
                self._state_access(path, load.scope, ref, "read", load.line)

    def _state_variables(self, files: Sequence[FileFacts]) -> set[tuple[str, str]]:
        variables: set[tuple[str, str]] = set()
        imports, values_of = self.scopes.imports, self.resolver.vars
        for file in files:
            module = file.module
            for binding in file.bindings:
                target = binding.target
                if binding.scope != module or target[0] != "name":
                    continue
                name = target[2]
                if name.startswith("__") or "<" in name or (module, name) in imports:
                    continue  # dunders, a comprehension's own variables, imported names
                values = values_of.get((module, name))
                if values and all(v[0] in _NOT_STATE for v in values):
                    continue
                variables.add((module, name))
        return variables

    def _state_var(self, scope: str, name: str) -> tuple[str, str] | None:
        """The module variable a read of `name` in `scope` finds, through `from` imports;
        kept, as it depends on the scopes alone."""
        key = (scope, name)
        if key in self.state_var_of:
            return self.state_var_of[key]
        found = self.scopes.lookup(scope, name)
        seen = 0
        variable = None
        while found is not None and seen < 10:
            if found in self.state_vars:
                variable = found
                break
            imported = self.scopes.imports.get(found)
            if imported is None or imported.kind != "from":
                break
            module, _, attribute = imported.target.rpartition(".")
            found, seen = (module, attribute), seen + 1
        self.state_var_of[key] = variable
        return variable

    def _state_access(self, path: str, scope: str, ref: Ref, mode: str, line: int) -> None:
        variable = self._state_of(ref)
        if variable is not None:
            self.state.append((self._owner(scope), ".".join(variable), mode, path, line))

    def _state_of(self, ref: Ref) -> tuple[str, str] | None:
        while ref:
            kind = ref[0]
            if kind == "name":
                return self._state_var(ref[1], ref[2]) if ref[2] in self.state_reachers else None
            if kind == "item":
                ref = ref[1]
                continue
            if kind != "attr":
                return None
            base, name = ref[1], ref[2]
            # No module has a variable by that name: the base need not be evaluated for it, but
            # still is when that may add to a container's elements, which later questions read.
            if name in self.state_names or not adds_nothing(base):
                modules = [
                    value[1]
                    for value in self.resolver.evaluate(base)
                    if value[0] == "module" and (value[1], name) in self.state_vars
                ]
                if modules:
                    return (min(modules), name)  # the first in the order of values
            ref = base
        return None

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

    def _orm_call(self, path: str, site: CallSite) -> None:
        function = site.call[1]
        method = function[2] if function[0] == "attr" else ""
        mode = "write" if method in _ORM_WRITES else "read"
        owner = self._owner(site.scope)
        refs = [function, *site.call[2], *(value for _, value in site.call[3])]
        for model in sorted({m for r in refs for m in self._models_in(r)}):
            self.tables.append((owner, self.models[model], mode, path, site.line, "orm", False))

    def _models_in(self, ref: Ref) -> tuple[str, ...]:
        """The models the name at the root of `ref` may be, or an instance of; kept, as what a
        name holds no longer changes."""
        while ref and ref[0] in ("attr", "call"):
            ref = ref[1]
        if not ref or ref[0] != "name":
            return ()
        found = self.models_of.get(ref)
        if found is None:
            found = self.models_of[ref] = tuple(
                value[1]
                for value in self.resolver.evaluate(ref)
                if value[0] in ("class", "classsub", "inst", "instsub") and value[1] in self.models
            )
        return found

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

    def _django_urls(self, path: str, site: CallSite, values: Collection[Value]) -> None:
        """The views a call to `django.urls.path` (or one like it) routes to."""
        arguments = site.call[2]
        if len(arguments) < 2:
            return
        for view in self._views(arguments[1]):
            self.routes.append(EntryPoint(view, "django-url", describe(site.call), path, site.line))

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
