"""What every per-provider preview drawer supplies, and the pieces they share.

A drawer turns one lowered provider payload — exactly what would be sent — into the chat
screen of a recipient's app: bubbles, buttons, media placeholders. It reads nothing but the
payload, so the preview shows what the provider will receive, not what the spec meant.
A provider's drawer is the ``preview`` module of its package
(``compiler/providers/<name>/preview.py``), which defines a subclass of :class:`Drawer` and
exposes an instance as ``DRAWER``; :func:`drawer_for` finds it, and a provider without one
gets :class:`GenericDrawer` (every text of its payload in one bubble).

Payloads drawn here may break the provider's rules (the preview shows broken specs too),
so drawers read them through the tolerant getters below and never assume a type.
Media are placeholders: a URL is shown as its file name and is never fetched.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, ClassVar
from urllib.parse import urlsplit

from .html import Child, Node, classes, h

#: Every bubble shows the same clock time, so the pages are the same on every build.
BUBBLE_TIME = "12:00"


class Drawer(ABC):
    """Draws one provider's payloads as that provider's app would show them."""

    provider: ClassVar[str]     # provider name, as under `targets:`
    app: ClassVar[str]          # "WhatsApp-like": never the brand's own name alone
    theme: ClassVar[str]        # CSS class of the device frame

    @abstractmethod
    def draw(self, payload: Mapping[str, Any], kind: str) -> list[Child]:
        """The chat screen's content for ``payload`` (of message kind ``kind``)."""

    def texts(self, payload: Mapping[str, Any]) -> list[str]:
        """Every text of ``payload`` a reader sees (for the fallback drawing)."""
        return [t for _, t in string_leaves(payload)]


class GenericDrawer(Drawer):
    """For a provider without a drawer: every string of the payload in one bubble."""

    provider = ""
    app = "Generic"
    theme = "generic"

    def __init__(self, provider: str = "") -> None:
        self.name = provider

    def draw(self, payload: Mapping[str, Any], kind: str) -> list[Child]:
        rows = [h("div", {"class": "generic-row"}, h("span", {"class": "generic-key"}, ptr),
                  " ", text) for ptr, text in string_leaves(payload)]
        return [bubble(note(f"No chat mock-up for this provider: the payload's texts, "
                            f"message kind {kind}."), *rows)]


@cache
def drawer_for(provider: str) -> Drawer:
    """The drawer of ``provider``: ``DRAWER`` in its package's ``preview`` module."""
    from .. import providers

    module = providers.registry()[provider].part("preview") \
        if provider in providers.registry() else None
    drawer = getattr(module, "DRAWER", None)
    return drawer if isinstance(drawer, Drawer) and drawer.provider == provider \
        else GenericDrawer(provider)


# -- reading payloads that may not have the expected shape ----------------------------------

def get(node: Any, *path: str | int) -> Any:
    """``node[path[0]][path[1]]…``, or None where a step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and -len(node) <= step < len(node) \
                else None
        else:
            node = node.get(step) if isinstance(node, Mapping) else None
        if node is None:
            return None
    return node


def text(value: Any) -> str | None:
    """A payload value as text: strings as they are, numbers printed, anything else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def string_leaves(node: Any, ptr: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from string_leaves(value, f"{ptr}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from string_leaves(value, f"{ptr}/{i}")
    elif isinstance(node, str):
        yield ptr, node


# -- shared pieces of a chat screen -----------------------------------------------------------

def bubble(*children: Child, cls: str | None = None) -> Node:
    """An incoming message bubble (the business writes, the recipient reads)."""
    return h("div", {"class": classes("bubble", cls)}, *children,
             h("span", {"class": "time", "aria-hidden": "true"}, BUBBLE_TIME))


def body(children: list[Child], cls: str | None = None) -> Node:
    return h("div", {"class": classes("body", cls)}, *children)


def note(message: str) -> Node:
    return h("p", {"class": "screen-note"}, message)


def file_name(url: Any) -> str:
    """The name a media URL's file would have: the last part of its path."""
    value = text(url) or ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return value
    name = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return name or parts.netloc or value


def human_size(size: Any) -> str | None:
    if isinstance(size, bool) or not isinstance(size, (int, float)) or size < 0:
        return None
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" or value >= 10 else f"{value:.1f} {unit}"
        value /= 1024
    return None  # pragma: no cover


def duration(seconds: Any) -> str | None:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        return None
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def media(kind: str, label: str, url: Any, details: list[str | None], *,
          name: str | None = None, badge: str | None = None) -> Node:
    """A media placeholder: an icon, the file name and what is known about the file."""
    shown = name or file_name(url) or "(no file)"
    facts = " · ".join(d for d in details if d)
    return h("div", {"class": f"media media-{kind}", "role": "img",
                     "aria-label": f"{label} placeholder: {shown}" + (f", {facts}" if facts else "")},
             h("span", {"class": "media-icon"}, icon(kind), badge and h("span", {"class": "badge"}, badge)),
             h("span", {"class": "media-text"},
               h("span", {"class": "media-name"}, shown),
               h("span", {"class": "media-meta"}, facts or label)))


def link_target(url: Any) -> Node | None:
    """The URL a button opens, small under it, so reviewers can check it."""
    value = text(url)
    return h("span", {"class": "target"}, value) if value else None


_ICONS = {
    "image": "M4 5h16v14H4zM6 17h12l-4-5-3 4-2-2z",
    "video": "M8 5v14l11-7z",
    "document": "M6 2h8l5 5v15H6zM13 3v5h5",
    "audio": "M8 5v14l11-7z",
    "sticker": "M5 4h14v9l-6 6H5zM13 19v-6h6",
    "location": "M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7zm0 4a3 3 0 1 1 0 6 3 3 0 0 1 0-6z",
    "contact": "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-4 0-8 2-8 5v1h16v-1c0-3-4-5-8-5z",
    "list": "M4 6h16v2H4zm0 5h16v2H4zm0 5h16v2H4z",
    "reply": "M10 9V5l-7 7 7 7v-4c5 0 8 1.5 11 5-1-5-4-10-11-11z",
    "link": "M14 3h7v7h-2V6.4l-8.3 8.3-1.4-1.4L17.6 5H14zM5 5h6v2H7v10h10v-4h2v6H5z",
    "file": "M6 2h8l5 5v15H6zM13 3v5h5",
}


def icon(name: str) -> Node:
    return h("svg", {"class": f"icon icon-{name}", "viewBox": "0 0 24 24", "aria-hidden": "true",
                     "focusable": "false"},
             h("path", {"d": _ICONS.get(name, _ICONS["file"])}))
