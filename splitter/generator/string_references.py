"""Code the monolith names in strings: a tree keeping such a string carries what it names.

Frameworks load code by name, where no import shows it: `import_string("shop.pay.Gateway")`,
a setting whose default is a class's dotted path, a model relation written as
`"catalogue.Product"`, Django's `apps.get_model("catalogue", "Product")` and
`apps.get_app_config("catalogue")`, a library's own loader (django-oscar's
`get_class("checkout.views", "IndexView")`), or a module every installed app may have
(mezzanine's `import_module("%s.defaults" % app)`). A function whose tree keeps the statement
but not what it names fails when it starts or when that code runs. Each such string becomes a
reference of the top-level statement holding it, so the tree keeping the statement keeps what
the string names. The analyzer's call graph is left as it is: a string is not a call.

The settings module and what it star-imports are left out: the layer keeps them whole, and the
per-function INSTALLED_APPS (see `django_setup`) decides which apps a function loads.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping

import libcst as cst

from splitter.generator.django_setup import DjangoProject, InstalledApp, monolith_apps
from splitter.generator.statements import (
    ModuleFacts,
    Reference,
    children,
    string_value,
    strings_of,
)

_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
_SUBMODULE = re.compile(r"(%s|\{\})\.([A-Za-z_][A-Za-z0-9_]*)")
"""`"%s.defaults"`, `"{}.defaults"`: a submodule of whichever app fills the placeholder."""
_APP_LOOKUPS = frozenset({"get_app_config"})


class _Targets:
    """Resolves the strings of one monolith to its modules and top-level names."""

    def __init__(self, facts: Mapping[str, ModuleFacts], django: DjangoProject | None) -> None:
        self.facts = facts
        self.apps: dict[str, InstalledApp] = monolith_apps(django, facts) if django else {}
        self.by_suffix: dict[str, set[str]] = {}
        for module in facts:
            parts = module.split(".")
            for start in range(1, len(parts) - 1):
                self.by_suffix.setdefault(".".join(parts[start:]), set()).add(module)

    def dotted(self, text: str) -> Reference | None:
        """A full dotted path: a module, or a top-level name of one."""
        if not _DOTTED.fullmatch(text):
            return None
        if text in self.facts:
            return Reference(-1, text, None)
        module, _, name = text.rpartition(".")
        if module in self.facts and self.facts[module].bindings(name):
            return Reference(-1, module, name)
        return None

    def model(self, text: str) -> Reference | None:
        """`"label.Model"`: a model of an installed app of the monolith."""
        label, _, name = text.partition(".")
        return self.named(self.label_module(label, "models"), name) if name else None

    def label_module(self, label: str, submodule: str) -> str | None:
        app = self.apps.get(label)
        return f"{app.package}.{submodule}" if app else None

    def module_by_name(self, text: str) -> str | None:
        """The module a loader names by app label and submodule (`"checkout.views"`), or by
        the tail of its dotted name when one module alone ends so."""
        if not _DOTTED.fullmatch(text):
            return None
        if text in self.facts:
            return text
        label, _, rest = text.partition(".")
        found = self.label_module(label, rest)
        if found in self.facts:
            return found
        candidates = self.by_suffix.get(text, set())
        return next(iter(candidates)) if len(candidates) == 1 else None

    def named(self, module: str | None, name: str) -> Reference | None:
        if module is None or module not in self.facts or not self.facts[module].bindings(name):
            return None
        return Reference(-1, module, name)

    def app(self, label: str) -> Reference | None:
        """The AppConfig an installed app of the monolith is loaded with, or its package."""
        app = self.apps.get(label)
        if app is None:
            return None
        if app.config is not None:
            return self.named(*app.config)
        return Reference(-1, app.package, None) if app.package in self.facts else None

    def app_submodules(self, name: str) -> Iterator[Reference]:
        for package in sorted({app.package for app in self.apps.values()}):
            if f"{package}.{name}" in self.facts:
                yield Reference(-1, f"{package}.{name}", None)


def with_string_references(
    facts: Mapping[str, ModuleFacts],
    django: DjangoProject | None,
    skipped: frozenset[str] = frozenset(),
) -> dict[str, ModuleFacts]:
    """The facts with a reference for each string that names monolith code; the modules in
    `skipped` keep theirs as they are."""
    targets = _Targets(facts, django)
    found: dict[str, ModuleFacts] = {}
    for module, fact in facts.items():
        extra = [] if module in skipped else list(_module_references(fact, targets))
        known = set(fact.references)
        extra = [r for r in dict.fromkeys(extra) if r not in known and r.module != module]
        found[module] = (
            dataclasses.replace(fact, references=fact.references + tuple(extra)) if extra else fact
        )
    return found


def _module_references(facts: ModuleFacts, targets: _Targets) -> Iterator[Reference]:
    for index, statement in enumerate(facts.tree.body):
        for reference in _statement_references(statement, targets):
            yield dataclasses.replace(reference, statement=index)


def _statement_references(statement: cst.CSTNode, targets: _Targets) -> Iterator[Reference]:
    stack: list[cst.CSTNode] = [statement]
    while stack:
        node = stack.pop()
        stack.extend(children(node))
        if isinstance(node, cst.SimpleString):
            yield from _string(node, targets)
        elif isinstance(node, cst.Call):
            yield from _call(node, targets)
        elif isinstance(node, cst.FormattedString):
            yield from _formatted(node, targets)
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            text = string_value(node.right)
            if text and text.startswith(".") and text[1:].isidentifier():
                yield from targets.app_submodules(text[1:])


def _string(node: cst.SimpleString, targets: _Targets) -> Iterator[Reference]:
    text = string_value(node)
    if not text:
        return
    found = targets.dotted(text) or targets.model(text)
    if found is not None:
        yield found
    submodule = _SUBMODULE.fullmatch(text)
    if submodule:
        yield from targets.app_submodules(submodule.group(2))


def _formatted(node: cst.FormattedString, targets: _Targets) -> Iterator[Reference]:
    """`f"{app}.defaults"`: a submodule of each installed app."""
    parts = node.parts
    if len(parts) == 2 and isinstance(parts[0], cst.FormattedStringExpression):
        tail = parts[1]
        if isinstance(tail, cst.FormattedStringText) and tail.value.startswith("."):
            name = tail.value[1:]
            if name.isidentifier():
                yield from targets.app_submodules(name)


def _call(node: cst.Call, targets: _Targets) -> Iterator[Reference]:
    """Two strings that load one name: `get_model("catalogue", "Product")`,
    `get_class("checkout.views", "IndexView")` (or a list of names); and
    `get_app_config("catalogue")`."""
    positional = [a.value for a in node.args if a.keyword is None and a.star == ""]
    if not positional:
        return
    first = string_value(positional[0])
    if first is None:
        return
    if _function_name(node) in _APP_LOOKUPS:
        found = targets.app(first)
        if found is not None:
            yield found
        return
    if len(positional) < 2:
        return
    module = targets.label_module(first, "models") if "." not in first else None
    module = module if module in targets.facts else targets.module_by_name(first)
    for name in _names(positional[1]):
        found = targets.named(module, name)
        if found is not None:
            yield found


def _names(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.List | cst.Tuple):
        return [text for text in strings_of(node) if text]
    text = string_value(node)
    return [text] if text else []


def _function_name(node: cst.Call) -> str:
    function = node.func
    if isinstance(function, cst.Attribute):
        return function.attr.value
    return function.value if isinstance(function, cst.Name) else ""
