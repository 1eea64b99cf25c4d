"""Message text as the apps show it: line breaks, links, and WhatsApp's formatting marks.

WhatsApp formats ``*bold*``, ``_italic_``, ``~strikethrough~`` and ````` ```monospace``` `````.
As in the app, a mark opens only at the start of a word (after a space, punctuation or the
start of the line) before a non-space character, closes after a non-space character at the
end of a word, never spans a line break (monospace may), and marks nest
(``*_bold italic_*``). Characters inside a link are never marks. Unmatched marks are shown
as typed. Links (``http(s)://…``, ``www.…``) are underlined but never followed: the preview
makes no network request.

The result is a list of :mod:`.html` children: every piece of the text stays a string and
is escaped when the page is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .html import Child, h

_LINK_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_MONO_RE = re.compile(r"```(.+?)```", re.DOTALL)
_MARKS = {"*": "strong", "_": "em", "~": "del"}


def plain(text: str) -> list[Child]:
    """Text with its links marked, no formatting (Viber business messages)."""
    return _links(text)


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


def _link_spans(line: str) -> list[tuple[int, int]]:
    spans = []
    for match in _LINK_RE.finditer(line):
        end = match.end()
        while end > match.start() and line[end - 1] in _TRAILING:
            end -= 1
        spans.append((match.start(), end))
    return spans


def _inline(line: str) -> list[Child]:
    spans = _link_spans(line)

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
                out.extend(_links(line[plain_start:i]))
                out.append(h(_MARKS[mark], None, *_inline(line[i + 1:close])))
                i = close + 1
                plain_start = i
                continue
        i += 1
    out.extend(_links(line[plain_start:]))
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


def _links(text: str) -> list[Child]:
    out: list[Child] = []
    pos = 0
    for start, end in _link_spans(text):
        if start > pos:
            out.append(text[pos:start])
        out.append(h("span", {"class": "link"}, text[start:end]))
        pos = end
    if pos < len(text):
        out.append(text[pos:])
    return out
