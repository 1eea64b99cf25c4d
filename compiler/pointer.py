"""JSON Pointers (RFC 6901): building, splitting and resolving them.

Pointers are how msgc names a place in a spec, a neutral message or a provider payload,
and how a finding in a payload is traced back to the spec line that produced it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def escape(token: str | int) -> str:
    text = str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(base: str, *tokens: str | int) -> str:
    """`join("/a", "b", 0)` -> `/a/b/0`."""
    if len(tokens) == 1:
        return child(base, tokens[0])
    return base + "".join("/" + escape(t) for t in tokens)


def child(base: str, token: str | int) -> str:
    """`child("/a", "b")` -> `/a/b`: :func:`join` of one token, the common case, kept cheap
    (msgc joins a pointer per YAML node and per field lowering copies)."""
    if isinstance(token, int) or ("~" not in token and "/" not in token):
        return f"{base}/{token}"
    return f"{base}/{escape(token)}"


def from_parts(parts: Iterable[str | int]) -> str:
    return join("", *parts)


def split(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [unescape(t) for t in pointer[1:].split("/")]


def parent(pointer: str) -> str:
    return pointer[: pointer.rfind("/")] if pointer else ""


def ancestors(pointer: str) -> Iterable[str]:
    """The pointer itself, then each ancestor up to the root ``""``."""
    while True:
        yield pointer
        if not pointer:
            return
        pointer = parent(pointer)


def resolve(document: Any, pointer: str) -> Any:
    node = document
    for token in split(pointer):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def with_value(document: Any, pointer: str, value: Any) -> Any:
    """A copy of ``document`` with ``value`` at ``pointer``; only the containers on the way
    are copied, everything else is shared."""
    return _with_value(document, split(pointer), value)


def _with_value(node: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    head = tokens[0]
    if isinstance(node, list):
        index = int(head)
        out_list = list(node)
        out_list[index] = _with_value(node[index], tokens[1:], value)
        return out_list
    out = dict(node)
    out[head] = _with_value(node[head], tokens[1:], value)
    return out


def last_token(pointer: str) -> str:
    return unescape(pointer[pointer.rfind("/") + 1 :]) if pointer else ""
