"""Database transactions the split must not cut: the code each one writes through."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from splitter.planner.evidence import Evidence


def transaction_groups(
    evidence: Evidence, left_out: Collection[str] = ()
) -> tuple[tuple[str, ...], ...]:
    """For each unit that opens a transaction, the units it writes the database through.

    A transaction lives in one database connection, which one service holds: a write made by
    another service during the transaction waits for its locks (or cannot see its rows) and
    is not undone with it. Each group holds the unit opening the transaction and every unit
    it reaches that writes a table or calls, directly or not, a unit that does; placed in
    one service, the transaction covers the same writes as in the monolith. Reads stay free
    to go elsewhere. Units in `left_out` (the shared library, which every service carries)
    are neither grouped nor followed.

    Returns:
        The groups of two units or more, each sorted, in the order of their first unit.
    """
    callees: dict[str, set[str]] = defaultdict(set)
    for link in evidence.links:
        if link.caller not in left_out and link.callee not in left_out:
            callees[link.caller].add(link.callee)
    writing = _writing(evidence, callees, left_out)
    groups = set()
    for opener in evidence.transactions:
        if opener in left_out:
            continue
        group = {unit for unit in _reached(opener, callees) if unit in writing} | {opener}
        if len(group) > 1:
            groups.add(tuple(sorted(group)))
    return tuple(sorted(groups))


def _writing(
    evidence: Evidence, callees: Mapping[str, set[str]], left_out: Collection[str]
) -> set[str]:
    """Units that write a table themselves or through the units they call."""
    callers: dict[str, set[str]] = defaultdict(set)
    for caller, called in callees.items():
        for callee in called:
            callers[callee].add(caller)
    found = {use.unit for use in evidence.tables if use.mode == "write"} - set(left_out)
    waiting = sorted(found)
    while waiting:
        for caller in callers[waiting.pop()]:
            if caller not in found:
                found.add(caller)
                waiting.append(caller)
    return found


def _reached(start: str, callees: Mapping[str, set[str]]) -> set[str]:
    seen = {start}
    waiting = [start]
    while waiting:
        for callee in callees.get(waiting.pop(), ()):
            if callee not in seen:
                seen.add(callee)
                waiting.append(callee)
    return seen
