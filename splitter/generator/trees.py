"""Which statements of each monolith module the shared layer and each service's folder keep.

A *tree* is the code one deployment unit carries: the shared layer (owner `SHARED`) or one
service's folder. Each tree keeps, per monolith module, the functions and classes its owner
owns plus everything they need, found by following names through the module and imports
through the monolith until nothing new is needed. A function another service owns that the
tree still needs is bound to a remote client instead (see `KeptModule.remote`).

A service's copy of a module shadows the layer's copy of it (the service folder comes first on
`sys.path`), so it also keeps everything the layer's copy keeps.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from splitter.analyzer.model import Analysis
from splitter.generator.dependents import dependents, statement_needs
from splitter.generator.statements import (
    ModuleFacts,
    Reference,
    Statement,
    exported_names,
    listed_all,
)
from splitter.planner.assignment import SHARED, assign_functions
from splitter.planner.plan import Plan

Mode = Literal["partial", "whole", "init"]


@dataclass(frozen=True)
class Ownership:
    """Who owns each top-level function and class of the monolith under a plan, and which
    functions use data (a table, or module state they write)."""

    functions: Mapping[str, str]
    classes: Mapping[str, frozenset[str]]
    data: frozenset[str] = frozenset()

    def owners(self, module: str, statement: Statement) -> frozenset[str]:
        """The services (or `SHARED`) owning a function or class statement; empty if none."""
        qualname = f"{module}.{statement.name}"
        if statement.kind == "function":
            owner = self.functions.get(qualname)
            return frozenset({owner}) if owner else frozenset()
        if statement.kind == "class":
            return self.classes.get(qualname, frozenset())
        return frozenset()


def build_ownership(plan: Plan, analysis: Analysis) -> Ownership:
    """Assign every function and top-level class of the analysis to its owners under `plan`.

    A class belongs to the owners of its methods (several when they are split); a class
    without methods to the plan section whose glob covers it.
    """
    names = [f.qualname for f in analysis.functions] + [c.qualname for c in analysis.classes]
    assignment = assign_functions(plan, names)
    classes: dict[str, set[str]] = {}
    for function in analysis.functions:
        owner = assignment.get(function.qualname)
        if function.class_name and owner:
            classes.setdefault(_top_class(function.module, function.class_name), set()).add(owner)
    for info in analysis.classes:
        owner = assignment.get(info.qualname)
        top = _top_class(info.module, info.qualname)
        if top not in classes and owner and top == info.qualname:
            classes[top] = {owner}
    return Ownership(
        functions={
            f.qualname: assignment[f.qualname]
            for f in analysis.functions
            if f.qualname in assignment
        },
        classes={name: frozenset(owners) for name, owners in classes.items()},
        data=frozenset(
            [use.function for use in analysis.tables]
            + [use.function for use in analysis.state if use.mode == "write"]
        ),
    )


def _top_class(module: str, class_name: str) -> str:
    inner = class_name[len(module) + 1 :] if class_name.startswith(f"{module}.") else class_name
    return f"{module}.{inner.split('.')[0]}"


@dataclass(frozen=True)
class KeptModule:
    """What one tree keeps of one module.

    `needed` holds the top-level names the copy binds; `remote` maps the names bound to another
    service's function to that function; `copied` lists classes of other services kept whole,
    `split` classes whose methods belong to several services; `lent` functions of a service
    that use no data, copied because the layer's code, or code run on import, calls them;
    `unavailable` pairs each name the layer leaves out, because its code needs a function of a
    service that uses data, with that function; `dropped` holds module-level statements left
    out because they use names the copy does not keep; `at_import` holds the names that code
    run on import needs.
    """

    module: str
    mode: Mode
    statements: frozenset[int]
    needed: frozenset[str]
    remote: Mapping[str, str] = field(default_factory=dict)
    copied: tuple[str, ...] = ()
    lent: tuple[str, ...] = ()
    split: tuple[str, ...] = ()
    unplanned: tuple[str, ...] = ()
    unavailable: tuple[tuple[str, str], ...] = ()
    dropped: tuple[int, ...] = ()
    references: tuple[Reference, ...] = ()
    external: tuple[str, ...] = ()
    at_import: frozenset[str] = frozenset()

    @property
    def names(self) -> frozenset[str]:
        return self.needed | frozenset(self.remote)


@dataclass(frozen=True)
class TreePlan:
    """Everything one tree keeps, by module name."""

    owner: str
    modules: Mapping[str, KeptModule]


class Planner:
    """Plans the trees of a monolith: the shared layer first, then each service on top of it."""

    def __init__(self, facts: Mapping[str, ModuleFacts], ownership: Ownership) -> None:
        self.facts = facts
        self.ownership = ownership
        self.service_bound = dependents(facts, _data_functions(facts, ownership))
        """Names the layer cannot hold -> the function of a service using data each needs."""
        self._exported: dict[str, frozenset[str]] = {}
        self._listed: dict[str, tuple[str, ...]] = {}

    def needs_a_service(self, module: str, statement: Statement) -> bool:
        """Whether a statement that binds nothing needs a function of a service using data."""
        needs = statement_needs(self.facts[module], statement, None)
        return any(name in self.service_bound for name in needs)

    def plan_tree(
        self,
        owner: str,
        base: TreePlan | None = None,
        extra: Mapping[str, set[str]] | None = None,
    ) -> TreePlan:
        """Keep what `owner` owns and what that needs, module by module, until stable;
        `extra` names more to keep (module -> names, empty for the module's own code)."""
        required: dict[str, set[str]] = {
            module: set() for module, facts in self.facts.items() if self._holds(owner, facts)
        }
        for wanted, names in (extra or {}).items():
            if wanted in self.facts:
                required.setdefault(wanted, set()).update(names)
        early: dict[str, set[str]] = {}  # module -> required names code run on import needs
        while True:
            self._add_packages(required)
            kept = {
                m: self._keep(owner, m, required[m], base, early.get(m, set()))
                for m in sorted(required)
            }
            changed = False
            for module in kept.values():
                for reference in module.references:
                    changed = self._route(reference, required, base) or changed
                    if reference.name is None and self._star(module.module, reference):
                        changed = self._route_star(reference, required, base) or changed
                    if reference.alias and reference.alias in module.at_import:
                        changed = _add_early(reference, early) or changed
            if not changed:
                return TreePlan(owner, kept)

    def _star(self, module: str, reference: Reference) -> bool:
        return self.facts[module].statements[reference.statement].star

    def _route_star(
        self, reference: Reference, required: dict[str, set[str]], base: TreePlan | None
    ) -> bool:
        """`from module import *` needs every name the module exports."""
        if reference.module not in self.facts:
            return False
        changed = False
        for name in sorted(self.exported(reference.module)):
            named = Reference(reference.statement, reference.module, name)
            changed = self._route(named, required, base) or changed
        return changed

    def exported(self, module: str) -> frozenset[str]:
        """The names of its own `from module import *` takes."""
        if module not in self._exported:
            self._exported[module] = exported_names(self.facts[module])
        return self._exported[module]

    def listed(self, module: str) -> tuple[str, ...]:
        """The names a module's literal `__all__` lists, sorted."""
        if module not in self._listed:
            self._listed[module] = tuple(sorted(set(listed_all(self.facts[module].tree) or ())))
        return self._listed[module]

    def _holds(self, owner: str, facts: ModuleFacts) -> bool:
        return any(owner in self.ownership.owners(facts.module, s) for s in facts.statements)

    def _add_packages(self, required: dict[str, set[str]]) -> None:
        for module in list(required):
            parts = module.split(".")
            for end in range(1, len(parts)):
                package = ".".join(parts[:end])
                if package in self.facts:
                    required.setdefault(package, set())

    def _route(
        self, reference: Reference, required: dict[str, set[str]], base: TreePlan | None
    ) -> bool:
        module, name = reference.module, reference.name
        if module not in self.facts:
            return False
        if module in required:
            if name is None or name in required[module]:
                return False
            required[module].add(name)
            return True
        if base is not None and module in base.modules:
            bound = name is None or not self.facts[module].bindings(name)
            if bound or name in base.modules[module].names:
                return False
        required[module] = {name} if name else set()
        return True

    def mode(self, owner: str, module: str) -> Mode:
        """`init` for packages, `whole` when the tree owns all of the module's code."""
        facts = self.facts[module]
        if facts.is_package:
            return "init"
        owners = set().union(*(self.ownership.owners(module, s) for s in facts.statements))
        if owner == SHARED:
            return "whole" if owners <= {SHARED} else "partial"
        return "whole" if owners <= {owner} else "partial"

    def foreign(self, owner: str, module: str, name: str | None, depth: int = 0) -> bool:
        """Whether (module, name) belongs to another service than `owner` (and not the layer)."""
        facts = self.facts.get(module)
        if facts is None or depth > 20:
            return False
        if name is None:
            return self._foreign_module(owner, facts)
        statements = facts.bindings(name)
        if not statements:
            return f"{module}.{name}" in self.facts and self.foreign(
                owner, f"{module}.{name}", None, depth + 1
            )
        statement = statements[0]
        if statement.kind in ("function", "class"):
            owners = self.ownership.owners(module, statement)
            return bool(owners) and not owners & _allowed(owner)
        imported = facts.imported(statement.index, name)
        if imported is not None:
            return self.foreign(owner, imported.module, imported.name, depth + 1)
        return self._foreign_module(owner, facts)

    def _foreign_module(self, owner: str, facts: ModuleFacts) -> bool:
        owners = set().union(*(self.ownership.owners(facts.module, s) for s in facts.statements))
        return bool(owners) and not owners & _allowed(owner)

    def _keep(
        self,
        owner: str,
        module: str,
        required: set[str],
        base: TreePlan | None,
        early: set[str],
    ) -> KeptModule:
        layer = base.modules.get(module) if base else None
        extra = set(layer.needed) if layer else set()
        keeper = _Keeper(self, owner, self.facts[module], self.mode(owner, module))
        keeper.lending = frozenset(layer.lent) if layer else frozenset()
        return keeper.keep(required | extra, early)


def _add_early(reference: Reference, early: dict[str, set[str]]) -> bool:
    """Record that code run on import needs what `reference` names; True if that is new."""
    if reference.name is None:
        return False
    names = early.setdefault(reference.module, set())
    if reference.name in names:
        return False
    names.add(reference.name)
    return True


def _allowed(owner: str) -> frozenset[str]:
    return frozenset({owner, SHARED})


def _data_functions(
    facts: Mapping[str, ModuleFacts], ownership: Ownership
) -> list[tuple[str, str]]:
    """(module, name) of every top-level function a service owns that uses data."""
    return [
        (module, statement.name)
        for module, fact in facts.items()
        for statement in fact.statements
        if statement.kind == "function"
        and f"{module}.{statement.name}" in ownership.data
        and _foreign_to_layer(ownership.owners(module, statement))
    ]


def _foreign_to_layer(owners: frozenset[str]) -> bool:
    return bool(owners) and SHARED not in owners


class _Keeper:
    """Keeps the statements of one module one tree needs (one question, one object)."""

    def __init__(self, planner: Planner, owner: str, facts: ModuleFacts, mode: Mode) -> None:
        self.planner = planner
        self.owner = owner
        self.facts = facts
        self.mode = mode
        self.kept: set[int] = set()
        self.needed: set[str] = set()
        self.remote: dict[str, str] = {}
        self.copied: list[str] = []
        self.lent: list[str] = []
        self.lending: frozenset[str] = frozenset()
        """Functions of this module the layer lends: a service copy keeps them too."""
        self.split: list[str] = []
        self.unplanned: list[str] = []
        self.unavailable: list[tuple[str, str]] = []
        self.at_import: set[str] = set()
        """Names that code run on import needs (a class's base, a decorator)."""

    def keep(self, required: set[str], early: Collection[str] = ()) -> KeptModule:
        for statement in self.facts.statements:
            if statement.kind in ("docstring", "future"):
                self.kept.add(statement.index)
            elif self._is_root(statement):
                self._keep_statement(statement)
        for name in sorted(required):
            self._need(name, at_import=name in early)
        if self.mode != "partial":
            self._keep_exports()
        self._keep_side_effects()
        dropped = tuple(
            s.index
            for s in self.facts.statements
            if s.index not in self.kept and s.kind == "other" and not s.binds
        )
        return KeptModule(
            module=self.facts.module,
            mode=self.mode,
            statements=frozenset(self.kept),
            needed=frozenset(self.needed),
            remote=dict(sorted(self.remote.items())),
            copied=tuple(sorted(set(self.copied))),
            lent=tuple(sorted(set(self.lent))),
            split=tuple(sorted(set(self.split))),
            unplanned=tuple(sorted(set(self.unplanned))),
            unavailable=tuple(sorted(set(self.unavailable))),
            dropped=dropped if self._has_content() else (),
            references=self._references(),
            external=self._external(),
            at_import=frozenset(self.at_import),
        )

    def _is_root(self, statement: Statement) -> bool:
        owners = self.planner.ownership.owners(self.facts.module, statement)
        if self.owner in owners:
            return True
        if self.mode == "partial" or (owners and not owners & _allowed(self.owner)):
            return False
        if statement.star:  # a module carried whole keeps them (Django reads settings by name)
            return self.mode in ("init", "whole") and not any(
                self.planner.foreign(self.owner, r.module, None)
                for r in self.facts.references
                if r.statement == statement.index
            )
        if statement.kind == "import":
            return self.mode == "init"
        return statement.kind != "other" or bool(statement.binds) or self.mode != "init"

    def _keep_statement(self, statement: Statement) -> None:
        if statement.star:
            self.kept.add(statement.index)
            return
        if statement.kind == "import":
            # a name the module's definitions use is kept only when a kept one still uses
            # it; the others are re-exports, or serve the module's side effects, and stay
            for name in sorted(statement.binds - self._used_by_definitions_only):
                imported = self.facts.imported(statement.index, name)
                target = (imported.module, imported.name) if imported else None
                if target is None or not self.planner.foreign(self.owner, *target):
                    self._need(name)
            return
        if statement.kind == "other" and not statement.binds:
            if not self._may_run(statement):
                return
            self.kept.add(statement.index)
            self._need_uses(statement)
            return
        for name in sorted(statement.binds):
            self._need(name)

    @cached_property
    def _used_by_definitions_only(self) -> frozenset[str]:
        """Names statements that bind names use and statements run for effect do not."""
        uses: dict[bool, set[str]] = {True: set(), False: set()}
        for statement in self.facts.statements:
            uses[bool(statement.binds)].update(statement.uses)
        return frozenset(uses[True] - uses[False])

    def _need_uses(self, statement: Statement) -> None:
        for name in sorted(statement.uses):
            self._need(name, at_import=name in statement.import_uses)

    def _need(self, name: str, at_import: bool = False) -> None:
        if at_import:
            self.at_import.add(name)
        if name in self.remote and at_import and self._lendable(name):
            del self.remote[name]  # called on import: a remote call cannot serve it
        elif name in self.needed or name in self.remote:
            return
        if self.owner == SHARED and (self.facts.module, name) in self.planner.service_bound:
            cause = ".".join(self.planner.service_bound[(self.facts.module, name)])
            self.unavailable.append((f"{self.facts.module}.{name}", cause))
            return
        statements = self.facts.bindings(name)
        for statement in statements:
            if not self._bind(name, statement, at_import):
                return
        if statements:
            self.needed.add(name)

    def _lendable(self, name: str) -> bool:
        """Whether a function of another service can be copied here: it uses no data."""
        return (self.facts.module, name) not in self.planner.service_bound and (
            f"{self.facts.module}.{name}" not in self.planner.ownership.data
        )

    def _bind(self, name: str, statement: Statement, at_import: bool = False) -> bool:
        """Keep `statement` for `name`; False when `name` goes to a remote client instead.

        A function of another service is copied rather than called remotely when the layer
        lends it, or when code that runs on import calls it (a class's base, a decorator) and
        it uses no data: a Lambda function cannot wait on another one while it starts.
        """
        owners = self.planner.ownership.owners(self.facts.module, statement)
        qualname = f"{self.facts.module}.{statement.name}"
        foreign = bool(owners) and not owners & _allowed(self.owner)
        lends = (
            self.owner == SHARED or qualname in self.lending or (at_import and self._lendable(name))
        )
        if foreign and statement.kind == "function" and not lends:
            self.remote[name] = qualname
            return False
        if foreign and statement.kind == "function":
            # the layer copies a function of a service that uses no data (those that do
            # are left out by `_need`), and so does a service copy hiding the layer's
            self.lent.append(qualname)
        elif foreign:
            self.copied.append(qualname)
        elif len(owners - {SHARED}) > 1:
            self.split.append(qualname)
        if statement.kind in ("function", "class") and not owners:
            self.unplanned.append(qualname)
        self.needed.add(name)
        if statement.index not in self.kept:
            self.kept.add(statement.index)
            self._need_uses(statement)
        return True

    def _keep_exports(self) -> None:
        """A module carried whole keeps what its `__all__` lists: the names it re-exports
        (`from .results import BasketDiscount`) are used by no statement of its own."""
        for name in self.planner.listed(self.facts.module):
            self._need(name)

    def _keep_side_effects(self) -> None:
        available = self.needed | set(self.remote)
        content = self._has_content()
        for statement in self.facts.statements:
            effect = statement.kind == "other" and not statement.binds
            if effect and content and statement.uses <= available and self._may_run(statement):
                self.kept.add(statement.index)
            if statement.star and self._uses_unresolved():
                self.kept.add(statement.index)

    def _may_run(self, statement: Statement) -> bool:
        """False for a statement the layer cannot run: it needs a service's code."""
        return self.owner != SHARED or not self.planner.needs_a_service(
            self.facts.module, statement
        )

    def _has_content(self) -> bool:
        return any(
            s.index in self.kept and s.kind not in ("docstring", "future")
            for s in self.facts.statements
        ) or bool(self.remote)

    def _uses_unresolved(self) -> bool:
        return any(index in self.kept for index in self.facts.unresolved)

    def _counts(self, reference: Reference) -> bool:
        alias_kept = not reference.alias or reference.alias in self.needed
        return reference.statement in self.kept and alias_kept

    def _references(self) -> tuple[Reference, ...]:
        return tuple(r for r in self.facts.references if self._counts(r))

    def _external(self) -> tuple[str, ...]:
        return tuple(sorted({r.module for r in self.facts.external if self._counts(r)}))
