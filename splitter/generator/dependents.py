"""Which module-level names of the monolith need given functions, through code or imports.

The shared layer is a library every service carries: it cannot call into one service. A name
whose code uses a function of a service that uses data (directly, through its module's other
names, or through imports of other modules, however indirectly) is left out of the layer,
and each service that uses it carries its own copy (see `splitter.generator.trees`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from splitter.generator.statements import ModuleFacts, Reference, Statement

Name = tuple[str, str]
"""(module, name bound at its top level)."""


def dependents(facts: Mapping[str, ModuleFacts], roots: Iterable[Name]) -> dict[Name, Name]:
    """Every name that needs one of `roots`, the roots included, each with a root it needs.

    Args:
        facts: the monolith's modules.
        roots: the names to follow back to their users.

    Returns:
        (module, name) -> (module, name) of a root it needs; deterministic for given input.
    """
    users = _users(facts)
    found = {root: root for root in sorted(set(roots))}
    frontier = sorted(found, reverse=True)
    while frontier:
        name = frontier.pop()
        for user in sorted(users.get(name, ())):
            if user not in found:
                found[user] = found[name]
                frontier.append(user)
    return found


def statement_needs(
    facts: ModuleFacts,
    statement: Statement,
    name: str | None,
    references: Iterable[Reference] | None = None,
) -> list[Name]:
    """The names `statement` needs to bind `name` (None: to run at all): the module's names it
    uses and the names of other modules it reaches (`references`: the module's references
    made by `statement`, found when not given), or the name an import binds `name` to."""
    if statement.kind == "import":
        imported = facts.imported(statement.index, name) if name else None
        if imported is None or imported.name is None:
            return []
        return [(imported.module, imported.name)]
    if references is None:
        references = [r for r in facts.references if r.statement == statement.index]
    found = [(facts.module, used) for used in sorted(statement.uses)]
    return found + [(r.module, r.name) for r in references if r.name]


def _users(facts: Mapping[str, ModuleFacts]) -> dict[Name, set[Name]]:
    users: dict[Name, set[Name]] = defaultdict(set)
    for module in sorted(facts):
        fact = facts[module]
        made: dict[int, list[Reference]] = defaultdict(list)
        for reference in fact.references:
            made[reference.statement].append(reference)
        for statement in fact.statements:
            for name in sorted(statement.binds):
                for needed in statement_needs(fact, statement, name, made[statement.index]):
                    users[needed].add((module, name))
    return users
