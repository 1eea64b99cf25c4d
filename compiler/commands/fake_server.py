"""``msgc fake-server``: run the fake NXCloud + ITNIO API on loopback until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from .. import providers
from ..cli import EXIT_USAGE
from ..diagnostics import Diagnostic
from ..report import echo_diagnostics
from .common import config_option, current_config
from .exits import reporting

_RATE = click.FloatRange(0.0, 1.0)


@click.command(name="fake-server")
@config_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep it on loopback).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port; 0 picks a free one. The port is the first line printed on stdout.")
@click.option("--record", type=click.Path(dir_okay=False),
              help="Append every request received, and its answer, to this JSON Lines file.")
@click.option("--fail-rate", type=_RATE, default=0.0, help="Share answered HTTP 502/503/504.")
@click.option("--rate-limit-rate", type=_RATE, default=0.0, help="Share answered HTTP 429.")
@click.option("--slow-rate", type=_RATE, default=0.0, help="Share answered --slow-ms late.")
@click.option("--slow-ms", type=click.IntRange(0, 600_000), default=0, help="Delay of slow answers.")
@click.option("--drop-rate", type=_RATE, default=0.0,
              help="Share whose connection closes before processing (not accepted).")
@click.option("--garbage-rate", type=_RATE, default=0.0,
              help="Share answered with malformed JSON (after processing).")
@click.option("--lose-answer-rate", type=_RATE, default=0.0,
              help="Share accepted, then the connection closes without an answer.")
@click.option("--accept-then-fail-rate", type=_RATE, default=0.0,
              help="Share accepted, then answered HTTP 502 or 504 (a gateway whose upstream "
                   "took the message).")
@click.option("--reject", "rejects", multiple=True, metavar="[PROVIDER:]CODE[=SHARE]",
              help="Answer a documented error code to a share (default all) of valid "
                   "requests, e.g. --reject 1102=0.1 --reject whatsapp:-18=0.2 (repeatable).")
@click.option("--seed", type=int, help="Seed of the fault generator (repeatable runs).")
@click.option("--callback-url", metavar="URL",
              help="Post delivery receipts and replies for every accepted message to "
                   "URL/<provider path> (e.g. http://127.0.0.1:8080/hooks/$MSGC_WEBHOOK_TOKEN).")
@click.option("--delivered-rate", type=_RATE, default=0.9, show_default=True,
              help="Share of accepted messages delivered (the others fail or expire).")
@click.option("--read-rate", type=_RATE, default=0.6, show_default=True,
              help="Share of delivered messages read.")
@click.option("--reply-rate", type=_RATE, default=0.2, show_default=True,
              help="Share of read messages answered (a random button/choice/row, else text).")
@click.option("--expired-rate", type=_RATE, default=0.0, show_default=True,
              help="Share of undelivered messages that expire instead of failing (where the "
                   "provider reports expiry).")
@click.option("--duplicate-callback-rate", type=_RATE, default=0.0, show_default=True,
              help="Share of callbacks posted twice (a provider's retry).")
@click.option("--out-of-order-rate", type=_RATE, default=0.0, show_default=True,
              help="Share of messages whose callbacks are posted in reverse order.")
@click.option("--callback-delay-ms", type=click.FloatRange(0, 3_600_000), default=200.0,
              show_default=True, help="Mean delay between a message's callbacks.")
@click.option("--callback-retry-scale", type=click.FloatRange(0, 1000), default=1.0,
              show_default=True, help="Multiplies the providers' retry delays of callbacks the "
                                      "webhook did not take (1, 3, 5 min).")
@click.option("--callback-record", type=click.Path(dir_okay=False),
              help="Append every callback posted, and the webhook's answer, to this JSON "
                   "Lines file.")
def command(host: str, port: int, record: str | None, fail_rate: float, rate_limit_rate: float,
            slow_rate: float, slow_ms: int, drop_rate: float, garbage_rate: float,
            lose_answer_rate: float, accept_then_fail_rate: float, rejects: tuple[str, ...],
            seed: int | None, callback_url: str | None, delivered_rate: float,
            read_rate: float, reply_rate: float, expired_rate: float,
            duplicate_callback_rate: float, out_of_order_rate: float,
            callback_delay_ms: float, callback_retry_scale: float,
            callback_record: str | None) -> None:
    """Serve a fake NXCloud Viber and ITNIO WhatsApp API that keeps their contracts.

    It checks headers, signatures and timestamps, validates bodies with msgc's schemas,
    answers with the documented codes and returns message ids, so `msgc send` (or your own
    client) can be tested end to end. Credentials are read like `msgc send` reads them
    (environment, then msgc.toml); a provider without them accepts its document's example
    credentials. Point senders at it with --base-url or MSGC_NXCLOUD_BASE_URL /
    MSGC_ITNIO_BASE_URL. Stop it with Ctrl-C.

    With --callback-url it also plays the providers' side after sending: for each accepted
    message it posts delivery receipts (and some replies) in each provider's documented
    shape to URL/PATH (the path each provider declares: see msgc webhook --help), after
    --callback-delay-ms, in the shares given; a push the webhook does not answer 2xx is
    pushed again after 1, 3 and 5 minutes (times --callback-retry-scale).

    \b
    Example:
      msgc fake-server --port 0 --fail-rate 0.05 --lose-answer-rate 0.01 --seed 7
    """
    from ..sending.fake_callbacks import CallbackPlan
    from ..sending.fake_server import FakeServer, Faults, parse_reject

    try:
        reject = [parse_reject(text) for text in rejects]
    except ValueError:
        raise click.BadParameter("expected [PROVIDER:]CODE[=SHARE], e.g. 1102=0.5",
                                 param_hint="--reject") from None
    for item in reject:
        owners = [p for p in providers.registry().values()
                  if item.code in p.response_codes and item.provider in (None, p.name)]
        if not owners or not 0 <= item.share <= 1:
            raise click.BadParameter(f"{item.code!r} is not a documented error code"
                                     + (f" of {item.provider}" if item.provider else "")
                                     if not owners else "SHARE must be between 0 and 1",
                                     param_hint="--reject")
    with reporting(EXIT_USAGE):
        config = current_config()
        if record:
            from ..files import check_writable

            check_writable(Path(record))
    credentials: dict[str, str] = {}
    for provider in providers.registry().values():
        names = provider.credential_names
        values = {n: os.environ.get(n) or config.credentials.get(n) or "" for n in names}
        _check_credentials(values)
        if all(values.values()):
            credentials.update(values)
        elif names:
            examples = provider.example_credentials
            shown = ", ".join(f"{n}={examples[n]}" for n in names
                              if "SECRET" not in n and n in examples)
            click.echo(f"msgc fake-server: {' / '.join(names)} not set: {provider.label} "
                       f"accepts the document's example credentials ({shown}, and its "
                       "example secret)", err=True)
    faults = Faults(fail_rate=fail_rate, rate_limit_rate=rate_limit_rate, slow_rate=slow_rate,
                    slow_ms=slow_ms, drop_rate=drop_rate, garbage_rate=garbage_rate,
                    lose_answer_rate=lose_answer_rate,
                    accept_then_fail_rate=accept_then_fail_rate, reject=reject, seed=seed)
    plan = None
    if callback_url is not None:
        parts = urlsplit(callback_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(f"{callback_url!r} is not an http(s) URL",
                                     param_hint="--callback-url")
        plan = CallbackPlan(callback_url, delivered_rate=delivered_rate, read_rate=read_rate,
                            reply_rate=reply_rate, expired_rate=expired_rate,
                            duplicate_rate=duplicate_callback_rate,
                            out_of_order_rate=out_of_order_rate, delay_ms=callback_delay_ms,
                            retry_scale=callback_retry_scale, seed=seed)
    elif callback_record:
        raise click.BadParameter("needs --callback-url", param_hint="--callback-record")
    server = FakeServer(credentials, faults, host=host, port=port,
                        record=Path(record) if record else None, keep=False, callbacks=plan,
                        callback_record=Path(callback_record) if callback_record else None)

    def ready(chosen: int) -> None:
        click.echo(str(chosen))
        sys.stdout.flush()
        routes = ", ".join(f"{p.name} {p.endpoint_path}" for p in server.routes.values())
        click.echo(f"msgc fake-server: listening on {server.base_url} ({routes})", err=True)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, task.cancel)
        await server.serve(ready)

    try:
        asyncio.run(main())
    except OSError as exc:
        click.echo(f"msgc fake-server: cannot listen on {host}:{port}: {exc.strerror}", err=True)
        sys.exit(EXIT_USAGE)
    except asyncio.CancelledError:
        pass
    stats = server.stats
    click.echo(f"msgc fake-server: {stats['requests']} requests, {stats['accepted']} accepted, "
               f"{stats['rejected']} rejected", err=True)
    if server.callbacks is not None:
        counts = server.callbacks.stats
        click.echo(f"msgc fake-server: {counts['posted']} callbacks posted, {counts['taken']} "
                   "taken by the webhook", err=True)


def _check_credentials(values: dict[str, str]) -> None:
    """Exit 2, naming the variable, when a configured credential cannot be a key."""
    from ..credentials import RULE_CREDENTIAL_INVALID, credential_problem

    bad = [Diagnostic(RULE_CREDENTIAL_INVALID, f"{name} {problem}")
           for name, value in values.items()
           if value and (problem := credential_problem(value))]
    if bad:
        echo_diagnostics(bad)
        sys.exit(EXIT_USAGE)
