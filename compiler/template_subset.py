"""Reading the small Jinja subset msgc renders by generated code, without importing Jinja.

Besides plain templates (:mod:`compiler.template_parser`), many message templates are text
and ``{{ expression }}`` tags whose expressions are names, string and integer literals,
``true``/``false``/``none``, one comparison, ``a if test else b`` and the length-keeping
filters ``upper``, ``lower``, ``capitalize`` and ``trim``: ``{{ 'day' if n == 1 else
'days' }}``. :func:`scan_subset` reads such a template into a tree of nodes named and shaped
like Jinja's own (the same classes' names, fields, values and line numbers, as
``Environment.parse`` builds them), so the code that reads Jinja trees by their node names
(the generated renderer, the worst-case analysis, variable lookup) reads it unchanged; and
importing Jinja (~20 ms) is left to templates that need it.

Anything outside the subset (block tags, comments, whitespace control, escapes or newlines
in strings, floats, attribute access, calls, other operators and filters, non-ASCII names,
a comparison the generated code does not take) makes :func:`scan_subset` return None, and
the template goes to Jinja as before. tests/test_template_subset.py holds the trees to
Jinja's on generated templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .template_limits import GLOBAL_NAMES

#: The start of any Jinja tag in text.
_TAG_START = re.compile(r"\{[{%#]")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_TOKEN = re.compile(r"""
    (?P<space>[ \t\n]+)
  | (?P<end>\}\})
  | (?P<integer>0(?![0-9A-Za-z_.])|[1-9][0-9]*(?![0-9A-Za-z_.]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?![^\x00-\x7f]))
  | (?P<string>'[^'\\\n]*'|"[^"\\\n]*")
  | (?P<op>==|!=|<=|>=|<|>|\||\(|\))
""", re.VERBOSE)
_OPERATORS = {"==": "eq", "!=": "ne", "<=": "lteq", ">=": "gteq", "<": "lt", ">": "gt",
              "|": "pipe", "(": "lparen", ")": "rparen"}
_COMPARE = frozenset({"eq", "ne", "lt", "lteq", "gt", "gteq"})
_FILTERS = frozenset({"upper", "lower", "capitalize", "trim"})
_CONSTANTS = {"true": True, "True": True, "false": False, "False": False,
              "none": None, "None": None}
#: Names that are operators or special to Jinja, never a variable of the subset.
_RESERVED = frozenset({"and", "or", "not", "in", "is", "if", "else", "self"}) | GLOBAL_NAMES
#: Deepest nesting of parentheses and conditionals read here, and deepest tree (Jinja
#: takes the rest, and reports a tree deeper than MAX_TEMPLATE_DEPTH).
_MAX_NESTING = 16
_MAX_DEPTH = 32


class Node:
    """A node shaped like Jinja's class of the same name: ``fields`` in Jinja's order,
    ``lineno`` as Jinja's parser sets it."""

    fields: tuple[str, ...] = ()

    def __init__(self, *values: Any, lineno: int | None = None) -> None:
        for name, value in zip(self.fields, values, strict=True):
            setattr(self, name, value)
        self.lineno = lineno

    def iter_child_nodes(self) -> Iterator[Node]:
        for name in self.fields:
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, list):
                yield from (v for v in value if isinstance(v, Node))


class Template(Node):
    fields = ("body",)


class Output(Node):
    fields = ("nodes",)


class TemplateData(Node):
    fields = ("data",)


class Name(Node):
    fields = ("name", "ctx")


class Const(Node):
    fields = ("value",)


class CondExpr(Node):
    fields = ("test", "expr1", "expr2")


class Compare(Node):
    fields = ("expr", "ops")


class Operand(Node):
    fields = ("op", "expr")


class Filter(Node):
    fields = ("node", "name", "args", "kwargs", "dyn_args", "dyn_kwargs")


class _Outside(Exception):
    """The template leaves the subset: Jinja reads it."""


def scan_subset(source: str) -> Template | None:
    """The Jinja-shaped tree of ``source`` when it is text and subset ``{{ }}`` tags only,
    else None. Newlines are normalised to ``\\n`` as Jinja's lexer does."""
    if "\r" in source:
        source = _NEWLINES.sub("\n", source)
    body: list[Node] = []
    pos, line, end = 0, 1, len(source)
    try:
        while pos < end:
            start = _TAG_START.search(source, pos)
            data_end = start.start() if start is not None else end
            if data_end > pos:
                data = source[pos:data_end]
                body.append(TemplateData(data, lineno=line))
                line += data.count("\n")
            if start is None:
                break
            if source[data_end + 1] != "{" or source[data_end + 2:data_end + 3] in ("-", "+"):
                raise _Outside  # a block, a comment, or whitespace control
            tokens, pos, line = _tokens(source, data_end + 2, line)
            body.append(_Parser(tokens).tag())
    except _Outside:
        return None
    tree = Template([Output(body, lineno=body[0].lineno)] if body else [], lineno=1)
    return tree if _depth(tree) <= _MAX_DEPTH else None  # Jinja says it is too deep


def _depth(tree: Node) -> int:
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


def _tokens(source: str, pos: int, line: int) -> tuple[list[tuple[str, Any, int]], int, int]:
    """The tokens of one tag from ``pos`` (after ``{{``) to its ``}}`` included, as (type,
    value, line); the position after the tag, and the line there."""
    tokens: list[tuple[str, Any, int]] = []
    while True:
        m = _TOKEN.match(source, pos)
        if m is None:
            raise _Outside
        pos = m.end()
        kind = m.lastgroup
        text = m.group()
        if kind == "space":
            line += text.count("\n")
        elif kind == "end":
            tokens.append(("end", None, line))
            return tokens, pos, line
        elif kind == "integer":
            tokens.append(("integer", int(text), line))
        elif kind == "string":
            tokens.append(("string", text[1:-1], line))
        elif kind == "name":
            tokens.append(("name", text, line))
        else:
            tokens.append((_OPERATORS[text], text, line))


class _Parser:
    """Jinja's recursive descent (``jinja2.parser.Parser``) for the subset's grammar, with
    its line numbers; anything else raises :class:`_Outside`."""

    def __init__(self, tokens: list[tuple[str, Any, int]]) -> None:
        self.tokens = tokens
        self.index = 0
        self.nesting = 0

    @property
    def current(self) -> tuple[str, Any, int]:
        return self.tokens[self.index]

    def is_name(self, value: str) -> bool:
        kind, text, _ = self.current
        return kind == "name" and text == value

    def tag(self) -> Node:
        node = self.condexpr()
        if self.current[0] != "end":
            raise _Outside
        return node

    def condexpr(self) -> Node:
        self.nesting += 1
        if self.nesting > _MAX_NESTING:
            raise _Outside
        lineno = self.current[2]
        expr1 = self.compare()
        while self.is_name("if"):
            self.index += 1
            expr2 = self.compare()
            if not self.is_name("else"):
                raise _Outside  # `a if b` renders "" for a false b: Jinja's to say
            self.index += 1
            expr3 = self.condexpr()
            expr1 = CondExpr(expr2, expr1, expr3, lineno=lineno)
            lineno = self.current[2]
        self.nesting -= 1
        return expr1

    def compare(self) -> Node:
        lineno = self.current[2]
        expr = self.unary()
        ops: list[Node] = []
        while self.current[0] in _COMPARE:
            op = self.current[0]
            self.index += 1
            ops.append(Operand(op, self.unary()))
            lineno = self.current[2]
        if not ops:
            return expr
        return Compare(expr, ops, lineno=lineno)

    def unary(self) -> Node:
        node = self.primary()
        while self.current[0] == "pipe":
            self.index += 1
            kind, name, lineno = self.current
            if kind != "name" or name not in _FILTERS:
                raise _Outside
            self.index += 1
            if self.current[0] == "lparen":
                raise _Outside  # filter arguments
            node = Filter(node, name, [], [], None, None, lineno=lineno)
        if self.current[0] == "lparen" or self.is_name("is"):
            raise _Outside  # a call or a test
        return node

    def primary(self) -> Node:
        kind, value, lineno = self.current
        self.index += 1
        if kind == "name":
            if value in _CONSTANTS:
                return Const(_CONSTANTS[value], lineno=lineno)
            if value in _RESERVED:
                raise _Outside
            return Name(value, "load", lineno=lineno)
        if kind == "string":
            if self.current[0] == "string":
                raise _Outside  # adjacent literals: Jinja joins them
            return Const(value, lineno=lineno)
        if kind == "integer":
            return Const(value, lineno=lineno)
        if kind == "lparen":
            node = self.condexpr()
            if self.current[0] != "rparen":
                raise _Outside  # a tuple, or no closing parenthesis
            self.index += 1
            return node
        raise _Outside
