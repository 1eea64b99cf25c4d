"""Templates in a message tree (the render stage): parsing, compiling and rendering each
string leaf, as cheaply as the template allows.

Only *string leaves* of the message are templates, and each text is compiled once. A leaf
is read and rendered the cheapest way its template allows (see :class:`TemplateLeaf`): a
plain template (text and ``{{ name }}``, the common case) without Jinja at all; a small safe
subset (``{{ 'day' if n == 1 else 'days' }}``) read by :mod:`compiler.template_subset` and
rendered by a generated Python function, also without Jinja; anything else by Jinja in the
sandbox (:mod:`compiler.sandbox`, imported only then). Variable values are data: whatever a
value contains ends up in the output literally and is never parsed again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import pointer as jp
from .diagnostics import close_matches
from .jinja_subset import generated, pieces_code, template_code
from .template_limits import (
    GLOBAL_NAMES,
    MAX_RENDERED_CHARS,
    MAX_TEMPLATE_CHARS,
    MAX_TEMPLATE_DEPTH,
    RenderProblem,
)
from .template_parser import Piece, Var, plain_ast, plain_names, plain_pieces, scan_plain
from .template_subset import scan_subset

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "GLOBAL_NAMES", "MAX_RENDERED_CHARS", "MAX_TEMPLATE_CHARS", "MAX_TEMPLATE_DEPTH",
    "CompiledTree", "Parsed", "RenderProblem", "TemplateLeaf", "compile_template",
    "is_template", "parse", "parse_template", "variables_used",
]

_MARKERS = ("{{", "{%", "{#")


def is_template(text: str) -> bool:
    """Whether ``text`` holds a Jinja tag start (one of :data:`_MARKERS`)."""
    return "{" in text and ("{{" in text or "{%" in text or "{#" in text)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed template: its pieces when it is plain, else Jinja's tree (or, for the
    subset :mod:`compiler.template_subset` reads, a tree of the same shape); and the
    variables it reads."""

    pieces: tuple[Piece, ...] | None
    tree: Any  # jinja2.nodes.Template, or template_subset.Template; None when plain
    names: frozenset[str]

    @property
    def ast(self) -> Any:
        """The syntax tree (Jinja's, built from the pieces of a plain template)."""
        if self.tree is not None:
            return self.tree
        assert self.pieces is not None
        return plain_ast(self.pieces)

    def line_of(self, name: str) -> int | None:
        """The line the variable ``name`` is first read on."""
        if self.pieces is not None:
            return next((p.line for p in self.pieces if isinstance(p, Var) and p.name == name),
                        None)
        assert self.tree is not None
        return next((n.lineno for n in _walk(self.tree)
                     if type(n).__name__ == "Name" and n.name == name), None)


def _walk(tree: Any) -> Iterator[Any]:
    """The nodes under ``tree`` in the order of Jinja's ``find_all`` (a node, then its
    children's subtrees in field order), for Jinja's trees and the subset's alike."""
    for child in tree.iter_child_nodes():
        yield child
        yield from _walk(child)


@lru_cache(maxsize=4096)
def parse(source: str) -> Parsed:
    """Parse a template (cached: the same text recurs in every target and locale of a
    spec). Plain templates never load Jinja. Raises Jinja's TemplateSyntaxError, also for a
    template longer than :data:`MAX_TEMPLATE_CHARS` or nested deeper than
    :data:`MAX_TEMPLATE_DEPTH`."""
    pieces = scan_plain(source) if len(source) <= MAX_TEMPLATE_CHARS else None
    if pieces is not None:
        return Parsed(pieces, None, plain_names(pieces) - GLOBAL_NAMES)
    tree = scan_subset(source) if len(source) <= MAX_TEMPLATE_CHARS else None
    if tree is not None and template_code(tree) is not None:  # rendered without Jinja too
        names = frozenset(n.name for n in _walk(tree) if type(n).__name__ == "Name")
        return Parsed(plain_pieces(tree), tree, names)
    from . import sandbox

    ast = sandbox.parse(source)
    return Parsed(plain_pieces(ast), ast, sandbox.variables_of(ast))


@lru_cache(maxsize=4096)
def parse_template(source: str) -> tuple[Any, frozenset[str]]:
    """The syntax tree of a template (Jinja's, or one shaped like it) and the variables it
    reads (see :func:`parse`)."""
    parsed = parse(source)
    return parsed.ast, parsed.names


def _is_syntax_error(exc: Exception) -> bool:
    if type(exc).__module__.split(".")[0] != "jinja2":
        return False  # Jinja is loaded once a template went to it
    from jinja2 import TemplateSyntaxError

    return isinstance(exc, TemplateSyntaxError)


class TemplateLeaf:
    """One template string, rendered three ways, fastest first:

    * a *plain* template (text and ``{{ name }}``) by joining its pieces (``pieces``);
    * one in the safe subset of :mod:`compiler.jinja_subset` by a generated Python function
      (``fast``, generated on first use and shared by every leaf with the same text);
    * anything else by sandboxed Jinja (compiled on first use).
    """

    __slots__ = ("code", "pieces", "source")

    def __init__(self, source: str, pieces: tuple[Piece, ...] | None, code: str | None) -> None:
        self.source = source
        self.pieces = pieces
        self.code = code

    @property
    def template(self) -> jinja2.Template:
        from .sandbox import compiled

        return compiled(self.source)

    @property
    def jinja_only(self) -> bool:
        """Whether only Jinja can render this leaf (it then draws on a render budget)."""
        return self.code is None

    @property
    def fast(self) -> Callable[[Mapping[str, Any]], str] | None:
        """A generated function rendering this leaf as Jinja would (None: only Jinja can)."""
        return None if self.code is None else generated(self.code)

    def render(self, values: Mapping[str, Any], ptr: str) -> str:
        try:
            if self.pieces is not None:
                text = "".join([p if isinstance(p, str) else str(values[p.name])
                                for p in self.pieces])
            elif self.code is not None:
                text = generated(self.code)(values)
            else:
                return self._render_jinja(values, ptr)
        except KeyError:  # a value is missing: let Jinja name it in its error
            return self._render_jinja(values, ptr)
        if len(text) > MAX_RENDERED_CHARS:
            return self._render_jinja(values, ptr)
        return text

    def _render_jinja(self, values: Mapping[str, Any], ptr: str) -> str:
        from .sandbox import render_leaf

        try:
            template = self.template
        except Exception as exc:
            if not _is_syntax_error(exc):
                raise
            raise RenderProblem(ptr, "template-syntax",
                                f"template syntax error: {exc.message}",  # type: ignore[attr-defined]
                                line_in_template=exc.lineno) from None  # type: ignore[attr-defined]
        return render_leaf(template, ptr, values)

    def renderer(self, ptr: str) -> Callable[[Mapping[str, Any]], str]:
        return lambda values: self.render(values, ptr)


@lru_cache(maxsize=4096)
def _leaf(source: str) -> tuple[TemplateLeaf, Parsed]:
    """The leaf of a template text and its parse (raises TemplateSyntaxError). Cached: a
    text recurs in every target and locale of a spec."""
    parsed = parse(source)
    if parsed.pieces is not None:
        code: str | None = pieces_code(parsed.pieces)
    else:
        assert parsed.tree is not None
        code = template_code(parsed.tree)
    return TemplateLeaf(source, parsed.pieces, code), parsed


def compile_template(source: str, pointer: str, declared: set[str]) -> TemplateLeaf:
    if len(source) > MAX_TEMPLATE_CHARS:
        raise RenderProblem(pointer, "template-too-large",
                            f"template is {len(source):,} characters long (limit "
                            f"{MAX_TEMPLATE_CHARS:,})")
    try:
        leaf, parsed = _leaf(source)
    except Exception as exc:
        if not _is_syntax_error(exc):
            raise
        raise RenderProblem(pointer, "template-syntax",
                            f"template syntax error: {exc.message}",  # type: ignore[attr-defined]
                            line_in_template=exc.lineno) from None  # type: ignore[attr-defined]
    unknown = sorted(parsed.names - declared)
    if unknown:
        name = unknown[0]
        close = close_matches(name, sorted(declared), n=1)
        raise RenderProblem(
            pointer, "undeclared-variable",
            f"template uses variable {name!r}, which the spec does not declare",
            line_in_template=parsed.line_of(name),
            hint=f"did you mean {close[0]!r}?" if close else "declare it under `variables:`",
        )
    return leaf


def variables_used(source: str) -> set[str]:
    """Names a template reads (for one that does not parse: every identifier in it)."""
    if not is_template(source):
        return set()
    try:
        return set(parse(source).names)
    except Exception as exc:
        if not _is_syntax_error(exc):
            raise
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))  # over-approximate


class CompiledTree:
    """A message tree whose template leaves are compiled, ready to render many times."""

    def __init__(self, tree: Any, declared: set[str]) -> None:
        self.tree = tree
        self.leaves: dict[str, TemplateLeaf] = {}
        problems: list[RenderProblem] = []
        renderer = self._compile(tree, "", declared, problems)
        self.problems = problems
        self.static = not self.leaves
        #: Whether some leaf is rendered by Jinja (and so draws on a render budget).
        self.uses_jinja = any(leaf.jinja_only for leaf in self.leaves.values())
        self._renderer = renderer if self.leaves else None

    def render(self, values: Mapping[str, Any]) -> Any:
        """The tree with every template leaf rendered; raises :class:`RenderProblem`.
        All leaves of the message share one budget of steps, time and output."""
        if self._renderer is None:
            return self.tree
        if not self.uses_jinja:
            return self._renderer(values)
        from .sandbox import render_budget

        with render_budget():
            return self._renderer(values)

    def _compile(self, node: Any, ptr: str, declared: set[str],
                 problems: list[RenderProblem]) -> Callable[[Mapping[str, Any]], Any] | None:
        """Compile the template leaves under ``node`` (into :attr:`leaves`, or a problem
        into ``problems``) in one walk, and return a function building the rendered copy
        of ``node``, or None when no template is under it (the rendered tree then shares
        it: rendered trees are read-only)."""
        if node.__class__ is str or isinstance(node, str):
            if not is_template(node):
                return None
            try:
                leaf = self.leaves[ptr] = compile_template(node, ptr, declared)
            except RenderProblem as problem:
                problems.append(problem)
                return None
            return lambda values: leaf.render(values, ptr)
        if isinstance(node, dict):  # a spec's tree: YAML's dicts (not the slower Mapping)
            parts = [(k, v, self._compile(v, jp.join(ptr, k), declared, problems))
                     for k, v in node.items()]
            if all(r is None for _, _, r in parts):
                return None
            return lambda values: {k: v if r is None else r(values) for k, v, r in parts}
        if isinstance(node, list):
            items = [(v, self._compile(v, f"{ptr}/{i}", declared, problems))
                     for i, v in enumerate(node)]
            if all(r is None for _, r in items):
                return None
            return lambda values: [v if r is None else r(values) for v, r in items]
        return None
