"""Tests for decoding source bytes the way the interpreter does."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from splitter.analyzer.facts import FileProblem
from splitter.analyzer.sources import DEFAULT_MAX_BYTES, decode_source


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param(b"", "", id="empty"),
        pytest.param(b"x = 'caf\xc3\xa9'\n", "x = 'café'\n", id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + b"x = 1\n", "x = 1\n", id="bom"),
        pytest.param(
            codecs.BOM_UTF8 + b"# coding: utf-8\nx = 1\n",
            "# coding: utf-8\nx = 1\n",
            id="bom-utf-8",
        ),
        pytest.param(
            b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
            "# -*- coding: latin-1 -*-\nx = 'é'\n",
            id="latin-1-cookie",
        ),
        pytest.param(
            b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = '\x80'\n",
            "#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = '€'\n",
            id="cookie-on-line-2",
        ),
        pytest.param(b"x = 1\r\ny = 2\r\n", "x = 1\r\ny = 2\r\n", id="crlf"),
    ],
)
def test_decodes_like_the_interpreter(data: bytes, text: str) -> None:
    assert decode_source(data, "m.py") == text


@pytest.mark.parametrize(
    ("data", "kind", "line"),
    [
        pytest.param(b"# coding: klingon\nx = 1\n", "encoding", 1, id="unknown-cookie"),
        pytest.param(b"#!/bin/python\n# coding: nope\n", "encoding", 2, id="unknown-cookie-line-2"),
        pytest.param(codecs.BOM_UTF8 + b"# coding: latin-1\n", "encoding", 1, id="bom-and-latin-1"),
        pytest.param(b"# coding: rot13\nx = 1\n", "encoding", 1, id="not-a-text-encoding"),
        pytest.param(b"x = 1\ny = 2\n\nz = '\xff'\n", "encoding", 4, id="invalid-utf-8"),
        pytest.param(b"x = '\xff'\n", "encoding", 1, id="invalid-utf-8-line-1"),
        pytest.param(b"a = 1\rb = 2\rc = '\xff'\r", "encoding", 3, id="cr-newlines"),
        pytest.param(b"x = 1\n\ny = '\0'\n", "binary", 3, id="nul-byte"),
        pytest.param(bytes(range(256)) * 8, "binary", 1, id="binary-junk"),
        pytest.param(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary", 3, id="png"),
    ],
)
def test_bad_bytes_are_a_problem_with_a_line(data: bytes, kind: str, line: int) -> None:
    problem = decode_source(data, "pkg/m.py")

    assert isinstance(problem, FileProblem)
    assert (problem.path, problem.kind, problem.line) == ("pkg/m.py", kind, line)
    assert problem.reason


def test_the_size_cap_is_a_parameter() -> None:
    data = b"x = 1\n" * 100

    assert decode_source(data, "m.py", max_bytes=len(data)) == data.decode()
    problem = decode_source(data, "m.py", max_bytes=len(data) - 1)

    assert isinstance(problem, FileProblem)
    assert problem.kind == "too-large"
    assert "600" in problem.reason


def test_a_10_mb_generated_file_is_reported_not_a_crash(tmp_path: Path) -> None:
    generated = tmp_path / "generated_table.py"
    row = b"    (1, 'a fairly long generated string value', 3.14159, None),\n"
    generated.write_bytes(b"TABLE = [\n" + row * (10 * 1024 * 1024 // len(row)) + b"]\n")

    problem = decode_source(generated.read_bytes(), "generated_table.py")

    assert isinstance(problem, FileProblem)
    assert problem.kind == "too-large"
    assert f"{DEFAULT_MAX_BYTES:,}" in problem.reason


def test_read_module_source_decodes_as_the_analyzer_does(tmp_path: Path) -> None:
    from splitter.analyzer.sources import read_module_source

    (tmp_path / "legacy.py").write_bytes(b"# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\n")
    assert read_module_source(tmp_path, "legacy.py") == "# -*- coding: latin-1 -*-\nNAME = 'été'\n"
    assert read_module_source(tmp_path, "missing.py") is None
