"""Turning the bytes of a source file into text the way Python would, or saying why not."""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from pathlib import Path

from splitter.analyzer.facts import FileProblem

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""Files above this size are skipped: they are almost always generated data, not code."""

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]")


def decode_source(
    data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> str | FileProblem:
    """Decode a source file as the interpreter would (BOM, PEP 263 encoding cookie, else UTF-8).

    Args:
        data: the file's bytes.
        path: the path reported in a problem.
        max_bytes: the size above which the file is skipped as too large.

    Returns:
        The text (an empty file gives ""), or a `FileProblem` of kind "too-large", "binary"
        (a NUL byte, which no source file holds) or "encoding" (an unknown or unusable cookie, or
        bytes the declared encoding cannot decode), with the line where it was found.
    """
    if len(data) > max_bytes:
        return too_large(path, len(data), max_bytes)
    nul = data.find(b"\0")
    if nul >= 0:
        return FileProblem(path, _line_at(data, nul), "binary", "NUL byte: not a text file")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        return FileProblem(path, _declaration_line(data), "encoding", error.msg)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        reason = f"byte {data[error.start]:#04x} is not valid {encoding}"
        return FileProblem(path, _line_at(data, error.start), "encoding", reason)
    except LookupError as error:
        return FileProblem(path, _declaration_line(data), "encoding", str(error))


def too_large(path: str, size: int, max_bytes: int) -> FileProblem:
    """The problem reported for a file of `size` bytes when the limit is `max_bytes`."""
    reason = f"{size:,} bytes is over the {max_bytes:,}-byte limit (generated code?)"
    return FileProblem(path, 1, "too-large", reason)


def _line_at(data: bytes, offset: int) -> int:
    # The sentinel makes a partial last line count; splitlines knows \r, \n and \r\n.
    return len((data[:offset] + b"x").splitlines())


def _declaration_line(data: bytes) -> int:
    """The line of the encoding cookie, else of the first byte that is not UTF-8."""
    lines = data.removeprefix(codecs.BOM_UTF8).splitlines()[:2]
    for number, line in enumerate(lines, start=1):
        if _COOKIE.match(line):
            return number
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return _line_at(data, error.start)
    return 1


def read_module_source(root: Path, relative: str) -> str | None:
    """An analyzed file's text, decoded as the analyzer decoded it; None when it cannot be."""
    try:
        data = (root / relative).read_bytes()
    except OSError:
        return None
    text = decode_source(data, relative)
    return None if isinstance(text, FileProblem) else text
