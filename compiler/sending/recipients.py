"""Reading a recipients file one row at a time: CSV or JSON Lines, any size.

CSV: UTF-8 (a BOM is fine), a header row with a ``phone`` column, one column per spec
variable and an optional ``locale`` column; quoted fields may hold commas and newlines;
LF or CRLF line ends. JSON Lines: one object per line with the same keys, values in their
JSON types. Blank lines (and CSV rows whose fields are all empty) are skipped and take no
row number; row numbers count the data rows from 1.

The whole file is checked when it is opened, before anything is sent: its bytes must be
UTF-8 (the first bad byte is located by line and offset; a UTF-16 file is refused with a
clear message), and a CSV file must parse strictly - a quote that never closes, or text
after a closing quote, is an error at the line where the quote opened instead of rows
silently swallowed into one field. That pass also counts the rows (:attr:`rows`) and takes
the file's SHA-256 (:attr:`sha256`, which binds a campaign journal to the file).

A problem with the whole file (no ``phone`` column, an unknown column, a duplicate
column, bad bytes, broken quoting) is an error before anything is sent. A problem with one
row (a ragged row, a bad phone number, bad JSON) is reported with its row and line number
and only that row is skipped. Should the file change while it is read (after the check),
the error that follows says so. Unknown columns are refused (typo protection, with a "did you
mean"), or dropped with ``ignore_extra=True``. An empty CSV cell counts as "no value", so a
variable's default applies.

Phone numbers are normalised by :mod:`compiler.phone`, as everywhere in msgc: blanks,
dashes, dots, parentheses and a leading ``+`` are removed; 7 to 15 digits must remain.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..diagnostics import Diagnostic, MsgcError, close_matches
from ..phone import normalize_phone  # the one normaliser (render, send, variables, API)

PHONE = "phone"
LOCALE = "locale"
FORMATS = ("csv", "jsonl")
_CHUNK = 1 << 20
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(slots=True)
class Recipient:
    """One data row: its number, where it starts, and its values (or what is wrong)."""

    row: int
    line: int
    phone: str | None
    raw_phone: str
    values: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None
    problem: str | None = None
    rule: str | None = None


class _Counting(io.RawIOBase):
    """A raw reader that counts the bytes handed out (for progress and ETA)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # BinaryIO does not declare readinto, but every binary file object has it.
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _not_utf8(path: Path, line: int, offset: int, column: int, byte: bytes) -> MsgcError:
    shown = f"0x{byte[0]:02x}" if byte else "end of file"
    return MsgcError([Diagnostic(
        "recipients-encoding", f"not UTF-8 at byte {offset + 1} ({shown}, byte {column} of "
        "the line); save the file as UTF-8", file=str(path), line=line)])


def fingerprint(path: Path) -> str:
    """SHA-256 of the file, checking on the way that it is UTF-8: the first bad byte is a
    located error (line, byte offset in the file and in its line); UTF-16 is refused."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0          # of the chunk in the file
    line = 1            # at the start of the chunk
    line_start = 0      # offset of the current line's first byte
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                if offset == 0 and chunk.startswith(_UTF16_BOMS):
                    raise MsgcError([Diagnostic(
                        "recipients-encoding", "the file is UTF-16 (it starts with a UTF-16 "
                        "byte order mark); save the file as UTF-8", file=str(path), line=1,
                        hint="in a spreadsheet: Save As / CSV UTF-8")])
                digest.update(chunk)
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    at = offset - pending + exc.start
                    before = chunk[: max(0, at - offset)]
                    newlines = before.count(b"\n")
                    if newlines:
                        line_start = offset + before.rfind(b"\n") + 1
                    raise _not_utf8(path, line + newlines, at, at - line_start + 1,
                                    exc.object[exc.start:exc.start + 1]) from None
                newlines = chunk.count(b"\n")
                if newlines:
                    line += newlines
                    line_start = offset + chunk.rfind(b"\n") + 1
                offset += len(chunk)
            tail = decoder.getstate()[0]
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                at = offset - len(tail)
                raise _not_utf8(path, line, at, at - line_start + 1, tail[:1]) from None
    except OSError as exc:
        raise MsgcError([Diagnostic("io-error", f"cannot read the recipients file: "
                                    f"{exc.strerror}", file=str(path))]) from None
    return digest.hexdigest()


class RecipientsFile:
    """A recipients file checked up front and read lazily, row by row."""

    def __init__(self, path: str | Path, variables: Collection[str], *,
                 fmt: str | None = None, ignore_extra: bool = False) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.fmt = detect_format(self.path, fmt)
        self.variables = set(variables)
        self.ignore_extra = ignore_extra
        self.columns: list[str] = []
        self.ignored: list[str] = []
        self._counter: _Counting | None = None
        try:
            self.size = os.path.getsize(self.path)
        except OSError as exc:
            raise MsgcError([Diagnostic("io-error", f"cannot read the recipients file: "
                                        f"{exc.strerror}", file=self.name)]) from None
        #: SHA-256 of the content (the file is UTF-8: checked here, located if not).
        self.sha256 = fingerprint(self.path)
        self._check_head()
        #: How many data rows the file holds (blank lines are not rows).
        self.rows = self._count_rows()

    @property
    def bytes_read(self) -> int:
        return self._counter.count if self._counter else 0

    # -- the whole file ------------------------------------------------------------------

    def _error(self, rule: str, message: str, line: int | None = 1, hint: str | None = None
               ) -> MsgcError:
        return MsgcError([Diagnostic(rule, message, file=self.name, line=line, hint=hint)])

    def _check_columns(self, names: list[str], line: int) -> None:
        if PHONE not in names:
            close = close_matches(PHONE, names, n=1, cutoff=0.6)
            raise self._error("recipients-no-phone", "the recipients file has no `phone` column",
                              line, f"did you mean {close[0]!r}?" if close else
                              "name the recipients' column `phone`")
        extra = [n for n in names if n not in self.variables and n not in (PHONE, LOCALE)]
        if extra and not self.ignore_extra:
            diags = []
            for name in extra:
                close = close_matches(name, [*sorted(self.variables), LOCALE], n=1)
                diags.append(Diagnostic(
                    "recipients-unknown-column",
                    f"column {name!r} is not a variable of the spec", file=self.name,
                    line=line, hint=f"did you mean {close[0]!r}?" if close else
                    "pass --ignore-extra-columns to drop columns the spec does not use"))
            raise MsgcError(diags)
        self.ignored = extra

    def _check_head(self) -> None:
        if self.fmt == "csv":
            with self._open_text() as text:
                reader = csv.reader(text)
                try:
                    header = next(reader, None)
                except csv.Error as exc:
                    raise self._error("recipients-csv", f"bad CSV header: {exc}") from None
            if not header or not any(h.strip() for h in header):
                raise self._error("recipients-empty", "the recipients file has no header row",
                                  hint="the first row names the columns: phone,VAR,...")
            names = [h.strip() for h in header]
            for i, name in enumerate(names):
                if not name:
                    raise self._error("recipients-header", f"column {i + 1} has no name")
                if name in names[:i]:
                    raise self._error("recipients-header", f"column {name!r} appears twice")
            self._check_columns(names, 1)
            self.columns = names
            return
        for first in self._json_records():
            if isinstance(first.values, dict) and first.problem is None:
                self._check_columns(list(first.values), first.line)
            return

    def _count_rows(self) -> int:
        """Count the data rows; for CSV, parse strictly: broken quoting stops here."""
        rows = 0
        with self._open_text() as text:
            if self.fmt != "csv":
                return sum(1 for line in text if line.strip())
            reader = csv.reader(text, strict=True)
            start = 1
            try:
                for fields in reader:
                    if any(f.strip() for f in fields):
                        rows += 1
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise self._quoting_error(start, reader.line_num, str(exc)) from None
        return rows - 1  # the header

    def _quoting_error(self, start: int, end: int, what: str) -> MsgcError:
        """The located error for the CSV record starting on line ``start`` that the
        reader gave up on at line ``end``: where its faulty quote opened."""
        found = _find_bad_quote(self._lines_from(start), start)
        if found is None:
            return self._error("recipients-csv", f"bad CSV: {what}", start)
        opened, closed = found
        if closed is None:
            span = f"lines {opened}-{end}" if end > opened else f"line {opened}"
            return self._error(
                "recipients-csv", f"a quote opened on line {opened} is never closed: it "
                f"swallows every later line into one field ({span})", opened,
                "close the quote; a quote inside a quoted field is written twice (\"\")")
        return self._error(
            "recipients-csv", f"a quoted field opened on line {opened} closes on line "
            f"{closed} and text follows the closing quote", opened,
            "a quote inside a quoted field is written twice (\"\"); a field with a quote "
            "in it is quoted whole")

    def _lines_from(self, start: int) -> Iterator[str]:
        with self.path.open("r", encoding="utf-8-sig", newline="") as text:
            for number, line in enumerate(text, 1):
                if number >= start:
                    yield line

    def _open_text(self) -> io.TextIOWrapper:
        try:
            raw = self.path.open("rb", buffering=0)
        except OSError as exc:
            raise MsgcError([Diagnostic("io-error", f"cannot read the recipients file: "
                                        f"{exc.strerror}", file=self.name)]) from None
        self._counter = _Counting(raw)
        buffered = io.BufferedReader(self._counter, buffer_size=_CHUNK)
        return io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")

    # -- row by row ----------------------------------------------------------------------

    def __iter__(self) -> Iterator[Recipient]:
        try:
            if self.fmt == "csv":
                yield from self._csv_rows()
            else:
                for record in self._json_records():
                    yield self._json_row(record)
        except UnicodeDecodeError:
            raise self._changed("recipients-encoding", "bytes that are not UTF-8",
                                None) from None

    def _changed(self, rule: str, what: str, line: int | None) -> MsgcError:
        """The error for a problem the up-front check did not see: the file changed."""
        return self._error(rule, f"{what}: the file changed after it was checked, while "
                           "the campaign was reading it", line,
                           "a recipients file must not change during its campaign; --resume "
                           "refuses a changed file. Restore the file as it was to resume, or "
                           "send the remaining rows as a new campaign (another --results)")

    def _csv_rows(self) -> Iterator[Recipient]:
        columns = self.columns
        width = len(columns)
        phone_at = columns.index(PHONE)
        with self._open_text() as text:
            reader = csv.reader(text, strict=True)
            try:
                next(reader, None)
                row = 0
                line = reader.line_num + 1
                for fields in reader:
                    start, line = line, reader.line_num + 1
                    if not any(f.strip() for f in fields):
                        continue
                    row += 1
                    raw_phone = fields[phone_at] if phone_at < len(fields) else ""
                    if len(fields) != width:
                        yield Recipient(row, start, None, raw_phone.strip(),
                                        problem=f"the row has {len(fields)} fields; the header "
                                        f"has {width}", rule="recipients-ragged-row")
                        continue
                    values = {name: value for name, value in zip(columns, fields, strict=True)
                              if value != "" and name in self.variables}
                    locale = fields[columns.index(LOCALE)].strip() if LOCALE in columns else ""
                    yield self._recipient(row, start, raw_phone, values, locale or None)
            except csv.Error as exc:
                raise self._changed("recipients-csv", f"bad CSV ({exc})",
                                    line) from None

    def _recipient(self, row: int, line: int, raw_phone: Any, values: dict[str, Any],
                   locale: str | None) -> Recipient:
        phone = normalize_phone(raw_phone)
        shown = str(raw_phone).strip() if raw_phone is not None else ""
        if phone is None:
            problem = ("no phone number" if shown == "" else
                       f"phone {shown!r} is not a phone number (7-15 digits, country code first)")
            return Recipient(row, line, None, shown, values, locale, problem,
                             "recipients-bad-phone")
        return Recipient(row, line, phone, shown, values, locale)

    def _json_records(self) -> Iterator[Recipient]:
        """Parsed JSON lines (values = the decoded object) or located problems."""
        with self._open_text() as text:
            row = 0
            for line_no, line in enumerate(text, 1):
                if not line.strip():
                    continue
                row += 1
                try:
                    data = json.loads(line)
                except ValueError as exc:
                    yield Recipient(row, line_no, None, "", problem=f"not valid JSON: {exc}",
                                    rule="recipients-json")
                    continue
                if not isinstance(data, dict):
                    yield Recipient(row, line_no, None, "",
                                    problem="each line must hold a JSON object",
                                    rule="recipients-json")
                    continue
                yield Recipient(row, line_no, None, "", values=data)

    def _json_row(self, record: Recipient) -> Recipient:
        if record.problem is not None:
            return record
        data = record.values
        extra = [k for k in data if k not in self.variables and k not in (PHONE, LOCALE)]
        if extra and not self.ignore_extra:
            close = close_matches(extra[0], sorted(self.variables), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return Recipient(record.row, record.line, None, str(data.get(PHONE, "")),
                             problem=f"unknown key {extra[0]!r}{hint}",
                             rule="recipients-unknown-column")
        locale = data.get(LOCALE)
        if locale is not None and not isinstance(locale, str):
            return Recipient(record.row, record.line, None, str(data.get(PHONE, "")),
                             problem="`locale` must be a string", rule="recipients-locale")
        values = {k: v for k, v in data.items() if k in self.variables}
        return self._recipient(record.row, record.line, data.get(PHONE), values,
                               locale or None)


def _find_bad_quote(lines: Iterator[str], start: int) -> tuple[int, int | None] | None:
    """Scan one CSV record from its first line: ``(opened, None)`` for a quote that never
    closes, ``(opened, closed)`` for text after the closing quote, ``None`` if neither."""
    line, quoted, field_start, after_close = start, False, True, False
    opened = closed = 0
    for text in lines:
        i = 0
        while i < len(text):
            c = text[i]
            if quoted:
                if c == '"':
                    if text[i + 1:i + 2] == '"':
                        i += 1
                    else:
                        quoted, after_close, closed = False, True, line
            elif after_close and c not in ",\r\n":
                return opened, closed
            elif c == '"' and field_start:
                quoted, opened = True, line
            else:
                after_close = False
                if c in "\r\n" and not quoted:
                    return None  # the record ended cleanly
            field_start = not quoted and c == ","
            i += 1
        line += 1
    return (opened, None) if quoted else None
