"""``msgc send``: send a spec to one recipient, or to every row of a recipients file."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import providers
from ..cli import EXIT_FINDINGS, EXIT_OK
from ..diagnostics import Diagnostic, MsgcError
from ..envelope import resolve
from ..pipeline import Plan
from ..report import echo_diagnostics
from ..spec import Spec, load_spec
from .common import (
    config_option,
    credential_origins,
    current_config,
    parse_vars,
    var_hint,
    variable_options,
)
from .exits import failure_code
from .options import (
    EnvelopeCommand,
    given_envelope,
    group,
    locale_option,
    provider_option,
    recipient_option,
)

if TYPE_CHECKING:  # the sender stack loads only when a message is sent
    from ..sending.access import Redactor
    from ..sending.bulk import Summary
    from ..sending.client import RetryPolicy
    from .send_events import EventsHooks

EXIT_INTERRUPTED = 130
#: Providers that refuse messages outside a session window, for --help.
_WINDOWS = ", ".join(f"{p.label}: {p.session_window / 3600:g} h"
                     for p in providers.registry().values() if p.session_window) or "none"


class _Output:
    """Every line ``msgc send`` prints goes through here, and so through the one
    redactor (set as soon as the credentials are known)."""

    redact: Redactor | None = None

    @classmethod
    def text(cls, text: str) -> str:
        return cls.redact(text) if cls.redact is not None else text

    @classmethod
    def diagnostics(cls, diags: list[Diagnostic]) -> None:
        redact = cls.redact
        echo_diagnostics([redact.diagnostic(d) for d in diags] if redact else diags)


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def _reporting() -> Iterator[None]:
    """Print an :class:`MsgcError`; exit 2 for usage problems, 1 for findings. SIGTERM is
    taken as Ctrl-C (exit 130) outside a campaign's own stop handling too."""
    previous = None
    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    except MsgcError as exc:
        _Output.diagnostics(exc.diagnostics)
        sys.exit(failure_code(exc.diagnostics))
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _usage(message: str, hint: str | None = None) -> MsgcError:
    return MsgcError([Diagnostic("usage", message, hint=hint)])


@dataclass(frozen=True, slots=True)
class CampaignOptions:
    """What a campaign sends to, and how it resumes (``--recipients`` and its options)."""

    recipients: str | None
    recipients_format: str | None
    results: str | None
    resume: bool
    resend_unknown: bool
    retry_failed: bool
    dedupe: bool
    ignore_extra_columns: bool
    events: str | None
    skip_closed_sessions: bool


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    """How requests go out: pace, patience, retries and where to."""

    concurrency: int
    rate: float | None
    timeout: float
    retries: int
    backoff: float
    base_url: str | None


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What the run shows, and whether it sends at all."""

    dry_run: bool
    progress: bool | None
    verbose: bool


_CAMPAIGN = group(
    "campaign", CampaignOptions,
    click.option("--recipients", "recipients", type=click.Path(dir_okay=False),
                 help="CSV (phone + one column per variable) or JSON Lines file of "
                      "recipients."),
    click.option("--recipients-format", "recipients_format", type=click.Choice(["csv", "jsonl"]),
                 help="Format of the recipients file (default: from the extension; .jsonl = "
                      "JSON Lines)."),
    click.option("--results", type=click.Path(dir_okay=False),
                 help="Results file (JSON Lines); the journal is kept next to it."),
    click.option("--resume", is_flag=True, help="Continue a stopped campaign from its journal."),
    click.option("--resend-unknown", is_flag=True,
                 help="With --resume: send again the rows whose fate is unknown (may "
                      "duplicate)."),
    click.option("--retry-failed", is_flag=True,
                 help="With --resume: send again the rows that failed because their retries "
                      "ran out on answers that prove nothing was accepted (refused "
                      "connections, 408, 429, 503, ITNIO -18), e.g. after an outage. Never "
                      "touches sent or unknown rows."),
    click.option("--dedupe", is_flag=True,
                 help="Skip rows whose phone appeared on an earlier row."),
    click.option("--ignore-extra-columns", is_flag=True,
                 help="Drop recipients columns that are not spec variables (default: error)."),
    click.option("--events", type=click.Path(dir_okay=False),
                 help="The webhook's events database (default: $MSGC_EVENTS_DB): the "
                      "campaign is recorded there for `msgc report`; --skip-closed-sessions "
                      "reads it."),
    click.option("--skip-closed-sessions", is_flag=True,
                 help="Skip (as `skipped`, code session-closed) the rows whose recipient has "
                      "not written within the provider's session window, by the inbound "
                      "messages in --events, instead of sending messages the provider "
                      f"refuses ({_WINDOWS})."),
)
_DELIVERY = group(
    "delivery", DeliveryOptions,
    click.option("--concurrency", "-c", type=click.IntRange(1, 512), default=16,
                 show_default=True, help="Requests in flight at once."),
    click.option("--rate", type=click.FloatRange(min=0, min_open=True),
                 help="At most this many requests per second (default: no limit)."),
    click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
                 show_default=True, help="Seconds to wait for an answer."),
    click.option("--retries", type=click.IntRange(0, 20), default=4, show_default=True,
                 help="Retries of an attempt that nothing can have been accepted by (refused "
                      "connection, 408, 429, 503, ITNIO -18)."),
    click.option("--backoff", type=click.FloatRange(min=0), default=0.5, show_default=True,
                 help="Ceiling of the first retry wait, in seconds (doubles each time, "
                      "jittered)."),
    click.option("--base-url", help="API root (e.g. the fake server's); overrides the "
                 "provider's MSGC_*_BASE_URL variable."),
)
_RUN = group(
    "run", RunOptions,
    click.option("--dry-run", is_flag=True,
                 help="Show the exact request (secrets masked) and check every row; send "
                      "nothing."),
    click.option("--progress/--no-progress", default=None,
                 help="Progress line on stderr (default: when stderr is a terminal)."),
    click.option("--verbose", "-v", is_flag=True, help="Log retries and unknown outcomes."),
)


@click.command(name="send", cls=EnvelopeCommand)
@config_option
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@provider_option("Provider to send through.")
@locale_option("Locale to render (a `locale` column wins per row).")
@variable_options
@_CAMPAIGN
@_DELIVERY
@_RUN
def command(spec_path: str, provider: str, locale: str | None, var_pairs: tuple[str, ...],
            vars_file: str | None, envelope: dict[str, str | None],
            campaign: CampaignOptions, delivery: DeliveryOptions, run: RunOptions) -> None:
    """Send SPEC through PROVIDER to one recipient (--to) or a campaign (--recipients).

    One recipient prints the provider's message id (exit 0) or the located error (exit 1).
    A campaign checks the whole recipients file first, then streams it, renders and checks
    each row (a bad row is reported and never sent), sends with --concurrency and --rate,
    and writes one JSON line per row to --results. Its journal (next to the results file)
    makes --resume send every remaining row exactly once; rows whose fate is unknown (sent,
    no answer) are listed and only sent again with --resend-unknown. One process per
    campaign: a second one is refused while the first runs.

    Exit codes: 0 every row sent; 1 a row failed, was invalid or is unknown, or a
    spec/data error; 2 usage error, unreadable input, a campaign that is locked, damaged or
    whose journal lost writes, a disk error; 130 stopped (Ctrl-C, SIGTERM).

    Credentials come from NXCLOUD_ACCESS_KEY / NXCLOUD_ACCESS_SECRET (Viber) or
    ITNIO_API_KEY / ITNIO_API_SECRET (WhatsApp), else from [credentials] in a config file
    (best: the user file ~/.config/msgc/config.toml); `msgc config` shows which is used.

    \b
    Examples:
      msgc send templates/order-shipped.yaml -p viber --to "+7 900 123-45-67" \\
          --var order_id=A-1029 --var eta_days=3
      msgc send templates/order-shipped.yaml -p whatsapp --recipients people.csv \\
          --results out.jsonl --concurrency 32 --rate 50
      msgc send templates/order-shipped.yaml -p whatsapp --recipients people.csv \\
          --results out.jsonl --resume
    """
    with _reporting():
        target = providers.get(provider)
        to = envelope.get(recipient_option(target))
        recipients, results, resume = campaign.recipients, campaign.results, campaign.resume
        resend_unknown, retry_failed = campaign.resend_unknown, campaign.retry_failed
        dry_run, rate = run.dry_run, delivery.rate
        if (to is None) == (recipients is None):
            raise _usage("give exactly one of --to PHONE and --recipients FILE")
        if recipients is None:
            for flag, given in (("--results", results), ("--resume", resume),
                                ("--resend-unknown", resend_unknown),
                                ("--retry-failed", retry_failed),
                                ("--dedupe", campaign.dedupe),
                                ("--recipients-format", campaign.recipients_format),
                                ("--rate", rate)):
                if given:
                    raise _usage(f"{flag} applies to campaigns (--recipients FILE)")
        elif not dry_run and results is None:
            raise _usage("a campaign needs --results FILE",
                         "the results file lists every row's outcome; the journal lives next "
                         "to it")
        elif not dry_run and results is not None:
            from ..files import check_writable

            check_writable(Path(results))  # the journal lives in the same folder
        if campaign.skip_closed_sessions and recipients is None:
            raise _usage("--skip-closed-sessions applies to campaigns (--recipients FILE)")
        for flag, given in (("--resend-unknown", resend_unknown),
                            ("--retry-failed", retry_failed)):
            if given and not resume:
                raise _usage(f"{flag} needs --resume")

        from ..sending.access import Redactor, resolve_base_url, resolve_credentials
        from ..sending.client import RetryPolicy

        known = [n for p in providers.registry().values() for n in p.credential_names]
        _Output.redact = Redactor(os.environ.get(n, "") for n in known)
        config = current_config()
        spec = load_spec(spec_path)
        chosen_locale = locale or (config.locale if config.locale in spec.locales else None)
        plan = Plan(spec, provider, chosen_locale)
        environ = dict(os.environ)
        _Output.redact = Redactor([*_Output.redact.secrets, *(
            config.credentials.get(n, "") for n in known)])
        credentials = resolve_credentials(plan.provider, environ, config.credentials,
                                          **credential_origins(config))
        url = resolve_base_url(plan.provider, delivery.base_url, environ)
        policy = RetryPolicy(retries=delivery.retries, backoff=delivery.backoff)
        flags = given_envelope(plan.provider, envelope)
        if to is not None:
            resolved = resolve(plan.provider, plan.settings, flags, environ, config.envelope,
                               placeholders=False, file=spec.file).values
            values = plan.values(parse_vars(var_pairs, vars_file), how_to_give=var_hint)
            rendered = plan.render(values, resolved)
            _Output.diagnostics(list(rendered.warnings))
            _send_one(plan, credentials, url, rendered.body, delivery.timeout, policy,
                      dry_run, run.verbose, spec.file)
            return
        assert recipients is not None
        recipient_key = plan.provider.recipient_key
        if recipient_key is not None:
            flags[recipient_key] = "0000000"  # each row's phone replaces it
        resolved = resolve(plan.provider, plan.settings, flags, environ, config.envelope,
                           placeholders=False, file=spec.file).values
        shared = parse_vars(var_pairs, vars_file)
        _check_shared(shared, list(spec.variables))
        from .send_events import events_hooks

        hooks = events_hooks(campaign.events, campaign.skip_closed_sessions, plan.provider,
                             resolved)
        _campaign(spec, Path(spec_path), provider, chosen_locale, campaign, delivery, run,
                  resolved, credentials, url, shared, policy, hooks)


def _check_shared(shared: dict[str, Any], variables: list[str]) -> None:
    from difflib import get_close_matches

    unknown = [name for name in shared if name not in variables]
    if unknown:
        close = get_close_matches(unknown[0], variables, n=1)
        raise MsgcError([Diagnostic(
            "unknown-variable", f"value given for {unknown[0]!r}, which the spec does not "
            "declare", hint=f"did you mean {close[0]!r}?" if close else None)])


def _err(text: str) -> None:
    click.echo(_Output.text(text), err=True)


def _out(text: str) -> None:
    click.echo(_Output.text(text))


def _send_one(plan: Plan, credentials: dict[str, str], url: str, body: bytes, timeout: float,
              policy: RetryPolicy, dry_run: bool, verbose: bool, file: str) -> None:
    from ..sending.access import Redactor
    from ..sending.client import describe_request, send_one
    from ..sending.outcome import Disposition

    provider = plan.provider
    redact = Redactor(credentials.values())
    endpoint = url + provider.endpoint_path
    if dry_run:
        headers = provider.sign(body, credentials, time.time())
        _out(redact(describe_request(provider, endpoint, headers, body)))
        return
    log = (lambda text: _err(f"msgc: {text}")) if verbose else None
    if verbose:
        _err(f"msgc: POST {endpoint} ({len(body):,} bytes)")
    try:
        result = send_one(provider, credentials, url, body, timeout=timeout, policy=policy,
                          log=log)
    except KeyboardInterrupt:
        _err("msgc: interrupted while the message was being sent: it may or may not have "
             "been accepted; check the provider's delivery reports before sending it again")
        sys.exit(EXIT_INTERRUPTED)
    outcome = result.outcome
    if outcome.disposition is Disposition.SENT:
        _out(outcome.message_id or "(accepted; the provider returned no message id)")
        sys.exit(EXIT_OK)
    if outcome.disposition is Disposition.UNKNOWN:
        what = "may or may not have been accepted"
    elif outcome.code and outcome.code in provider.response_codes:
        what = "was rejected"
    else:
        what = "was not sent"
    hint = outcome.hint
    if outcome.disposition is Disposition.UNKNOWN:
        hint = "check the provider's delivery reports before sending it again"
    _Output.diagnostics([Diagnostic(
        f"{provider.name}-send-{'failed' if outcome.disposition is Disposition.FAILED else 'unknown'}",
        redact(f"the message {what}: [{outcome.code}] {outcome.message}"), file=file,
        provider=provider.name, hint=hint)])
    sys.exit(EXIT_FINDINGS)


def _campaign(spec: Spec, spec_path: Path, provider: str, locale: str | None,
              options: CampaignOptions, delivery: DeliveryOptions, run: RunOptions,
              envelope: dict[str, str], credentials: dict[str, str], url: str,
              shared: dict[str, Any], policy: RetryPolicy, hooks: EventsHooks) -> None:
    from ..sending.bulk import Campaign, Runner

    assert options.recipients is not None
    campaign = Campaign(
        spec=spec, spec_path=spec_path, provider=provider, locale=locale,
        recipients=Path(options.recipients), results=Path(options.results or "-"),
        envelope=envelope, credentials=credentials, base_url=url, shared=shared,
        fmt=options.recipients_format, resume=options.resume,
        resend_unknown=options.resend_unknown, retry_failed=options.retry_failed,
        concurrency=delivery.concurrency, rate=delivery.rate, timeout=delivery.timeout,
        policy=policy, dedupe=options.dedupe, ignore_extra=options.ignore_extra_columns,
        verbose=run.verbose,
        progress=run.progress if run.progress is not None else sys.stderr.isatty(),
        skip=hooks.skip)
    runner = Runner(campaign, _err)
    if run.dry_run:
        p = providers.get(provider)
        valid, invalid, first = runner.dry_run(
            lambda body: p.sign(body, credentials, time.time()), url + p.endpoint_path)
        if first is not None:
            _out(first)
            _out("")
        skipped = f", {runner.skipped} with a closed session" if hooks.skip is not None else ""
        _out(f"dry run: {valid} row{'s' * (valid != 1)} ready, {invalid} invalid{skipped}; "
             "nothing was sent")
        sys.exit(EXIT_FINDINGS if invalid else EXIT_OK)
    hooks.register(campaign.results)
    summary = runner.run()
    if summary.error is not None:
        _Output.diagnostics(summary.error.diagnostics)
    _print_summary(summary)
    sys.exit(summary.exit_code)


SHOWN_ABANDONED = 20


def _rows(n: int, singular: str, plural: str) -> str:
    """``1 row was`` / ``2 rows were``: the count, the noun and the verb agreeing."""
    return f"{n:,} row{'s' * (n != 1)} {singular if n == 1 else plural}"


def _print_summary(summary: Summary) -> None:
    totals = summary.totals
    order = ("sent", "failed", "invalid", "unknown", "skipped")
    shown = ", ".join(f"{totals.get(s, 0)} {s}" for s in order if totals.get(s) or s == "sent")
    this_run = sum(v for k, v in summary.session.items() if k != "invalid")
    rate = this_run / summary.seconds if summary.seconds > 0 else 0.0
    if summary.settled:
        _err(f"msgc: {_rows(summary.settled, 'was', 'were')} in flight when the previous run "
             "stopped: their fate is unknown")
    if summary.abandoned:
        count = len(summary.abandoned)
        _err(f"msgc: aborted: {_rows(count, 'was', 'were')} being sent and "
             f"{'is' if count == 1 else 'are'} now `unknown`:")
        for rec in summary.abandoned[:SHOWN_ABANDONED]:
            _err(f"  row {rec['row']} ({rec['phone']})")
    if summary.withdrawn:
        _err(f"msgc: {summary.withdrawn} row{'s' * (summary.withdrawn != 1)} stopped between "
             "retries (nothing was accepted): --resume sends them")
    if summary.unknown_count:
        _err(f"msgc: {summary.unknown_count} row{'s' * (summary.unknown_count != 1)} may or "
             "may not have been delivered (no answer was received):")
        for rec in summary.unknown:
            _err(f"  row {rec['row']} ({rec['phone']}): {rec['error']}")
        if summary.unknown_count > len(summary.unknown):
            _err(f"  ... and {summary.unknown_count - len(summary.unknown)} more (status "
                 "\"unknown\" in the results file)")
        _err("  check the provider's delivery reports; --resume --resend-unknown sends them "
             "again (a recipient may get the message twice)")
    if summary.duplicates:
        _err(f"msgc: {_rows(summary.duplicates, 'repeats', 'repeat')} a phone number of an "
             "earlier row")
    if summary.stopped or summary.error is not None:
        _err("msgc: stopped; continue with the same command and --resume" if summary.error
             is None else "msgc: stopped by the error above")
    halted = summary.stopped or summary.error is not None
    rows = f"the first {summary.rows:,} rows" if halted else \
        f"{summary.rows:,} row{'s' * (summary.rows != 1)}"
    _out(f"{shown} of {rows}; this run: {this_run:,} message{'s' * (this_run != 1)} in "
         f"{summary.seconds:.1f} s ({rate:.0f}/s); results in {summary.results}")
