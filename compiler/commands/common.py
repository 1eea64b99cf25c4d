"""Options and helpers shared by several commands (variables, envelope, errors)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from ..cli import EXIT_FINDINGS, EXIT_USAGE
from ..diagnostics import Diagnostic, MsgcError
from ..phone import RULE_PHONE
from ..report import echo_diagnostics
from ..source import UNREADABLE_RULES

#: Rules whose diagnostics mean "usage error or unreadable input": exit 2, not 1.
USAGE_RULES = UNREADABLE_RULES | {"config", RULE_PHONE}


def fail(diags: list[Diagnostic], code: int = EXIT_FINDINGS) -> NoReturn:
    echo_diagnostics(diags)
    sys.exit(code)


@contextmanager
def reporting(code: int = EXIT_FINDINGS) -> Iterator[None]:
    """Print any :class:`MsgcError` as diagnostics and exit with ``code``."""
    try:
        yield
    except MsgcError as exc:
        usage = all(d.rule in USAGE_RULES for d in exc.diagnostics)
        fail(exc.diagnostics, EXIT_USAGE if usage else code)


def parse_vars(pairs: tuple[str, ...], vars_file: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if vars_file:
        try:
            data = json.loads(Path(vars_file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise click.BadParameter(f"cannot read {vars_file}: {exc.strerror}",
                                     param_hint="--vars") from None
        except (ValueError, UnicodeDecodeError) as exc:  # ValueError: also 5,000-digit numbers
            raise click.BadParameter(f"{vars_file} is not valid JSON: {exc}",
                                     param_hint="--vars") from None
        if not isinstance(data, dict):
            raise click.BadParameter(f"{vars_file} must hold a JSON object", param_hint="--vars")
        values.update(data)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--var")
        values[name.strip()] = value
    return values


def variable_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--vars", "vars_file", type=click.Path(dir_okay=False),
                        help="JSON file with an object of variable values.")(func)
    func = click.option("--var", "var_pairs", multiple=True, metavar="NAME=VALUE",
                        help="A variable value (repeatable); wins over --vars.")(func)
    return func


def envelope_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--business-phone", help="WhatsApp sending number (businessPhone).")(func)
    func = click.option("--app-id", help="ITNIO appId (WhatsApp).")(func)
    func = click.option("--appkey", help="NXCloud appkey (Viber).")(func)
    func = click.option("--to", "to", metavar="PHONE", help="Recipient phone number.")(func)
    return func


def envelope_flags(to: str | None, appkey: str | None, app_id: str | None,
                   business_phone: str | None) -> dict[str, str | None]:
    recipient = to  # normalised (or refused) by envelope.resolve, like every phone
    return {"phone": recipient, "recipient": recipient, "appkey": appkey, "appId": app_id,
            "businessPhone": business_phone}


def environ() -> dict[str, str]:
    return dict(os.environ)
