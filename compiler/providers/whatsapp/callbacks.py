"""WhatsApp through ITNIO Tech: the callbacks ITNIO pushes, parsed and emulated.

ITNIO posts JSON events to the customer's URL (``/work/shared/providers/AUTH.md``) and
pushes a failed one again after 1, 3 and 5 minutes:

* ``eventType: "message-status-event"``: ``appId, channelType, messageId, billable, form``
  (sic: the sending number), ``recipient, status`` (failed, sent, delivered, read,
  deleted), ``failure, conversationId, expiresAt, conversationType, timestamp``;
* ``eventType: "up-message-event"`` (the user wrote): ``appId, channelType, messageId,
  timestamp, businessPhone, from: {phone, name}, message: {type, text: {body} | image ...}``.

Choices where the documents are silent (written down in the README, "After sending"):

* interactive replies are not in ITNIO's pages; they are taken to follow the WhatsApp
  Cloud API convention ITNIO's send API mirrors: ``message.interactive`` with
  ``button_reply`` or ``list_reply`` ``{id, title}``, and ``context.id`` naming the message
  answered. Both places cheap to accept are accepted: ``interactive`` and ``context``
  inside ``message`` or beside it, and a template ``button`` ``{payload, text}``;
* ``failure`` is undocumented: a string (a code such as ``-70``, or words), a number, or an
  object with ``code`` and ``reason``/``message``/``title``/``description``;
* ``timestamp`` is the event's time in seconds (milliseconds when it is that large);
* the sender field is read from ``form`` and, should ITNIO fix the spelling, ``from``.
"""

from __future__ import annotations

import json
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

STATUS_EVENT_TYPE = "message-status-event"
INBOUND_EVENT_TYPE = "up-message-event"
STATUSES = ("failed", "sent", "delivered", "read", "deleted")
#: The failure the fake reports for a message that was not delivered (an assumption:
#: the WhatsApp Cloud API's "message undeliverable").
EMULATED_FAILURE = {"code": "131026", "reason": "Message undeliverable"}
MAX_TEXT = 1000


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _dump(item: Mapping[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def _time(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, (int, float)) or value <= 0:
        return None
    return value / 1000 if value > 1e11 else float(value)


class ITNIOCallbacks(CallbackFormat):
    """ITNIO's WhatsApp status events and inbound messages."""

    path: ClassVar[str] = "itnio"
    retry_delays: ClassVar[tuple[float, ...]] = (60.0, 180.0, 300.0)
    statuses: ClassVar[tuple[str, ...]] = STATUSES

    def __init__(self, codes: Mapping[str, ResponseCode]) -> None:
        self.codes = codes

    # -- parsing -----------------------------------------------------------------------------

    def parse_one(self, item: Mapping[str, Any]) -> CallbackEvent:
        kind = item.get("eventType")
        if not isinstance(kind, str):
            raise CallbackRejected(422, "a callback needs `eventType` (a string)")
        if kind == STATUS_EVENT_TYPE:
            return self._status(item)
        if kind == INBOUND_EVENT_TYPE:
            return self._inbound(item)
        raise CallbackRejected(422, f"unknown event type: `eventType` is none of "
                               f"{STATUS_EVENT_TYPE}, {INBOUND_EVENT_TYPE}")

    def _status(self, item: Mapping[str, Any]) -> CallbackEvent:
        message_id = _text(item.get("messageId"))
        if message_id is None:
            raise CallbackRejected(422, "a status event needs `messageId` (a string)")
        status = item.get("status")
        if not isinstance(status, str):
            raise CallbackRejected(422, "a status event needs `status` (a string)")
        status = status.strip().lower()
        if status not in STATUSES:
            raise CallbackRejected(422, "unknown event type: `status` is none of "
                                   + ", ".join(STATUSES))
        code, reason = self._failure(item.get("failure"))
        if status == "failed" and reason is None:
            reason = "failed (no reason given)"
        sender = item.get("form", item.get("from"))
        return CallbackEvent(
            STATUS_EVENT, f"status|{message_id}|{status}", message_id, status=status,
            code=code if status == "failed" else None,
            reason=reason if status == "failed" else None,
            phone=digits(item.get("recipient")), account=digits(sender),
            event_time=_time(item.get("timestamp")), body=_dump(item))

    def _failure(self, value: Any) -> tuple[str | None, str | None]:
        """(code, meaning) of a ``failure`` field in any of the shapes accepted."""
        if value is None or value == "" or isinstance(value, bool):
            return None, None
        if isinstance(value, Mapping):
            code = value.get("code")
            said = next((value[k] for k in ("reason", "message", "title", "description")
                         if isinstance(value.get(k), str) and value[k].strip()), None)
            code_text = None if code is None or isinstance(code, bool) else str(code).strip()
            return code_text or None, self._meaning(code_text, said)
        if isinstance(value, (int, float)):
            return str(value), self._meaning(str(value), None)
        if isinstance(value, str):
            text = value.strip()
            if text.lstrip("-").isdigit():
                return text, self._meaning(text, None)
            return None, text[:MAX_TEXT]
        return None, None

    def _meaning(self, code: str | None, said: str | None) -> str | None:
        info = self.codes.get(code) if code else None
        if info is None:
            return said[:MAX_TEXT] if said else (
                f"undocumented ITNIO failure code {code}" if code else None)
        if said and said.strip().lower() != info.meaning.lower():
            return f"{info.meaning} (provider said: {said.strip()[:200]})"
        return info.meaning

    def _inbound(self, item: Mapping[str, Any]) -> CallbackEvent:
        inbound_id = _text(item.get("messageId"))
        if inbound_id is None:
            raise CallbackRejected(422, "an inbound event needs `messageId` (a string)")
        sender = item.get("from")
        phone = digits(sender.get("phone")) if isinstance(sender, Mapping) else None
        if phone is None:
            raise CallbackRejected(422, "an inbound event needs `from.phone`")
        message = item.get("message")
        if not isinstance(message, Mapping) or not isinstance(message.get("type"), str):
            raise CallbackRejected(422, "an inbound event needs `message` with `type`")
        kind = message["type"]
        text = None
        body = message.get("text")
        if isinstance(body, Mapping) and isinstance(body.get("body"), str):
            text = body["body"][:MAX_TEXT]
        elif kind == "text":
            raise CallbackRejected(422, "a text message needs `message.text.body`")
        reply_id, title = self._reply(message, item)
        context = message.get("context", item.get("context"))
        answered = _text(context.get("id")) if isinstance(context, Mapping) else None
        return CallbackEvent(
            INBOUND_EVENT, f"inbound|{inbound_id}", answered, phone=phone,
            account=digits(item.get("businessPhone")), event_time=_time(item.get("timestamp")),
            reply_id=reply_id, reply_title=title, text=text, inbound_type=kind,
            body=_dump(item))

    @staticmethod
    def _reply(message: Mapping[str, Any], item: Mapping[str, Any]
               ) -> tuple[str | None, str | None]:
        interactive = message.get("interactive", item.get("interactive"))
        if isinstance(interactive, Mapping):
            for key in ("button_reply", "list_reply"):
                chosen = interactive.get(key)
                if isinstance(chosen, Mapping):
                    return _text(chosen.get("id")), _text(chosen.get("title"))
            if message.get("type") == "interactive":
                raise CallbackRejected(422, "an interactive reply needs `button_reply` or "
                                       "`list_reply`")
        button = message.get("button")
        if isinstance(button, Mapping):
            return _text(button.get("payload")), _text(button.get("text"))
        return None, None

    # -- emulation ---------------------------------------------------------------------------

    def reply_options(self, payload: Mapping[str, Any]) -> list[ReplyOption]:
        interactive = payload.get("interactive")
        if not isinstance(interactive, Mapping):
            return []
        action = interactive.get("action")
        if not isinstance(action, Mapping):
            return []
        found: list[ReplyOption] = []
        for button in action.get("buttons") or []:
            reply = button.get("reply") if isinstance(button, Mapping) else None
            if isinstance(reply, Mapping):
                found.append(ReplyOption(str(reply.get("id")), str(reply.get("title"))))
        for section in action.get("sections") or []:
            for row in section.get("rows") or [] if isinstance(section, Mapping) else []:
                if isinstance(row, Mapping):
                    found.append(ReplyOption(str(row.get("id")), str(row.get("title"))))
        for card in action.get("cards") or []:
            card_action = card.get("action") if isinstance(card, Mapping) else None
            buttons = card_action.get("buttons") if isinstance(card_action, Mapping) else None
            for button in buttons or []:
                quick = button.get("quick_reply") if isinstance(button, Mapping) else None
                if isinstance(quick, Mapping):
                    found.append(ReplyOption(str(quick.get("id")), str(quick.get("title"))))
        return found

    def _list(self, payload: Mapping[str, Any]) -> bool:
        interactive = payload.get("interactive")
        return isinstance(interactive, Mapping) and interactive.get("type") == "list"

    def status_callback(self, payload: Mapping[str, Any], message_id: str, status: str,
                        when: float) -> dict[str, Any] | None:
        if status not in STATUSES:
            return None
        return {"eventType": STATUS_EVENT_TYPE, "appId": payload.get("appId"),
                "channelType": 0, "messageId": message_id, "billable": status != "failed",
                "form": payload.get("businessPhone"), "recipient": payload.get("recipient"),
                "status": status,
                "failure": dict(EMULATED_FAILURE) if status == "failed" else None,
                "conversationId": "conv-" + message_id[:16], "expiresAt": int(when) + 86400,
                "conversationType": "marketing", "timestamp": int(when)}

    def reply_callback(self, payload: Mapping[str, Any], message_id: str,
                       option: ReplyOption | None, text: str, when: float) -> dict[str, Any]:
        message: dict[str, Any]
        if option is None:
            message = {"type": "text", "text": {"body": text}}
        else:
            key = "list_reply" if self._list(payload) else "button_reply"
            message = {"type": "interactive", "interactive": {
                "type": key, key: {"id": option.id, "title": option.title}}}
        message["context"] = {"id": message_id}
        return {"eventType": INBOUND_EVENT_TYPE, "appId": payload.get("appId"),
                "channelType": 0, "messageId": f"in-{message_id}-{int(when * 1000) % 10**9}",
                "timestamp": int(when), "businessPhone": payload.get("businessPhone"),
                "from": {"phone": payload.get("recipient"), "name": "Test User"},
                "message": message}


CALLBACKS = ITNIOCallbacks(CODES)
