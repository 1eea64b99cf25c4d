"""Linking callback events to campaign rows, through the provider ids the journals record.

Every campaign's journal (``out.jsonl.journal.sqlite3``) records, for each row sent, the
provider's id of the message. An event names that id (a delivery receipt its message; a
reply, when the callback says, the message answered), so:

* **exact links** (stored in ``links``): a status event, or a reply naming the message it
  answers, whose id a known campaign's journal records. Linking runs each time a report is
  made, over every event not linked yet, so an event that arrived before its send answer
  was recorded (or before its campaign was known) is linked later; nothing is dropped;
* **phone attribution** (computed for each report, never stored: it is a guess): an
  inbound message that names no message answered counts for the campaign row that last
  sent that phone a message, within :data:`REPLY_WINDOW` before it;
* **orphans**: the rest, kept in the database and counted in reports.

Journals are attached read-only (``mode=ro``) in short statements, chunk by chunk, so a
running ``msgc send`` waits at most for one chunk to commit its own writes, and never for
its campaign lock.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, MsgcError
from .store import CampaignRef, EventsDB, event_at, file_uri

#: A reply that names no message counts for the last message sent to its phone within
#: this many seconds before it.
REPLY_WINDOW = 24 * 3600.0
#: Events examined per linking statement (one short transaction each).
CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class JournalInfo:
    """What a report needs to know about a journal's schema."""

    schema: int
    has_locale: bool
    meta: dict[str, str]


def _journal_error(campaign: CampaignRef, what: str) -> MsgcError:
    return MsgcError([Diagnostic(
        "journal-unreadable", f"cannot read the campaign's journal: {what}",
        file=str(campaign.journal),
        hint="the journal is written by `msgc send --recipients` next to its results file; "
             "after a crash, run that send again with --resume first")])


@contextlib.contextmanager
def attached(db: EventsDB, campaign: CampaignRef) -> Iterator[JournalInfo]:
    """The campaign's journal attached read-only as ``j`` for the duration."""
    if not campaign.journal.exists():
        raise _journal_error(campaign, "there is no journal at this path")
    conn = db.conn
    try:
        conn.execute("ATTACH DATABASE ? AS j", (file_uri(campaign.journal, "ro"),))
    except sqlite3.Error as exc:
        raise _journal_error(campaign, str(exc)) from None
    try:
        try:
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM j.sqlite_master WHERE type = 'table'")}
            if not {"meta", "rows"} <= tables:
                raise _journal_error(campaign, "it is not an msgc campaign journal")
            meta = dict(conn.execute("SELECT key, value FROM j.meta"))
            columns = {r[1] for r in conn.execute("PRAGMA j.table_info(rows)")}
        except sqlite3.Error as exc:
            raise _journal_error(campaign, str(exc)) from None
        schema = meta.get("schema", "")
        yield JournalInfo(int(schema) if schema.isdigit() else 0, "locale" in columns, meta)
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("DETACH DATABASE j")


def link(db: EventsDB, campaign: CampaignRef) -> int:
    """Link the campaign's events not linked yet; how many new links."""
    conn = db.conn
    top = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    made = 0
    with attached(db, campaign) as info:
        locale = "r.locale" if info.has_locale else "NULL"
        for low in range(0, int(top) + 1, CHUNK):
            try:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO links (event_id, campaign_id, row, phone, locale, "
                    f"via) SELECT e.id, ?, r.row, r.phone, {locale}, CASE e.kind "
                    "WHEN 'status' THEN 'id' ELSE 'context' END FROM events e JOIN j.rows r "
                    "ON r.message_id = e.message_id WHERE e.id > ? AND e.id <= ? "
                    "AND e.provider = ? AND e.message_id IS NOT NULL "
                    "AND NOT EXISTS (SELECT 1 FROM links l WHERE l.event_id = e.id)",
                    (campaign.id, low, low + CHUNK, campaign.provider))
            except sqlite3.Error as exc:
                raise _journal_error(campaign, str(exc)) from None
            made += max(cursor.rowcount, 0)
    return made


def attribute_by_phone(db: EventsDB, campaigns: list[CampaignRef]
                       ) -> dict[int, tuple[int, int]]:
    """Inbound events naming no message, without a link: event id -> (campaign id, row)
    of the last message sent to that phone within :data:`REPLY_WINDOW` before it, over
    every known campaign of the same provider."""
    best: dict[int, tuple[float, int, int]] = {}
    conn = db.conn
    at = event_at("e.")
    for campaign in campaigns:
        with attached(db, campaign):
            try:
                found = conn.execute(
                    "SELECT e.id, r.row, r.updated FROM events e JOIN j.rows r "
                    "ON r.phone = e.phone WHERE e.provider = ? AND e.kind = 'inbound' "
                    "AND e.message_id IS NULL AND r.state = 'sent' "
                    f"AND r.updated <= {at} AND r.updated >= {at} - ? "
                    "AND NOT EXISTS (SELECT 1 FROM links l WHERE l.event_id = e.id)",
                    (campaign.provider, REPLY_WINDOW)).fetchall()
            except sqlite3.Error as exc:
                raise _journal_error(campaign, str(exc)) from None
        for event_id, row, sent in found:
            current = best.get(event_id)
            if current is None or sent > current[0]:
                best[event_id] = (float(sent), campaign.id, int(row))
    return {event: (cid, row) for event, (_, cid, row) in best.items()}


def orphans(db: EventsDB, attributed: dict[int, tuple[int, int]]) -> dict[str, int]:
    """Events tied to no campaign row, counted by ``provider/kind``."""
    counts: dict[str, int] = {}
    for provider, kind, event_id in db.conn.execute(
            "SELECT e.provider, e.kind, e.id FROM events e WHERE NOT EXISTS "
            "(SELECT 1 FROM links l WHERE l.event_id = e.id)"):
        if event_id in attributed:
            continue
        key = f"{provider}/{kind}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def campaign_of(results: Path, journal: Path) -> CampaignRef:
    """A campaign not registered in an events database (id 0), from its journal."""
    ref = CampaignRef(0, results.name, results, journal, "")
    scratch = EventsDB.scratch()
    try:
        with attached(scratch, ref) as info:
            provider = info.meta.get("provider", "")
    finally:
        scratch.close()
    return CampaignRef(0, results.name, results, journal, provider)
