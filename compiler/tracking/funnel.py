"""A campaign's report: what happened to every row, from its journal and the events.

Each row of a campaign counts once in exactly one send state (its journal state), and a
row that was sent counts in the delivery columns its status events prove, whatever order
they arrived in:

=============  ==============================================================================
column         rows that ...
=============  ==============================================================================
rows           the campaign processed (every journal row)
invalid        could not be rendered or had a bad phone: never sent
skipped        were skipped (a repeated phone with ``--dedupe``; a closed session window)
send_failed    the provider refused (or the retries ran out on refusals): not sent
unknown        may or may not have been accepted (no answer came back)
in_flight      are being sent now (a running campaign)
sent           the provider accepted (it returned a message id)
delivered      were sent and reported delivered, or read (reading implies delivery)
read           were sent and reported read (or seen)
failed         were sent, reported failed, and never delivered
expired        were sent, reported expired, and never delivered or failed
deleted        were sent and reported deleted (counted whatever else happened)
awaiting       were sent and have no delivered, read, failed or expired report yet
=============  ==============================================================================

Times: from the send's answer (journal) to the first delivered-or-read event and to the
first read event (:data:`.store.EVENT_AT`: the provider's time where the callback gives
one, never later than its arrival; else the webhook's clock), never below zero; median and
90th percentile by nearest rank.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import providers
from ..providers.base import Provider
from ..sending.outcome import rule
from .matching import JournalInfo, attached, attribute_by_phone, link, orphans
from .store import CampaignRef, EventsDB, event_at

SEND_STATES = ("invalid", "skipped", "send_failed", "unknown", "in_flight", "sent")
DELIVERY = ("delivered", "read", "failed", "expired", "deleted", "awaiting")
COLUMNS = ("rows", *SEND_STATES, *DELIVERY)
_JOURNAL_STATE = {"failed": "send_failed"}
#: How many reply kinds a report lists before summing the rest.
TOP_REPLIES = 30
TIMELINE_POINTS = 24


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds from send to an event: how many rows, median and 90th percentile."""

    count: int
    median: float | None
    p90: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "median_s": self.median, "p90_s": self.p90}


def nearest_rank(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = max(0, math.ceil(q * len(sorted_values)) - 1)
    return sorted_values[index]


def timing(values: list[float]) -> Timing:
    ordered = sorted(values)
    return Timing(len(ordered), nearest_rank(ordered, 0.5), nearest_rank(ordered, 0.9))


@dataclass(slots=True)
class Failure:
    stage: str            # "send" or "delivery"
    code: str | None
    meaning: str
    count: int


@dataclass(slots=True)
class Reply:
    id: str | None
    title: str | None
    count: int            # replies received
    recipients: int       # rows that replied so


@dataclass(slots=True)
class CampaignReport:
    """Everything one campaign's report shows."""

    name: str
    results: Path
    provider: str
    label: str
    total: Counter[str]
    by_locale: dict[str | None, Counter[str]]
    failures: list[Failure]
    replies: list[Reply]
    times: dict[str, Timing]
    timeline: list[dict[str, float]]
    events: bool                       # whether delivery columns are known
    started: float | None = None       # first send answer (Unix time)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Report:
    generated: float
    events_db: Path | None
    campaigns: list[CampaignReport]
    orphans: dict[str, int]
    rejected: int = 0
    duplicates: int = 0


def _counter() -> Counter[str]:
    return Counter({c: 0 for c in COLUMNS})


def _send_meaning(provider: Provider, code: str | None, case: str | None,
                  error: str | None) -> str:
    if code and code in provider.response_codes:
        return provider.response_codes[code].meaning
    if case:
        with contextlib.suppress(KeyError):
            return rule(case).what.replace("`", "")
    return (error or "no reason recorded")[:200]


def build(db: EventsDB | None, campaigns: list[CampaignRef], now: float | None = None
          ) -> Report:
    """The report of ``campaigns`` (delivery columns only with an events database)."""
    known = db.campaigns() if db is not None else []
    attributed: dict[int, tuple[int, int]] = {}
    if db is not None:
        for campaign in known:
            if campaign.journal.exists():
                link(db, campaign)
        attributed = attribute_by_phone(db, [c for c in known if c.journal.exists()])
    reports = [_campaign(db, campaign, attributed) for campaign in campaigns]
    report = Report(time.time() if now is None else now, db.path if db is not None else None,
                    reports, orphans(db, attributed) if db is not None else {})
    if db is not None:
        report.rejected = int(db.conn.execute("SELECT count(*) FROM rejected").fetchone()[0])
        report.duplicates = int(db.conn.execute(
            "SELECT coalesce(sum(duplicates), 0) FROM events").fetchone()[0])
    return report


def _campaign(db: EventsDB | None, campaign: CampaignRef,
              attributed: dict[int, tuple[int, int]]) -> CampaignReport:
    try:
        provider = providers.get(campaign.provider)
        label = provider.label
    except KeyError:
        provider, label = None, campaign.provider
    events = db is not None
    owner = db if db is not None else EventsDB.scratch()
    try:
        with attached(owner, campaign) as info:
            rows = _rows(owner.conn, info, campaign.id if events else None)
            replies = _replies(owner.conn, campaign.id, attributed) if events else []
    finally:
        if db is None:
            owner.close()
    report = CampaignReport(campaign.name, campaign.results, campaign.provider, label,
                            _counter(), {}, [], replies, {}, [], events)
    if not info.has_locale:
        report.notes.append("the journal predates msgc's locale column: its rows have no "
                            "locale")
    _tally(report, rows, provider)
    return report


_ROWS = """
SELECT r.row, r.state, r.code, r.error, r.rule, {locale}, r.updated,
       a.delivered_at, a.read_at, a.failed, a.fail_code, a.fail_reason, a.expired,
       a.deleted
FROM j.rows r LEFT JOIN (
    SELECT l.row AS row,
        min(CASE WHEN e.status IN ('delivered', 'read') THEN {at} END) AS delivered_at,
        min(CASE WHEN e.status = 'read' THEN {at} END) AS read_at,
        max(e.status = 'failed') AS failed,
        max(CASE WHEN e.status IN ('failed', 'expired') THEN e.code END) AS fail_code,
        max(CASE WHEN e.status IN ('failed', 'expired') THEN e.reason END) AS fail_reason,
        max(e.status = 'expired') AS expired,
        max(e.status = 'deleted') AS deleted
    FROM links l JOIN events e ON e.id = l.event_id
    WHERE l.campaign_id = ? AND e.kind = 'status' GROUP BY l.row) a ON a.row = r.row
ORDER BY r.row
"""


def _rows(conn: sqlite3.Connection, info: JournalInfo, campaign_id: int | None
          ) -> list[tuple[Any, ...]]:
    locale = "r.locale" if info.has_locale else "NULL"
    if campaign_id is None:
        return [(*r, None, None, None, None, None, None, None) for r in conn.execute(
            f"SELECT r.row, r.state, r.code, r.error, r.rule, {locale}, r.updated "
            "FROM j.rows r ORDER BY r.row")]
    return conn.execute(_ROWS.format(locale=locale, at=event_at("e.")),
                        (campaign_id,)).fetchall()


def _replies(conn: sqlite3.Connection, campaign_id: int,
             attributed: dict[int, tuple[int, int]]) -> list[Reply]:
    found = conn.execute(
        "SELECT e.id, l.row, e.reply_id, e.reply_title FROM events e "
        "JOIN links l ON l.event_id = e.id WHERE l.campaign_id = ? AND e.kind = 'inbound'",
        (campaign_id,)).fetchall()
    guessed = [(event, row) for event, (cid, row) in attributed.items() if cid == campaign_id]
    if guessed:
        ids = {event for event, _ in guessed}
        rows = dict(guessed)
        for event, reply_id, title in conn.execute(
                "SELECT id, reply_id, reply_title FROM events WHERE kind = 'inbound' AND "
                f"id IN ({','.join('?' * len(ids))})", tuple(ids)):
            found.append((event, rows[event], reply_id, title))
    counts: Counter[tuple[str | None, str | None]] = Counter()
    who: dict[tuple[str | None, str | None], set[int]] = {}
    for _, row, reply_id, title in found:
        key = (reply_id, title)
        counts[key] += 1
        who.setdefault(key, set()).add(int(row))
    ordered = sorted(counts, key=lambda k: (-counts[k], str(k[0]), str(k[1])))
    replies = [Reply(k[0], k[1], counts[k], len(who[k])) for k in ordered[:TOP_REPLIES]]
    rest = ordered[TOP_REPLIES:]
    if rest:
        rows_rest = set().union(*(who[k] for k in rest))
        replies.append(Reply(None, f"({len(rest)} other replies)",
                             sum(counts[k] for k in rest), len(rows_rest)))
    return replies


def _tally(report: CampaignReport, rows: list[tuple[Any, ...]],
           provider: Provider | None) -> None:
    failures: Counter[tuple[str, str | None, str]] = Counter()
    delivered: list[float] = []
    read: list[float] = []
    points: list[tuple[float, str]] = []
    for (_, state, code, error, case, locale, updated, delivered_at, read_at, failed,
         fail_code, fail_reason, expired, deleted) in rows:
        counts = report.by_locale.get(locale)
        if counts is None:
            counts = report.by_locale[locale] = _counter()
        column = _JOURNAL_STATE.get(state, state)
        for target in (report.total, counts):
            target["rows"] += 1
            target[column] += 1
        if state == "failed":
            meaning = (_send_meaning(provider, code, case, error) if provider is not None
                       else error or "")
            failures[("send", code, meaning)] += 1
        if state != "sent" or not report.events:
            continue
        sent_at = float(updated)
        points.append((sent_at, "sent"))
        outcome = _delivery(delivered_at, read_at, failed, expired)
        marks = [outcome] if outcome != "read" else ["delivered", "read"]
        if deleted:
            marks.append("deleted")
        for target in (report.total, counts):
            for mark in marks:
                target[mark] += 1
        if delivered_at is not None:
            delivered.append(max(0.0, float(delivered_at) - sent_at))
            points.append((max(sent_at, float(delivered_at)), "delivered"))
        if read_at is not None:
            read.append(max(0.0, float(read_at) - sent_at))
            points.append((max(sent_at, float(read_at)), "read"))
        if outcome in ("failed", "expired"):
            failures[("delivery", fail_code, fail_reason or outcome)] += 1
    report.failures = [Failure(stage, code, meaning, n) for (stage, code, meaning), n in
                       sorted(failures.items(), key=lambda kv: (kv[0][0] != "send", -kv[1],
                                                                str(kv[0][1])))]
    if report.events:
        report.times = {"delivered": timing(delivered), "read": timing(read)}
        report.timeline = _timeline(points)
    sent = [t for t, what in points if what == "sent"]
    report.started = min(sent) if sent else None


def _delivery(delivered_at: Any, read_at: Any, failed: Any, expired: Any) -> str:
    if read_at is not None:
        return "read"
    if delivered_at is not None:
        return "delivered"
    if failed:
        return "failed"
    if expired:
        return "expired"
    return "awaiting"


def _timeline(points: list[tuple[float, str]]) -> list[dict[str, float]]:
    """Cumulative sent / delivered / read at evenly spaced moments from the first send."""
    if not points:
        return []
    points.sort()
    start, end = points[0][0], points[-1][0]
    span = max(end - start, 1e-9)
    steps = [start + span * i / (TIMELINE_POINTS - 1) for i in range(TIMELINE_POINTS)]
    out: list[dict[str, float]] = []
    totals: Counter[str] = Counter()
    index = 0
    for moment in steps:
        while index < len(points) and points[index][0] <= moment + 1e-9:
            totals[points[index][1]] += 1
            index += 1
        out.append({"at_s": round(moment - start, 3), "sent": totals["sent"],
                    "delivered": totals["delivered"], "read": totals["read"]})
    return out
