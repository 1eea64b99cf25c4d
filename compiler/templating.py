"""Sandboxed, strict Jinja templating of a message tree (the render stage).

Only *string leaves* of the message are templates, and they are compiled once. Variable
values are handed to Jinja as data: whatever a value contains (quotes, braces, ``{{ }}``)
ends up in the output literally and is never parsed again. The environment is Jinja's
immutable sandbox with strict undefined (a missing variable is an error naming it), no
autoescaping (payloads are JSON, not HTML), and only a few harmless globals.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from difflib import get_close_matches
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from . import pointer as jp

#: Longest text one string leaf may render to; far above any provider limit.
MAX_RENDERED_CHARS = 65_536
_MARKERS = ("{{", "{%", "{#")


class RenderProblem(Exception):
    """A template could not be compiled or rendered; ``pointer`` is in the message tree."""

    def __init__(self, pointer: str, rule: str, message: str, *, line_in_template: int | None
                 = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.rule = rule
        self.message = message
        self.line_in_template = line_in_template
        self.hint = hint


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a smaller range() and bounded ``*`` and ``**``.

    Jinja's sandbox stops attribute tricks but lets ``'x' * 10**10`` or ``9**999999999``
    run: those would exhaust memory or CPU before any length check. Both operators are
    intercepted and refused when their result would be larger than a message can be.
    """

    MAX_RANGE = 10_000
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if _is_number(left) and _is_number(right) and abs(right) > 64 and abs(left) > 1:
                raise OverflowError(f"{left!r} ** {right!r} is too large to compute")
            return left**right
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                        and len(seq) * n > MAX_RENDERED_CHARS:
                    raise OverflowError(f"a repetition of {len(seq) * n:,} items is longer "
                                        f"than a message may be ({MAX_RENDERED_CHARS:,})")
            return left * right
        return super().call_binop(context, operator, left, right)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def make_environment() -> jinja2.Environment:
    env = _Sandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        cache_size=0,
    )
    env.globals.clear()
    env.globals["range"] = _bounded_range
    return env


def _bounded_range(*args: int) -> range:
    """range() capped at ``_Sandbox.MAX_RANGE`` items (builtin range would let a template
    loop or list a billion items)."""
    rng = range(*args)
    if len(rng) > _Sandbox.MAX_RANGE:
        raise OverflowError(f"range() of {len(rng):,} items; the sandbox allows "
                            f"{_Sandbox.MAX_RANGE:,}")
    return rng


_ENV = make_environment()


def is_template(text: str) -> bool:
    return any(m in text for m in _MARKERS)


@lru_cache(maxsize=4096)
def parse_template(source: str) -> tuple[nodes.Template, frozenset[str]]:
    """The syntax tree of a template and the variables it reads (cached: the same text
    recurs in every target and locale of a spec). Raises TemplateSyntaxError."""
    ast = _ENV.parse(source)
    return ast, frozenset(meta.find_undeclared_variables(ast) - set(_ENV.globals))


@lru_cache(maxsize=4096)
def _jinja(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


class TemplateLeaf:
    """One template string: rendered by a small compiled closure when it only uses the
    safe subset (:func:`fast_renderer`), by sandboxed Jinja (compiled on first use)
    otherwise."""

    __slots__ = ("fast", "source")

    def __init__(self, source: str, fast: Callable[[Mapping[str, Any]], str] | None) -> None:
        self.source = source
        self.fast = fast

    @property
    def template(self) -> jinja2.Template:
        return _jinja(self.source)

    def render(self, values: Mapping[str, Any], ptr: str) -> str:
        if self.fast is not None:
            try:
                text = self.fast(values)
            except KeyError:  # a value is missing: let Jinja name it in its error
                return render_leaf(self.template, ptr, values)
            if len(text) > MAX_RENDERED_CHARS:
                return render_leaf(self.template, ptr, values)
            return text
        return render_leaf(self.template, ptr, values)

    def renderer(self, ptr: str) -> Callable[[Mapping[str, Any]], str]:
        return lambda values: self.render(values, ptr)


def compile_template(source: str, pointer: str, declared: set[str]) -> TemplateLeaf:
    try:
        ast, used = parse_template(source)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderProblem(pointer, "template-syntax", f"template syntax error: {exc.message}",
                            line_in_template=exc.lineno) from None
    unknown = sorted(used - declared)
    if unknown:
        name = unknown[0]
        close = get_close_matches(name, sorted(declared), n=1)
        raise RenderProblem(
            pointer, "undeclared-variable",
            f"template uses variable {name!r}, which the spec does not declare",
            line_in_template=_line_of(ast, name),
            hint=f"did you mean {close[0]!r}?" if close else "declare it under `variables:`",
        )
    return TemplateLeaf(source, fast_renderer(ast, declared))


def _line_of(ast: nodes.Template, name: str) -> int | None:
    for node in ast.find_all(nodes.Name):
        if node.name == name:
            return node.lineno
    return None


def variables_used(source: str) -> set[str]:
    """Names a template reads (for one that does not parse: every identifier in it)."""
    if not is_template(source):
        return set()
    try:
        return set(parse_template(source)[1])
    except jinja2.TemplateSyntaxError:  # over-approximate: every identifier in the text
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))


class CompiledTree:
    """A message tree whose template leaves are compiled, ready to render many times."""

    def __init__(self, tree: Any, declared: set[str]) -> None:
        self.tree = tree
        self.leaves: dict[str, TemplateLeaf] = {}
        problems: list[RenderProblem] = []
        self._collect(tree, "", declared, problems)
        self.problems = problems
        self.static = not self.leaves

    def _collect(self, node: Any, ptr: str, declared: set[str],
                 problems: list[RenderProblem]) -> None:
        if isinstance(node, str):
            if is_template(node):
                try:
                    self.leaves[ptr] = compile_template(node, ptr, declared)
                except RenderProblem as problem:
                    problems.append(problem)
        elif isinstance(node, Mapping):
            for k, v in node.items():
                self._collect(v, jp.join(ptr, k), declared, problems)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                self._collect(v, jp.join(ptr, i), declared, problems)

    def render(self, values: Mapping[str, Any]) -> Any:
        """The tree with every template leaf rendered; raises :class:`RenderProblem`."""
        if self.static:
            return self.tree
        return self._render(self.tree, "", values)

    def _render(self, node: Any, ptr: str, values: Mapping[str, Any]) -> Any:
        if isinstance(node, str):
            leaf = self.leaves.get(ptr)
            return node if leaf is None else leaf.render(values, ptr)
        if isinstance(node, Mapping):
            return {k: self._render(v, jp.join(ptr, k), values) for k, v in node.items()}
        if isinstance(node, list):
            return [self._render(v, jp.join(ptr, i), values) for i, v in enumerate(node)]
        return node


_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "lteq": "<=", "gteq": ">="}
# Jinja filters whose behaviour on str/int/float/bool values is the str method's.
_FILTERS = {"upper": "upper", "lower": "lower", "capitalize": "capitalize", "trim": "strip"}


def _expression(node: nodes.Node, names: set[str], consts: list[Any]) -> str | None:
    """Python source for a small, side-effect-free subset of Jinja expressions (names,
    constants, comparisons, ``a if test else b``, a few string filters), or None.
    Names read ``v[...]``; constants are passed in ``c[...]``."""
    if isinstance(node, nodes.Name) and node.ctx == "load" and node.name in names:
        return f"v[{node.name!r}]"
    if isinstance(node, nodes.Const):
        consts.append(node.value)
        return f"c[{len(consts) - 1}]"
    if isinstance(node, nodes.Filter) and node.name in _FILTERS and node.node is not None \
            and not node.args and not node.kwargs and not node.dyn_args and not node.dyn_kwargs:
        inner = _expression(node.node, names, consts)
        return None if inner is None else f"str({inner}).{_FILTERS[node.name]}()"
    if isinstance(node, nodes.CondExpr) and node.expr2 is not None:
        test = _expression(node.test, names, consts)
        a = _expression(node.expr1, names, consts)
        b = _expression(node.expr2, names, consts)
        if test is None or a is None or b is None:
            return None
        return f"({a} if {test} else {b})"
    if isinstance(node, nodes.Compare) and len(node.ops) == 1 and node.ops[0].op in _COMPARE:
        left = _expression(node.expr, names, consts)
        right = _expression(node.ops[0].expr, names, consts)
        if left is None or right is None:
            return None
        return f"({left} {_COMPARE[node.ops[0].op]} {right})"
    return None


def fast_renderer(ast: nodes.Template, names: set[str]
                  ) -> Callable[[Mapping[str, Any]], str] | None:
    """A function rendering a parsed template exactly as Jinja would, when the template only
    uses the subset above (text, names, constants, comparisons, ``a if t else b``, a few
    string filters); else None. It is generated as one Python expression (``str(v['a']) +
    ' text'``). Equivalence with Jinja is tested (tests/test_fastpath.py)."""
    consts: list[Any] = []
    terms: list[str] = []
    for node in ast.body:
        if not isinstance(node, nodes.Output):
            return None
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                consts.append(child.data)
                terms.append(f"c[{len(consts) - 1}]")
                continue
            expr = _expression(child, names, consts)
            if expr is None:
                return None
            terms.append(f"str({expr})")
    source = "lambda v: " + (" + ".join(terms) if terms else "''")
    function: Callable[[Mapping[str, Any]], str] = eval(source, {"c": consts})
    return function


_UNDEFINED_RE = re.compile(r"'([^']+)' is undefined")


def render_leaf(template: jinja2.Template, ptr: str, values: Mapping[str, Any]) -> str:
    try:
        text = template.render(values)
    except jinja2.UndefinedError as exc:
        match = _UNDEFINED_RE.search(str(exc))
        what = f"variable {match.group(1)!r} is not defined" if match else str(exc)
        raise RenderProblem(ptr, "undefined-variable", f"cannot render: {what}",
                            hint="pass it with --var NAME=VALUE or give it a default") from None
    except SecurityError as exc:
        raise RenderProblem(ptr, "template-unsafe",
                            f"template stopped by the sandbox: {exc}") from None
    except OverflowError as exc:
        raise RenderProblem(ptr, "template-too-large",
                            f"template output is too large to render: {exc}") from None
    except (MemoryError, RecursionError):
        raise RenderProblem(ptr, "template-too-large",
                            "template output is too large to render") from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise RenderProblem(ptr, "template-error",
                            f"cannot render: {type(exc).__name__}: {exc}") from None
    if len(text) > MAX_RENDERED_CHARS:
        raise RenderProblem(ptr, "template-too-large",
                            f"template renders to {len(text):,} characters (limit "
                            f"{MAX_RENDERED_CHARS:,})")
    return text
