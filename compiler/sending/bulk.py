"""A campaign: every row of a recipients file rendered, journalled, sent and recorded once.

The pipeline runs on one asyncio loop::

    recipients file -> render + validate (one Plan per locale) -> bounded queue
        -> N workers: journal "in_flight" (committed) -> rate limit -> send with retries
        -> journal final state (committed) -> results line

Rows are streamed: memory holds the queue, not the file. Journal writes are committed in
groups, once per turn of the loop, and no request goes out, and no result line is written,
before the commit that covers it. A bad row is reported with its row and line number, and
recorded as ``invalid``; it is never sent.

Ctrl-C (or SIGTERM) stops reading, lets the requests in flight finish and exits; a second
Ctrl-C abandons them (they become ``unknown``). ``--resume`` continues from the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, MsgcError
from ..pipeline import Plan
from ..providers.base import Disposition
from ..spec import Spec
from .access import Redactor
from .client import RetryPolicy, Sender, describe_request
from .journal import Journal, journal_path, record
from .progress import Progress
from .ratelimit import TokenBucket
from .recipients import Recipient, RecipientsFile, fingerprint
from .results import ResultsFile, rebuild

#: How many bad rows and repeated phones are printed before only counting them.
SHOWN = 20
_STATE = {Disposition.SENT: "sent", Disposition.FAILED: "failed",
          Disposition.UNKNOWN: "unknown"}
_WINDOW = 10_000


@dataclass(slots=True)
class Campaign:
    """What to send, to whom, and how (built by ``msgc send --recipients``)."""

    spec: Spec
    spec_path: Path
    provider: str
    locale: str | None
    recipients: Path
    results: Path
    envelope: dict[str, str]
    credentials: dict[str, str]
    base_url: str
    shared: dict[str, Any] = field(default_factory=dict)
    fmt: str | None = None
    resume: bool = False
    resend_unknown: bool = False
    concurrency: int = 16
    rate: float | None = None
    timeout: float = 30.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    dedupe: bool = False
    ignore_extra: bool = False
    progress: bool = False
    verbose: bool = False


@dataclass(slots=True)
class Summary:
    """How a campaign stands after a run."""

    totals: dict[str, int]
    session: dict[str, int]
    rows: int
    seconds: float
    stopped: bool = False
    duplicates: int = 0
    unknown: list[dict[str, Any]] = field(default_factory=list)
    unknown_count: int = 0
    settled: int = 0
    results: Path | None = None

    @property
    def exit_code(self) -> int:
        if self.stopped:
            return 130
        bad = sum(self.totals.get(s, 0) for s in ("failed", "invalid", "unknown"))
        return 1 if bad else 0


@dataclass(slots=True)
class _Job:
    row: int
    phone: str
    body: bytes


def campaign_key(spec_path: Path, provider: str, recipients_sha: str) -> str:
    """Identifies a campaign: the spec file, the provider and the recipients' content."""
    text = json.dumps([str(spec_path.resolve()), provider, recipients_sha])
    return hashlib.sha256(text.encode()).hexdigest()


def _file_sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


class Runner:
    """Runs one :class:`Campaign` (or checks it, for ``--dry-run``)."""

    def __init__(self, campaign: Campaign, echo: Callable[[str], None]) -> None:
        self.c = campaign
        self.redact = Redactor(campaign.credentials.values())
        self._echo = echo
        self.file = RecipientsFile(campaign.recipients, list(campaign.spec.variables),
                                   fmt=campaign.fmt, ignore_extra=campaign.ignore_extra)
        self._plans: dict[str | None, Plan | MsgcError] = {}
        plan = self._plan(campaign.locale)  # a spec/provider problem stops everything here
        assert isinstance(plan, Plan)
        self.provider = plan.provider
        self.recipient_keys = [f.payload_key for f in self.provider.envelope if f.is_recipient]
        self.session: Counter[str] = Counter()
        self.shown_invalid = 0
        self.duplicates = 0
        self.stopping = False
        self.rows = 0
        self.journal: Journal | None = None
        self.results: ResultsFile | None = None
        self.progress = Progress(self.file.size, enabled=campaign.progress)
        self.started = time.monotonic()

    # -- output ----------------------------------------------------------------------------

    def echo(self, text: str) -> None:
        self.progress.clear()
        self._echo(self.redact(text))

    def log(self, text: str) -> None:
        if self.c.verbose:
            self.echo(f"msgc: {text}")

    def report(self, diag: Diagnostic) -> None:
        self.shown_invalid += 1
        if self.shown_invalid <= SHOWN:
            self.echo(diag.format())
        elif self.shown_invalid == SHOWN + 1:
            self.echo("msgc: more invalid rows are not shown; the results file lists them all")

    # -- rendering -------------------------------------------------------------------------

    def _plan(self, locale: str | None) -> Plan | MsgcError:
        plan = self._plans.get(locale)
        if plan is None:
            try:
                plan = Plan(self.c.spec, self.c.provider, locale)
            except MsgcError as exc:
                if locale == self.c.locale:
                    raise
                plan = exc
            self._plans[locale] = plan
        return plan

    def render(self, rec: Recipient) -> tuple[bytes | None, Diagnostic | None]:
        """The exact body for one row, or the located reason it cannot be sent."""
        if rec.problem is not None or rec.phone is None:
            return None, Diagnostic(rec.rule or "recipients-row",
                                    f"row {rec.row}: {rec.problem}", file=self.file.name,
                                    line=rec.line)
        plan = self._plan(rec.locale or self.c.locale)
        try:
            if isinstance(plan, MsgcError):
                raise plan
            values = plan.values({**self.c.shared, **rec.values})
            envelope = dict(self.c.envelope)
            for key in self.recipient_keys:
                envelope[key] = rec.phone
            return plan.render(values, envelope).body, None
        except MsgcError as exc:
            errors = [d for d in exc.diagnostics if d.is_error] or exc.diagnostics
            first = errors[0]
            where = f" ({first.location()})" if first.file and first.line else ""
            text = "; ".join(d.message for d in errors)
            return None, Diagnostic(first.rule, f"row {rec.row}: {text}{where}",
                                    file=self.file.name, line=rec.line, hint=first.hint,
                                    provider=self.c.provider)

    # -- dry run ---------------------------------------------------------------------------

    def dry_run(self, sign: Callable[[bytes], dict[str, str]], url: str
                ) -> tuple[int, int, str | None]:
        """Render and check every row: (valid rows, invalid rows, the first request as text,
        secrets masked)."""
        valid = invalid = 0
        first: str | None = None
        for rec in self.file:
            body, diag = self.render(rec)
            if body is None:
                invalid += 1
                assert diag is not None
                self.report(diag)
                continue
            if first is None:
                first = self.redact(describe_request(self.provider, url, sign(body), body))
            valid += 1
        return valid, invalid, first

    # -- the campaign ----------------------------------------------------------------------

    def _usage(self, message: str, hint: str | None = None, file: Path | None = None
               ) -> MsgcError:
        return MsgcError([Diagnostic("journal-conflict", message, file=str(file or
                                     self.c.results), hint=hint)])

    def open(self) -> int:
        """Check the recipients, open or create the journal and the results file. Returns
        the number of rows a previous run left in flight (now ``unknown``)."""
        c = self.c
        sha = fingerprint(c.recipients)
        key = campaign_key(c.spec_path, c.provider, sha)
        jpath = journal_path(c.results)
        if not c.results.parent.is_dir():
            raise MsgcError([Diagnostic("io-error", "the folder of the results file does not "
                                        "exist", file=str(c.results))])
        settled = 0
        if c.resume:
            if not jpath.exists():
                raise self._usage("nothing to resume: there is no journal for this results file",
                                  "run without --resume to start the campaign", jpath)
            journal = Journal.open(jpath)
            meta = journal.meta()
            if meta.get("key") != key:
                journal.close()
                raise self._usage(
                    "this journal belongs to another campaign (" + self._difference(meta, sha)
                    + ")", "resume with the same spec, provider and recipients file, or "
                    "choose another --results file", jpath)
            if meta.get("spec_sha256") != _file_sha(c.spec_path):
                self.echo(f"{c.spec_path}: warning: the spec changed since the campaign started; "
                          "the remaining rows get the new version")
            settled = journal.settle_in_flight()
            rebuild(c.results, journal.records(
                frozenset({"unknown"}) if c.resend_unknown else frozenset()), self.redact)
        else:
            if jpath.exists():
                raise self._usage("this campaign was already started: its journal exists",
                                  "add --resume to continue it (or choose another --results "
                                  "file)", jpath)
            if c.results.exists() and c.results.stat().st_size > 0:
                raise self._usage("the results file already exists",
                                  "choose another --results file, or remove this one")
            journal = Journal.create(jpath, {
                "key": key, "spec": str(c.spec_path.resolve()), "provider": c.provider,
                "recipients": str(c.recipients.resolve()), "recipients_sha256": sha,
                "spec_sha256": _file_sha(c.spec_path), "created": str(time.time())})
            c.results.write_text("", encoding="utf-8")
        self.journal = journal
        self.results = ResultsFile(c.results, self.redact)
        self.results.open()
        return settled

    def _difference(self, meta: dict[str, str], sha: str) -> str:
        c = self.c
        if meta.get("provider") != c.provider:
            return f"provider {meta.get('provider')}, not {c.provider}"
        if meta.get("spec") != str(c.spec_path.resolve()):
            return f"spec {meta.get('spec')}"
        if meta.get("recipients_sha256") != sha:
            return "the recipients file has changed since it started"
        return "different campaign key"

    def run(self) -> Summary:
        settled = self.open()
        assert self.journal is not None and self.results is not None
        try:
            asyncio.run(self._main())
        except asyncio.CancelledError:  # a second Ctrl-C abandoned the messages in flight
            self.stopping = True
        finally:
            self.progress.clear()
            self.results.close()
        if self.c.resend_unknown:
            # The unknown rows were left out of the rebuilt results to be sent again; those
            # a stopped run did not reach go back in, so every row keeps exactly one line.
            rebuild(self.c.results, self.journal.records(), self.redact)
        totals = self.journal.counts()
        unknown = self.journal.rows_in("unknown", SHOWN)
        summary = Summary(
            totals=totals, session=dict(self.session), rows=self.rows,
            seconds=time.monotonic() - self.started, stopped=self.stopping,
            duplicates=self.duplicates, unknown=unknown,
            unknown_count=totals.get("unknown", 0), settled=settled, results=self.c.results)
        self.journal.close()
        return summary

    async def _main(self) -> None:
        c = self.c
        loop = asyncio.get_running_loop()
        main = asyncio.current_task()
        assert main is not None and self.journal is not None and self.results is not None
        self._signals(loop, main)
        commits = GroupCommit(self.journal, self.results)
        queue: asyncio.Queue[_Job | None] = asyncio.Queue(maxsize=c.concurrency * 2)
        limiter = TokenBucket(c.rate) if c.rate else None
        sender = Sender(self.provider, c.credentials, c.base_url, concurrency=c.concurrency,
                        timeout=c.timeout, policy=c.policy, limiter=limiter,
                        log=self.log if c.verbose else None, redact=self.redact)
        ticker = loop.create_task(self._tick())
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(c.concurrency):
                    group.create_task(self._worker(queue, sender, commits))
                await self._produce(queue, commits)
                for _ in range(c.concurrency):
                    await queue.put(None)
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await sender.aclose()
            commits.flush()
            self._unsignal(loop)

    def _signals(self, loop: asyncio.AbstractEventLoop, main: asyncio.Task[None]) -> None:
        def stop() -> None:
            if self.stopping:
                self.echo("msgc: aborting; the messages in flight become `unknown`")
                main.cancel()
                return
            self.stopping = True
            self.echo("msgc: stopping after the messages in flight (Ctrl-C again to abort); "
                      "continue later with --resume")
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop)

    def _unsignal(self, loop: asyncio.AbstractEventLoop) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)

    async def _tick(self) -> None:
        assert self.results is not None
        while True:
            await asyncio.sleep(0.2)
            self.progress.show(self.session, self.file.bytes_read)
            self.results.sync()

    async def _produce(self, queue: asyncio.Queue[_Job | None], commits: GroupCommit) -> None:
        c = self.c
        journal = self.journal
        assert journal is not None
        states: dict[int, str] = {}
        window_end = 0
        for rec in self.file:
            if self.stopping:
                break
            commits.check()
            self.rows = rec.row
            if c.resume:
                if rec.row > window_end:
                    window_end = rec.row + _WINDOW - 1
                    states = journal.states(rec.row, window_end)
                prior = states.get(rec.row)
                if prior is not None and not (prior == "unknown" and c.resend_unknown):
                    continue
            if rec.phone is not None:
                first = journal.first_row_of(rec.phone, rec.row)
                if first is not None and self._repeat(rec, first, commits):
                    continue
            body, diag = self.render(rec)
            if body is None:
                assert diag is not None
                self.report(diag)
                self.session["invalid"] += 1
                commits.stage(record(rec.row, rec.phone or rec.raw_phone or None, "invalid",
                                     code=diag.rule, error=diag.message.split(": ", 1)[-1]))
                if self.session["invalid"] % 64 == 0:
                    await asyncio.sleep(0)
                continue
            assert rec.phone is not None
            await queue.put(_Job(rec.row, rec.phone, body))
        await commits.wait()

    def _repeat(self, rec: Recipient, first: int, commits: GroupCommit) -> bool:
        """Handle a phone seen on an earlier row; True when the row is skipped."""
        self.duplicates += 1
        if self.duplicates <= SHOWN:
            what = "skipped (--dedupe)" if self.c.dedupe else "sent again; --dedupe skips repeats"
            self.echo(f"{self.file.name}:{rec.line}: warning: row {rec.row}: phone {rec.phone} "
                      f"is also on row {first}: {what} [recipients-duplicate-phone]")
        if not self.c.dedupe:
            return False
        self.session["skipped"] += 1
        commits.stage(record(rec.row, rec.phone, "skipped", code="duplicate",
                             error=f"the phone number is also on row {first}"))
        return True

    async def _worker(self, queue: asyncio.Queue[_Job | None], sender: Sender,
                      commits: GroupCommit) -> None:
        assert self.journal is not None
        while True:
            job = await queue.get()
            if job is None:
                return
            if self.stopping:
                continue  # never begun: --resume sends it
            self.journal.begin(job.row, job.phone)
            await commits.wait()
            result = await sender.send(job.body, f"row {job.row}")
            outcome = result.outcome
            state = _STATE[outcome.disposition]
            self.session[state] += 1
            sent = state == "sent"
            commits.stage(record(job.row, job.phone, state, outcome.message_id,
                                 None if sent else outcome.code,
                                 None if sent else outcome.message, result.attempts))
            await commits.wait()


class GroupCommit:
    """Batches journal writes: one commit per turn of the event loop.

    :meth:`stage` records a final state in the journal (uncommitted) and keeps its result
    line; :meth:`wait` returns once a commit covers everything staged so far. Result lines
    are written only after the commit that made their row's state durable.
    """

    def __init__(self, journal: Journal, results: ResultsFile) -> None:
        self.journal = journal
        self.results = results
        self._records: list[dict[str, Any]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._scheduled = False
        self.error: BaseException | None = None

    def stage(self, rec: dict[str, Any]) -> None:
        self.journal.finish(rec["row"], rec["phone"], rec["status"], rec["message_id"],
                            rec["code"], rec["error"], rec["attempts"])
        self._records.append(rec)
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    async def wait(self) -> None:
        future = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        self._schedule()
        await future

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def flush(self) -> None:
        self._scheduled = False
        records, self._records = self._records, []
        waiters, self._waiters = self._waiters, []
        try:
            self.journal.commit()
            for rec in records:
                self.results.write(rec)
        except Exception as exc:  # handed to every waiter, then re-raised by check()
            self.error = exc
            for future in waiters:
                if not future.done():
                    future.set_exception(exc)
            return
        for future in waiters:
            if not future.done():
                future.set_result(None)
