"""WhatsApp's text formatting as the app shows it, for the WhatsApp-like chat screen.

WhatsApp formats ``*bold*``, ``_italic_``, ``~strikethrough~`` and ````` ```monospace``` `````.
As in the app, a mark opens only at the start of a word (after a space, punctuation or the
start of the line) before a non-space character, closes after a non-space character at the
end of a word, never spans a line break (monospace may), and marks nest
(``*_bold italic_*``). Characters inside a link are never marks. Unmatched marks are shown
as typed. Links are found (and never followed) as on every screen (:mod:`compiler.preview.textfmt`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...preview.html import Child, h
from ...preview.textfmt import link_spans, links

_MONO_RE = re.compile(r"```(.+?)```", re.DOTALL)
_MARKS = {"*": "strong", "_": "em", "~": "del"}


def whatsapp(text: str) -> list[Child]:
    """Text with WhatsApp's formatting applied."""
    out: list[Child] = []
    pos = 0
    for match in _MONO_RE.finditer(text):
        out.extend(_lines(text[pos:match.start()]))
        out.append(h("code", {"class": "mono"}, match.group(1)))
        pos = match.end()
    out.extend(_lines(text[pos:]))
    return out


def _lines(text: str) -> list[Child]:
    out: list[Child] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("\n")
        out.extend(_inline(line))
    return out


def _inline(line: str) -> list[Child]:
    spans = link_spans(line)

    def in_link(i: int) -> bool:
        return any(start <= i < end for start, end in spans)

    out: list[Child] = []
    plain_start = 0
    i = 0
    while i < len(line):
        mark = line[i]
        if mark in _MARKS and not in_link(i) and _opens(line, i):
            close = _closing(line, i, in_link)
            if close is not None:
                out.extend(links(line[plain_start:i]))
                out.append(h(_MARKS[mark], None, *_inline(line[i + 1:close])))
                i = close + 1
                plain_start = i
                continue
        i += 1
    out.extend(links(line[plain_start:]))
    return out


def _opens(line: str, i: int) -> bool:
    before_ok = i == 0 or not line[i - 1].isalnum()
    return before_ok and i + 1 < len(line) and not line[i + 1].isspace() \
        and line[i + 1] != line[i]


def _closing(line: str, i: int, in_link: Callable[[int], bool]) -> int | None:
    mark = line[i]
    for j in range(i + 2, len(line)):
        if line[j] != mark or in_link(j):
            continue
        if not line[j - 1].isspace() and (j + 1 == len(line) or not line[j + 1].isalnum()):
            return j
    return None
