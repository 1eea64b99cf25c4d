"""Message specs: loading a YAML file, checking it, and merging its layers.

A spec is checked in two passes. The JSON Schema (``schemas/spec.schema.json``) catches
shape errors: unknown keys (with a "did you mean"), wrong types, bad names. Code then checks
what a schema cannot: targets name known providers and their settings fit that provider's
target schema, every variable has an example or default that fits its own type.

The message a provider sees is a merge of up to four layers, later ones winning::

    message < targets.<p>.message < locales.<l>.message < locales.<l>.targets.<p>.message

Mappings merge key by key (an override may give part of a document, video, location, otp
or menu); lists and strings are replaced whole; ``null`` in an override removes the field.
A carousel card's ``targets: {PROVIDER: {...}}`` is merged over that card for that provider
alone, so one card list serves both providers. The merge remembers which layer each field
came from, so findings point at the line that set the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import pointer as jp
from . import providers
from .diagnostics import Diagnostic, MsgcError, Severity, close_matches, has_errors
from .gate import check
from .schemas import definition_validator, schema_findings
from .source import Document, load_file, load_text
from .variables import Problem, Variable

SPEC_SCHEMA = "spec.schema.json"
RULE_CARD_UNUSED_TARGET = "spec-card-unused-target"
RULE_UNKNOWN_TARGET = "spec-unknown-target"
RULE_REQUIRED = "spec-required"
_UNKNOWN_FIELD_RULES = {"spec-additional-properties"}


@dataclass(slots=True)
class Spec:
    """A checked message spec."""

    name: str
    description: str | None
    document: Document
    variables: dict[str, Variable]
    message: dict[str, Any]
    targets: dict[str, dict[str, Any]]
    locales: dict[str, dict[str, Any]]
    warnings: list[Diagnostic] = field(default_factory=list)
    _merged: dict[tuple[str, str | None], tuple[dict[str, Any], dict[str, str]]] = field(
        default_factory=dict, repr=False, compare=False)

    @property
    def file(self) -> str:
        return self.document.filename

    @property
    def providers(self) -> list[str]:
        return list(self.targets)

    def settings(self, provider: str) -> dict[str, Any]:
        return {k: v for k, v in self.targets[provider].items() if k != "message"}

    def layers(self, provider: str, locale: str | None) -> list[tuple[str, Any]]:
        """The (spec pointer, partial message) layers for ``provider`` and ``locale``."""
        out: list[tuple[str, Any]] = [("/message", self.message)]
        target = self.targets.get(provider, {})
        if "message" in target:
            out.append((jp.join("/targets", provider, "message"), target["message"]))
        if locale is not None:
            loc = self.locales[locale]
            if "message" in loc:
                out.append((jp.join("/locales", locale, "message"), loc["message"]))
            loc_target = (loc.get("targets") or {}).get(provider) or {}
            if "message" in loc_target:
                out.append((jp.join("/locales", locale, "targets", provider, "message"),
                            loc_target["message"]))
        return out

    def effective_message(self, provider: str, locale: str | None = None
                          ) -> tuple[dict[str, Any], dict[str, str]]:
        """The merged message and, for every pointer in it, the spec pointer that set it.
        Computed once per provider and locale: treat both as read-only."""
        cached = self._merged.get((provider, locale))
        if cached is not None:
            return cached
        if locale is not None and locale not in self.locales:
            raise MsgcError([Diagnostic(
                "unknown-locale", f"spec has no locale {locale!r}", file=self.file,
                hint="locales: " + (", ".join(self.locales) or "(none)"),
            )])
        layers = self.layers(provider, locale)
        if locale is None:
            merged: dict[str, Any] = {}
            origins: dict[str, str] = {"": "/message"}
        else:  # the locale's layers go on top of the provider's merged message
            common, common_origins = self.effective_message(provider, None)
            merged, origins = _copy(common), dict(common_origins)
            # past the provider's own layers: the message, and its target's override if any
            layers = layers[1 + ("message" in self.targets.get(provider, {})):]
        for base, layer in layers:
            _merge_into(merged, layer, "", base, origins)
        _apply_card_targets(merged, origins, provider)
        self._merged[(provider, locale)] = merged, origins
        return merged, origins

    def diagnostic(self, spec_pointer: str, rule: str, message: str, **extra: Any) -> Diagnostic:
        return self.document.diagnostic(spec_pointer, rule, message, **extra)


def _merge_into(target: dict[str, Any], layer: Mapping[str, Any], ptr: str, base: str,
                origins: dict[str, str]) -> None:
    for key, value in layer.items():
        p = jp.join(ptr, key)
        replaced = key in target  # only a field already there has origins to drop
        if value is None:  # an override's null removes the field
            if replaced:
                del target[key]
                _drop_origins(origins, p, itself=True)
            continue
        if replaced and _is_mapping(value) and isinstance(target[key], dict):
            origins[p] = jp.join(base, key)
            _merge_into(target[key], value, p, jp.join(base, key), origins)
            continue
        if replaced:
            _drop_origins(origins, p, itself=False)
        target[key] = _copy(value)
        _record(value, p, jp.join(base, key), origins)


def _drop_origins(origins: dict[str, str], ptr: str, *, itself: bool) -> None:
    """Forget the origins of everything under ``ptr`` (and of ``ptr`` itself)."""
    below = ptr + "/"
    for stale in [o for o in origins if o.startswith(below) or (itself and o == ptr)]:
        del origins[stale]


def _is_mapping(value: Any) -> bool:
    return value.__class__ is dict or isinstance(value, Mapping)


def _apply_card_targets(message: dict[str, Any], origins: dict[str, str], provider: str
                        ) -> None:
    """Merge each carousel card's ``targets.<provider>`` over the card and drop every
    card's ``targets`` (the fields for other providers)."""
    cards = message.get("carousel")
    if not isinstance(cards, list):
        return
    for i, card in enumerate(cards):
        if not isinstance(card, dict) or "targets" not in card:
            continue
        card_ptr = jp.join("/carousel", i)
        targets_ptr = jp.join(card_ptr, "targets")
        source = origins.get(targets_ptr)
        per_provider = card.pop("targets") or {}
        for stale in [o for o in origins if o == targets_ptr or o.startswith(targets_ptr + "/")]:
            del origins[stale]
        override = per_provider.get(provider)
        if isinstance(override, Mapping) and source is not None:
            _merge_into(card, override, card_ptr, jp.join(source, provider), origins)


def _record(value: Any, ptr: str, src: str, origins: dict[str, str]) -> None:
    origins[ptr] = src
    if value.__class__ is str:
        return
    if _is_mapping(value):
        for k, v in value.items():
            _record(v, jp.join(ptr, k), jp.join(src, k), origins)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _record(v, f"{ptr}/{i}", f"{src}/{i}", origins)


def _copy(value: Any) -> Any:
    if value.__class__ is str:
        return value
    if _is_mapping(value):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# -- loading and checking -------------------------------------------------------------------

def load_spec(path: str | Path, *, display_name: str | None = None) -> Spec:
    """Load and check a spec file; raise :class:`MsgcError` with every problem found."""
    return check_document(load_file(path, display_name=display_name))


def load_spec_text(text: str, filename: str = "<string>") -> Spec:
    return check_document(load_text(text, filename))


def check_document(doc: Document) -> Spec:
    diags = list(_check(doc))
    if has_errors(diags):
        raise MsgcError(diags)
    data = doc.data
    targets = {p: dict(s or {}) for p, s in data["targets"].items()}
    stem = Path(doc.filename).stem
    spec = Spec(
        name=data.get("name", stem),
        description=data.get("description"),
        document=doc,
        variables={n: Variable.from_decl(n, d or {})
                   for n, d in (data.get("variables") or {}).items()},
        message=data.get("message") or {},
        targets=targets,
        locales=data.get("locales") or {},
        warnings=diags,
    )
    merged = _check_merged(spec)
    if merged:
        raise MsgcError(diags + merged)
    return spec


#: Message fields an override may give in part: they merge key by key over the default
#: message's, and the merged object must be complete (checked by :func:`_check_merged`).
PARTIAL_FIELDS = ("video", "document", "location", "otp", "menu")


def _override_layers(spec: Spec) -> list[Any]:
    layers = [t.get("message") for t in spec.targets.values()]
    for block in spec.locales.values():
        layers.append(block.get("message"))
        layers += [(t or {}).get("message") for t in (block.get("targets") or {}).values()]
    return [layer for layer in layers if isinstance(layer, Mapping)]


def _check_merged(spec: Spec) -> list[Diagnostic]:
    """Errors in the merged messages that no single layer shows: an override's partial
    object (``document: {filename: ...}``) over a message that has no such object leaves
    required keys unset. Each is reported once, at the override, naming the missing key."""
    if not any(isinstance(layer.get(name), Mapping) for layer in _override_layers(spec)
               for name in PARTIAL_FIELDS):
        return []
    check = definition_validator(SPEC_SCHEMA, "message")
    out: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    for provider in spec.targets:
        for locale in (None, *spec.locales):
            message, origins = spec.effective_message(provider, locale)
            for f in schema_findings(check, message, "spec", "a message spec"):
                known = next(a for a in jp.ancestors(f.pointer) if a in origins)
                where = origins[known] + f.pointer[len(known):]   # "" is always known
                hint: str | None
                if f.keyword == "required":
                    owner = jp.parent(where)
                    missing = jp.last_token(f.pointer)
                    text = (f"{_dotted(owner)} has no `{missing}` once the overrides are "
                            f"merged: this override leaves it out and no earlier layer sets it")
                    hint = f"set `{missing}` here, or in message.{jp.split(f.pointer)[0]}"
                else:
                    text, hint = f.message, f.hint
                if (where, text) in seen:
                    continue
                seen.add((where, text))
                parts = jp.split(where)
                out.append(spec.diagnostic(
                    where, RULE_REQUIRED if f.keyword == "required" else f.rule, text,
                    hint=hint, provider=parts[1] if parts[0] == "targets" else
                    (parts[3] if len(parts) > 3 and parts[2] == "targets" else None),
                    locale=parts[1] if parts[0] == "locales" else None))
    return out


def _dotted(pointer: str) -> str:
    return ".".join(jp.split(pointer))


def _check(doc: Document) -> list[Diagnostic]:
    data = doc.data
    if not isinstance(data, Mapping):
        what = "empty" if data is None else f"a {type(data).__name__}"
        return [doc.diagnostic("", "spec-not-mapping",
                               f"a message spec is a YAML mapping; this file is {what}",
                               hint="start with `message:` and `targets:`")]
    tags = _template_tags(data)
    if tags > MAX_TEMPLATE_TAGS:
        return [doc.diagnostic("", "spec-too-large",
                               f"the spec's templates hold {tags:,} tags ({{{{ }}}}, {{% %}}); "
                               f"msgc allows {MAX_TEMPLATE_TAGS:,} per spec",
                               hint="split it into several specs")]
    out = []
    for f in check(SPEC_SCHEMA, data, "spec", "a message spec"):
        hint = f.hint or (doc.quote_hint(f.pointer) if f.keyword == "type" else None)
        out.append(doc.diagnostic(f.pointer, f.rule, f.message, hint=hint,
                                  at_key=f.rule in _UNKNOWN_FIELD_RULES))
    if out:
        return out
    known = providers.names()
    for name, settings in data["targets"].items():
        tp = jp.join("/targets", name)
        if name not in known:
            close = close_matches(name, known, n=1)
            out.append(doc.diagnostic(
                tp, RULE_UNKNOWN_TARGET, f"unknown target {name!r}", at_key=True,
                hint=f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}",
            ))
            continue
        provider = providers.get(name)
        for f in provider.check_settings(settings or {}):
            out.append(doc.diagnostic(tp + f.pointer, f.rule, f.message, hint=f.hint,
                                      at_key=f.rule.endswith("additional-properties")))
    out += _check_card_targets(doc, data, known)
    for locale, block in (data.get("locales") or {}).items():
        for name in (block.get("targets") or {}):
            if name not in data["targets"]:
                out.append(doc.diagnostic(
                    jp.join("/locales", locale, "targets", name), "spec-locale-unknown-target",
                    f"locale {locale!r} overrides target {name!r}, which the spec does not "
                    "compile for", at_key=True,
                ))
    out += _check_variables(doc, data.get("variables") or {})
    return out


def _carousels(data: Mapping[str, Any]) -> list[tuple[str, str | None, Any]]:
    """Every carousel list of a spec: (spec pointer, the provider its layer is for, cards)."""
    layers: list[tuple[str, str | None, Any]] = [("/message", None, data.get("message"))]
    for name, block in (data.get("targets") or {}).items():
        layers.append((jp.join("/targets", name, "message"), name, (block or {}).get("message")))
    for locale, block in (data.get("locales") or {}).items():
        layers.append((jp.join("/locales", locale, "message"), None, block.get("message")))
        for name, target in (block.get("targets") or {}).items():
            layers.append((jp.join("/locales", locale, "targets", name, "message"), name,
                           (target or {}).get("message")))
    return [(jp.join(ptr, "carousel"), only, layer["carousel"]) for ptr, only, layer in layers
            if isinstance(layer, Mapping) and isinstance(layer.get("carousel"), list)]


def _check_card_targets(doc: Document, data: Mapping[str, Any], known: list[str]
                        ) -> list[Diagnostic]:
    out = []
    for list_ptr, only, cards in _carousels(data):
        for i, card in enumerate(cards):
            for name in (card.get("targets") or {}) if isinstance(card, Mapping) else ():
                ptr = jp.join(list_ptr, i, "targets", name)
                if name not in known:
                    close = close_matches(name, known, n=1)
                    out.append(doc.diagnostic(
                        ptr, RULE_UNKNOWN_TARGET, f"unknown target {name!r} in a card",
                        at_key=True, hint=f"did you mean {close[0]!r}?" if close
                        else f"known: {', '.join(known)}"))
                elif name not in data["targets"] or (only is not None and name != only):
                    why = (f"the spec does not compile for {name}" if name not in data["targets"]
                           else f"this carousel is {only}'s alone")
                    out.append(doc.diagnostic(
                        ptr, RULE_CARD_UNUSED_TARGET, f"these card fields for {name} are never "
                        f"used: {why}", severity=Severity.WARNING, at_key=True))
    return out


def _quote_hint(doc: Document, pointer: str, value: Any) -> str | None:
    """The "quote it" hint, for a value YAML read as a boolean or null (a number that
    breaks a bound is wrong as a number, not for want of quotes)."""
    return doc.quote_hint(pointer) if isinstance(value, bool) or value is None else None


#: Template tags one spec may hold: compiling one costs about a millisecond, so this bounds
#: the work a single spec can ask of ``validate`` and ``build``.
MAX_TEMPLATE_TAGS = 2_000


def _template_tags(data: Mapping[str, Any]) -> int:
    """How many ``{{`` and ``{%`` the strings under message, targets and locales hold."""
    count = 0
    stack = [data.get(k) for k in ("message", "targets", "locales")]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            count += node.count("{{") + node.count("{%")
        elif isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


_BOUND_KEYS = {
    "min_length": {"string", "url", "date", "phone"},
    "max_length": {"string", "url", "date", "phone"},
    "pattern": {"string", "url", "date", "phone"},
    "minimum": {"integer", "number"},
    "maximum": {"integer", "number"},
}


def _check_variables(doc: Document, decls: Mapping[str, Any]) -> list[Diagnostic]:
    out = []
    for name, decl in decls.items():
        vp = jp.join("/variables", name)
        decl = decl or {}
        vtype = decl.get("type", "string")
        for key, types in _BOUND_KEYS.items():
            if key in decl and vtype not in types:
                out.append(doc.diagnostic(
                    jp.join(vp, key), "spec-variable-bound",
                    f"variable {name!r} is {_article(vtype)} {vtype}: `{key}` does not apply",
                    at_key=True,
                ))
        if "pattern" in decl:
            try:
                re.compile(decl["pattern"])
            except re.error as exc:
                out.append(doc.diagnostic(jp.join(vp, "pattern"), "spec-variable-pattern",
                                          f"variable {name!r} has a bad pattern: {exc}"))
                continue
        if "example" not in decl and "default" not in decl:
            out.append(doc.diagnostic(
                vp, "spec-variable-example", f"variable {name!r} needs an `example` or a `default`",
                at_key=True,
                hint="the example is what `msgc validate` and `msgc build` render with",
            ))
            continue
        var = Variable.from_decl(name, decl)
        for key in ("example", "default"):
            if key in decl:
                try:
                    var.coerce(decl[key])
                except Problem as exc:
                    out.append(doc.diagnostic(
                        jp.join(vp, key), "spec-variable-example-invalid",
                        f"the {key} of {name!r} breaks its own declaration: {exc}",
                        hint=_quote_hint(doc, jp.join(vp, key), decl[key]),
                    ))
        if decl.get("enum") is not None:
            for i, item in enumerate(decl["enum"]):
                try:
                    var._parse(item)
                except Problem as exc:
                    out.append(doc.diagnostic(jp.join(vp, "enum", i), "spec-variable-enum",
                                              f"enum value {i + 1} of {name!r}: {exc}",
                                              hint=_quote_hint(doc, jp.join(vp, "enum", i),
                                                               item)))
    return out


def _article(word: str) -> str:
    """"a" or "an" before a type name (all of msgc's start with a letter that is said as
    written: an integer, a url, a number)."""
    return "an" if word[:1] in "aeio" else "a"
