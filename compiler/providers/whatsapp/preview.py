"""The WhatsApp-like chat screen: draws an ITNIO WhatsApp payload as the recipient sees it.

Text takes WhatsApp's formatting (``*bold*``, ``_italic_``, ``~strike~``, ```` ```mono``` ````),
line breaks and links. Media are placeholders with the file name (WhatsApp payloads carry
only a link: size and length are read from the file by the app, and the preview never
fetches it). Interactive messages get their header, body, footer and buttons; a list shows
its button and, below it, the sheet it opens (sections, rows, descriptions); a carousel
shows its cards in a horizontal strip; ``context.refMessageId`` shows as the quoted
message the reply refers to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...preview.base import Drawer, body, bubble, file_name, get, icon, items, link_target, media, note, text
from ...preview.html import Child, Node, h
from . import textfmt

_MEDIA_LABELS = {"image": "Image", "video": "Video", "document": "Document", "audio": "Audio",
                 "sticker": "Sticker"}
#: WhatsApp payloads carry only a link: the app learns the rest from the file.
_FROM_FILE = {"image": "size: read from the file by the app",
              "document": "size: read from the file by the app",
              "video": "size and length: read from the file by the app",
              "audio": "length: read from the file by the app"}


def formatted(value: Any, cls: str | None = None) -> Node | None:
    content = text(value)
    return body(textfmt.whatsapp(content), cls) if content is not None else None


class WhatsAppDrawer(Drawer):
    provider = "whatsapp"
    app = "WhatsApp-like"
    theme = "wa"

    def draw(self, payload: Mapping[str, Any], kind: str) -> list[Child]:
        kind = text(payload.get("type")) or ""
        quote = self._quote(payload)
        if kind == "text":
            return [bubble(quote, formatted(get(payload, "text", "body")))]
        if kind in _MEDIA_LABELS:
            return [self._media(kind, get(payload, kind) or {}, quote)]
        if kind == "location":
            return [self._location(get(payload, "location") or {}, quote)]
        if kind == "contacts":
            return [self._contacts(items(payload.get("contacts")), quote)]
        if kind == "interactive":
            return self._interactive(get(payload, "interactive") or {}, quote)
        return [bubble(quote, note(f"Unknown WhatsApp message type {kind!r}."))]

    # -- pieces -------------------------------------------------------------------------

    def _quote(self, payload: Mapping[str, Any]) -> Node | None:
        ref = text(get(payload, "context", "refMessageId"))
        if ref is None:
            return None
        return h("div", {"class": "quote"},
                 h("span", {"class": "quote-who"}, "Replying to a message"),
                 h("span", {"class": "quote-id"}, ref))

    def _media(self, kind: str, content: Mapping[str, Any], quote: Node | None) -> Node:
        link = content.get("link")
        if kind == "document":
            name = text(content.get("filename")) or file_name(link)
            ext = file_name(link).rsplit(".", 1)[-1].upper() if "." in file_name(link) else "FILE"
            placeholder = media("document", "Document", link, [ext, _FROM_FILE[kind]], name=name,
                                badge=ext[:4])
        elif kind == "sticker":
            placeholder = media("sticker", "Sticker", link, ["sticker"])
            return h("div", {"class": "sticker"}, quote, placeholder)
        else:
            placeholder = media(kind, _MEDIA_LABELS[kind], link,
                                [_MEDIA_LABELS[kind], _FROM_FILE[kind]])
        return bubble(quote, placeholder, formatted(content.get("caption"), "caption"),
                      cls="media-bubble")

    def _location(self, loc: Mapping[str, Any], quote: Node | None) -> Node:
        lat, lon = text(loc.get("latitude")), text(loc.get("longitude"))
        return bubble(
            quote,
            h("div", {"class": "map", "role": "img",
                      "aria-label": f"Map placeholder at {lat}, {lon}"}, icon("location")),
            h("div", {"class": "place"},
              h("strong", {"class": "place-name"}, text(loc.get("name")) or ""),
              h("span", {"class": "place-address"}, text(loc.get("address")) or ""),
              h("span", {"class": "place-coords"}, f"{lat}, {lon}")),
            cls="media-bubble")

    def _contacts(self, contacts: list[Any], quote: Node | None) -> Node:
        cards = []
        for contact in contacts:
            name = text(get(contact, "name", "formatted_name")) or " ".join(
                t for t in (text(get(contact, "name", k)) for k in ("first_name", "last_name")) if t)
            lines: list[Child] = []
            org = [text(get(contact, "org", k)) for k in ("company", "department", "title")]
            if any(org):
                lines.append(h("li", None, ", ".join(t for t in org if t)))
            for key, field in (("phones", "phone"), ("emails", "email"), ("urls", "url")):
                for entry in items(contact.get(key) if isinstance(contact, Mapping) else None):
                    value = text(get(entry, field))
                    kind = text(get(entry, "type"))
                    if value:
                        lines.append(h("li", None, value, kind and h("span", {"class": "muted"},
                                                                    f" {kind.lower()}")))
            for address in items(contact.get("addresses") if isinstance(contact, Mapping) else None):
                parts = [text(get(address, k)) for k in ("street", "city", "state", "zip",
                                                         "country")]
                if any(parts):
                    lines.append(h("li", None, ", ".join(p for p in parts if p)))
            birthday = text(get(contact, "birthday"))
            if birthday:
                lines.append(h("li", None, f"Birthday {birthday}"))
            cards.append(h("div", {"class": "contact"},
                           h("span", {"class": "avatar"}, icon("contact")),
                           h("div", None, h("strong", None, name or "(no name)"),
                             h("ul", {"class": "contact-lines"}, *lines))))
        actions = h("div", {"class": "bubble-actions"}, h("span", {"class": "action"}, "Message"),
                    h("span", {"class": "action"}, "Save contact"))
        return bubble(quote, *cards, actions, cls="media-bubble")

    def _interactive(self, inter: Mapping[str, Any], quote: Node | None) -> list[Child]:
        subtype = text(inter.get("type")) or ""
        header = get(inter, "header")
        head = None
        if isinstance(header, Mapping):
            head = formatted(header.get("text"), "header") if header.get("type") == "text" \
                else media(text(header.get("type")) or "image", "Header media",
                           get(header, text(header.get("type")) or "", "link"), [])
        main = bubble(quote, head, formatted(get(inter, "body", "text")),
                      formatted(get(inter, "footer", "text"), "footer"))
        action = get(inter, "action") or {}
        if subtype == "button":
            buttons = [h("span", {"class": "reply-button"}, icon("reply"),
                         text(get(b, "reply", "title")) or "")
                       for b in items(get(action, "buttons"))]
            return [h("div", {"class": "with-buttons"}, main,
                      h("div", {"class": "reply-buttons"}, *buttons))]
        if subtype == "list":
            return [h("div", {"class": "with-buttons"}, main,
                      h("div", {"class": "reply-buttons"},
                        h("span", {"class": "reply-button"}, icon("list"),
                          text(action.get("button")) or ""))),
                    self._sheet(action)]
        if subtype == "location_request_message":
            return [h("div", {"class": "with-buttons"}, main,
                      h("div", {"class": "reply-buttons"},
                        h("span", {"class": "reply-button"}, icon("location"),
                          "Send location")))]
        if subtype == "carousel":
            return [main, self._carousel(items(get(action, "cards")))]
        return [main, note(f"Unknown interactive type {subtype!r}.")]

    def _sheet(self, action: Mapping[str, Any]) -> Node:
        sections: list[Child] = []
        for section in items(action.get("sections")):
            rows = [h("li", {"class": "row"},
                      h("span", {"class": "row-text"},
                        h("span", {"class": "row-title"}, text(get(row, "title")) or ""),
                        text(get(row, "description")) and h(
                            "span", {"class": "row-desc"}, text(get(row, "description")))),
                      h("span", {"class": "radio", "aria-hidden": "true"}))
                    for row in items(get(section, "rows"))]
            title = text(get(section, "title"))
            sections.append(h("div", {"class": "section"},
                              title and h("p", {"class": "section-title"}, title),
                              h("ul", {"class": "rows"}, *rows)))
        return h("div", {"class": "sheet", "role": "group",
                         "aria-label": "The list as it opens when the button is tapped"},
                 h("p", {"class": "sheet-title"}, text(action.get("button")) or ""),
                 *sections,
                 h("span", {"class": "sheet-send", "aria-hidden": "true"}, "Send"))

    def _carousel(self, cards: list[Any]) -> Node:
        out = []
        for card in cards:
            header = get(card, "header")
            kind = text(get(header, "type")) or "image"
            head = media(kind, _MEDIA_LABELS.get(kind, "Media"), get(header, kind, "link"),
                         [_MEDIA_LABELS.get(kind, "Media")])
            action = get(card, "action") or {}
            buttons: list[Child] = []
            if get(action, "parameters") is not None or get(action, "name") is not None:
                buttons.append(h("span", {"class": "card-button"}, icon("link"),
                                 text(get(action, "parameters", "display_text")) or "",
                                 link_target(get(action, "parameters", "url"))))
            for b in items(get(action, "buttons")):
                buttons.append(h("span", {"class": "card-button"}, icon("reply"),
                                 text(get(b, "quick_reply", "title")) or ""))
            out.append(h("div", {"class": "card"}, head, formatted(get(card, "body", "text")),
                         h("div", {"class": "card-buttons"}, *buttons)))
        return h("div", {"class": "strip", "role": "region", "tabindex": "0",
                         "aria-label": f"Carousel of {len(cards)} cards (scrolls sideways)"},
                 *out)


DRAWER = WhatsAppDrawer()
