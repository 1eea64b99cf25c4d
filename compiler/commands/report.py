"""``msgc report``: what happened to a campaign's messages (delivered, read, failed and
why, replies, times), from its journal and the webhook's events database."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..cli import EXIT_OK, EXIT_USAGE
from ..diagnostics import Diagnostic, MsgcError
from .exits import fail
from .options import format_option

if TYPE_CHECKING:  # the tracking modules load when the command runs
    from ..tracking.funnel import Report
    from ..tracking.store import CampaignRef, EventsDB

FORMATS = ("text", "json", "csv", "html")


@click.command(name="report")
@click.argument("results", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--events", type=click.Path(dir_okay=False),
              help="The webhook's events database (default: $MSGC_EVENTS_DB). Without one, "
                   "only the send side is reported.")
@click.option("--campaign", "names", multiple=True, metavar="NAME",
              help="A campaign the events database knows, by its results file's name or path "
                   "(repeatable). Without RESULTS or --campaign: every campaign it knows.")
@format_option(FORMATS, help="text for people, json for scripts, csv (one tidy table) for "
               "spreadsheets, html (one self-contained page with charts).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the report to this file (replaced atomically) instead of stdout.")
@click.option("--watch", is_flag=True,
              help="Refresh every --interval seconds until Ctrl-C (the HTML page reloads "
                   "itself).")
@click.option("--interval", type=click.FloatRange(0.2, 3600), default=2.0, show_default=True,
              help="Seconds between refreshes with --watch.")
def command(results: tuple[str, ...], events: str | None, names: tuple[str, ...], fmt: str,
            output: str | None, watch: bool, interval: float) -> None:
    """Report campaigns: rows, sent, delivered, read, failed (by provider code and meaning),
    expired, deleted, unknown, invalid - by locale and target; replies per button, choice or
    row; time from send to delivered and to read (median, p90).

    RESULTS is a campaign's results file (`msgc send --results`); its journal, next to it,
    records the provider's id of every message sent, which links the webhook's events to
    rows. Events are linked again on every run, so early or late callbacks all count.

    With the webhook's database (--events events.sqlite3, or MSGC_EVENTS_DB) the report
    shows delivery, reads, replies and times; without it, the send side only.

    Exit codes: 0 report written (also after Ctrl-C under --watch), 2 usage error or an
    unreadable journal or events database.

    \b
    Examples:
      msgc send templates/order-shipped.yaml -p viber --recipients people.csv --results out.jsonl
      msgc report out.jsonl
      msgc report out.jsonl --format html -o report.html
    """
    from ..tracking.store import EventsDB, default_events_path

    db: EventsDB | None = None
    try:
        path = Path(events) if events else default_events_path()
        db = EventsDB.open(path) if path is not None else None
        campaigns = _campaigns(db, results, names)
        _run(db, campaigns, fmt, Path(output) if output else None, watch, interval)
    except MsgcError as exc:
        fail(exc.diagnostics, EXIT_USAGE)
    finally:
        if db is not None:
            db.close()
    sys.exit(EXIT_OK)


def _campaigns(db: EventsDB | None, results: tuple[str, ...], names: tuple[str, ...]
               ) -> list[CampaignRef]:
    from ..sending.journal import journal_path
    from ..tracking.matching import campaign_of

    found = []
    for text in results:
        path = Path(text)
        ref = campaign_of(path, journal_path(path))
        found.append(db.register(path, ref.journal, ref.provider) if db is not None else ref)
    if names and db is None:
        raise MsgcError([Diagnostic("usage", "--campaign needs the events database (--events "
                                    "FILE or MSGC_EVENTS_DB)")])
    if db is not None:
        known = db.campaigns()
        for name in names:
            resolved = str(Path(name).resolve())
            matches = [c for c in known if name in (c.name, str(c.results))
                       or str(c.results) == resolved]
            if len(matches) != 1:
                listed = ", ".join(sorted({c.name for c in known})) or "none yet"
                what = "no campaign" if not matches else "several campaigns"
                raise MsgcError([Diagnostic(
                    "usage", f"--campaign {name}: {what} of that name in the events database",
                    file=str(db.path), hint=f"known campaigns: {listed}; give the results "
                    "file's path to pick one")])
            found.append(matches[0])
        if not results and not names:
            found = known
    elif not results:
        raise MsgcError([Diagnostic("usage", "give a campaign's results file (or --events "
                                    "with the webhook's events database)")])
    if not found:
        raise MsgcError([Diagnostic("usage", "the events database knows no campaign yet",
                                    hint="give the results file of a campaign (msgc send "
                                         "--events records it)")])
    unique = {c.results: c for c in found}
    return list(unique.values())


def _render(report: Report, fmt: str, refresh: int | None) -> str:
    from ..tracking import html, render

    if fmt == "json":
        return render.as_json(report)
    if fmt == "csv":
        return render.as_csv(report)
    if fmt == "html":
        return html.page(report, refresh)
    return render.as_text(report)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise MsgcError([Diagnostic("io-error", f"cannot write the report: {exc.strerror}",
                                    file=str(path))]) from None


def _run(db: EventsDB | None, campaigns: list[CampaignRef], fmt: str, output: Path | None,
         watch: bool, interval: float) -> None:
    from ..tracking.funnel import build

    refresh = max(1, round(interval)) if watch and fmt == "html" else None
    clear = watch and output is None and fmt == "text" and sys.stdout.isatty()
    try:
        while True:
            text = _render(build(db, campaigns), fmt, refresh)
            if output is not None:
                _write(output, text)
            else:
                if clear:
                    click.clear()
                click.echo(text, nl=False)
                sys.stdout.flush()
            if not watch:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        if not watch:
            raise
