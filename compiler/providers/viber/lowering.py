"""How a neutral message becomes an NXCloud Viber request body (lowering).

Message type selection, from what the neutral message holds:

========================================  ====================
neutral message                           functionType
========================================  ====================
otp                                       text (rateType OtpTemplate)
carousel (+ text)                         carousel
choices (+ text)                          list
document                                  file
video [+ text [+ link button]]            video / video_text / video_text_button
image [+ text [+ link button]]            image / text_image / text_image_button
text [+ link button]                      text / text_button
========================================  ====================

Choices made where the NXCloud document is silent or inconsistent (see README, "Provider
notes"): ``video_text_button`` lists no ``buttonLink`` but msgc sends the button's URL there
(a button without a target is useless, and a dropped URL would be silent data loss).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ... import pointer as jp
from ..base import Lowered
from ..lowering import (
    Alone,
    In,
    Kind,
    Out,
    Trace,
    computed,
    given,
    media,
    number,
    pick,
    present,
    truthy,
)
from .rules import OTP_TEMPLATES

FUNCTION_TYPES = (
    "text", "image", "text_image", "text_image_button", "text_button", "file",
    "video", "video_text", "video_text_button", "list", "carousel",
)

RATE_TYPES: dict[str, tuple[str, ...]] = {
    "text": ("Transactional", "Session", "Promotional", "OtpTemplate"),
    "image": ("Promotional", "Session"),
    "text_image": ("Promotional",),
    "text_image_button": ("Promotional",),
    "text_button": ("Promotional",),
    "file": ("Transactional", "Session"),
    "video": ("Promotional",),
    "video_text": ("Promotional",),
    "video_text_button": ("Promotional",),
    "list": ("Transactional",),
    "carousel": ("Promotional",),
}


OTP_LANGUAGES = (
    "en", "ar", "bg", "hr", "cs", "da", "de", "el", "es", "fi", "fr", "he", "my", "hu", "id",
    "it", "nb", "nl", "pl", "pt", "br", "ro", "ru", "sk", "sr", "sv", "th", "tr", "uk", "vi",
    "fa", "be", "ja",
)

FILE_TYPES = (
    "doc", "docx", "rtf", "dot", "dotx", "odt", "odf", "fodt", "txt", "info",
    "pdf", "xps", "pdax", "eps",
    "xls", "xlsx", "ods", "fods", "csv", "xlsm", "xltx",
)

# Fields with no Viber equivalent: the rule that reports each, and what to do instead.
_UNSUPPORTED_RULES = {
    "location": "viber-unsupported-location",
    "request_location": "viber-unsupported-request-location",
    "contacts": "viber-unsupported-contacts",
    "audio": "viber-unsupported-audio",
    "sticker": "viber-unsupported-sticker",
    "menu": "viber-unsupported-menu",
    "header": "viber-unsupported-header",
    "footer": "viber-unsupported-footer",
    "reply_to": "viber-unsupported-reply-to",
}
_UNSUPPORTED_KEYS = tuple(_UNSUPPORTED_RULES)
_UNSUPPORTED_HINTS = {
    "location": "Viber (NXCloud) has no location message; send an address in `text` or a map link "
                "button",
    "request_location": "Viber (NXCloud) cannot ask for a location; ask in `text`",
    "contacts": "Viber (NXCloud) has no contact message; put the details in `text`",
    "audio": "Viber (NXCloud) has no audio message; send it as a `document` or a link button",
    "sticker": "Viber (NXCloud) has no sticker message; use an `image`",
    "menu": "Viber (NXCloud) has no sectioned list; use `choices` (2-5 options)",
    "header": "Viber (NXCloud) messages have no header; put it in `text`",
    "footer": "Viber (NXCloud) messages have no footer; put it in `text`",
    "reply_to": "Viber (NXCloud) cannot reply to a given message; drop `reply_to` for viber "
                "with a targets.viber.message override",
}


def lower(message: Mapping[str, Any], settings: Mapping[str, Any],
          envelope: Mapping[str, str]) -> Lowered:
    t = Trace()
    m = "/message"
    for key in present(message, *_UNSUPPORTED_KEYS):
        t.error(jp.join(m, key), _UNSUPPORTED_RULES[key], f"`{key}` cannot be sent on Viber",
                _UNSUPPORTED_HINTS[key])
    buttons = message.get("buttons") or []
    for i, button in enumerate(buttons):
        if "url" not in button:
            t.error(jp.join(m, "buttons", i), "viber-unsupported-reply-button",
                    "Viber (NXCloud) has no reply buttons outside a list",
                    "use `choices` for pick-one answers, or give the button a `url`")
    if len(buttons) > 1:
        t.error(jp.join(m, "buttons", 1), "viber-button-count",
                f"Viber messages carry one button; this message has {len(buttons)}",
                "keep one link button, or use a `carousel` (two buttons per card)")

    data = Out(t, "/messageData", {})
    row = pick(KINDS, message)
    if row is not None:
        row.check(message, t)
        kind = row.lower(In(message, m), data, t)
    else:
        if not t.errors:
            t.error(m, "message-empty", "the message has nothing Viber can send",
                    "give it a `text`, media, `choices`, a `carousel` or an `otp`")
        kind = "text"
    t.raise_if_errors()

    rate = settings.get("rate_type")
    allowed = RATE_TYPES[kind]
    otp = message.get("otp")
    if kind == "text" and not otp:
        allowed = tuple(r for r in allowed if r != "OtpTemplate")
    elif otp:
        allowed = ("OtpTemplate",)
    if rate is not None and rate not in allowed:
        t.error("/settings/rate_type", "viber-rate-type",
                f"a Viber {'OTP template' if otp else kind} message cannot "
                f"be sent with rateType {rate}",
                f"set rate_type to one of: {', '.join(allowed)}"
                if not otp else "remove rate_type: OTP messages always use "
                "OtpTemplate")
        t.raise_if_errors()
    if otp:
        rate = "OtpTemplate"
        t.at("/messageData/rateType", "/message/otp")
    elif rate is None:
        if len(allowed) == 1:
            rate = allowed[0]
        else:
            t.error("/settings", "viber-rate-type-missing",
                    f"a Viber {kind} message needs targets.viber.rate_type",
                    f"set rate_type to one of: {', '.join(allowed)}")
            t.raise_if_errors()
    else:
        t.at("/messageData/rateType", "/settings/rate_type")
    payload = {
        "appkey": envelope.get("appkey"),
        "phone": envelope.get("phone"),
        "functionType": kind,
        "messageData": {"rateType": rate, **data.data},
    }
    return Lowered(payload=payload, kind=kind, origins=t.origins)


# -- one function per family of function types -----------------------------------------
#
# Each takes the message (an In at /message), the messageData being built (an Out) and
# the trace, and returns the function type.

def _text(msg: In, data: Out) -> None:
    if msg.has("text"):
        data.put("text", msg["text"])

def _button(buttons: In, data: Out) -> None:
    if not buttons.value:
        return
    first = buttons[0]
    data.put("buttonText", first["title"])
    if "url" in first.value:
        data.put("buttonLink", first["url"])

def _plain(msg: In, data: Out, t: Trace) -> str:
    _text(msg, data)
    _button(msg["buttons"], data)
    return "text_button" if msg.get("buttons") else "text"

def _captioned(msg: In, data: Out, t: Trace, kinds: tuple[str, str, str]) -> str:
    """A media message's link button, and its function type: ``kinds`` names it alone,
    with text, and with text and a button (a button needs the text)."""
    alone, with_text, with_button = kinds
    buttons = msg.get("buttons") or []
    if buttons and not msg.has("text"):
        t.error("/message/buttons", "viber-button-needs-text",
                f"a Viber {alone} with a button also needs `text` ({with_button})")
    _button(msg["buttons"], data)
    if not msg.has("text"):
        return alone
    return with_button if buttons else with_text

def _image(msg: In, data: Out, t: Trace) -> str:
    _text(msg, data)
    data.put("image", media(msg["image"]))
    return _captioned(msg, data, t, ("image", "text_image", "text_image_button"))

def _video(msg: In, data: Out, t: Trace) -> str:
    video = msg["video"]
    for key in ("thumbnail", "size", "duration"):
        if not video.has(key):
            t.error(video[key].ptr, "viber-video-field",
                    f"a Viber video needs `video.{key}`",
                    "Viber requires thumbnail (URL), size (bytes) and duration (seconds)")
    if msg.has("image"):
        t.error("/message/image", "viber-media-count",
                "a Viber message carries one media item; it has both a video and an image")
    data.put("thumbnail", video["thumbnail"])
    data.put("videoLink", video["url"])
    if video.has("size"):
        data.put("videoSize", video["size"],
                 number(video["size"], "video.size", t, integer=True))
    if video.has("duration"):
        data.put("duration", video["duration"],
                 number(video["duration"], "video.duration", t, integer=True))
    _text(msg, data)
    return _captioned(msg, data, t, ("video", "video_text", "video_text_button"))

def _file(msg: In, data: Out, t: Trace) -> str:
    doc = msg["document"]
    file_type = doc.get("type")
    if file_type:
        data.put("fileType", doc["type"], str(file_type).lower().lstrip("."))
    else:
        name = doc["filename"]
        file_type = computed(file_type_of, name, doc["url"])
        if file_type is None:
            t.error(name.ptr, "viber-file-type",
                    "cannot tell the file type: the filename has no extension",
                    "add an extension or set document.type (pdf, docx, xlsx, ...)")
        data.put("fileType", name, file_type or "")
    data.put("fileName", doc["filename"])
    data.put("fileLink", doc["url"])
    return "file"

def _list(msg: In, data: Out, t: Trace) -> str:
    if not msg.has("text"):
        t.error("/message", "viber-list-text", "a Viber list needs `text` (the question)")
    _text(msg, data)
    options = data.node("surveyOptions", msg["choices"], array=True)
    for i, choice in enumerate(msg["choices"]):
        if isinstance(choice.value, Mapping):
            if choice.has("description"):
                t.error(choice["description"].ptr, "viber-choice-description",
                        "Viber list options are plain text: a choice cannot have a "
                        "description",
                        "give viber its own `choices` without descriptions in "
                        "targets.viber.message")
            options.put(i, choice["title"])
        else:
            options.put(i, choice)
    return "list"

def _carousel(msg: In, data: Out, t: Trace) -> str:
    if not msg.has("text"):
        t.error("/message", "viber-carousel-text", "a Viber carousel needs `text`")
    _text(msg, data)
    items = data.node("carouselItems", msg["carousel"], array=True)
    for i, card in enumerate(msg["carousel"]):
        item = items.node(i, card)
        if card.has("text"):
            t.error(card["text"].ptr, "viber-carousel-card-text",
                    "Viber carousel cards have no text, only a title, an image and buttons",
                    "move it into `title`, or give it to WhatsApp alone inside the card: "
                    "targets: {whatsapp: {text: ...}}")
        if card.has("video"):
            t.error(card["video"].ptr, "viber-carousel-card-video",
                    "Viber carousel cards show an image, not a video",
                    "give the card an `image` (e.g. the video's thumbnail) and link to the "
                    "video with its button")
        if not card.has("title"):
            t.error(card.ptr, "viber-carousel-card-title",
                    "a Viber carousel card needs a `title`")
        item.put("title", card["title"])
        if not card.has("image"):
            t.error(card.ptr, "viber-carousel-card-image",
                    "a Viber carousel card needs an `image`")
        else:
            item.put("imageUrl", media(card["image"]))
        buttons = card.get("buttons") or []
        if not buttons:
            t.error(card.ptr, "viber-carousel-card-button",
                    "a Viber carousel card needs a link button (its primary button)")
        if len(buttons) > 2:
            t.error(card["buttons"][2].ptr, "viber-carousel-card-buttons",
                    f"a Viber carousel card has at most 2 buttons; this one has {len(buttons)}")
        for button, slot in zip(card["buttons"], ("primaryButton", "secondaryButton"),
                                strict=False):
            if "url" not in button.value:
                t.error(button.ptr, "viber-unsupported-reply-button",
                        "Viber carousel buttons open a link: this button has no `url`",
                        "give it a `url`; quick-reply cards are WhatsApp only (put them in "
                        "targets.whatsapp.message)")
                continue
            action = item.node(slot, button)
            action.put("label", button["title"])
            action.put("actionUrl", button["url"])
    return "carousel"

def _otp(msg: In, data: Out, t: Trace) -> str:
    otp = msg["otp"]
    template = str(otp.value["template"]).strip()
    data.put("templateId", otp["template"], template)
    expected = OTP_TEMPLATES.get(template, {})
    params = data.node("templateParams", otp["params"])
    for key, value in (otp.get("params") or {}).items():
        param = otp["params"][key]
        if expected.get(key) is int:
            value = number(param, f"otp.params.{key}", t, integer=True)
        params.put(key, param, value)
    if not otp.has("language"):
        t.error(otp.ptr, "viber-otp-language", "a Viber OTP template needs `otp.language`",
                "one of: " + " ".join(OTP_LANGUAGES))
    data.put("templateLang", otp["language"])
    return "text"


#: The kind-inference table (the module docstring's, as data): first match wins; a row's
#: ``alone`` lists the fields that kind may not be combined with.
KINDS: tuple[Kind[Callable[[In, Out, Trace], str]], ...] = (
    Kind(truthy("otp"), _otp, Alone(
        ("text", "image", "video", "buttons", "choices", "carousel", "document"),
        "viber-otp-alone", "a Viber OTP template message cannot carry `{key}`",
        "the template supplies the text; its parameters go in otp.params")),
    Kind(truthy("carousel"), _carousel, Alone(
        ("image", "video", "buttons", "choices", "document"),
        "viber-carousel-alone", "a Viber carousel cannot carry a top-level `{key}`",
        "put images and buttons on the cards")),
    Kind(truthy("choices"), _list, Alone(
        ("image", "video", "buttons", "document"),
        "viber-list-alone", "a Viber list (choices) message cannot carry `{key}`")),
    Kind(given("document"), _file, Alone(
        ("text", "buttons", "image", "video"),
        "viber-file-alone", "a Viber file message cannot carry `{key}`",
        "send the text in a separate message")),
    Kind(given("video"), _video),
    Kind(given("image"), _image),
    Kind(given("text"), _plain),
)


def file_type_of(filename: Any, url: Any) -> str | None:
    """The file type a document's filename ends in (else its URL's path): ``"pdf"`` for
    ``Report.PDF``; None when neither has an extension."""
    found = _extension("" if filename is None else str(filename)) or _extension(
        urlsplit("" if url is None else str(url)).path)
    return found.lower().lstrip(".") or None


def _extension(name: str) -> str:
    ext = posixpath.splitext(name)[1]
    return ext[1:].lower() if ext else ""
