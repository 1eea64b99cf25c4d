"""``msgc preview``: write a static site that shows every spec as chat screens, or serve it
on loopback and reload open pages when a spec changes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli import EXIT_OK, EXIT_USAGE
from ..report import echo_diagnostics
from .common import config_option, current_config
from .exits import reporting


@click.command(name="preview")
@config_option
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "-o", "out_dir", type=click.Path(file_okay=False),
              help="Folder to write the site into (required unless --serve).")
@click.option("--vars", "vars_file", type=click.Path(dir_okay=False),
              help="JSON object of variable values to show as 'Your values': a key whose "
                   "value is an object holds the values of the spec of that name; other keys "
                   "apply to every spec that declares them.")
@click.option("--serve", is_flag=True,
              help="Serve the pages on 127.0.0.1 and reload them when a spec changes.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port for --serve (0: any free port).")
def command(paths: tuple[str, ...], out_dir: str | None, vars_file: str | None, serve: bool,
            port: int) -> None:
    """Show every spec under PATHS as the recipient's app would: a WhatsApp-like and a
    Viber-like chat screen for each target × locale, with validate's findings beside each
    message and the payload JSON one click away.

    The site is static (open index.html, or publish it as a CI artifact), deterministic,
    and safe: every value is escaped, a strict Content-Security-Policy allows only the
    site's own files, and media are placeholders that are never downloaded. A spec with
    errors is still previewed, with its problems shown; the exit code is 0 whenever the
    site was written (use `msgc validate` to fail a build on findings).

    \b
    Examples:
      msgc preview templates/ -o site/
      msgc preview templates/ -o site/ --vars values.json
      msgc preview templates/ --serve --port 8765
    """
    if not serve and not out_dir:
        raise click.UsageError("give -o DIR to write the site, or --serve to serve it")
    with reporting(EXIT_USAGE):
        config = current_config()
    targets = list(paths) or config.paths or ["."]
    from ..preview import site as preview_site
    from ..preview.values import load_vars

    with reporting(EXIT_USAGE):
        given = load_vars(vars_file) if vars_file else None
    if serve:
        from ..preview.serve import serve_forever

        with reporting(EXIT_USAGE):
            serve_forever(targets, port=port, out_dir=Path(out_dir) if out_dir else None,
                          envelope_defaults=config.envelope, vars_file=vars_file,
                          exclude=config.exclude, tuning=config.tuning)
        sys.exit(EXIT_OK)
    built, files = preview_site.build(targets, envelope_defaults=config.envelope, given=given,
                                      exclude=config.exclude, tuning=config.tuning)
    if built.findings:  # a path that does not exist: write nothing, as `msgc build` does
        echo_diagnostics(built.findings)
        sys.exit(EXIT_USAGE)
    with reporting(EXIT_USAGE):
        preview_site.write(Path(str(out_dir)), files)
    specs = len(built.specs)
    screens = sum(len(e.screens) for e in built.specs)
    index = Path(str(out_dir)) / "index.html"
    click.echo(f"previewed {specs} spec{'s' * (specs != 1)} ({screens} "
               f"screen{'s' * (screens != 1)}) into {index}", err=True)
    sys.exit(EXIT_OK)
