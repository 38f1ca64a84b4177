"""The check that no compiled analyzer module runs code its source no longer holds."""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
from pathlib import Path

import pytest

from splitter.analyzer import compiled
from splitter.analyzer.compiled import (
    COMPILED_MODULES,
    RECORD_NAME,
    check_compiled,
    compiled_modules,
    source_digest,
    stale_modules,
)
from splitter.analyzer.project import analyze_path
from splitter.errors import AnalysisError

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def build(folder: Path, sources: dict[str, bytes], *, compiled_copies: list[str]) -> None:
    """A package folder as a compiling build leaves it: sources, copies, the record."""
    for name, source in sources.items():
        (folder / f"{name}.py").write_bytes(source)
    for name in compiled_copies:
        (folder / f"{name}{SUFFIX}").write_bytes(b"\x7fELF")
    record = {name: source_digest(sources[name]) for name in compiled_copies}
    (folder / RECORD_NAME).write_text(json.dumps(record))


def test_a_folder_without_compiled_copies_has_nothing_stale(tmp_path: Path) -> None:
    (tmp_path / "resolve.py").write_text("x = 1\n")
    assert compiled_modules(tmp_path) == []
    assert stale_modules(tmp_path) == []
    check_compiled(tmp_path)


def test_copies_made_from_the_present_sources_are_not_stale(tmp_path: Path) -> None:
    build(tmp_path, {"resolve": b"a = 1\n", "scopes": b"b = 2\n"}, compiled_copies=["resolve"])
    assert compiled_modules(tmp_path) == ["resolve"]
    assert stale_modules(tmp_path) == []
    check_compiled(tmp_path)


def test_a_source_edited_after_the_build_is_stale(tmp_path: Path) -> None:
    build(
        tmp_path,
        {"resolve": b"a = 1\n", "scopes": b"b = 2\n"},
        compiled_copies=["resolve", "scopes"],
    )
    (tmp_path / "scopes.py").write_text("b = 3\n")
    assert stale_modules(tmp_path) == ["scopes"]
    with pytest.raises(AnalysisError) as raised:
        check_compiled(tmp_path)
    assert "scopes.py" in raised.value.message and "resolve.py" not in raised.value.message
    assert "SPLITTER_COMPILE=1 pip install -e ." in raised.value.hint


def test_a_compiled_copy_no_build_recorded_is_stale(tmp_path: Path) -> None:
    build(tmp_path, {"sql": b"c = 1\n"}, compiled_copies=["sql"])
    (tmp_path / RECORD_NAME).write_text("not json")
    assert stale_modules(tmp_path) == ["sql"]


def test_a_compiled_copy_installed_without_its_source_is_not_compared(tmp_path: Path) -> None:
    build(tmp_path, {"results": b"d = 1\n"}, compiled_copies=["results"])
    (tmp_path / "results.py").unlink()
    assert compiled_modules(tmp_path) == ["results"]
    assert stale_modules(tmp_path) == []


def test_only_the_modules_the_build_compiles_are_looked_at(tmp_path: Path) -> None:
    build(tmp_path, {"extract": b"e = 1\n"}, compiled_copies=["extract"])
    (tmp_path / "extract.py").write_text("e = 2\n")
    assert "extract" not in COMPILED_MODULES
    assert stale_modules(tmp_path) == []


def test_analyze_refuses_to_run_a_stale_compiled_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "analyzer"
    package.mkdir()
    build(package, {"resolve": b"a = 1\n"}, compiled_copies=["resolve"])
    (package / "resolve.py").write_text("a = 2\n")
    monkeypatch.setattr(compiled, "_FOLDER", package)
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("print('never run')\n")
    with pytest.raises(AnalysisError, match=r"resolve\.py in .* changed after it was compiled"):
        analyze_path(code, cache_dir=None)


@pytest.mark.skipif(
    os.environ.get("SPLITTER_EXPECT_COMPILED") != "1",
    reason="set SPLITTER_EXPECT_COMPILED=1 after `SPLITTER_COMPILE=1 pip install -e .`",
)
def test_a_compiling_build_compiled_every_module_it_names() -> None:
    folder = Path(compiled.__file__).parent
    assert compiled_modules(folder) == list(COMPILED_MODULES)
    assert stale_modules(folder) == []
    for name in COMPILED_MODULES:
        module = importlib.import_module(f"splitter.analyzer.{name}")
        assert module.__file__ is not None and module.__file__.endswith(SUFFIX)
