"""The results file: one JSON line per recipients row, written once the journal has it.

Each line is ``{"row", "phone", "status", "message_id", "code", "error", "attempts"}`` with
status ``sent``, ``failed``, ``invalid``, ``unknown`` or ``skipped``. Lines are appended in
the order rows finish (not row order) and flushed to disk in batches.

A line is written only after the journal committed its row, so the file never knows more
than an intact journal. On ``--resume`` the file is first read back as *evidence*
(:func:`evidence`): if it records answered rows that the journal lacks, the journal lost
writes and the resume is refused, the file untouched. Otherwise it is rebuilt from the
journal (atomically), so a line lost or half-written by a crash comes back and no row ever
has two lines. Every text written passes through the campaign's redactor.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..diagnostics import Diagnostic, MsgcError


def _dumps(record: dict[str, Any], redact: Callable[[str], str]) -> str:
    clean = {k: redact(v) if isinstance(v, str) else v for k, v in record.items()}
    return json.dumps(clean, ensure_ascii=False, separators=(",", ":")) + "\n"


def _io_error(path: Path, exc: OSError) -> MsgcError:
    return MsgcError([Diagnostic("io-error", f"cannot write the results file: {exc.strerror}",
                                 file=str(path))])


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
        try:
            self._fh.write(_dumps(record, self._redact))
        except OSError as exc:
            raise _io_error(self.path, exc) from None
        self._dirty = True

    def sync(self, *, force: bool = False) -> None:
        """Flush and fsync, at most once a second unless ``force``."""
        if self._fh is None or not self._dirty:
            return
        now = time.monotonic()
        if not force and now - self._last_sync < 1.0:
            return
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise _io_error(self.path, exc) from None
        self._dirty = False
        self._last_sync = now

    def close(self) -> None:
        if self._fh is not None:
            fh, self._fh = self._fh, None
            try:
                self._fh = fh
                self.sync(force=True)
            finally:
                self._fh = None
                try:
                    fh.close()
                except OSError as exc:
                    raise _io_error(self.path, exc) from None


def rebuild(path: Path, records: Iterable[dict[str, Any]], redact: Callable[[str], str]
            ) -> int:
    """Replace ``path`` by exactly ``records`` (atomically); return how many lines."""
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for record in records:
                fh.write(_dumps(record, redact))
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise _io_error(path, exc) from None
    return count


#: Statuses that prove a request left for the row.
ANSWERED = frozenset({"sent", "failed", "unknown"})


def evidence(path: Path) -> Iterator[tuple[int, str]]:
    """``(row, status)`` of every line of a results file. The last line may be torn by a
    crash (it is skipped); any other line that is not a result record is an error."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise MsgcError([Diagnostic("io-error", f"cannot read the results file: "
                                    f"{exc.strerror}", file=str(path))]) from None
    with fh:
        for number, line in enumerate(fh, 1):
            try:
                data = json.loads(line)
                row, status = data["row"], data["status"]
                if not isinstance(row, int) or not isinstance(status, str):
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                if not line.endswith(b"\n") or not line.strip():
                    continue  # a line torn by a crash, or a blank one
                raise MsgcError([Diagnostic(
                    "results-damaged", "this line is not a result record; the file cannot "
                    "be checked against the journal, so nothing was sent or changed",
                    file=str(path), line=number,
                    hint="restore the results file, or fix the line by hand")]) from None
            yield row, status
