"""The scopes of a whole program: where each name is bound and what each scope encloses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from splitter.analyzer.facts import Definition, FileFacts, Import


class ScopeTable:
    """Answers Python's scoping questions (LEGB, `global`, class bodies) over all files."""

    def __init__(self, files: Sequence[FileFacts]) -> None:
        self.definitions: dict[str, Definition] = {}
        self.modules: dict[str, FileFacts] = {}
        self.module_names: set[str] = set()
        self.bound: dict[str, set[str]] = defaultdict(set)
        self.declared_globals: set[tuple[str, str]] = set()
        self.declared_nonlocals: set[tuple[str, str]] = set()
        self.star_imports: dict[str, list[str]] = defaultdict(list)
        self.imports: dict[tuple[str, str], Import] = {}
        self.classes: list[str] = []
        self.module_by_scope: dict[str, str] = {}
        self._lookups: dict[tuple[str, str], tuple[str, str] | None] = {}
        for file in files:
            self._add_file(file)
        self.classes.sort()

    def _add_file(self, file: FileFacts) -> None:
        self.modules[file.module] = file
        self._add_module_name(file.module)
        for definition in file.definitions:
            self.definitions.setdefault(definition.qualname, definition)
            self.module_by_scope[definition.qualname] = file.module
            if definition.parent:
                self.bound[definition.parent].add(definition.name)
            for param in definition.params:
                self.bound[definition.qualname].add(param.name)
            if definition.kind == "class" and definition.qualname not in self.classes:
                self.classes.append(definition.qualname)
        for binding in file.bindings:
            if binding.target[0] == "name":
                self.bound[binding.scope].add(binding.target[2])
        for imported in file.imports:
            if imported.kind == "star":
                self.star_imports[imported.scope].append(imported.target)
            elif imported.name:
                self.bound[imported.scope].add(imported.name)
                self.imports[(imported.scope, imported.name)] = imported
        self.declared_globals.update(file.declared_globals)
        self.declared_nonlocals.update(file.declared_nonlocals)

    def _add_module_name(self, module: str) -> None:
        parts = module.split(".")
        for end in range(1, len(parts) + 1):
            self.module_names.add(".".join(parts[:end]))

    def is_module(self, name: str) -> bool:
        """Whether `name` is an analyzed module or package (namespace packages included)."""
        return name in self.module_names

    def kind(self, scope: str) -> str:
        definition = self.definitions.get(scope)
        return definition.kind if definition is not None else "module"

    def parent(self, scope: str) -> str:
        definition = self.definitions.get(scope)
        return definition.parent if definition is not None else ""

    def module_of(self, scope: str) -> str:
        return self.module_by_scope.get(scope, scope)

    def owner(self, scope: str) -> str:
        """The graph node whose code runs in `scope`: class bodies run in their enclosing scope."""
        while self.kind(scope) == "class":
            scope = self.parent(scope)
        return scope

    def decorators(self, qualname: str) -> tuple[str, ...]:
        definition = self.definitions.get(qualname)
        return definition.decorator_names if definition is not None else ()

    def binding_scope(self, scope: str, name: str) -> str:
        """The scope an assignment to `name` in `scope` binds in (`global` moves it)."""
        if (scope, name) in self.declared_globals:
            return self.module_of(scope)
        if (scope, name) in self.declared_nonlocals:
            found = self._search(self.parent(scope), name, skip_classes=True)
            return found[0] if found is not None else scope
        return scope

    def lookup(self, scope: str, name: str) -> tuple[str, str] | None:
        """The variable a read of `name` in `scope` finds, or None (then: star imports, builtins).

        Class bodies are visible only to code directly inside them, as in Python.
        """
        key = (scope, name)
        try:
            return self._lookups[key]
        except KeyError:
            found = self._lookups[key] = self._search(scope, name)
            return found

    def _search(
        self, scope: str, name: str, *, skip_classes: bool = False
    ) -> tuple[str, str] | None:
        current, first = scope, not skip_classes
        while current:
            if (current, name) in self.declared_globals:
                return (self.module_of(current), name)
            if (current, name) in self.declared_nonlocals:
                first = False
                current = self.parent(current)
                continue
            if (first or self.kind(current) != "class") and name in self.bound.get(current, ()):
                return (current, name)
            first = False
            current = self.parent(current)
        return None

    def exports(self, module: str, name: str) -> bool:
        """Whether `from module import *` binds `name`."""
        file = self.modules.get(module)
        if file is not None and file.dunder_all is not None:
            return name in file.dunder_all
        return not name.startswith("_")
