"""Why each function sits where it does: its strongest ties inside its own service."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from splitter.planner.graph import MODULE, STATE, TABLE, Tie
from splitter.planner.plan import Reason

TOP_REASONS = 3


def explain(
    unit_ties: Iterable[Tie],
    partition: Mapping[str, str],
    table_owner: Mapping[str, str],
    shared_reasons: Mapping[str, str],
    *,
    top: int = TOP_REASONS,
) -> tuple[Reason, ...]:
    """For every placed unit, the `top` strongest ties to its own service, strongest first.

    Args:
        unit_ties: the ties of `splitter.planner.graph.ties`.
        partition: unit -> service, shared units left out.
        table_owner: table -> owning service.
        shared_reasons: unit -> why it is in the shared library.
        top: how many ties to give per unit.
    """
    weight: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    resource_users: dict[str, Counter[str]] = defaultdict(Counter)
    for tie in unit_ties:
        if tie.target.startswith((STATE, MODULE)):
            resource_users[tie.target][partition.get(tie.source, "")] += 1
    for tie in unit_ties:
        for unit, text in _phrases(tie, partition, table_owner, resource_users):
            weight[unit][text] += tie.weight
    found = [Reason(unit, (f"shared library: {why}",)) for unit, why in shared_reasons.items()]
    for unit in partition:
        ranked = sorted(weight[unit], key=lambda text: (-weight[unit][text], text))
        found.append(Reason(unit, tuple(ranked[:top]) or ("no tie to any other code",)))
    return tuple(sorted(found, key=lambda reason: reason.function))


def _phrases(
    tie: Tie,
    partition: Mapping[str, str],
    table_owner: Mapping[str, str],
    users: Mapping[str, Counter[str]],
) -> list[tuple[str, str]]:
    """(unit, phrase) for each end of the tie it explains."""
    service = partition.get(tie.source)
    if service is None:
        return []
    if tie.kind == "call":
        if partition.get(tie.target) != service:
            return []
        return [(tie.source, f"calls {tie.target}"), (tie.target, f"called by {tie.source}")]
    if tie.target.startswith(TABLE):
        table = tie.target.removeprefix(TABLE)
        if table_owner.get(table) != service:
            return []
        return [(tie.source, _table_phrase(tie, table))]
    others = users.get(tie.target, Counter())[service] - 1
    if others <= 0:
        return []
    if tie.target.startswith(STATE):
        return [(tie.source, f"shares {tie.target.removeprefix(STATE)} with {others} more")]
    module = tie.target.removeprefix(MODULE)
    return [(tie.source, f"in module {module} with {others} more of its functions")]


def _table_phrase(tie: Tie, table: str) -> str:
    if tie.kind == "transaction":
        return f"writes table {table} in its transaction"
    if tie.kind == "names":
        return f"named after table {table}"
    return f"{'writes' if tie.detail == 'write' else 'reads'} table {table}"
