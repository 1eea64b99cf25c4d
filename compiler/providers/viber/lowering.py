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
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ... import pointer as jp
from ..base import Lowered, Trace, as_number, media_ptr, media_url, present
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
    for key in present(message, *_UNSUPPORTED_RULES):
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

    data: dict[str, Any] = {}
    if message.get("otp"):
        kind = _otp(message, data, t)
    elif message.get("carousel"):
        kind = _carousel(message, data, t)
    elif message.get("choices"):
        kind = _list(message, data, t)
    elif message.get("document") is not None:
        kind = _file(message, data, t)
    elif message.get("video") is not None:
        kind = _video(message, data, t)
    elif message.get("image") is not None:
        kind = _image(message, data, t)
    elif message.get("text") is not None:
        kind = "text_button" if buttons else "text"
        _text(message, data, t)
        _button(buttons, data, t)
    else:
        if not t.errors:
            t.error(m, "message-empty", "the message has nothing Viber can send",
                    "give it a `text`, media, `choices`, a `carousel` or an `otp`")
        kind = "text"
    t.raise_if_errors()

    rate = settings.get("rate_type")
    allowed = RATE_TYPES[kind]
    if kind == "text" and not message.get("otp"):
        allowed = tuple(r for r in allowed if r != "OtpTemplate")
    elif message.get("otp"):
        allowed = ("OtpTemplate",)
    if rate is not None and rate not in allowed:
        t.error("/settings/rate_type", "viber-rate-type",
                f"a Viber {'OTP template' if message.get('otp') else kind} message cannot "
                f"be sent with rateType {rate}",
                f"set rate_type to one of: {', '.join(allowed)}"
                if not message.get("otp") else "remove rate_type: OTP messages always use "
                "OtpTemplate")
        t.raise_if_errors()
    if message.get("otp"):
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
        "messageData": {"rateType": rate, **data},
    }
    return Lowered(payload=payload, kind=kind, origins=t.origins)


# -- one function per family of function types -----------------------------------------

def _text(message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> None:
    text = message.get("text")
    if text is not None:
        data["text"] = text
        t.at("/messageData/text", "/message/text")

def _button(buttons: list[Mapping[str, Any]], data: dict[str, Any], t: Trace,
            *, link: bool = True) -> None:
    if not buttons:
        return
    data["buttonText"] = buttons[0]["title"]
    t.at("/messageData/buttonText", "/message/buttons/0/title")
    if link and "url" in buttons[0]:
        data["buttonLink"] = buttons[0]["url"]
        t.at("/messageData/buttonLink", "/message/buttons/0/url")

def _image(message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
    buttons = message.get("buttons") or []
    _text(message, data, t)
    image = message["image"]
    data["image"] = media_url(image)
    t.at("/messageData/image", media_ptr(image, "/message/image"))
    if buttons and message.get("text") is None:
        t.error("/message/buttons", "viber-button-needs-text",
                "a Viber image with a button also needs `text` (text_image_button)")
    _button(buttons, data, t)
    if message.get("text") is None:
        return "image"
    return "text_image_button" if buttons else "text_image"

def _video(message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
    video = message["video"]
    vp = "/message/video"
    for key in ("thumbnail", "size", "duration"):
        if video.get(key) is None:
            t.error(jp.join(vp, key), "viber-video-field",
                    f"a Viber video needs `video.{key}`",
                    "Viber requires thumbnail (URL), size (bytes) and duration (seconds)")
    if message.get("image") is not None:
        t.error("/message/image", "viber-media-count",
                "a Viber message carries one media item; it has both a video and an image")
    data["thumbnail"] = video.get("thumbnail")
    t.at("/messageData/thumbnail", jp.join(vp, "thumbnail"))
    data["videoLink"] = video.get("url")
    t.at("/messageData/videoLink", jp.join(vp, "url"))
    if video.get("size") is not None:
        data["videoSize"] = as_number(video["size"], jp.join(vp, "size"), "video.size", t,
                                      integer=True)
        t.at("/messageData/videoSize", jp.join(vp, "size"))
    if video.get("duration") is not None:
        data["duration"] = as_number(video["duration"], jp.join(vp, "duration"),
                                     "video.duration", t, integer=True)
        t.at("/messageData/duration", jp.join(vp, "duration"))
    buttons = message.get("buttons") or []
    _text(message, data, t)
    if buttons and message.get("text") is None:
        t.error("/message/buttons", "viber-button-needs-text",
                "a Viber video with a button also needs `text` (video_text_button)")
    _button(buttons, data, t)
    if message.get("text") is None:
        return "video"
    return "video_text_button" if buttons else "video_text"

def _file(message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
    for key in present(message, "text", "buttons", "image", "video"):
        t.error(jp.join("/message", key), "viber-file-alone",
                f"a Viber file message cannot carry `{key}`",
                "send the text in a separate message")
    doc = message["document"]
    dp = "/message/document"
    file_type = doc.get("type")
    if file_type:
        t.at("/messageData/fileType", jp.join(dp, "type"))
    else:
        file_type = _extension(str(doc.get("filename", ""))) or _extension(
            urlsplit(str(doc.get("url", ""))).path)
        t.at("/messageData/fileType", jp.join(dp, "filename"))
        if not file_type:
            t.error(jp.join(dp, "filename"), "viber-file-type",
                    "cannot tell the file type: the filename has no extension",
                    "add an extension or set document.type (pdf, docx, xlsx, ...)")
    data["fileType"] = str(file_type).lower().lstrip(".")
    data["fileName"] = doc.get("filename")
    t.at("/messageData/fileName", jp.join(dp, "filename"))
    data["fileLink"] = doc.get("url")
    t.at("/messageData/fileLink", jp.join(dp, "url"))
    return "file"

def _list(message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
    for key in present(message, "image", "video", "buttons", "document"):
        t.error(jp.join("/message", key), "viber-list-alone",
                f"a Viber list (choices) message cannot carry `{key}`")
    if message.get("text") is None:
        t.error("/message", "viber-list-text", "a Viber list needs `text` (the question)")
    _text(message, data, t)
    options = []
    for i, choice in enumerate(message["choices"]):
        if isinstance(choice, Mapping):
            if choice.get("description") is not None:
                t.error(jp.join("/message/choices", i, "description"),
                        "viber-choice-description",
                        "Viber list options are plain text: a choice cannot have a "
                        "description",
                        "give viber its own `choices` without descriptions in "
                        "targets.viber.message")
            options.append(choice["title"])
            t.at(jp.join("/messageData/surveyOptions", i),
                 jp.join("/message/choices", i, "title"))
        else:
            options.append(choice)
            t.at(jp.join("/messageData/surveyOptions", i), jp.join("/message/choices", i))
    data["surveyOptions"] = options
    t.at("/messageData/surveyOptions", "/message/choices")
    return "list"

def _carousel(message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
    for key in present(message, "image", "video", "buttons", "choices", "document"):
        t.error(jp.join("/message", key), "viber-carousel-alone",
                f"a Viber carousel cannot carry a top-level `{key}`",
                "put images and buttons on the cards")
    if message.get("text") is None:
        t.error("/message", "viber-carousel-text", "a Viber carousel needs `text`")
    _text(message, data, t)
    items = []
    for i, card in enumerate(message["carousel"]):
        cp = jp.join("/message/carousel", i)
        op = jp.join("/messageData/carouselItems", i)
        item: dict[str, Any] = {}
        if card.get("text") is not None:
            t.error(jp.join(cp, "text"), "viber-carousel-card-text",
                    "Viber carousel cards have no text, only a title, an image and buttons",
                    "move it into `title`, or give it to WhatsApp alone inside the card: "
                    "targets: {whatsapp: {text: ...}}")
        if card.get("video") is not None:
            t.error(jp.join(cp, "video"), "viber-carousel-card-video",
                    "Viber carousel cards show an image, not a video",
                    "give the card an `image` (e.g. the video's thumbnail) and link to the "
                    "video with its button")
        if card.get("title") is None:
            t.error(cp, "viber-carousel-card-title", "a Viber carousel card needs a `title`")
        item["title"] = card.get("title")
        t.at(jp.join(op, "title"), jp.join(cp, "title"))
        if card.get("image") is None:
            t.error(cp, "viber-carousel-card-image", "a Viber carousel card needs an `image`")
        else:
            item["imageUrl"] = media_url(card["image"])
            t.at(jp.join(op, "imageUrl"), media_ptr(card["image"], jp.join(cp, "image")))
        buttons = card.get("buttons") or []
        if not buttons:
            t.error(cp, "viber-carousel-card-button",
                    "a Viber carousel card needs a link button (its primary button)")
        if len(buttons) > 2:
            t.error(jp.join(cp, "buttons", 2), "viber-carousel-card-buttons",
                    f"a Viber carousel card has at most 2 buttons; this one has {len(buttons)}")
        for j, (button, slot) in enumerate(
                zip(buttons, ("primaryButton", "secondaryButton"), strict=False)):
            bp = jp.join(cp, "buttons", j)
            if "url" not in button:
                t.error(bp, "viber-unsupported-reply-button",
                        "Viber carousel buttons open a link: this button has no `url`",
                        "give it a `url`; quick-reply cards are WhatsApp only (put them in "
                        "targets.whatsapp.message)")
                continue
            item[slot] = {"label": button["title"], "actionUrl": button["url"]}
            t.at(jp.join(op, slot), bp)
            t.at(jp.join(op, slot, "label"), jp.join(bp, "title"))
            t.at(jp.join(op, slot, "actionUrl"), jp.join(bp, "url"))
        items.append(item)
        t.at(op, cp)
    data["carouselItems"] = items
    t.at("/messageData/carouselItems", "/message/carousel")
    return "carousel"

def _otp(message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
    for key in present(message, "text", "image", "video", "buttons", "choices", "carousel",
                       "document"):
        t.error(jp.join("/message", key), "viber-otp-alone",
                f"a Viber OTP template message cannot carry `{key}`",
                "the template supplies the text; its parameters go in otp.params")
    otp = message["otp"]
    op = "/message/otp"
    template = str(otp["template"]).strip()
    data["templateId"] = template
    t.at("/messageData/templateId", jp.join(op, "template"))
    expected = OTP_TEMPLATES.get(template, {})
    params: dict[str, Any] = {}
    for key, value in (otp.get("params") or {}).items():
        pp = jp.join(op, "params", key)
        if expected.get(key) is int:
            value = as_number(value, pp, f"otp.params.{key}", t, integer=True)
        params[key] = value
        t.at(jp.join("/messageData/templateParams", key), pp)
    data["templateParams"] = params
    t.at("/messageData/templateParams", jp.join(op, "params"))
    if otp.get("language") is None:
        t.error(op, "viber-otp-language", "a Viber OTP template needs `otp.language`",
                "one of: " + " ".join(OTP_LANGUAGES))
    data["templateLang"] = otp.get("language")
    t.at("/messageData/templateLang", jp.join(op, "language"))
    return "text"


def _extension(name: str) -> str:
    ext = posixpath.splitext(name)[1]
    return ext[1:].lower() if ext else ""
