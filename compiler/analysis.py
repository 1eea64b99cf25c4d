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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .template_parser import Piece
from .variables import Variable

if TYPE_CHECKING:
    from jinja2 import nodes

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
        from jinja2 import nodes

        inner = self.node(n.node) if n.node is not None else None
        if n.name in _SAME_OR_SHORTER:
            return inner
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
        self.opaque = True
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


@dataclass(slots=True)
class LeafBound:
    pointer: str          # in the message tree
    bound: Bound


def leaf_bounds(sources: Mapping[str, str], variables: Mapping[str, Variable],
                parse: Any) -> dict[str, LeafBound]:
    """Bounds of each template leaf (``sources``: message pointer -> template text)."""
    return {ptr: LeafBound(ptr, bound_template(parse(src), variables))
            for ptr, src in sources.items()}


def pad(text: str, length: int) -> str:
    return text + "x" * (length - len(text)) if length > len(text) else text
