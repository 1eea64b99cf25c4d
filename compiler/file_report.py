"""What checking a tree of specs found: per file, and for the tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, sort_key

if TYPE_CHECKING:
    from .pipeline import Rendered
    from .spec import Spec


@dataclass(slots=True)
class FileReport:
    path: str
    spec: Spec | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    outputs: list[Rendered] = field(default_factory=list)
    name: str | None = None
    name_position: tuple[int | None, int | None] = (None, None)
    description: str | None = None
    not_a_spec: str | None = None   # found by a folder walk, and why it is not a spec

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


@dataclass(slots=True)
class TreeReport:
    files: list[FileReport] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)   # not tied to one file
    unreadable: bool = False

    def all_diagnostics(self) -> list[Diagnostic]:
        out = list(self.diagnostics)
        for f in self.files:
            out.extend(f.diagnostics)
        return sorted(out, key=sort_key)
