"""The rules of an NXCloud Viber request body that its JSON Schema cannot state: the
parameters each OTP template takes, with their types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ... import pointer as jp
from ...schemas import Finding

#: Regexes over payload JSON pointers whose *values* :func:`check_payload` reads.
SEMANTIC_FIELDS = (r"^/messageData/(templateId|templateParams|rateType)(/|$)",)

#: Parameters of the nine OTP templates (NXCloud "Otp模板说明"), with their types.
OTP_TEMPLATES: dict[str, dict[str, type]] = {
    "1": {"pin": str},
    "2": {"pin": str},
    "3": {"pin": str, "businessPlatformName": str},
    "4": {"pin": str, "codeValidityTime": int},
    "5": {"pin": str, "pinType": str, "codeValidityTime": int},
    "6": {"pin": str, "businessPlatformName": str, "codeValidityTime": int},
    "7": {"pin": str, "pinType": str},
    "8": {"pin": str, "businessPlatformActionName": str},
    "9": {"pin": str, "businessPlatformName": str, "codeReason": str},
}


def check_payload(payload: Any) -> list[Finding]:
    if not isinstance(payload, Mapping):
        return []
    data = payload.get("messageData")
    if not isinstance(data, Mapping) or data.get("rateType") != "OtpTemplate":
        return []
    template = data.get("templateId")
    params = data.get("templateParams")
    expected = OTP_TEMPLATES.get(str(template))
    if expected is None or not isinstance(params, Mapping):
        return []
    out = []
    base = "/messageData/templateParams"
    for name, kind in expected.items():
        if name not in params:
            out.append(Finding(
                base, "viber-otp-params",
                f"OTP template {template} needs parameter {name!r}",
                hint=f"template {template} takes: {', '.join(expected)}",
            ))
        elif kind is int and (isinstance(params[name], bool)
                              or not isinstance(params[name], int)):
            out.append(Finding(
                jp.join(base, name), "viber-otp-param-type",
                f"OTP parameter {name} must be an integer, got {params[name]!r}",
            ))
        elif kind is str and not (isinstance(params[name], str) and params[name]):
            out.append(Finding(
                jp.join(base, name), "viber-otp-param-type",
                f"OTP parameter {name} must be a non-empty string, got {params[name]!r}",
            ))
    for name in params:
        if name not in expected:
            out.append(Finding(
                jp.join(base, name), "viber-otp-params",
                f"OTP template {template} has no parameter {name!r}",
                hint=f"template {template} takes: {', '.join(expected)}",
            ))
    return out
