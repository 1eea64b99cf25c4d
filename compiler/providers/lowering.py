"""What every provider's lowering is made of, so that what is data reads as data.

Lowering turns a rendered neutral message into a provider payload and records, for each
payload field it writes, the *input* pointer it came from (``/message/...`` or
``/settings/...``), so a finding in the payload is reported at the spec line that produced
it. A provider's ``lowering`` module is, in the spirit of sqlglot's ``TRANSFORMS`` tables:

* a **kind-inference table**: a tuple of :class:`Kind` rows, first match wins, each saying
  when it applies, which fields that kind of message may not be combined with
  (:class:`Alone`, reported by :meth:`Kind.check`) and the function that lowers it
  (:func:`pick` finds the row);
* **field copies** that record their origin by themselves: an :class:`In` is a node of the
  input with its pointer, an :class:`Out` a payload node being built with its pointer, and
  ``out.put(key, node)`` copies a value and records where it came from (``out.node(...)``
  opens a nested object or array);
* the findings a lowering makes on its input (:class:`Trace`), raised together at the end.

Only what is not a copy (a value chosen by msgc, such as a type or a rate) is written by
hand, and when such a value still has an origin it is recorded with :meth:`Trace.at`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .. import pointer as jp
from ..diagnostics import Severity
from ..schemas import Finding
from .base import LoweringError


class Trace:
    """Collects payload-pointer -> input-pointer origins and lowering errors."""

    def __init__(self) -> None:
        self.origins: dict[str, str] = {}
        self.errors: list[Finding] = []

    def at(self, payload_ptr: str, input_ptr: str) -> None:
        self.origins[payload_ptr] = input_ptr

    def error(self, input_ptr: str, rule: str, message: str, hint: str | None = None) -> None:
        self.errors.append(Finding(input_ptr, rule, message, Severity.ERROR, hint))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise LoweringError(self.errors)


# -- values computed from input text ----------------------------------------------------------

#: While the fast path derives a plan from a message holding sentinels
#: (:mod:`compiler.fastpath`), the function it set with :func:`deriving` is asked for each
#: value lowering computes with :func:`computed`.
_DERIVING: ContextVar[Callable[[Callable[..., Any], tuple[Any, ...]], Any] | None] = \
    ContextVar("msgc_lowering_deriving", default=None)


def computed(fn: Callable[..., Any], *inputs: In) -> Any:
    """``fn(*values of inputs)``: a payload value lowering computes from input text rather
    than copies (Viber's fileType from a document's filename). ``fn`` must be pure and
    return text, or None when lowering must refuse the input; lowering may test the result
    for None, and otherwise only copies it into the payload as it is.

    Declaring the computation lets the fast path serve such a message: while it derives a
    plan, a value computed from a template's sentinel comes back as a marker, and the fast
    path calls ``fn`` on each recipient's rendered text instead."""
    values = tuple(i.value for i in inputs)
    recorder = _DERIVING.get()
    return fn(*values) if recorder is None else recorder(fn, values)


@contextmanager
def deriving(recorder: Callable[[Callable[..., Any], tuple[Any, ...]], Any]) -> Iterator[None]:
    """Within the block, :func:`computed` hands each computation to ``recorder``."""
    token = _DERIVING.set(recorder)
    try:
        yield
    finally:
        _DERIVING.reset(token)


# -- field copies that record their origin ---------------------------------------------------

class In:
    """A node of the input tree and its pointer. ``node[key]`` is a child (its value None
    when absent, like ``dict.get``); reading records nothing, copying into an :class:`Out`
    records the pointer."""

    __slots__ = ("ptr", "value")

    def __init__(self, value: Any, ptr: str) -> None:
        self.value = value
        self.ptr = ptr

    def __getitem__(self, key: str | int) -> In:
        value = self.value
        if isinstance(value, dict):  # messages are dicts: no Mapping (abc) check per step
            child = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            child = value[key]
        else:
            child = None
        return In(child, jp.child(self.ptr, key))

    def __iter__(self) -> Iterator[In]:
        """The items of a list node, each with its pointer."""
        for i, item in enumerate(self.value or ()):
            yield In(item, jp.join(self.ptr, i))

    def get(self, key: str) -> Any:
        """The value of child ``key`` (None when absent)."""
        return self.value.get(key) if isinstance(self.value, dict) else None

    def has(self, key: str) -> bool:
        """Whether child ``key`` is given (not None)."""
        return self.get(key) is not None


_COPY: Any = object()


class Out:
    """A payload node being built at payload pointer ``ptr`` (an object or an array); every
    value put into it records its origin in the :class:`Trace`."""

    __slots__ = ("data", "ptr", "trace")

    def __init__(self, trace: Trace, ptr: str, data: Any) -> None:
        self.trace = trace
        self.ptr = ptr
        self.data = data

    def put(self, key: str | int, source: In | str, value: Any = _COPY) -> None:
        """``data[key]`` = the source's value (or ``value``, made from it); records that
        it came from ``source`` (an :class:`In`, or an input pointer)."""
        if value is _COPY:
            assert isinstance(source, In)
            value = source.value
        self._store(key, value)
        self.trace.at(jp.child(self.ptr, key), source.ptr if isinstance(source, In) else source)

    def node(self, key: str | int, source: In | str | None = None, *,
             array: bool = False) -> Out:
        """A nested object (or array) at ``key``, recorded as coming from ``source``."""
        child = Out(self.trace, jp.join(self.ptr, key), [] if array else {})
        self._store(key, child.data)
        if source is not None:
            self.trace.at(child.ptr, source.ptr if isinstance(source, In) else source)
        return child

    def _store(self, key: str | int, value: Any) -> None:
        if isinstance(self.data, list):
            assert key == len(self.data), "array nodes are filled in order"
            self.data.append(value)
        else:
            self.data[key] = value


# -- the kind-inference table ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Alone:
    """Fields a kind of message may not be combined with: each one present is an error at
    ``/message/<field>`` (``message`` and ``hint`` may name it as ``{key}``)."""

    fields: tuple[str, ...]
    rule: str
    message: str
    hint: str | None = None

    def check(self, message: Mapping[str, Any], t: Trace) -> None:
        for key in present(message, *self.fields):
            t.error(jp.join("/message", key), self.rule, self.message.replace("{key}", key),
                    self.hint.replace("{key}", key) if self.hint else None)


L = TypeVar("L")


@dataclass(frozen=True, slots=True)
class Kind(Generic[L]):
    """One row of a kind-inference table: when a message is of this kind, the fields it
    may not be combined with, and how it is lowered (``lower``'s signature is the
    provider's own)."""

    when: Callable[[Mapping[str, Any]], bool]
    lower: L
    alone: Alone | None = None

    def check(self, message: Mapping[str, Any], t: Trace) -> None:
        """Report each field present that this kind may not be combined with."""
        if self.alone is not None:
            self.alone.check(message, t)


def pick(table: tuple[Kind[L], ...], message: Mapping[str, Any]) -> Kind[L] | None:
    """The first row of ``table`` that applies to ``message`` (None when none does)."""
    for row in table:
        if row.when(message):
            return row
    return None


def truthy(key: str) -> Callable[[Mapping[str, Any]], bool]:
    """Applies when ``message[key]`` is given and not empty or false."""
    return lambda message: bool(message.get(key))


def given(key: str) -> Callable[[Mapping[str, Any]], bool]:
    """Applies when ``message[key]`` is given (not None)."""
    return lambda message: message.get(key) is not None


def filled(key: str) -> Callable[[Mapping[str, Any]], bool]:
    """Applies when ``message[key]`` is :func:`present` (not None, empty or false)."""
    return lambda message: bool(present(message, key))


#: What counts as absent (built once: a tuple holding ``[]`` and ``{}`` written inline would
#: be built again for every key tested).
_ABSENT: tuple[Any, ...] = (None, [], {}, False)


def present(message: Mapping[str, Any], *keys: str) -> list[str]:
    """The ``keys`` given in ``message`` with a value that is not None, empty or false."""
    get = message.get
    return [k for k in keys if get(k) not in _ABSENT]


# -- values lowering makes ---------------------------------------------------------------------

def media_url(value: Any) -> str:
    """A media field is a URL string or {url: ...}."""
    return str(value["url"] if isinstance(value, dict) else value)  # messages are dicts


def media_ptr(value: Any, ptr: str) -> str:
    return jp.join(ptr, "url") if isinstance(value, dict) else ptr


def media(node: In) -> In:
    """A media field's URL, with the pointer of the URL itself."""
    return In(media_url(node.value), media_ptr(node.value, node.ptr))


_NUMBER_RE = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def as_number(value: Any, ptr: str, what: str, trace: Trace, *, integer: bool = False
              ) -> int | float | None:
    """A number from a spec field that may be a number or a rendered template string."""
    if isinstance(value, bool):
        trace.error(ptr, "message-number", f"{what} must be a number, not a boolean")
        return None
    if isinstance(value, (int, float)):
        number: int | float = value
    elif isinstance(value, str) and _NUMBER_RE.match(value):
        number = float(value) if re.search(r"[.eE]", value) else int(value)
    else:
        trace.error(ptr, "message-number", f"{what} must be a number, got {value!r}")
        return None
    if isinstance(number, float):
        if not math.isfinite(number):
            trace.error(ptr, "message-number", f"{what} must be a finite number")
            return None
        if number.is_integer():
            number = int(number)
    if integer and not isinstance(number, int):
        trace.error(ptr, "message-integer", f"{what} must be a whole number, got {value!r}")
        return None
    return number


def number(node: In, what: str, t: Trace, *, integer: bool = False) -> int | float | None:
    """:func:`as_number` of an input node."""
    return as_number(node.value, node.ptr, what, t, integer=integer)
