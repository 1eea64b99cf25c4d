"""Options and helpers shared by several commands (config, variables, envelope, errors)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..cli import CONFIG_HELP, CONFIG_META_KEY, remember_config
from ..config_file import DEFAULT_EXCLUDE
from ..report import echo_diagnostics

if TYPE_CHECKING:
    from ..config import Config


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--config FILE``, accepted before the command (``msgc --config F validate``) and
    after it; the value goes to :func:`current_config`, not to the command function."""
    return click.option(
        "--config", "config_file", metavar="FILE", expose_value=False, is_eager=True,
        callback=remember_config, type=click.Path(dir_okay=False), help=CONFIG_HELP)(func)


def exclude_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--exclude PATTERN`` (repeatable): more names to skip when walking folders. Its
    help says how folders are walked, for every command that walks them."""
    return click.option(
        "--exclude", "exclude", multiple=True, metavar="PATTERN",
        help="Also skip folders and files with this name (a shell pattern such as 'drafts' "
             "or '*.draft.yaml'; repeatable). Folders are walked for .yaml/.yml files, and a "
             "file is a spec when it parses as a mapping with `message` or `targets`; names "
             f"skipped by default: {', '.join(DEFAULT_EXCLUDE)} (`exclude = [...]` in the "
             "config replaces this list). A path given on the command line is always "
             "read.")(func)


def current_config() -> Config:
    """The merged config for this run (``--config``, ``MSGC_CONFIG``, the project and the
    user file). Prints its warnings; raises :class:`MsgcError` on a mistake in a file."""
    from ..config import load_config

    ctx = click.get_current_context(silent=True)
    explicit = ctx.meta.get(CONFIG_META_KEY) if ctx is not None else None
    config = load_config(Path(explicit) if explicit else None)
    echo_diagnostics(config.warnings)
    return config


def credential_origins(config: Config) -> dict[str, Any]:
    """Keyword arguments of ``sending.access.resolve_credentials`` that say where each
    configured credential came from and where a missing one can be set."""
    origins = {name: (str(src.file), src.line) for name in config.credentials
               if (src := config.source(f"credentials.{name}")).file is not None}
    user = config.user_path
    return {"origins": origins, "file": str(user) if user else None,
            "hint": None if user is None else f"export it, or set it under [credentials] in "
            f"{user} (your user file, outside every repository)"}


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


def var_hint(name: str) -> str:
    """How to give a missing variable on the command line."""
    return f"pass --var {name}=VALUE (or --vars FILE.json, or --examples on render)"


def variable_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--vars", "vars_file", type=click.Path(dir_okay=False),
                        help="JSON file with an object of variable values.")(func)
    func = click.option("--var", "var_pairs", multiple=True, metavar="NAME=VALUE",
                        help="A variable value (repeatable); wins over --vars.")(func)
    return func


def environ() -> dict[str, str]:
    return dict(os.environ)
