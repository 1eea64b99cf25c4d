"""Command-line options shared by several commands, each declared once (pip-tools style),
and the envelope options, which come from the providers' declarations.

``--provider`` lists the registered providers when it is used, so a provider added to the
registry later (a plugin, a test) is a valid choice. The envelope options (``--to`` and each
provider's addressing fields) are added to a command by :class:`EnvelopeCommand` from every
provider's :class:`~compiler.providers.base.EnvelopeField` declarations whenever the command
parses its arguments, and reach the command function as one mapping, ``envelope``: option
name -> value. ``--format`` always means the format of the command's output.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import click

from .. import providers
from ..providers.base import Provider

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
T = TypeVar("T")


class ProviderChoice(click.Choice):  # type: ignore[type-arg]
    """The names of the registered providers, read when the option is used."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=True)

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        return tuple(providers.names())

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:  # set by click.Choice.__init__
        pass


def provider_option(help: str, *, required: bool = True) -> Decorator:
    """``--provider/-p NAME``."""
    return click.option("--provider", "-p", required=required, type=ProviderChoice(),
                        help=help)


def locale_option(help: str) -> Decorator:
    """``--locale/-l LOCALE``."""
    return click.option("--locale", "-l", help=help)


def format_option(choices: Sequence[str], *, help: str = "Output format.") -> Decorator:
    """``--format`` (the format of the command's output), default ``text``."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default="text",
                        show_default=True, help=help)


def group(name: str, cls: type[T], *options: Decorator) -> Decorator:
    """Add ``options`` to a command and hand their values to its function as one
    ``cls`` instance (a dataclass whose fields are the options' names), as ``name``."""
    fields = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def packed(*args: Any, **kwargs: Any) -> Any:
            kwargs[name] = cls(**{f: kwargs.pop(f) for f in fields})
            return func(*args, **kwargs)

        decorated: Callable[..., Any] = packed
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate


# -- envelope options --------------------------------------------------------------------------

_PREFIX = "envelope__"  # parameter names of envelope options: envelope__app_id, ...


def _param_name(option: str) -> str:
    return _PREFIX + option.lstrip("-").replace("-", "_")


class EnvelopeCommand(click.Command):
    """A command that takes the envelope options every registered provider declares; its
    function receives them as ``envelope`` (option name -> value or None)."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        help_option = self.get_help_option(ctx)
        own = [p for p in params if p is not help_option]
        return [*own, *envelope_params(), *([help_option] if help_option else [])]

    def invoke(self, ctx: click.Context) -> Any:
        options = {_param_name(p.opts[0]): p.opts[0] for p in envelope_params()}
        ctx.params["envelope"] = {options[k]: ctx.params.pop(k) for k in list(ctx.params)
                                  if k in options}
        return super().invoke(ctx)


def envelope_params() -> list[click.Option]:
    """One option per distinct envelope option of the registered providers, in the order
    they declare them (the recipient's first)."""
    seen: dict[str, click.Option] = {}
    fields = [f for p in providers.registry().values() for f in p.envelope]
    for f in sorted(fields, key=lambda f: not f.is_recipient):
        if f.option not in seen:
            seen[f.option] = click.Option([f.option, _param_name(f.option)],
                                          metavar="PHONE" if f.is_recipient else None,
                                          help=f.help or None)
    return list(seen.values())


def given_envelope(provider: Provider, options: Mapping[str, str | None]
                   ) -> dict[str, str | None]:
    """The envelope values the options give ``provider``, by payload key."""
    return {f.payload_key: options.get(f.option) for f in provider.envelope}


def recipient_option(provider: Provider) -> str:
    """The option that gives ``provider``'s recipient (``--to``)."""
    return next((f.option for f in provider.envelope if f.is_recipient), "--to")
