"""``msgc build``: validate a tree, then write every payload and a manifest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..build import plan_artifacts, write
from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..report import FORMATTERS, summary
from ..tree import check_tree
from .common import config_option, current_config, exclude_option
from .exits import findings_code, reporting
from .options import format_option

if TYPE_CHECKING:
    from ..cache import ResultCache


@click.command(name="build")
@config_option
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "-o", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write payloads and manifest.json into.")
@format_option(sorted(FORMATTERS), help="Format of the findings.")
@click.option("--strict/--no-strict", default=None, help="Fail on warnings too.")
@exclude_option
@click.option("--no-cache", is_flag=True,
              help="Check every file again; neither read nor write the result cache.")
def command(paths: tuple[str, ...], out_dir: str, fmt: str, strict: bool | None,
            exclude: tuple[str, ...], no_cache: bool) -> None:
    """Validate specs under PATHS, then write one payload per spec x target x locale.

    Payloads are rendered with each variable's example; envelope fields come from the
    spec's target block or the config's [envelope] table, else placeholders. Output is
    deterministic: a rebuild of unchanged specs is byte-identical. If any spec has an error,
    nothing is written and the exit code is 1.

    Folders are walked for specs as `msgc validate` does (see --exclude).

    \b
    Example:
      msgc build templates/ -o dist/
    """
    with reporting(EXIT_USAGE):
        config = current_config()
    strict = config.strict if strict is None else strict
    report = check_tree(list(paths) or config.paths or ["."], envelope_defaults=config.envelope,
                        exclude=(*config.exclude, *exclude),
                        cache=None if no_cache else _cache())
    diags = config.tuning.apply(report.all_diagnostics())
    output = FORMATTERS[fmt](diags, version=__version__,
                             color=fmt == "text" and sys.stderr.isatty())
    if output:
        click.echo(output, err=fmt == "text")
    code = findings_code(diags, strict=strict, unreadable=report.unreadable)
    if code == EXIT_USAGE:
        sys.exit(code)
    if code == EXIT_FINDINGS:
        click.echo(f"build failed: {summary(diags, len(report.files))}; nothing written",
                   err=True)
        sys.exit(EXIT_FINDINGS)
    with reporting():
        artifacts = plan_artifacts(report)
        written = write(Path(out_dir), artifacts, report)
    click.echo(f"built {len(written)} payload{'s' * (len(written) != 1)} from "
               f"{len(report.files)} spec{'s' * (len(report.files) != 1)} into {out_dir}",
               err=True)
    sys.exit(EXIT_OK)


def _cache() -> ResultCache:
    from ..cache import ResultCache  # not even imported with --no-cache

    return ResultCache()

