"""The provider registry: every package in this folder whose ``__init__`` defines
``PROVIDER`` (see :class:`~compiler.providers.base.Provider` for what a package holds).

Adding a provider means adding one folder here (plus its two schemas in ``schemas/``); the
registry, the CLI's options, the spec checker, the rule catalog, the fake server, the
webhook and the preview pick it up by themselves.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from .base import Provider


@cache
def registry() -> dict[str, Provider]:
    found: dict[str, Provider] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        provider = getattr(module, "PROVIDER", None)
        if isinstance(provider, Provider):
            found[provider.name] = provider
    return found


def names() -> list[str]:
    return sorted(registry())


def get(name: str) -> Provider:
    try:
        return registry()[name]
    except KeyError:
        raise KeyError(f"unknown provider {name!r}; known: {', '.join(names())}") from None
