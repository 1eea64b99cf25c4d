"""Viber through NXCloud (``POST /api/viber/mt``): lowering, semantic rules, API facts.

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
notes"): the example's ``"carsoucel"`` is a typo for ``carousel``; ``video_text_button``
lists no ``buttonLink`` but msgc sends the button's URL there (a button without a target
is useless, and a dropped URL would be silent data loss); 200 MB is read as 200 MiB.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

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
from .viber_callbacks import NXCloudCallbacks

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

#: Parameters of the nine OTP templates (NXCloud "Otp模板说明"), with their types.
OTP_TEMPLATES: dict[str, dict[str, type]] = {
    "1": {"pin": str},
    "2": {"pin": str},
    "3": {"pin": str, "businessPlatformName": str},
    "4": {"pin": str, "codeValidityTime": int},
    "5": {"pin": str, "pinType": str, "codeValidityTime": int},
    "6": {"pin": str, "businessPlatformName": str, "codeValidityTime": int},
    "7": {"pin": str, "pinType": str},
    "8": {"pin": str, "businessPlatformActionName": str},
    "9": {"pin": str, "businessPlatformName": str, "codeReason": str},
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


class Viber(Provider):
    name = "viber"
    label = "Viber"
    payload_schema = "viber.payload.schema.json"
    target_schema = "viber.target.schema.json"
    semantic_fields = (r"^/messageData/(templateId|templateParams|rateType)(/|$)",)
    envelope = (
        EnvelopeField("appkey", "appkey", "NXCLOUD_APPKEY", "--appkey", "APPKEY"),
        EnvelopeField("phone", None, None, "--to", "10000000000", is_recipient=True,
                      is_phone=True),
    )

    def lower(self, message: Mapping[str, Any], settings: Mapping[str, Any],
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
            kind = self._otp(message, data, t)
        elif message.get("carousel"):
            kind = self._carousel(message, data, t)
        elif message.get("choices"):
            kind = self._list(message, data, t)
        elif message.get("document") is not None:
            kind = self._file(message, data, t)
        elif message.get("video") is not None:
            kind = self._video(message, data, t)
        elif message.get("image") is not None:
            kind = self._image(message, data, t)
        elif message.get("text") is not None:
            kind = "text_button" if buttons else "text"
            self._text(message, data, t)
            self._button(buttons, data, t)
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

    # -- one method per family of function types --------------------------------------

    def _text(self, message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> None:
        text = message.get("text")
        if text is not None:
            data["text"] = text
            t.at("/messageData/text", "/message/text")

    def _button(self, buttons: list[Mapping[str, Any]], data: dict[str, Any], t: Trace,
                *, link: bool = True) -> None:
        if not buttons:
            return
        data["buttonText"] = buttons[0]["title"]
        t.at("/messageData/buttonText", "/message/buttons/0/title")
        if link and "url" in buttons[0]:
            data["buttonLink"] = buttons[0]["url"]
            t.at("/messageData/buttonLink", "/message/buttons/0/url")

    def _image(self, message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
        buttons = message.get("buttons") or []
        self._text(message, data, t)
        image = message["image"]
        data["image"] = media_url(image)
        t.at("/messageData/image", media_ptr(image, "/message/image"))
        if buttons and message.get("text") is None:
            t.error("/message/buttons", "viber-button-needs-text",
                    "a Viber image with a button also needs `text` (text_image_button)")
        self._button(buttons, data, t)
        if message.get("text") is None:
            return "image"
        return "text_image_button" if buttons else "text_image"

    def _video(self, message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
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
        self._text(message, data, t)
        if buttons and message.get("text") is None:
            t.error("/message/buttons", "viber-button-needs-text",
                    "a Viber video with a button also needs `text` (video_text_button)")
        self._button(buttons, data, t)
        if message.get("text") is None:
            return "video"
        return "video_text_button" if buttons else "video_text"

    def _file(self, message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
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

    def _list(self, message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
        for key in present(message, "image", "video", "buttons", "document"):
            t.error(jp.join("/message", key), "viber-list-alone",
                    f"a Viber list (choices) message cannot carry `{key}`")
        if message.get("text") is None:
            t.error("/message", "viber-list-text", "a Viber list needs `text` (the question)")
        self._text(message, data, t)
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

    def _carousel(self, message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
        for key in present(message, "image", "video", "buttons", "choices", "document"):
            t.error(jp.join("/message", key), "viber-carousel-alone",
                    f"a Viber carousel cannot carry a top-level `{key}`",
                    "put images and buttons on the cards")
        if message.get("text") is None:
            t.error("/message", "viber-carousel-text", "a Viber carousel needs `text`")
        self._text(message, data, t)
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

    def _otp(self, message: Mapping[str, Any], data: dict[str, Any], t: Trace) -> str:
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

    # -- rules the schema cannot state -------------------------------------------------

    def check_payload(self, payload: Any) -> list[Finding]:
        if not isinstance(payload, Mapping):
            return []
        data = payload.get("messageData")
        if not isinstance(data, Mapping) or data.get("rateType") != "OtpTemplate":
            return []
        template = data.get("templateId")
        params = data.get("templateParams")
        expected = OTP_TEMPLATES.get(str(template))
        if expected is None or not isinstance(params, Mapping):
            return []
        out = []
        base = "/messageData/templateParams"
        for name, kind in expected.items():
            if name not in params:
                out.append(Finding(
                    base, "viber-otp-params",
                    f"OTP template {template} needs parameter {name!r}",
                    hint=f"template {template} takes: {', '.join(expected)}",
                ))
            elif kind is int and (isinstance(params[name], bool)
                                  or not isinstance(params[name], int)):
                out.append(Finding(
                    jp.join(base, name), "viber-otp-param-type",
                    f"OTP parameter {name} must be an integer, got {params[name]!r}",
                ))
            elif kind is str and not (isinstance(params[name], str) and params[name]):
                out.append(Finding(
                    jp.join(base, name), "viber-otp-param-type",
                    f"OTP parameter {name} must be a non-empty string, got {params[name]!r}",
                ))
        for name in params:
            if name not in expected:
                out.append(Finding(
                    jp.join(base, name), "viber-otp-params",
                    f"OTP template {template} has no parameter {name!r}",
                    hint=f"template {template} takes: {', '.join(expected)}",
                ))
        return out


def _extension(name: str) -> str:
    ext = posixpath.splitext(name)[1]
    return ext[1:].lower() if ext else ""



# -- sending (NXCloud API) ------------------------------------------------------------------
# Facts from NXCloud's "API接口调用约定" (see /work/shared/providers/AUTH.md) and the Viber
# document's response-code table. The methods are declared, with their contracts, in
# Provider (base.py); compiler.sending is the only caller.

NXCLOUD_BIZ_TYPE = "7"
NXCLOUD_ACTION = "mt"
_AUTH_HEADERS = ("accessKey", "ts", "bizType", "action", "sign")
_CONTACT_TECH = "contact NXCloud technical support"

#: Every code of the Viber document's table (1000~100X spelled out from the auth page).
#: None is retried: the document's remedy for each is a person (support, sales, a fix of
#: the request), none says "busy, try again"; 1004 means the local clock is off by more
#: than 60 s, which a retry signed with the same clock cannot fix.
NXCLOUD_CODES: dict[str, ResponseCode] = {c.code: c for c in (
    ResponseCode("0", "Success"),
    ResponseCode("-1", "Failure", hint=_CONTACT_TECH),
    ResponseCode("1000", "Authentication failed", hint="see NXCloud's API authentication rules"),
    ResponseCode("1001", "Authentication failed: a required header is missing",
                 hint="accessKey, ts, bizType, action and sign are all required"),
    ResponseCode("1002", "Authentication failed: bad bizType, action or body",
                 hint="Viber needs bizType 7 and action mt, and a JSON body"),
    ResponseCode("1003", "Authentication failed: invalid signature",
                 hint="check NXCLOUD_ACCESS_KEY and NXCLOUD_ACCESS_SECRET"),
    ResponseCode("1004", "Authentication failed: timestamp expired (more than 60 s off)",
                 hint="check this machine's clock (NTP)"),
    ResponseCode("1005", "Authentication failed: insufficient permissions",
                 hint="ask NXCloud to enable Viber for this access key"),
    ResponseCode("1100", "Customer does not exist / status is unavailable",
                 hint="the account is not in good standing: contact NXCloud sales"),
    ResponseCode("1102", "Insufficient balance", hint="top up the NXCloud account"),
    ResponseCode("9000", "Request parameter error",
                 hint="a required parameter is missing: check the request"),
    ResponseCode("9001", "System business error", hint=_CONTACT_TECH),
    ResponseCode("9002", "Phone number error", hint="check the recipient number"),
    ResponseCode("9003", "Customer APP does not exist / status is unavailable",
                 hint="check the appkey; contact NXCloud sales if the app is disabled"),
    ResponseCode("9004", "Customer APP does not have quotation",
                 hint="the app has no price: contact NXCloud sales"),
    ResponseCode("9005", "Missing customer APP routes", hint=_CONTACT_TECH),
    ResponseCode("9011", "Customer APP quotation currency error", hint=_CONTACT_TECH),
    ResponseCode("9999", "Unknown error", hint=_CONTACT_TECH),
)}


def nxcloud_sign(headers: Mapping[str, str], body: bytes, secret: str) -> str:
    """NXCloud's signature for JSON requests:
    ``md5(sorted "name=value" headers joined by "&" + "&body=" + body + "&accessSecret=" +
    secret)``, lower-case hex; ``headers`` are the required headers except ``sign``, and the
    ``&body=`` part is left out for an empty body. ``body`` is hashed byte for byte."""
    text = "&".join(f"{name}={headers[name]}" for name in sorted(headers))
    data = text.encode("utf-8") + (b"&body=" + body if body else b"")
    data += b"&accessSecret=" + secret.encode("utf-8")
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


class NXCloudTransport(Provider):
    """The NXCloud transport of a provider: signing, answers, and the fake server's checks."""

    default_base_url: ClassVar[str] = "https://api2.nxcloud.com"
    endpoint_path: ClassVar[str] = "/api/viber/mt"
    base_url_env: ClassVar[str] = "MSGC_NXCLOUD_BASE_URL"
    credential_names: ClassVar[tuple[str, ...]] = ("NXCLOUD_ACCESS_KEY", "NXCLOUD_ACCESS_SECRET")
    secret_headers: ClassVar[tuple[str, ...]] = ("accessKey", "sign")
    timestamp_skew: ClassVar[float] = 60.0
    response_codes: ClassVar[Mapping[str, ResponseCode]] = NXCLOUD_CODES
    callbacks: ClassVar[CallbackFormat | None] = NXCloudCallbacks(NXCLOUD_CODES)

    def sign(self, body: bytes, credentials: Mapping[str, str], now: float) -> dict[str, str]:
        headers = {
            "accessKey": credentials["NXCLOUD_ACCESS_KEY"],
            "ts": str(int(now * 1000)),
            "bizType": NXCLOUD_BIZ_TYPE,
            "action": NXCLOUD_ACTION,
        }
        headers["sign"] = nxcloud_sign(headers, body, credentials["NXCLOUD_ACCESS_SECRET"])
        return {"Content-Type": "application/json", **headers}

    def parse_response(self, status: int, body: bytes) -> SendOutcome:
        answer = read_answer(status, body)
        if isinstance(answer, SendOutcome):
            return answer
        code = answer.get("code")
        if isinstance(code, bool) or not isinstance(code, (int, str)) or str(code) == "":
            return outcome("unreadable", code=f"HTTP {status}",
                           message="the answer has no `code`; the message may or may not "
                                   "have been accepted")
        code = str(code).strip()
        if code == "0":
            data = answer.get("data")
            request_id = data.get("requestId") if isinstance(data, Mapping) else None
            return outcome("success", message_id=str(request_id) if request_id else None,
                           code="0", message="Success")
        return self.code_outcome(code, answer.get("message"))

    def verify_request(self, headers: Mapping[str, str], body: bytes,
                       credentials: Mapping[str, str], now: float) -> str | None:
        got = {name: headers.get(name.lower()) for name in _AUTH_HEADERS}
        if any(not value for value in got.values()):
            return "1001"
        if got["bizType"] != NXCLOUD_BIZ_TYPE or got["action"] != NXCLOUD_ACTION:
            return "1002"
        if got["accessKey"] != credentials.get("NXCLOUD_ACCESS_KEY"):
            return "1000"
        signed = {name: str(got[name]) for name in _AUTH_HEADERS if name != "sign"}
        expected = nxcloud_sign(signed, body, credentials.get("NXCLOUD_ACCESS_SECRET", ""))
        if got["sign"] != expected:
            return "1003"
        ts = str(got["ts"])
        if not ts.isdigit() or abs(int(ts) - now * 1000) > self.timestamp_skew * 1000:
            return "1004"
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return "1002"
        if not isinstance(payload, Mapping):
            return "1002"
        phone = payload.get("phone")
        if not (isinstance(phone, str) and phone.isascii() and phone.isdigit()
                and 7 <= len(phone) <= 15):
            return "9002"
        return "9000" if self.validate(payload) else None

    def success_body(self, message_id: str) -> bytes:
        return json.dumps({"code": 0, "message": "Success", "data": {"requestId": message_id},
                           "traceId": hashlib.md5(message_id.encode(), usedforsecurity=False)
                           .hexdigest()}).encode()

    def error_body(self, code: str) -> bytes:
        number: int | str = int(code) if code.lstrip("-").isdigit() else code
        return json.dumps({"code": number, "message": self.response_codes[code].meaning
                           if code in self.response_codes else "Failure"}).encode()


class NXCloudViber(NXCloudTransport, Viber):
    """Viber lowering with the NXCloud transport: the registered provider."""


PROVIDER = NXCloudViber()
