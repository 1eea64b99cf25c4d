"""Reading a recipients file one row at a time: CSV or JSON Lines, any size.

CSV: UTF-8 (a BOM is fine), a header row with a ``phone`` column, one column per spec
variable and an optional ``locale`` column; quoted fields may hold commas and newlines;
LF or CRLF line ends. JSON Lines: one object per line with the same keys, values in their
JSON types. Blank lines (and CSV rows whose fields are all empty) are skipped and take no
row number; row numbers count the data rows from 1.

A problem with the whole file (no ``phone`` column, an unknown column, a duplicate
column, undecodable bytes) is an error before anything is sent. A problem with one row (a
ragged row, a bad phone number, bad JSON) is reported with its row and line number and
only that row is skipped. Unknown columns are refused (typo protection, with a "did you
mean"), or dropped with ``ignore_extra=True``. An empty CSV cell counts as "no value", so a
variable's default applies.

Phone numbers are normalised: surrounding blanks, inner spaces, dashes, dots and
parentheses and a leading ``+`` are removed; 7 to 15 digits must remain.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any, BinaryIO

from ..diagnostics import Diagnostic, MsgcError

PHONE = "phone"
LOCALE = "locale"
FORMATS = ("csv", "jsonl")
_PHONE_NOISE = re.compile(r"[\s\-().]")
_PHONE_RE = re.compile(r"[0-9]{7,15}")
_CHUNK = 1 << 20
csv.field_size_limit(16 * 1024 * 1024)


def normalize_phone(value: Any) -> str | None:
    """The phone number as 7-15 ASCII digits, or ``None`` when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = _PHONE_NOISE.sub("", str(value).strip())
    if text.startswith("+"):
        text = text[1:]
    return text if text.isascii() and _PHONE_RE.fullmatch(text) else None


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


def fingerprint(path: Path) -> str:
    """SHA-256 of the file, checking on the way that it is UTF-8 (located error if not)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line += chunk[: exc.start].count(b"\n")
                    raise MsgcError([Diagnostic(
                        "recipients-encoding", "the recipients file is not valid UTF-8 "
                        f"(byte {exc.object[exc.start:exc.start + 1]!r})", file=str(path),
                        line=line, hint="save it as UTF-8")]) from None
                line += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise MsgcError([Diagnostic("recipients-encoding",
                                    "the recipients file ends in the middle of a character",
                                    file=str(path), line=line)]) from None
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
        self._check_head()

    @property
    def bytes_read(self) -> int:
        return self._counter.count if self._counter else 0

    # -- the whole file ------------------------------------------------------------------

    def _error(self, rule: str, message: str, line: int | None = 1, hint: str | None = None
               ) -> MsgcError:
        return MsgcError([Diagnostic(rule, message, file=self.name, line=line, hint=hint)])

    def _check_columns(self, names: list[str], line: int) -> None:
        if PHONE not in names:
            close = get_close_matches(PHONE, names, n=1, cutoff=0.6)
            raise self._error("recipients-no-phone", "the recipients file has no `phone` column",
                              line, f"did you mean {close[0]!r}?" if close else
                              "name the recipients' column `phone`")
        extra = [n for n in names if n not in self.variables and n not in (PHONE, LOCALE)]
        if extra and not self.ignore_extra:
            diags = []
            for name in extra:
                close = get_close_matches(name, [*sorted(self.variables), LOCALE], n=1)
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
        if self.fmt == "csv":
            yield from self._csv_rows()
        else:
            for record in self._json_records():
                yield self._json_row(record)

    def _csv_rows(self) -> Iterator[Recipient]:
        columns = self.columns
        width = len(columns)
        phone_at = columns.index(PHONE)
        with self._open_text() as text:
            reader = csv.reader(text)
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
                raise self._error("recipients-csv", f"bad CSV: {exc}",
                                  line=reader.line_num) from None

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
            close = get_close_matches(extra[0], sorted(self.variables), n=1)
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
