"""State transitions per execution of a state machine, and its monthly cost as a Standard and
as an Express workflow at a given volume.

Prices: AWS Step Functions pricing, US East (N. Virginia), https://aws.amazon.com/step-functions/pricing/
(checked 2026-11-27). Standard: $0.025 per 1,000 state transitions, retries included, 4,000
free a month. Express: $1.00 per million requests, plus duration rounded up to 100 ms times
memory billed in 64 MB chunks, at $0.06000 per GB-hour for the first 1,000 GB-hours a month,
$0.03000 for the next 4,000 and $0.01642 beyond ($0.06 per GB-hour is $0.00001667 per
GB-second). Memory is estimated as the page's examples do: 50 MB + the definition's size +
the execution data times the Map (or Parallel) iterations.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STANDARD_PER_TRANSITION = 0.025 / 1_000
STANDARD_FREE_TRANSITIONS = 4_000
EXPRESS_PER_REQUEST = 1.00 / 1_000_000
EXPRESS_GB_HOUR_TIERS = ((1_000.0, 0.06000), (4_000.0, 0.03000), (math.inf, 0.01642))
EXPRESS_BASE_MEMORY_MB = 50.0
EXPRESS_MEMORY_CHUNK_MB = 64
EXPRESS_DURATION_STEP_MS = 100
DEFAULT_VOLUME = 1_000_000
"""Executions a month the report prices when not told otherwise."""


@dataclass(frozen=True)
class CostAssumptions:
    """What the estimate cannot know from the definition: items a Map iterates over, the
    time a Task (one Lambda invocation) and any other state take, the execution data size."""

    map_items: int = 10
    task_ms: int = 100
    other_ms: int = 0
    payload_kb: float = 32.0

    def __str__(self) -> str:
        return (
            f"each Map iterates over {self.map_items} items, a Task takes {self.task_ms} ms, "
            f"other states {self.other_ms} ms, {self.payload_kb:g} KB of execution data"
        )


@dataclass(frozen=True, order=True)
class PathLength:
    """States entered along one run, and how many of them are Tasks."""

    states: int
    tasks: int


@dataclass(frozen=True)
class Transitions:
    """The shortest and the longest successful run (no error, no retry)."""

    fewest: PathLength
    most: PathLength

    def __str__(self) -> str:
        low, high = self.fewest.states, self.most.states
        return str(low) if low == high else f"{low}-{high}"


@dataclass(frozen=True)
class CostEstimate:
    """The monthly cost of `volume` executions, priced on the longest successful run."""

    volume: int
    transitions: Transitions
    standard: float
    express_requests: float
    express_duration: float
    billed_ms: int
    billed_mb: int
    assumptions: CostAssumptions

    @property
    def express(self) -> float:
        return self.express_requests + self.express_duration

    @property
    def cheaper(self) -> str:
        return "Express" if self.express < self.standard else "Standard"

    def __str__(self) -> str:
        return (
            f"{self.transitions} transitions; {self.volume:,} executions a month: "
            f"Standard ${self.standard:,.2f}, Express ${self.express:,.2f}"
        )


def state_transitions(definition: Mapping[str, Any], map_items: int = 10) -> Transitions:
    """Count the states entered from `StartAt` to the end, along the shortest and the longest
    path that ends without a Fail; a Map counts once plus its iteration `map_items` times.
    Catch targets are not followed (they run on errors); a machine whose every path fails
    is counted with its Fail states."""
    states = definition.get("States", {})
    start = str(definition.get("StartAt", ""))
    walk = _Walk(states, map_items, allow_fail=False)
    found = walk.paths(start)
    if found is None:
        found = _Walk(states, map_items, allow_fail=True).paths(start)
    empty = PathLength(0, 0)
    return Transitions(*(found or (empty, empty)))


def estimate_cost(
    definition: Mapping[str, Any],
    volume: int = DEFAULT_VOLUME,
    assumptions: CostAssumptions | None = None,
) -> CostEstimate:
    """Price `volume` executions a month of `definition` as Standard and as Express."""
    assumptions = assumptions or CostAssumptions()
    transitions = state_transitions(definition, assumptions.map_items)
    most = transitions.most
    duration = most.tasks * assumptions.task_ms + (most.states - most.tasks) * assumptions.other_ms
    billed_ms = max(1, math.ceil(duration / EXPRESS_DURATION_STEP_MS)) * EXPRESS_DURATION_STEP_MS
    billed_mb = _billed_memory(definition, assumptions)
    return CostEstimate(
        volume=volume,
        transitions=transitions,
        standard=standard_cost(most.states, volume),
        express_requests=volume * EXPRESS_PER_REQUEST,
        express_duration=express_duration_cost(volume, billed_ms, billed_mb),
        billed_ms=billed_ms,
        billed_mb=billed_mb,
        assumptions=assumptions,
    )


def standard_cost(transitions_per_execution: int, volume: int) -> float:
    """Dollars a month for a Standard workflow (the account's free 4,000 not taken off)."""
    return transitions_per_execution * volume * STANDARD_PER_TRANSITION


def express_duration_cost(volume: int, billed_ms: int, billed_mb: int) -> float:
    """Dollars a month for the duration of `volume` Express executions, tiered by GB-hour."""
    gb_hours = volume * billed_ms / 1000 * billed_mb / 1024 / 3600
    cost, left = 0.0, gb_hours
    for size, price in EXPRESS_GB_HOUR_TIERS:
        used = min(left, size)
        cost += used * price
        left -= used
        if left <= 0:
            break
    return cost


def _billed_memory(definition: Mapping[str, Any], assumptions: CostAssumptions) -> int:
    size_mb = len(json.dumps(definition).encode("utf-8")) / 1024 / 1024
    iterations = assumptions.map_items if _has_map(definition.get("States", {})) else 1
    data_mb = assumptions.payload_kb / 1024 * max(iterations, 1)
    used = EXPRESS_BASE_MEMORY_MB + size_mb + data_mb
    return math.ceil(used / EXPRESS_MEMORY_CHUNK_MB) * EXPRESS_MEMORY_CHUNK_MB


def _has_map(states: Mapping[str, Any]) -> bool:
    return any(
        isinstance(s, dict) and s.get("Type") in ("Map", "Parallel") for s in states.values()
    )


Span = tuple[PathLength, PathLength]


class _Walk:
    """Shortest and longest paths through a state graph, memoized, loops cut."""

    def __init__(self, states: Mapping[str, Any], map_items: int, *, allow_fail: bool) -> None:
        self.states = states
        self.map_items = map_items
        self.allow_fail = allow_fail
        self.memo: dict[str, Span | None] = {}
        self.visiting: set[str] = set()

    def paths(self, name: str) -> Span | None:
        if name in self.memo:
            return self.memo[name]
        state = self.states.get(name)
        if not isinstance(state, dict) or name in self.visiting:
            return None
        self.visiting.add(name)
        found = self._through(state)
        self.visiting.discard(name)
        self.memo[name] = found
        return found

    def _through(self, state: Mapping[str, Any]) -> Span | None:
        kind = state.get("Type")
        if kind == "Fail" and not self.allow_fail:
            return None
        own = self._own(state)
        following = [span for name in _next_states(state) if (span := self.paths(name))]
        if not following:
            ends = state.get("End") is True or kind in ("Fail", "Succeed")
            return (own, own) if ends else None
        low = min(span[0] for span in following)
        high = max(span[1] for span in following)
        return (_plus(own, low), _plus(own, high))

    def _own(self, state: Mapping[str, Any]) -> PathLength:
        task = 1 if state.get("Type") == "Task" else 0
        inner = state.get("ItemProcessor") or state.get("Iterator")
        if state.get("Type") != "Map" or not isinstance(inner, dict):
            return PathLength(1, task)
        walk = _Walk(inner.get("States", {}), self.map_items, allow_fail=self.allow_fail)
        span = walk.paths(str(inner.get("StartAt", "")))
        body = span[1] if span else PathLength(0, 0)
        return PathLength(1 + self.map_items * body.states, self.map_items * body.tasks)


def _next_states(state: Mapping[str, Any]) -> list[str]:
    found = [state["Next"]] if isinstance(state.get("Next"), str) else []
    found += [c["Next"] for c in state.get("Choices", ()) if isinstance(c, dict) and "Next" in c]
    if isinstance(state.get("Default"), str):
        found.append(state["Default"])
    return [str(name) for name in found]


def _plus(first: PathLength, second: PathLength) -> PathLength:
    return PathLength(first.states + second.states, first.tasks + second.tasks)
