"""NXCloud's API for Viber messages: how a request is signed and an answer read.

Facts from NXCloud's "API接口调用约定" (``/work/shared/providers/AUTH.md``): the signed
headers ``accessKey``, ``ts`` (milliseconds), ``bizType`` and ``action``, and the ``sign``
over them, the exact body bytes and the secret. Answers are ``{"code", "message",
"data": {"requestId"}}``; ``0`` is success.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...sending.outcome import SendOutcome, outcome, read_answer

if TYPE_CHECKING:
    from ..base import Provider

NXCLOUD_BIZ_TYPE = "7"
NXCLOUD_ACTION = "mt"
_AUTH_HEADERS = ("accessKey", "ts", "bizType", "action", "sign")


def nxcloud_sign(headers: Mapping[str, str], body: bytes, secret: str) -> str:
    """NXCloud's signature for JSON requests:
    ``md5(sorted "name=value" headers joined by "&" + "&body=" + body + "&accessSecret=" +
    secret)``, lower-case hex; ``headers`` are the required headers except ``sign``, and the
    ``&body=`` part is left out for an empty body. ``body`` is hashed byte for byte."""
    text = "&".join(f"{name}={headers[name]}" for name in sorted(headers))
    data = text.encode("utf-8") + (b"&body=" + body if body else b"")
    data += b"&accessSecret=" + secret.encode("utf-8")
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def sign(provider: Provider, body: bytes, credentials: Mapping[str, str], now: float
         ) -> dict[str, str]:
    headers = {
        "accessKey": credentials["NXCLOUD_ACCESS_KEY"],
        "ts": str(int(now * 1000)),
        "bizType": NXCLOUD_BIZ_TYPE,
        "action": NXCLOUD_ACTION,
    }
    headers["sign"] = nxcloud_sign(headers, body, credentials["NXCLOUD_ACCESS_SECRET"])
    return {"Content-Type": "application/json", **headers}


def parse_response(provider: Provider, status: int, body: bytes) -> SendOutcome:
    answer = read_answer(status, body)
    if isinstance(answer, SendOutcome):
        return answer
    code = answer.get("code")
    if isinstance(code, bool) or not isinstance(code, (int, str)) or str(code) == "":
        return outcome("unreadable", code=f"HTTP {status}",
                       message="the answer has no `code`; the message may or may not "
                               "have been accepted")
    code = str(code).strip()
    if code == "0":
        data = answer.get("data")
        request_id = data.get("requestId") if isinstance(data, Mapping) else None
        return outcome("success", message_id=str(request_id) if request_id else None,
                       code="0", message="Success")
    return provider.code_outcome(code, answer.get("message"))
