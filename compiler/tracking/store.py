"""The events database: every callback event the webhook took, each stored once, durably.

Durability: SQLite in WAL mode with ``synchronous=FULL``. A commit returns once the
``-wal`` file is fsynced, and the webhook answers 200 only after the commit that holds the
callback's events: whatever got a 200 survives a crash, ``kill -9`` or a power cut (on a
disk that honours fsync). The webhook writes through :class:`EventWriter`, one thread that
puts every callback waiting into one transaction (group commit: one fsync per group, so
throughput grows with load while each callback waits for at most one commit in progress
and its own).

Tables (schema version in ``meta``):

* ``events``: one line per event, unique by ``(provider, key)`` — the provider's identity of
  the event — so a callback pushed again is stored once (its ``duplicates`` count grows);
  ``received_at`` is the webhook's clock, ``event_time`` the provider's when it says;
  ``body`` is the event's JSON as received;
* ``rejected``: callbacks answered 4xx (why, and the first 4 KiB of the body) for forensics;
* ``campaigns``: campaigns known to this database (``msgc send --events``, ``msgc report``),
  by the path of their results file; their journals are read, never written;
* ``links``: event -> campaign, row, recipient and locale, for events whose message id a
  campaign's journal records (made by :mod:`.matching`; ``via`` says how: ``id`` for a
  status event, ``context`` for a reply naming the message it answers). An event without
  a link is an *orphan*: kept, and linked later should its campaign become known or its
  send answer be recorded later.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..diagnostics import Diagnostic, MsgcError
from ..tracking.callbacks import CallbackEvent

SCHEMA_VERSION = 1
#: Environment variable naming the events database (``--db`` / ``--events``).
EVENTS_DB_ENV = "MSGC_EVENTS_DB"
#: When an event happened, as SQL over ``events``: the provider's time when the callback
#: gives it, never later than its arrival; a time in whole seconds (the usual resolution)
#: stands for the end of that second; else the webhook's clock on arrival.
EVENT_AT = ("(CASE WHEN event_time IS NULL THEN received_at "
            "WHEN event_time = CAST(event_time AS INTEGER) "
            "THEN min(received_at, event_time + 1) ELSE min(received_at, event_time) END)")


def event_at(prefix: str) -> str:
    """:data:`EVENT_AT` over a table alias (``e.``)."""
    return EVENT_AT.replace("event_time", f"{prefix}event_time").replace(
        "received_at", f"{prefix}received_at")


#: How much of a rejected body is kept.
REJECTED_KEEP = 4096
BUSY_TIMEOUT_MS = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    message_id TEXT,
    status TEXT,
    code TEXT,
    reason TEXT,
    phone TEXT,
    account TEXT,
    event_time REAL,
    received_at REAL NOT NULL,
    reply_id TEXT,
    reply_title TEXT,
    text TEXT,
    inbound_type TEXT,
    body TEXT NOT NULL,
    duplicates INTEGER NOT NULL DEFAULT 0,
    UNIQUE (provider, key)
);
CREATE INDEX IF NOT EXISTS events_message ON events (provider, message_id);
CREATE INDEX IF NOT EXISTS events_phone ON events (provider, phone, kind);
CREATE TABLE IF NOT EXISTS rejected (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    received_at REAL NOT NULL,
    status INTEGER NOT NULL,
    reason TEXT NOT NULL,
    body BLOB
);
CREATE TABLE IF NOT EXISTS campaigns (
    id INTEGER PRIMARY KEY,
    results TEXT NOT NULL UNIQUE,
    journal TEXT NOT NULL,
    provider TEXT NOT NULL,
    name TEXT NOT NULL,
    registered REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS links (
    event_id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL,
    row INTEGER NOT NULL,
    phone TEXT,
    locale TEXT,
    via TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS links_campaign ON links (campaign_id, row);
"""


class StoreError(MsgcError):
    """The events database cannot be used (missing, damaged, from a newer msgc, or a
    write failed)."""


def _error(path: Path, message: str, hint: str | None = None) -> StoreError:
    return StoreError([Diagnostic("events-db", message, file=str(path), hint=hint)])


def file_uri(path: Path, mode: str) -> str:
    """An SQLite URI for ``path`` opened in ``mode`` (``ro``, ``rw``, ``rwc``)."""
    return f"file:{quote(str(path.absolute()))}?mode={mode}"


def connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """A connection to the events database at ``path`` in WAL mode with
    ``synchronous=FULL``, its schema created (``create``) or checked."""
    if not create and not path.exists():
        raise _error(path, "there is no events database here",
                     hint="run `msgc webhook --db` with this path first (or check the path)")
    try:
        conn = sqlite3.connect(file_uri(path, "rwc" if create else "rw"), uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise _error(path, f"cannot open the events database: {exc}") from None
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise _error(path, f"the events database cannot use WAL mode (got {mode})",
                         hint="put it on a local file system")
        conn.execute("PRAGMA synchronous=FULL")
        _schema(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _error(path, f"the events database is damaged or not one: {exc}",
                     hint="restore it from a backup, or start a new one elsewhere") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _schema(conn: sqlite3.Connection, path: Path) -> None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "meta" in tables:
        found = dict(conn.execute("SELECT key, value FROM meta")).get("schema")
        if found is None or not found.isdigit():
            raise _error(path, "this SQLite file is not an msgc events database")
        if int(found) > SCHEMA_VERSION:
            raise _error(path, f"this events database was written by a newer msgc (schema "
                         f"{found}; this msgc reads up to {SCHEMA_VERSION})",
                         hint="use the newer msgc")
        return
    if tables:
        raise _error(path, "this SQLite file is not an msgc events database")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in filter(str.strip, _SCHEMA.split(";")):
            conn.execute(statement)
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


# -- the webhook's writer ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Stored:
    """What one callback's write did: events new to the database, and duplicates."""

    new: int
    duplicates: int


class _Item:
    __slots__ = ("body", "events", "future", "loop", "provider", "reason", "received", "status")

    def __init__(self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[Stored],
                 provider: str, received: float, events: Sequence[CallbackEvent] | None,
                 status: int = 0, reason: str = "", body: bytes = b"") -> None:
        self.loop, self.future, self.provider, self.received = loop, future, provider, received
        self.events, self.status, self.reason, self.body = events, status, reason, body


def _settle(pairs: list[tuple[asyncio.Future[Stored], Stored | BaseException]]) -> None:
    for future, result in pairs:
        if future.done():
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)


class EventWriter:
    """The one writer of a webhook process: a thread that commits every callback waiting
    in one transaction and then answers each caller (group commit).

    :meth:`store` returns only after the commit holding the events returned (fsynced), or
    raises :class:`StoreError`; the caller answers the provider 200 only then."""

    def __init__(self, path: Path, *, max_batch: int = 4096) -> None:
        self.path = path
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self.stats: Counter[str] = Counter()
        self.last_error: str | None = None
        self.last_commit_ms = 0.0

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Open (or create) the database and start the thread; raises :class:`StoreError`."""
        self._conn = connect(self.path, create=True)
        self._thread = threading.Thread(target=self._run, name="msgc-events-writer",
                                        daemon=True)
        self._thread.start()

    async def store(self, provider: str, events: Sequence[CallbackEvent], received: float
                    ) -> Stored:
        return await self._submit(provider, received, events)

    async def reject(self, provider: str, status: int, reason: str, body: bytes,
                     received: float) -> None:
        """Keep a rejected callback (why, and the start of its body)."""
        await self._submit(provider, received, None, status, reason, body[:REJECTED_KEEP])

    async def _submit(self, provider: str, received: float,
                      events: Sequence[CallbackEvent] | None, status: int = 0,
                      reason: str = "", body: bytes = b"") -> Stored:
        if self._closed or not self.alive:
            raise _error(self.path, "the events writer is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Stored] = loop.create_future()
        self._queue.put(_Item(loop, future, provider, received, events, status, reason, body))
        return await future

    def close(self, timeout: float = 30.0) -> None:
        """Finish every write queued so far, then stop and close the database."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
        if self._conn is not None and (self._thread is None or not self._thread.is_alive()):
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            self._conn.close()
            self._conn = None

    # -- the thread ----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            work = [item for item in batch if item is not None]
            if work:
                self._write(work)
            if len(work) != len(batch):
                # Closing: answer whatever raced in after the stop request.
                while True:
                    try:
                        late = self._queue.get_nowait()
                    except queue.Empty:
                        return
                    if late is not None:
                        self._write([late])

    def _write(self, work: list[_Item]) -> None:
        conn = self._conn
        assert conn is not None
        started = time.perf_counter()
        outcomes: list[Stored | BaseException] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for item in work:
                    outcomes.append(self._apply(conn, item))
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        except Exception as exc:  # every caller gets an answer, whatever went wrong
            self.last_error = f"{type(exc).__name__}: {exc}"
            self.stats["write_errors"] += 1
            failure = _error(self.path, f"cannot write the events database: {exc}")
            outcomes = [failure] * len(work)
        else:
            self.last_error = None
            self.stats["commits"] += 1
            for outcome in outcomes:
                if isinstance(outcome, Stored):
                    self.stats["stored"] += outcome.new
                    self.stats["duplicates"] += outcome.duplicates
        self.last_commit_ms = (time.perf_counter() - started) * 1000
        by_loop: dict[asyncio.AbstractEventLoop,
                      list[tuple[asyncio.Future[Stored], Stored | BaseException]]] = {}
        for item, outcome in zip(work, outcomes, strict=True):
            by_loop.setdefault(item.loop, []).append((item.future, outcome))
        for loop, pairs in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                loop.call_soon_threadsafe(_settle, pairs)

    def _apply(self, conn: sqlite3.Connection, item: _Item) -> Stored:
        if item.events is None:
            conn.execute("INSERT INTO rejected (provider, received_at, status, reason, body) "
                         "VALUES (?, ?, ?, ?, ?)",
                         (item.provider, item.received, item.status, item.reason, item.body))
            self.stats["rejected"] += 1
            return Stored(0, 0)
        new = duplicates = 0
        for ev in item.events:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO events (provider, key, kind, message_id, status, code, "
                "reason, phone, account, event_time, received_at, reply_id, reply_title, text, "
                "inbound_type, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (item.provider, ev.key, ev.kind, ev.message_id, ev.status, ev.code, ev.reason,
                 ev.phone, ev.account, ev.event_time, item.received, ev.reply_id,
                 ev.reply_title, ev.text, ev.inbound_type, ev.body))
            if cursor.rowcount == 1:
                new += 1
            else:
                duplicates += 1
                conn.execute("UPDATE events SET duplicates = duplicates + 1 "
                             "WHERE provider = ? AND key = ?", (item.provider, ev.key))
        return Stored(new, duplicates)


# -- readers: msgc report, msgc send ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CampaignRef:
    """A campaign known to an events database."""

    id: int
    name: str
    results: Path
    journal: Path
    provider: str


class EventsDB:
    """An events database opened by ``msgc report`` or ``msgc send`` (short transactions,
    so the webhook's writer waits at most for one of them)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> EventsDB:
        return cls(path, connect(path, create=create))

    @classmethod
    def scratch(cls) -> EventsDB:
        """An empty in-memory connection, to read journals when there is no events
        database."""
        return cls(Path(":memory:"), sqlite3.connect("file::memory:", uri=True,
                                                     isolation_level=None))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> EventsDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def register(self, results: Path, journal: Path, provider: str) -> CampaignRef:
        """Make a campaign known (idempotent); its name is the results file's name."""
        resolved = str(results.resolve())
        try:
            self.conn.execute(
                "INSERT OR IGNORE INTO campaigns (results, journal, provider, name, registered) "
                "VALUES (?, ?, ?, ?, ?)", (resolved, str(journal.resolve()), provider,
                                           results.name, time.time()))
        except sqlite3.Error as exc:
            raise _error(self.path, f"cannot record the campaign: {exc}") from None
        found = self.conn.execute("SELECT id, name, results, journal, provider FROM campaigns "
                                  "WHERE results = ?", (resolved,)).fetchone()
        return _ref(found)

    def campaigns(self) -> list[CampaignRef]:
        return [_ref(r) for r in self.conn.execute(
            "SELECT id, name, results, journal, provider FROM campaigns ORDER BY id")]

    def last_inbound(self, provider: str, phone: str, account: str | None) -> float | None:
        """When ``phone`` last wrote (through ``provider``, to ``account`` when the event
        names one), by the provider's clock when it says, else the webhook's."""
        found = self.conn.execute(
            f"SELECT max({EVENT_AT}) FROM events WHERE provider = ? "
            "AND phone = ? AND kind = 'inbound' AND (account IS NULL OR ? IS NULL "
            "OR account = ?)", (provider, phone, account, account)).fetchone()
        return None if found is None or found[0] is None else float(found[0])


def _ref(row: tuple[int, str, str, str, str]) -> CampaignRef:
    return CampaignRef(int(row[0]), row[1], Path(row[2]), Path(row[3]), row[4])


def default_events_path() -> Path | None:
    """The events database named by ``MSGC_EVENTS_DB``, if any."""
    value = os.environ.get(EVENTS_DB_ENV, "").strip()
    return Path(value) if value else None
