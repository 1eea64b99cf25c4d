"""The Jinja sandbox: the environment every non-plain template is parsed, compiled and
rendered in, with its checks and its budget of work per message.

Variable values are handed to Jinja as data: whatever a value contains (quotes, braces,
``{{ }}``) ends up in the output literally and is never parsed again. The environment is
Jinja's immutable sandbox with strict undefined (a missing variable is an error naming it),
no autoescaping (payloads are JSON, not HTML), and only a few harmless globals. Plain
templates (text and ``{{ name }}``) never come here (compiler.templating renders them), so
this module, and Jinja, load only when a spec needs more.
"""

from __future__ import annotations

import contextvars
import inspect
import re
import string
import time
import types
from collections.abc import Callable, ItemsView, Iterable, KeysView, Mapping, ValuesView
from functools import lru_cache, wraps
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from .template_limits import (
    GLOBAL_NAMES,
    MAX_RENDERED_CHARS,
    MAX_TEMPLATE_CHARS,
    MAX_TEMPLATE_DEPTH,
    RenderProblem,
)
from .template_parser import free_names

#: The most work one message's templates may do, counted in steps. A loop iteration, a
#: call, a filter, an operator, a literal list or dict and an output each cost one step,
#: plus one step per :data:`CHARS_PER_STEP` characters of text they read or build (per
#: character for the filters in :data:`TEXT_SCANNING_FILTERS`, which do far more work per
#: character). Steps, not seconds, decide every verdict: the same template gets the same
#: diagnostic on every machine, however busy. 200,000 steps take well under a second.
MAX_STEPS = 200_000
CHARS_PER_STEP = 16
#: A call of a ``{% macro %}`` costs as much as this many plain steps (binding its
#: arguments and setting up its frame costs ~30 times the work of a loop iteration).
MACRO_CALL_STEPS = 32
#: Filters that scan their text with regular expressions or rebuild it piecewise, at
#: 20-1,000 ns per character (``bench``-measured) against ~1 ns for ``upper``/``replace``.
TEXT_SCANNING_FILTERS = frozenset({
    "urlize", "wordwrap", "pprint", "title", "urlencode", "unique", "wordcount", "striptags",
    "indent", "tojson", "xmlattr", "groupby", "dictsort", "filesizeformat",
})
#: A wall-clock backstop for work the step model does not foresee; it has its own rule
#: (``template-timeout``) and no bundled or tested template comes near it.
MAX_RENDER_SECONDS = 10.0
#: Largest value (string, list, dict, number) a template may build, in characters of its
#: text form, and most text all outputs of one message may write (macro bodies and
#: ``{% set %}`` blocks included).
MAX_VALUE_CHARS = 4 * MAX_RENDERED_CHARS
MAX_EMITTED_CHARS = 16 * MAX_RENDERED_CHARS
#: Largest integer a template may compute (about 4,900 digits).
MAX_INT_BITS = 16_384


class BudgetExceeded(OverflowError):
    """A render used up its step or output budget."""


class RenderTimeout(BudgetExceeded):
    """A render ran past the wall-clock backstop (:data:`MAX_RENDER_SECONDS`)."""


#: The clock of the backstop (a module attribute so tests can move time forward).
_clock = time.monotonic


class _Budget:
    __slots__ = ("deadline", "emitted", "steps")

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.emitted = 0
        self.deadline = _clock() + MAX_RENDER_SECONDS


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("msgc_budget",
                                                                         default=None)


class render_budget:  # used like a function: ``with render_budget():``
    """One budget for everything rendered inside the ``with`` block (a whole message);
    nested blocks share the outer one."""

    __slots__ = ("token",)

    def __enter__(self) -> None:
        self.token = _BUDGET.set(_Budget()) if _BUDGET.get() is None else None

    def __exit__(self, *exc: object) -> None:
        if self.token is not None:
            _BUDGET.reset(self.token)


def _tick(steps: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.steps -= steps
    if budget.steps < 0:
        raise BudgetExceeded(f"it takes more than {MAX_STEPS:,} steps (loop iterations, calls, "
                             "filters, operators and outputs)")
    if _clock() > budget.deadline:
        raise RenderTimeout(f"it ran for longer than {MAX_RENDER_SECONDS:g} s")


def _charge(chars: int, chars_per_step: int = CHARS_PER_STEP) -> None:
    """Charge the work of reading or building ``chars`` characters of text."""
    if chars >= chars_per_step:
        _tick(chars // chars_per_step)


def _size(value: Any, limit: int = MAX_VALUE_CHARS) -> int:
    """About how many characters ``str(value)`` has (an upper bound up to a small factor),
    counted only until it passes ``limit``. Iterative, and charged to the budget, so any
    nesting and any sharing of parts is cheap to measure."""
    if isinstance(value, str):
        return len(value)
    total = 0
    stack = [value]
    visited = 0
    while stack and total <= limit:
        v = stack.pop()
        visited += 1
        if isinstance(v, (str, bytes)):
            total += len(v) + 3
        elif isinstance(v, bool) or v is None or isinstance(v, float):
            total += 24
        elif isinstance(v, int):
            total += v.bit_length() // 3 + 2
        elif isinstance(v, Mapping):
            total += 2 + 4 * len(v)
            if total <= limit:
                stack.extend(v.keys())
                stack.extend(v.values())
        elif isinstance(v, (list, tuple, set, frozenset, KeysView, ValuesView, ItemsView)):
            total += 2 + 2 * len(v)
            if total <= limit:
                stack.extend(v)
        else:  # ranges, macros, loop objects, undefined values: short text forms
            total += 32
    _tick(visited // 16)
    return total


def _check_value(value: Any, what: str = "value") -> Any:
    """``value``, or :class:`OverflowError` when it is larger than a template may build."""
    size = _size(value)
    if size > MAX_VALUE_CHARS:
        raise OverflowError(f"a {what} of more than {MAX_VALUE_CHARS:,} characters")
    _charge(size)
    return value


def _check_width(width: Any, what: str) -> None:
    if isinstance(width, int) and width > MAX_VALUE_CHARS:
        raise OverflowError(f"{what} {width:,} is larger than the sandbox allows "
                            f"({MAX_VALUE_CHARS:,})")


def _check_estimate(chars: int, what: str) -> None:
    if chars > MAX_VALUE_CHARS:
        raise OverflowError(f"{what} would make about {chars:,} characters (the sandbox allows "
                            f"{MAX_VALUE_CHARS:,})")


_PERCENT_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.DOTALL)
_DIGITS_RE = re.compile(r"\d+")
_FORMATTER = string.Formatter()


def _args_of(args: Any) -> list[Any]:
    if isinstance(args, Mapping):
        return list(args.values())
    return list(args) if isinstance(args, tuple) else [args]


def _check_numbers(numbers: list[str], what: str) -> None:
    for digits in numbers:
        if len(digits) > 7 or int(digits) > MAX_VALUE_CHARS:
            raise OverflowError(f"{what} {digits[:12]}{'...' if len(digits) > 12 else ''} is "
                                f"larger than the sandbox allows ({MAX_VALUE_CHARS:,})")


def _check_percent(fmt: Any, args: Any) -> None:
    """``fmt % args`` (and the ``format`` filter): widths and the size of the result."""
    if isinstance(fmt, bytes):
        fmt = fmt.decode("latin-1")
    if not isinstance(fmt, str):
        return
    conversions = _PERCENT_RE.findall(fmt)
    values = _args_of(args)
    for width, precision, _ in conversions:
        if "*" in (width, precision):
            for v in values:
                _check_width(v, "a width or precision of")
        _check_numbers([n for n in (width, precision) if n and n != "*"],
                       "a width or precision of")
    largest = max((_size(v) for v in values), default=0)
    _check_estimate(len(fmt) + len(conversions) * largest, "this % formatting")


def _check_str_format(fmt: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """``fmt.format(...)``: widths and precisions in the specs, and the size of the result."""
    try:
        fields = [(spec or "") for _, name, spec, _ in _FORMATTER.parse(fmt) if name is not None]
    except ValueError:
        return  # the call itself raises the same error
    values = [*args, *kwargs.values()]
    for spec in fields:
        _check_numbers(_DIGITS_RE.findall(spec), "a width or precision of")
        if "{" in spec:  # a nested field: the width comes from the arguments
            for v in values:
                _check_width(v, "a width or precision of")
                if isinstance(v, str):
                    _check_numbers(_DIGITS_RE.findall(v), "a width or precision of")
    largest = max((_size(v) for v in values), default=0)
    _check_estimate(len(fmt) + len(fields) * largest, "this format()")


def _check_replace(s: Any, old: Any, new: Any, count: Any = -1) -> None:
    if isinstance(s, (str, bytes)) and isinstance(old, type(s)) and isinstance(new, type(s)):
        # ``old`` has the type of ``s`` (checked above), which mypy cannot follow.
        n = s.count(old) if old else len(s) + 1  # type: ignore[arg-type]
        if isinstance(count, int) and count >= 0:
            n = min(n, count)
        _check_estimate(len(s) + n * max(len(new) - len(old), 0), "this replace()")


def _check_join(separator: Any, items: list[Any]) -> None:
    total = len(separator) * max(len(items) - 1, 0) if isinstance(separator, (str, bytes)) else 0
    for item in items:
        total += _size(item)
        if total > MAX_VALUE_CHARS:
            break
    _check_estimate(total, "this join")


# Methods of str, bytes and int whose result can be far larger than their inputs.
def _method_check(name: str, obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
                  ) -> tuple[Any, ...]:
    """Check a call of ``obj.name``; return the arguments to call it with."""
    def arg(i: int, key: str, default: Any = None) -> Any:
        return args[i] if len(args) > i else kwargs.get(key, default)

    if name in ("center", "ljust", "rjust", "zfill"):
        _check_width(arg(0, "width"), f"{name}() to a width of")
    elif name == "expandtabs" and isinstance(obj, (str, bytes)):
        size = arg(0, "tabsize", 8)
        if isinstance(size, int):
            tabs = obj.count("\t") if isinstance(obj, str) else obj.count(b"\t")
            _check_estimate(len(obj) + tabs * size, "expandtabs()")
    elif name == "replace":
        _check_replace(obj, arg(0, "old"), arg(1, "new"), arg(2, "count", -1))
    elif name == "join" and args:
        items = list(args[0]) if not isinstance(args[0], (str, bytes)) else args[0]
        _check_join(obj, list(items))
        return (items, *args[1:])
    elif name == "translate" and isinstance(obj, str) and isinstance(arg(0, "table"), Mapping):
        longest = max((_size(v) for v in arg(0, "table").values()), default=1)
        _check_estimate(len(obj) * max(longest, 1), "translate()")
    elif name == "to_bytes":
        _check_width(arg(0, "length", 1), "to_bytes() of a length of")
    return args


# Filters whose result can be far larger than their input: checked before they run.
def _filter_checks(name: str, a: Mapping[str, Any]) -> None:
    if name == "center":
        _check_width(a.get("width", 80), "center() to a width of")
    elif name == "indent":
        s, width = a.get("s"), a.get("width", 4)
        if isinstance(s, str):
            unit = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
            _check_width(width, "indent() by")
            _check_estimate(len(s) + (s.count("\n") + 1) * unit, "indent()")
    elif name == "wordwrap":
        s, width, wrap = a.get("s"), a.get("width", 79), a.get("wrapstring")
        if isinstance(s, str) and isinstance(width, int) and isinstance(wrap, str):
            breaks = len(s) // max(width, 1) + s.count("\n") + 1
            _check_estimate(len(s) + breaks * len(wrap), "wordwrap()")
    elif name == "replace":
        _check_replace(a.get("s"), a.get("old"), a.get("new"),
                       a.get("count") if a.get("count") is not None else -1)
    elif name == "format":
        _check_percent(a.get("value"), a.get("kwargs") or a.get("args", ()))
    elif name in ("batch", "slice"):
        _check_width(a.get("linecount", a.get("slices")), f"{name}() into")
    elif name == "urlize":
        value = a.get("value")
        extra = sum(len(x) for x in (a.get("target"), a.get("rel")) if isinstance(x, str))
        if isinstance(value, str):
            _check_estimate(len(value) * (3 + extra), "urlize()")


def _checked_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with a step charged per call, a check before it runs where its result can
    outgrow its input, and a check of the size of its result."""
    signature = inspect.signature(func)
    pre = name in ("center", "indent", "wordwrap", "replace", "format", "batch", "slice",
                   "urlize", "join")

    chars_per_step = 1 if name in TEXT_SCANNING_FILTERS else CHARS_PER_STEP

    @wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _tick()
        _charge(_arguments_size(args, kwargs), chars_per_step)
        if pre:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                return func(*args, **kwargs)  # let the filter report its own usage error
            a = dict(bound.arguments)
            if name == "join":
                value = a.get("value")
                if isinstance(value, Iterable) and not isinstance(value, (str, Mapping)):
                    bound.arguments["value"] = value = list(value)
                if isinstance(value, list):
                    _check_join(a.get("d", ""), value)
                args, kwargs = bound.args, bound.kwargs
            else:
                if "kwargs" in a:
                    a["kwargs"] = dict(a["kwargs"])
                _filter_checks(name, a)
        return _check_value(func(*args, **kwargs), "result")

    return checked


def _ticking(iterable: Any) -> Any:
    """Iterate ``iterable``, one step per item (every ``{% for %}`` loops through this)."""
    for item in iterable:
        _tick()
        yield item


@jinja2.pass_context  # never evaluated ahead of time: Jinja folds constant outputs
def _emit(context: Any, value: Any) -> Any:
    """Every output of a template (literal text included) passes here: its size is added
    to what the message has written so far, before it is turned into text."""
    _tick()
    budget = _BUDGET.get()
    size = _size(value, MAX_EMITTED_CHARS)
    if size > MAX_VALUE_CHARS:
        raise OverflowError(f"an output of more than {MAX_VALUE_CHARS:,} characters")
    if budget is not None:
        budget.emitted += size
        if budget.emitted > MAX_EMITTED_CHARS:
            raise BudgetExceeded(f"it writes more than {MAX_EMITTED_CHARS:,} characters")
    _charge(size)
    return value


def _concat(parts: list[Any]) -> str:
    """``a ~ b``: sizes checked before the parts become text."""
    _tick()
    chars = sum(_size(p) for p in parts)
    _check_estimate(chars, "this ~ concatenation")
    _charge(chars)
    return "".join(map(str, parts))


def _literal(value: Any) -> Any:
    """A list, tuple or dict written in a template."""
    _tick()
    return _check_value(value, "literal list or dict")


def _sliced(value: Any) -> Any:
    """``value[a:b]``: a copy of part of a value (Jinja compiles slices to plain Python)."""
    _tick()
    return _check_value(value, "slice")


def _scanned(value: Any) -> Any:
    """An operand of ``in`` / ``not in``: the search reads all of it."""
    _tick()
    _charge(_size(value))
    return value


_INTERNAL_FILTERS = {"_msgc_iter": _ticking, "_msgc_emit": _emit, "_msgc_concat": _concat,
                     "_msgc_literal": _literal, "_msgc_scanned": _scanned, "_msgc_sliced": _sliced}


class _Harden(NodeTransformer):
    """Routes every loop, output, ``~`` and literal container of a parsed template through
    the checks above (applied to a fresh parse before it is compiled)."""

    @staticmethod
    def _wrap(node: nodes.Node, name: str) -> nodes.Filter:
        assert isinstance(node, nodes.Expr)
        return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = self._wrap(node.iter, "_msgc_iter")
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [self._wrap(nodes.Const(child.data, lineno=child.lineno)
                                 if isinstance(child, nodes.TemplateData) else child, "_msgc_emit")
                      for child in node.nodes]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return self._wrap(nodes.List(node.nodes, lineno=node.lineno), "_msgc_concat")

    def visit_List(self, node: nodes.List) -> nodes.Node:
        self.generic_visit(node)
        return self._wrap(node, "_msgc_literal")

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Node:
        self.generic_visit(node)
        return self._wrap(node, "_msgc_sliced") if isinstance(node.arg, nodes.Slice) else node

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        if any(op.op in ("in", "notin") for op in node.ops):
            node.expr = self._wrap(node.expr, "_msgc_scanned")
            for op in node.ops:
                op.expr = self._wrap(op.expr, "_msgc_scanned")
        return node

    visit_Dict = visit_List

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        self.generic_visit(node)
        return self._wrap(node, "_msgc_literal") if node.ctx == "load" else node


class _BudgetedTemplate(jinja2.Template):
    """A template whose ``render`` runs under a budget (the caller's, if one is active)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with render_budget():
            return super().render(*args, **kwargs)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a smaller range(), checked operators and calls, and a
    budget per render.

    Jinja's sandbox stops attribute tricks but lets ``'x' * 10**10``, ``9**999999999``,
    ``'%0999999999d' % 1``, ``'x'.center(10**9)`` or nested loops of a billion iterations
    run: those would exhaust memory or CPU before any length check. Every operator, call and
    filter whose result can outgrow its inputs is checked before it runs, every value a
    template builds is bounded (:data:`MAX_VALUE_CHARS`), and loops, calls, filters and
    outputs draw on one budget of steps and time per message (:data:`MAX_STEPS`,
    :data:`MAX_RENDER_SECONDS`).
    """

    MAX_RANGE = 10_000
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if not (_is_number(left) and _is_number(right)):
            _charge(_size(left) + _size(right))
        if operator == "**":
            if _is_number(left) and _is_number(right) and abs(right) > 64 and abs(left) > 1:
                raise OverflowError(f"{left!r} ** {right!r} is too large to compute")
            if isinstance(left, int) and isinstance(right, int) and right > 0 \
                    and left.bit_length() * right > MAX_INT_BITS:
                raise OverflowError(f"a power of about {left.bit_length() * right:,} bits is too "
                                    "large to compute")
            return left**right
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                        and len(seq) * n > MAX_RENDERED_CHARS:
                    raise OverflowError(f"a repetition of {len(seq) * n:,} items is longer "
                                        f"than a message may be ({MAX_RENDERED_CHARS:,})")
                if isinstance(seq, (list, tuple)) and isinstance(n, int) and n > 1:
                    _check_estimate(_size(seq) * n, "this repetition")
            if isinstance(left, int) and isinstance(right, int) \
                    and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise OverflowError("a product of more than "
                                    f"{MAX_INT_BITS:,} bits is too large to compute")
            return left * right
        if operator == "+" and not (_is_number(left) or _is_number(right)):
            _check_estimate(_size(left) + _size(right), "this + concatenation")
        elif operator == "%":
            _check_percent(left, right)
        return self.binop_table[operator](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any,  # Jinja's signature
             **kwargs: Any) -> Any:
        _tick()
        if isinstance(__obj, types.BuiltinMethodType) and \
                isinstance(getattr(__obj, "__self__", None), (str, bytes, int)):
            args = _method_check(__obj.__name__, __obj.__self__, args, kwargs)
        elif isinstance(__obj, LoopContext) and args:  # a recursive loop's inner iterable
            args = (_ticking(args[0]), *args[1:])
        if isinstance(__obj, Macro):
            _tick(MACRO_CALL_STEPS)
        _charge(_size(getattr(__obj, "__self__", None)) + _arguments_size(args, kwargs))
        return _check_value(super().call(__context, __obj, *args, **kwargs), "result")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt = value.__self__
        is_map = value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            if is_map and len(args) == 1 and isinstance(args[0], Mapping):
                _check_str_format(fmt, (), args[0])
            else:
                _check_str_format(fmt, args, kwargs)
            return wrapper(*args, **kwargs)

        return checked


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _arguments_size(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """Characters of data among a call's arguments (Jinja's own context objects, which
    ``pass_context`` filters receive, are not data)."""
    return sum(_size(a) for a in args if not isinstance(a, _JINJA_OBJECTS)) + \
        sum(_size(v) for v in kwargs.values())


_JINJA_OBJECTS = (Context, EvalContext, jinja2.Environment)


def _checked_test(func: Any) -> Callable[..., Any]:
    """A Jinja test (``x is in y``) charged for the values it reads."""

    @wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _tick()
        _charge(_arguments_size(args, kwargs))
        return func(*args, **kwargs)

    return checked


#: The template syntax: how text is lexed and parsed (identical for parsing and rendering).
SYNTAX: dict[str, Any] = {"keep_trailing_newline": True, "trim_blocks": True,
                          "lstrip_blocks": True}


def make_environment() -> jinja2.Environment:
    env = _Sandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        cache_size=0,
        optimized=False,  # no constant folding: nothing is evaluated outside the budget
        **SYNTAX,
    )
    env.template_class = _BudgetedTemplate
    env.globals.clear()
    env.globals.update(_globals())
    env.filters = {name: _checked_filter(name, f) for name, f in env.filters.items()}
    env.filters.update(_INTERNAL_FILTERS)
    env.tests = {name: _checked_test(t) for name, t in env.tests.items()}
    return env


def _bounded_range(*args: int) -> range:
    """range() capped at ``_Sandbox.MAX_RANGE`` items (builtin range would let a template
    loop or list a billion items)."""
    rng = range(*args)
    if len(rng) > _Sandbox.MAX_RANGE:
        raise OverflowError(f"range() of {len(rng):,} items; the sandbox allows "
                            f"{_Sandbox.MAX_RANGE:,}")
    return rng


def _globals() -> dict[str, Any]:
    found = {"range": _bounded_range}
    assert set(found) == GLOBAL_NAMES  # templating subtracts these without importing Jinja
    return found


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The sandboxed environment, built on first use (a plain template never needs it)."""
    return make_environment()



@lru_cache(maxsize=1)
def parser_environment() -> jinja2.Environment:
    """A plain environment with the sandbox's syntax and globals, for parsing alone:
    building the sandbox (every filter and test wrapped) costs more than a spec's parse,
    and a syntax tree does not depend on them."""
    env = jinja2.Environment(autoescape=False, cache_size=0, **SYNTAX)
    env.globals.clear()
    env.globals.update(_globals())
    return env


def parse(source: str) -> nodes.Template:
    """Jinja's syntax tree of ``source``. Raises TemplateSyntaxError, also for a template
    longer than :data:`MAX_TEMPLATE_CHARS` or nested deeper than :data:`MAX_TEMPLATE_DEPTH`
    (Jinja's parser and compiler, and Python's, are recursive)."""
    if len(source) > MAX_TEMPLATE_CHARS:  # parsing is slow: ~0.2 ms per {{ }}
        raise jinja2.TemplateSyntaxError(f"template is {len(source):,} characters long (limit "
                                         f"{MAX_TEMPLATE_CHARS:,})", 1)
    try:
        ast = parser_environment().parse(source)
    except RecursionError:
        raise jinja2.TemplateSyntaxError(_TOO_DEEP, 1) from None
    if _depth(ast) > MAX_TEMPLATE_DEPTH:
        raise jinja2.TemplateSyntaxError(_TOO_DEEP, 1)
    return ast


def variables_of(ast: nodes.Template) -> frozenset[str]:
    """The variables a Jinja syntax tree reads: by walking it when it binds no names of its
    own, else through Jinja's code generator (``jinja2.meta``); globals excluded."""
    names = free_names(ast)
    if names is None:
        names = frozenset(meta.find_undeclared_variables(ast))
    return names - GLOBAL_NAMES


_TOO_DEEP = f"template is nested more than {MAX_TEMPLATE_DEPTH} levels deep"


def _depth(ast: nodes.Node) -> int:
    deepest = 0
    stack = [(ast, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_TEMPLATE_DEPTH:
            stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


@lru_cache(maxsize=4096)
def compiled(source: str) -> jinja2.Template:
    """The compiled template: a fresh parse routed through the checks (:class:`_Harden`)."""
    parse(source)  # syntax and nesting depth
    try:
        env = environment()
        return env.from_string(_Harden().visit(env.parse(source)))
    except (RecursionError, SyntaxError, MemoryError):  # Python's own limits: 20 nested loops
        raise jinja2.TemplateSyntaxError("template nests its blocks too deeply to compile "
                                         "(at most 20 loops inside each other)", 1) from None



_UNDEFINED_RE = re.compile(r"'([^']+)' is undefined")


def render_leaf(template: jinja2.Template, ptr: str, values: Mapping[str, Any]) -> str:
    try:
        text = template.render(values)
    except jinja2.UndefinedError as exc:
        match = _UNDEFINED_RE.search(str(exc))
        what = f"variable {match.group(1)!r} is not defined" if match else str(exc)
        raise RenderProblem(ptr, "undefined-variable", f"cannot render: {what}",
                            hint="declare it under `variables:` and give it a value or a "
                                 "default") from None
    except SecurityError as exc:
        raise RenderProblem(ptr, "template-unsafe",
                            f"template stopped by the sandbox: {exc}") from None
    except RenderTimeout as exc:
        raise RenderProblem(ptr, "template-timeout", f"template rendering stopped: {exc}",
                            hint="a template should take milliseconds; this is a safety stop "
                                 "that the step budget did not foresee: please report it") from None
    except BudgetExceeded as exc:
        raise RenderProblem(ptr, "template-too-large", f"template is too costly to render: {exc}",
                            hint="templates are for wording; compute values before sending "
                                 "them in") from None
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
