"""The campaign journal: a SQLite file next to the results file that makes resuming exact.

Each row moves ``pending`` (not in the journal yet) -> ``in_flight`` -> one final state:
``sent``, ``failed``, ``invalid``, ``unknown`` or ``skipped`` (a repeated phone under
``--dedupe``). ``in_flight`` is committed - durably, on disk - *before* the request is
sent and the final state *after* the answer, before the row's result line is written. So
after Ctrl-C, a crash, ``kill -9`` or a power cut:

* a row with a final state was answered: it is never sent again;
* a row still ``in_flight`` may or may not have reached the provider: it becomes
  ``unknown``, is listed, and is only sent again with ``--resend-unknown``;
* every other row was never sent: ``--resume`` sends it.

Durability: SQLite's rollback journal (``journal_mode=TRUNCATE``) with
``synchronous=FULL``: a commit is in the main database file, fsynced, when it returns.
There is no ``-wal`` file holding the only copy of recent commits, so deleting or damaging
a side file after a crash cannot silently undo a commit. Callers batch writes and commit
once per turn of the event loop (``bulk.GroupCommit``), so one fsync covers every row that
became in flight at the same time.

The journal is bound to one campaign by a key (spec path + provider + SHA-256 of the
recipients file), so ``--resume`` refuses a journal that belongs to other data. A new
journal is built under a temporary name and renamed into place complete, so a kill while
it is created leaves no half journal. A damaged journal is reported (exit 2), never
half-read.

Schema: ``meta`` (key/value: ``schema`` is the version), ``rows`` (one line per row that
left ``pending``; ``message_id`` is the provider's id for the message, ``rule`` the case of
the retry table its last answer fell under, ``locale`` the locale it was rendered in;
indexed by message id and phone, which is how ``msgc report`` finds the row a delivery
receipt or a reply is about), ``seen`` (the first row that sent each phone,
for ``--dedupe``). :data:`MIGRATIONS` upgrades an older journal in place when it is
opened; a newer one is refused. Add a column by bumping :data:`SCHEMA_VERSION` and adding
a migration. Every text written passes through the campaign's redactor: no secret is ever
stored.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, MsgcError

SCHEMA_VERSION = 3
FINAL = frozenset({"sent", "failed", "invalid", "unknown", "skipped"})
STATES = FINAL | {"in_flight"}
#: States that mean a request left (or may have left) for the row.
SENDING = frozenset({"in_flight", "sent", "failed", "unknown"})
INTERRUPTED = "interrupted"
_COLUMNS = "row, phone, state, message_id, code, error, attempts, rule"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE rows (
    row INTEGER PRIMARY KEY,
    phone TEXT,
    state TEXT NOT NULL,
    message_id TEXT,
    code TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL,
    rule TEXT,
    locale TEXT
);
CREATE TABLE seen (phone TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX rows_message_id ON rows (message_id);
CREATE INDEX rows_phone ON rows (phone);
"""


def _migrate_1(db: sqlite3.Connection) -> None:
    """1 -> 2: the retry table's case per row; 502/504 no longer prove nothing was
    accepted; only rows that were sent count for ``--dedupe``."""
    db.execute("ALTER TABLE rows ADD COLUMN rule TEXT")
    # Version 1 retried 502/504 and called the row failed when the retries ran out: the
    # provider may have accepted it, so it is unknown now (never re-sent automatically).
    db.execute("UPDATE rows SET state = 'unknown', rule = code WHERE state = 'failed' "
               "AND code IN ('HTTP 502', 'HTTP 504')")
    db.execute("UPDATE rows SET rule = code WHERE state = 'failed' AND code IN "
               "('connect', 'HTTP 408', 'HTTP 429', 'HTTP 503') AND error LIKE 'gave up%'")
    db.execute("UPDATE rows SET rule = 'provider-retry' WHERE state = 'failed' AND "
               "code = '-18' AND error LIKE 'gave up%'")
    db.execute("DELETE FROM seen")
    db.execute("INSERT INTO seen SELECT phone, min(row) FROM rows WHERE phone IS NOT NULL "
               "AND state IN ('in_flight', 'sent', 'failed', 'unknown') GROUP BY phone")


def _migrate_2(db: sqlite3.Connection) -> None:
    """2 -> 3: the locale of each row (unknown for rows sent before: NULL), and the indexes
    that match delivery receipts and replies to rows."""
    db.execute("ALTER TABLE rows ADD COLUMN locale TEXT")
    db.execute("CREATE INDEX rows_message_id ON rows (message_id)")
    db.execute("CREATE INDEX rows_phone ON rows (phone)")


#: version -> the migration that brings a journal of that version to the next one.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1, 2: _migrate_2}


def journal_path(results: Path) -> Path:
    """Where the journal of a results file lives."""
    return results.with_name(results.name + ".journal.sqlite3")


def side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm")]


def _remove_empty_side_files(path: Path) -> None:
    """Remove the empty rollback journal SQLite leaves beside ``path`` in TRUNCATE mode once
    the connection is closed. An empty one holds nothing (it is not "hot"); a non-empty one
    may be needed to roll back an interrupted commit and is always kept."""
    for side in side_files(path):
        with contextlib.suppress(OSError):
            if side.stat().st_size == 0:
                side.unlink()


class JournalError(MsgcError):
    """The journal cannot be used: damaged, from a newer msgc, or unwritable.
    ``never_sent``: it is not a complete journal, but provably recorded no send (a run
    was stopped while creating it), so the campaign can start afresh."""

    never_sent = False


def _damaged(path: Path, what: str, *, never_sent: bool = False) -> JournalError:
    error = JournalError([Diagnostic(
        "journal-damaged", f"the journal is damaged ({what}); it cannot tell which rows "
        "were sent, so nothing was sent", file=str(path),
        hint="restore the journal (and any -journal/-wal file next to it) from a backup; "
             "or remove the rows the results file lists from the recipients file and "
             "send the rest as a new campaign (another --results file)")])
    error.never_sent = never_sent
    return error


class Journal:
    """One campaign's journal file."""

    def __init__(self, path: Path, conn: sqlite3.Connection,
                 redact: Callable[[str], str]) -> None:
        self.path = path
        self._db = conn
        self._redact = redact

    # -- opening ---------------------------------------------------------------------------

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=5.0, isolation_level="DEFERRED")
        try:
            conn.execute("PRAGMA journal_mode=TRUNCATE")
            conn.execute("PRAGMA synchronous=FULL")
        except BaseException:
            conn.close()
            raise
        return conn

    @classmethod
    def create(cls, path: Path, meta: dict[str, str], redact: Callable[[str], str]
               ) -> Journal:
        """A new journal for a campaign, built aside and renamed into place complete."""
        tmp = path.with_name(path.name + ".new")
        for stale in (tmp, *side_files(tmp)):
            stale.unlink(missing_ok=True)
        try:
            conn = cls._connect(tmp)
            try:
                conn.executescript(_SCHEMA)
                conn.executemany("INSERT INTO meta VALUES (?, ?)",
                                 [("schema", str(SCHEMA_VERSION)), *meta.items()])
                conn.commit()
            finally:
                conn.close()
            _remove_empty_side_files(tmp)
            for side in side_files(path):
                side.unlink(missing_ok=True)  # of a journal that is being replaced
            os.replace(tmp, path)
            _fsync_dir(path.parent)
        except (OSError, sqlite3.Error) as exc:
            raise JournalError([Diagnostic("io-error", f"cannot create the journal: {exc}",
                                           file=str(path))]) from None
        return cls.open(path, redact)

    @classmethod
    def open(cls, path: Path, redact: Callable[[str], str], *, check: bool = False
             ) -> Journal:
        """Open (and migrate) a journal; ``check`` runs SQLite's integrity check first."""
        try:
            conn = cls._connect(path)
        except sqlite3.DatabaseError as exc:
            raise _damaged(path, str(exc)) from None
        journal = cls(path, conn, redact)
        try:
            if check:
                found = [r[0] for r in conn.execute("PRAGMA quick_check")]
                if found != ["ok"]:
                    raise _damaged(path, "; ".join(map(str, found[:3])))
            version = journal.version()
            if version is None:
                raise _damaged(path, "it has no msgc schema", never_sent=journal._no_sends())
            if version > SCHEMA_VERSION:
                raise JournalError([Diagnostic(
                    "journal-conflict", f"this journal was written by a newer msgc (schema "
                    f"{version}; this msgc reads up to {SCHEMA_VERSION})", file=str(path),
                    hint="resume it with the newer msgc")])
            journal._migrate(version)
        except sqlite3.DatabaseError as exc:
            journal.close()
            raise _damaged(path, str(exc)) from None
        except BaseException:
            journal.close()
            raise
        return journal

    def version(self) -> int | None:
        """The schema version, or None when the file holds no msgc journal at all."""
        tables = {r[0] for r in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"meta", "rows", "seen"} <= tables:
            return None
        value = self.meta().get("schema")
        return int(value) if value and value.isdigit() else None

    def _no_sends(self) -> bool:
        """Whether an incomplete journal provably recorded no send."""
        try:
            found = self._db.execute("SELECT count(*) FROM rows WHERE state IN "
                                     "('in_flight', 'sent', 'failed', 'unknown')").fetchone()
        except sqlite3.OperationalError:  # no rows table: nothing was ever recorded
            return True
        return int(found[0]) == 0

    def _migrate(self, version: int) -> None:
        if version == SCHEMA_VERSION:
            return
        with self._db:  # one transaction: all of it or none
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](self._db)
                version += 1
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'schema'",
                             (str(SCHEMA_VERSION),))

    def meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta"))

    def close(self) -> None:
        try:
            with contextlib.suppress(sqlite3.Error):
                self._db.commit()
        finally:
            self._db.close()
        _remove_empty_side_files(self.path)

    # -- writes (staged; durable at the next commit) ---------------------------------------

    def begin(self, row: int, phone: str, locale: str | None = None) -> None:
        self._db.execute(
            "INSERT INTO rows (row, phone, state, updated, locale) VALUES (?, ?, 'in_flight', "
            "?, ?) ON CONFLICT (row) DO UPDATE SET state = 'in_flight', message_id = NULL, "
            "code = NULL, error = NULL, rule = NULL, updated = excluded.updated, "
            "locale = coalesce(excluded.locale, rows.locale)",
            (row, self._redact(phone), time.time(), locale))

    def finish(self, row: int, phone: str | None, state: str, message_id: str | None = None,
               code: str | None = None, error: str | None = None, attempts: int = 0,
               rule: str | None = None, locale: str | None = None) -> None:
        if state not in FINAL:
            raise ValueError(f"not a final state: {state}")
        r = self._redact
        self._db.execute(
            "INSERT INTO rows (row, phone, state, message_id, code, error, attempts, rule, "
            "updated, locale) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (row) DO UPDATE "
            "SET state = excluded.state, message_id = excluded.message_id, code = excluded.code, "
            "error = excluded.error, attempts = excluded.attempts, rule = excluded.rule, "
            "updated = excluded.updated, locale = coalesce(excluded.locale, rows.locale)",
            (row, phone and r(phone), state, message_id and r(message_id), code and r(code),
             error and r(error), attempts, rule, time.time(), locale))

    def forget(self, row: int) -> None:
        """Back to pending: the row's request never left (or nothing was accepted)."""
        self._db.execute("DELETE FROM rows WHERE row = ? AND state = 'in_flight'", (row,))

    def first_row_of(self, phone: str, row: int) -> int | None:
        """The earlier row that sent ``phone``, if any; records ``row`` as its first."""
        found = self._db.execute("SELECT row FROM seen WHERE phone = ?", (phone,)).fetchone()
        if found is None:
            self._db.execute("INSERT INTO seen VALUES (?, ?)", (phone, row))
            return None
        first = int(found[0])
        if first > row:  # cannot happen in file order; keep the earliest anyway
            self._db.execute("UPDATE seen SET row = ? WHERE phone = ?", (row, phone))
            return None
        return first if first != row else None

    def commit(self) -> None:
        self._db.commit()

    def settle_in_flight(self, why: str | None = None) -> list[dict[str, Any]]:
        """Turn every row left in flight into ``unknown``; their records."""
        stuck = [r[0] for r in self._db.execute("SELECT row FROM rows WHERE state = 'in_flight'")]
        self._db.execute(
            "UPDATE rows SET state = 'unknown', code = ?, error = ?, updated = ? "
            "WHERE state = 'in_flight'",
            (INTERRUPTED, why or "the run stopped while this message was being sent; it may "
             "or may not have been accepted", time.time()))
        self._db.commit()
        return [self.record_of(row) for row in stuck]

    # -- reads -----------------------------------------------------------------------------

    def states(self, first: int, last: int) -> dict[int, tuple[str, str | None]]:
        """The state (and retry-table case) of every journalled row in ``first..last``."""
        return {row: (state, rule) for row, state, rule in self._db.execute(
            "SELECT row, state, rule FROM rows WHERE row BETWEEN ? AND ?", (first, last))}

    def lost_rows(self, evidence: Iterable[tuple[int, str]]) -> list[int]:
        """Rows the results file proves answered (``evidence``: its ``(row, status)``)
        that this journal does not know as such: it lost writes."""
        db = self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS evidence (row INTEGER PRIMARY KEY, "
                   "status TEXT NOT NULL)")
        try:
            db.execute("DELETE FROM temp.evidence")
            db.executemany("INSERT OR REPLACE INTO temp.evidence VALUES (?, ?)",
                           ((row, status) for row, status in evidence
                            if status in ("sent", "failed", "unknown")))
            return [r[0] for r in db.execute(
                "SELECT e.row FROM temp.evidence e LEFT JOIN rows r ON r.row = e.row "
                "WHERE r.state IS NULL OR r.state = 'in_flight' "
                "OR (e.status = 'sent' AND r.state != 'sent') ORDER BY e.row")]
        finally:
            db.execute("DROP TABLE temp.evidence")
            db.commit()

    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT state, count(*) FROM rows GROUP BY state"))

    def records_sending(self) -> int:
        """How many rows a request left (or may have left) for."""
        placeholders = ",".join("?" * len(SENDING))
        found = self._db.execute(f"SELECT count(*) FROM rows WHERE state IN ({placeholders})",
                                 tuple(SENDING)).fetchone()
        return int(found[0])

    def record_of(self, row: int) -> dict[str, Any]:
        found = self._db.execute(f"SELECT {_COLUMNS} FROM rows WHERE row = ?",
                                 (row,)).fetchone()
        return record(*found[:7])

    def records(self, exclude: Callable[[str, str | None], bool] | None = None
                ) -> Iterator[dict[str, Any]]:
        """Result records of every row in a final state, in row order, but those for
        which ``exclude(state, rule)`` is true."""
        cursor = self._db.execute(
            f"SELECT {_COLUMNS} FROM rows WHERE state != 'in_flight' ORDER BY row")
        for found in cursor:
            if exclude is None or not exclude(found[2], found[7]):
                yield record(*found[:7])

    def rows_in(self, state: str, limit: int | None = None) -> list[dict[str, Any]]:
        query = f"SELECT {_COLUMNS} FROM rows WHERE state = ? ORDER BY row"
        params: tuple[Any, ...] = (state,)
        if limit is not None:
            query += " LIMIT ?"
            params += (limit,)
        return [record(*r[:7]) for r in self._db.execute(query, params)]


def record(row: int, phone: str | None, state: str, message_id: str | None = None,
           code: str | None = None, error: str | None = None, attempts: int = 0
           ) -> dict[str, Any]:
    """One line of the results file."""
    return {"row": row, "phone": phone, "status": state, "message_id": message_id,
            "code": code, "error": error, "attempts": attempts}


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
