"""The gateway's answer codes."""

from __future__ import annotations

from compiler.sending.outcome import ResponseCode

CODES = {c.code: c for c in (
    ResponseCode("401", "bad token", hint="check SMS_TOKEN"),
    ResponseCode("422", "the request breaks the gateway's rules"),
    ResponseCode("503", "the gateway is busy", retryable=True),
)}
