"""What every provider supplies.

A provider is one package in this folder (see :class:`Provider` for its parts) whose
``__init__`` exposes an instance of its :class:`Provider` subclass as ``PROVIDER``. The
registry finds it by itself; nothing else in msgc names a provider. A provider says:

* how a rendered neutral message is *lowered* to its payload (:meth:`Provider.lower`),
* which JSON Schemas describe its payload and its target settings,
* which rules a schema cannot state (:meth:`Provider.check_payload`),
* where the envelope fields (recipient, app id, ...) come from,
* and, for sending, how a request is signed and an answer read.

Lowering reads an *input* tree ``{"message": ..., "settings": ...}`` and records, for each
payload field it writes, the input pointer it came from, so a finding in the payload is
reported at the spec line that produced it; :mod:`compiler.providers.lowering` holds what
every provider's lowering is made of.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from ..gate import check
from ..schemas import Finding, load_schema

if TYPE_CHECKING:  # the sending and tracking types load with the parts that use them
    from ..sending.outcome import ResponseCode, SendOutcome
    from ..tracking.callbacks import CallbackFormat


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
    help: str = ""            # the command-line option's help


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


class Provider(ABC):
    """A provider's declaration: its name, schemas, envelope, sending facts and parts.

    A provider is a package of this folder whose ``__init__`` declares a subclass and
    exposes an instance as ``PROVIDER``. Besides :meth:`lower` and :meth:`check_payload`
    (its ``lowering`` and ``rules`` modules), the package may hold, each loaded on first
    use so that checking a spec never loads the sending stack:

    * ``codes`` (``CODES``: every documented answer code) and ``api`` (``sign``,
      ``parse_response``): sending;
    * ``emulation`` (``verify_request``, ``success_body``, ``error_body``,
      ``EXAMPLE_CREDENTIALS``): what ``msgc fake-server`` answers in its name;
    * ``callbacks`` (``CALLBACKS``, a :class:`CallbackFormat`): receipts and replies;
    * ``preview`` (``DRAWER``): its chat screen for ``msgc preview``;
    * ``catalog`` (``RULES``): the entries of its rules in the rule catalog.
    """

    name: ClassVar[str]               # key under `targets:` and for --provider
    label: ClassVar[str]              # for people: "Viber (NXCloud)"
    payload_schema: ClassVar[str]     # file name in the schemas folder
    target_schema: ClassVar[str]      # file name in the schemas folder
    envelope: ClassVar[tuple[EnvelopeField, ...]]
    #: Regexes over payload JSON pointers whose *values* :meth:`check_payload` reads.
    #: The fast path re-runs the semantic rules per message only when a rendered value
    #: lands on one of them; None means "always".
    semantic_fields: ClassVar[tuple[str, ...] | None] = None

    # -- the provider package's parts ----------------------------------------------------

    def part(self, name: str) -> ModuleType | None:
        """The module ``name`` of this provider's package, imported on first use; None
        when the provider has no such part."""
        package = type(self).__module__
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise
            return None

    def _required(self, name: str) -> ModuleType:
        module = self.part(name)
        if module is None:
            raise NotImplementedError(f"{self.label} does not support sending")
        return module

    # -- compiling ---------------------------------------------------------------------

    @abstractmethod
    def lower(self, message: Mapping[str, Any], settings: Mapping[str, Any],
              envelope: Mapping[str, str]) -> Lowered:
        """Turn a rendered neutral message into this provider's payload."""

    def check_payload(self, payload: Any) -> list[Finding]:
        """Rules a JSON Schema cannot state. Must tolerate payloads that break the schema."""
        return []

    def refine(self, findings: list[Finding]) -> list[Finding]:
        """Drop findings that only follow from another one (none by default)."""
        return findings

    def validate(self, payload: Any) -> list[Finding]:
        """Every violation in ``payload``: the schema's, then the semantic rules'."""
        findings = check(self.payload_schema, payload, self.name, self.label)
        return self.refine(findings + self.check_payload(payload))

    def check_settings(self, settings: Any) -> list[Finding]:
        """Violations in the spec's target block for this provider (pointers relative to it)."""
        return check(self.target_schema, settings, self.name, self.label)

    def target_schema_document(self) -> dict[str, Any]:
        return load_schema(self.target_schema)

    # -- sending: facts declared here, code in the ``api`` and ``emulation`` parts -------

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
    #: Seconds after the recipient's last message during which the provider accepts
    #: free-form messages (None: no such rule); ``msgc send --skip-closed-sessions``.
    session_window: ClassVar[float | None] = None
    #: The payload key naming the business account a session is held with (its inbound
    #: events carry the same value), e.g. the sending number.
    session_account: ClassVar[str | None] = None

    @property
    def can_send(self) -> bool:
        """Whether this provider implements sending."""
        return bool(self.endpoint_path)

    @property
    def response_codes(self) -> Mapping[str, ResponseCode]:
        """Every documented answer code: its meaning, and whether a retry is safe and
        useful (the ``codes`` part's ``CODES``)."""
        module = self.part("codes")
        codes: Mapping[str, ResponseCode] = module.CODES if module is not None else {}
        return codes

    @property
    def callbacks(self) -> CallbackFormat | None:
        """How the provider pushes receipts and inbound messages (None: it does not)."""
        module = self.part("callbacks")
        form: CallbackFormat | None = module.CALLBACKS if module is not None else None
        return form

    @property
    def example_credentials(self) -> Mapping[str, str]:
        """The example credentials of the provider's document, which ``msgc fake-server``
        accepts when none are configured."""
        module = self.part("emulation")
        examples: Mapping[str, str] = module.EXAMPLE_CREDENTIALS if module is not None else {}
        return examples

    @property
    def recipient_key(self) -> str | None:
        """The payload key of the recipient."""
        return next((f.payload_key for f in self.envelope if f.is_recipient), None)

    def sign(self, body: bytes, credentials: Mapping[str, str], now: float) -> dict[str, str]:
        """The HTTP request headers (Content-Type included) that authenticate ``body``, the
        exact bytes to be sent, at Unix time ``now``. ``credentials`` maps every name in
        :attr:`credential_names` to its value."""
        headers: dict[str, str] = self._required("api").sign(self, body, credentials, now)
        return headers

    def parse_response(self, status: int, body: bytes) -> SendOutcome:
        """Classify the provider's answer (HTTP status and body) to one send request."""
        answer: SendOutcome = self._required("api").parse_response(self, status, body)
        return answer

    def verify_request(self, headers: Mapping[str, str], body: bytes,
                       credentials: Mapping[str, str], now: float) -> str | None:
        """What the provider would answer to this request, for the fake server: the
        documented error code (auth, timestamp, then payload checks), or ``None`` when it
        would accept it. ``headers`` has lower-case names."""
        code: str | None = self._required("emulation").verify_request(
            self, headers, body, credentials, now)
        return code

    def success_body(self, message_id: str) -> bytes:
        """The provider's answer to an accepted message, carrying ``message_id``."""
        body: bytes = self._required("emulation").success_body(self, message_id)
        return body

    def error_body(self, code: str) -> bytes:
        """The provider's answer rejecting a request with the documented ``code``."""
        body: bytes = self._required("emulation").error_body(self, code)
        return body

    def code_info(self, code: str) -> ResponseCode:
        """The documented meaning of ``code``; an undocumented code is a non-retryable
        failure (the answer carried no message id, so nothing was accepted)."""
        from ..sending.outcome import ResponseCode

        info = self.response_codes.get(code)
        if info is None:
            return ResponseCode(code, f"undocumented {self.label} answer code {code}")
        return info

    def code_outcome(self, code: str, said: Any = None) -> SendOutcome:
        """The outcome of an answer carrying the rejection ``code`` (``said``: the
        provider's own wording, kept when it adds to the documented meaning)."""
        from ..sending.outcome import outcome

        info = self.code_info(code)
        message = info.meaning
        if isinstance(said, str) and said.strip() and said.strip().lower() not in (
                info.meaning.lower(), "failure", "fail", "error"):
            message = f"{message} (provider said: {said.strip()[:200]})"
        return outcome("provider-retry" if info.retryable else "provider-error", code=code,
                       message=message, hint=info.hint)


# -- helpers ------------------------------------------------------------------------------------

def digits(value: Any) -> str | None:
    """A phone number as digits only (None when there are none)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    found = "".join(ch for ch in str(value) if ch.isdigit())
    return found or None
