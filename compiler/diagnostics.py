"""Diagnostics: the one shape every finding takes, from YAML parsing to provider answers.

A diagnostic says *where* (file, line, column and the JSON pointer of the node), *what*
(a stable rule id, a severity and a sentence) and, where it helps, *how to fix it* (a hint).
Every stage of the pipeline reports through this type, so the CLI can print them as text,
JSON, GitHub annotations or SARIF without knowing which stage produced them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding, located as precisely as the stage that found it could."""

    rule: str
    message: str
    severity: Severity = Severity.ERROR
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    hint: str | None = None
    provider: str | None = None
    locale: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def with_context(self, **changes: Any) -> Diagnostic:
        """A copy with the given fields filled in (only those still unset)."""
        fill = {k: v for k, v in changes.items() if getattr(self, k) is None and v is not None}
        return replace(self, **fill) if fill else self

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        where = self.location()
        context = []
        if self.provider:
            context.append(self.provider)
        if self.locale:
            context.append(f"locale {self.locale}")
        prefix = f"({', '.join(context)}) " if context else ""
        text = f"{where}: {self.severity.value}: {prefix}{self.message} [{self.rule}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return {k: v for k, v in data.items() if v is not None}


class MsgcError(Exception):
    """Raised by any stage that cannot go on; carries the diagnostics that explain why."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics) or "msgc error")

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.diagnostics)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.file or "", d.line or 0, d.column or 0, d.rule, d.message)


def close_matches(word: str, choices: Iterable[str], n: int = 1, cutoff: float = 0.6
                  ) -> list[str]:
    """``difflib.get_close_matches`` for "did you mean" hints, loading difflib only when a
    hint is wanted (a clean run never needs one)."""
    from difflib import get_close_matches

    return get_close_matches(word, list(choices), n=n, cutoff=cutoff)
