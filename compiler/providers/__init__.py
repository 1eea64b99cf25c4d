"""The provider registry: every module in this folder that defines ``PROVIDER``.

Adding a provider means adding one module here (plus its schemas in ``schemas/``); the
registry, the CLI's ``--provider`` choices and the spec checker pick it up by themselves.
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
