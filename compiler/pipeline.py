"""The compile pipeline for one spec, provider and locale: values -> render -> lower ->
validate -> serialize, with every finding mapped back to a spec line.

This is the only module that knows the whole chain; each stage it calls knows only its own
input. The one public ``render`` (:func:`compiler.api.render`, ``from compiler import
render``) resolves the envelope (:mod:`compiler.envelope`) and asks a :class:`Plan`, which
keeps per-spec work (merged message, compiled templates) so rendering many recipients does
it once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from json.encoder import (  # type: ignore[attr-defined]  # typeshed lacks the C encoder
    c_make_encoder,
    encode_basestring,
)
from typing import TYPE_CHECKING, Any

from . import pointer as jp
from . import providers
from .coercion import Coercer, compile_coercer
from .diagnostics import Diagnostic, MsgcError, Severity, close_matches
from .envelope import RULE_ENVELOPE_MISSING
from .frozen import FrozenDict, freeze
from .gate import accepts, gate
from .providers.base import Lowered, LoweringError, Provider
from .schemas import Finding
from .spec import Spec
from .templating import CompiledTree, RenderProblem
from .variables import Problem

if TYPE_CHECKING:
    from .fastpath import FastPlan


@dataclass(slots=True)
class Rendered:
    """A compiled message for one provider: the payload and the exact bytes to send.

    On the fast path the payload dict is built only when asked for (``body`` is what a
    sender needs). Either way :attr:`payload` is read-only (see :mod:`compiler.frozen`):
    parts of it may be shared between messages; ``copy.deepcopy`` gives a mutable copy.
    """

    spec: str
    provider: str
    locale: str | None
    kind: str
    _payload: dict[str, Any] | Callable[[], dict[str, Any]]
    body: bytes
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def payload(self) -> dict[str, Any]:
        payload = self._payload() if callable(self._payload) else self._payload
        if not isinstance(payload, FrozenDict):
            payload = freeze(payload)
            self._payload = payload
        return payload


#: One encoder for every payload (``json.dumps`` with options builds a new one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: The same encoder's C core, made once (``JSONEncoder.encode`` makes it again on every
#: call), without the check for circular references: a payload is a tree lowering built.
_C_ENCODE = None if c_make_encoder is None else c_make_encoder(
    None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, True)


def serialize(payload: Any) -> bytes:
    """Compact UTF-8 JSON, keys in the order lowering wrote them (stable across runs)."""
    if _C_ENCODE is not None and payload.__class__ is not str:
        return "".join(_C_ENCODE(payload, 0)).encode("utf-8")
    return _ENCODER.encode(payload).encode("utf-8")


@dataclass(slots=True)
class Draft:
    """A lowered payload, valid or not, with every finding on it (see :meth:`Plan.draft`)."""

    kind: str | None
    payload: dict[str, Any] | None
    diagnostics: list[Diagnostic]
    message: Any = None  # the rendered neutral message, when rendering succeeded


class Plan:
    """Everything about one spec x provider x locale that does not depend on variables."""

    def __init__(self, spec: Spec, provider: str, locale: str | None = None) -> None:
        if provider not in spec.targets:
            raise MsgcError([spec.diagnostic(
                "/targets", "target-not-in-spec",
                f"spec {spec.name!r} does not target {provider}",
                hint="it targets: " + ", ".join(spec.targets), at_key=True,
            )])
        self.spec = spec
        self.provider: Provider = providers.get(provider)
        self.locale = locale
        self.settings = spec.settings(provider)
        self.message, self.origins = spec.effective_message(provider, locale)
        self.tree = CompiledTree(self.message, set(spec.variables))
        self._envelope_keys = tuple(f.payload_key for f in self.provider.envelope)
        self._envelope_set = frozenset(self._envelope_keys)
        self._renders = 0
        self._fast: FastPlan | None = None
        self._fast_built = False
        self._coercions = 0
        self._coercer: Coercer | None = None
        self._bulk: Callable[[Mapping[str, Any], Mapping[str, str]], Rendered | None] | None \
            = None
        self.fast_unsupported: str | None = None
        if self.tree.problems:
            raise MsgcError([self._render_diag(p) for p in self.tree.problems])

    # -- values ---------------------------------------------------------------------------

    def values(self, given: Mapping[str, Any] | None, *, samples: bool = False,
               strict: bool = True, how_to_give: Callable[[str], str] | None = None
               ) -> dict[str, Any]:
        """Typed values for every variable: given ones coerced, the rest from defaults.

        ``how_to_give(name)`` is the hint for a missing value (the command line says
        ``pass --var NAME=VALUE``); by default it speaks of the ``variables`` mapping.
        From the second call on (a bulk run), a generated function (:mod:`compiler.coercion`)
        does the common cases; anything it doubts takes the general path below."""
        if not samples and strict and given is not None:
            coercer = self._coercer
            if coercer is None:
                self._coercions += 1
                if self._coercions >= self.FAST_AFTER:
                    coercer = self._coercer = compile_coercer(self.spec.variables)
            if coercer is not None:
                coerced = coercer(given)
                if coerced is not None:
                    return coerced
        given = given or {}
        diags = []
        values: dict[str, Any] = {}
        if strict:
            for name in given:
                if name not in self.spec.variables:
                    close = close_matches(name, list(self.spec.variables), n=1)
                    diags.append(Diagnostic(
                        "unknown-variable", f"value given for {name!r}, which the spec does not "
                        "declare", file=self.spec.file,
                        hint=f"did you mean {close[0]!r}?" if close else None,
                    ))
        for name, var in self.spec.variables.items():
            if name in given:
                raw = given[name]
            elif samples and (var.has_example or var.has_default):
                raw = var.sample
            elif var.has_default:
                raw = var.default
            else:
                diags.append(self.spec.diagnostic(
                    jp.join("/variables", name), "missing-variable",
                    f"no value for variable {name!r}", at_key=True,
                    hint=how_to_give(name) if how_to_give else
                    f"give {name!r} a value in the variables, or declare a default",
                ))
                continue
            try:
                values[name] = var.coerce(raw)
            except Problem as exc:
                diags.append(self.spec.diagnostic(
                    jp.join("/variables", name), "variable-value", str(exc), at_key=True,
                ))
        if diags:
            raise MsgcError(diags)
        return values

    # -- the chain ------------------------------------------------------------------------

    #: Renders before a plan builds its fast path (building it costs a few milliseconds,
    #: which one-off renders such as `validate` and `build` should not pay).
    FAST_AFTER = 2

    @property
    def envelope_keys(self) -> tuple[str, ...]:
        """The keys :meth:`render`'s ``envelope`` must have: the provider's payload keys."""
        return self._envelope_keys

    def render(self, values: Mapping[str, Any], envelope: Mapping[str, str]) -> Rendered:
        """Compile one message from ``values`` (from :meth:`values`) and ``envelope``.

        ``envelope`` maps the payload's addressing keys (:attr:`envelope_keys`) to strings:
        Viber ``appkey`` and ``phone`` (the recipient); WhatsApp ``appId``,
        ``businessPhone`` and ``recipient``. Phone numbers must be digits already (see
        :func:`compiler.phone.normalize_phone`). Uses the fast path when the plan has one and
        it accepts; everything it does not accept goes through :meth:`render_slow`, which
        explains the problem. Raises :class:`MsgcError`."""
        if not self._envelope_set <= envelope.keys():
            missing = [k for k in self._envelope_keys if k not in envelope]
            raise MsgcError([Diagnostic(
                RULE_ENVELOPE_MISSING, f"the envelope lacks {', '.join(map(repr, missing))}",
                file=self.spec.file, provider=self.provider.name,
                hint=f"{self.provider.label} needs: {', '.join(self._envelope_keys)}")])
        bulk = self._bulk
        if bulk is not None:
            return bulk(values, envelope) or self.render_slow(values, envelope)
        self._renders += 1
        if self._renders == self.FAST_AFTER:
            bulk = self._bulk = self._bulk_renderer()
            if bulk is not None:
                return bulk(values, envelope) or self.render_slow(values, envelope)
        return self.render_slow(values, envelope)

    def _bulk_renderer(self) -> Callable[[Mapping[str, Any], Mapping[str, str]],
                                         Rendered | None] | None:
        """The per-recipient function of the fast path, wrapped into :class:`Rendered`;
        without a fast path, the chain of :meth:`render_slow` minus what only a rejected
        message needs. Either returns None when the slow path must decide."""
        fast = self._fast_plan()
        if fast is None:
            return self._bulk_without_fast_path()
        generated = fast._render
        spec, provider, locale, kind = self.spec.name, self.provider.name, self.locale, fast.kind
        if self.tree.uses_jinja:  # one budget for the message, as on the slow path
            from .sandbox import render_budget

            def bulk_jinja(values: Mapping[str, Any], envelope: Mapping[str, str]
                           ) -> Rendered | None:
                try:
                    with render_budget():
                        result = generated(values, envelope)
                except RenderProblem:  # a Jinja leaf failed: the slow path explains it
                    return None
                if result is None:
                    return None
                return Rendered(spec, provider, locale, kind, result[0], result[1])

            return bulk_jinja

        def bulk(values: Mapping[str, Any], envelope: Mapping[str, str]) -> Rendered | None:
            result = generated(values, envelope)
            if result is None:
                return None
            return Rendered(spec, provider, locale, kind, result[0], result[1])

        return bulk

    def _bulk_without_fast_path(self) -> Callable[[Mapping[str, Any], Mapping[str, str]],
                                                  Rendered | None]:
        """Render, lower, ask the validity gate and the semantic rules, serialise: what
        :meth:`render_slow` does for a message with no finding at all (anything else, a
        warning included, goes to it for the diagnostics)."""
        accepts = gate(self.provider.payload_schema)
        render_tree, lower, semantic = self.tree.render, self.provider.lower, \
            self.provider.check_payload
        spec, provider, locale, settings = self.spec.name, self.provider.name, self.locale, \
            self.settings

        def bulk(values: Mapping[str, Any], envelope: Mapping[str, str]) -> Rendered | None:
            try:
                lowered = lower(render_tree(values), settings, envelope)
            except (RenderProblem, LoweringError):
                return None
            payload = lowered.payload
            if not accepts(payload) or semantic(payload):
                return None
            return Rendered(spec, provider, locale, lowered.kind, payload, serialize(payload))

        return bulk

    def _fast_plan(self) -> FastPlan | None:
        if not self._fast_built:
            from .fastpath import FastPlan, Unsupported  # only plans that go bulk need it

            self._fast_built = True
            try:
                self._fast = FastPlan(self.provider, self.message, self.tree.leaves,
                                      self.settings, [f.payload_key for f in self.provider.envelope])
            except Unsupported as exc:
                self._fast = None
                self.fast_unsupported = str(exc)
        return self._fast

    def render_slow(self, values: Mapping[str, Any], envelope: Mapping[str, str]) -> Rendered:
        """Render, lower, validate the whole payload against the schema, serialize."""
        return self.render_checked(values, envelope)[0]

    def render_checked(self, values: Mapping[str, Any], envelope: Mapping[str, str]
                       ) -> tuple[Rendered, Any]:
        """:meth:`render_slow`, also returning the rendered neutral message (what the
        worst-case analysis pads)."""
        draft = self.draft(values, envelope)
        if draft.payload is None or draft.kind is None or any(
                d.severity is Severity.ERROR for d in draft.diagnostics):
            raise MsgcError(draft.diagnostics)
        return Rendered(
            spec=self.spec.name, provider=self.provider.name, locale=self.locale,
            kind=draft.kind, _payload=draft.payload, body=serialize(draft.payload),
            warnings=draft.diagnostics,
        ), draft.message

    def draft(self, values: Mapping[str, Any], envelope: Mapping[str, str]) -> Draft:
        """Render and lower, and validate the payload, keeping a payload that breaks the
        provider's rules next to its findings (``msgc preview`` draws it with them). The
        payload is None when rendering or lowering failed."""
        try:
            message = self.tree.render(values)
        except RenderProblem as problem:
            return Draft(None, None, [self._render_diag(problem)])
        try:
            lowered = self.provider.lower(message, self.settings, envelope)
        except LoweringError as exc:
            return Draft(None, None, [self._input_diag(f, f.pointer) for f in exc.findings])
        findings = self.provider.validate(lowered.payload)
        return Draft(lowered.kind, lowered.payload,
                     [self._payload_diag(f, lowered.origins) for f in findings], message)

    def check_message(self, message: Any, envelope: Mapping[str, str]
                      ) -> tuple[Lowered, list[Finding]] | None:
        """Lower an already rendered neutral ``message`` (the worst-case analysis pads one)
        and validate it: the lowered payload and its findings, or None when lowering
        refuses it or the validity gate accepts it (no finding to explain)."""
        try:
            lowered = self.provider.lower(message, self.settings, envelope)
        except LoweringError:
            return None
        if accepts(self.provider.payload_schema, lowered.payload):
            return None
        return lowered, self.provider.validate(lowered.payload)

    # -- mapping findings back to the spec ------------------------------------------------

    def spec_pointer(self, input_pointer: str) -> str | None:
        """Where in the spec a pointer into the lowering input ({message, settings}) lives."""
        if input_pointer == "/settings" or input_pointer.startswith("/settings/"):
            return jp.join("/targets", self.provider.name) + input_pointer[len("/settings"):]
        if input_pointer == "/message" or input_pointer.startswith("/message/"):
            rest = input_pointer[len("/message"):]
            for candidate in jp.ancestors(rest):
                if candidate in self.origins:
                    return self.origins[candidate] + rest[len(candidate):]
        return None

    def diagnostic(self, spec_ptr: str | None, rule: str, message: str, hint: str | None,
                   severity: Severity = Severity.ERROR, line_offset: int | None = None
                   ) -> Diagnostic:
        """A diagnostic at spec pointer ``spec_ptr``, for this provider and locale."""
        doc = self.spec.document
        line, column = doc.locate(spec_ptr, key=_is_collection(doc.data, spec_ptr)) \
            if spec_ptr is not None else (None, None)
        if line_offset is not None and line is not None and spec_ptr is not None:
            block = spec_ptr in doc.block_scalars
            line = line + line_offset - (0 if block else 1)
            column = None if (block or line_offset > 1) else column
        return Diagnostic(
            rule=rule, message=message, severity=severity, file=doc.filename, line=line,
            column=column, path=spec_ptr, hint=hint, provider=self.provider.name,
            locale=self.locale,
        )

    def _render_diag(self, problem: RenderProblem) -> Diagnostic:
        return self.diagnostic(self.spec_pointer("/message" + problem.pointer), problem.rule,
                               problem.message, problem.hint,
                               line_offset=problem.line_in_template)

    def _input_diag(self, finding: Finding, input_pointer: str) -> Diagnostic:
        return self.diagnostic(self.spec_pointer(input_pointer), finding.rule,
                               finding.message, finding.hint, finding.severity)

    def _payload_diag(self, finding: Finding, origins: Mapping[str, str]) -> Diagnostic:
        spec_ptr = None
        for candidate in jp.ancestors(finding.pointer):
            if candidate in origins:
                spec_ptr = self.spec_pointer(origins[candidate])
                break
        message = finding.message
        if spec_ptr is None:
            message = f"{message} (payload {finding.pointer or '/'})"
        return self.diagnostic(spec_ptr, finding.rule, message, finding.hint, finding.severity)


def _is_collection(data: Any, spec_ptr: str) -> bool:
    """Whether the spec node at ``spec_ptr`` is a mapping or a list: its finding is shown at
    its key (``location:``), not at its first child's line."""
    try:
        return isinstance(jp.resolve(data, spec_ptr), (Mapping, list))
    except (KeyError, IndexError, ValueError, TypeError):
        return False

