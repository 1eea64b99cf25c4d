"""The campaign journal: a SQLite file next to the results file that makes resuming exact.

Each row moves ``pending`` (not in the journal yet) -> ``in_flight`` -> one final state:
``sent``, ``failed``, ``invalid``, ``unknown`` or ``skipped`` (a repeated phone under
``--dedupe``). ``in_flight`` is committed *before* the request is sent and the final state
*after* the answer, before the row's result line is written. So after Ctrl-C, a crash or
``kill -9``:

* a row with a final state was answered: it is never sent again;
* a row still ``in_flight`` may or may not have reached the provider: it becomes
  ``unknown``, is listed, and is only sent again with ``--resend-unknown``;
* every other row was never sent: ``--resume`` sends it.

The journal is bound to one campaign by a key (spec path + provider + SHA-256 of the
recipients file), so ``--resume`` refuses a journal that belongs to other data.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a commit survives the process being
killed at any point; only a power cut or OS crash can lose the last commits. Callers batch
writes and commit once per batch (see ``bulk.GroupCommit``). No secret is ever stored.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, MsgcError

SCHEMA_VERSION = "1"
FINAL = frozenset({"sent", "failed", "invalid", "unknown", "skipped"})
STATES = FINAL | {"in_flight"}
INTERRUPTED = "interrupted"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY,
    phone TEXT,
    state TEXT NOT NULL,
    message_id TEXT,
    code TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (phone TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
"""


def journal_path(results: Path) -> Path:
    """Where the journal of a results file lives."""
    return results.with_name(results.name + ".journal.sqlite3")


class Journal:
    """One campaign's journal file."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._db = conn

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def _connect(cls, path: Path) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(path, timeout=5.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            conn.commit()
        except sqlite3.Error as exc:
            raise MsgcError([Diagnostic("journal-conflict", f"cannot open the journal: {exc}",
                                        file=str(path),
                                        hint="is another `msgc send` using it?")]) from None
        return conn

    @classmethod
    def create(cls, path: Path, meta: dict[str, str]) -> Journal:
        """A new journal for a campaign (the file must not exist)."""
        journal = cls(path, cls._connect(path))
        journal._db.executemany("INSERT INTO meta VALUES (?, ?)",
                                [("schema", SCHEMA_VERSION), *meta.items()])
        journal._db.commit()
        return journal

    @classmethod
    def open(cls, path: Path) -> Journal:
        journal = cls(path, cls._connect(path))
        if journal.meta().get("schema") != SCHEMA_VERSION:
            journal.close()
            raise MsgcError([Diagnostic("journal-conflict",
                                        "this file is not an msgc journal of this version",
                                        file=str(path))])
        return journal

    def meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta"))

    def close(self) -> None:
        try:
            self._db.commit()
        finally:
            self._db.close()

    # -- writes (staged; durable at the next commit) ---------------------------------------

    def begin(self, row: int, phone: str) -> None:
        self._db.execute(
            "INSERT INTO rows (row, phone, state, updated) VALUES (?, ?, 'in_flight', ?) "
            "ON CONFLICT (row) DO UPDATE SET state = 'in_flight', message_id = NULL, "
            "code = NULL, error = NULL, updated = excluded.updated",
            (row, phone, time.time()))

    def finish(self, row: int, phone: str | None, state: str, message_id: str | None = None,
               code: str | None = None, error: str | None = None, attempts: int = 0) -> None:
        if state not in FINAL:
            raise ValueError(f"not a final state: {state}")
        self._db.execute(
            "INSERT INTO rows (row, phone, state, message_id, code, error, attempts, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (row) DO UPDATE SET "
            "state = excluded.state, message_id = excluded.message_id, code = excluded.code, "
            "error = excluded.error, attempts = excluded.attempts, "
            "updated = excluded.updated",
            (row, phone, state, message_id, code, error, attempts, time.time()))

    def first_row_of(self, phone: str, row: int) -> int | None:
        """The earlier row that has ``phone``, if any; records ``row`` as its first."""
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

    def settle_in_flight(self) -> int:
        """Turn the rows left in flight by a stopped run into ``unknown``; how many."""
        cursor = self._db.execute(
            "UPDATE rows SET state = 'unknown', code = ?, error = ?, updated = ? "
            "WHERE state = 'in_flight'",
            (INTERRUPTED, "the run stopped while this message was being sent; it may or may "
             "not have been accepted", time.time()))
        self._db.commit()
        return cursor.rowcount

    # -- reads -----------------------------------------------------------------------------

    def states(self, first: int, last: int) -> dict[int, str]:
        """The state of every journalled row in ``first..last``."""
        return dict(self._db.execute(
            "SELECT row, state FROM rows WHERE row BETWEEN ? AND ?", (first, last)))

    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT state, count(*) FROM rows GROUP BY state"))

    def records(self, exclude: frozenset[str] = frozenset()) -> Iterator[dict[str, Any]]:
        """Result records of every row in a final state, in row order."""
        cursor = self._db.execute(
            "SELECT row, phone, state, message_id, code, error, attempts FROM rows "
            "WHERE state != 'in_flight' ORDER BY row")
        for row in cursor:
            if row[2] not in exclude:
                yield record(*row)

    def rows_in(self, state: str, limit: int | None = None) -> list[dict[str, Any]]:
        query = ("SELECT row, phone, state, message_id, code, error, attempts FROM rows "
                 "WHERE state = ? ORDER BY row")
        params: tuple[Any, ...] = (state,)
        if limit is not None:
            query += " LIMIT ?"
            params += (limit,)
        return [record(*r) for r in self._db.execute(query, params)]


def record(row: int, phone: str | None, state: str, message_id: str | None = None,
           code: str | None = None, error: str | None = None, attempts: int = 0
           ) -> dict[str, Any]:
    """One line of the results file."""
    return {"row": row, "phone": phone, "status": state, "message_id": message_id,
            "code": code, "error": error, "attempts": attempts}
