"""Readable text for references, used where a call site is reported to a person."""

from __future__ import annotations

from splitter.analyzer.facts import Ref


def plain_name(name: str) -> str:
    """A variable's name as written: without the marks of comprehension or reassignment."""
    for mark in ("<", "#"):
        name = name.partition(mark)[0] or name
    return name


def describe(ref: Ref | None) -> str:
    """Render a reference back as the Python expression it came from, roughly."""
    if ref is None:
        return "?"
    kind = ref[0]
    if kind == "name":
        return plain_name(str(ref[2]))
    if kind == "attr":
        return f"{describe(ref[1])}.{ref[2]}"
    if kind == "call":
        arguments = [describe(a) for a in ref[2]] + [f"{k}={describe(v)}" for k, v in ref[3]]
        text = ", ".join(arguments)
        return f"{describe(ref[1])}({text if len(text) < 40 else '...'})"
    if kind == "item":
        return f"{describe(ref[1])}[...]"
    if kind == "def":
        return str(ref[1]).rpartition(".")[2]
    if kind == "const":
        return f"<{ref[1]}>"
    if kind == "container":
        return "[...]"
    if kind == "super":
        return "super()"
    if kind == "self":
        return "self" if ref[2] == "instance" else "cls"
    if kind == "annotation":
        return describe(ref[1])
    if kind == "either":
        return " or ".join(describe(r) for r in ref[1])
    return "?"
