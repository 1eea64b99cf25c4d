"""Worst-case length analysis: how long can each templated field get?

For every template leaf, an upper bound on its rendered length is computed from the
template's syntax tree and the declared bounds of the variables it uses (``max_length``,
``enum``, ``minimum``/``maximum``, the fixed width of dates and phones). Literal text counts
as is, ``{% if %}`` takes its longest branch, length-preserving filters keep the bound, and
anything that cannot be bounded (a loop, a call, a variable without ``max_length``) makes the
bound unknown; the caller then says so once per variable.

The bounds are checked by *lowering a worst-case message*: each template leaf is padded to
its bound and the result goes through the same lowering and schema as a real message. So a
limit applies exactly where the provider applies it, combined fields (a WhatsApp carousel
card's ``*title*\\n\\ntext`` body) included, with no second copy of the limits.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .template_parser import Piece
from .variables import Variable

if TYPE_CHECKING:
    from jinja2 import nodes

#: A %-conversion of a format string (the ``format`` filter).
_PERCENT_RE = re.compile(r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?"
                         r"(?:\.(?P<precision>\*|\d+))?(?P<kind>[diouxXeEfFgGcrsa%])")
#: Conversions whose longest output comes from the ends of a number's range (or, for %s, a
#: text's maximum length).
_BOUNDED_CONVERSIONS = frozenset("difFs")

# Filters whose output is never longer than their input.
_SAME_OR_SHORTER = frozenset({
    "upper", "lower", "title", "capitalize", "trim", "striptags", "string", "e", "escape",
    "safe", "forceescape",
})


@dataclass(slots=True)
class Bound:
    """An upper bound on a rendered length, or None with the variables that prevent one."""

    chars: int | None
    unbounded: set[str] = field(default_factory=set)
    drivers: dict[str, int] = field(default_factory=dict)  # variable -> its max length


def variable_max_length(var: Variable) -> int | None:
    """Longest text a variable's value can render as, from its declaration alone."""
    if var.enum:
        return max(len(_as_text(v)) for v in var.enum)
    t = var.type
    if t in ("string", "url"):
        return var.max_length
    if t == "date":
        return 10
    if t == "phone":
        return min(15, var.max_length) if var.max_length is not None else 15
    if t == "boolean":
        return 5  # "False"
    if t in ("integer", "number"):
        if var.minimum is None or var.maximum is None:
            return None
        ends = [var.minimum, var.maximum]
        if t == "integer":
            return max(len(str(int(v))) for v in ends)
        return None  # a float's repr length is not bounded by its range
    return None


def _as_text(value: Any) -> str:
    return str(value)


class _Analyzer:
    def __init__(self, variables: Mapping[str, Variable]) -> None:
        self.variables = variables
        self.unbounded: set[str] = set()
        self.drivers: dict[str, int] = {}
        self.opaque = False

    def node(self, n: nodes.Node) -> int | None:
        method = getattr(self, f"_{type(n).__name__}", None)
        if method is None:
            self.opaque = True
            return None
        result: int | None = method(n)
        return result

    def many(self, body: Sequence[nodes.Node]) -> int | None:
        total = 0
        known = True
        for child in body:
            size = self.node(child)
            if size is None:
                known = False
            else:
                total += size
        return total if known else None

    def _Template(self, n: nodes.Template) -> int | None:
        return self.many(n.body)

    def _Output(self, n: nodes.Output) -> int | None:
        return self.many(n.nodes)

    def _TemplateData(self, n: nodes.TemplateData) -> int:
        return len(n.data)

    def _Const(self, n: nodes.Const) -> int:
        return len(str(n.value))

    def _Name(self, n: nodes.Name) -> int | None:
        var = self.variables.get(n.name)
        if var is None:
            self.opaque = True
            return None
        size = variable_max_length(var)
        if size is None:
            self.unbounded.add(n.name)
        else:
            self.drivers[n.name] = size
        return size

    def _If(self, n: nodes.If) -> int | None:
        branches = [self.many(n.body), self.many(n.else_)]
        branches += [self._If(e) for e in n.elif_]
        return None if any(b is None for b in branches) else max(b for b in branches if b is not None)

    def _CondExpr(self, n: nodes.CondExpr) -> int | None:
        a = self.node(n.expr1)
        b = self.node(n.expr2) if n.expr2 is not None else 0
        return None if a is None or b is None else max(a, b)

    def _Concat(self, n: nodes.Concat) -> int | None:
        return self.many(list(n.nodes))

    def _Filter(self, n: nodes.Filter) -> int | None:
        inner = self.node(n.node) if n.node is not None else None
        if n.name in _SAME_OR_SHORTER:
            return inner
        from jinja2 import nodes  # the filters below come from Jinja's trees only

        if n.name in ("default", "d"):
            alt = self.node(n.args[0]) if n.args else 0
            return None if inner is None or alt is None else max(inner, alt)
        if n.name == "truncate":
            limit = n.args[0].value if n.args and isinstance(n.args[0], nodes.Const) else 255
            end = n.args[2].value if len(n.args) > 2 and isinstance(n.args[2], nodes.Const) \
                else "..."
            if isinstance(limit, int):
                cap = limit + len(str(end))
                return cap if inner is None else min(inner, cap)
        if n.name == "length" or n.name == "count":
            return 20
        if n.name == "format" and isinstance(n.node, nodes.Const) and \
                isinstance(n.node.value, str) and not n.kwargs and not n.dyn_args:
            size = self._format(n.node.value, n.args)
            if size is not None:
                return size
        self.opaque = True
        return None

    def _format(self, fmt: str, args: list[nodes.Expr]) -> int | None:
        """The longest ``fmt % (args)`` (the ``format`` filter, e.g. money as
        ``"%.2f"|format(price)``): each argument at the ends of its declared range."""
        from jinja2 import nodes

        conversions = [m for m in _PERCENT_RE.finditer(fmt) if m["kind"] != "%"]
        if len(conversions) != len(args) or len(args) > 4 or any(
                m["key"] or "*" in (m["width"] or "") + (m["precision"] or "")
                or m["kind"] not in _BOUNDED_CONVERSIONS for m in conversions):
            return None
        choices: list[list[Any]] = []
        for arg, conversion in zip(args, conversions, strict=True):
            values = self._extremes(arg, conversion["kind"])
            if values is None:
                return None
            choices.append(values)
        try:
            longest = max(len(fmt % combo) for combo in itertools.product(*choices))
        except (TypeError, ValueError, OverflowError):
            return None
        for arg in args:
            if isinstance(arg, nodes.Name):
                self.drivers[arg.name] = longest
        return longest

    def _extremes(self, arg: nodes.Expr, kind: str) -> list[Any] | None:
        """Values of ``arg`` whose formatting is longest: a constant, a numeric variable's
        minimum and maximum (for %d/%f its longest text is at one end), or a text variable
        as long as its max_length (for %s)."""
        from jinja2 import nodes

        if isinstance(arg, nodes.Const):
            return [arg.value]
        if not isinstance(arg, nodes.Name) or arg.name not in self.variables:
            return None
        var = self.variables[arg.name]
        if (var.type in ("integer", "number") and kind != "s") or var.type == "integer":
            if var.minimum is None or var.maximum is None:
                self.unbounded.add(arg.name)
                return None
            return [var.minimum, var.maximum]
        if kind == "s":
            size = variable_max_length(var)
            if size is None:
                self.unbounded.add(arg.name)
                return None
            return ["x" * size]
        return None

    # A test or comparison printed as output renders "True" or "False".
    def _Compare(self, n: nodes.Compare) -> int:
        return 5

    def _Test(self, n: nodes.Test) -> int:
        return 5

    def _Not(self, n: nodes.Not) -> int:
        return 5


def bound_pieces(pieces: Sequence[Piece], variables: Mapping[str, Variable]) -> Bound:
    """:func:`bound_template` of a plain template, from its pieces (no syntax tree, no
    Jinja): the texts' lengths plus each variable's longest text."""
    size: int | None = 0
    unbounded: set[str] = set()
    drivers: dict[str, int] = {}
    for piece in pieces:
        if isinstance(piece, str):
            part: int | None = len(piece)
        else:
            var = variables.get(piece.name)
            part = None if var is None else variable_max_length(var)
            if var is not None and part is None:
                unbounded.add(piece.name)
            elif var is not None and part is not None:
                drivers[piece.name] = part
        size = None if size is None or part is None else size + part
    return Bound(size, unbounded, drivers)


def bound_template(ast: nodes.Template, variables: Mapping[str, Variable]) -> Bound:
    analyzer = _Analyzer(variables)
    size = analyzer.node(ast)
    if analyzer.opaque and size is None:
        return Bound(None, analyzer.unbounded, analyzer.drivers)
    return Bound(size, analyzer.unbounded, analyzer.drivers)


# -- checking a plan's worst case ------------------------------------------------------------

#: Length given to a field whose bound is unknown: longer than any provider limit.
UNBOUNDED_PAD = 100_000


def pad(text: str, length: int) -> str:
    return text + "x" * (length - len(text)) if length > len(text) else text
