"""Fixtures shared by the analyzer's tests."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from splitter.analyzer import project
from splitter.analyzer.facts import FileFacts, FileProblem
from splitter.analyzer.model import Analysis
from splitter.analyzer.resolve import resolve_project


class CountingResolver:
    """Stands in for `resolve_project` in `splitter.analyzer.project`, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(
        self,
        facts: Sequence[FileFacts],
        problems: Sequence[FileProblem],
        root: str,
        declared_entry_points: Sequence[str] = (),
    ) -> Analysis:
        self.calls += 1
        return resolve_project(facts, problems, root, declared_entry_points)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> CountingResolver:
    counting = CountingResolver()
    monkeypatch.setattr(project, "resolve_project", counting)
    return counting
