"""The Viber-like chat screen: draws an NXCloud Viber payload as the recipient sees it.

One drawing per ``functionType``: text; image; text with image and a button; video with
its caption and button (thumbnail placeholder with size and length from the payload);
file with its type; the list (a question with its survey options); carousel items with
their primary and secondary buttons. An OTP message (``rateType`` OtpTemplate) shows the
text Viber sends: the template's wording with its parameters filled in.

The NXCloud document gives each OTP template's wording in English only; for another
``templateLang`` the English wording is shown, with a note naming the language Viber will
use. Viber business messages take no text formatting, so text shows as written, with its
line breaks and links.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...preview import textfmt
from ...preview.base import (
    Drawer,
    body,
    bubble,
    duration,
    file_name,
    get,
    human_size,
    items,
    link_target,
    media,
    note,
    text,
)
from ...preview.html import Child, Node, h

#: The OTP templates' English wording (NXCloud, "Otp模板说明"), placeholders as printed.
OTP_WORDING = {
    "1": "Your code is {{pin}}. Please don't share your code with ANYONE. We'll never call "
         "or message you and ask for it.",
    "2": "Your code is {{pin}}. It's valid for 5 minutes. Please don't share your code with "
         "ANYONE. We'll never call or message you and ask for it",
    "3": "{{business_platform_name}}: Your code is {{pin}}. Please don't share your code with "
         "ANYONE. We'll never call or message you and ask for it",
    "4": "Your code is {{pin}}. It's valid for {{code_validity_time}} minutes. Please don't "
         "share your code with ANYONE. We'll never call or message you and ask for it.",
    "5": "Your {{pin_type}} code is {{pin}}. It's valid for {{code_validity_time}} minutes. "
         "Please don't share your code with ANYONE. We'll never call or message you and ask "
         "for it.",
    "6": "Your {{business_platform_name}} code is {{pin}}. It's valid for "
         "{{code_validity_time}} hours. Please don't share your code with ANYONE. We'll never "
         "call or message you and ask for it",
    "7": "Your {{pin_type}} code is {{pin}}. Please don't share your code with ANYONE. We'll "
         "never call or message you and ask for it",
    "8": "Your one-time password for {{business_platform_action_name}} is {{pin}}. Please "
         "don't share your code with ANYONE. We'll never call or message you and ask for it.",
    "9": "{{business_platform_name}}: Your code is {{pin}}. You got this code because "
         "{{code_reason}}. Please don't share your code with ANYONE. We'll never call or "
         "message you and ask for it.",
}
_PLACEHOLDER_RE = re.compile(r"\{\{(\w+)\}\}")


def otp_text(template: str, params: Mapping[str, Any]) -> str | None:
    """The text Viber sends for OTP ``template`` with ``params`` (camelCase names, as in the
    payload), or None for an unknown template. A missing parameter stays ``{{name}}``."""
    wording = OTP_WORDING.get(template)
    if wording is None:
        return None

    def fill(match: re.Match[str]) -> str:
        snake = match.group(1)
        camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), snake)
        value = text(params.get(camel))
        return value if value is not None else match.group(0)

    return _PLACEHOLDER_RE.sub(fill, wording)


def plain(value: Any, cls: str | None = None) -> Node | None:
    content = text(value)
    return body(textfmt.plain(content), cls) if content is not None else None


def button(label: Any, url: Any, cls: str = "vb-button") -> Node:
    return h("span", {"class": cls}, text(label) or "", link_target(url))


class ViberDrawer(Drawer):
    provider = "viber"
    app = "Viber-like"
    theme = "vb"

    def draw(self, payload: Mapping[str, Any], kind: str) -> list[Child]:
        data = get(payload, "messageData") or {}
        function = text(payload.get("functionType")) or ""
        if data.get("rateType") == "OtpTemplate":
            return [self._otp(data)]
        if function in ("text", "text_button", "image", "text_image", "text_image_button"):
            image = data.get("image")
            return [bubble(plain(data.get("text")),
                           image is not None and media("image", "Image", image, ["Image"]),
                           self._button(data), cls="media-bubble" if image else None)]
        if function in ("video", "video_text", "video_text_button"):
            facts = [human_size(data.get("videoSize")), duration(data.get("duration"))]
            video = media("video", "Video", data.get("videoLink"), ["Video", *facts],
                          badge=duration(data.get("duration")))
            thumb = text(data.get("thumbnail"))
            return [bubble(plain(data.get("text")), video,
                           thumb and h("span", {"class": "media-thumb"},
                                       f"thumbnail: {file_name(thumb)}"),
                           self._button(data), cls="media-bubble")]
        if function == "file":
            kind_label = (text(data.get("fileType")) or "file").upper()
            return [bubble(media("document", "File", data.get("fileLink"),
                                 [f"{kind_label} file"], name=text(data.get("fileName")),
                                 badge=kind_label[:4]), cls="media-bubble")]
        if function == "list":
            options = [h("li", None, h("span", {"class": "vb-option"}, text(o) or ""))
                       for o in items(data.get("surveyOptions"))]
            return [bubble(plain(data.get("text")),
                           h("ul", {"class": "vb-options", "aria-label": "Survey options"},
                             *options))]
        if function == "carousel":
            return [bubble(plain(data.get("text"))),
                    self._carousel(items(data.get("carouselItems")))]
        return [bubble(note(f"Unknown Viber functionType {function!r}."))]

    def _button(self, data: Mapping[str, Any]) -> Node | None:
        if data.get("buttonText") is None:
            return None
        return button(data.get("buttonText"), data.get("buttonLink"))

    def _otp(self, data: Mapping[str, Any]) -> Node:
        template = text(data.get("templateId")) or ""
        params = data.get("templateParams")
        filled = otp_text(template, params if isinstance(params, Mapping) else {})
        lang = text(data.get("templateLang"))
        notes: list[Child] = [note(f"OTP template {template}, language {lang or '(none)'}")]
        if filled is None:
            notes.append(note(f"Viber has no OTP template {template!r}."))
        if lang and lang != "en":
            notes.append(note(f"Sent in template language {lang!r}; the NXCloud document "
                              "gives the wording in English only, shown here."))
        return bubble(plain(filled) if filled is not None else None, *notes, cls="otp")

    def _carousel(self, cards: list[Any]) -> Node:
        out = []
        for card in cards:
            buttons = [button(get(card, slot, "label"), get(card, slot, "actionUrl"),
                              f"vb-button {cls}")
                       for slot, cls in (("primaryButton", "primary"),
                                         ("secondaryButton", "secondary"))
                       if get(card, slot) is not None]
            out.append(h("div", {"class": "card"},
                         media("image", "Image", get(card, "imageUrl"), ["Image"]),
                         h("p", {"class": "card-title"}, text(get(card, "title")) or ""),
                         h("div", {"class": "card-buttons"}, *buttons)))
        return h("div", {"class": "strip", "role": "region", "tabindex": "0",
                         "aria-label": f"Carousel of {len(cards)} items (scrolls sideways)"},
                 *out)


DRAWER = ViberDrawer()
