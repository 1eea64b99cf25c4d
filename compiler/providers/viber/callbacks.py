"""Viber through NXCloud: the callbacks NXCloud pushes, parsed and emulated.

NXCloud posts JSON to the customer's URL (``/work/shared/providers/AUTH.md``):

* a **delivery receipt** ``{status, requestId, code, message, sendTime}``, ``status`` 11000
  failed, 11001 delivered, 11002 seen, 11003 expired, matched by the ``requestId`` the send
  answer returned;
* a **reply** ``{phone, appkey, traceRequestId, message: {text | media, fileName},
  sendTime}``.

Choices where the documents are silent (written down in the README, "After sending"):

* a body may also be a JSON array of such objects (all of it is taken, or none);
* ``status`` may be a number or a numeric string; any other status is an unknown event;
* ``code``/``message`` of a receipt are its failure code and words; a code of NXCloud's
  documented table gets the documented meaning; ``0`` (or none) means no failure;
* ``sendTime`` (``"2023-07-13 15:12:11"``, no time zone) is kept in the stored body but not
  used as the event's time: the receipt does not say whether it is the sending time or the
  event's, nor in which zone, so times are measured from the webhook's clock;
* ``traceRequestId`` of a reply is taken to be the ``requestId`` of the message answered;
  a chosen list option arrives as its text (Viber's list offers texts, not ids).

NXCloud documents no retry of failed pushes; the fake pushes again after 1, 3 and 5
minutes, as ITNIO does.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from ...sending.outcome import ResponseCode
from ...tracking.callbacks import (
    INBOUND_EVENT,
    STATUS_EVENT,
    CallbackEvent,
    CallbackFormat,
    CallbackRejected,
    ReplyOption,
)
from ..base import digits
from .codes import CODES

#: Receipt status codes and msgc's neutral status for each.
RECEIPT_STATUSES = {"11000": "failed", "11001": "delivered", "11002": "read", "11003": "expired"}
_STATUS_CODE = {v: k for k, v in RECEIPT_STATUSES.items()}
#: The failure the fake reports for a message that was not delivered.
EMULATED_FAILURE = "9002"
MAX_TEXT = 1000


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _code(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip()):
        return str(value).strip()
    return None


def _dump(item: Mapping[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


class NXCloudCallbacks(CallbackFormat):
    """NXCloud's Viber receipts and replies."""

    path: ClassVar[str] = "nxcloud"
    retry_delays: ClassVar[tuple[float, ...]] = (60.0, 180.0, 300.0)
    statuses: ClassVar[tuple[str, ...]] = ("delivered", "read", "failed", "expired")

    def __init__(self, codes: Mapping[str, ResponseCode]) -> None:
        self.codes = codes

    # -- parsing -----------------------------------------------------------------------------

    def parse_one(self, item: Mapping[str, Any]) -> CallbackEvent:
        if "requestId" in item or "status" in item:
            return self._receipt(item)
        if "phone" in item and "message" in item:
            return self._reply(item)
        raise CallbackRejected(422, "neither a delivery receipt (status, requestId) nor a "
                               "reply (phone, message)")

    def _receipt(self, item: Mapping[str, Any]) -> CallbackEvent:
        request_id = _text(item.get("requestId"))
        if request_id is None:
            raise CallbackRejected(422, "a delivery receipt needs `requestId` (a string)")
        raw = item.get("status")
        code = _code(raw)
        if code is None:
            raise CallbackRejected(422, "a delivery receipt needs `status` (a number)")
        status = RECEIPT_STATUSES.get(code)
        if status is None:
            raise CallbackRejected(422, "unknown event type: receipt `status` is none of "
                                   + ", ".join(RECEIPT_STATUSES))
        failure = _code(item.get("code"))
        said = _text(item.get("message"))
        reason = None
        if failure in (None, "0"):
            failure = None
        else:
            reason = self.meaning(failure, said)
        if status in ("failed", "expired") and reason is None:
            reason = said or ("expired before delivery" if status == "expired" else None)
        return CallbackEvent(STATUS_EVENT, f"receipt|{request_id}|{code}", request_id,
                             status=status, code=failure, reason=reason, body=_dump(item))

    def _reply(self, item: Mapping[str, Any]) -> CallbackEvent:
        phone = digits(item.get("phone"))
        if phone is None:
            raise CallbackRejected(422, "a reply needs `phone` (digits)")
        message = item.get("message")
        if not isinstance(message, Mapping):
            raise CallbackRejected(422, "a reply needs `message` (an object)")
        text = message.get("text")
        if text is not None and not isinstance(text, str):
            raise CallbackRejected(422, "`message.text` must be a string")
        media = _text(message.get("media"))
        if text is None and media is None:
            raise CallbackRejected(422, "a reply's `message` needs `text` or `media`")
        trace = _text(item.get("traceRequestId"))
        fingerprint = hashlib.sha256(_dump(message).encode()).hexdigest()[:24]
        key = f"reply|{phone}|{trace or ''}|{item.get('sendTime') or ''}|{fingerprint}"
        return CallbackEvent(
            INBOUND_EVENT, key, trace, phone=phone, account=_text(item.get("appkey")),
            reply_title=text.strip()[:MAX_TEXT] if text and trace else None,
            text=text[:MAX_TEXT] if text else None,
            inbound_type="text" if text is not None else "media", body=_dump(item))

    def meaning(self, code: str, said: str | None) -> str:
        """What failure ``code`` means: the documented meaning, else the provider's words."""
        info = self.codes.get(code)
        if info is None:
            return said or f"undocumented NXCloud code {code}"
        if said and said.strip().lower() not in (info.meaning.lower(), "failure", "fail"):
            return f"{info.meaning} (provider said: {said.strip()[:200]})"
        return info.meaning

    # -- emulation ---------------------------------------------------------------------------

    def reply_options(self, payload: Mapping[str, Any]) -> list[ReplyOption]:
        data = payload.get("messageData")
        options = data.get("surveyOptions") if isinstance(data, Mapping) else None
        if not isinstance(options, list):
            return []
        return [ReplyOption(None, str(o)) for o in options if isinstance(o, str)]

    def status_callback(self, payload: Mapping[str, Any], message_id: str, status: str,
                        when: float) -> dict[str, Any] | None:
        code = _STATUS_CODE.get(status)
        if code is None:
            return None
        failed = status == "failed"
        info = self.codes.get(EMULATED_FAILURE)
        return {"status": int(code), "requestId": message_id,
                "code": int(EMULATED_FAILURE) if failed else 0,
                "message": (info.meaning if info else "failure") if failed else "success",
                "sendTime": _clock(when)}

    def reply_callback(self, payload: Mapping[str, Any], message_id: str,
                       option: ReplyOption | None, text: str, when: float) -> dict[str, Any]:
        return {"phone": str(payload.get("phone", "")), "appkey": str(payload.get("appkey", "")),
                "traceRequestId": message_id,
                "message": {"text": option.title if option is not None else text},
                "sendTime": _clock(when)}


def _clock(when: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when))


CALLBACKS = NXCloudCallbacks(CODES)
