"""A campaign: every row of a recipients file rendered, journalled, sent and recorded once.

The pipeline runs on one asyncio loop::

    recipients file -> render + validate (one Plan per locale) -> bounded queue
        -> N workers: journal "in_flight" (committed, fsynced) -> rate limit -> send with
           retries -> journal final state (committed) -> results line

Exactly once, even when things misbehave:

* **One process per campaign**: the run holds an OS lock (:mod:`.lock`) next to the
  results file from start to end; a second ``msgc send`` on the same journal is refused
  with exit 2 and the holder's PID, host and start time.
* **Durable before it leaves**: no request goes out before the commit that records it in
  flight; commits are grouped, once per turn of the loop, so one fsync covers every row
  that became in flight together. No result line is written before its row's commit.
* **Evidence first**: ``--resume`` reads the results file back and refuses (exit 2) when it
  records answered rows the journal lacks; nothing is overwritten then.
* **Clean stops**: the recipients file is checked whole before the first message; an
  error found later (the file changed), or a journal/results write that fails, stops
  reading, lets the requests in flight finish and exits 2. Ctrl-C (or SIGTERM) stops
  reading and starting retries and lets the requests in flight finish (exit 130); a second
  one aborts them: a row whose request was out becomes ``unknown`` (journal, results and
  summary), one that was waiting goes back to pending.

Rows are streamed: memory holds the queue, not the file. A bad row is reported with its
row and line number, and recorded as ``invalid``; it is never sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, MsgcError
from ..pipeline import Plan
from ..sending.outcome import Disposition, rule
from ..spec import Spec
from .access import Redactor
from .client import Flight, RetryPolicy, Sender, describe_request
from .journal import INTERRUPTED, Journal, JournalError, journal_path, record
from .lock import CampaignLock
from .progress import Progress
from .ratelimit import TokenBucket
from .recipients import Recipient, RecipientsFile
from .results import ANSWERED, ResultsFile, evidence, rebuild

#: How many bad rows and repeated phones are printed before only counting them.
SHOWN = 20
#: The code of a row skipped by ``--skip-closed-sessions``.
SESSION_CLOSED = "session-closed"
_STATE = {Disposition.SENT: "sent", Disposition.FAILED: "failed",
          Disposition.UNKNOWN: "unknown"}
_WINDOW = 10_000
ABORTED = ("the run was aborted while this message was being sent; it may or may not have "
           "been accepted")


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
    retry_failed: bool = False
    concurrency: int = 16
    rate: float | None = None
    timeout: float = 30.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    dedupe: bool = False
    ignore_extra: bool = False
    progress: bool = False
    verbose: bool = False
    #: Given a row's phone, why the row must not be sent now (it is recorded ``skipped``
    #: with that reason), or None: ``--skip-closed-sessions``.
    skip: Callable[[str], str | None] | None = None


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
    #: Rows whose request was out when a second Ctrl-C/SIGTERM aborted the run.
    abandoned: list[dict[str, Any]] = field(default_factory=list)
    #: Rows stopped between retries (nothing accepted): pending again for --resume.
    withdrawn: int = 0
    #: The error that stopped the run (a file or disk problem), if any.
    error: MsgcError | None = None

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return 2
        if self.stopped:
            return 130
        bad = sum(self.totals.get(s, 0) for s in ("failed", "invalid", "unknown"))
        return 1 if bad else 0


@dataclass(slots=True)
class _Job:
    row: int
    phone: str
    body: bytes
    locale: str | None = None
    flight: Flight = field(default_factory=Flight)


def campaign_key(spec_path: Path, provider: str, recipients_sha: str) -> str:
    """Identifies a campaign: the spec file, the provider and the recipients' content."""
    text = json.dumps([str(spec_path.resolve()), provider, recipients_sha])
    return hashlib.sha256(text.encode()).hexdigest()


def retry_safe(state: str, case: str | None) -> bool:
    """Whether a ``failed`` row failed only because its retries ran out on answers that
    prove nothing was accepted (what ``--retry-failed`` sends again)."""
    return (state == "failed" and case is not None
            and rule(case).disposition is Disposition.RETRY)


def _file_sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _journal_error(exc: BaseException, path: Path) -> MsgcError:
    if isinstance(exc, MsgcError):
        return exc
    return JournalError([Diagnostic(
        "io-error", f"cannot write the journal: {exc}", file=str(path),
        hint="free disk space (or fix the disk), then continue with --resume; rows whose "
             "answer could not be recorded are reported as unknown")])


class Runner:
    """Runs one :class:`Campaign` (or checks it, for ``--dry-run``)."""

    def __init__(self, campaign: Campaign, echo: Callable[[str], None]) -> None:
        self.c = campaign
        self.redact = Redactor(campaign.credentials.values())
        self._echo = echo
        # Checks the whole file (encoding, quoting) before anything else happens.
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
        self.aborted = False
        self.fatal: MsgcError | None = None
        self.rows = 0
        self.withdrawn = 0
        self.skipped = 0  # --dry-run: rows --skip-closed-sessions would skip
        self.journal: Journal | None = None
        self.results: ResultsFile | None = None
        self.lock = CampaignLock(campaign.results)
        self._begun: dict[int, _Job] = {}
        self._stop: asyncio.Event | None = None
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
            if self.c.skip is not None and rec.phone and self.c.skip(rec.phone) is not None:
                self.skipped += 1
                continue
            if first is None:
                first = self.redact(describe_request(self.provider, url, sign(body), body))
            valid += 1
        return valid, invalid, first


    # -- opening the campaign --------------------------------------------------------------

    def _usage(self, message: str, hint: str | None = None, file: Path | None = None,
               rule_id: str = "journal-conflict") -> MsgcError:
        return MsgcError([Diagnostic(rule_id, message, file=str(file or self.c.results),
                                     hint=hint)])

    def note(self, path: Path, text: str) -> None:
        self.echo(f"{path}: note: {text}")

    def open(self) -> int:
        """Lock the campaign, then open or create its journal and results file. Returns the
        number of rows a previous run left in flight (now ``unknown``)."""
        if not self.c.results.parent.is_dir():
            raise MsgcError([Diagnostic("io-error", "the folder of the results file does not "
                                        "exist", file=str(self.c.results))])
        self.lock.acquire()
        try:
            return self._open_locked()
        except BaseException:
            if self.journal is not None:
                self.journal.close()
                self.journal = None
            self.lock.release()
            raise

    def _results_record_sends(self) -> bool:
        return any(status in ANSWERED for _, status in evidence(self.c.results))

    def _existing(self, jpath: Path) -> Journal | None:
        """The campaign's journal, or None when it never recorded a send and the campaign
        can start afresh (said so)."""
        try:
            journal = Journal.open(jpath, self.redact, check=True)
        except JournalError as exc:
            if exc.never_sent and not self._results_record_sends():
                self.note(jpath, "this journal was never completed (a run stopped while "
                          "creating it) and records no message sent: starting afresh")
                return None
            raise
        if (not self.c.resume and journal.records_sending() == 0
                and not self._results_record_sends()):
            journal.close()
            self.note(jpath, "this campaign's journal records no message sent (the previous "
                      "run stopped before sending any): starting afresh")
            return None
        return journal

    def _open_locked(self) -> int:
        c = self.c
        key = campaign_key(c.spec_path, c.provider, self.file.sha256)
        jpath = journal_path(c.results)
        journal = self._existing(jpath) if jpath.exists() else None
        if journal is None and c.resume and not jpath.exists():
            raise self._usage("nothing to resume: there is no journal for this results file",
                              "run without --resume to start the campaign", jpath)
        if journal is not None and not c.resume:
            journal.close()
            raise self._usage("this campaign was already started: its journal exists",
                              "add --resume to continue it (or choose another --results "
                              "file)", jpath)
        settled = 0
        if journal is not None:
            self.journal = journal
            meta = journal.meta()
            if meta.get("key") != key:
                raise self._usage(
                    "this journal belongs to another campaign (" + self._difference(meta)
                    + ")", "resume with the same spec, provider and recipients file, or "
                    "choose another --results file", jpath)
            if meta.get("spec_sha256") != _file_sha(c.spec_path):
                self.echo(f"{c.spec_path}: warning: the spec changed since the campaign started; "
                          "the remaining rows get the new version")
            self._check_evidence(journal, jpath)
            settled = len(journal.settle_in_flight())
            rebuild(c.results, journal.records(self._resent), self.redact)
        else:
            if self._results_record_sends() or (
                    not jpath.exists() and c.results.exists() and c.results.stat().st_size):
                raise self._usage("the results file already exists",
                                  "choose another --results file, or remove this one")
            self.journal = Journal.create(jpath, {
                "key": key, "spec": str(c.spec_path.resolve()), "provider": c.provider,
                "recipients": str(c.recipients.resolve()),
                "recipients_sha256": self.file.sha256,
                "spec_sha256": _file_sha(c.spec_path), "created": str(time.time())},
                self.redact)
            c.results.write_text("", encoding="utf-8")
        self.results = ResultsFile(c.results, self.redact)
        self.results.open()
        return settled

    def _resent(self, state: str, case: str | None) -> bool:
        """Whether a row in ``state`` is sent again by this run (its line is left out of
        the results until it has a new one)."""
        return ((state == "unknown" and self.c.resend_unknown)
                or (self.c.retry_failed and retry_safe(state, case)))

    def _check_evidence(self, journal: Journal, jpath: Path) -> None:
        """Refuse to resume when the results file proves rows were answered that the
        journal does not know: the journal lost writes, and resuming would send them
        again and then overwrite the proof."""
        lost = journal.lost_rows(evidence(self.c.results))
        if not lost:
            return
        shown = ", ".join(map(str, lost[:10])) + (", ..." if len(lost) > 10 else "")
        raise MsgcError([Diagnostic(
            "journal-behind", f"the results file records {len(lost)} answered "
            f"row{'s' * (len(lost) != 1)} that the journal does not have (rows {shown}): the "
            "journal lost writes, so resuming could send them again. Nothing was sent, and "
            "neither file was changed", file=str(jpath),
            hint="was a -journal or -wal file next to it deleted, or the journal restored "
                 f"from an older copy? Restore it; or keep {self.c.results} as the record of "
                 "what was sent, remove those rows from the recipients file and send the rest "
                 "as a new campaign (another --results file)")])

    def _difference(self, meta: dict[str, str]) -> str:
        c = self.c
        if meta.get("provider") != c.provider:
            return f"provider {meta.get('provider')}, not {c.provider}"
        if meta.get("spec") != str(c.spec_path.resolve()):
            return f"spec {meta.get('spec')}"
        if meta.get("recipients_sha256") != self.file.sha256:
            return "the recipients file has changed since it started"
        return "different campaign key"

    # -- running ---------------------------------------------------------------------------

    def run(self) -> Summary:
        settled = self.open()
        journal, results = self.journal, self.results
        assert journal is not None and results is not None
        abandoned: list[dict[str, Any]] = []
        try:
            try:
                asyncio.run(self._main())
            except asyncio.CancelledError:  # a second Ctrl-C abandoned the messages in flight
                self.stopping = self.aborted = True
            finally:
                self.progress.clear()
                abandoned = self._settle_abandoned()
            with contextlib.suppress(MsgcError):
                results.close()
            if self.c.resend_unknown or self.c.retry_failed:
                # The rows to send again were left out of the rebuilt results; those this run
                # did not reach go back in, so every row keeps exactly one line.
                rebuild(self.c.results, journal.records(), self.redact)
            totals = journal.counts()
            summary = Summary(
                totals=totals, session=dict(self.session), rows=self.rows,
                seconds=time.monotonic() - self.started, stopped=self.stopping,
                duplicates=self.duplicates, unknown=journal.rows_in("unknown", SHOWN),
                unknown_count=totals.get("unknown", 0), settled=settled,
                results=self.c.results, abandoned=abandoned, withdrawn=self.withdrawn,
                error=self.fatal)
        except sqlite3.Error as exc:
            raise _journal_error(exc, journal.path) from None
        finally:
            with contextlib.suppress(MsgcError):
                results.close()
            journal.close()
            self.lock.release()
        return summary

    def _settle_abandoned(self) -> list[dict[str, Any]]:
        """After an abort: rows whose request was out become ``unknown`` (journal and
        results); rows that were only waiting go back to pending."""
        journal, results = self.journal, self.results
        assert journal is not None and results is not None
        if not self._begun:
            return []
        try:
            unknown = []
            for job in self._begun.values():
                if job.flight.attempting:
                    journal.finish(job.row, job.phone, "unknown", code=INTERRUPTED,
                                   error=ABORTED, attempts=1)
                    unknown.append(job.row)
                else:
                    journal.forget(job.row)
            journal.commit()
            self._begun.clear()
            records = [journal.record_of(row) for row in sorted(unknown)]
            for rec in records:
                results.write(rec)
            return records
        except (sqlite3.Error, MsgcError) as exc:
            self._fail(_journal_error(exc, journal.path))
            return []

    def _fail(self, exc: MsgcError) -> None:
        """Stop the campaign for ``exc``: no new row starts; requests in flight finish."""
        if self.fatal is None:
            self.fatal = exc
        if self._stop is not None:
            self._stop.set()

    @property
    def halted(self) -> bool:
        return self.stopping or self.fatal is not None

    async def _main(self) -> None:
        c = self.c
        loop = asyncio.get_running_loop()
        main = asyncio.current_task()
        assert main is not None and self.journal is not None and self.results is not None
        self._stop = asyncio.Event()
        self._signals(loop, main)
        commits = GroupCommit(self.journal, self.results)
        queue: asyncio.Queue[_Job | None] = asyncio.Queue(maxsize=c.concurrency * 2)
        limiter = TokenBucket(c.rate) if c.rate else None
        sender = Sender(self.provider, c.credentials, c.base_url, concurrency=c.concurrency,
                        timeout=c.timeout, policy=c.policy, limiter=limiter,
                        log=self.log if c.verbose else None, redact=self.redact)
        ticker = loop.create_task(self._tick())
        workers = [loop.create_task(self._worker(queue, sender, commits))
                   for _ in range(c.concurrency)]
        try:
            await self._produce(queue, commits)
            for _ in workers:
                await queue.put(None)
            await asyncio.gather(*workers)
        except asyncio.CancelledError:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await sender.aclose()
            try:
                commits.flush()
                commits.check()
            except MsgcError as exc:
                self._fail(exc)
            self._unsignal(loop)

    def _signals(self, loop: asyncio.AbstractEventLoop, main: asyncio.Task[None]) -> None:
        def stop() -> None:
            if self.stopping:
                self.echo("msgc: aborting; the messages in flight become `unknown`")
                main.cancel()
                return
            self.stopping = True
            if self._stop is not None:
                self._stop.set()
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
            try:
                self.results.sync()
            except MsgcError as exc:
                self._fail(exc)

    async def _produce(self, queue: asyncio.Queue[_Job | None], commits: GroupCommit) -> None:
        try:
            await self._read(queue, commits)
        except MsgcError as exc:  # a file problem found while reading, or the journal failed
            self._fail(exc)
        except sqlite3.Error as exc:
            assert self.journal is not None
            self._fail(_journal_error(exc, self.journal.path))
        with contextlib.suppress(MsgcError):
            await commits.wait()

    async def _read(self, queue: asyncio.Queue[_Job | None], commits: GroupCommit) -> None:
        c = self.c
        journal = self.journal
        assert journal is not None
        states: dict[int, tuple[str, str | None]] = {}
        window_end = 0
        for rec in self.file:
            if self.halted:
                break
            commits.check()
            self.rows = rec.row
            if c.resume:
                if rec.row > window_end:
                    window_end = rec.row + _WINDOW - 1
                    states = journal.states(rec.row, window_end)
                prior = states.get(rec.row)
                if prior is not None and not self._resent(*prior):
                    continue
            body, diag = self.render(rec)
            locale = rec.locale or c.locale
            if body is None:
                assert diag is not None
                self.report(diag)
                self.session["invalid"] += 1
                commits.stage(record(rec.row, rec.phone or rec.raw_phone or None, "invalid",
                                     code=diag.rule, error=diag.message.split(": ", 1)[-1]),
                              locale=locale)
                if self.session["invalid"] % 64 == 0:
                    await asyncio.sleep(0)
                continue
            assert rec.phone is not None
            why = c.skip(rec.phone) if c.skip is not None else None
            if why is not None:  # before the dedupe check: a skipped row was not sent
                self.session["skipped"] += 1
                commits.stage(record(rec.row, rec.phone, "skipped", code=SESSION_CLOSED,
                                     error=why), locale=locale)
                continue
            # Only rows that are sent count as seen: an invalid row never hides a later one.
            first = journal.first_row_of(rec.phone, rec.row)
            if first is not None and self._repeat(rec, first, commits, locale):
                continue
            await queue.put(_Job(rec.row, rec.phone, body, locale))

    def _repeat(self, rec: Recipient, first: int, commits: GroupCommit,
                locale: str | None = None) -> bool:
        """Handle a phone sent by an earlier row; True when the row is skipped."""
        self.duplicates += 1
        if self.duplicates <= SHOWN:
            what = "skipped (--dedupe)" if self.c.dedupe else "sent again; --dedupe skips repeats"
            self.echo(f"{self.file.name}:{rec.line}: warning: row {rec.row}: phone {rec.phone} "
                      f"is also on row {first}: {what} [recipients-duplicate-phone]")
        if not self.c.dedupe:
            return False
        self.session["skipped"] += 1
        commits.stage(record(rec.row, rec.phone, "skipped", code="duplicate",
                             error=f"the phone number is also on row {first}"), locale=locale)
        return True

    async def _worker(self, queue: asyncio.Queue[_Job | None], sender: Sender,
                      commits: GroupCommit) -> None:
        journal = self.journal
        assert journal is not None and self._stop is not None
        while True:
            job = await queue.get()
            if job is None:
                return
            if self.halted:
                continue  # never begun: --resume sends it
            try:
                journal.begin(job.row, job.phone, job.locale)
                self._begun[job.row] = job
                await commits.wait()  # durable before the request leaves
            except (MsgcError, sqlite3.Error) as exc:
                self._fail(_journal_error(exc, journal.path))
                continue  # not sent: the journal could not promise to remember it
            result = await sender.send(job.body, f"row {job.row}", flight=job.flight,
                                       stop=self._stop)
            answer = result.outcome
            try:
                if answer.disposition is Disposition.RETRY:  # stopped between retries
                    journal.forget(job.row)
                    self.withdrawn += 1
                    del self._begun[job.row]
                    await commits.wait()
                    continue
                state = _STATE[answer.disposition]
                self.session[state] += 1
                sent = state == "sent"
                commits.stage(record(job.row, job.phone, state, answer.message_id,
                                     None if sent else answer.code,
                                     None if sent else answer.message, result.attempts),
                              answer.rule, job.locale)
                del self._begun[job.row]
                await commits.wait()
            except (MsgcError, sqlite3.Error) as exc:
                self._fail(_journal_error(exc, journal.path))


class GroupCommit:
    """Batches journal writes: one commit per turn of the event loop.

    :meth:`stage` records a final state in the journal (uncommitted) and keeps its result
    line; :meth:`wait` returns once a commit covers everything staged so far, so a single
    fsync makes every row begun in the same turn durable. Result lines are written only
    after the commit that made their row's state durable. A failed commit is handed to
    every waiter as a :class:`MsgcError` and kept for :meth:`check`.
    """

    def __init__(self, journal: Journal, results: ResultsFile) -> None:
        self.journal = journal
        self.results = results
        self._records: list[dict[str, Any]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._scheduled = False
        self.error: MsgcError | None = None

    def stage(self, rec: dict[str, Any], case: str | None = None,
              locale: str | None = None) -> None:
        self.journal.finish(rec["row"], rec["phone"], rec["status"], rec["message_id"],
                            rec["code"], rec["error"], rec["attempts"], case, locale)
        self._records.append(rec)
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    async def wait(self) -> None:
        self.check()
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
            if self.error is not None:
                raise self.error
            try:
                self.journal.commit()
            except sqlite3.Error as exc:
                raise _journal_error(exc, self.journal.path) from None
            for rec in records:
                self.results.write(rec)
        except MsgcError as exc:  # handed to every waiter, then re-raised by check()
            self.error = exc
            for future in waiters:
                if not future.done():
                    future.set_exception(exc)
            return
        for future in waiters:
            if not future.done():
                future.set_result(None)
