"""A tiny HTML builder that escapes by construction.

Pages are trees of :class:`Node`; every string child and every attribute value is escaped
when the tree is rendered, so a spec or variable value such as ``<img src=x onerror=…>``
can only ever show as text. The one way to put raw markup in a page is :class:`Markup`,
used for the fixed parts of the page skeleton this package writes itself — never for a
value that came from a spec, a variable or a payload.

Attributes are written in the order given and rendering has no other input, so the same
tree always gives the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Union

#: Elements without content or end tag.
_VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "col", "source"})


class Markup(str):
    """Trusted markup, written as is. Only for constant page skeleton, never for data."""

    __slots__ = ()


Child = Union["Node", str, Markup, bool, None, Iterable["Child"]]


@dataclass(slots=True)
class Node:
    """One element: a tag, its attributes (None drops one, True writes a bare name), and
    its children (strings are escaped; None, booleans and empty lists are skipped)."""

    tag: str
    attrs: dict[str, str | bool | None] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)

    def render(self) -> str:
        out: list[str] = []
        _render(self, out)
        return "".join(out)


def h(tag: str, attrs: dict[str, str | bool | None] | None = None, *children: Child) -> Node:
    """``h("p", {"class": "note"}, "text", h("b", None, "bold"))``."""
    return Node(tag, dict(attrs or {}), list(children))


def classes(*names: str | None) -> str:
    """A class attribute from the names that are set."""
    return " ".join(n for n in names if n)


def render(child: Child) -> str:
    out: list[str] = []
    _render(child, out)
    return "".join(out)


def _render(child: Child, out: list[str]) -> None:
    if child is None or isinstance(child, bool):  # `cond and node` leaves False: skip it
        return
    if isinstance(child, Markup):
        out.append(str(child))
    elif isinstance(child, str):
        out.append(html.escape(child, quote=False))
    elif isinstance(child, Node):
        out.append(f"<{child.tag}")
        for name, value in child.attrs.items():
            if value is None or value is False:
                continue
            if value is True:
                out.append(f" {name}")
            else:
                out.append(f' {name}="{html.escape(str(value), quote=True)}"')
        out.append(">")
        if child.tag in _VOID:
            return
        for grandchild in child.children:
            _render(grandchild, out)
        out.append(f"</{child.tag}>")
    else:
        for item in child:
            _render(item, out)
