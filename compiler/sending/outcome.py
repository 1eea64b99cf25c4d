"""What an answer to a send request means: the retry table and the outcome types.

A provider's API module reads its own answers (codes, envelopes) into a
:class:`SendOutcome`; :mod:`compiler.sending` (the client, campaigns, the journal) acts on
the outcome's :class:`Disposition` and never on a provider's codes. The retry rule is one
table, :data:`RETRY_TABLE`, read by the client, the provider API modules and the README.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any


class Disposition(enum.StrEnum):
    """What one send attempt achieved."""

    SENT = "sent"          # accepted: the provider returned a message id
    FAILED = "failed"      # rejected, nothing accepted; retrying cannot help
    RETRY = "retry"        # rejected before acceptance for a passing reason; safe to retry
    UNKNOWN = "unknown"    # the request may have been accepted; never retried blindly


@dataclass(frozen=True, slots=True)
class RetryRule:
    """One row of the retry table: a kind of answer (or of silence), whether the provider
    can have accepted the message, and what msgc does about it."""

    case: str                  # the name the code uses, e.g. "HTTP 429", "timeout"
    what: str                  # the situation, for people
    accepted: str              # "no", "maybe" or "yes": can the message have been accepted?
    disposition: Disposition   # what msgc does (RETRY: again, with backoff)


#: The retry rule, as data: **retry only when nothing can have been accepted**. The client,
#: the provider modules and the README all read this one table (the README's copy is
#: checked by the tests). A RETRY case whose retries run out ends ``failed``, and only
#: those rows are sent again by ``--resume --retry-failed``; an UNKNOWN case is never sent
#: again except by ``--resume --resend-unknown``.
RETRY_TABLE: tuple[RetryRule, ...] = (
    RetryRule("connect", "the connection could not be opened (refused, DNS, TLS, connect "
              "timeout): the request was never written", "no", Disposition.RETRY),
    RetryRule("HTTP 408", "HTTP 408 Request Timeout: the server did not read the request",
              "no", Disposition.RETRY),
    RetryRule("HTTP 429", "HTTP 429 Too Many Requests", "no", Disposition.RETRY),
    RetryRule("HTTP 503", "HTTP 503 Service Unavailable", "no", Disposition.RETRY),
    RetryRule("provider-retry", "a provider code documented as a passing failure before "
              "acceptance: ITNIO `-18` (system error)", "no", Disposition.RETRY),
    RetryRule("HTTP 502", "HTTP 502 Bad Gateway: a gateway may say this after its upstream "
              "accepted the message", "maybe", Disposition.UNKNOWN),
    RetryRule("HTTP 504", "HTTP 504 Gateway Timeout: likewise", "maybe", Disposition.UNKNOWN),
    RetryRule("HTTP 5xx", "any other 5xx answer (500, ...) without a provider code", "maybe",
              Disposition.UNKNOWN),
    RetryRule("timeout", "no answer within `--timeout` after the request was written",
              "maybe", Disposition.UNKNOWN),
    RetryRule("connection", "the connection dropped after the request was written", "maybe",
              Disposition.UNKNOWN),
    RetryRule("unreadable", "an answer that cannot be read (not a JSON object, no code)",
              "maybe", Disposition.UNKNOWN),
    RetryRule("HTTP 4xx", "any other 4xx answer without a provider code: refused before "
              "processing", "no", Disposition.FAILED),
    RetryRule("provider-error", "any other provider error code, documented or not (bad "
              "number, balance, parameters, authentication)", "no", Disposition.FAILED),
    RetryRule("success", "the provider's success code, with its message id", "yes",
              Disposition.SENT),
)
_RULES = {r.case: r for r in RETRY_TABLE}
_ACTION = {Disposition.RETRY: "retried with backoff; `failed` when the retries run out",
           Disposition.UNKNOWN: "`unknown`, never retried",
           Disposition.FAILED: "`failed`, not retried", Disposition.SENT: "`sent`"}


def rule(case: str) -> RetryRule:
    """The row of :data:`RETRY_TABLE` named ``case``."""
    return _RULES[case]


def retry_table_markdown() -> str:
    """The retry table as the README states it."""
    lines = ["| what happened | can it have been accepted? | msgc |", "|---|---|---|"]
    lines += [f"| {r.what} | {r.accepted} | {_ACTION[r.disposition]} |" for r in RETRY_TABLE]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ResponseCode:
    """One documented answer code of a provider."""

    code: str
    meaning: str
    retryable: bool = False
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """The classified answer to one send request."""

    disposition: Disposition
    message_id: str | None = None
    code: str | None = None        # the provider's code, "HTTP 503", "timeout", ...
    message: str | None = None     # the documented meaning, or what went wrong
    hint: str | None = None
    retry_after: float | None = None
    rule: str | None = None        # the case of RETRY_TABLE this answer falls under


def outcome(case: str, *, code: str | None = None, message: str | None = None,
            message_id: str | None = None, hint: str | None = None) -> SendOutcome:
    """The outcome of an answer of kind ``case``: its disposition comes from the table."""
    return SendOutcome(rule(case).disposition, message_id=message_id, code=code,
                       message=message, hint=hint, rule=case)


def status_case(status: int) -> str | None:
    """The table case an HTTP status decides by itself (whatever the body says)."""
    case = f"HTTP {status}"
    if case in _RULES:
        return case
    return None


def read_answer(status: int, body: bytes) -> dict[str, Any] | SendOutcome:
    """The JSON object of an answer, or the outcome when there is none to read.

    408, 429, 502, 503 and 504 decide by their status, whatever the body says. A 4xx
    without a readable body was refused before processing (failed); any other unreadable
    answer, a 2xx or a 5xx, may follow an accepted message, so it is *unknown*.
    """
    case = status_case(status)
    if case is not None:
        said = ("the provider asked to come back later" if rule(case).disposition
                is Disposition.RETRY else "a gateway failed; the provider may or may not "
                "have accepted the message")
        return outcome(case, code=case, message=f"{said} ({case})")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict):
        return data
    if 400 <= status < 500:
        return outcome("HTTP 4xx", code=f"HTTP {status}",
                       message=f"the provider refused the request (HTTP {status})")
    return outcome("HTTP 5xx" if status >= 500 else "unreadable", code=f"HTTP {status}",
                   message="the answer could not be read (not a JSON object); the message "
                           "may or may not have been accepted")
