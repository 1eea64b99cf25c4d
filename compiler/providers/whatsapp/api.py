"""ITNIO's API for WhatsApp messages: how a request is signed and an answer read.

``Sign`` is ``md5(apiKey + apiSecret + timestamp)`` (seconds; the body is not signed), sent
with ``Api-Key`` and ``Timestamp``. Answers are ``{"status", "reason", "data":
{"messageId"}}``; ``"0"`` is success.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...sending.outcome import SendOutcome, outcome, read_answer

if TYPE_CHECKING:
    from ..base import Provider


def itnio_sign(api_key: str, api_secret: str, timestamp: str) -> str:
    """ITNIO's ``Sign``: ``md5(apiKey + apiSecret + timestamp)``, lower-case hex (the body
    is not signed)."""
    data = (api_key + api_secret + timestamp).encode("utf-8")
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def sign(provider: Provider, body: bytes, credentials: Mapping[str, str], now: float
         ) -> dict[str, str]:
    timestamp = str(int(now))
    key = credentials["ITNIO_API_KEY"]
    return {
        "Content-Type": "application/json;charset=UTF-8",
        "Api-Key": key,
        "Timestamp": timestamp,
        "Sign": itnio_sign(key, credentials["ITNIO_API_SECRET"], timestamp),
    }


def parse_response(provider: Provider, status: int, body: bytes) -> SendOutcome:
    answer = read_answer(status, body)
    if isinstance(answer, SendOutcome):
        return answer
    code = answer.get("status")
    if isinstance(code, bool) or not isinstance(code, (int, str)) or str(code) == "":
        return outcome("unreadable", code=f"HTTP {status}",
                       message="the answer has no `status`; the message may or may "
                               "not have been accepted")
    code = str(code).strip()
    if code == "0":
        data = answer.get("data")
        message_id = data.get("messageId") if isinstance(data, Mapping) else None
        return outcome("success", message_id=str(message_id) if message_id else None,
                       code="0", message="success")
    return provider.code_outcome(code, answer.get("reason"))
