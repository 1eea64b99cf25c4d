"""What every provider module supplies, and the helpers lowering code shares.

A provider module (one file in this folder) defines a subclass of :class:`Provider` and
exposes an instance as ``PROVIDER``. The registry finds it by itself; nothing else in msgc
names a provider. A provider says:

* how a rendered neutral message is *lowered* to its payload (:meth:`Provider.lower`),
* which JSON Schemas describe its payload and its target settings,
* which rules a schema cannot state (:meth:`Provider.check_payload`),
* where the envelope fields (recipient, app id, ...) come from,
* and, for sending, how a request is signed and an answer read.

Lowering reads an *input* tree ``{"message": ..., "settings": ...}`` and records, for each
payload field it writes, the input pointer it came from, so a finding in the payload is
reported at the spec line that produced it.
"""

from __future__ import annotations

import enum
import json
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .. import pointer as jp
from ..diagnostics import Severity
from ..schemas import Finding, check, load_schema


@dataclass(frozen=True, slots=True)
class EnvelopeField:
    """A payload field that addresses the message rather than holding its content."""

    payload_key: str          # e.g. "appkey"
    setting: str | None       # key in the spec's target block, e.g. "app_id"
    env: str | None           # environment variable, e.g. "NXCLOUD_APPKEY"
    option: str               # command-line option, e.g. "--appkey"
    placeholder: str          # value used when a spec is checked without real addressing
    is_recipient: bool = False
    is_phone: bool = False    # normalised by compiler.phone wherever it comes from


@dataclass(slots=True)
class Lowered:
    """A provider payload, the kind of message chosen, and where each field came from."""

    payload: dict[str, Any]
    kind: str
    origins: dict[str, str] = field(default_factory=dict)


class LoweringError(Exception):
    """The message cannot be expressed for this provider; carries findings on the input."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.message for f in findings))
        self.findings = findings


class Trace:
    """Collects payload-pointer -> input-pointer origins and lowering errors."""

    def __init__(self) -> None:
        self.origins: dict[str, str] = {}
        self.errors: list[Finding] = []

    def at(self, payload_ptr: str, input_ptr: str) -> None:
        self.origins[payload_ptr] = input_ptr

    def error(self, input_ptr: str, rule: str, message: str, hint: str | None = None) -> None:
        self.errors.append(Finding(input_ptr, rule, message, Severity.ERROR, hint))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise LoweringError(self.errors)


class Provider(ABC):
    """Base class of provider modules."""

    name: ClassVar[str]               # key under `targets:` and for --provider
    label: ClassVar[str]              # for people: "Viber (NXCloud)"
    payload_schema: ClassVar[str]     # file name in schemas/
    target_schema: ClassVar[str]      # file name in schemas/
    envelope: ClassVar[tuple[EnvelopeField, ...]]
    #: Regexes over payload JSON pointers whose *values* :meth:`check_payload` reads.
    #: The fast path re-runs the semantic rules per message only when a rendered value
    #: lands on one of them; None means "always".
    semantic_fields: ClassVar[tuple[str, ...] | None] = None

    # -- compiling ---------------------------------------------------------------------

    @abstractmethod
    def lower(self, message: Mapping[str, Any], settings: Mapping[str, Any],
              envelope: Mapping[str, str]) -> Lowered:
        """Turn a rendered neutral message into this provider's payload."""

    def check_payload(self, payload: Any) -> list[Finding]:
        """Rules a JSON Schema cannot state. Must tolerate payloads that break the schema."""
        return []

    def validate(self, payload: Any) -> list[Finding]:
        """Every violation in ``payload``: the schema's, then the semantic rules'."""
        findings = check(self.payload_schema, payload, self.name, self.label)
        return findings + self.check_payload(payload)

    def check_settings(self, settings: Any) -> list[Finding]:
        """Violations in the spec's target block for this provider (pointers relative to it)."""
        return check(self.target_schema, settings, self.name, self.label)

    def target_schema_document(self) -> dict[str, Any]:
        return load_schema(self.target_schema)

    # -- sending (declared here; each provider module implements it in its own
    #    "sending" section; only compiler.sending calls it, and no httpx is needed) -------

    #: Production API root, without a trailing slash, e.g. ``"https://api2.nxcloud.com"``.
    default_base_url: ClassVar[str] = ""
    #: Path of the send endpoint under the base URL, e.g. ``"/api/viber/mt"``.
    endpoint_path: ClassVar[str] = ""
    #: Environment variable that overrides the base URL (to point at ``msgc fake-server``).
    base_url_env: ClassVar[str] = ""
    #: Environment variables (also keys of the config file's ``[credentials]``) that signing
    #: needs, all required. Their values are secrets: never printed, logged or stored.
    credential_names: ClassVar[tuple[str, ...]] = ()
    #: Request headers whose values are masked as ``***`` when a request is shown.
    secret_headers: ClassVar[tuple[str, ...]] = ()
    #: Largest difference, in seconds, between the request timestamp and the provider's clock.
    timestamp_skew: ClassVar[float] = 60.0
    #: Every documented answer code: its meaning, and whether a retry is safe and useful.
    response_codes: ClassVar[Mapping[str, ResponseCode]] = {}
    #: How the provider pushes receipts and inbound messages (None: it does not).
    callbacks: ClassVar[CallbackFormat | None] = None
    #: Seconds after the recipient's last message during which the provider accepts
    #: free-form messages (None: no such rule); ``msgc send --skip-closed-sessions``.
    session_window: ClassVar[float | None] = None
    #: The payload key naming the business account a session is held with (its inbound
    #: events carry the same value), e.g. the sending number.
    session_account: ClassVar[str | None] = None

    @property
    def can_send(self) -> bool:
        """Whether this provider module implements sending."""
        return bool(self.endpoint_path)

    def sign(self, body: bytes, credentials: Mapping[str, str], now: float) -> dict[str, str]:
        """The HTTP request headers (Content-Type included) that authenticate ``body``, the
        exact bytes to be sent, at Unix time ``now``. ``credentials`` maps every name in
        :attr:`credential_names` to its value."""
        raise NotImplementedError(f"{self.label} does not support sending")

    def parse_response(self, status: int, body: bytes) -> SendOutcome:
        """Classify the provider's answer (HTTP status and body) to one send request."""
        raise NotImplementedError(f"{self.label} does not support sending")

    def verify_request(self, headers: Mapping[str, str], body: bytes,
                       credentials: Mapping[str, str], now: float) -> str | None:
        """What the provider would answer to this request, for the fake server: the
        documented error code (auth, timestamp, then payload checks), or ``None`` when it
        would accept it. ``headers`` has lower-case names."""
        raise NotImplementedError(f"{self.label} does not support sending")

    def success_body(self, message_id: str) -> bytes:
        """The provider's answer to an accepted message, carrying ``message_id``."""
        raise NotImplementedError(f"{self.label} does not support sending")

    def error_body(self, code: str) -> bytes:
        """The provider's answer rejecting a request with the documented ``code``."""
        raise NotImplementedError(f"{self.label} does not support sending")

    def code_info(self, code: str) -> ResponseCode:
        """The documented meaning of ``code``; an undocumented code is a non-retryable
        failure (the answer carried no message id, so nothing was accepted)."""
        info = self.response_codes.get(code)
        if info is None:
            return ResponseCode(code, f"undocumented {self.label} answer code {code}")
        return info

    def code_outcome(self, code: str, said: Any = None) -> SendOutcome:
        """The outcome of an answer carrying the rejection ``code`` (``said``: the
        provider's own wording, kept when it adds to the documented meaning)."""
        info = self.code_info(code)
        message = info.meaning
        if isinstance(said, str) and said.strip() and said.strip().lower() not in (
                info.meaning.lower(), "failure", "fail", "error"):
            message = f"{message} (provider said: {said.strip()[:200]})"
        return outcome("provider-retry" if info.retryable else "provider-error", code=code,
                       message=message, hint=info.hint)


# -- helpers shared by the lowering code of several providers --------------------------------

def media_url(value: Any) -> str:
    """A media field is a URL string or {url: ...}."""
    return str(value["url"] if isinstance(value, Mapping) else value)


def media_ptr(value: Any, ptr: str) -> str:
    return jp.join(ptr, "url") if isinstance(value, Mapping) else ptr


_NUMBER_RE = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def as_number(value: Any, ptr: str, what: str, trace: Trace, *, integer: bool = False
              ) -> int | float | None:
    """A number from a spec field that may be a number or a rendered template string."""
    if isinstance(value, bool):
        trace.error(ptr, "message-number", f"{what} must be a number, not a boolean")
        return None
    if isinstance(value, (int, float)):
        number: int | float = value
    elif isinstance(value, str) and _NUMBER_RE.match(value):
        number = float(value) if re.search(r"[.eE]", value) else int(value)
    else:
        trace.error(ptr, "message-number", f"{what} must be a number, got {value!r}")
        return None
    if isinstance(number, float):
        if not math.isfinite(number):
            trace.error(ptr, "message-number", f"{what} must be a finite number")
            return None
        if number.is_integer():
            number = int(number)
    if integer and not isinstance(number, int):
        trace.error(ptr, "message-integer", f"{what} must be a whole number, got {value!r}")
        return None
    return number


def present(message: Mapping[str, Any], *keys: str) -> list[str]:
    return [k for k in keys if message.get(k) not in (None, [], {}, False)]


# -- sending: the types shared by provider modules and compiler.sending ---------------------

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


# -- callbacks: what providers push back (delivery receipts, inbound messages) --------------
# Declared here; each provider's own module parses its shapes and emulates them for the
# fake server. compiler.tracking (the webhook's store, matching, reports) sees only these
# neutral types.

#: The neutral statuses of a message that was sent, as status callbacks report them:
#: ``sent`` (handed on by the provider), ``delivered``, ``read`` (read or seen),
#: ``failed``, ``expired`` (never delivered in time), ``deleted``.
DELIVERY_STATUSES = ("sent", "delivered", "read", "failed", "expired", "deleted")
#: Kinds of callback events.
STATUS_EVENT, INBOUND_EVENT = "status", "inbound"


@dataclass(frozen=True, slots=True)
class CallbackEvent:
    """One event of a provider callback, in msgc's neutral terms.

    ``key`` identifies the event for its provider: a provider that pushes the same event
    again (a retry) produces the same key, so it is stored once."""

    kind: str                       # STATUS_EVENT or INBOUND_EVENT
    key: str
    #: status: the provider's id of the message we sent; inbound: the id of the message
    #: the user answered (a reply's context), when the callback says.
    message_id: str | None
    status: str | None = None       # status events: one of DELIVERY_STATUSES
    code: str | None = None         # the provider's failure code, if any
    reason: str | None = None       # what the failure means (documented or the provider's words)
    phone: str | None = None        # the recipient (status) or the sender (inbound), digits only
    account: str | None = None      # the business account concerned (sending number, app key)
    event_time: float | None = None  # Unix time of the event by the provider's clock, when given
    reply_id: str | None = None     # inbound: the id of the button, choice or row chosen
    reply_title: str | None = None  # inbound: its title (or the chosen option's text)
    text: str | None = None         # inbound: the text the user wrote
    inbound_type: str | None = None  # inbound: text, image, interactive, ...
    body: str = ""                  # this event's part of the callback, as JSON text


class CallbackRejected(Exception):
    """A callback that cannot be taken: ``status`` is the HTTP answer (4xx), ``reason``
    says why in words that name fields, never their values (it is logged)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ReplyOption:
    """A reply a message offers (a reply button, a choice, a list row)."""

    id: str | None       # what the provider reports back (None: it reports the title)
    title: str


class CallbackFormat(ABC):
    """How one provider pushes delivery receipts and inbound messages to the customer's URL:
    parsing them (the webhook) and producing them (the fake server's emulation)."""

    #: The last segment of the webhook URL for this provider: ``/hooks/<token>/<path>``.
    path: ClassVar[str]
    #: Seconds after which the provider pushes a callback again when the push failed.
    retry_delays: ClassVar[tuple[float, ...]] = ()
    #: The statuses this provider reports (the fake emulates only these).
    statuses: ClassVar[tuple[str, ...]] = DELIVERY_STATUSES

    @abstractmethod
    def parse(self, data: Any) -> list[CallbackEvent]:
        """The events of one callback body (decoded JSON), or :class:`CallbackRejected`
        when it is not a callback of this provider (wrong shape, unknown event type)."""

    # -- emulation (the fake server) ---------------------------------------------------------

    @abstractmethod
    def reply_options(self, payload: Mapping[str, Any]) -> list[ReplyOption]:
        """The replies a sent payload offers its recipient (none for a plain message)."""

    @abstractmethod
    def status_callback(self, payload: Mapping[str, Any], message_id: str, status: str,
                        when: float) -> dict[str, Any] | None:
        """The body the provider pushes when message ``message_id`` (sent as ``payload``)
        reaches ``status``; None when this provider reports no such status."""

    @abstractmethod
    def reply_callback(self, payload: Mapping[str, Any], message_id: str,
                       option: ReplyOption | None, text: str, when: float) -> dict[str, Any]:
        """The body the provider pushes when the recipient answers message ``message_id``
        by choosing ``option`` (or, when it is None, by writing ``text``)."""


def digits(value: Any) -> str | None:
    """A phone number as digits only (None when there are none)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    found = "".join(ch for ch in str(value) if ch.isdigit())
    return found or None
