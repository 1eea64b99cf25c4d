"""What ITNIO answers to a WhatsApp send request, for ``msgc fake-server``: the checks in
the documented order (headers and ``Sign``, timestamp, then the body with the documented
status codes -70 ... -331), and the success and error envelopes."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .api import itnio_sign

if TYPE_CHECKING:
    from ..base import Provider

#: The example credentials of ITNIO's signing page, accepted when none are configured.
EXAMPLE_CREDENTIALS = {"ITNIO_API_KEY": "bDqJFiq9", "ITNIO_API_SECRET": "7bz1lzh9"}

_MEDIA_CODES = {"image": ("-116", "-117"), "audio": ("-118", "-119"),
                "video": ("-120", "-121"), "sticker": ("-122", "-123"),
                "document": ("-124", "-125")}
_LINK_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)


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


def verify_request(provider: Provider, headers: Mapping[str, str], body: bytes,
                   credentials: Mapping[str, str], now: float) -> str | None:
    key, timestamp, sign = (headers.get(n) for n in ("api-key", "timestamp", "sign"))
    if not key or not timestamp or not sign:
        return "-1"
    if key != credentials.get("ITNIO_API_KEY") or sign != itnio_sign(
            key, credentials.get("ITNIO_API_SECRET", ""), timestamp):
        return "-1"
    if not timestamp.isdigit() or abs(int(timestamp) - now) > provider.timestamp_skew:
        return "-16"
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "-22"
    if not isinstance(payload, Mapping):
        return "-22"
    return itnio_payload_code(payload) or ("-22" if provider.validate(payload) else None)


def success_body(provider: Provider, message_id: str) -> bytes:
    return json.dumps({"status": "0", "reason": "success", "data": {
        "channelType": 0, "messageId": message_id, "timestamp": int(time.time())}}).encode()


def error_body(provider: Provider, code: str) -> bytes:
    info = provider.response_codes.get(code)
    return json.dumps({"status": code, "reason": info.meaning if info else "failure"},
                      ensure_ascii=False).encode()
