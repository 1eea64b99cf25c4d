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
from dataclasses import dataclass
from difflib import get_close_matches
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
    """The immutable sandbox, with a smaller range() and no attribute-format tricks."""

    MAX_RANGE = 10_000


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


@dataclass(slots=True)
class _Leaf:
    pointer: str
    render: Callable[[Mapping[str, Any]], str]


def compile_template(source: str, pointer: str, declared: set[str]) -> jinja2.Template:
    try:
        ast = _ENV.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderProblem(pointer, "template-syntax", f"template syntax error: {exc.message}",
                            line_in_template=exc.lineno) from None
    used = meta.find_undeclared_variables(ast) - set(_ENV.globals)
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
    return _ENV.from_string(ast)


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
        return set(meta.find_undeclared_variables(_ENV.parse(source))) - set(_ENV.globals)
    except jinja2.TemplateSyntaxError:  # over-approximate: every identifier in the text
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))


class CompiledTree:
    """A message tree whose template leaves are compiled, ready to render many times."""

    def __init__(self, tree: Any, declared: set[str]) -> None:
        self.tree = tree
        self.leaves: dict[str, jinja2.Template] = {}
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
            template = self.leaves.get(ptr)
            return node if template is None else render_leaf(template, ptr, values)
        if isinstance(node, Mapping):
            return {k: self._render(v, jp.join(ptr, k), values) for k, v in node.items()}
        if isinstance(node, list):
            return [self._render(v, jp.join(ptr, i), values) for i, v in enumerate(node)]
        return node


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
    except (OverflowError, MemoryError, RecursionError):
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
