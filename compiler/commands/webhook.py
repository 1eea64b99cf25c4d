"""``msgc webhook``: receive both providers' callbacks and store them in the events database."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from ..cli import EXIT_OK, EXIT_USAGE
from ..diagnostics import Diagnostic, MsgcError
from .common import config_option, current_config
from .exits import fail


def _paths() -> str:
    from .. import providers

    return ", ".join(f"{p.callbacks.path} for {p.label}" for p in providers.registry().values()
                     if p.callbacks is not None)


@click.command(name="webhook")
@config_option
@click.option("--db", type=click.Path(dir_okay=False),
              help="Events database (SQLite, created when missing). Default: $MSGC_EVENTS_DB.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (put a TLS reverse proxy in front for the internet).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port; 0 picks a free one. The port is the first line printed on stdout.")
@click.option("--allow-ip", "allow_ips", multiple=True, metavar="ADDRESS|CIDR",
              help="Accept callbacks only from these addresses (repeatable; default: any). "
                   "Others get 404.")
@click.option("--trusted-proxy", "proxies", multiple=True, metavar="ADDRESS|CIDR",
              help="Reverse proxies whose X-Forwarded-For gives the client address "
                   "(repeatable; default: none, the connection's address counts).")
@click.option("--max-body", type=click.IntRange(1024, 16 * 1024 * 1024), default=64 * 1024,
              show_default=True, help="Largest callback body, in bytes (larger: 413).")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log every request (errors are always logged).")
def command(db: str | None, host: str, port: int, allow_ips: tuple[str, ...],
            proxies: tuple[str, ...], max_body: int, access_log: bool) -> None:
    """Receive delivery receipts and replies from both providers; store each event once.

    Callbacks are taken at http://HOST:PORT/hooks/TOKEN/PATH (one path per provider: {paths}),
    where TOKEN is MSGC_WEBHOOK_TOKEN (else
    [credentials] in the msgc config file): give those URLs to each provider's console. Each
    callback is committed to the events database (SQLite, WAL, fsync on every commit)
    before it is answered 200; a provider's retry is stored once. Everything else gets 404.
    GET /healthz answers 200 while the database can be written.

    Logs are JSON lines on stderr (the token never appears). SIGINT/SIGTERM stop it
    gracefully: requests in progress are answered first. Exit codes: 0 stopped, 2 usage
    error (no token, no database, cannot listen).

    \b
    Examples:
      export MSGC_WEBHOOK_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
      msgc webhook --db events.sqlite3 --port 0    # prints the port (in production: 8080)
    """
    from ..tracking.store import EventWriter, default_events_path
    from ..webhook.app import WebhookApp, routes
    from ..webhook.logs import JsonLines, setup
    from ..webhook.server import bind, run
    from ..webhook.settings import WebhookSettings, parse_networks, resolve_token

    try:
        path = Path(db) if db else default_events_path()
        if path is None:
            raise MsgcError([Diagnostic("usage", "give --db FILE (or set MSGC_EVENTS_DB): the "
                                        "events database to write")])
        allow = parse_networks(allow_ips)
        trusted = tuple(str(n.network_address) if n.num_addresses == 1 else str(n)
                        for n in parse_networks(proxies, "--trusted-proxy"))
        token = resolve_token(dict(os.environ), current_config().credentials)
        settings = WebhookSettings(db=path, token=token, allow=allow, max_body=max_body,
                                   access_log=access_log)
        writer = EventWriter(path)
        writer.start()
    except MsgcError as exc:
        fail(exc.diagnostics, EXIT_USAGE)
    try:
        sock = bind(host, port)
    except OSError as exc:
        writer.close()
        click.echo(f"msgc webhook: cannot listen on {host}:{port}: {exc.strerror or exc}",
                   err=True)
        sys.exit(EXIT_USAGE)
    setup()
    emit = JsonLines()
    app = WebhookApp(settings, writer=writer, emit=emit)
    chosen = sock.getsockname()[1]
    click.echo(str(chosen))
    sys.stdout.flush()
    shown = f"[{host}]" if ":" in host else host
    emit(logging.INFO, "listening", url=f"http://{shown}:{chosen}", db=str(path),
        durability="WAL, synchronous=FULL: fsynced before every 200",
        hooks=[f"/hooks/***/{p}" for p in sorted(routes())],
        allow=[str(n) for n in allow] or None, trusted_proxies=list(trusted) or None)
    emit.flush()
    try:
        run(app, sock, trusted_proxies=trusted)
    finally:
        writer.close()
        sock.close()
        emit(logging.INFO, "stopped", **dict(writer.stats))
        emit.close()
    sys.exit(EXIT_OK)


command.help = (command.help or "").replace("{paths}", _paths())
