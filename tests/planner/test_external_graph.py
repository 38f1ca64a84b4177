"""Planning from an external weighted call graph in the documented JSON format."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from splitter.errors import InputError
from splitter.planner.external_graph import graph_evidence, read_graph
from splitter.planner.propose import propose


def traces() -> dict[str, Any]:
    """Two groups of functions tied by heavy traffic, one light call between them."""
    checkout = ["cart.add", "cart.total", "cart.items", "cart.clear"]
    billing = ["bill.charge", "bill.refund", "bill.receipt", "bill.audit"]
    edges = [
        {"source": a, "target": b, "weight": 50}
        for group in (checkout, billing)
        for a, b in pairwise(group)
    ]
    edges.append({"source": "cart.total", "target": "bill.charge", "weight": 1})
    return {
        "nodes": [{"id": name, "lines": 10} for name in checkout + billing],
        "edges": edges,
        "contexts": {"checkout": checkout, "billing": billing},
        "tables": {"cart.clear": {"carts": "write"}, "bill.receipt": {"bills": "write"}},
        "entries": ["cart.add", {"id": "bill.refund", "kind": "http", "detail": "POST /refund"}],
    }


def test_an_external_graph_gives_the_same_kind_of_proposal(tmp_path: Path) -> None:
    path = tmp_path / "traces.json"
    path.write_text(json.dumps(traces()))
    proposal = propose(read_graph(path))
    placed = dict(proposal.assignment)
    assert placed["cart.add"] == placed["cart.clear"] != placed["bill.charge"]
    assert {s.name: s.tables for s in proposal.plan.services}[placed["cart.add"]] == ("carts",)
    assert proposal.figures.business_context_purity == 0.0
    assert {w.name for w in proposal.plan.workflows} == {"add", "refund"}
    assert proposal.figures.inter_call_percentage < 0.01


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda g: g.pop("nodes"), "nodes must be a non-empty list"),
        (lambda g: g["nodes"].append({"id": "cart.add"}), "appears twice"),
        (lambda g: g["edges"].append({"source": "x", "target": "cart.add"}), "edges\\[7\\]"),
        (lambda g: g["edges"][0].update(weight=-1), "weight must be a number > 0"),
        (lambda g: g["tables"].update({"cart.add": {"t": "delete"}}), 'read" or "write'),
        (lambda g: g["contexts"].update(bad=["nope"]), "contexts.bad"),
        (lambda g: g["entries"].append("nope"), "entries\\[2\\]"),
    ],
)
def test_malformed_graphs_are_input_errors(change: Any, message: str) -> None:
    graph = traces()
    change(graph)
    with pytest.raises(InputError, match=message) as error:
        graph_evidence(graph, "traces.json")
    assert "docs/planner.md" in error.value.hint


def test_a_file_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "traces.json"
    path.write_text('{"nodes": [\n  oops\n]}')
    with pytest.raises(InputError, match=r"traces\.json:2: not JSON"):
        read_graph(path)
