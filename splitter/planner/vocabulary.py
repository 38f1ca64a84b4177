"""The nouns in identifiers: what names, tables and routes talk about, verbs left out."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")

VERBS = frozenset(
    {
        "add",
        "allocate",
        "apply",
        "assert",
        "build",
        "calc",
        "calculate",
        "call",
        "cancel",
        "change",
        "check",
        "clean",
        "clear",
        "close",
        "compute",
        "convert",
        "count",
        "create",
        "decode",
        "delete",
        "do",
        "dump",
        "encode",
        "ensure",
        "exec",
        "execute",
        "expire",
        "fetch",
        "fill",
        "find",
        "flush",
        "format",
        "from",
        "generate",
        "get",
        "handle",
        "has",
        "init",
        "insert",
        "is",
        "issue",
        "list",
        "load",
        "make",
        "mark",
        "merge",
        "new",
        "next",
        "normalise",
        "normalize",
        "on",
        "open",
        "parse",
        "post",
        "process",
        "pull",
        "push",
        "put",
        "read",
        "record",
        "refresh",
        "register",
        "remove",
        "render",
        "request",
        "reset",
        "resolve",
        "restore",
        "run",
        "save",
        "search",
        "send",
        "serialize",
        "set",
        "setup",
        "show",
        "sort",
        "split",
        "start",
        "stop",
        "store",
        "submit",
        "sync",
        "take",
        "test",
        "to",
        "try",
        "update",
        "upsert",
        "use",
        "validate",
        "verify",
        "with",
        "write",
    }
)
"""Words that say what a function does rather than what it is about."""

FILLER = frozenset(
    {
        "all",
        "and",
        "any",
        "api",
        "app",
        "base",
        "by",
        "core",
        "data",
        "default",
        "for",
        "helper",
        "helpers",
        "impl",
        "in",
        "info",
        "int",
        "item",
        "items",
        "lib",
        "main",
        "manager",
        "misc",
        "model",
        "models",
        "of",
        "one",
        "or",
        "path",
        "per",
        "self",
        "service",
        "services",
        "slug",
        "str",
        "the",
        "util",
        "utils",
        "uuid",
        "value",
        "values",
        "view",
        "views",
    }
)
"""Words too generic to name a service after."""


_SKIPPED = VERBS | FILLER


def stem(word: str) -> str:
    """A crude singular: `orders` -> `order`, `categories` -> `category`, `address` kept."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ses") and len(word) > 4:
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def nouns(identifier: str) -> list[str]:
    """The lower-case, singular words of an identifier that are neither verbs nor filler.

    `get_order_summary` -> `["order", "summary"]`, `OrderRepository` -> `["order",
    "repository"]`, `/orders/<int:order_id>/cancel` -> `["order", "order"]`.
    """
    return [singular for singular, _ in noun_forms(identifier)]


def noun_forms(identifier: str) -> list[tuple[str, str]]:
    """Like `nouns`, each noun with the lower-case form it is written in: `("order",
    "orders")`."""
    found = []
    for match in _WORD.finditer(identifier):
        word = match.group().lower()
        singular = stem(word)
        if len(word) >= 3 and not {word, singular} & _SKIPPED:
            found.append((singular, word))
    return found
