"""Whole-program resolution: from every file's facts to one call graph with data access.

A flow-insensitive, context-insensitive points-to analysis in the manner of PyCG: every name,
attribute, parameter, return value and container element is a variable holding the set of
abstract values (functions, classes, instances, modules, externals) it may be bound to. The
bindings are replayed until nothing changes; then each call site is resolved from the final
sets. A call whose target set is empty is reported as unresolved, never guessed.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from splitter.analyzer.extract import BUILTIN_NAMES
from splitter.analyzer.facts import (
    Binding,
    CallSite,
    Definition,
    FileFacts,
    FileProblem,
    Import,
    Ref,
)
from splitter.analyzer.gc_pause import gc_paused
from splitter.analyzer.model import Analysis
from splitter.analyzer.scopes import ScopeTable

Value = tuple[str, str]
"""An abstract value: (kind, name). Kinds: func, bound, class, classsub, inst, instsub, module,
ext, extinst, builtin, builtininst, container, super, method-of-container."""

Var = tuple[str, ...]
_Signature = tuple[tuple[str, ...], str | None, frozenset[str]]
_Constraint = tuple[Callable[[Any], None], Any]
"""A fact to replay, with the method that replays it."""

_MAX_PASSES = 50
_UNKNOWN_SIGNATURE: Any = object()
"""Stands for a signature not looked up yet (None is that of a function not analyzed)."""
_EMPTY: frozenset[Value] = frozenset()
MAX_VALUES = 64
"""A variable that may hold this many values holds `TOO_MANY` instead, for good.

Context-insensitive flow through a parameter every caller feeds (a callback, a visitor) would
otherwise spread hundreds of values everywhere that parameter reaches and make resolution grow
without bound. Such a variable is not cut down to some of its values: which ones would depend
on the order facts are replayed in, so adding a file anywhere could move edges anywhere else,
and a call through it would get edges to an arbitrary part of its targets. A call through it
is unresolved, with that reason."""
TOO_MANY: Value = ("toomany", "")
"""The value of a variable that may hold `MAX_VALUES` values or more, and of anything read
from it: its attributes, its elements, what calling it returns. It gives no edge."""
_TOO_MANY_SET: frozenset[Value] = frozenset({TOO_MANY})
_BUILTIN_VALUE: Value = ("builtininst", "")
_BUILTIN_METHOD: Value = ("builtinmethod", "")
"""Every value of a builtin type is one value, and so is every method of one: they give no
edges, and telling them apart would only make the value sets grow."""
_EXTERNAL_RESULT: Value = ("extresult", "")
"""What a third-party function returns, and every attribute or call result of that: one value.
It gives no edge (an edge to an external keeps the dotted name it is imported as, and a result
has none), so naming each (`requests.get().json()`) only filled value sets: a parameter fed by
many third-party calls would reach `MAX_VALUES`, and lose the functions it is also given."""
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "functools.cached_property"})
_OPAQUE_BUILTINS = frozenset({"getattr", "next", "iter", "type", "eval", "exec", "__import__"})
"""Builtins whose result can be any object: calls on it stay unresolved, not silenced."""
_CONTAINER_ADDERS = frozenset({"append", "add", "insert", "extend", "update", "setdefault"})
_CONTAINER_GETTERS = frozenset({"get", "pop", "setdefault", "popitem", "__getitem__"})
_CONTAINER_VIEWS = frozenset({"values", "copy", "keys"})
_FLOWING_CALLS = frozenset({"func", "bound", "class", "classsub", "container-add"})
"""The kinds of value whose call passes its arguments on (see `_flow_arguments`)."""
_STATELESS_CALLS = frozenset(
    {"ext", "extresult", "builtin", "builtinmethod", "container-view", "toomany"}
)
"""The kinds of value whose call result reads no variable, so it is kept once known."""
_PARTIAL = frozenset({"functools.partial"})
"""Externals whose call result is one of the call's arguments, so it is never kept."""


def resolve_project(
    facts: Sequence[FileFacts],
    problems: Sequence[FileProblem],
    root: str,
    declared_entry_points: Sequence[str] = (),
) -> Analysis:
    """Resolve every file's facts into one `Analysis`.

    Args:
        facts: the facts of every file that parsed, in any order.
        problems: the files that could not be analyzed; carried into the result.
        root: the analyzed root, as the user named it.
        declared_entry_points: qualified names declared as entry points in configuration.

    Returns:
        The analysis, every collection sorted so equal input gives equal output.
    """
    with gc_paused():
        resolver = _Resolver(sorted(facts, key=lambda f: f.module))
        resolver.solve()
        analysis = resolver.analysis(root, problems, declared_entry_points)
        # Freed now, it is not scanned by the collection that follows turning it back on.
        del resolver
    return analysis


class _Resolver:
    def __init__(self, facts: list[FileFacts]) -> None:
        self.files = facts
        self.scopes = ScopeTable(facts)
        self.vars: dict[Var, AbstractSet[Value]] = defaultdict(set)
        """Each variable's values: a set while it grows, then, once it may hold too many, the
        one `_TOO_MANY_SET` (see `_add`)."""
        self.shared_sets: dict[frozenset[Value], frozenset[Value]] = {}
        self.changed = False
        self.current: int | None = None
        self.readers: dict[Var, list[int]] = {}
        """The facts that read each variable, by index, to replay when it changes. A list that
        skips a repeat of its last reader, not a set: most variables have a handful of readers,
        and a list of them takes a quarter of the memory. A fact may be listed twice; `wake`
        is a set."""
        self.wake: set[int] = set()
        self.outside_base: dict[str, str] = {}
        self.defines: set[tuple[str, str]] = set()
        """(class, name) for each name a class's body binds or its methods set on `self` or
        `cls`: where an attribute lookup along an MRO stops (see `_first_defined`)."""
        self.assigned: set[str] = set()
        """Every name set as an attribute of anything but a method's own `self` or `cls`
        (`line.name = ...`): such an attribute may be set on any object."""
        self.from_outside: dict[tuple[str, str, bool], bool] = {}
        """`_from_outside`'s answers."""
        self.queued = bytearray()
        """For each fact, by index, 1 while it waits in the worklist."""
        self.constraints: list[_Constraint] = []
        self.mro_cache: dict[str, tuple[str, ...]] = {}
        self.subclass_cache: dict[str, tuple[str, ...]] | None = None
        self.subclass_mros: dict[str, tuple[tuple[str, ...], ...]] = {}
        self.bound_cache: dict[tuple[str, bool], Value] = {}
        self.property_cache: dict[str, bool] = {}
        self.signatures: dict[str, _Signature | None] = {}
        self.stateless: dict[str, dict[Value, tuple[Value, ...]]] = {}
        """The attributes of values that hold no variable, by attribute name then value."""
        self.stateless_results: dict[Value, tuple[Value, ...]] = {}
        """What calling a value that holds no variable gives (see `_STATELESS_CALLS`)."""
        self.external_items: dict[str, tuple[Value, ...]] = {}
        """The elements of external values, by name (see `_external_items`)."""
        self.overridden_in: dict[str, tuple[str, ...]] | None = None
        self.overrides_cache: dict[tuple[str, str], frozenset[Value]] = {}
        self.bound_overrides: dict[
            tuple[str, str, bool], tuple[AbstractSet[Value], frozenset[Value], tuple[str, ...]]
        ] = {}
        self.called: dict[int, tuple[Value, ...] | frozenset[Value]] = {}
        """What each call site's function evaluated to at its last replay, by the site's
        identity (two equal calls on one line are two sites): a tuple, or a shared frozenset
        (see `_shared`) for `MAX_VALUES` values or more."""
        self._seed()

    # ------------------------------------------------------------------ seeding

    def _seed(self) -> None:
        seeded: dict[Var, set[Value]] = defaultdict(set)
        for definition in self.scopes.definitions.values():
            if definition.kind in ("function", "class") and definition.parent:
                name = definition.name
                value = ("class" if definition.kind == "class" else "func", definition.qualname)
                seeded[(definition.parent, name)].add(value)
        self.vars.update(seeded)

    # -------------------------------------------------------------- fixpoint

    def solve(self) -> None:
        """Replay every fact until no variable changes.

        First the imports and module-level bindings, naively, so class bases settle and the
        MROs can be fixed; then everything with a worklist: a fact is replayed again only
        when a variable it read has changed since, in the order of the facts (see `_in_order`).
        """
        self._find_definers()
        self._settle_module_names()
        for cls in self.scopes.classes:
            self.mro(cls)
        self.subclasses("")
        self.outside_base = self._outside_bases()
        self.overridden_in = self._overriding()
        self.constraints = constraints = list(self._constraints())
        queue = deque(range(len(constraints)))
        queued = self.queued = bytearray(b"\x01") * len(constraints)
        wake = self.wake
        while queue:
            index = queue.popleft()
            queued[index] = 0
            self.current = index
            replay, fact = constraints[index]
            replay(fact)
            self.current = None
            if wake:
                for reader in sorted([r for r in wake if not queued[r]]):
                    queued[reader] = 1
                    queue.append(reader)
                wake.clear()
        # What was kept to replay facts is not needed to read the solution, only its memory.
        self.readers.clear()
        self.constraints.clear()
        self.stateless.clear()
        self.shared_sets.clear()

    def _settle_module_names(self) -> None:
        module_bindings = [
            b
            for f in self.files
            for b in f.bindings
            if b.scope == f.module and b.target[0] == "name"
        ]
        for _ in range(_MAX_PASSES):
            self.changed = False
            for file in self.files:
                for imported in file.imports:
                    self._bind_import(imported)
            for binding in module_bindings:
                self._assign(binding.target, self.evaluate(binding.value))
            if not self.changed:
                return

    def _constraints(self) -> Iterator[_Constraint]:
        """Every fact to replay, with the method that replays it; one bound method object of
        each kind serves all its facts."""
        types, imports, binds = self._declared_types, self._bind_import, self._flow_binding
        returns, calls, loops, withs = (
            self._flow_return,
            self._flow_call,
            self._flow_loop,
            self._flow_with,
        )
        for file in self.files:
            yield from ((types, d) for d in file.definitions if d.kind != "module")
            yield from ((imports, i) for i in file.imports)
            yield from ((binds, b) for b in file.bindings)
            yield from ((returns, b) for b in file.returns)
            yield from ((calls, c) for c in file.calls)
            yield from ((loops, b) for b in file.loops)
            yield from ((withs, b) for b in file.withs)

    def _flow_binding(self, binding: Binding) -> None:
        target = binding.target
        if target[0] != "name":
            # Peeked: the one variable whose values these may be gets only them added back.
            self._assign(target, self._peek(binding.value))
            return
        self._flow((self.scopes.binding_scope(target[1], target[2]), target[2]), binding.value)

    def _flow_return(self, binding: Binding) -> None:
        self._flow(("def", binding.scope, "<return>"), binding.value)

    def _flow(self, var: Var, value: Ref) -> None:
        """`var` gets the values of `value`, unless that surely changes nothing: `var` holds
        too many, so it takes no more values, and evaluating `value` adds to no variable either
        (`adds_nothing`). Only for a fact that does nothing else: skipped, the evaluation
        notes none of the variables it reads, so the fact is no longer replayed when they
        change, which could only have changed nothing again."""
        if self.vars.get(var) is _TOO_MANY_SET and adds_nothing(value):
            return
        values = self._peek(value)
        if values:
            self._add(var, values)

    def _read(self, var: Var) -> AbstractSet[Value]:
        """The values of `var`, noting that the fact being replayed depends on it."""
        current = self.current
        if current is not None:
            found = self.readers.get(var)
            if found is None:
                self.readers[var] = [current]
            elif found[-1] != current:
                found.append(current)
        return self.vars.get(var, _EMPTY)

    def _first_defined(self, mro: Sequence[str], name: str) -> AbstractSet[Value]:
        """The values of `name` on each class of `mro` up to the first that defines it
        (`defines`), that one included; on every class when none does. Read as `_read` does.

        It does not stop at the first class that has values: which one that is while the
        program is being resolved depends on the order facts are replayed in, and what it gave
        stays where it flowed. The hottest loop of resolution, hence written out."""
        current, readers, variables, defines = self.current, self.readers, self.vars, self.defines
        found_values: AbstractSet[Value] = _EMPTY
        union: set[Value] | None = None
        for cls in mro:
            var = (cls, name)
            if current is not None:
                found = readers.get(var)
                if found is None:
                    readers[var] = [current]
                elif found[-1] != current:
                    found.append(current)
            values = variables.get(var)
            if values:
                if not found_values:
                    found_values = values
                else:
                    if union is None:
                        union = set(found_values)
                    union |= values
            if var in defines:
                break
        return union if union is not None else found_values

    def _find_definers(self) -> None:
        """Fill `defines` and `assigned` from the facts: before anything is replayed, so
        every lookup along an MRO stops at the same class from the start."""
        classes = set(self.scopes.classes)
        defines, assigned = self.defines, self.assigned
        for definition in self.scopes.definitions.values():
            if definition.parent in classes:
                defines.add((definition.parent, definition.name))
        for file in self.files:
            for imported in file.imports:
                if imported.scope in classes and imported.name:
                    defines.add((imported.scope, imported.name))
            for binding in (*file.bindings, *file.loops, *file.withs):
                target = binding.target
                if target[0] == "name" and target[1] in classes:
                    defines.add((target[1], target[2]))
                elif target[0] == "attr":
                    owner = self._own_class(target[1])
                    if owner is not None:
                        defines.add((owner, target[2]))
                    else:
                        assigned.add(target[2])

    def _own_class(self, ref: Ref) -> str | None:
        """The class whose methods' first parameter (`self`, `cls`) `ref` reads, if it does."""
        if ref[0] == "self":
            return str(ref[1])
        if ref[0] != "name":
            return None
        found = self.scopes.lookup(ref[1], ref[2])
        method = self.scopes.definitions.get(found[0]) if found is not None else None
        if method is None or method.kind != "function" or not method.params:
            return None
        if self.scopes.kind(method.parent) != "class" or method.params[0].name != ref[2]:
            return None
        return None if "staticmethod" in method.decorator_names else method.parent

    def _declared_types(self, definition: Definition) -> None:
        """Annotated parameters and return types hold instances of what they name."""
        for param in definition.params:
            if param.annotation is not None:
                self._add((definition.qualname, param.name), self.evaluate(param.annotation))
        if definition.returns is not None:
            returns = ("def", definition.qualname, "<return>")
            self._add(returns, self.evaluate(definition.returns))

    def _add(self, var: Var, values: Iterable[Value]) -> None:
        bucket = self.vars[var]
        if bucket is _TOO_MANY_SET:
            return
        before = len(bucket)
        bucket.update(values)  # type: ignore[attr-defined]  # not too many: still a set
        after = len(bucket)
        if after != before:
            if after >= MAX_VALUES or TOO_MANY in bucket:
                self.vars[var] = _TOO_MANY_SET
            self.changed = True
            self.wake.update(self.readers.get(var, ()))
            if self.overridden_in is not None and len(var) == 2:
                self._overrides_changed(var[0], var[1])

    def _shared(self, values: AbstractSet[Value]) -> frozenset[Value]:
        """The one frozenset of call sites' `called` with `values`, for as many values as
        `MAX_VALUES` or more (the attribute of several values may give that many): in a large
        code base such sites often call the same values as many others, and shared they take a
        fraction of the memory.
        """
        frozen = values if isinstance(values, frozenset) else frozenset(values)
        return self.shared_sets.setdefault(frozen, frozen)

    def _bind_import(self, imported: Import) -> None:
        if imported.kind == "star":
            return
        if not imported.name:
            return
        var = (imported.scope, imported.name)
        self._add(var, self._import_values(imported))

    def _import_values(self, imported: Import) -> set[Value]:
        target = imported.target
        if self.scopes.is_module(target):
            return {("module", target)}
        if imported.kind == "from":
            module, _, name = target.rpartition(".")
            if self.scopes.is_module(module):
                return self._module_attribute(module, name)
        return {("ext", target)}

    def _assign(self, target: Ref, values: AbstractSet[Value]) -> None:
        if not values:
            return
        for var in self._target_vars(target):
            self._add(var, values)

    def _target_vars(self, target: Ref) -> Iterator[Var]:
        kind = target[0]
        if kind == "name":
            scope = self.scopes.binding_scope(target[1], target[2])
            yield (scope, target[2])
        elif kind == "attr":
            for value in self.evaluate(target[1]):
                owner = _attribute_owner(value)
                if owner is not None:
                    yield (owner, target[2])
        elif kind == "item":
            for value in self.evaluate(target[1]):
                if value[0] == "container":
                    yield ("<elements>", value[1])

    # ------------------------------------------------------------ evaluation

    def evaluate(self, ref: Ref) -> set[Value]:
        """The values `ref` may have, given what is known now."""
        kind = ref[0]
        if kind == "name":
            return self._lookup(ref[1], ref[2])
        if kind == "attr":
            return self._attribute_values(self._peek(ref[1]), ref[2])
        if kind == "const":
            return {_BUILTIN_VALUE}
        if kind == "call":
            return self._call_result(ref)
        if kind == "def":
            return self._def_value(ref[1])
        return self._evaluate_other(ref)

    def _evaluate_other(self, ref: Ref) -> set[Value]:
        kind = ref[0]
        if kind == "item":
            return self._items(self._peek(ref[1]))
        if kind == "container":
            key = ref[2] or repr(ref[1])
            self._add(("<elements>", key), (v for e in ref[1] for v in self.evaluate(e)))
            return {("container", key)}
        if kind == "either":
            return {value for part in ref[1] for value in self.evaluate(part)}
        if kind == "annotation":
            return {_instance_of(v) for v in self.evaluate(ref[1]) if _instance_of(v) is not None}  # type: ignore[misc]
        if kind == "self":
            return {("instsub" if ref[2] == "instance" else "classsub", ref[1])}
        if kind == "super":
            return {("super", ref[1])}
        return set()

    def _def_value(self, qualname: str) -> set[Value]:
        definition = self.scopes.definitions.get(qualname)
        if definition is None:
            return set()
        return {("class" if definition.kind == "class" else "func", qualname)}

    def _peek(self, ref: Ref) -> AbstractSet[Value]:
        """What `evaluate(ref)` gives, but a name's values are not copied: for reading only,
        by code that neither keeps them nor adds to a name's variable while it reads them."""
        if ref[0] == "name":
            found = self.scopes.lookup(ref[1], ref[2])
            if found is not None:
                return self._read(found)
        return self.evaluate(ref)

    def _lookup(self, scope: str, name: str) -> set[Value]:
        found = self.scopes.lookup(scope, name)
        if found is not None:
            return set(self._read(found))
        module = self.scopes.module_of(scope)
        values = self._star_imported(module, name, set())
        if values:
            return values
        return {("builtin", name)} if name in BUILTIN_NAMES else set()

    def _star_imported(self, module: str, name: str, seen: set[str]) -> set[Value]:
        seen.add(module)
        for source in self.scopes.star_imports.get(module, ()):
            if not self.scopes.is_module(source) or source in seen:
                continue
            if not self.scopes.exports(source, name):
                continue
            values = self._module_attribute(source, name, seen)
            if values:
                return values
        return set()

    def _module_attribute(self, module: str, name: str, seen: set[str] | None = None) -> set[Value]:
        submodule = f"{module}.{name}"
        values = set(self._read((module, name)))
        if self.scopes.is_module(submodule):
            values.add(("module", submodule))
        if not values:
            values = self._star_imported(module, name, seen if seen is not None else set())
        return values

    def _attribute_values(self, bases: AbstractSet[Value], name: str) -> set[Value]:
        """The values of attribute `name` of every value in `bases`: `_attribute`, with the
        values that hold no variable (externals, containers: most of them) answered from
        what `_attribute` kept of them."""
        result: set[Value] = set()
        stateless = self.stateless.get(name)
        if stateless is None:
            stateless = self.stateless[name] = {}
        for base in bases:
            known = stateless.get(base)
            result.update(known if known is not None else self._attribute(base, name))
        return result

    def _attribute(self, base: Value, name: str) -> Iterable[Value]:
        kind, target = base
        if kind == "module":
            return self._module_attribute(target, name)
        if kind in ("class", "classsub", "inst", "instsub"):
            return self._class_attribute(base, name)
        if kind == "super":
            mro = self.mro(target)
            found = self._bind(self._mro_lookup(mro[1:], name), instance=True)
            # `super()` skips the instance: only what a class defines hides an external base.
            if target in self.outside_base and not self._defined_on(mro[1:], name):
                found |= self._inherited_from_outside(target, name)
            return found
        # Nothing else reads a variable, so the answer is kept: externals give most attributes.
        kept = self.stateless.get(name)
        if kept is None:
            kept = self.stateless[name] = {}
        known = kept.get(base)
        if known is None:
            known = kept[base] = tuple(_stateless_attribute(kind, target, name))
        return known

    def _class_attribute(self, base: Value, name: str) -> set[Value]:
        kind, cls = base
        mro = self.mro_cache.get(cls) or self.mro(cls)
        own = self._first_defined(mro, name)
        instance = kind == "inst" or kind == "instsub"
        result: set[Value] = set()
        below = kind == "classsub" or kind == "instsub"
        if below:
            _, bound, properties = self._bound_overrides(cls, name, instance=instance)
            result.update(bound)
            for qualname in properties:
                result |= self._read(("def", qualname, "<return>"))
        if cls in self.outside_base and self._from_outside(cls, name, below=below):
            result |= self._inherited_from_outside(cls, name)
        bound_cache = self.bound_cache
        for value in own:
            if value[0] != "func":
                result.add(value)
            elif instance and self.is_property(value[1]):
                result |= self._read(("def", value[1], "<return>"))
            else:
                result.add(bound_cache.get((value[1], instance)) or self._bound(value, instance))
        return result

    def _bound_overrides(
        self, cls: str, name: str, *, instance: bool
    ) -> tuple[AbstractSet[Value], frozenset[Value], tuple[str, ...]]:
        """`overrides(cls, name)`, then its values bound as `_class_attribute` binds them and
        its properties (whose return values are read each time), kept while it is unchanged."""
        overriding = self.overrides(cls, name)
        key = (cls, name, instance)
        kept = self.bound_overrides.get(key)
        if kept is None or kept[0] is not overriding:
            properties = {
                value
                for value in overriding
                if instance and value[0] == "func" and self.is_property(value[1])
            }
            bound = frozenset(
                self._bound(value, instance) for value in overriding if value not in properties
            )
            kept = (overriding, bound, tuple(sorted(value[1] for value in properties)))
            self.bound_overrides[key] = kept
        return kept

    def _bind(self, values: set[Value], *, instance: bool) -> set[Value]:
        return {self._bound(value, instance) for value in values}

    def _bound(self, value: Value, instance: bool) -> Value:
        """`value` read as an attribute of a class (`instance` False) or of an instance."""
        if value[0] != "func":
            return value
        key = (value[1], instance)
        bound = self.bound_cache.get(key)
        if bound is None:
            decorators = self.scopes.decorators(value[1])
            if "staticmethod" not in decorators and (instance or "classmethod" in decorators):
                bound = ("bound", value[1])
            else:
                bound = value
            self.bound_cache[key] = bound
        return bound

    def _mro_lookup(self, mro: Sequence[str], name: str) -> set[Value]:
        return set(self._first_defined(mro, name))

    def is_property(self, qualname: str) -> bool:
        found = self.property_cache.get(qualname)
        if found is None:
            # Every function is asked once or not at all: the answer is kept.
            decorators = self.scopes.decorators(qualname)
            found = any(d in _PROPERTY_DECORATORS for d in decorators)
            self.property_cache[qualname] = found
        return found

    def _items(self, containers: AbstractSet[Value]) -> set[Value]:
        result: set[Value] = set()
        for value in containers:
            kind = value[0]
            if kind == "container":
                result |= self._read(("<elements>", value[1]))
            elif kind == "toomany":
                result.add(TOO_MANY)
            elif kind == "extinst" or kind == "ext":
                items = self.external_items.get(value[1])
                if items is None:
                    items = self.external_items[value[1]] = _external_items(value[1])
                result.update(items)
        return result

    # ------------------------------------------------------------------ calls

    def _call_result(self, ref: Ref) -> set[Value]:
        result: set[Value] = set()
        kept = self.stateless_results
        for function in self._peek(ref[1]):
            kind = function[0]
            if kind == "func" or kind == "bound":
                result |= self._read(("def", function[1], "<return>"))
                continue
            known = kept.get(function)
            if known is not None:
                result.update(known)
                continue
            values = self._result_of(function, ref)
            if kind in _STATELESS_CALLS and function[1] not in _PARTIAL:
                kept[function] = tuple(values)
            result |= values
        return result

    def _result_of(self, function: Value, ref: Ref) -> set[Value]:
        kind, name = function
        if kind in ("func", "bound"):
            return set(self._read(("def", name, "<return>")))
        if kind in ("class", "classsub"):
            return {("inst" if kind == "class" else "instsub", name)}
        if kind in ("inst", "instsub"):
            return self._dunder_result(function, "__call__")
        if kind == "ext":
            if name in _PARTIAL and ref[2]:
                return self.evaluate(ref[2][0])
            # By convention only classes are capitalised: what a function returns is unknown.
            last = name.rpartition(".")[2]
            if last[:1].isupper():
                return {("extinst", name)}
            return {_EXTERNAL_RESULT}
        if kind == "builtin":
            return set() if name in _OPAQUE_BUILTINS else {_BUILTIN_VALUE}
        if kind == "builtinmethod":
            return {_BUILTIN_VALUE}
        if kind == "extresult":
            return {_EXTERNAL_RESULT}
        if kind == "toomany":
            return {TOO_MANY}
        if kind == "container-get":
            default = self.evaluate(ref[2][1]) if len(ref[2]) > 1 else set()
            return set(self._read(("<elements>", name))) | default
        if kind == "container-view":
            return {("container", name)}
        if kind == "container-items":
            if name.endswith("|pair"):
                return {("container", name)}
            pair = f"{name}|pair"
            self._add(("<elements>", pair), {("container", name)})
            return {("container", pair)}
        return set()

    def _dunder_result(self, instance: Value, dunder: str) -> set[Value]:
        result: set[Value] = set()
        for method in self._class_attribute(instance, dunder):
            if method[0] in ("func", "bound"):
                result |= self._read(("def", method[1], "<return>"))
        return result

    def _flow_call(self, site: CallSite) -> None:
        ref = site.call
        if ref[0] != "call":
            return
        functions = self._peek(ref[1])
        self.called[id(site)] = (
            self._shared(functions) if len(functions) >= MAX_VALUES else tuple(functions)
        )
        for function in _in_order([f for f in functions if f[0] in _FLOWING_CALLS]):
            self._flow_arguments(function, ref)

    def called_values(self, site: CallSite) -> AbstractSet[Value]:
        """What the function of a call site may be, once solved.

        It is what the site's last replay found: had anything it read changed since, the site
        would have been replayed again. So it is not evaluated a second time.
        """
        found = self.called.get(id(site))
        if found is None:
            return self.evaluate(site.call[1])
        return found if isinstance(found, frozenset) else set(found)

    def _flow_arguments(self, function: Value, ref: Ref) -> None:
        kind, name = function
        if kind in ("class", "classsub"):
            inits = self._class_attribute(("inst", name), "__init__")
            for init in _in_order([f for f in inits if f[0] in _FLOWING_CALLS]):
                self._flow_arguments(init, ref)
            return
        if kind == "container-add":
            self._add(("<elements>", name), (v for a in ref[2] for v in self._spread(a)))
            return
        if kind not in ("func", "bound"):
            return
        signature = self.signatures.get(name, _UNKNOWN_SIGNATURE)
        if signature is _UNKNOWN_SIGNATURE:
            signature = self._signature(name)
        if signature is None:
            return
        positional, vararg, names = signature
        if kind == "bound" and positional:
            positional = positional[1:]
        for param, argument in zip(positional, ref[2], strict=False):
            self._add((name, param), self._peek(argument))
        extra = ref[2][len(positional) :]
        if extra and vararg is not None:
            key = f"{name}(*{vararg})"
            self._add((name, vararg), {("container", key)})
            self._add(("<elements>", key), (v for a in extra for v in self.evaluate(a)))
        for keyword, argument in ref[3]:
            if keyword in names:
                self._add((name, keyword), self._peek(argument))

    def _signature(self, qualname: str) -> _Signature | None:
        """The parameters of a function: positional names, the `*args` name, every name."""
        if qualname in self.signatures:
            return self.signatures[qualname]
        definition = self.scopes.definitions.get(qualname)
        signature = None
        if definition is not None:
            params = definition.params
            signature = (
                tuple(p.name for p in params if p.kind == "positional"),
                next((p.name for p in params if p.kind == "vararg"), None),
                frozenset(p.name for p in params),
            )
        self.signatures[qualname] = signature
        return signature

    def _spread(self, argument: Ref) -> set[Value]:
        values = self.evaluate(argument)
        return values | self._items({v for v in values if v[0] == "container"})

    def _flow_loop(self, binding: Binding) -> None:
        if binding.target[0] == "none":
            return
        values: set[Value] = set()
        for iterable in self.evaluate(binding.value):
            if iterable[0] in ("inst", "instsub"):
                for iterator in self._dunder_result(iterable, "__iter__"):
                    values |= self._dunder_result(iterator, "__next__")
        self._assign(binding.target, values)

    def _flow_with(self, binding: Binding) -> None:
        if binding.target[0] == "none":
            return
        values: set[Value] = set()
        for context in self.evaluate(binding.value):
            if context[0] in ("inst", "instsub"):
                values |= self._dunder_result(context, "__enter__")
        self._assign(binding.target, values)

    # -------------------------------------------------------------- classes

    def mro(self, cls: str) -> tuple[str, ...]:
        cached = self.mro_cache.get(cls)
        if cached is None:
            self.mro_cache[cls] = (cls,)  # guards against cyclic bases
            cached = _c3(cls, [self.mro(base) for base in self.bases(cls)])
            self.mro_cache[cls] = cached
        return cached

    def bases(self, cls: str) -> list[str]:
        definition = self.scopes.definitions.get(cls)
        if definition is None:
            return []
        found: list[str] = []
        for base in definition.bases:
            for value in sorted(self.evaluate(base)):
                if value[0] == "class" and value[1] not in found and value[1] != cls:
                    found.append(value[1])
        return found

    def external_bases(self, cls: str) -> list[str]:
        definition = self.scopes.definitions.get(cls)
        if definition is None:
            return []
        return sorted({v[1] for b in definition.bases for v in self.evaluate(b) if v[0] == "ext"})

    def _from_outside(self, cls: str, name: str, *, below: bool) -> bool:
        """Whether attribute `name` of `cls` (or, `below`, of any subclass) may come from an
        external base: no class of its MRO (nor, `below`, a subclass) defines it (`defines`),
        and no code sets it on another object. Decided from the facts alone, not from whether
        values have reached the classes yet, so it is the same whatever the order of replay."""
        key = (cls, name, below)
        found = self.from_outside.get(key)
        if found is None:
            found = not (
                name in self.assigned
                or self.defines_attribute(cls, name)
                or (below and self._defined_on(self.subclasses(cls), name))
            )
            self.from_outside[key] = found
        return found

    def defines_attribute(self, cls: str, name: str) -> bool:
        """Whether `cls` or a class it inherits from defines `name` (`defines`)."""
        return self._defined_on(self.mro(cls), name)

    def _defined_on(self, classes: Iterable[str], name: str) -> bool:
        """Whether one of `classes` defines `name` (`defines`)."""
        defines = self.defines
        return any((each, name) in defines for each in classes)

    def _inherited_from_outside(self, cls: str, name: str) -> set[Value]:
        """An attribute no analyzed class in the MRO defines comes from its external base
        (`super().get_context_data()` in a Django view is Django's), when it has one."""
        base = self.outside_base.get(cls)
        return _external(f"{base}.{name}") if base else set()

    def _outside_bases(self) -> dict[str, str]:
        """Each class's first external base along its MRO, for attributes defined outside."""
        found: dict[str, str] = {}
        for cls in self.scopes.classes:
            for ancestor in self.mro(cls):
                external = self.external_bases(ancestor)
                if external:
                    found[cls] = external[0]
                    break
        return found

    def overrides(self, cls: str, name: str) -> AbstractSet[Value]:
        """What `name` resolves to on every subclass of `cls`: overrides and mixins alike.

        Once the MROs are fixed the answer is kept until a class it may come from gets a new
        value for `name`, and a fact that asks depends on that question as a whole: a base
        class of hundreds (a syntax tree's node) would otherwise have each of them read, by
        every method of it that reads an attribute of `self`.
        """
        if self.overridden_in is None:
            return self._overrides_now(cls, name)
        self._read(("<overrides>", cls, name))  # for the reader it notes: it holds no values
        key = (cls, name)
        found = self.overrides_cache.get(key)
        if found is None:
            current, self.current = self.current, None
            found = self.overrides_cache[key] = frozenset(self._overrides_now(cls, name))
            self.current = current
        return found

    def _overrides_now(self, cls: str, name: str) -> set[Value]:
        values: set[Value] = set()
        for mro in self._subclass_mros(cls):
            values |= self._first_defined(mro, name)
        return values

    def _overrides_changed(self, cls: str, name: str) -> None:
        """`name` changed on `cls`: drop the kept `overrides` answers it may be part of."""
        for base in self.overridden_in.get(cls, ()) if self.overridden_in else ():
            self.overrides_cache.pop((base, name), None)
            self.wake.update(self.readers.get(("<overrides>", base, name), ()))

    def _overriding(self) -> dict[str, tuple[str, ...]]:
        """For each class, the classes whose `overrides` read it: those below which it sits in
        some subclass's MRO."""
        found: dict[str, set[str]] = defaultdict(set)
        for cls in self.scopes.classes:
            mro = self.mro(cls)
            for base in mro[1:]:
                for member in mro:
                    found[member].add(base)
        return {member: tuple(sorted(bases)) for member, bases in found.items()}

    def _subclass_mros(self, cls: str) -> tuple[tuple[str, ...], ...]:
        """The MRO of every subclass of `cls`; MROs are fixed before the worklist starts."""
        found = self.subclass_mros.get(cls)
        if found is None:
            found = tuple(self.mro(subclass) for subclass in self.subclasses(cls))
            self.subclass_mros[cls] = found
        return found

    def subclasses(self, cls: str) -> tuple[str, ...]:
        if self.subclass_cache is None:
            children: dict[str, set[str]] = defaultdict(set)
            for qualname in self.scopes.classes:
                for base in self.mro(qualname)[1:]:
                    children[base].add(qualname)
            self.subclass_cache = {k: tuple(sorted(v)) for k, v in children.items()}
        return self.subclass_cache.get(cls, ())

    # -------------------------------------------------------------- results

    def analysis(
        self, root: str, problems: Sequence[FileProblem], declared: Sequence[str]
    ) -> Analysis:
        from splitter.analyzer.results import collect_results

        return collect_results(self, root, problems, declared)


def _in_order(values: list[Value]) -> Iterable[Value]:
    """`values` sorted, where the order of what is done with each shows in the result.

    A set's order follows the hash of its strings, which changes from one process to the next,
    and the same facts must always give the same analysis. What flowed through a variable
    before it came to hold `TOO_MANY` stays where it went (a call through it passed its
    arguments on), so the order things happen in can still show. Values that `_flow_arguments`
    does nothing with are left out before sorting (`_FLOWING_CALLS`): the others keep their
    order.
    """
    if len(values) > 1:
        values.sort()
    return values


def adds_nothing(ref: Ref) -> bool:
    """Whether evaluating `ref` surely adds to no variable: it holds neither a container
    literal (whose elements `evaluate` adds) nor a call (`.items()` adds a pair container)."""
    kind = ref[0]
    if kind == "call" or kind == "container":
        return False
    if kind == "attr" or kind == "item" or kind == "annotation":
        return adds_nothing(ref[1])
    if kind == "either":
        return all(adds_nothing(part) for part in ref[1])
    return True


def _external_items(name: str) -> tuple[Value, ...]:
    """The elements of an external value (or of an instance of an external class)."""
    return () if name.endswith("[]") else tuple(_external(f"{name}[]", "extinst"))


def _stateless_attribute(kind: str, target: str, name: str) -> set[Value]:
    """The attribute `name` of a value that holds no variable: an external, a container, a
    builtin object."""
    if kind in ("ext", "extinst"):
        return _external(f"{target}.{name}")
    if kind == "extresult":
        return {_EXTERNAL_RESULT}
    if kind == "container":
        return _container_method(target, name)
    if kind == "builtininst":
        return {_BUILTIN_METHOD}
    if kind == "toomany":
        return {TOO_MANY}
    return set()


_MAX_EXTERNAL_DEPTH = 8


def _external(name: str, kind: str = "ext") -> set[Value]:
    """An external value, unless its name grew past what code writes (`x = x.parent` or
    `f = f()` in a loop would otherwise grow it for ever)."""
    depth = name.count(".") + name.count("(")
    return {(kind, name)} if depth < _MAX_EXTERNAL_DEPTH else set()


def _attribute_owner(value: Value) -> str | None:
    if value[0] in ("inst", "instsub", "class", "classsub", "module"):
        return value[1]
    return None


def _instance_of(value: Value) -> Value | None:
    kind, name = value
    if kind in ("class", "classsub"):
        return ("instsub", name)
    if kind == "ext":
        return ("extinst", name)
    if kind == "builtin":
        return _BUILTIN_VALUE
    return None


def _container_method(key: str, name: str) -> set[Value]:
    if name in _CONTAINER_GETTERS:
        return {("container-get", key)}
    if name in _CONTAINER_VIEWS:
        return {("container-view", key)}
    if name == "items":
        return {("container-items", key)}
    if name in _CONTAINER_ADDERS:
        return {("container-add", key)}
    return {_BUILTIN_METHOD}


def _c3(cls: str, base_mros: list[tuple[str, ...]]) -> tuple[str, ...]:
    """C3 linearization; falls back to depth-first order when the hierarchy is inconsistent."""
    sequences = [list(m) for m in base_mros if m] + [[m[0] for m in base_mros if m]]
    result = [cls]
    while True:
        sequences = [s for s in sequences if s]
        if not sequences:
            return tuple(result)
        for sequence in sequences:
            head = sequence[0]
            if not any(head in s[1:] for s in sequences):
                break
        else:
            flat = [c for m in base_mros for c in m]
            return tuple(dict.fromkeys([*result, *flat]))
        result.append(head)
        for sequence in sequences:
            if sequence[0] == head:
                del sequence[0]
