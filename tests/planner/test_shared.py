"""Finding the shared library: infrastructure modules, helpers, and what only they call."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from splitter.planner.evidence import DataUse, Entry, Evidence, Link, Unit
from splitter.planner.shared import helper_candidates, helpers, infrastructure
from splitter.planner.weights import SharedRules


def unit(name: str) -> Unit:
    return Unit(name, name.rpartition(".")[0])


def evidence(
    links: Iterable[tuple[str, str]],
    writes: Sequence[tuple[str, str]] = (),
    entries: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> Evidence:
    links = list(links)
    names = sorted({n for pair in links for n in pair if "." in n} | set(extra))
    return Evidence(
        root="app",
        units=tuple(unit(n) for n in names),
        links=tuple(Link(a, b) for a, b in links),
        tables=tuple(DataUse(u, t, "write") for u, t in writes),
        entries=tuple(Entry(e, e, "http", "") for e in entries),
    )


# util is used by four modules and writes nothing; repo is used by as many but writes.
SHOP = evidence(
    links=[
        ("orders.place", "util.fmt"),
        ("payments.charge", "util.fmt"),
        ("shipping.ship", "util.fmt"),
        ("api.route", "util.fmt"),
        ("util.fmt", "util.pad"),
        ("orders.place", "repo.save"),
        ("payments.charge", "repo.save"),
        ("shipping.ship", "repo.save"),
        ("api.route", "orders.place"),
    ],
    writes=[("repo.save", "orders")],
    entries=["api.route"],
    extra=["util.unused"],
)


def test_a_module_many_modules_use_that_writes_nothing_is_infrastructure() -> None:
    found = infrastructure(SHOP, SharedRules())
    assert found.modules == ("util",)
    assert found.members == {"util.fmt", "util.pad", "util.unused"}
    assert "used by 4 modules" in dict(found.reasons)["util.fmt"]


def test_the_thresholds_are_configurable() -> None:
    assert infrastructure(SHOP, SharedRules(module_users=5)).modules == ()
    assert infrastructure(SHOP, SharedRules(enabled=False)).members == frozenset()


def test_what_only_the_shared_library_calls_joins_it() -> None:
    shop = evidence(
        links=[*((f"m{i}.f", "util.fmt") for i in range(4)), ("util.fmt", "text.pad")],
        extra=["text.other"],
    )
    found = infrastructure(shop, SharedRules())
    assert "text.pad" in found.members
    assert "text.other" not in found.members
    assert "called only by shared code" in dict(found.reasons)["text.pad"]


def test_a_helper_called_from_many_services_is_shared_unless_it_touches_data() -> None:
    shop = evidence(
        links=[
            ("a.one", "web.body"),
            ("b.two", "web.body"),
            ("c.three", "web.body"),
            ("a.one", "web.load"),
            ("b.two", "web.load"),
            ("c.three", "web.load"),
        ],
        writes=[("web.load", "items")],
    )
    base = infrastructure(shop, SharedRules())
    assert helper_candidates(shop, base) == ["web.body"]
    partition = {"a.one": "a", "b.two": "b", "c.three": "c", "web.load": "a"}
    found = helpers(shop, SharedRules(), base, partition)
    assert found.members == {"web.body"}
    assert helpers(shop, SharedRules(helper_services=4), base, partition).members == frozenset()


def test_code_tied_only_to_the_shared_library_joins_it_but_entries_never_do() -> None:
    shop = evidence(
        links=[
            *((f"m{i}.f", "util.fmt") for i in range(4)),
            ("web.on_error", "web.status"),
            ("web.on_error", "util.fmt"),
            ("web.health", "util.fmt"),
        ],
        entries=["web.health"],
    )
    base = infrastructure(shop, SharedRules())
    partition = {u.name: "s" for u in shop.units if u.name not in base.members}
    found = helpers(shop, SharedRules(), base, partition)
    assert {"web.on_error", "web.status"} <= found.members
    assert "web.health" not in found.members
