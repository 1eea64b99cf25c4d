"""Parsing template text into Jinja's syntax tree, cheaply where the template is plain.

Most message templates are *plain*: literal text and ``{{ name }}``. For those,
:func:`parse_plain` builds the same tree Jinja's parser would (``Template(Output(
TemplateData, Name, ...))``, with Jinja's line numbers) with one regular expression,
about twenty times faster than ``Environment.parse``; anything else returns None and goes
to Jinja. :func:`free_names` finds the variables a tree reads by walking it, instead of
running Jinja's code generator (``jinja2.meta``), whenever the tree binds no names of its
own. Both are checked against Jinja by differential tests (tests/test_template_parser.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jinja2 import nodes

#: The start of any Jinja tag; the lexer stops at the first one.
_TAG_START = re.compile(r"\{[{%#]")
#: ``{{ name }}`` exactly: no whitespace control (``{{-``), no expression, ASCII names.
_PLAIN_VARIABLE = re.compile(r"\{\{([ \t\n]*)([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*\}\}")
_NEWLINES = re.compile(r"\r\n|\r|\n")
#: Names Jinja's parser reads as constants or operators, not as variables.
_NOT_NAMES = frozenset({"true", "false", "none", "True", "False", "None", "and", "or", "not",
                        "in", "is", "if", "else"})


def parse_plain(source: str) -> nodes.Template | None:
    """Jinja's syntax tree of ``source`` when it is plain text and ``{{ name }}`` tags, else
    None. Newlines are normalised to ``\\n`` as Jinja's lexer does."""
    if "\r" in source:
        source = _NEWLINES.sub("\n", source)
    body: list[nodes.Expr] = []
    pos = 0
    line = 1
    end = len(source)
    while pos < end:
        start = _TAG_START.search(source, pos)
        data_end = start.start() if start is not None else end
        if data_end > pos:
            data = source[pos:data_end]
            body.append(nodes.TemplateData(data, lineno=line))
            line += data.count("\n")
        if start is None:
            break
        tag = _PLAIN_VARIABLE.match(source, data_end)
        if tag is None or tag.group(2) in _NOT_NAMES or tag.group(2) in _SPECIAL_NAMES:
            return None
        name_line = line + tag.group(1).count("\n")
        body.append(nodes.Name(tag.group(2), "load", lineno=name_line))
        line += tag.group(0).count("\n")
        pos = tag.end()
    if not body:
        return nodes.Template([], lineno=1)
    return nodes.Template([nodes.Output(body, lineno=body[0].lineno)], lineno=1)


# Node types that neither bind a name nor change scoping: in a tree made only of these,
# every Name read is a variable of the template's context.
_SCOPE_FREE = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If,
    nodes.CondExpr, nodes.Filter, nodes.Test, nodes.Compare, nodes.Operand, nodes.Concat,
    nodes.Getattr, nodes.Getitem, nodes.Slice, nodes.Call, nodes.Keyword, nodes.List,
    nodes.Dict, nodes.Pair, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Add,
    nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow,
)


#: Names Jinja's code generator binds itself (``self`` is the template reference).
_SPECIAL_NAMES = frozenset({"self"})


def free_names(ast: nodes.Template) -> frozenset[str] | None:
    """The variables ``ast`` reads, or None when it binds names of its own (``{% set %}``,
    ``{% for %}``, macros, ...): then only Jinja's code generator can tell."""
    names: set[str] = set()
    stack: list[nodes.Node] = [ast]
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Tuple):
            if node.ctx != "load":
                return None
        elif not isinstance(node, _SCOPE_FREE):
            return None
        elif isinstance(node, nodes.Name):
            if node.ctx != "load" or node.name in _SPECIAL_NAMES:
                return None
            names.add(node.name)
        stack.extend(node.iter_child_nodes())
    return frozenset(names)


def plain_pieces(ast: nodes.Template) -> tuple[str | nodes.Name, ...] | None:
    """A plain tree as its literal texts and names, in order (None when not plain)."""
    if not ast.body:
        return ()
    if len(ast.body) != 1 or not isinstance(ast.body[0], nodes.Output):
        return None
    out: list[str | nodes.Name] = []
    for child in ast.body[0].nodes:
        if isinstance(child, nodes.TemplateData):
            out.append(child.data)
        elif isinstance(child, nodes.Name) and child.ctx == "load":
            out.append(child)
        else:
            return None
    return tuple(out)


def names_in(pieces: Iterable[str | nodes.Name]) -> frozenset[str]:
    return frozenset(p.name for p in pieces if isinstance(p, nodes.Name))
