"""What the gateway answers, for ``msgc fake-server``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

EXAMPLE_CREDENTIALS = {"SMS_TOKEN": "example-token"}


def verify_request(provider: Any, headers: Mapping[str, str], body: bytes,
                   credentials: Mapping[str, str], now: float) -> str | None:
    if headers.get("authorization") != f"Bearer {credentials.get('SMS_TOKEN')}":
        return "401"
    try:
        payload = json.loads(body)
    except ValueError:
        return "422"
    return "422" if provider.validate(payload) else None


def success_body(provider: Any, message_id: str) -> bytes:
    return json.dumps({"id": message_id}).encode()


def error_body(provider: Any, code: str) -> bytes:
    return json.dumps({"error": code}).encode()
