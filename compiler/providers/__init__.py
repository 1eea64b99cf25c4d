"""The provider registry: every package in this folder whose ``__init__`` defines
``PROVIDER`` (see :class:`~compiler.providers.base.Provider` for what a package holds).

Adding a provider means adding one folder here (plus its two schemas in ``schemas/``); the
registry, the CLI's options, the spec checker, the rule catalog, the fake server, the
webhook and the preview pick it up by themselves.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from .base import Provider


@cache
def _builtin() -> dict[str, Provider]:
    found: dict[str, Provider] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        provider = getattr(module, "PROVIDER", None)
        if isinstance(provider, Provider):
            found[provider.name] = provider
    return found


#: Providers registered at run time (:func:`register`), besides the folders here.
_registered: dict[str, Provider] = {}


def registry() -> dict[str, Provider]:
    """Every provider by name: the packages of this folder, then registered ones."""
    if not _registered:
        return _builtin()
    return {**_builtin(), **_registered}


def register(provider: Provider) -> None:
    """Add a provider defined elsewhere (a plugin, a test): from now on it is a target,
    a ``--provider``, a set of envelope options, catalog entries and fake-server routes
    like the providers of this folder. Its parts are the modules of its own package."""
    if provider.name in _builtin():
        raise ValueError(f"provider {provider.name!r} already exists")
    _registered[provider.name] = provider
    _changed()


def unregister(name: str) -> None:
    _registered.pop(name, None)
    _changed()


@contextmanager
def registered(provider: Provider) -> Iterator[Provider]:
    """:func:`register` ``provider`` for the duration of a ``with`` block."""
    register(provider)
    try:
        yield provider
    finally:
        unregister(provider.name)


def _changed() -> None:
    from .. import catalog

    catalog.catalog.cache_clear()


def names() -> list[str]:
    return sorted(registry())


def get(name: str) -> Provider:
    try:
        return registry()[name]
    except KeyError:
        raise KeyError(f"unknown provider {name!r}; known: {', '.join(names())}") from None
