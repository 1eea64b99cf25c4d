"""What NXCloud answers to a Viber send request, for ``msgc fake-server``: the checks in
the documented order (headers, signature, timestamp, then the body, with the documented
codes), and the success and error envelopes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .api import _AUTH_HEADERS, NXCLOUD_ACTION, NXCLOUD_BIZ_TYPE, nxcloud_sign

if TYPE_CHECKING:
    from ..base import Provider

#: The example credentials of NXCloud's signing page, accepted when none are configured.
EXAMPLE_CREDENTIALS = {"NXCLOUD_ACCESS_KEY": "fme2na3kdi3ki",
                       "NXCLOUD_ACCESS_SECRET": "abciiiko2k3"}


def verify_request(provider: Provider, headers: Mapping[str, str], body: bytes,
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
    if not ts.isdigit() or abs(int(ts) - now * 1000) > provider.timestamp_skew * 1000:
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
    return "9000" if provider.validate(payload) else None


def success_body(provider: Provider, message_id: str) -> bytes:
    return json.dumps({"code": 0, "message": "Success", "data": {"requestId": message_id},
                       "traceId": hashlib.md5(message_id.encode(), usedforsecurity=False)
                       .hexdigest()}).encode()


def error_body(provider: Provider, code: str) -> bytes:
    number: int | str = int(code) if code.lstrip("-").isdigit() else code
    return json.dumps({"code": number, "message": provider.response_codes[code].meaning
                       if code in provider.response_codes else "Failure"}).encode()
