"""The Python a glue step runs: the original statements' text, what they read and assign, why.

Statements are cut from the module's source (comments inside them kept) and dedented; a
call the workflow makes as a Task of its own is spliced out and replaced by the variable
holding its result. Positions from `ast` count UTF-8 bytes, so cutting works on bytes.
"""

from __future__ import annotations

import ast
import builtins
import json
import textwrap
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from splitter.generator.asl import Path
from splitter.generator.function_scope import load_counts


@dataclass(frozen=True)
class GluePiece:
    """One statement (or one computed value) for a glue step, before merging."""

    text: tuple[str, ...]
    reads: tuple[tuple[str, Path], ...]
    assigns: tuple[str, ...]
    lines: tuple[int, int]
    reason: str
    caught: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class MergedGlue:
    """Consecutive pieces run by one glue function."""

    parameters: tuple[tuple[str, Path], ...]
    assigns: tuple[str, ...]
    body: tuple[str, ...]
    lines: tuple[int, int]
    reason: str
    caught: tuple[tuple[str, tuple[str, ...]], ...]


class SourceText:
    """The module's source, cut into statement and expression texts."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines()
        self._encoded = [line.encode() for line in self.lines]

    def statement(
        self, node: ast.stmt, replacements: Sequence[tuple[ast.expr, str]] = ()
    ) -> tuple[str, ...]:
        """The statement's text, dedented, with each replaced node's text swapped."""
        first, last = node.lineno, node.end_lineno or node.lineno
        block = b"\n".join(self._encoded[first - 1 : last])
        start = self._offset(first, node.lineno, node.col_offset)
        end = self._offset(first, last, node.end_col_offset or 0)
        ordered = sorted(replacements, key=lambda item: (item[0].lineno, item[0].col_offset))
        for replaced, text in reversed(ordered):
            cut_from = self._offset(first, replaced.lineno, replaced.col_offset)
            cut_to = self._offset(first, replaced.end_lineno or 0, replaced.end_col_offset or 0)
            block = block[:cut_from] + text.encode() + block[cut_to:]
            end += len(text.encode()) - (cut_to - cut_from)
        leading = self._encoded[first - 1][: node.col_offset]
        if leading.strip():
            return tuple(block[start:end].decode().splitlines())
        return tuple(textwrap.dedent(block[:end].decode()).splitlines())

    def expression(self, node: ast.expr) -> str:
        """The expression's text: as written when on one line, else re-printed on one line."""
        if node.lineno == node.end_lineno:
            line = self._encoded[node.lineno - 1]
            return line[node.col_offset : node.end_col_offset].decode()
        return ast.unparse(node)

    def _offset(self, first: int, line: int, column: int) -> int:
        before = self._encoded[first - 1 : line - 1]
        return sum(len(text) + 1 for text in before) + column


def merge_pieces(
    pieces: Sequence[GluePiece], reads_in_function: Mapping[str, int], always: Collection[str]
) -> MergedGlue:
    """One glue function running `pieces` in order; reads of earlier pieces' results stay inside.

    It returns the variables it sets that something else reads (`reads_in_function` counts
    the reads in the whole entry function) and those in `always`; a variable only the pieces
    themselves use (a file handle, an unpacked loop variable) stays inside too.
    """
    parameters: dict[str, Path] = {}
    assigned: dict[str, None] = {}
    caught: dict[str, tuple[str, ...]] = {}
    for piece in pieces:
        for name, path in piece.reads:
            if name not in assigned and name not in parameters:
                parameters[name] = path
        assigned.update(dict.fromkeys(piece.assigns))
        caught.update((name, classes) for name, classes in piece.caught if name in parameters)
    text = [line for piece in pieces for line in piece.text]
    inside = load_counts(ast.parse("\n".join(text)).body)
    outputs = [n for n in assigned if n in always or reads_in_function.get(n, 0) > inside[n]]
    reasons = dict.fromkeys(reason for piece in pieces for reason in piece.reason.split("; "))
    return MergedGlue(
        parameters=tuple(parameters.items()),
        assigns=tuple(outputs),
        body=glue_body(tuple(parameters), text, tuple(outputs)),
        lines=(min(p.lines[0] for p in pieces), max(p.lines[1] for p in pieces)),
        reason="; ".join(reasons),
        caught=tuple(caught.items()),
    )


def glue_body(
    parameters: Sequence[str], text: Sequence[str], assigns: Sequence[str]
) -> tuple[str, ...]:
    """The glue function's body: read the inputs, run the statements, return what they set."""
    reading = [f"{name} = variables[{_quoted(name)}]" for name in parameters]
    returned = ", ".join(f"{_quoted(name)}: {name}" for name in assigns)
    return (*reading, *text, f"return {{{returned}}}")


def module_names(body: Sequence[str]) -> tuple[str, ...]:
    """Names a glue body reads but never binds, builtins aside: those of the entry's module
    (its imports, constants and functions), which the glue's own module has to import."""
    tree = ast.parse("\n".join(body))
    bound = {"variables"}
    read: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            read[node.id] = None
        else:
            bound.update(_bound_by(node))
    return tuple(name for name in read if name not in bound and name not in vars(builtins))


def _bound_by(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.ExceptHandler):
        return [node.name] if node.name else []
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [alias.asname or alias.name.partition(".")[0] for alias in node.names]
    return []


def _quoted(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)
