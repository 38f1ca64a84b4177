"""Atomic writes: whole files with ordinary permissions, and nothing left behind on failure."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from splitter.atomic import write_text_atomic


def test_writes_the_whole_text_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.html"
    write_text_atomic(target, "<p>é</p>\n")
    assert target.read_text(encoding="utf-8") == "<p>é</p>\n"
    assert stat.S_IMODE(target.stat().st_mode) & 0o044 == 0o044  # readable by others
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_text_atomic(tmp_path / "x.txt", 3)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
