"""How a neutral message becomes an ITNIO WhatsApp request body (lowering).


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

from collections.abc import Mapping
from typing import Any

from ... import pointer as jp
from ..base import Lowered
from ..lowering import Trace, as_number, media_ptr, media_url, present

MAX_REPLY_BUTTONS = 3
_NEEDS_INTERACTIVE_RULES = {"header": "whatsapp-header-needs-interactive",
                            "footer": "whatsapp-footer-needs-interactive"}


def lower(message: Mapping[str, Any], settings: Mapping[str, Any],
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
        kind = _carousel(message, payload, t)
    elif message.get("menu"):
        kind = _menu(message, payload, t)
    elif message.get("choices"):
        kind = _choices(message, settings, payload, t)
    elif buttons:
        kind = _buttons(message, payload, t)
    elif message.get("request_location"):
        kind = _request_location(message, payload, t)
    elif message.get("location") is not None:
        kind = _location(message, payload, t)
    elif message.get("contacts"):
        kind = _contacts(message, payload, t)
    elif present(message, "image", "video", "document"):
        kind = _media(message, payload, t)
    elif present(message, "audio", "sticker"):
        kind = _bare_media(message, payload, t)
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

def _only(message: Mapping[str, Any], kind: str, allowed: set[str], t: Trace) -> None:
    """Report every field that a ``kind`` message cannot carry (never drop silently)."""
    fields = ("text", "header", "footer", "image", "video", "document", "audio", "sticker",
              "location", "request_location", "contacts", "buttons", "choices", "menu",
              "carousel")
    for key in present(message, *fields):
        if key not in allowed:
            t.error(jp.join("/message", key), "whatsapp-field-not-allowed",
                    f"a WhatsApp {kind} message cannot also carry `{key}`",
                    "send it as a separate message, or override it per target")

def _interactive(message: Mapping[str, Any], payload: dict[str, Any], t: Trace,
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

def _media(message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
    kinds = present(message, "image", "video", "document")
    kind = kinds[0]
    _only(message, kind, {kind, "text"}, t)
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

def _bare_media(message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
    kind = present(message, "audio", "sticker")[0]
    _only(message, kind, {kind}, t)
    payload["type"] = kind
    payload[kind] = {"link": media_url(message[kind])}
    t.at(f"/{kind}/link", media_ptr(message[kind], f"/message/{kind}"))
    return kind

def _location(message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
    _only(message, "location", {"location"}, t)
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

def _contacts(message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
    _only(message, "contacts", {"contacts"}, t)
    payload["type"] = "contacts"
    payload["contacts"] = message["contacts"]
    t.at("/contacts", "/message/contacts")
    return "contacts"

def _request_location(message: Mapping[str, Any], payload: dict[str, Any],
                      t: Trace) -> str:
    _only(message, "location request", {"text", "request_location"}, t)
    inter = _interactive(message, payload, t, "location_request_message",
                              header_footer=False)
    inter["action"] = {"name": "send_location"}
    return "interactive/location_request_message"

def _buttons(message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
    _only(message, "reply-button", {"text", "header", "footer", "buttons"}, t)
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
    inter = _interactive(message, payload, t, "button")
    inter["action"] = {"buttons": out}
    t.at("/interactive/action/buttons", "/message/buttons")
    return "interactive/button"

def _choices(message: Mapping[str, Any], settings: Mapping[str, Any],
             payload: dict[str, Any], t: Trace) -> str:
    _only(message, "choices", {"text", "header", "footer", "choices"}, t)
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
        inter = _interactive(message, payload, t, "button")
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
    inter = _interactive(message, payload, t, "list")
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

def _menu(message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
    _only(message, "menu", {"text", "header", "footer", "menu"}, t)
    menu = message["menu"]
    inter = _interactive(message, payload, t, "list")
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

def _carousel(message: Mapping[str, Any], payload: dict[str, Any], t: Trace) -> str:
    _only(message, "carousel", {"text", "carousel"}, t)
    inter = _interactive(message, payload, t, "carousel", header_footer=False)
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
        out["action"] = _card_action(card.get("buttons") or [], cp, op, t)
        cards.append(out)
        t.at(op, cp)
    inter["action"] = {"cards": cards}
    t.at("/interactive/action/cards", "/message/carousel")
    return "interactive/carousel"

def _card_action(buttons: list[Mapping[str, Any]], cp: str, op: str, t: Trace
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


def _decimal(number: int | float | None) -> str | None:
    if number is None:
        return None
    return repr(number) if isinstance(number, float) else str(number)
