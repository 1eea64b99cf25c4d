"""WhatsApp through ITNIO Tech (``POST /wa/custom/sendMsg``): lowering, semantic rules.

Message type selection, from what the neutral message holds:

==============================================  =====================================
neutral message                                 type (interactive.type)
==============================================  =====================================
carousel (+ text)                               interactive (carousel)
menu (+ text, header, footer)                   interactive (list)
choices: up to 3 / more (+ text)                interactive (button) / (list)
reply buttons (+ text, header, footer)          interactive (button)
request_location (+ text)                       interactive (location_request_message)
location / contacts                             location / contacts
image, video, document (+ text as caption)      image / video / document
audio / sticker                                 audio / sticker
text                                            text
==============================================  =====================================

``reply_to`` adds ``context.refMessageId`` to any of them.

Choices made where the ITNIO document is silent or inconsistent (see README, "Provider
notes"): ``businessPhone`` is sent as a string (the table says String; some examples show
a number); location coordinates are strings (table) and the message always carries
``"type": "location"`` (the example omits it); a carousel card's ``parameters`` is an object
(the examples; the table says array); a card's header is required (error -308).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from .. import pointer as jp
from ..schemas import Finding
from .base import (
    CallbackFormat,
    EnvelopeField,
    Lowered,
    Provider,
    ResponseCode,
    SendOutcome,
    Trace,
    as_number,
    media_ptr,
    media_url,
    outcome,
    present,
    read_answer,
)
from .whatsapp_callbacks import ITNIOCallbacks

_CARDS = "/interactive/action/cards"
_CARD_INDEX = re.compile(r"/interactive/action/cards/\d+/card_index")
MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10

_CONTENT = ("text", "image", "video", "document", "audio", "sticker", "location", "contacts")
_NEEDS_INTERACTIVE_RULES = {"header": "whatsapp-header-needs-interactive",
                            "footer": "whatsapp-footer-needs-interactive"}
#: Rules for repeated titles and ids: of a message's reply buttons, of a card's quick replies.
_REPLY_UNIQUE_RULES = {"title": "whatsapp-reply-button-unique-title",
                       "id": "whatsapp-reply-button-unique-id"}
_QUICK_REPLY_UNIQUE_RULES_RULES = {"title": "whatsapp-quick-reply-button-unique-title",
                       "id": "whatsapp-quick-reply-button-unique-id"}


class WhatsApp(Provider):
    name = "whatsapp"
    label = "WhatsApp"
    payload_schema = "whatsapp.payload.schema.json"
    target_schema = "whatsapp.target.schema.json"
    semantic_fields = (
        r"/(reply|quick_reply)/(id|title)$",   # unique reply titles and ids
        r"^/location/",                        # coordinate ranges
        r"/card_index$",
    )
    envelope = (
        EnvelopeField("appId", "app_id", "ITNIO_APP_ID", "--app-id", "APPID"),
        EnvelopeField("businessPhone", "business_phone", "ITNIO_BUSINESS_PHONE",
                      "--business-phone", "10000000000", is_phone=True),
        EnvelopeField("recipient", None, None, "--to", "10000000001", is_recipient=True,
                      is_phone=True),
    )

    def lower(self, message: Mapping[str, Any], settings: Mapping[str, Any],
              envelope: Mapping[str, str]) -> Lowered:
        t = Trace()
        if message.get("otp"):
            t.error("/message/otp", "whatsapp-unsupported-otp",
                    "OTP templates cannot be sent through the WhatsApp custom message API",
                    "send the code as `text` within the 24-hour customer service window, or "
                    "drop whatsapp from this spec's targets")
        payload: dict[str, Any] = {
            "appId": envelope.get("appId"),
            "businessPhone": envelope.get("businessPhone"),
            "channelType": 0,
            "recipient": envelope.get("recipient"),
        }
        buttons = message.get("buttons") or []
        interactive = bool(message.get("carousel") or message.get("menu")
                           or message.get("choices") or buttons
                           or message.get("request_location"))
        if not interactive:
            for key in present(message, "header", "footer"):
                t.error(jp.join("/message", key), _NEEDS_INTERACTIVE_RULES[key],
                        f"WhatsApp shows a {key} only on list and reply-button messages",
                        "put it in `text`, or add `buttons`, `choices` or a `menu`")

        if message.get("carousel"):
            kind = self._carousel(message, payload, t)
        elif message.get("menu"):
            kind = self._menu(message, payload, t)
        elif message.get("choices"):
            kind = self._choices(message, settings, payload, t)
        elif buttons:
            kind = self._buttons(message, payload, t)
        elif message.get("request_location"):
            kind = self._request_location(message, payload, t)
        elif message.get("location") is not None:
            kind = self._location(message, payload, t)
        elif message.get("contacts"):
            kind = self._contacts(message, payload, t)
        elif present(message, "image", "video", "document"):
            kind = self._media(message, payload, t)
        elif present(message, "audio", "sticker"):
            kind = self._bare_media(message, payload, t)
        elif message.get("text") is not None:
            payload["type"] = "text"
            payload["text"] = {"body": message["text"]}
            t.at("/text/body", "/message/text")
            kind = "text"
        else:
            if not t.errors:
                t.error("/message", "message-empty", "the message has nothing WhatsApp can send")
            kind = "text"
        if message.get("reply_to") is not None:
            payload["context"] = {"refMessageId": message["reply_to"]}
            t.at("/context/refMessageId", "/message/reply_to")
        t.raise_if_errors()
        return Lowered(payload=payload, kind=kind, origins=t.origins)

    # -- helpers ------------------------------------------------------------------------

    def _only(self, message: Mapping[str, Any], kind: str, allowed: set[str], t: Trace) -> None:
        """Report every field that a ``kind`` message cannot carry (never drop silently)."""
        fields = ("text", "header", "footer", "image", "video", "document", "audio", "sticker",
                  "location", "request_location", "contacts", "buttons", "choices", "menu",
                  "carousel")
        for key in present(message, *fields):
            if key not in allowed:
                t.error(jp.join("/message", key), "whatsapp-field-not-allowed",
                        f"a WhatsApp {kind} message cannot also carry `{key}`",
                        "send it as a separate message, or override it per target")

    def _interactive(self, message: Mapping[str, Any], payload: dict[str, Any], t: Trace,
                     subtype: str, *, header_footer: bool = True) -> dict[str, Any]:
        payload["type"] = "interactive"
        inter: dict[str, Any] = {"type": subtype}
        payload["interactive"] = inter
        if header_footer and message.get("header") is not None:
            inter["header"] = {"type": "text", "text": message["header"]}
            t.at("/interactive/header/text", "/message/header")
        if message.get("text") is None:
            t.error("/message", "whatsapp-interactive-body",
                    f"a WhatsApp {subtype} message needs `text` (its body)")
        inter["body"] = {"text": message.get("text")}
        t.at("/interactive/body/text", "/message/text")
        if header_footer and message.get("footer") is not None:
            inter["footer"] = {"text": message["footer"]}
            t.at("/interactive/footer/text", "/message/footer")
        return inter

    def _media(self, message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
        kinds = present(message, "image", "video", "document")
        kind = kinds[0]
        self._only(message, kind, {kind, "text"}, t)
        value = message[kind]
        if kind == "document":
            content: dict[str, Any] = {"link": value.get("url"), "filename": value.get("filename")}
            t.at("/document/link", "/message/document/url")
            t.at("/document/filename", "/message/document/filename")
        elif kind == "video":
            for extra in ("thumbnail", "size", "duration"):
                if value.get(extra) is not None:
                    t.error(jp.join("/message/video", extra), "whatsapp-video-field",
                            f"WhatsApp videos take no `{extra}`; it would be dropped",
                            "keep it for Viber in targets.viber.message")
            content = {"link": value.get("url")}
            t.at("/video/link", "/message/video/url")
        else:
            content = {"link": media_url(value)}
            t.at(f"/{kind}/link", media_ptr(value, f"/message/{kind}"))
        if message.get("text") is not None:
            content["caption"] = message["text"]
            t.at(f"/{kind}/caption", "/message/text")
        payload["type"] = kind
        payload[kind] = content
        return kind

    def _bare_media(self, message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
        kind = present(message, "audio", "sticker")[0]
        self._only(message, kind, {kind}, t)
        payload["type"] = kind
        payload[kind] = {"link": media_url(message[kind])}
        t.at(f"/{kind}/link", media_ptr(message[kind], f"/message/{kind}"))
        return kind

    def _location(self, message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
        self._only(message, "location", {"location"}, t)
        loc = message["location"]
        lp = "/message/location"
        out: dict[str, Any] = {}
        for key, bound in (("longitude", 180), ("latitude", 90)):
            number = as_number(loc.get(key), jp.join(lp, key), f"location.{key}", t)
            if number is not None and not -bound <= number <= bound:
                t.error(jp.join(lp, key), "whatsapp-location-range",
                        f"location.{key} is {number}; it must lie within ±{bound}")
            value = loc.get(key)
            out[key] = value.strip() if isinstance(value, str) else _decimal(number)
            t.at(jp.join("/location", key), jp.join(lp, key))
        for key in ("name", "address"):
            if loc.get(key) is None:
                t.error(lp, "whatsapp-location-field",
                        f"a WhatsApp location needs `location.{key}`")
            out[key] = loc.get(key)
            t.at(jp.join("/location", key), jp.join(lp, key))
        payload["type"] = "location"
        payload["location"] = out
        return "location"

    def _contacts(self, message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
        self._only(message, "contacts", {"contacts"}, t)
        payload["type"] = "contacts"
        payload["contacts"] = message["contacts"]
        t.at("/contacts", "/message/contacts")
        return "contacts"

    def _request_location(self, message: Mapping[str, Any], payload: dict[str, Any],
                          t: Trace) -> str:
        self._only(message, "location request", {"text", "request_location"}, t)
        inter = self._interactive(message, payload, t, "location_request_message",
                                  header_footer=False)
        inter["action"] = {"name": "send_location"}
        return "interactive/location_request_message"

    def _buttons(self, message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
        self._only(message, "reply-button", {"text", "header", "footer", "buttons"}, t)
        buttons = message["buttons"]
        out = []
        for i, button in enumerate(buttons):
            bp = jp.join("/message/buttons", i)
            if "url" in button:
                t.error(jp.join(bp, "url"), "whatsapp-unsupported-link-button",
                        "the WhatsApp custom message API has no link buttons outside a carousel",
                        "keep the button for Viber and put the link in WhatsApp's text with an "
                        "override: targets.whatsapp.message: {buttons: null, text: \"... "
                        "https://...\"}; or use a one-card-per-link `carousel`")
                continue
            if button.get("id") is None:
                t.error(bp, "whatsapp-reply-button-id",
                        "a WhatsApp reply button needs an `id` (returned when it is tapped)")
            out.append({"type": "reply", "reply": {"id": button.get("id"),
                                                    "title": button["title"]}})
            op = jp.join("/interactive/action/buttons", len(out) - 1)
            t.at(op, bp)
            t.at(jp.join(op, "reply", "id"), jp.join(bp, "id"))
            t.at(jp.join(op, "reply", "title"), jp.join(bp, "title"))
        inter = self._interactive(message, payload, t, "button")
        inter["action"] = {"buttons": out}
        t.at("/interactive/action/buttons", "/message/buttons")
        return "interactive/button"

    def _choices(self, message: Mapping[str, Any], settings: Mapping[str, Any],
                 payload: dict[str, Any], t: Trace) -> str:
        self._only(message, "choices", {"text", "header", "footer", "choices"}, t)
        choices = message["choices"]
        rows = []
        for i, choice in enumerate(choices):
            cp = jp.join("/message/choices", i)
            if isinstance(choice, Mapping):
                row = {"id": choice.get("id", choice["title"]), "title": choice["title"]}
                if choice.get("description") is not None:
                    row["description"] = choice["description"]
                rows.append((row, cp, isinstance(choice, Mapping) and "id" in choice))
            else:
                rows.append(({"id": choice, "title": choice}, cp, False))
        has_description = any("description" in row for row, _, _ in rows)
        if len(rows) <= MAX_REPLY_BUTTONS and not has_description:
            inter = self._interactive(message, payload, t, "button")
            buttons = []
            for i, (row, cp, has_id) in enumerate(rows):
                op = jp.join("/interactive/action/buttons", i)
                buttons.append({"type": "reply", "reply": {"id": row["id"], "title": row["title"]}})
                t.at(op, cp)
                t.at(jp.join(op, "reply", "id"), jp.join(cp, "id") if has_id else cp)
                t.at(jp.join(op, "reply", "title"), jp.join(cp, "title") if has_id else cp)
            inter["action"] = {"buttons": buttons}
            t.at("/interactive/action/buttons", "/message/choices")
            return "interactive/button"
        label = settings.get("list_button")
        if label is None:
            t.error("/settings", "whatsapp-list-button-label",
                    f"{len(rows)} choices become a WhatsApp list, which needs a button label",
                    "set targets.whatsapp.list_button (the label that opens the list), "
                    "or use `menu`")
        inter = self._interactive(message, payload, t, "list")
        section: dict[str, Any] = {"title": settings.get("list_title", label), "rows": []}
        t.at("/interactive/action/sections/0/title",
             "/settings/list_title" if "list_title" in settings else "/settings/list_button")
        for i, (row, cp, has_id) in enumerate(rows):
            section["rows"].append(row)
            t.at(jp.join("/interactive/action/sections/0/rows", i), cp)
            for key in row:
                src = "title" if key == "id" and not has_id else key
                t.at(jp.join("/interactive/action/sections/0/rows", i, key),
                     jp.join(cp, src) if isinstance(choices[i], Mapping) else cp)
        inter["action"] = {"button": label, "sections": [section]}
        t.at("/interactive/action/button", "/settings/list_button")
        t.at("/interactive/action/sections/0/rows", "/message/choices")
        return "interactive/list"

    def _menu(self, message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
        self._only(message, "menu", {"text", "header", "footer", "menu"}, t)
        menu = message["menu"]
        inter = self._interactive(message, payload, t, "list")
        sections = []
        for i, section in enumerate(menu["sections"]):
            sp = jp.join("/message/menu/sections", i)
            op = jp.join("/interactive/action/sections", i)
            if section.get("title") is None:
                t.error(sp, "whatsapp-list-section-title",
                        "a WhatsApp list section needs a `title` (at most 24 characters)")
            sections.append({"title": section.get("title"), "rows": list(section["rows"])})
            t.at(op, sp)
            t.at(jp.join(op, "title"), jp.join(sp, "title"))
            t.at(jp.join(op, "rows"), jp.join(sp, "rows"))
            for j, row in enumerate(section["rows"]):
                for key in row:
                    t.at(jp.join(op, "rows", j, key), jp.join(sp, "rows", j, key))
        inter["action"] = {"button": menu["button"], "sections": sections}
        t.at("/interactive/action/button", "/message/menu/button")
        t.at("/interactive/action/sections", "/message/menu/sections")
        return "interactive/list"

    def _carousel(self, message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
        self._only(message, "carousel", {"text", "carousel"}, t)
        inter = self._interactive(message, payload, t, "carousel", header_footer=False)
        cards = []
        for i, card in enumerate(message["carousel"]):
            cp = jp.join("/message/carousel", i)
            op = jp.join("/interactive/action/cards", i)
            out: dict[str, Any] = {"card_index": i, "type": "cta_url"}
            media = present(card, "image", "video")
            if len(media) != 1:
                t.error(cp, "whatsapp-carousel-card-header",
                        "a WhatsApp carousel card needs exactly one `image` or `video` "
                        f"(its header); this one has {len(media) or 'none'}")
            else:
                kind = media[0]
                out["header"] = {"type": kind, kind: {"link": media_url(card[kind])}}
                t.at(jp.join(op, "header"), jp.join(cp, kind))
                t.at(jp.join(op, "header", kind, "link"), media_ptr(card[kind], jp.join(cp, kind)))
            title, text = card.get("title"), card.get("text")
            body: str | None
            if title is not None and text is not None:
                body = f"*{title}*\n\n{text}"
            else:
                body = text if text is not None else (f"*{title}*" if title is not None else None)
            if body is None:
                t.error(cp, "whatsapp-carousel-card-body",
                        "a WhatsApp carousel card needs `text` or `title` (its body)")
            out["body"] = {"text": body}
            t.at(jp.join(op, "body", "text"), jp.join(cp, "text" if text is not None else "title"))
            out["action"] = self._card_action(card.get("buttons") or [], cp, op, t)
            cards.append(out)
            t.at(op, cp)
        inter["action"] = {"cards": cards}
        t.at("/interactive/action/cards", "/message/carousel")
        return "interactive/carousel"

    def _card_action(self, buttons: list[Mapping[str, Any]], cp: str, op: str, t: Trace
                     ) -> dict[str, Any]:
        if not buttons:
            t.error(cp, "whatsapp-carousel-card-action",
                    "a WhatsApp carousel card needs one link button or 1-2 reply buttons")
            return {}
        links = [b for b in buttons if "url" in b]
        if links and len(links) != len(buttons):
            t.error(jp.join(cp, "buttons"), "whatsapp-carousel-card-action-kind",
                    "a WhatsApp carousel card has either one link button or reply buttons, "
                    "not both")
            return {}
        if links:
            if len(links) > 1:
                t.error(jp.join(cp, "buttons", 1), "whatsapp-carousel-card-links",
                        f"a WhatsApp carousel card has one link button; this one has {len(links)}")
            bp = jp.join(cp, "buttons", 0)
            t.at(jp.join(op, "action", "parameters", "display_text"), jp.join(bp, "title"))
            t.at(jp.join(op, "action", "parameters", "url"), jp.join(bp, "url"))
            t.at(jp.join(op, "action"), jp.join(cp, "buttons"))
            return {"name": "cta_url",
                    "parameters": {"display_text": links[0]["title"], "url": links[0]["url"]}}
        out = []
        for j, button in enumerate(buttons):
            bp = jp.join(cp, "buttons", j)
            if button.get("id") is None:
                t.error(bp, "whatsapp-reply-button-id",
                        "a WhatsApp quick-reply button needs an `id`")
            out.append({"type": "quick_reply",
                        "quick_reply": {"id": button.get("id"), "title": button["title"]}})
            bo = jp.join(op, "action", "buttons", j)
            t.at(bo, bp)
            t.at(jp.join(bo, "quick_reply", "id"), jp.join(bp, "id"))
            t.at(jp.join(bo, "quick_reply", "title"), jp.join(bp, "title"))
        t.at(jp.join(op, "action"), jp.join(cp, "buttons"))
        return {"buttons": out}

    # -- rules the schema cannot state -------------------------------------------------

    def validate(self, payload: Any) -> list[Finding]:
        """As :meth:`Provider.validate`, without findings that only follow from another:
        with too many carousel cards, the 11th card's ``card_index`` (10, written by msgc)
        breaks the 0-9 range too, which says nothing the card count does not."""
        findings = super().validate(payload)
        if any(f.pointer == _CARDS and f.keyword == "maxItems" for f in findings):
            findings = [f for f in findings if not _CARD_INDEX.fullmatch(f.pointer)]
        return findings

    def check_payload(self, payload: Any) -> list[Finding]:
        if not isinstance(payload, Mapping):
            return []
        out: list[Finding] = []
        inter = payload.get("interactive")
        if payload.get("type") == "location":
            out += _check_location(payload.get("location"))
        if not isinstance(inter, Mapping):
            return out
        action = inter.get("action")
        if not isinstance(action, Mapping):
            return out
        kind = inter.get("type")
        if kind == "button":
            out += _unique(action.get("buttons"), "/interactive/action/buttons", "reply",
                           "reply button", _REPLY_UNIQUE_RULES)
        elif kind == "list":
            out += _check_rows(action.get("sections"))
        elif kind == "carousel":
            out += _check_cards(action.get("cards"))
        return out


def _decimal(number: int | float | None) -> str | None:
    if number is None:
        return None
    return repr(number) if isinstance(number, float) else str(number)


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _unique(buttons: Any, base: str, key: str, what: str, rules: Mapping[str, str]
            ) -> list[Finding]:
    """Reply titles and ids must be unique among the buttons of one message (or one card:
    the ITNIO carousel example repeats a quick reply on every card, so uniqueness is
    checked per card there)."""
    out = []
    seen: dict[str, dict[Any, int]] = {"title": {}, "id": {}}
    for i, button in enumerate(buttons if isinstance(buttons, list) else []):
        inner = button.get(key) if isinstance(button, Mapping) else None
        if not isinstance(inner, Mapping):
            continue
        for field in ("title", "id"):
            value = inner.get(field)
            if not isinstance(value, str):
                continue
            norm = value.strip().casefold() if field == "title" else value
            if norm in seen[field]:
                first = seen[field][norm] + 1
                out.append(Finding(
                    jp.join(base, i, key, field), rules[field],
                    f"{what} {i + 1} has the same {field} as {what} {first} ({value!r}); "
                    f"WhatsApp requires unique {field}s in a message",
                ))
            else:
                seen[field][norm] = i
    return out


def _check_rows(sections: Any) -> list[Finding]:
    total = 0
    out = []
    for i, section in enumerate(_items(sections)):
        rows = section.get("rows")
        if not isinstance(rows, list):
            continue
        for j, _ in enumerate(rows):
            total += 1
            if total == MAX_LIST_ROWS + 1:
                out.append(Finding(
                    jp.join("/interactive/action/sections", i, "rows", j), "whatsapp-list-rows-total",
                    f"the list has more than {MAX_LIST_ROWS} rows across its sections; "
                    f"WhatsApp allows {MAX_LIST_ROWS} in total",
                ))
    return out


def _check_cards(cards: Any) -> list[Finding]:
    out = []
    base = "/interactive/action/cards"
    kinds: list[tuple[int, str]] = []
    for i, card in enumerate(_items(cards)):
        if card.get("card_index") != i:
            out.append(Finding(
                jp.join(base, i, "card_index"), "whatsapp-carousel-card-index",
                f"card {i + 1} has card_index {card.get('card_index')!r}; card indexes must "
                f"count 0, 1, 2, ... in order (expected {i})",
            ))
        action = card.get("action")
        if not isinstance(action, Mapping):
            continue
        has_link, has_quick = "name" in action or "parameters" in action, "buttons" in action
        if has_link and has_quick:
            out.append(Finding(
                jp.join(base, i, "action"), "whatsapp-carousel-card-action-kind",
                "a card action is either a cta_url link or quick-reply buttons, not both",
            ))
            continue
        if has_link or has_quick:
            kinds.append((i, "cta_url" if has_link else "quick_reply"))
        if has_quick:
            out += _unique(action.get("buttons"), jp.join(base, i, "action", "buttons"),
                           "quick_reply", "quick-reply button", _QUICK_REPLY_UNIQUE_RULES_RULES)
    if kinds:
        first_card, first_kind = kinds[0]
        for i, kind in kinds[1:]:
            if kind != first_kind:
                out.append(Finding(
                    jp.join(base, i, "action"), "whatsapp-carousel-same-action",
                    f"card {i + 1} uses {kind} buttons but card {first_card + 1} uses "
                    f"{first_kind}; every card of a WhatsApp carousel uses the same kind",
                ))
    return out


def _check_location(loc: Any) -> list[Finding]:
    if not isinstance(loc, Mapping):
        return []
    out = []
    for key, bound in (("latitude", 90), ("longitude", 180)):
        value = loc.get(key)
        try:
            number = float(value) if isinstance(value, str) else None
        except ValueError:
            number = None
        if number is not None and not -bound <= number <= bound:
            out.append(Finding(jp.join("/location", key), "whatsapp-location-range",
                               f"{key} is {value}; it must lie within ±{bound}"))
    return out



# -- sending (ITNIO API) --------------------------------------------------------------------
# Facts from the ITNIO document (headers, response envelope, status codes -68 ... -331) and
# /work/shared/providers/AUTH.md (the Sign rule and the account-level codes -1, -2, -16,
# -18, -22 "seen in their other APIs"). The methods are declared, with their contracts, in
# Provider (base.py); compiler.sending is the only caller.

def _c(code: str, meaning: str, hint: str | None = None, retryable: bool = False
       ) -> ResponseCode:
    return ResponseCode(code, meaning, retryable, hint)


_CAROUSEL = "carousel interactive message"
#: Every documented status. Only -18 ("system error", a server-side failure answered
#: without a message id) is retried; the rest are account or request errors.
ITNIO_CODES: dict[str, ResponseCode] = {c.code: c for c in (
    _c("0", "success"),
    _c("-1", "authentication error", "check ITNIO_API_KEY and ITNIO_API_SECRET"),
    _c("-2", "IP restriction", "allow this machine's IP address in the ITNIO console"),
    _c("-16", "timestamp expired", "check this machine's clock (NTP)"),
    _c("-18", "system error", retryable=True),
    _c("-22", "parameter error", "check the request against the ITNIO document"),
    _c("-68", "insufficient balance", "top up the ITNIO account"),
    _c("-69", "rate does not exist", "no price is configured for this destination"),
    _c("-70", "recipient number longer than 14 digits"),
    _c("-71", "recipient number shorter than 7 digits"),
    _c("-72", "recipient number format error: it must be digits"),
    _c("-93", "business number longer than 14 digits"),
    _c("-94", "business number shorter than 7 digits"),
    _c("-95", "business number must be digits only"),
    _c("-96", "business number does not exist", "check ITNIO_BUSINESS_PHONE"),
    _c("-97", "business number status error", "the business number is not active"),
    _c("-112", "channelType can only be 0"),
    _c("-114", "text message: text must not be empty"),
    _c("-115", "text message: body must not be empty"),
    _c("-116", "image message: image must not be empty"),
    _c("-117", "image message: link must not be empty"),
    _c("-118", "audio message: audio must not be empty"),
    _c("-119", "audio message: link must not be empty"),
    _c("-120", "video message: video must not be empty"),
    _c("-121", "video message: link must not be empty"),
    _c("-122", "sticker message: sticker must not be empty"),
    _c("-123", "sticker message: link must not be empty"),
    _c("-124", "document message: document must not be empty"),
    _c("-125", "document message: link must not be empty"),
    _c("-127", "location message: location must not be empty"),
    _c("-128", "location message: longitude must not be empty"),
    _c("-129", "location message: latitude must not be empty"),
    _c("-132", "unknown message type"),
    _c("-133", "link address format error"),
    _c("-134", "parameter type error"),
    _c("-135", "parameter variable values must not be empty"),
    _c("-165", "custom interactive message type must be one of list, button, "
               "location_request_message, carousel"),
    _c("-304", f"{_CAROUSEL}s do not support header and footer components"),
    _c("-305", f"{_CAROUSEL}s allow only 2-10 cards"),
    _c("-306", f"{_CAROUSEL} card indexes must be 0-9, from 0, unique and consecutive"),
    _c("-307", f"{_CAROUSEL} card type must be \"cta_url\""),
    _c("-308", f"{_CAROUSEL} card header must not be empty"),
    _c("-309", f"{_CAROUSEL} card header type must be image or video"),
    _c("-310", f"{_CAROUSEL} card header media link must not be empty"),
    _c("-311", f"{_CAROUSEL} card body text must not be empty nor exceed 160 characters"),
    _c("-312", f"{_CAROUSEL} card action must not be empty"),
    _c("-313", f"{_CAROUSEL} card URL button name must be \"cta_url\""),
    _c("-314", f"{_CAROUSEL} card URL button parameters must not be empty"),
    _c("-315", f"{_CAROUSEL} card URL button display_text must not be empty nor exceed 20 "
               "characters"),
    _c("-316", f"{_CAROUSEL} card URL button url must not be empty"),
    _c("-317", f"{_CAROUSEL} cards have only 1-2 quick reply buttons"),
    _c("-318", f"{_CAROUSEL} card quick reply button type must be \"quick_reply\""),
    _c("-319", f"{_CAROUSEL} card quick reply button quick_reply must not be empty"),
    _c("-320", f"{_CAROUSEL} card quick_reply id must not be empty nor exceed 20 characters"),
    _c("-321", f"{_CAROUSEL} card quick_reply title must not be empty nor exceed 20 "
               "characters"),
    _c("-322", f"{_CAROUSEL} card component parameter error"),
    _c("-329", f"{_CAROUSEL} main message body must not be empty"),
    _c("-330", f"{_CAROUSEL} body text must not be empty nor exceed 1,024 characters"),
    _c("-331", f"{_CAROUSEL} card buttons must be either URL buttons or quick replies"),
)}

_MEDIA_CODES = {"image": ("-116", "-117"), "audio": ("-118", "-119"),
                "video": ("-120", "-121"), "sticker": ("-122", "-123"),
                "document": ("-124", "-125")}
_LINK_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)


def itnio_sign(api_key: str, api_secret: str, timestamp: str) -> str:
    """ITNIO's ``Sign``: ``md5(apiKey + apiSecret + timestamp)``, lower-case hex (the body
    is not signed)."""
    data = (api_key + api_secret + timestamp).encode("utf-8")
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _filled(value: Any, limit: int | None = None) -> bool:
    ok = isinstance(value, str) and value.strip() != ""
    return ok and (limit is None or len(value) <= limit)


def _number_code(value: Any, too_long: str, too_short: str, not_digits: str) -> str | None:
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        return not_digits
    if len(value) > 14:
        return too_long
    return too_short if len(value) < 7 else None


def _link_code(link: Any, empty: str) -> str | None:
    if not _filled(link):
        return empty
    return None if _LINK_RE.match(link) else "-133"


def itnio_payload_code(p: Mapping[str, Any]) -> str | None:
    """The ITNIO status a payload earns by the documented checks, or ``None``."""
    code = (_number_code(p.get("recipient"), "-70", "-71", "-72")
            or _number_code(p.get("businessPhone"), "-93", "-94", "-95"))
    if code:
        return code
    if p.get("channelType") != 0 or isinstance(p.get("channelType"), bool):
        return "-112"
    kind = p.get("type")
    content = p.get(kind) if isinstance(kind, str) else None
    if kind == "text":
        if not isinstance(content, Mapping):
            return "-114"
        return None if _filled(content.get("body")) else "-115"
    if kind in _MEDIA_CODES:
        empty, no_link = _MEDIA_CODES[kind]
        if not isinstance(content, Mapping):
            return empty
        return _link_code(content.get("link"), no_link)
    if kind == "location":
        if not isinstance(content, Mapping):
            return "-127"
        for key, missing in (("longitude", "-128"), ("latitude", "-129")):
            if content.get(key) in (None, ""):
                return missing
        return None
    if kind == "interactive":
        if not isinstance(content, Mapping) or content.get("type") not in (
                "list", "button", "location_request_message", "carousel"):
            return "-165"
        return _carousel_code(content) if content.get("type") == "carousel" else None
    return None if kind == "contacts" else "-132"


def _carousel_code(inter: Mapping[str, Any]) -> str | None:
    if "header" in inter or "footer" in inter:
        return "-304"
    body = inter.get("body")
    if not isinstance(body, Mapping):
        return "-329"
    if not _filled(body.get("text"), 1024):
        return "-330"
    action = inter.get("action")
    cards = action.get("cards") if isinstance(action, Mapping) else None
    if not isinstance(cards, list) or not 2 <= len(cards) <= 10:
        return "-305"
    if [c.get("card_index") if isinstance(c, Mapping) else None for c in cards] != list(
            range(len(cards))):
        return "-306"
    for card in cards:
        code = _card_code(card)
        if code:
            return code
    return None


def _card_code(card: Mapping[str, Any]) -> str | None:
    if card.get("type") != "cta_url":
        return "-307"
    header = card.get("header")
    if not isinstance(header, Mapping):
        return "-308"
    kind = header.get("type")
    if kind not in ("image", "video"):
        return "-309"
    media = header.get(kind)
    code = _link_code(media.get("link") if isinstance(media, Mapping) else None, "-310")
    if code:
        return code
    body = card.get("body")
    if not isinstance(body, Mapping) or not _filled(body.get("text"), 160):
        return "-311"
    action = card.get("action")
    if not isinstance(action, Mapping) or not action:
        return "-312"
    link, quick = "name" in action or "parameters" in action, "buttons" in action
    if link and quick:
        return "-331"
    if link:
        if action.get("name") != "cta_url":
            return "-313"
        params = action.get("parameters")
        if not isinstance(params, Mapping) or not params:
            return "-314"
        if not _filled(params.get("display_text"), 20):
            return "-315"
        return _link_code(params.get("url"), "-316")
    buttons = action.get("buttons")
    if not quick:
        return "-322"
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 2:
        return "-317"
    for button in buttons:
        if not isinstance(button, Mapping) or button.get("type") != "quick_reply":
            return "-318"
        reply = button.get("quick_reply")
        if not isinstance(reply, Mapping):
            return "-319"
        if not _filled(reply.get("id"), 20):
            return "-320"
        if not _filled(reply.get("title"), 20):
            return "-321"
    return None


class ITNIOTransport(Provider):
    """The ITNIO transport of a provider: signing, answers, and the fake server's checks."""

    default_base_url: ClassVar[str] = "https://api.itniotech.com"
    endpoint_path: ClassVar[str] = "/wa/custom/sendMsg"
    base_url_env: ClassVar[str] = "MSGC_ITNIO_BASE_URL"
    credential_names: ClassVar[tuple[str, ...]] = ("ITNIO_API_KEY", "ITNIO_API_SECRET")
    secret_headers: ClassVar[tuple[str, ...]] = ("Api-Key", "Sign")
    #: Undocumented for ITNIO; the fake holds it to NXCloud's 60 s, so a client that passes
    #: the fake passes a more lenient server too.
    timestamp_skew: ClassVar[float] = 60.0
    response_codes: ClassVar[Mapping[str, ResponseCode]] = ITNIO_CODES
    callbacks: ClassVar[CallbackFormat | None] = ITNIOCallbacks(ITNIO_CODES)
    #: "Custom (free-form) messages may only be sent within 24 h of the user's last
    #: message" (AUTH.md): the custom API refuses them outside that window.
    session_window: ClassVar[float | None] = 24 * 3600.0
    session_account: ClassVar[str | None] = "businessPhone"

    def sign(self, body: bytes, credentials: Mapping[str, str], now: float) -> dict[str, str]:
        timestamp = str(int(now))
        key = credentials["ITNIO_API_KEY"]
        return {
            "Content-Type": "application/json;charset=UTF-8",
            "Api-Key": key,
            "Timestamp": timestamp,
            "Sign": itnio_sign(key, credentials["ITNIO_API_SECRET"], timestamp),
        }

    def parse_response(self, status: int, body: bytes) -> SendOutcome:
        answer = read_answer(status, body)
        if isinstance(answer, SendOutcome):
            return answer
        code = answer.get("status")
        if isinstance(code, bool) or not isinstance(code, (int, str)) or str(code) == "":
            return outcome("unreadable", code=f"HTTP {status}",
                           message="the answer has no `status`; the message may or may "
                                   "not have been accepted")
        code = str(code).strip()
        if code == "0":
            data = answer.get("data")
            message_id = data.get("messageId") if isinstance(data, Mapping) else None
            return outcome("success", message_id=str(message_id) if message_id else None,
                           code="0", message="success")
        return self.code_outcome(code, answer.get("reason"))

    def verify_request(self, headers: Mapping[str, str], body: bytes,
                       credentials: Mapping[str, str], now: float) -> str | None:
        key, timestamp, sign = (headers.get(n) for n in ("api-key", "timestamp", "sign"))
        if not key or not timestamp or not sign:
            return "-1"
        if key != credentials.get("ITNIO_API_KEY") or sign != itnio_sign(
                key, credentials.get("ITNIO_API_SECRET", ""), timestamp):
            return "-1"
        if not timestamp.isdigit() or abs(int(timestamp) - now) > self.timestamp_skew:
            return "-16"
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return "-22"
        if not isinstance(payload, Mapping):
            return "-22"
        return itnio_payload_code(payload) or ("-22" if self.validate(payload) else None)

    def success_body(self, message_id: str) -> bytes:
        return json.dumps({"status": "0", "reason": "success", "data": {
            "channelType": 0, "messageId": message_id, "timestamp": int(time.time())}}).encode()

    def error_body(self, code: str) -> bytes:
        info = self.response_codes.get(code)
        return json.dumps({"status": code, "reason": info.meaning if info else "failure"},
                          ensure_ascii=False).encode()


class ITNIOWhatsApp(ITNIOTransport, WhatsApp):
    """WhatsApp lowering with the ITNIO transport: the registered provider."""


PROVIDER = ITNIOWhatsApp()
