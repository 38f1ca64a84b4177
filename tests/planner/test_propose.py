"""Proposals for a small shop built by hand: services, shared code, constraints, settings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from splitter.planner.assignment import SHARED
from splitter.planner.constraints import Constraints
from splitter.planner.evidence import DataUse, Entry, Evidence, Link, Unit
from splitter.planner.propose import Proposal, propose
from splitter.planner.weights import Settings, Weights

CALLS = [
    ("api.order_route", "orders.place"),
    ("api.pay_route", "payments.charge"),
    ("api.stock_route", "stock.reserve"),
    ("orders.place", "orders.load"),
    ("orders.place", "orders.save"),
    ("orders.place", "orders.add_line"),
    ("orders.load", "orders.lines"),
    ("orders.place", "payments.charge"),
    ("orders.place", "stock.reserve"),
    ("payments.charge", "payments.record"),
    ("payments.refund", "payments.record"),
    ("payments.charge", "payments.Gateway.send"),
    ("payments.Gateway.send", "payments.Gateway.sign"),
    ("stock.reserve", "stock.adjust"),
    ("stock.release", "stock.adjust"),
    ("stock.reserve", "stock.level"),
]
WRITES = [
    ("orders.save", "orders"),
    ("orders.add_line", "order_lines"),
    ("payments.record", "payments"),
    ("stock.adjust", "stock_levels"),
]
READS = [
    ("orders.load", "orders"),
    ("orders.lines", "order_lines"),
    ("stock.level", "stock_levels"),
]
DOMAINS = ("orders", "payments", "stock")


def small_shop(
    extra_units: tuple[str, ...] = (),
    extra_calls: tuple[tuple[str, str], ...] = (),
    transactions: tuple[str, ...] = ("orders.save",),
) -> Evidence:
    """Three domains, an API module whose routes each call one of them, and a `util` module
    every module uses. `orders.save` opens a transaction (it writes `orders` only)."""
    calls = [*CALLS, *extra_calls]
    calls += [
        (f"{m}.{f}", "util.fmt")
        for m, f in [
            ("orders", "place"),
            ("payments", "charge"),
            ("stock", "reserve"),
            ("api", "order_route"),
        ]
    ]
    calls.append(("util.fmt", "util.pad"))
    names = sorted({n for pair in calls for n in pair} | set(extra_units) | {"util.now"})
    units = tuple(
        Unit(
            n,
            n.split(".")[0],
            f"{n.split('.')[0]}.py",
            i * 10 + 1,
            i * 10 + 5,
            "payments.Gateway" if ".Gateway." in n else "",
        )
        for i, n in enumerate(names)
    )
    return Evidence(
        root="shop",
        units=units,
        links=tuple(
            Link(a, b, ((f"{a.split('.')[0]}.py", i + 1),)) for i, (a, b) in enumerate(calls)
        ),
        tables=tuple(
            [DataUse(u, t, "write") for u, t in WRITES] + [DataUse(u, t, "read") for u, t in READS]
        ),
        transactions=transactions,
        entries=tuple(
            Entry(f"api.{r}", f"api.{r}", "http", f"POST /{r}", "api.py", 1)
            for r in ("order_route", "pay_route", "stock_route")
        ),
    )


def services_of(proposal: Proposal) -> dict[str, str]:
    return dict(proposal.assignment)


def test_three_domains_three_services_and_a_shared_library() -> None:
    proposal = propose(small_shop())
    placed = services_of(proposal)
    assert {placed["util.fmt"], placed["util.pad"], placed["util.now"]} == {SHARED}
    for domain in DOMAINS:
        group = {service for unit, service in placed.items() if unit.startswith(domain + ".")}
        assert group == {domain}
    assert placed["api.pay_route"] == "payments"
    assert {s.name: s.tables for s in proposal.plan.services}["orders"] == ("order_lines", "orders")
    assert proposal.plan.shared.members == ("util.*",)


def test_a_transaction_is_not_cut_by_the_split() -> None:
    # orders.place writes through payments and stock inside its transaction: one service
    placed = services_of(propose(small_shop(transactions=("orders.place",))))
    writers = ("orders.place", "orders.save", "orders.add_line", "payments.charge")
    writers += ("payments.record", "stock.reserve", "stock.adjust")
    assert len({placed[unit] for unit in writers}) == 1
    assert placed["payments.refund"] != SHARED  # reads and other writers stay free


def test_workflows_cross_calls_and_cycles() -> None:
    plan = propose(small_shop(extra_calls=(("payments.charge", "orders.load"),))).plan
    order_route = next(w for w in plan.workflows if w.name == "order_route")
    assert [s.service for s in order_route.steps] == ["orders", "payments", "stock"]
    assert ("orders", "payments") in {
        (c.caller_service, c.callee_service) for c in plan.cross_calls
    }
    assert ("orders", "payments") in plan.cycles


def test_a_table_two_services_write_is_a_conflict() -> None:
    shop = small_shop()
    shop = replace(shop, tables=(*shop.tables, DataUse("payments.record", "orders", "write")))
    pins = Constraints(pins=(("orders.save", "orders"), ("payments.record", "payments")))
    [conflict] = propose(shop, constraints=pins).plan.conflicts
    assert (conflict.table, conflict.owner) == ("orders", "orders")
    assert conflict.writers == (("payments", "payments.record"),)


def test_pins_keep_together_keep_apart_and_exclude() -> None:
    constraints = Constraints(
        pins=(("stock.release", "payments"), ("orders.lines", "shared")),
        keep_together=(("api.*",),),
        exclude=("util.now",),
    )
    placed = services_of(propose(small_shop(), constraints=constraints))
    assert placed["stock.release"] == "payments"
    assert placed["orders.lines"] == SHARED
    assert len({placed[f"api.{r}"] for r in ("order_route", "pay_route", "stock_route")}) == 1
    assert "util.now" not in placed
    apart = Constraints(
        keep_together=(("orders.*", "payments.*"),),
        keep_apart=(("orders.place", "payments.charge"),),
    )
    placed = services_of(propose(small_shop(), constraints=apart))
    assert placed["orders.place"] != placed["payments.charge"]


def test_classes_stay_whole() -> None:
    placed = services_of(propose(small_shop(), Settings(services=2)))
    assert placed["payments.Gateway.send"] == placed["payments.Gateway.sign"]


def test_weights_change_the_proposal() -> None:
    apart = propose(small_shop())
    together = propose(
        small_shop(),
        Settings(
            weights=Weights(
                call=20.0, module=0.0, table_write=0.0, table_read=0.0, names=0.0, transaction=0.0
            )
        ),
    )
    assert len(together.plan.services) <= len(apart.plan.services)
    assert together.settings.weights.changed()["call"] == 20.0


def test_one_view_behind_several_routes_is_one_workflow_and_the_plan_reads_back(
    tmp_path: Path,
) -> None:
    from splitter.analyzer.project import analyze_path
    from splitter.planner.export import plan_document
    from splitter.planner.planfile import render_plan_file
    from splitter.planner.planread import parse_plan_file
    from splitter.planner.propose import propose_from_analysis

    (tmp_path / "views.py").write_text(
        "from django.urls import path\n"
        "import models\n\n"
        "def detail(request, slug=None):\n"
        "    return models.load(slug)\n\n"
        "urlpatterns = [\n"
        "    path('a/', detail),\n"
        "    path('a/<slug>/', detail, name='detail'),\n"
        "    path('b/', detail, {'slug': None}),\n"
        "]\n"
    )
    (tmp_path / "models.py").write_text("def load(slug):\n    return slug\n")
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    assert len([e for e in analysis.entry_points if e.function == "views.detail"]) == 3
    proposal = propose_from_analysis(analysis)
    assert [w.entry for w in proposal.plan.workflows].count("views.detail") == 1
    text = render_plan_file(plan_document(proposal, str(tmp_path), proposal.choice.reason))
    assert [w.entry for w in parse_plan_file(text).plan.workflows] == ["views.detail"]


def test_workflow_names_stay_unique_however_alike_the_entries_are() -> None:
    from splitter.planner.workflows import workflow_names

    qualnames = [
        "shop.management.commands.publish.Command.handle",
        "shop.management.commands.purge.Command.handle",
        "shop.api.get_order",
        "shop.views.get_order",
        "shop.place_order",
        "a_b.c",
        "a.b_c",
    ]
    entries = tuple(Entry(q, q, "cli", "") for q in qualnames)
    names = workflow_names(entries)
    assert sorted(names) == sorted(qualnames)
    assert len(set(names.values())) == len(qualnames)
    assert names["shop.place_order"] == "place_order"
    assert names["shop.api.get_order"] == "api_get_order"
    assert names["shop.management.commands.purge.Command.handle"] == "purge_Command_handle"
