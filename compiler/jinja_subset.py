"""The Jinja-subset compiler: Python source that renders a template exactly as Jinja would,
for the small side-effect-free subset of Jinja it understands (text, names, constants,
comparisons, ``a if test else b``, a few string filters).

:mod:`compiler.templating` keeps each leaf's code (``TemplateLeaf.code``) and runs it through
:func:`generated`; :mod:`compiler.fastpath` inlines the same code in its per-recipient
function. A template outside the subset has no code and is rendered by Jinja in the
sandbox (:mod:`compiler.sandbox`). The generated code only reads ``v[name]`` and calls
``str`` and the str methods of :data:`FILTERS`: nothing a value contains is ever evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    from .template_parser import Piece

COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "lteq": "<=", "gteq": ">="}
# Jinja filters whose behaviour on str/int/float/bool values is the str method's.
FILTERS = {"upper": "upper", "lower": "lower", "capitalize": "capitalize", "trim": "strip"}


def expression_code(node: Any, names: set[str] | None, consts: list[Any]) -> str | None:
    """Python source for a small, side-effect-free subset of Jinja expressions (names,
    constants, comparisons, ``a if test else b``, a few string filters), or None.
    Names read ``v[...]`` (only those in ``names``, unless it is None); constants are
    written as Python literals (``repr``) where that round-trips, else ``c[...]``.

    Nodes are told apart by their class's name, so a tree of Jinja's nodes and one of
    :mod:`compiler.template_subset` (the same names and fields) give the same code."""
    kind = type(node).__name__
    if kind == "Name" and node.ctx == "load" and (names is None or node.name in names):
        return f"v[{node.name!r}]"
    if kind == "Const":
        return literal_code(node.value, consts)
    if kind == "Filter" and node.name in FILTERS and node.node is not None \
            and not node.args and not node.kwargs and not node.dyn_args and not node.dyn_kwargs:
        inner = expression_code(node.node, names, consts)
        return None if inner is None else f"str({inner}).{FILTERS[node.name]}()"
    if kind == "CondExpr" and node.expr2 is not None:
        test = expression_code(node.test, names, consts)
        a = expression_code(node.expr1, names, consts)
        b = expression_code(node.expr2, names, consts)
        if test is None or a is None or b is None:
            return None
        return f"({a} if {test} else {b})"
    if kind == "Compare" and len(node.ops) == 1 and node.ops[0].op in COMPARE \
            and (node.ops[0].op in ("eq", "ne") or not any(
                type(n).__name__ == "Name" for n in (node.expr, node.ops[0].expr))):
        # Ordering a variable (``n > 3``) can raise TypeError for a value of another type;
        # Jinja reports that as a template error, so such comparisons stay with Jinja.
        left = expression_code(node.expr, names, consts)
        right = expression_code(node.ops[0].expr, names, consts)
        if left is None or right is None:
            return None
        return f"({left} {COMPARE[node.ops[0].op]} {right})"
    return None


def literal_code(value: Any, consts: list[Any]) -> str:
    if value is None or isinstance(value, (str, bool, int)):
        return repr(value)
    consts.append(value)
    return f"c[{len(consts) - 1}]"


def template_code(ast: Any) -> str | None:
    """Python source of one expression rendering ``ast`` exactly as Jinja would, when the
    template only uses the subset of :func:`expression_code` (text, names, constants,
    comparisons, ``a if t else b``, a few string filters); else None. Constants that are
    not literals make it None too (they would need a table)."""
    consts: list[Any] = []
    terms: list[str] = []
    for node in ast.body:
        if type(node).__name__ != "Output":
            return None
        for child in node.nodes:
            if type(child).__name__ == "TemplateData":
                terms.append(repr(child.data))
                continue
            expr = expression_code(child, None, consts)
            if expr is None:
                return None
            terms.append(f"str({expr})")
    if consts:
        return None
    return joined(terms)


def pieces_code(pieces: tuple[Piece, ...]) -> str:
    return joined([repr(p) if isinstance(p, str) else f"str(v[{p.name!r}])" for p in pieces])


def joined(terms: list[str]) -> str:
    if not terms:
        return "''"
    if len(terms) == 1:
        return terms[0]
    return "''.join((" + ", ".join(terms) + ",))"


@lru_cache(maxsize=4096)
def generated(code: str) -> Callable[[Mapping[str, Any]], str]:
    """The function of generated ``code`` (from :func:`template_code` or
    :func:`pieces_code`): ``values -> text``. One per distinct code."""
    function: Callable[[Mapping[str, Any]], str] = eval(f"lambda v: {code}", {"str": str})
    return function
