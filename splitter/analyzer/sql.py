"""Tables named in SQL text: which a statement reads, writes or defines.

This is a scanner, not a SQL parser: it finds the table names that follow the keywords that
introduce them (FROM, JOIN, INTO, UPDATE, DELETE FROM, CREATE TABLE), which is what an owner
of a table needs to know, and it stays silent on text that is not SQL.
"""

from __future__ import annotations

import re
from typing import Literal

Mode = Literal["read", "write", "define"]

_IDENT = r"""[`"\[]?(?:\w+[`"\]]?\.[`"\[]?)?(\w+)[`"\]]?"""
_STATEMENT_START = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|WITH)\b")
_STATEMENT_START_ANY_CASE = re.compile(
    r"\b(select|insert|update|delete|replace|create|with)\b", re.IGNORECASE
)
_SOURCES: tuple[tuple[str, Mode], ...] = (
    (r"\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+" + _IDENT, "write"),
    (r"\bREPLACE\s+INTO\s+" + _IDENT, "write"),
    (r"\bUPDATE\s+(?:OR\s+\w+\s+)?" + _IDENT + r"\s+SET\b", "write"),
    (r"\bDELETE\s+FROM\s+" + _IDENT, "write"),
    (r"\bCREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _IDENT, "define"),
    (r"\bFROM\s+" + _IDENT, "read"),
    (r"\bJOIN\s+" + _IDENT, "read"),
)
_PATTERNS = tuple((re.compile(pattern, re.IGNORECASE), mode) for pattern, mode in _SOURCES)
_FROM_LIST = re.compile(r"\bFROM\s+((?:\w+(?:\s+(?:AS\s+)?\w+)?\s*,\s*)+\w+)", re.IGNORECASE)
_CTE_NAME = re.compile(r"(?:\bWITH(?:\s+RECURSIVE)?|,)\s*(\w+)\s+AS\s*\(", re.IGNORECASE)
_SQL_WORDS = frozenset(
    {
        "select",
        "where",
        "set",
        "values",
        "on",
        "as",
        "join",
        "inner",
        "outer",
        "left",
        "right",
        "cross",
        "using",
        "natural",
        "group",
        "order",
        "by",
        "limit",
        "having",
        "union",
        "from",
        "into",
        "table",
        "lateral",
        "unnest",
    }
)


def looks_like_sql(text: str, *, any_case: bool) -> bool:
    """Tell whether `text` may hold a SQL statement.

    Args:
        text: a string literal's value.
        any_case: accept lower-case keywords (for strings passed straight to `execute`);
            otherwise the statement keyword must be upper case, as prose rarely is.
    """
    pattern = _STATEMENT_START_ANY_CASE if any_case else _STATEMENT_START
    return pattern.search(text) is not None


def tables_in_sql(text: str) -> list[tuple[str, Mode]]:
    """Return the tables `text` touches with the strongest mode each, in order of appearance.

    Names defined by a `WITH name AS (...)` clause are not tables and are left out.
    """
    ctes = {name.lower() for name in _CTE_NAME.findall(text)}
    found: dict[str, tuple[int, Mode]] = {}
    for pattern, mode in _PATTERNS:
        for match in pattern.finditer(text):
            _note(found, match.group(1), match.start(1), mode, ctes)
    for match in _FROM_LIST.finditer(text):
        for item in match.group(1).split(","):
            _note(found, item.split()[0], match.start(1), "read", ctes)
    ordered = sorted(found.items(), key=lambda item: item[1][0])
    return [(name, mode) for name, (_, mode) in ordered]


_STRENGTH: dict[Mode, int] = {"read": 0, "write": 1, "define": 2}


def _note(
    found: dict[str, tuple[int, Mode]], name: str, position: int, mode: Mode, ctes: set[str]
) -> None:
    key = name.lower()
    if key in ctes or key in _SQL_WORDS or not name.isidentifier():
        return
    previous = found.get(key)
    if previous is None:
        found[key] = (position, mode)
    elif _STRENGTH[mode] > _STRENGTH[previous[1]]:
        found[key] = (min(position, previous[0]), mode)
