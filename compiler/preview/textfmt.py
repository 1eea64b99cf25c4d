"""Message text as the apps show it: line breaks and links.

Links (``http(s)://…``, ``www.…``) are underlined but never followed: the preview makes no
network request. A provider whose app formats text (marks such as ``*bold*``) does that in
its own drawer (``compiler/providers/<name>/``), with :func:`link_spans` and
:func:`links` from here.

The result is a list of :mod:`.html` children: every piece of the text stays a string and
is escaped when the page is written.
"""

from __future__ import annotations

import re

from .html import Child, h

_LINK_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def plain(text: str) -> list[Child]:
    """Text with its links marked, no formatting (Viber business messages)."""
    return links(text)


def link_spans(line: str) -> list[tuple[int, int]]:
    """Where the links of ``line`` are: (start, end) offsets."""
    spans = []
    for match in _LINK_RE.finditer(line):
        end = match.end()
        while end > match.start() and line[end - 1] in _TRAILING:
            end -= 1
        spans.append((match.start(), end))
    return spans


def links(text: str) -> list[Child]:
    """``text`` with each link in a ``link`` span."""
    out: list[Child] = []
    pos = 0
    for start, end in link_spans(text):
        if start > pos:
            out.append(text[pos:start])
        out.append(h("span", {"class": "link"}, text[start:end]))
        pos = end
    if pos < len(text):
        out.append(text[pos:])
    return out
