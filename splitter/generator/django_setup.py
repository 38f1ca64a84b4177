"""Django in the generated functions: the monolith's settings, and `django.setup()` per function.

A Django monolith's models cannot be imported before Django is set up with the settings that
list their apps. Each generated function therefore imports its `splitter_django` module
(written into each service's folder) before any carried code: it loads the monolith's settings
module, keeps in `INSTALLED_APPS` only the monolith's apps this function carries (Django's
own apps and other libraries' stay), and calls `django.setup()`. The settings module travels in
the layer, with what it imports; each tree carrying an app's models also carries the
`AppConfig` the settings name for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import libcst as cst

from splitter.generator.rendering import render_template
from splitter.generator.statements import ModuleFacts, string_value, strings_of
from splitter.generator.trees import TreePlan

BOOTSTRAP_MODULE = "splitter_django"
SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"
DJANGO_IMPORT = f"import {BOOTSTRAP_MODULE}  # noqa: F401  (sets Django up: it comes first)"
"""The first import of a Django monolith's handlers and glue modules."""

_SETTINGS_NAMES = frozenset({"DATABASES", "ROOT_URLCONF", "SECRET_KEY", "MIDDLEWARE"})
"""Besides INSTALLED_APPS, a settings module sets at least one of these; a package that only
lists its apps for projects to include (as django-oscar's `oscar.INSTALLED_APPS`) does not."""


@dataclass(frozen=True)
class DjangoProject:
    """What the generator needs to know of a Django monolith."""

    settings: str | None
    """The settings module found in the monolith; None when it holds none (a library)."""
    apps: tuple[str, ...] = ()
    """The settings' INSTALLED_APPS entries written as string literals, in order."""

    def configs(self, facts: Mapping[str, ModuleFacts]) -> dict[str, tuple[str, str]]:
        """App package -> (module, class) of the AppConfig an entry names, for the monolith's
        apps named as `package.apps.SomeConfig`."""
        found: dict[str, tuple[str, str]] = {}
        for entry in self.apps:
            config = config_entry(entry, facts)
            if config is not None and "." in config[0]:
                found[config[0].rpartition(".")[0]] = config
        return found


def config_entry(entry: str, facts: Mapping[str, ModuleFacts]) -> tuple[str, str] | None:
    """(module, class) when an INSTALLED_APPS entry names an AppConfig class of the monolith
    (`shop.catalog.apps.CatalogConfig`); None when it names a package."""
    module, _, name = entry.rpartition(".")
    return (module, name) if module in facts and name[:1].isupper() else None


def find_project(facts: Mapping[str, ModuleFacts]) -> DjangoProject | None:
    """The Django project of the monolith, or None when none of its code imports Django."""
    if not any(_is_django(i.module) for f in facts.values() for i in f.imports):
        return None
    candidates = sorted(
        (not module.rpartition(".")[2].endswith("settings"), module)
        for module, fact in facts.items()
        if _sets(fact, "INSTALLED_APPS") and any(_sets(fact, n) for n in _SETTINGS_NAMES)
    )
    if not candidates:
        return DjangoProject(settings=None)
    settings = candidates[0][1]
    return DjangoProject(settings=settings, apps=installed_apps(facts[settings].tree))


def installed_apps(tree: cst.Module) -> tuple[str, ...]:
    """The string literals of the lists and tuples a module assigns (or adds) to INSTALLED_APPS."""
    found: list[str] = []
    for statement in tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            value = _apps_value(small)
            if isinstance(value, cst.List | cst.Tuple):
                found += strings_of(value)
    return tuple(dict.fromkeys(found))


def required_configs(
    project: DjangoProject,
    facts: Mapping[str, ModuleFacts],
    tree: TreePlan,
    base: TreePlan | None = None,
) -> dict[str, set[str]]:
    """Module -> names a tree must also keep: the AppConfig of each app whose models it
    carries that neither it nor `base` (the layer, under a service's tree) keeps."""
    wanted: dict[str, set[str]] = {}
    for package, (module, name) in project.configs(facts).items():
        if f"{package}.models" in tree.modules and not any(
            _keeps(t, module, name) for t in (tree, base) if t is not None
        ):
            wanted.setdefault(module, set()).add(name)
    return wanted


def settings_roots(
    project: DjangoProject | None, facts: Mapping[str, ModuleFacts]
) -> dict[str, set[str]]:
    """What the layer keeps for Django: the whole settings module, and the whole of each
    module it takes every name of (`from oscar.defaults import *`): Django reads the settings
    by name, so no use in the code says which of them are needed."""
    if project is None or project.settings is None:
        return {}
    wanted: dict[str, set[str]] = {}
    pending = [project.settings]
    while pending:
        module = pending.pop()
        if module in wanted or module not in facts:
            continue
        found = facts[module]
        wanted[module] = {name for s in found.statements for name in s.binds}
        stars = {s.index for s in found.statements if s.star}
        pending += [r.module for r in found.references if r.statement in stars and r.name is None]
    return wanted


def other_apps(project: DjangoProject, monolith_packages: frozenset[str]) -> tuple[str, ...]:
    """The top-level packages of INSTALLED_APPS entries from libraries other than Django."""
    tops = {entry.split(".")[0] for entry in project.apps}
    return tuple(sorted(tops - monolith_packages - {"django"}))


def carried_apps(
    project: DjangoProject,
    facts: Mapping[str, ModuleFacts],
    tree: TreePlan,
    layer: TreePlan,
    monolith_packages: frozenset[str],
) -> tuple[str, ...]:
    """The settings' entries of the monolith's apps that a service's function can load: the
    AppConfig class an entry names, or the package it names, is in its folder or the layer.
    (A module can be there without the class: a copy keeps only what its tree needs.)"""
    found = []
    for entry in project.apps:
        if entry.split(".")[0] not in monolith_packages:
            continue
        config = config_entry(entry, facts)
        if config is not None:
            here = _keeps(tree, *config) or _keeps(layer, *config)
        else:
            here = entry in tree.modules or entry in layer.modules
        if here:
            found.append(entry)
    return tuple(found)


def render_bootstrap(
    project: DjangoProject, monolith_packages: frozenset[str], apps: tuple[str, ...]
) -> str:
    """A service's `splitter_django.py`, which keeps the monolith's `apps` its function has."""
    return render_template(
        f"{BOOTSTRAP_MODULE}.py",
        settings=project.settings,
        variable=SETTINGS_VARIABLE,
        packages=sorted(monolith_packages),
        apps=apps,
    )


def _keeps(tree: TreePlan, module: str, name: str) -> bool:
    kept = tree.modules.get(module)
    return kept is not None and name in kept.names


def _is_django(module: str) -> bool:
    return module == "django" or module.startswith("django.")


def _sets(facts: ModuleFacts, name: str) -> bool:
    return any(name in s.binds for s in facts.statements)


def _apps_value(small: cst.BaseSmallStatement) -> cst.BaseExpression | None:
    if isinstance(small, cst.Assign):
        names = [t.target for t in small.targets]
        return small.value if any(_named_apps(n) for n in names) else None
    if isinstance(small, cst.AnnAssign | cst.AugAssign) and _named_apps(small.target):
        return small.value
    return None


def _named_apps(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Name) and target.value == "INSTALLED_APPS"


_LOOKUPS = frozenset({"get_app_config", "get_model"})
"""Django's look-ups of an installed app by its label (`apps.get_model("catalogue", ...)`)."""


@dataclass(frozen=True)
class LabelLookup:
    """A literal app label that kept code looks up in Django's registry."""

    where: str
    label: str


def label_lookups(facts: ModuleFacts, statements: frozenset[int]) -> tuple[LabelLookup, ...]:
    """The app labels the kept top-level statements of a module look up by literal string."""
    found: list[LabelLookup] = []
    for statement in facts.statements:
        if statement.index not in statements:
            continue
        where = f"{facts.module}.{statement.name}" if statement.name else facts.module
        collector = _LookupCollector()
        facts.tree.body[statement.index].visit(collector)
        found += [LabelLookup(where, label) for label in collector.labels]
    return tuple(dict.fromkeys(found))


def app_labels(
    project: DjangoProject,
    facts: Mapping[str, ModuleFacts],
    apps: tuple[str, ...],
    monolith_packages: frozenset[str],
) -> frozenset[str]:
    """The labels of the apps a function installs: the monolith's `apps` it carries, and
    every app of Django and other libraries the settings name."""
    wanted = [
        entry
        for entry in project.apps
        if entry.split(".")[0] not in monolith_packages or entry in apps
    ]
    return frozenset(_label(entry, facts) for entry in wanted)


@dataclass(frozen=True)
class InstalledApp:
    """An app of the monolith the settings install."""

    label: str
    package: str
    config: tuple[str, str] | None
    """(module, class) of the AppConfig the entry names; None when it names the package."""


def monolith_apps(
    project: DjangoProject, facts: Mapping[str, ModuleFacts]
) -> dict[str, InstalledApp]:
    """The settings' apps whose package is in the monolith, by label."""
    found: dict[str, InstalledApp] = {}
    for entry in project.apps:
        app = _installed(entry, facts)
        if app.package in facts:
            found.setdefault(app.label, app)
    return found


def _label(entry: str, facts: Mapping[str, ModuleFacts]) -> str:
    return _installed(entry, facts).label


def _installed(entry: str, facts: Mapping[str, ModuleFacts]) -> InstalledApp:
    """An entry's app. Its label: the AppConfig's `label`, else the last part of its `name`,
    of the package an AppConfig lives in, or of the package the entry names."""
    config = config_entry(entry, facts)
    attributes = _class_strings(facts[config[0]], config[1]) if config else {}
    module, _, name = entry.rpartition(".")
    if "name" in attributes:
        package = attributes["name"]
    elif module and name[:1].isupper():
        package = module.removesuffix(".apps")
    else:
        package = entry
    label = attributes.get("label", package.rpartition(".")[2])
    return InstalledApp(label=label, package=package, config=config)


def _class_strings(facts: ModuleFacts, name: str) -> dict[str, str]:
    """The string literals a top-level class assigns to names in its body."""
    for node in facts.tree.body:
        if isinstance(node, cst.ClassDef) and node.name.value == name:
            found = {}
            for line in node.body.body:
                if not isinstance(line, cst.SimpleStatementLine):
                    continue
                for small in line.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        target = small.targets[0].target
                        value = string_value(small.value)
                        if isinstance(target, cst.Name) and value is not None:
                            found[target.value] = value
            return found
    return {}


class _LookupCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.labels: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        function = node.func
        name = function.attr.value if isinstance(function, cst.Attribute) else ""
        name = function.value if isinstance(function, cst.Name) else name
        if name in _LOOKUPS and node.args:
            text = string_value(node.args[0].value)
            if text:
                self.labels.append(text.split(".")[0])


_SHOWN = 10
"""Services a note names before it only counts the rest."""


def lookup_notes(
    django: DjangoProject,
    facts: Mapping[str, ModuleFacts],
    layer: TreePlan,
    trees: Mapping[str, TreePlan],
    internal: frozenset[str],
) -> list[str]:
    """Carried code that looks up, by label, a Django app its function does not install: it
    fails there (at start when it runs in an AppConfig's `ready`)."""
    roots = top_packages(internal)
    missing: dict[tuple[str, str], set[str]] = {}
    read: dict[tuple[str, frozenset[int]], tuple[LabelLookup, ...]] = {}
    for service, tree in sorted(trees.items()):
        apps = carried_apps(django, facts, tree, layer, roots)
        installed = app_labels(django, facts, apps, roots)
        for module in sorted({*tree.modules, *layer.modules}):
            # a service's copy of a module the layer holds keeps what the layer's keeps
            kept = tree.modules.get(module) or layer.modules[module]
            key = (module, kept.statements)
            if key not in read:
                read[key] = label_lookups(facts[module], kept.statements)
            for lookup in read[key]:
                if lookup.label not in installed:
                    missing.setdefault((lookup.where, lookup.label), set()).add(service)
    by_where: dict[str, dict[str, set[str]]] = {}
    for (where, label), services in missing.items():
        by_where.setdefault(where, {})[label] = services
    notes = []
    for where, labels in sorted(by_where.items()):
        names = sorted(set().union(*labels.values()))
        notes.append(
            f"Django: {where} looks up the app(s) {_joined(labels)} by label, which "
            f"the function(s) of {len(names)} service(s) carrying it do not install "
            f"({_listed(names)}): it fails there"
        )
    return notes


_APP_PARTS = ("apps", "migrations", "templatetags", "management")
"""Modules Django looks for in an app, besides `models`."""


def uninstalled_notes(
    django: DjangoProject,
    facts: Mapping[str, ModuleFacts],
    trees: Mapping[str, TreePlan],
) -> list[str]:
    """Carried code of an app of the monolith that the settings do not install: Django
    refuses its models, and its start-up code never runs. An app is a package with `models`
    and one of the other modules Django looks for in apps (`apps`, `migrations`,
    `templatetags`, `management`): a package of helpers may have a `models` module too."""
    if django.settings is None:
        return []
    installed = {app.package for app in monolith_apps(django, facts).values()}
    apps = sorted(
        package
        for package in {m.removesuffix(".models") for m in facts if m.endswith(".models")}
        if package in facts
        and package not in installed
        and any(f"{package}.{part}" in facts for part in _APP_PARTS)
    )
    notes = []
    for package in apps:
        inside = f"{package}."
        if any(inside.startswith(f"{other}.") for other in installed):
            continue  # a package inside an installed app is that app's code
        names = sorted(
            service
            for service, tree in trees.items()
            if any(module.startswith(inside) for module in tree.modules)
        )
        if names:
            notes.append(
                f"Django: {package} is an app the settings ({django.settings}) do not install, "
                f"and the function(s) of {len(names)} service(s) carry its code "
                f"({_listed(names)}): its models cannot be imported there; add it to "
                "INSTALLED_APPS or leave its code out of the plan"
            )
    return notes


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return _joined(names[:_SHOWN]) + more


def django_notes(django: DjangoProject, internal: frozenset[str]) -> list[str]:
    """What a Django monolith's user has to do by hand for the functions to start."""
    if django.settings is None:
        return [
            "Django: no settings module found in the analyzed code (a module setting "
            "INSTALLED_APPS and DATABASES); put one in the shared layer and name it in the "
            "template's DjangoSettingsModule parameter"
        ]
    others = other_apps(django, top_packages(internal))
    if not others:
        return []
    return [
        f"Django: the settings of {django.settings} install apps of other libraries "
        f"({', '.join(others)}); add their distributions to layers/shared/requirements.txt"
    ]


def top_packages(internal: frozenset[str]) -> frozenset[str]:
    """The monolith's top-level packages and modules, from all its module names."""
    return frozenset(name.split(".")[0] for name in internal)


def _joined(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))
