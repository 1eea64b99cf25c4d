"""Typed template variables: declarations, and checking/coercing the values given for them.

A spec declares each variable with a type and optional bounds; values arrive as native JSON
(``--vars file.json``, JSON Lines recipients) or as text (``--var k=v``, CSV columns). Text is
parsed into the declared type; native values must already have it. Every problem is reported
as a :class:`Problem` naming the variable, and the caller places it in a file.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .phone import FORM, normalize_phone, phone_problem

TYPES = ("string", "integer", "number", "boolean", "url", "date", "phone")
TEXT_TYPES = frozenset({"string", "url", "date", "phone"})
NUMERIC_TYPES = frozenset({"integer", "number"})

_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
#: Longest integer accepted (Python refuses to turn more than 4,300 digits into text).
MAX_DIGITS = 1_000
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


@dataclass(frozen=True, slots=True)
class Variable:
    """One declared variable: its type, its bounds, and its example/default values."""

    name: str
    type: str = "string"
    description: str | None = None
    example: Any = None
    default: Any = None
    has_example: bool = False
    has_default: bool = False
    enum: tuple[Any, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_decl(cls, name: str, decl: Mapping[str, Any]) -> Variable:
        enum = decl.get("enum")
        pattern = decl.get("pattern")
        return cls(
            name=name,
            type=decl.get("type", "string"),
            description=decl.get("description"),
            example=decl.get("example"),
            default=decl.get("default"),
            has_example="example" in decl,
            has_default="default" in decl,
            enum=tuple(enum) if enum is not None else None,
            min_length=decl.get("min_length"),
            max_length=decl.get("max_length"),
            pattern=pattern,
            minimum=decl.get("minimum"),
            maximum=decl.get("maximum"),
            _regex=re.compile(pattern) if pattern else None,
        )

    @property
    def required(self) -> bool:
        return not self.has_default

    @property
    def sample(self) -> Any:
        """The value used when a spec is rendered without real data (validate, build)."""
        return self.example if self.has_example else self.default

    def coerce(self, value: Any) -> Any:
        """Return ``value`` in this variable's type, or raise :class:`Problem`."""
        value = self._parse(value)
        self._check_bounds(value)
        return value

    def _parse(self, value: Any) -> Any:
        t = self.type
        if value is None:
            raise Problem(f"variable {self.name!r} is null; it needs a {t} value")
        if isinstance(value, int) and value.bit_length() > MAX_DIGITS * 3.33:
            raise Problem(f"variable {self.name!r} is a number of more than {MAX_DIGITS:,} digits")
        surrogate = _SURROGATE_RE.search(value) if isinstance(value, str) else None
        if surrogate is not None:
            raise Problem(f"variable {self.name!r} holds an unpaired surrogate "
                          f"(U+{ord(surrogate[0]):04X}), which is not text")
        if t in TEXT_TYPES:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise Problem(f"variable {self.name!r} must be a {t}, got {_kind(value)}")
            text = value if isinstance(value, str) else _number_text(value)
            if t == "url" and not _URL_RE.match(text):
                raise Problem(f"variable {self.name!r} must be an http(s) URL, got {text!r}")
            if t == "date" and not (_DATE_RE.match(text) and _is_calendar_date(text)):
                raise Problem(f"variable {self.name!r} must be a date YYYY-MM-DD, got {text!r}")
            if t == "phone":
                digits = normalize_phone(text)
                if digits is None:
                    raise Problem(f"variable {self.name!r} must be a phone number ({FORM}), "
                                  f"got {text!r}: {phone_problem(text)}")
                text = digits
            return text
        if t == "boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise Problem(f"variable {self.name!r} must be a boolean, got {value!r}")
        if t == "integer":
            if isinstance(value, bool):
                raise Problem(f"variable {self.name!r} must be an integer, got a boolean")
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,30}\s*", value):
                return int(value)
            raise Problem(f"variable {self.name!r} must be an integer, got {value!r}")
        if t == "number":
            if isinstance(value, bool):
                raise Problem(f"variable {self.name!r} must be a number, got a boolean")
            if isinstance(value, (int, float)):
                result = value
            elif isinstance(value, str):
                try:
                    result = float(value) if not re.fullmatch(r"\s*[-+]?\d+\s*", value) else int(value)
                except ValueError:
                    raise Problem(f"variable {self.name!r} must be a number, got {value!r}") from None
            else:
                raise Problem(f"variable {self.name!r} must be a number, got {_kind(value)}")
            if isinstance(result, float) and not math.isfinite(result):
                raise Problem(f"variable {self.name!r} must be a finite number, got {value!r}")
            return result
        raise Problem(f"variable {self.name!r} has unknown type {t!r}")  # pragma: no cover

    def _check_bounds(self, value: Any) -> None:
        if self.enum is not None and value not in self.enum:
            allowed = ", ".join(repr(v) for v in self.enum)
            raise Problem(f"variable {self.name!r} is {value!r}, which is not one of {allowed}")
        if isinstance(value, str):
            n = len(value)
            if self.max_length is not None and n > self.max_length:
                raise Problem(
                    f"variable {self.name!r} is {n:,} character{'s' * (n != 1)}, longer than "
                    f"its max_length {self.max_length:,}"
                )
            if self.min_length is not None and n < self.min_length:
                raise Problem(
                    f"variable {self.name!r} is {n:,} character{'s' * (n != 1)}, shorter than "
                    f"its min_length {self.min_length:,}"
                )
            if self._regex is not None and not self._regex.fullmatch(value):
                raise Problem(
                    f"variable {self.name!r} is {value!r}, which does not match its pattern "
                    f"{self.pattern!r}"
                )
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                raise Problem(f"variable {self.name!r} is {value}, below its minimum {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise Problem(f"variable {self.name!r} is {value}, above its maximum {self.maximum}")


class Problem(ValueError):
    """A value that does not fit its variable; the message names the variable."""

    def __init__(self, message: str, variable: str | None = None) -> None:
        super().__init__(message)
        self.variable = variable


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else type(value).__name__


def _number_text(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _is_calendar_date(text: str) -> bool:
    """2025-02-30 has the form of a date but names no day."""
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True
