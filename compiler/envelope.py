"""Where the envelope of a payload comes from: recipient, app ids, business phone.

Precedence, first found wins (the README says the same):

1. command-line options (``--to``, ``--appkey``, ``--app-id``, ``--business-phone``),
2. the spec's target block (``targets.viber.appkey``, ``targets.whatsapp.business_phone``),
3. environment variables (``NXCLOUD_APPKEY``, ``ITNIO_APP_ID``, ``ITNIO_BUSINESS_PHONE``),
4. the ``[envelope]`` values of the msgc config file,
5. when checking without real addressing (``validate``, ``build``, ``render``), a
   placeholder.

The recipient only ever comes from ``--to`` (or a recipients file). Phone numbers (the
recipient, WhatsApp's business phone) go through :mod:`compiler.phone` wherever they come
from, so ``+7 (900) 123-45-67`` is ``79001234567`` everywhere.

This is the one resolver: the commands, the preview, the file checks and the Python API's
``render`` (which gives ``to=``/``envelope=`` and reads neither environment nor config) all
call :func:`resolve`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, MsgcError, Severity
from .phone import RULE_PHONE, normalize_phone, phone_problem
from .providers.base import EnvelopeField, Provider

RULE_ENVELOPE_MISSING = "envelope-missing"
RULE_ENVELOPE_PLACEHOLDER = "envelope-placeholder"


def _option(f: EnvelopeField) -> str:
    return f.option


@dataclass(frozen=True, slots=True)
class Resolved:
    """The envelope by payload key, and the fields that fell back to their placeholder."""

    values: dict[str, str]
    placeholders: tuple[EnvelopeField, ...] = ()

    def warnings(self, provider: Provider, file: str | None,
                 how: Callable[[EnvelopeField], str] = _option) -> list[Diagnostic]:
        """One ``envelope-placeholder`` warning per placeholder used; ``how(field)`` says
        how to give the value (``--appkey``, ``envelope={'appkey': ...}``)."""
        return [Diagnostic(RULE_ENVELOPE_PLACEHOLDER,
                           f"no {f.payload_key} given; using the placeholder {f.placeholder!r}",
                           severity=Severity.WARNING, file=file, provider=provider.name,
                           hint=f"pass {how(f)}")
                for f in self.placeholders]


def resolve(provider: Provider, settings: Mapping[str, Any], given: Mapping[str, str | None],
            environ: Mapping[str, str], config: Mapping[str, Any], *, placeholders: bool,
            file: str | None = None, named: Callable[[EnvelopeField], str] = _option
            ) -> Resolved:
    """Resolve ``provider``'s envelope: ``given`` by payload key (what the caller was given;
    ``named(field)`` is how a message names it, ``--to`` by default), then the spec's target
    block ``settings``, then ``environ``, then the config's ``[envelope]``, then (with
    ``placeholders``) each field's placeholder. Raises :class:`MsgcError` naming every
    value that is not a phone number, else every field still missing."""
    out: dict[str, str] = {}
    used: list[EnvelopeField] = []
    missing = []
    bad: list[Diagnostic] = []
    for f in provider.envelope:
        value: Any = given.get(f.payload_key)
        source = named(f)
        if value is None and f.setting:
            value, source = settings.get(f.setting), f"targets.{provider.name}.{f.setting}"
        if value is None and f.env:
            value, source = environ.get(f.env) or None, f.env
        if value is None and f.setting:
            value, source = config.get(f.setting), f"the config's [envelope] {f.setting}"
        if value is None and placeholders:
            value, source = f.placeholder, ""
            used.append(f)
        if value is None:
            missing.append(f)
            continue
        if f.is_phone:
            digits = normalize_phone(value)
            if digits is None:
                bad.append(Diagnostic(
                    RULE_PHONE, f"{source} {str(value)!r} is not a phone number: "
                    f"{phone_problem(value)}", file=file, provider=provider.name))
                continue
            value = digits
        out[f.payload_key] = str(value)
    if bad:
        raise MsgcError(bad)
    if missing:
        raise MsgcError([
            Diagnostic(
                RULE_ENVELOPE_MISSING,
                f"no {f.payload_key} for {provider.label}",
                file=file, provider=provider.name,
                hint=_where(provider, f.option, f.setting, f.env, f.is_recipient),
            )
            for f in missing
        ])
    return Resolved(out, tuple(used))


def _where(provider: Provider, option: str, setting: str | None, env: str | None,
           recipient: bool) -> str:
    if recipient:
        return f"pass {option} PHONE"
    ways = [f"pass {option}"]
    if setting:
        ways.append(f"set targets.{provider.name}.{setting} in the spec")
    if env:
        ways.append(f"set {env}")
    return ", or ".join(ways)
