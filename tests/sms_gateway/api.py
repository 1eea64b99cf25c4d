"""Signing a request (a bearer token) and reading the gateway's answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.sending.outcome import SendOutcome, outcome, read_answer


def sign(provider: Any, body: bytes, credentials: Mapping[str, str], now: float
         ) -> dict[str, str]:
    return {"Content-Type": "application/json",
            "Authorization": f"Bearer {credentials['SMS_TOKEN']}"}


def parse_response(provider: Any, status: int, body: bytes) -> SendOutcome:
    answer = read_answer(status, body)
    if isinstance(answer, SendOutcome):
        return answer
    if isinstance(answer.get("id"), str):
        return outcome("success", message_id=answer["id"], code="0", message="accepted")
    error = answer.get("error")
    if isinstance(error, str):
        return provider.code_outcome(error)
    return outcome("unreadable", code=f"HTTP {status}", message="no id and no error")
