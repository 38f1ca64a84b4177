"""The shared layer: what it holds, the packages it shares with services, the errors it defines."""

from __future__ import annotations

import builtins
import sys
from collections.abc import Iterable, Mapping

import libcst as cst

from splitter.generator.statements import ModuleFacts, dotted, resolve_definition
from splitter.generator.trees import TreePlan

_DISTRIBUTIONS = {
    "yaml": "PyYAML",
    "PIL": "Pillow",
    "sklearn": "scikit-learn",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "jwt": "PyJWT",
    "dotenv": "python-dotenv",
    "cv2": "opencv-python",
}
"""Import names whose distribution on PyPI is named differently."""

_ERROR_SUFFIXES = ("Error", "Exception", "Warning", "Exit", "Interrupt")


def split_packages(
    layer: TreePlan, services: Iterable[TreePlan], facts: Mapping[str, ModuleFacts]
) -> frozenset[str]:
    """Packages that both the layer and at least one service hold a copy of."""
    in_services = {m for tree in services for m in tree.modules if facts[m].is_package}
    return frozenset(m for m in layer.modules if facts[m].is_package and m in in_services)


def shared_errors(layer: TreePlan, facts: Mapping[str, ModuleFacts]) -> dict[str, str]:
    """Exception classes the layer defines, by class name, with their module.

    A remote call re-raises an error under its own class when the name is found here. Of two
    classes with one name, the first module in sorted order wins.
    """
    found: dict[str, str] = {}
    for module in sorted(layer.modules):
        kept = layer.modules[module]
        for statement in facts[module].statements:
            if statement.kind != "class" or statement.index not in kept.statements:
                continue
            if is_exception(facts, module, statement.name):
                found.setdefault(statement.name, module)
    return dict(sorted(found.items()))


def is_exception(facts: Mapping[str, ModuleFacts], module: str, name: str, depth: int = 0) -> bool:
    """Whether a class of the monolith derives from an exception, following its bases."""
    if depth > 30:
        return False
    node = _class_node(facts.get(module), name)
    if node is None:
        return False
    for base in node.bases:
        text = dotted(base.value)
        if not text:
            continue
        if _builtin_exception(text):
            return True
        found = resolve_definition(facts, module, text)
        if found is None:
            continue
        qualname, kind = found
        if kind == "external" and text.rpartition(".")[2].endswith(_ERROR_SUFFIXES):
            return True
        base_module, _, base_name = qualname.rpartition(".")
        if kind == "class" and is_exception(facts, base_module, base_name, depth + 1):
            return True
    return False


_DATA_BASES = frozenset(
    {"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "BaseModel", "TypedDict", "NamedTuple"}
)


def is_data_class(facts: Mapping[str, ModuleFacts], module: str, name: str, depth: int = 0) -> bool:
    """Whether a class of the monolith is plain data pydantic can rebuild from JSON: a
    dataclass, an enum, a pydantic model, a TypedDict or a NamedTuple."""
    node = _class_node(facts.get(module), name)
    if node is None or depth > 30:
        return False
    for decorator in node.decorators:
        target = decorator.decorator
        target = target.func if isinstance(target, cst.Call) else target
        if dotted(target).rpartition(".")[2] == "dataclass":
            return True
    for base in node.bases:
        text = dotted(base.value)
        if text.rpartition(".")[2] in _DATA_BASES:
            return True
        found = resolve_definition(facts, module, text) if text else None
        if found is not None and found[1] == "class":
            base_module, _, base_name = found[0].rpartition(".")
            if is_data_class(facts, base_module, base_name, depth + 1):
                return True
    return False


def _class_node(facts: ModuleFacts | None, name: str) -> cst.ClassDef | None:
    if facts is None:
        return None
    for statement in facts.bindings(name):
        node = facts.tree.body[statement.index]
        if isinstance(node, cst.ClassDef):
            return node
    return None


def _builtin_exception(name: str) -> bool:
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)


def third_party(tree: TreePlan, internal: Iterable[str]) -> tuple[str, ...]:
    """Distributions the kept code of a tree imports, outside the standard library, sorted."""
    roots = {name.split(".")[0] for name in internal}
    imported = {name for kept in tree.modules.values() for name in kept.external}
    wanted = imported - roots - set(sys.stdlib_module_names) - {"__future__", "splitter_remote"}
    return tuple(sorted({_DISTRIBUTIONS.get(name, name) for name in wanted}, key=str.lower))
