"""Service names from what a service is about: its modules, tables, routes and functions."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from splitter.planner.vocabulary import noun_forms

MODULE_WEIGHT = 4.0
TABLE_WEIGHT = 2.0
ROUTE_WEIGHT = 1.0
NAME_WEIGHT = 1.0
NAME_SPELLING = 0.1
"""Function names say `order` where modules and tables say `orders`: the spelling of a noun
follows modules, tables and routes first."""
SPREAD_MODULE = 3
"""A module whose code lands in this many services or more is organised by layer, not by
domain (`services.py`, `repository.py`), and names none of them."""

_IDENTIFIER = re.compile(r"[^a-z0-9_]+")


@dataclass(frozen=True)
class ClusterFacts:
    """What a cluster is about, for naming it."""

    key: str
    units: tuple[str, ...]
    modules: tuple[str, ...]
    tables: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()


def name_services(
    clusters: Iterable[ClusterFacts], module_spread: Mapping[str, int], taken: Collection[str] = ()
) -> dict[str, str]:
    """Cluster key -> a service name, unique and not in `taken`.

    Each noun goes to the cluster it describes best: (cluster, noun) pairs are taken
    strongest first, one noun per cluster. A cluster left without a noun of its own adds
    its next noun to its first (`orders_returns`), and a number only when it has no other.
    """
    ordered = sorted(clusters, key=lambda c: (-len(c.units), c.key))
    common = _common_prefix([m for c in ordered for m in c.modules])
    ranked = {c.key: _ranked(c, module_spread, common) for c in ordered}
    used = set(taken)
    names: dict[str, str] = {}
    pairs = [(score, key, form) for key, nouns in ranked.items() for form, score in nouns]
    for _, key, form in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if key not in names and form not in used:
            names[key] = form
            used.add(form)
    for cluster in ordered:
        if cluster.key not in names:
            names[cluster.key] = _compound([form for form, _ in ranked[cluster.key]], used)
            used.add(names[cluster.key])
    return names


def _ranked(
    cluster: ClusterFacts, spread: Mapping[str, int], common: int
) -> list[tuple[str, float]]:
    """The cluster's nouns, strongest first, each in the form most weight was given to.

    A noun scores, for each kind of evidence, its weight times the share of the cluster's
    items of that kind that mention it: of its tables, its routes, its functions' names,
    and its functions' modules (modules spread over many services left out). A table named
    by several nouns (`back_orders`) also counts as a noun of its own.
    """
    score: dict[str, float] = defaultdict(float)
    forms: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def credit(items: list[list[tuple[str, str]]], weight: float, spelling: float = 1.0) -> None:
        for found in items:
            for word, surface in _first_forms(found):
                score[word] += weight / len(items)
                forms[word][surface] += spelling * weight / len(items)

    modules = [m for m in cluster.modules if spread.get(m, 1) < SPREAD_MODULE]
    tails = [noun_forms(".".join(m.split(".")[common:])) for m in modules]
    credit(tails + [[]] * (len(cluster.modules) - len(modules)), MODULE_WEIGHT)
    credit([_with_whole(noun_forms(table), table) for table in cluster.tables], TABLE_WEIGHT)
    credit([noun_forms(route) for route in cluster.routes], ROUTE_WEIGHT)
    names = [noun_forms(unit.rpartition(".")[2]) for unit in cluster.units]
    credit(names, NAME_WEIGHT, spelling=NAME_SPELLING)
    ranked = sorted((w for w in score if score[w] > 0), key=lambda w: (-score[w], w))
    return [(_form(forms[word], word), score[word]) for word in ranked]


def _first_forms(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each noun once, in the form it is first written in."""
    seen: dict[str, str] = {}
    for word, surface in found:
        seen.setdefault(word, surface)
    return list(seen.items())


def _with_whole(found: list[tuple[str, str]], table: str) -> list[tuple[str, str]]:
    if len(found) < 2:
        return found
    return [*found, ("_".join(word for word, _ in found), table)]


def _compound(ranked: list[str], used: set[str]) -> str:
    first = ranked[0] if ranked else "service"
    if first not in used:
        return first
    for second in ranked[1:]:
        candidate = f"{first}_{second}"
        if candidate not in used:
            return candidate
    number = 2
    while f"{first}_{number}" in used:
        number += 1
    return f"{first}_{number}"


def _form(forms: Mapping[str, float], stem: str) -> str:
    """The written form given most weight (ties to the longer one), as an identifier."""
    best = min(forms, key=lambda form: (-forms[form], -len(form), form)) if forms else stem
    return _IDENTIFIER.sub("_", best).strip("_") or stem


def _common_prefix(modules: list[str]) -> int:
    """How many leading dotted parts every module shares (the root package, usually)."""
    if not modules:
        return 0
    parts = [module.split(".") for module in modules]
    count = 0
    for column in zip(*parts, strict=False):
        if len(set(column)) > 1:
            break
        count += 1
    shortest = min(len(p) for p in parts)
    return min(count, shortest - 1) if shortest > 1 else 0
