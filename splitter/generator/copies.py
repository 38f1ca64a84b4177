"""Rendering a module's copy for one tree with libcst: kept statements, trimmed imports, clients."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from splitter.generator.rendering import comment_text
from splitter.generator.statements import ModuleFacts, dotted, string_value
from splitter.generator.trees import KeptModule

EXTEND_PATH = '__path__ = __import__("pkgutil").extend_path(__path__, __name__)'
REMOTE_MODULE = "splitter_remote"
REMOTE_COMMENT = "# Functions other services own now: calls go to them through their clients."
NOQA_IMPORT = "# noqa: E402"

Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


@dataclass(frozen=True)
class CopyStyle:
    """How one copy is rendered: its header, its remote clients and its package path.

    `clients` maps each name bound to another service's function to its client in
    `splitter_remote`; `extend_path` asks for the `pkgutil.extend_path` line of a package
    that the layer and a service both hold.
    """

    header: tuple[str, ...]
    clients: Mapping[str, str] = field(default_factory=dict)
    extend_path: bool = False


def render_copy(facts: ModuleFacts, kept: KeptModule, style: CopyStyle) -> str:
    """The source of a module's copy: the kept statements in their order, comments and
    formatting as in the monolith, imports trimmed to the names the copy uses, the clients
    assigned right after the imports."""
    body = _kept_body(facts, kept)
    body = _with_clients(body, style.clients)
    if style.extend_path:
        body = _with_extend_path(body, _imports_submodules(facts, kept))
    module = facts.tree.with_changes(body=_spaced(body), header=_header(facts.tree, style.header))
    code = module.code
    # a copy whose kept statements end before the original's last line ends without a newline
    return code if not code or code.endswith("\n") else code + "\n"


def _kept_body(facts: ModuleFacts, kept: KeptModule) -> list[Statement]:
    body: list[Statement] = []
    dead = facts.used - kept.names
    all_used = any("__all__" in s.uses for s in facts.statements if s.index in kept.statements)
    for statement in facts.statements:
        if statement.index not in kept.statements:
            continue
        node = facts.tree.body[statement.index]
        trimmed: Statement | None = node
        if statement.kind == "import" and not statement.star:
            trimmed = _trim_import(node, kept.needed.__contains__)
        elif "__all__" in statement.binds:
            trimmed = _filter_all(node, facts, kept.names, all_used)
        elif statement.kind == "other" and statement.binds & dead:
            trimmed = _without_dead_imports(node, dead)
        if trimmed is not None:
            body.append(trimmed)
    return body


def _without_dead_imports(node: Statement, dead: frozenset[str]) -> Statement:
    """`node` without the imports nested in it (under `if`, `try`, `with`) that bind only
    names of `dead`: names the monolith's other statements used, none of which is kept."""
    trimmed = node.visit(_DeadImports(dead))
    assert isinstance(trimmed, cst.SimpleStatementLine | cst.BaseCompoundStatement)
    return trimmed


class _DeadImports(cst.CSTTransformer):
    """Drops import aliases that bind a dead name at module level; function and class
    bodies bind names of their own and are left as they are."""

    def __init__(self, dead: frozenset[str]) -> None:
        super().__init__()
        self.dead = dead

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body: list[cst.BaseStatement] = []
        carried: Sequence[cst.EmptyLine] | None = None
        for node in updated_node.body:
            assert isinstance(node, cst.SimpleStatementLine | cst.BaseCompoundStatement)
            if carried is not None:
                # the next statement takes the place, and the leading lines, of a removed one
                comments = [line for line in node.leading_lines if line.comment is not None]
                node = node.with_changes(leading_lines=[*carried, *comments])
            trimmed = self._trimmed(node)
            carried = node.leading_lines if trimmed is None else None
            if trimmed is not None:
                body.append(trimmed)
        return updated_node.with_changes(body=body)

    def _trimmed(self, node: Statement) -> Statement | None:
        if not isinstance(node, cst.SimpleStatementLine) or not any(
            isinstance(s, cst.Import | cst.ImportFrom) for s in node.body
        ):
            return node
        return _trim_import(node, lambda name: name not in self.dead)


def _imports_submodules(facts: ModuleFacts, kept: KeptModule) -> bool:
    """Whether the kept imports of a package's `__init__` load its own submodules."""
    prefix = f"{facts.module}."
    return any(
        i.module.startswith(prefix) or (i.module == facts.module and i.name is not None)
        for i in facts.imports
        if i.statement in kept.statements and i.bound in kept.needed
    )


def _line(code: str, *, blank: bool = False, comments: Sequence[str] = ()) -> Statement:
    statement = cst.parse_statement(code)
    leading = [cst.EmptyLine()] if blank else []
    leading += [cst.EmptyLine(comment=cst.Comment(text)) for text in comments]
    return statement.with_changes(leading_lines=leading)


def _import_block_end(body: Sequence[Statement]) -> int:
    """Index after the docstring and the imports that open the module."""
    position = 0
    for index, node in enumerate(body):
        if not ((index == 0 and _is_docstring(node)) or _is_import(node)):
            break
        position = index + 1
    return position


def _with_clients(body: list[Statement], clients: Mapping[str, str]) -> list[Statement]:
    """`import splitter_remote` joins the imports; `name = splitter_remote.client` follow."""
    if not clients:
        return body
    position = _import_block_end(body)
    opens_block = (
        position == 0 or not _is_import(body[position - 1]) or _is_future(body[position - 1])
    )
    importing = _line(f"import {REMOTE_MODULE}", blank=opens_block and position > 0)
    assigned = [
        _line(
            f"{name} = {REMOTE_MODULE}.{client}",
            blank=number == 0,
            comments=[REMOTE_COMMENT] if number == 0 else [],
        )
        for number, (name, client) in enumerate(sorted(clients.items()))
    ]
    rest = _separated(body[position:])
    return [*body[:position], importing, *assigned, *rest]


def _with_extend_path(body: list[Statement], early: bool) -> list[Statement]:
    """The `extend_path` line after the imports, or before them when they load submodules
    (which may live in the other folder), those imports then marked for E402."""
    opening = 1 if body and _is_docstring(body[0]) else 0
    while early and opening < len(body) and _is_future(body[opening]):
        opening += 1
    position = opening if early else _import_block_end(body)
    line = _line(EXTEND_PATH, blank=position > 0)
    rest = _separated(body[position:])
    if early:
        rest = [_noqa(node) if _is_import(node) else node for node in rest]
    return [*body[:position], line, *rest]


def _separated(rest: list[Statement]) -> list[Statement]:
    """`rest` with at least one blank line before its first statement."""
    if rest and not rest[0].leading_lines:
        return [rest[0].with_changes(leading_lines=[cst.EmptyLine()]), *rest[1:]]
    return rest


def _noqa(node: Statement) -> Statement:
    assert isinstance(node, cst.SimpleStatementLine)
    small = node.body[0]
    if isinstance(small, cst.ImportFrom) and isinstance(small.lpar, cst.LeftParen):
        after = small.lpar.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace) and after.first_line.comment is None:
            first = after.first_line.with_changes(
                whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(NOQA_IMPORT)
            )
            lpar = small.lpar.with_changes(whitespace_after=after.with_changes(first_line=first))
            return node.with_changes(body=[small.with_changes(lpar=lpar), *node.body[1:]])
    comment = node.trailing_whitespace.comment
    text = NOQA_IMPORT if comment is None else f"{comment.value}  {NOQA_IMPORT}"
    trailing = node.trailing_whitespace.with_changes(
        whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(text)
    )
    return node.with_changes(trailing_whitespace=trailing)


def _is_docstring(node: Statement) -> bool:
    return (
        isinstance(node, cst.SimpleStatementLine)
        and len(node.body) == 1
        and isinstance(node.body[0], cst.Expr)
        and isinstance(node.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _is_import(node: Statement) -> bool:
    return isinstance(node, cst.SimpleStatementLine) and all(
        isinstance(s, cst.Import | cst.ImportFrom) for s in node.body
    )


def _is_future(node: Statement) -> bool:
    return isinstance(node, cst.SimpleStatementLine) and all(
        isinstance(s, cst.ImportFrom) and _module_text(s) == "__future__" for s in node.body
    )


def _module_text(node: cst.ImportFrom) -> str:
    return dotted(node.module) if node.module is not None else ""


def _trim_import(node: Statement, keeps: Callable[[str], bool]) -> Statement | None:
    """The import line with only the aliases whose bound name `keeps` accepts."""
    assert isinstance(node, cst.SimpleStatementLine)
    kept: list[cst.BaseSmallStatement] = []
    for small in node.body:
        if (
            not isinstance(small, cst.Import | cst.ImportFrom)
            or _is_future(node)
            or isinstance(small.names, cst.ImportStar)
        ):
            kept.append(small)
        else:
            aliases = [a for a in small.names if keeps(_bound(a))]
            if aliases:
                kept.append(small.with_changes(names=_with_commas(aliases, small.names[-1])))
    if not kept:
        return None
    last = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(body=[*kept[:-1], last])


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return dotted(alias.name).split(".")[0]


def _with_commas(
    aliases: Sequence[cst.ImportAlias], original_last: cst.ImportAlias
) -> list[cst.ImportAlias]:
    """Every alias but the last keeps (or gets) a comma; the last takes the original last's."""
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    fixed = [a if isinstance(a.comma, cst.Comma) else a.with_changes(comma=space) for a in aliases]
    return [*fixed[:-1], fixed[-1].with_changes(comma=original_last.comma)]


def _filter_all(
    node: Statement, facts: ModuleFacts, names: frozenset[str], used: bool
) -> Statement | None:
    """`__all__ = [...]` without the names of the module's own the copy leaves out (a name
    it takes from a star import stays); None when none is left, unless kept code `used` it
    (`__all__.append("Product")`): then it stays, maybe empty."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return node
    small = node.body[0]
    if not isinstance(small, cst.Assign) or not isinstance(small.value, cst.List | cst.Tuple):
        return node
    value = small.value
    elements = [
        e
        for e in value.elements
        if (name := string_value(e.value)) is None or name in names or not facts.bindings(name)
    ]
    if not elements and not used:
        return None
    if not elements:
        empty = cst.List([]) if isinstance(value, cst.List) else cst.Tuple([])
        return node.with_changes(body=[small.with_changes(value=empty)])
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    fixed = [e if isinstance(e.comma, cst.Comma) else e.with_changes(comma=space) for e in elements]
    fixed[-1] = fixed[-1].with_changes(comma=value.elements[-1].comma)
    return node.with_changes(body=[small.with_changes(value=value.with_changes(elements=fixed))])


def _spaced(body: list[Statement]) -> list[Statement]:
    """Two blank lines around functions and classes, as in the monolith before the statements
    between them were taken out."""
    spaced: list[Statement] = []
    for index, node in enumerate(body):
        if index and (_is_definition(node) or _is_definition(body[index - 1])):
            node = _two_blank_lines(node)
        elif index == 1 and _is_docstring(body[0]) and not node.leading_lines:
            node = node.with_changes(leading_lines=[cst.EmptyLine()])
        spaced.append(node)
    return spaced


def _is_definition(node: Statement) -> bool:
    return isinstance(node, cst.FunctionDef | cst.ClassDef)


def _two_blank_lines(node: Statement) -> Statement:
    leading = list(node.leading_lines)
    blank = 0
    while blank < len(leading) and leading[blank].comment is None:
        blank += 1
    if blank >= 2:
        return node
    return node.with_changes(leading_lines=[cst.EmptyLine()] * (2 - blank) + leading)


def _header(tree: cst.Module, lines: Sequence[str]) -> list[cst.EmptyLine]:
    """The monolith's header (a shebang or encoding line stays first), then ours."""
    original = list(tree.header)
    first = [line for line in original[:2] if _is_pragma(line)]
    ours = [cst.EmptyLine(comment=cst.Comment(f"# {comment_text(text)}")) for text in lines]
    return [*first, *ours, *original[len(first) :]]


def _is_pragma(line: cst.EmptyLine) -> bool:
    text = line.comment.value if line.comment is not None else ""
    return text.startswith("#!") or "coding" in text
