"""The result cache of ``msgc validate`` and ``msgc build``: a file's findings (and, for
build, its payloads) stored under a key of everything that can change them.

A key is the SHA-256 of: the file's path as given and its exact bytes; the *context*
the caller passes (flags such as ``--no-worst-case``, the config's envelope defaults); and
:func:`code_fingerprint`, which covers msgc's version, the content of its own code and
schemas, the Python version and the installed versions of the libraries that take part in a
verdict (PyYAML, Jinja, jsonschema, jsonschema-rs). Change any of them and every entry
misses. Rules that span files (duplicate names) are never cached: they are recomputed
from the per-file results on every run.

Where: the user's cache folder, not the project (nothing to ignore in git, works on a
read-only checkout, shared by every clone on the machine; entries are content-addressed,
so sharing is safe): ``$MSGC_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/msgc`` or
``~/.cache/msgc`` on Linux, ``~/Library/Caches/msgc`` on macOS and
``%LOCALAPPDATA%\\msgc\\Cache`` on Windows. One SQLite database in WAL mode, so concurrent
runs (CI jobs, a pre-commit hook next to an editor) read and write it safely; entries unused
for 30 days are dropped. ``msgc cache clean`` empties it; ``--no-cache`` bypasses it.

The cache only ever saves time: a locked, damaged or unwritable database means a run
without it (a damaged one is replaced), never a failure or a different result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from . import __version__

CACHE_ENV = "MSGC_CACHE_DIR"
DATABASE = "results.sqlite3"
#: Entries not used for this many days are removed.
KEEP_DAYS = 30
#: Libraries whose version can change a verdict (distribution names, normalised).
_DEPENDENCIES = frozenset({"pyyaml", "jinja2", "markupsafe", "jsonschema", "jsonschema_rs",
                           "referencing", "jsonschema_specifications", "rpds_py"})
#: How long a run waits for another run's write lock before doing without the cache.
_BUSY_MS = 2000
_FORMAT = 1  # bump when the layout of stored values changes


def cache_dir() -> Path:
    """The folder msgc keeps its cache in (see the module docstring)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "msgc" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "msgc"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "msgc"


_FINGERPRINT: str | None = None


def code_fingerprint() -> str:
    """A digest of everything outside the input files that can change a verdict."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        from .schemas import schema_dir

        digest = hashlib.sha256(f"msgc {__version__} format {_FORMAT}\n{sys.version}\n"
                                f"{sys.platform}\n".encode())
        for name in _dependency_versions():
            digest.update(f"{name}\n".encode())
        package = Path(__file__).resolve().parent
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        for path in sorted(schema_dir().glob("*.json")):
            digest.update(path.name.encode() + b"\0")
            digest.update(path.read_bytes())
        _FINGERPRINT = digest.hexdigest()
    return _FINGERPRINT


def _dependency_versions() -> list[str]:
    """``name-version`` of each installed library in :data:`_DEPENDENCIES`, read from the
    names of their ``.dist-info`` folders (importlib.metadata takes ~100 ms to do the same)."""
    found = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, _, version = name[:-len(".dist-info")].partition("-")
                if dist.lower().replace("-", "_").replace(".", "_") in _DEPENDENCIES:
                    found.add(f"{dist.lower()}-{version}")
    return sorted(found)


def entry_key(path: str, content: bytes, context: Mapping[str, Any]) -> str:
    """The key of one file's result: its path as given, its bytes, the run's context."""
    return key_function(context)(path, content)


def key_function(context: Mapping[str, Any]) -> Callable[[str, bytes], str]:
    """:func:`entry_key` for many files of one run (the context is hashed once)."""
    base = hashlib.sha256(code_fingerprint().encode())
    base.update(json.dumps(context, sort_keys=True, default=str).encode())

    def key(path: str, content: bytes) -> str:
        digest = base.copy()
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(content)
        return digest.hexdigest()

    return key


class ResultCache:
    """The cache database; every method degrades to "no cache" on any storage error."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else cache_dir()
        self._db: Any = None
        self._failed = False

    # -- reading and writing ----------------------------------------------------------------

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The stored values of those ``keys`` that are present (decoded JSON)."""
        wanted = list(dict.fromkeys(keys))
        db = self._connect(create=False)
        if db is None or not wanted:
            return {}
        found: dict[str, Any] = {}
        try:
            for chunk in _chunks(wanted, 500):
                marks = ",".join("?" * len(chunk))
                for key, value in db.execute(
                        f"SELECT key, value FROM results WHERE key IN ({marks})", chunk):
                    with contextlib.suppress(ValueError, UnicodeDecodeError):
                        found[key] = json.loads(value)
            today = _today()
            for chunk in _chunks(list(found), 500):
                marks = ",".join("?" * len(chunk))
                db.execute(f"UPDATE results SET used = ? WHERE used < ? AND key IN ({marks})",
                           [today, today, *chunk])
            db.commit()
        except self._errors():
            self._rollback()
        return found

    def put_many(self, items: Mapping[str, Any]) -> None:
        """Store values (JSON-serialisable) under their keys; drop long-unused entries."""
        if not items:
            return
        db = self._connect(create=True)
        if db is None:
            return
        today = _today()
        rows = [(key, json.dumps(value, separators=(",", ":")), today)
                for key, value in items.items()]
        try:
            db.executemany("INSERT OR REPLACE INTO results (key, value, used) VALUES (?, ?, ?)",
                           rows)
            db.execute("DELETE FROM results WHERE used < ?", (today - KEEP_DAYS,))
            db.commit()
        except self._errors():
            self._rollback()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
            self._db = None

    # -- maintenance ------------------------------------------------------------------------

    def stats(self) -> tuple[int, int]:
        """(entries, bytes on disk)."""
        size = sum(p.stat().st_size for p in self._files() if p.exists())
        db = self._connect(create=False)
        if db is None:
            return 0, size
        try:
            (count,), = db.execute("SELECT COUNT(*) FROM results").fetchall()
        except self._errors():
            return 0, size
        return int(count), size

    def clean(self) -> int:
        """Remove every entry (the database files themselves); return how many there were."""
        count, _ = self.stats()
        self.close()
        for path in self._files():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        return count

    # -- the database -----------------------------------------------------------------------

    def _files(self) -> list[Path]:
        base = self.folder / DATABASE
        return [base, base.with_name(DATABASE + "-wal"), base.with_name(DATABASE + "-shm")]

    @staticmethod
    def _errors() -> tuple[type[BaseException], ...]:
        import sqlite3

        return (sqlite3.Error, OSError)

    def _rollback(self) -> None:
        self._failed = True  # give up on the cache for the rest of this run
        self.close()

    def _connect(self, *, create: bool) -> Any:
        if self._db is not None or self._failed:
            return self._db
        path = self.folder / DATABASE
        if not create and not path.exists():
            return None
        import sqlite3

        for attempt in (1, 2):
            try:
                if create:
                    self.folder.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, timeout=_BUSY_MS / 1000, isolation_level="DEFERRED")
                db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
                # A cache never waits for the disk: an entry lost in a power cut is computed
                # again, and a database damaged by one is replaced (below). Without fsyncs,
                # creating the cache costs ~3 ms instead of ~50 ms on a busy disk.
                db.execute("PRAGMA synchronous = OFF")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, "
                           "value TEXT NOT NULL, used INTEGER NOT NULL)")
                db.execute("CREATE INDEX IF NOT EXISTS results_used ON results (used)")
                db.commit()
                self._db = db
                return db
            except sqlite3.DatabaseError as exc:
                if attempt == 1 and not isinstance(exc, sqlite3.OperationalError):
                    # Not a database (a damaged file): start a fresh one.
                    for stale in self._files():
                        with contextlib.suppress(OSError):
                            stale.unlink()
                    continue
                break
            except (sqlite3.Error, OSError):
                break
        self._failed = True
        return None


def _today() -> int:
    return int(time.time() // 86400)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
