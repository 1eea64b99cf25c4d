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

from collections.abc import Callable, Mapping
from typing import Any

from ... import pointer as jp
from ..base import Lowered
from ..lowering import (
    Alone,
    In,
    Kind,
    Out,
    Trace,
    filled,
    given,
    media,
    number,
    pick,
    present,
    truthy,
)

MAX_REPLY_BUTTONS = 3
_NEEDS_INTERACTIVE_RULES = {"header": "whatsapp-header-needs-interactive",
                            "footer": "whatsapp-footer-needs-interactive"}

#: A lowering function: the message (an In at /message), the payload being built (an Out at
#: its root), the target settings (an In at /settings) and the trace; returns the kind.
Lower = Callable[[In, Out, In, Trace], str]


def lower(message: Mapping[str, Any], settings: Mapping[str, Any],
          envelope: Mapping[str, str]) -> Lowered:
    t = Trace()
    if message.get("otp"):
        t.error("/message/otp", "whatsapp-unsupported-otp",
                "OTP templates cannot be sent through the WhatsApp custom message API",
                "send the code as `text` within the 24-hour customer service window, or "
                "drop whatsapp from this spec's targets")
    payload = Out(t, "", {
        "appId": envelope.get("appId"),
        "businessPhone": envelope.get("businessPhone"),
        "channelType": 0,
        "recipient": envelope.get("recipient"),
    })
    row = pick(KINDS, message)
    if row is None or row.lower not in _INTERACTIVE:
        for key in present(message, "header", "footer"):
            t.error(jp.join("/message", key), _NEEDS_INTERACTIVE_RULES[key],
                    f"WhatsApp shows a {key} only on list and reply-button messages",
                    "put it in `text`, or add `buttons`, `choices` or a `menu`")
    msg = In(message, "/message")
    if row is not None:
        row.check(message, t)
        kind = row.lower(msg, payload, In(settings, "/settings"), t)
    else:
        if not t.errors:
            t.error("/message", "message-empty", "the message has nothing WhatsApp can send")
        kind = "text"
    if msg.has("reply_to"):
        payload.node("context").put("refMessageId", msg["reply_to"])
    t.raise_if_errors()
    return Lowered(payload=payload.data, kind=kind, origins=t.origins)

# -- one function per kind -----------------------------------------------------------------

def _interactive(msg: In, payload: Out, t: Trace, subtype: str, *,
                 header_footer: bool = True) -> Out:
    payload.data["type"] = "interactive"
    inter = payload.node("interactive")
    inter.data["type"] = subtype
    if header_footer and msg.has("header"):
        header = inter.node("header")
        header.data["type"] = "text"
        header.put("text", msg["header"])
    if not msg.has("text"):
        t.error("/message", "whatsapp-interactive-body",
                f"a WhatsApp {subtype} message needs `text` (its body)")
    inter.node("body").put("text", msg["text"])
    if header_footer and msg.has("footer"):
        inter.node("footer").put("text", msg["footer"])
    return inter

def _text(msg: In, payload: Out, settings: In, t: Trace) -> str:
    payload.data["type"] = "text"
    payload.node("text").put("body", msg["text"])
    return "text"

def _media(kind: str) -> Lower:
    """Lowering of a media message of ``kind`` (image, video, document, audio, sticker);
    its text is the caption."""
    def lower(msg: In, payload: Out, settings: In, t: Trace) -> str:
        node = msg[kind]
        if kind == "video":
            for extra in ("thumbnail", "size", "duration"):
                if node.has(extra):
                    t.error(node[extra].ptr, "whatsapp-video-field",
                            f"WhatsApp videos take no `{extra}`; it would be dropped",
                            "keep it for Viber in targets.viber.message")
        payload.data["type"] = kind
        content = payload.node(kind)
        if kind == "document":
            content.put("link", node["url"])
            content.put("filename", node["filename"])
        elif kind == "video":
            content.put("link", node["url"])
        else:
            content.put("link", media(node))
        if msg.has("text"):
            content.put("caption", msg["text"])
        return kind
    return lower

def _location(msg: In, payload: Out, settings: In, t: Trace) -> str:
    loc = msg["location"]
    payload.data["type"] = "location"
    out = payload.node("location")
    for key, bound in (("longitude", 180), ("latitude", 90)):
        value = number(loc[key], f"location.{key}", t)
        if value is not None and not -bound <= value <= bound:
            t.error(loc[key].ptr, "whatsapp-location-range",
                    f"location.{key} is {value}; it must lie within ±{bound}")
        given_value = loc.get(key)
        out.put(key, loc[key],
                given_value.strip() if isinstance(given_value, str) else _decimal(value))
    for key in ("name", "address"):
        if not loc.has(key):
            t.error(loc.ptr, "whatsapp-location-field",
                    f"a WhatsApp location needs `location.{key}`")
        out.put(key, loc[key])
    return "location"

def _contacts(msg: In, payload: Out, settings: In, t: Trace) -> str:
    payload.data["type"] = "contacts"
    payload.put("contacts", msg["contacts"])
    return "contacts"

def _request_location(msg: In, payload: Out, settings: In, t: Trace) -> str:
    inter = _interactive(msg, payload, t, "location_request_message", header_footer=False)
    inter.data["action"] = {"name": "send_location"}
    return "interactive/location_request_message"

def _buttons(msg: In, payload: Out, settings: In, t: Trace) -> str:
    # The buttons are read before the body, so their findings come first.
    buttons = Out(t, "/interactive/action/buttons", [])
    for button in msg["buttons"]:
        if "url" in button.value:
            t.error(button["url"].ptr, "whatsapp-unsupported-link-button",
                    "the WhatsApp custom message API has no link buttons outside a carousel",
                    "keep the button for Viber and put the link in WhatsApp's text with an "
                    "override: targets.whatsapp.message: {buttons: null, text: \"... "
                    "https://...\"}; or use a one-card-per-link `carousel`")
            continue
        if not button.has("id"):
            t.error(button.ptr, "whatsapp-reply-button-id",
                    "a WhatsApp reply button needs an `id` (returned when it is tapped)")
        _reply(buttons, button, button["id"], button["title"])
    inter = _interactive(msg, payload, t, "button")
    inter.node("action").put("buttons", msg["buttons"], buttons.data)
    return "interactive/button"

def _reply(buttons: Out, source: In, id_: In, title: In, value: Any = None) -> None:
    """A reply button at the end of ``buttons`` (``value``: its id and title, when they
    are not ``id_``'s and ``title``'s)."""
    out = buttons.node(len(buttons.data), source)
    out.data["type"] = "reply"
    reply = out.node("reply")
    reply.put("id", id_, id_.value if value is None else value["id"])
    reply.put("title", title, title.value if value is None else value["title"])

def _choices(msg: In, payload: Out, settings: In, t: Trace) -> str:
    rows: list[tuple[dict[str, Any], In, bool]] = []   # the row, its choice, whether it has an id
    for choice in msg["choices"]:
        if isinstance(choice.value, Mapping):
            row = {"id": choice.value.get("id", choice.value["title"]),
                   "title": choice.value["title"]}
            if choice.has("description"):
                row["description"] = choice.get("description")
            rows.append((row, choice, "id" in choice.value))
        else:
            rows.append(({"id": choice.value, "title": choice.value}, choice, False))
    has_description = any("description" in row for row, _, _ in rows)
    if len(rows) <= MAX_REPLY_BUTTONS and not has_description:
        inter = _interactive(msg, payload, t, "button")
        buttons = inter.node("action").node("buttons", msg["choices"], array=True)
        for row, choice, has_id in rows:
            _reply(buttons, choice, choice["id"] if has_id else choice,
                   choice["title"] if has_id else choice, row)
        return "interactive/button"
    label = settings.get("list_button")
    if label is None:
        t.error("/settings", "whatsapp-list-button-label",
                f"{len(rows)} choices become a WhatsApp list, which needs a button label",
                "set targets.whatsapp.list_button (the label that opens the list), "
                "or use `menu`")
    inter = _interactive(msg, payload, t, "list")
    action = inter.node("action")
    action.put("button", settings["list_button"])
    section = action.node("sections", array=True).node(0)
    section.put("title", settings["list_title" if "list_title" in settings.value
                                  else "list_button"],
                settings.value.get("list_title", label))
    out = section.node("rows", msg["choices"], array=True)
    for i, (row, choice, has_id) in enumerate(rows):
        fields = out.node(i, choice)
        for key, value in row.items():
            source = "title" if key == "id" and not has_id else key
            fields.put(key, choice[source] if isinstance(choice.value, Mapping) else choice,
                       value)
    return "interactive/list"

def _menu(msg: In, payload: Out, settings: In, t: Trace) -> str:
    menu = msg["menu"]
    inter = _interactive(msg, payload, t, "list")
    action = inter.node("action")
    action.put("button", menu["button"])
    sections = action.node("sections", menu["sections"], array=True)
    for i, section in enumerate(menu["sections"]):
        if not section.has("title"):
            t.error(section.ptr, "whatsapp-list-section-title",
                    "a WhatsApp list section needs a `title` (at most 24 characters)")
        out = sections.node(i, section)
        out.put("title", section["title"])
        rows = out.node("rows", section["rows"], array=True)
        for j, row in enumerate(section["rows"]):
            fields = rows.node(j)
            for key in row.value:
                fields.put(key, row[key])
    return "interactive/list"

def _carousel(msg: In, payload: Out, settings: In, t: Trace) -> str:
    inter = _interactive(msg, payload, t, "carousel", header_footer=False)
    cards = inter.node("action").node("cards", msg["carousel"], array=True)
    for i, card in enumerate(msg["carousel"]):
        out = cards.node(i, card)
        out.data.update(card_index=i, type="cta_url")
        kinds = present(card.value, "image", "video")
        if len(kinds) != 1:
            t.error(card.ptr, "whatsapp-carousel-card-header",
                    "a WhatsApp carousel card needs exactly one `image` or `video` "
                    f"(its header); this one has {len(kinds) or 'none'}")
        else:
            kind = kinds[0]
            header = out.node("header", card[kind])
            header.data["type"] = kind
            header.node(kind).put("link", media(card[kind]))
        title, text = card.get("title"), card.get("text")
        body: str | None
        if title is not None and text is not None:
            body = f"*{title}*\n\n{text}"
        else:
            body = text if text is not None else (f"*{title}*" if title is not None else None)
        if body is None:
            t.error(card.ptr, "whatsapp-carousel-card-body",
                    "a WhatsApp carousel card needs `text` or `title` (its body)")
        out.node("body").put("text", card["text" if text is not None else "title"], body)
        _card_action(card, out, t)
    return "interactive/carousel"

def _card_action(card: In, out: Out, t: Trace) -> None:
    buttons = card["buttons"]
    given_buttons = buttons.value or []
    if not given_buttons:
        t.error(card.ptr, "whatsapp-carousel-card-action",
                "a WhatsApp carousel card needs one link button or 1-2 reply buttons")
        out.node("action")
        return
    links = [b for b in given_buttons if "url" in b]
    if links and len(links) != len(given_buttons):
        t.error(buttons.ptr, "whatsapp-carousel-card-action-kind",
                "a WhatsApp carousel card has either one link button or reply buttons, "
                "not both")
        out.node("action")
        return
    action = out.node("action", buttons)
    if links:
        if len(links) > 1:
            t.error(buttons[1].ptr, "whatsapp-carousel-card-links",
                    f"a WhatsApp carousel card has one link button; this one has {len(links)}")
        action.data["name"] = "cta_url"
        parameters = action.node("parameters")
        parameters.put("display_text", buttons[0]["title"])
        parameters.put("url", buttons[0]["url"])
        return
    replies = action.node("buttons", array=True)
    for j, button in enumerate(buttons):
        if not button.has("id"):
            t.error(button.ptr, "whatsapp-reply-button-id",
                    "a WhatsApp quick-reply button needs an `id`")
        reply = replies.node(j, button)
        reply.data["type"] = "quick_reply"
        quick = reply.node("quick_reply")
        quick.put("id", button["id"])
        quick.put("title", button["title"])


_FIELDS = ("text", "header", "footer", "image", "video", "document", "audio", "sticker",
           "location", "request_location", "contacts", "buttons", "choices", "menu",
           "carousel")


def _only(label: str, *allowed: str) -> Alone:
    """A ``label`` message may carry ``allowed`` and nothing else (never drop silently)."""
    return Alone(tuple(f for f in _FIELDS if f not in allowed), "whatsapp-field-not-allowed",
                 f"a WhatsApp {label} message cannot also carry `{{key}}`",
                 "send it as a separate message, or override it per target")


#: The kind-inference table (the module docstring's, as data): first match wins; a row's
#: ``alone`` lists what that kind may carry besides itself.
KINDS: tuple[Kind[Lower], ...] = (
    Kind(truthy("carousel"), _carousel, _only("carousel", "text", "carousel")),
    Kind(truthy("menu"), _menu, _only("menu", "text", "header", "footer", "menu")),
    Kind(truthy("choices"), _choices, _only("choices", "text", "header", "footer", "choices")),
    Kind(truthy("buttons"), _buttons,
         _only("reply-button", "text", "header", "footer", "buttons")),
    Kind(truthy("request_location"), _request_location,
         _only("location request", "text", "request_location")),
    Kind(given("location"), _location, _only("location", "location")),
    Kind(truthy("contacts"), _contacts, _only("contacts", "contacts")),
    *(Kind(filled(kind), _media(kind), _only(kind, kind, "text"))
      for kind in ("image", "video", "document")),
    *(Kind(filled(kind), _media(kind), _only(kind, kind)) for kind in ("audio", "sticker")),
    Kind(given("text"), _text),
)

#: The interactive kinds: only they show a header or a footer.
_INTERACTIVE = frozenset({_carousel, _menu, _choices, _buttons, _request_location})


def _decimal(number: int | float | None) -> str | None:
    if number is None:
        return None
    return repr(number) if isinstance(number, float) else str(number)
