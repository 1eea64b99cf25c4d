"""The results file: one JSON line per recipients row, written once the journal has it.

Each line is ``{"row", "phone", "status", "message_id", "code", "error", "attempts"}`` with
status ``sent``, ``failed``, ``invalid``, ``unknown`` or ``skipped``. Lines are appended in
the order rows finish (not row order) and flushed to disk in batches. The journal is the
source of truth: on ``--resume`` the file is rebuilt from it (atomically), so a line lost
or half-written by a crash comes back and no row ever has two lines.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from ..diagnostics import Diagnostic, MsgcError


def _dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


class ResultsFile:
    """Appends result lines; :meth:`sync` makes them durable (called about once a second)."""

    def __init__(self, path: Path, redact: Callable[[str], str]) -> None:
        self.path = path
        self._redact = redact
        self._fh: IO[str] | None = None
        self._dirty = False
        self._last_sync = time.monotonic()

    def open(self) -> None:
        try:
            self._fh = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            raise MsgcError([Diagnostic("io-error", f"cannot write the results file: "
                                        f"{exc.strerror}", file=str(self.path))]) from None

    def write(self, record: dict[str, Any]) -> None:
        assert self._fh is not None, "open() first"
        if record.get("error"):
            record = {**record, "error": self._redact(str(record["error"]))}
        self._fh.write(_dumps(record))
        self._dirty = True

    def sync(self, *, force: bool = False) -> None:
        """Flush and fsync, at most once a second unless ``force``."""
        if self._fh is None or not self._dirty:
            return
        now = time.monotonic()
        if not force and now - self._last_sync < 1.0:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._dirty = False
        self._last_sync = now

    def close(self) -> None:
        if self._fh is not None:
            self.sync(force=True)
            self._fh.close()
            self._fh = None


def rebuild(path: Path, records: Iterable[dict[str, Any]], redact: Callable[[str], str]
            ) -> int:
    """Replace ``path`` by exactly ``records`` (atomically); return how many lines."""
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for record in records:
                if record.get("error"):
                    record = {**record, "error": redact(str(record["error"]))}
                fh.write(_dumps(record))
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise MsgcError([Diagnostic("io-error", f"cannot write the results file: "
                                    f"{exc.strerror}", file=str(path))]) from None
    return count
