"""``msgc validate``: check every spec in a tree, as CI and pre-commit run it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..cli import EXIT_USAGE
from ..report import FORMATTERS, summary
from ..tree import check_tree
from .common import config_option, current_config, exclude_option
from .exits import findings_code, reporting
from .options import format_option

if TYPE_CHECKING:
    from ..cache import ResultCache


@click.command(name="validate")
@config_option
@click.argument("paths", nargs=-1, type=click.Path())
@format_option(sorted(FORMATTERS))
@click.option("--strict/--no-strict", default=None,
              help="Fail on warnings too (default from config, else off).")
@click.option("--no-worst-case", is_flag=True, help="Skip the worst-case length analysis.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary line.")
@exclude_option
@click.option("--no-cache", is_flag=True,
              help="Check every file again; neither read nor write the result cache.")
def command(paths: tuple[str, ...], fmt: str, strict: bool | None, no_worst_case: bool,
            quiet: bool, exclude: tuple[str, ...], no_cache: bool) -> None:
    """Check every message spec under PATHS (default: the config's paths, else `.`).

    Each spec is checked against the spec schema, rendered for every target and every
    locale with its variables' examples, lowered and validated against the provider's
    schema and rules. Also reported: duplicate names, unused and undeclared variables,
    unknown keys, examples that break their own type, locales missing fields, and fields
    whose worst-case length could exceed a provider limit.

    Folders are walked for specs (see --exclude for what is skipped); a path under which
    no spec is found is an error, so a wrong path cannot pass as a clean tree. Results are
    cached per file (see `msgc cache --help`): an unchanged file is not checked again, and
    the output is the same as without the cache.

    Exit 0 when clean (warnings and notes allowed; --strict fails on warnings too), 1 on
    findings, 2 on unreadable input, a path without specs, or a usage error.

    \b
    Examples:
      msgc validate templates/
      msgc validate --format github --strict
      msgc validate --format sarif > msgc.sarif
    """
    with reporting(EXIT_USAGE):
        config = current_config()
    targets = list(paths) or config.paths or ["."]
    strict = config.strict if strict is None else strict
    report = check_tree(targets, envelope_defaults=config.envelope,
                        worst_case=not no_worst_case, keep_outputs=False,
                        exclude=(*config.exclude, *exclude),
                        cache=None if no_cache else _cache())
    diags = config.tuning.apply(report.all_diagnostics())
    output = FORMATTERS[fmt](diags, version=__version__,
                             color=fmt == "text" and sys.stdout.isatty())
    if output:
        click.echo(output)
    if fmt == "text" and not quiet:
        click.echo(summary(diags, len(report.files)), err=True)
    sys.exit(findings_code(diags, strict=strict, unreadable=report.unreadable))


def _cache() -> ResultCache:
    from ..cache import ResultCache  # not even imported with --no-cache

    return ResultCache()

