"""Reading template text: plain templates without Jinja, and variables without Jinja's code
generator.

Most message templates are *plain*: literal text and ``{{ name }}``. :func:`scan_plain`
reads one with a regular expression into its pieces (texts and :class:`Var`, with line
numbers), without importing Jinja; :func:`plain_ast` turns the pieces into the very tree
Jinja's parser builds (``Template(Output(TemplateData, Name, ...))``, same line numbers),
about twenty times faster than ``Environment.parse``. The next step up, simple expressions,
is :mod:`compiler.template_subset`'s; anything else is for Jinja (:mod:`compiler.sandbox`).
:func:`free_names` finds the variables a Jinja tree reads by walking it, instead of running
Jinja's code generator (``jinja2.meta``), whenever the tree binds no names of its own. Both
are checked against Jinja by differential tests (tests/test_template_parser.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import nodes

#: The start of any Jinja tag; the lexer stops at the first one.
_TAG_START = re.compile(r"\{[{%#]")
#: ``{{ name }}`` exactly: no whitespace control (``{{-``), no expression, ASCII names.
_PLAIN_VARIABLE = re.compile(r"\{\{([ \t\n]*)([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*\}\}")
_NEWLINES = re.compile(r"\r\n|\r|\n")
#: Names Jinja's parser reads as constants or operators, not as variables.
_NOT_NAMES = frozenset({"true", "false", "none", "True", "False", "None", "and", "or", "not",
                        "in", "is", "if", "else"})
#: Names Jinja's code generator binds itself (``self`` is the template reference).
_SPECIAL_NAMES = frozenset({"self"})


@dataclass(frozen=True, slots=True)
class Var:
    """``{{ name }}`` in a plain template: the name, the line it is on, and the line its
    tag ends on (text after the tag starts there)."""

    name: str
    line: int
    end_line: int


Piece = str | Var


def scan_plain(source: str) -> tuple[Piece, ...] | None:
    """The pieces of ``source`` when it is plain text and ``{{ name }}`` tags, else None.
    Newlines are normalised to ``\\n`` as Jinja's lexer does; empty texts are left out."""
    if "\r" in source:
        source = _NEWLINES.sub("\n", source)
    pieces: list[Piece] = []
    pos = 0
    line = 1
    end = len(source)
    while pos < end:
        start = _TAG_START.search(source, pos)
        data_end = start.start() if start is not None else end
        if data_end > pos:
            data = source[pos:data_end]
            pieces.append(data)
            line += data.count("\n")
        if start is None:
            break
        tag = _PLAIN_VARIABLE.match(source, data_end)
        if tag is None or tag.group(2) in _NOT_NAMES or tag.group(2) in _SPECIAL_NAMES:
            return None
        name_line = line + tag.group(1).count("\n")
        line += tag.group(0).count("\n")
        pieces.append(Var(tag.group(2), name_line, line))
        pos = tag.end()
    return tuple(pieces)


def plain_ast(pieces: tuple[Piece, ...]) -> nodes.Template:
    """The tree Jinja's parser builds for a plain template, with its line numbers."""
    from jinja2 import nodes

    body: list[nodes.Expr] = []
    line = 1
    for piece in pieces:
        if isinstance(piece, str):
            body.append(nodes.TemplateData(piece, lineno=line))
            line += piece.count("\n")
        else:
            body.append(nodes.Name(piece.name, "load", lineno=piece.line))
            line = piece.end_line
    if not body:
        return nodes.Template([], lineno=1)
    return nodes.Template([nodes.Output(body, lineno=body[0].lineno)], lineno=1)


def parse_plain(source: str) -> nodes.Template | None:
    """Jinja's tree of a plain template (None when ``source`` is not plain)."""
    pieces = scan_plain(source)
    return None if pieces is None else plain_ast(pieces)


def plain_names(pieces: tuple[Piece, ...]) -> frozenset[str]:
    return frozenset(p.name for p in pieces if isinstance(p, Var))


@cache
def _scope_free() -> tuple[type[Any], ...]:
    """Node types that neither bind a name nor change scoping: in a tree made only of
    these, every Name read is a variable of the template's context."""
    from jinja2 import nodes

    return (
        nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If,
        nodes.CondExpr, nodes.Filter, nodes.Test, nodes.Compare, nodes.Operand, nodes.Concat,
        nodes.Getattr, nodes.Getitem, nodes.Slice, nodes.Call, nodes.Keyword, nodes.List,
        nodes.Dict, nodes.Pair, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos,
        nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow,
    )


def free_names(ast: nodes.Template) -> frozenset[str] | None:
    """The variables ``ast`` reads, or None when it binds names of its own (``{% set %}``,
    ``{% for %}``, macros, ...): then only Jinja's code generator can tell."""
    from jinja2 import nodes

    scope_free = _scope_free()
    names: set[str] = set()
    stack: list[nodes.Node] = [ast]
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Tuple):
            if node.ctx != "load":
                return None
        elif not isinstance(node, scope_free):
            return None
        elif isinstance(node, nodes.Name):
            if node.ctx != "load" or node.name in _SPECIAL_NAMES:
                return None
            names.add(node.name)
        stack.extend(node.iter_child_nodes())
    return frozenset(names)


def plain_pieces(ast: Any) -> tuple[Piece, ...] | None:
    """A Jinja tree (or one of :mod:`compiler.template_subset`, told apart by class name
    alike) that only holds text and names (``{{ имя }}``, say, which :func:`scan_plain`
    leaves to Jinja), as pieces; None otherwise."""
    if not ast.body:
        return ()
    if len(ast.body) != 1 or type(ast.body[0]).__name__ != "Output":
        return None
    out: list[Piece] = []
    for child in ast.body[0].nodes:
        kind = type(child).__name__
        if kind == "TemplateData":
            out.append(child.data)
        elif kind == "Name" and child.ctx == "load" and child.name not in _SPECIAL_NAMES:
            out.append(Var(child.name, child.lineno, child.lineno))
        else:
            return None
    return tuple(out)
