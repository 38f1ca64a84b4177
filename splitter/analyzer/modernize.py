"""Rewrite syntax newer than Python 3.11 into an equivalent the 3.11 `ast` accepts.

The analyzer runs on Python 3.11 but the code it reads may use PEP 695 type parameters and
`type` aliases (3.12) or PEP 701 f-strings (3.12). libcst parses those; this module drops the
type parameters, turns `type X = ...` into `X = ...` and, where an f-string reuses its own
quotes, keeps only the f-string's expressions, so calls and names inside it still count.
Line numbers of everything else are unchanged.
"""

from __future__ import annotations

import libcst as cst


class _Downgrade(cst.CSTTransformer):
    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        return updated_node.with_changes(type_parameters=None)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        return updated_node.with_changes(type_parameters=None)

    def leave_TypeAlias(
        self, original_node: cst.TypeAlias, updated_node: cst.TypeAlias
    ) -> cst.Assign:
        return cst.Assign(targets=[cst.AssignTarget(updated_node.name)], value=updated_node.value)

    def leave_FormattedString(
        self, original_node: cst.FormattedString, updated_node: cst.FormattedString
    ) -> cst.BaseExpression:
        expressions = [
            part.expression
            for part in updated_node.parts
            if isinstance(part, cst.FormattedStringExpression)
        ]
        if not expressions:
            return updated_node
        elements = [cst.Element(expression) for expression in expressions]
        return cst.Tuple(elements=elements, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def rewrite_newer_syntax(text: str) -> str | None:
    """`text` rewritten for Python 3.11's parser; None if libcst cannot parse it either."""
    try:
        module = cst.parse_module(text)
        return module.visit(_Downgrade()).code
    except (cst.ParserSyntaxError, RecursionError, ValueError, TypeError):
        return None
