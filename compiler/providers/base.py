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

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .. import pointer as jp
from ..diagnostics import Severity
from ..schemas import Finding, load_schema, schema_findings, validator


@dataclass(frozen=True, slots=True)
class EnvelopeField:
    """A payload field that addresses the message rather than holding its content."""

    payload_key: str          # e.g. "appkey"
    setting: str | None       # key in the spec's target block, e.g. "app_id"
    env: str | None           # environment variable, e.g. "NXCLOUD_APPKEY"
    option: str               # command-line option, e.g. "--appkey"
    placeholder: str          # value used when a spec is checked without real addressing
    is_recipient: bool = False


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
        findings = schema_findings(validator(self.payload_schema), payload, self.name, self.label)
        return findings + self.check_payload(payload)

    def check_settings(self, settings: Any) -> list[Finding]:
        """Violations in the spec's target block for this provider (pointers relative to it)."""
        return schema_findings(validator(self.target_schema), settings, self.name, self.label)

    def target_schema_document(self) -> dict[str, Any]:
        return load_schema(self.target_schema)


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
