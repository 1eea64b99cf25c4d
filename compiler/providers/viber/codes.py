"""Every answer code of NXCloud's Viber API, with its meaning and what to do.

From the response-code table of the Viber document and the authentication codes of
NXCloud's "API接口调用约定" (``/work/shared/providers/AUTH.md``).
"""

from __future__ import annotations

from ...sending.outcome import ResponseCode

_CONTACT_TECH = "contact NXCloud technical support"

#: Every code of the Viber document's table (1000~100X spelled out from the auth page).
#: None is retried: the document's remedy for each is a person (support, sales, a fix of
#: the request), none says "busy, try again"; 1004 means the local clock is off by more
#: than 60 s, which a retry signed with the same clock cannot fix.
CODES: dict[str, ResponseCode] = {c.code: c for c in (
    ResponseCode("0", "Success"),
    ResponseCode("-1", "Failure", hint=_CONTACT_TECH),
    ResponseCode("1000", "Authentication failed", hint="see NXCloud's API authentication rules"),
    ResponseCode("1001", "Authentication failed: a required header is missing",
                 hint="accessKey, ts, bizType, action and sign are all required"),
    ResponseCode("1002", "Authentication failed: bad bizType, action or body",
                 hint="Viber needs bizType 7 and action mt, and a JSON body"),
    ResponseCode("1003", "Authentication failed: invalid signature",
                 hint="check NXCLOUD_ACCESS_KEY and NXCLOUD_ACCESS_SECRET"),
    ResponseCode("1004", "Authentication failed: timestamp expired (more than 60 s off)",
                 hint="check this machine's clock (NTP)"),
    ResponseCode("1005", "Authentication failed: insufficient permissions",
                 hint="ask NXCloud to enable Viber for this access key"),
    ResponseCode("1100", "Customer does not exist / status is unavailable",
                 hint="the account is not in good standing: contact NXCloud sales"),
    ResponseCode("1102", "Insufficient balance", hint="top up the NXCloud account"),
    ResponseCode("9000", "Request parameter error",
                 hint="a required parameter is missing: check the request"),
    ResponseCode("9001", "System business error", hint=_CONTACT_TECH),
    ResponseCode("9002", "Phone number error", hint="check the recipient number"),
    ResponseCode("9003", "Customer APP does not exist / status is unavailable",
                 hint="check the appkey; contact NXCloud sales if the app is disabled"),
    ResponseCode("9004", "Customer APP does not have quotation",
                 hint="the app has no price: contact NXCloud sales"),
    ResponseCode("9005", "Missing customer APP routes", hint=_CONTACT_TECH),
    ResponseCode("9011", "Customer APP quotation currency error", hint=_CONTACT_TECH),
    ResponseCode("9999", "Unknown error", hint=_CONTACT_TECH),
)}
