"""Every answer status of ITNIO's WhatsApp API, with its meaning and what to do.

From the ITNIO document (status codes -68 ... -331) and ``/work/shared/providers/AUTH.md``
(the account-level codes -1, -2, -16, -18, -22 "seen in their other APIs").
"""

from __future__ import annotations

from ...sending.outcome import ResponseCode


def _c(code: str, meaning: str, hint: str | None = None, retryable: bool = False
       ) -> ResponseCode:
    return ResponseCode(code, meaning, retryable, hint)


_CAROUSEL = "carousel interactive message"
#: Every documented status. Only -18 ("system error", a server-side failure answered
#: without a message id) is retried; the rest are account or request errors.
CODES: dict[str, ResponseCode] = {c.code: c for c in (
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
