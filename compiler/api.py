"""The small public Python API: load a spec, render it, validate a payload.

Re-exported from the package (``from compiler import load_spec, render,
validate_payload``); see the README's "Python API" section.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import providers
from .diagnostics import Diagnostic
from .envelope import resolve
from .pipeline import Plan, Rendered, serialize
from .providers.base import EnvelopeField
from .spec import Spec, load_spec, load_spec_text

__all__ = [
    "Plan", "Rendered", "Spec", "load_spec", "load_spec_text", "render", "serialize",
    "validate_payload",
]


def render(spec: Spec, provider: str, variables: Mapping[str, Any] | None = None, *,
           locale: str | None = None, to: str | None = None,
           envelope: Mapping[str, str] | None = None, examples: bool = False) -> Rendered:
    """Compile ``spec`` for ``provider`` with ``variables`` (and ``locale``).

    ``to`` is the recipient (any form :func:`compiler.phone.normalize_phone` accepts);
    ``envelope`` may give the other envelope fields by payload key (``appkey``; ``appId``,
    ``businessPhone``); the spec's target block fills the rest, then placeholders, each
    reported as an ``envelope-placeholder`` warning in ``result.warnings``. With
    ``examples=True`` variables not given take their examples. ``result.payload`` is
    read-only. Raises :class:`compiler.diagnostics.MsgcError` with located diagnostics.
    """
    plan = Plan(spec, provider, locale)
    values = plan.values(variables, samples=examples)
    given: dict[str, str | None] = dict(envelope or {})
    recipient = plan.provider.recipient_key
    if to is not None and recipient is not None:
        given[recipient] = to

    def named(f: EnvelopeField) -> str:
        return "to" if f.is_recipient and to is not None else f"envelope[{f.payload_key!r}]"

    def how(f: EnvelopeField) -> str:
        how = "to=PHONE" if f.is_recipient else f"envelope={{{f.payload_key!r}: ...}}"
        if f.setting:
            how += f" or set targets.{plan.provider.name}.{f.setting} in the spec"
        return how

    resolved = resolve(plan.provider, plan.settings, given, {}, {}, placeholders=True,
                       named=named)
    result = plan.render(values, resolved.values)
    placeholders = resolved.warnings(plan.provider, spec.file, how)
    if placeholders:
        result.warnings = [*placeholders, *result.warnings]
    return result


def validate_payload(provider: str, payload: Any) -> list[Diagnostic]:
    """Every violation in a provider payload (schema and semantic rules), located by JSON
    pointer in ``Diagnostic.path``; an empty list means valid."""
    p = providers.get(provider)
    return [
        Diagnostic(rule=f.rule, message=f.message, severity=f.severity, path=f.pointer,
                   hint=f.hint, provider=provider)
        for f in p.validate(payload)
    ]
