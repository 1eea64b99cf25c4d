"""``msgc cache``: where the result cache of validate and build lives, and emptying it."""

from __future__ import annotations

import click

from ..cache import CACHE_ENV, DATABASE, ResultCache
from ..cli import EXIT_USAGE
from ..files import io_error
from .exits import reporting


@click.group(name="cache")
def command() -> None:
    """The result cache of `msgc validate` and `msgc build`.

    Each file's findings (and payloads, for build) are stored under a key of its path,
    its content, the flags and config, and msgc's own code and dependencies, so a file
    is checked again only when something that can change its result changed. It lives
    in the user's cache folder (override with the MSGC_CACHE_DIR environment variable);
    --no-cache on validate and build bypasses it.

    \b
    Examples:
      msgc cache info
      msgc cache clean
    """


@command.command(name="info")
def info() -> None:
    """Print the cache's folder, entries and size."""
    cache = ResultCache()
    entries, size = cache.stats()
    cache.close()
    click.echo(f"folder: {cache.folder}")
    click.echo(f"database: {cache.folder / DATABASE}")
    click.echo(f"entries: {entries:,}")
    click.echo(f"size: {size:,} bytes")
    click.echo(f"(set {CACHE_ENV} to use another folder)")


@command.command(name="clean")
def clean() -> None:
    """Remove every cached result."""
    cache = ResultCache()
    with reporting(EXIT_USAGE):
        try:
            removed = cache.clean()
        except OSError as exc:
            raise io_error(cache.folder, exc, "empty the cache in") from None
    click.echo(f"removed {removed:,} cached result{'s' * (removed != 1)} from {cache.folder}")
