"""Read-only views of JSON-like data: what ``Rendered.payload`` hands out.

A rendered payload may share parts with other messages (the bulk fast path reuses them),
so changing it in place would corrupt messages rendered later. :func:`freeze` returns a deep
copy made of :class:`FrozenDict` and :class:`FrozenList`, which are real ``dict`` and
``list`` objects (``json.dumps``, ``==`` and ``isinstance`` work as usual) whose every
changing method raises :class:`TypeError`. ``copy.copy``/``copy.deepcopy`` give ordinary,
mutable ``dict``/``list`` copies.
"""

from __future__ import annotations

import copy
from typing import Any, NoReturn


def _refuse(self: object, *_: object, **__: object) -> NoReturn:
    raise TypeError(f"{type(self).__name__} is read-only: copy.deepcopy() it to change it")


class FrozenDict(dict[str, Any]):
    """A ``dict`` that cannot be changed."""

    __slots__ = ()
    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v, memo) for k, v in self.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


class FrozenList(list[Any]):
    """A ``list`` that cannot be changed."""

    __slots__ = ()
    __setitem__ = __delitem__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __iadd__ = __imul__ = _refuse

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(v, memo) for v in self]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


def freeze(value: Any) -> Any:
    """A read-only deep copy of JSON-like ``value`` (dicts and lists; other values as is)."""
    if isinstance(value, FrozenDict | FrozenList):
        return value
    if isinstance(value, dict):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)
    return value
