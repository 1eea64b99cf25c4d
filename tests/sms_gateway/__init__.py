"""A small third provider, defined entirely in this folder: a plain SMS gateway.

It exists to prove that msgc's provider boundary holds: registered with
``compiler.providers.register``, it is a target, a ``--provider`` with its own ``--sender``
option, catalogued rules, a fake-server route and a sender with a journal, without a line of
msgc outside ``compiler/providers/`` knowing about it. Its parts sit side by side as for the
built-in providers: this declaration (with its lowering), ``codes``, ``api``, ``emulation``
and ``catalog``, plus its two schemas.

The gateway: ``POST /sms/send`` with ``Authorization: Bearer <SMS_TOKEN>`` and a JSON body
``{"from", "to", "text"}``; it answers ``{"id": ...}`` or ``{"error": CODE}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from compiler import pointer as jp
from compiler.providers.base import EnvelopeField, Lowered, Provider
from compiler.providers.lowering import Trace, present

SCHEMAS = Path(__file__).resolve().parent / "schemas"
#: Neutral fields a text message cannot carry.
_NOT_TEXT = ("header", "footer", "image", "video", "document", "audio", "sticker", "location",
             "request_location", "contacts", "buttons", "choices", "menu", "carousel", "otp",
             "reply_to")


class SmsGateway(Provider):
    name = "sms"
    label = "SMS"
    payload_schema = str(SCHEMAS / "sms.payload.schema.json")
    target_schema = str(SCHEMAS / "sms.target.schema.json")
    envelope = (
        EnvelopeField("to", None, None, "--to", "10000000000", is_recipient=True,
                      is_phone=True, help="Recipient phone number."),
        EnvelopeField("from", "sender", "SMS_SENDER", "--sender", "MSGC",
                      help="SMS sender id (the plain SMS gateway)."),
    )
    default_base_url = "https://sms.example.com"
    endpoint_path = "/sms/send"
    base_url_env = "MSGC_SMS_BASE_URL"
    credential_names = ("SMS_TOKEN",)
    secret_headers = ("Authorization",)

    def lower(self, message: Mapping[str, Any], settings: Mapping[str, Any],
              envelope: Mapping[str, str]) -> Lowered:
        t = Trace()
        for key in present(message, *_NOT_TEXT):
            t.error(jp.join("/message", key), "sms-text-only",
                    f"an SMS carries text only, not `{key}`",
                    "remove it for sms with `null` in targets.sms.message")
        if message.get("text") is None:
            t.error("/message", "message-empty", "the message has nothing an SMS can send")
        t.raise_if_errors()
        t.at("/text", "/message/text")
        payload = {"from": envelope.get("from"), "to": envelope.get("to"),
                   "text": message["text"]}
        return Lowered(payload=payload, kind="text", origins=t.origins)


PROVIDER = SmsGateway()
