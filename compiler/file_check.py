"""Checking one spec file, as ``msgc validate`` and ``msgc build`` do for each file.

The spec is loaded and checked, then compiled for every target and every locale with its
variables' examples, lowered and validated. On top of what compiling one message finds,
this reports unused variables, locales that lack a field the default message has, and
fields whose worst-case length (from the variables' declared bounds) could exceed a
provider limit. Rules that span files (duplicate names) are :mod:`compiler.tree`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import pointer as jp
from .analysis import UNBOUNDED_PAD, Bound, bound_pieces, bound_template, pad
from .diagnostics import Diagnostic, MsgcError, Severity
from .envelope import resolve
from .file_report import FileReport
from .pipeline import Plan
from .source import load_bytes, load_file
from .spec import Spec, check_document
from .templating import parse_template, variables_used
from .tuning import apply_directives

RULE_UNBOUNDED_VARIABLE = "unbounded-variable"
RULE_UNBOUNDED_TEMPLATE = "unbounded-template"
RULE_LOCALE_UNTRANSLATED = "locale-untranslated"
_NUMBER_RE = re.compile(r"^\s*[-+]?\d+(\.\d+)?\s*$")


def check_file(path: Path, envelope_defaults: Mapping[str, Any], *,
               worst_case: bool = True, raw: bytes | None = None,
               outputs: bool = True, walked: bool = False) -> FileReport:
    """Check one spec file (``raw``: its bytes, when the caller has read them already).
    ``outputs=False`` skips what only a build needs (the rendered payloads). A file found
    by a folder walk (``walked``) that is not a spec comes back with ``not_a_spec`` set and
    no findings."""
    report = FileReport(str(path))
    try:
        doc = load_file(path) if raw is None else load_bytes(raw, str(path))
    except MsgcError as exc:
        if walked and not _mentions_spec_keys(path, raw):
            report.not_a_spec = "not YAML msgc can read, and no `message` or `targets` key"
            return report
        report.diagnostics.extend(exc.diagnostics)
        return report
    if walked:
        report.not_a_spec = _not_a_spec(doc.data)
        if report.not_a_spec is not None:
            return report
    try:
        spec = check_document(doc)
    except MsgcError as exc:
        report.diagnostics.extend(exc.diagnostics)
        return report
    report.spec = spec
    report.diagnostics.extend(spec.warnings)
    report.diagnostics.extend(_unused_variables(spec))
    seen: set[tuple[Any, ...]] = set()
    notes_for: set[str] = set()
    noted_untranslated: set[tuple[str, str]] = set()
    bounds: dict[str, Bound] = {}  # template text -> its bound (the spec's variables)
    # The sample values are the spec's, the same for every plan; the envelope is the
    # provider's (its target block's settings), the same for each of its locales. Each is
    # worked out once, and a failure is reported by every plan that needed it, as before.
    samples: dict[str, Any] | MsgcError | None = None
    for provider in spec.providers:
        envelope_of: dict[str, str] | MsgcError | None = None
        base: _Leaves | None = None  # the default locale's message and its leaves
        for locale in (None, *spec.locales):
            try:
                plan = Plan(spec, provider, locale)
                if samples is None:
                    samples = _sample_values(plan)
                if envelope_of is None:
                    envelope_of = _placeholder_envelope(plan, envelope_defaults)
                if isinstance(samples, MsgcError):
                    raise samples
                if isinstance(envelope_of, MsgcError):
                    raise envelope_of
                values, envelope = samples, envelope_of
                if outputs:
                    rendered, message = plan.render_checked(values, envelope)
                    report.outputs.append(rendered)
                    found = rendered.warnings
                else:
                    draft = plan.draft(values, envelope)
                    if draft.payload is None or any(d.is_error for d in draft.diagnostics):
                        raise MsgcError(draft.diagnostics)
                    message, found = draft.message, draft.diagnostics
            except MsgcError as exc:
                _add_unique(report.diagnostics, exc.diagnostics, seen)
                continue
            _add_unique(report.diagnostics, found, seen)
            if worst_case:
                _add_unique(report.diagnostics,
                            _worst_case(plan, message, envelope, notes_for, bounds), seen)
            here = _Leaves(plan.message, plan.origins)
            if locale is None:
                base = here
                continue
            if base is None:
                base = _Leaves(*spec.effective_message(provider, None))
            _add_unique(report.diagnostics, _locale_gaps(spec, provider, locale, base, here),
                        seen)
            _add_unique(report.diagnostics,
                        _untranslated(spec, locale, here, noted_untranslated), seen)
    if spec.document.directives:
        report.diagnostics = apply_directives(report.diagnostics, spec.document.directives,
                                              spec.file)
    return report


#: A top-level ``message`` or ``targets`` key in any YAML key style (plain, quoted, in a flow
#: mapping): how a file that does not parse is told from other YAML (a Helm template, ...).
_SPEC_KEY_RE = re.compile(rb"""(?:^|[{,]|\n)[ \t]*["']?(?:message|targets)["']?[ \t]*:""")


def _mentions_spec_keys(path: Path, raw: bytes | None) -> bool:
    if raw is not None:
        return bool(_SPEC_KEY_RE.search(raw, 0, 256 * 1024))
    if not path.is_file():  # a FIFO would block the open; report what the loader said
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(256 * 1024)
    except OSError:
        return True  # let the loader's error be reported
    return bool(_SPEC_KEY_RE.search(head))


def _not_a_spec(data: Any) -> str | None:
    """Why parsed YAML is not a message spec (None when it is one)."""
    if not isinstance(data, Mapping):
        return "not a mapping" if data is not None else "empty"
    if "message" in data or "targets" in data:
        return None
    return "no `message` or `targets` key"


def _add_unique(out: list[Diagnostic], new: Iterable[Diagnostic], seen: set[tuple[Any, ...]]
                ) -> None:
    """Add diagnostics, dropping repeats of the same finding at the same place (the same
    base-message error is found again for every locale)."""
    for d in new:
        key = (d.file, d.line, d.column, d.rule, d.message, d.provider)
        if key not in seen:
            seen.add(key)
            out.append(d)


def _all_templates(spec: Spec) -> Iterable[tuple[str, str]]:
    def walk(node: Any, ptr: str) -> Iterable[tuple[str, str]]:
        if isinstance(node, str):
            yield ptr, node
        elif isinstance(node, Mapping):
            for k, v in node.items():
                yield from walk(v, jp.join(ptr, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, jp.join(ptr, i))

    yield from walk(spec.message, "/message")
    for provider, block in spec.targets.items():
        yield from walk(block.get("message", {}), jp.join("/targets", provider, "message"))
    for locale, block in spec.locales.items():
        yield from walk(block, jp.join("/locales", locale))


def _unused_variables(spec: Spec) -> list[Diagnostic]:
    used: set[str] = set()
    for _, text in _all_templates(spec):
        used |= variables_used(text)
    return [
        spec.diagnostic(jp.join("/variables", name), "unused-variable",
                        f"variable {name!r} is declared but no template uses it",
                        severity=Severity.WARNING, at_key=True)
        for name in spec.variables if name not in used
    ]


def _leaves(tree: Any) -> list[tuple[str, str | None, Any]]:
    """The scalars in ``tree``, in document order: each one's pointer, its key (None for a
    list item or the root) and its value."""
    out: list[tuple[str, str | None, Any]] = []
    stack: list[tuple[Any, str, str | None]] = [(tree, "", None)]
    while stack:
        node, ptr, key = stack.pop()
        if isinstance(node, dict):
            stack.extend((v, jp.join(ptr, k), k) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, f"{ptr}/{i}", None) for i, v in reversed(list(enumerate(node))))
        else:
            out.append((ptr, key, node))
    return out


class _Leaves:
    """A plan's merged message, where each part came from, and its scalars (listed on
    first use)."""

    def __init__(self, message: Any, origins: dict[str, str]) -> None:
        self.message = message
        self.origins = origins
        self._items: list[tuple[str, str | None, Any]] | None = None

    @property
    def items(self) -> list[tuple[str, str | None, Any]]:
        """Each scalar's pointer, key and value (see :func:`_leaves`)."""
        if self._items is None:
            self._items = _leaves(self.message)
        return self._items

    @property
    def pointers(self) -> list[str]:
        return [ptr for ptr, _, _ in self.items]


def _sample_values(plan: Plan) -> dict[str, Any] | MsgcError:
    """The spec's variables filled with their examples (or the problem with them)."""
    try:
        return plan.values({}, samples=True)
    except MsgcError as exc:
        return exc


def _placeholder_envelope(plan: Plan, defaults: Mapping[str, Any]
                          ) -> dict[str, str] | MsgcError:
    """The plan's envelope from its target block and the config, placeholders for the
    rest (or the problem with it)."""
    try:
        return resolve(plan.provider, plan.settings, {}, {}, defaults, placeholders=True,
                       file=plan.spec.file).values
    except MsgcError as exc:
        return exc


def _locale_gaps(spec: Spec, provider: str, locale: str, base: _Leaves, here: _Leaves
                 ) -> list[Diagnostic]:
    localized, origins = here.message, here.origins
    have = set(here.pointers)
    reported: list[str] = []
    out = []
    for ptr in base.pointers:
        if ptr in have or any(ptr.startswith(r + "/") for r in reported):
            continue
        # report the outermost part that is missing
        gap = ptr
        for ancestor in jp.ancestors(jp.parent(ptr)):
            if not ancestor or _exists(localized, ancestor):
                break
            gap = ancestor
        reported.append(gap)
        src = next((origins[a] for a in jp.ancestors(gap) if a in origins),
                   jp.join("/locales", locale))
        out.append(Diagnostic(
            "locale-missing-field",
            f"locale {locale!r} lacks message{gap.replace('/', '.')} that the default message "
            "has (a list in a locale replaces the default list whole)",
            severity=Severity.WARNING, file=spec.file,
            line=spec.document.locate(src)[0], column=spec.document.locate(src)[1],
            path=src, provider=provider, locale=locale,
        ))
    return out


#: Message keys whose strings people read (not URLs, ids, numbers or file types).
READABLE_KEYS = frozenset({"text", "header", "footer", "title", "description", "button",
                           "name", "address"})
_TAGS_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def _untranslated(spec: Spec, locale: str, here: _Leaves, noted: set[tuple[str, str]]
                  ) -> list[Diagnostic]:
    """Notes for readable text a locale takes unchanged from the default message (a
    `footer` nobody translated), once per locale and text. Text that is only template tags
    (``{{ code }}``) needs no translation."""
    origins = here.origins
    own = jp.join("/locales", locale)
    out = []
    for ptr, key, text in here.items:
        if key not in READABLE_KEYS:
            continue
        src = next((origins[a] + ptr[len(a):] for a in jp.ancestors(ptr) if a in origins),
                   None)
        if not isinstance(text, str) or src is None or src.startswith(own + "/"):
            continue
        if not any(ch.isalpha() for ch in _TAGS_RE.sub("", text)) or (locale, src) in noted:
            continue
        noted.add((locale, src))
        out.append(spec.diagnostic(
            src, RULE_LOCALE_UNTRANSLATED, f"{'.'.join(jp.split(src))} is shown untranslated "
            f"in locale {locale!r}",
            severity=Severity.NOTE, locale=locale,
            hint=f"translate it under locales.{locale}.message (or ignore this note if the "
                 "text is the same in every language)"))
    return out
def may_exceed_rule(limit_rule: str) -> str:
    """The worst-case warning's rule for a length limit's rule (``viber-text-length`` ->
    ``viber-text-may-exceed``)."""
    return re.sub(r"-length$", "", limit_rule) + "-may-exceed"


def _exists(tree: Any, ptr: str) -> bool:
    try:
        jp.resolve(tree, ptr)
    except (KeyError, IndexError, ValueError, TypeError):
        return False
    return True


def _worst_case(plan: Plan, example: Any, envelope: Mapping[str, str], noted: set[str],
                bound_of: dict[str, Bound]) -> list[Diagnostic]:
    """Warnings for fields that some allowed input could push over a provider limit.

    ``example`` is the message as rendered with the examples (it passed validation). Each
    template leaf is padded to its bound, the padded message is lowered, and the validity
    gate decides whether any limit could be exceeded; only then does the reference
    validator explain which field and by how much."""
    bounds: dict[str, Bound] = {}
    padded = example
    for ptr, template in plan.tree.leaves.items():
        bound = bound_of.get(template.source)
        if bound is None:
            bound = bound_of[template.source] = (
                bound_pieces(template.pieces, plan.spec.variables) if template.pieces is not None
                else bound_template(parse_template(template.source)[0], plan.spec.variables))
        bounds[ptr] = bound
        text = jp.resolve(example, ptr)
        if _NUMBER_RE.match(text):
            continue
        target = bound.chars if bound.chars is not None else UNBOUNDED_PAD
        if target > len(text):
            padded = jp.with_value(padded, ptr, pad(text, target))
    if padded is example:  # nothing can grow: the example's verdict stands
        return []
    checked = plan.check_message(padded, envelope)
    if checked is None:
        return []
    lowered, findings = checked
    out = []
    for finding in findings:
        if finding.keyword != "maxLength":
            continue
        origin = next((lowered.origins[a] for a in jp.ancestors(finding.pointer)
                       if a in lowered.origins), None)
        leaf_ptr = origin[len("/message"):] if origin and origin.startswith("/message") else None
        leaf_bound = bounds.get(leaf_ptr) if leaf_ptr is not None else None
        if leaf_bound is None:
            continue
        if leaf_bound.chars is None:
            # Every payload maxLength is a hard provider limit: a check that could not be
            # made is a warning, never a quiet note.
            unchecked = (f"the length of {jp.last_token(finding.pointer)} could not be "
                         f"checked against {plan.provider.label}'s limit of "
                         f"{finding.limit:,} characters")
            for name in sorted(leaf_bound.unbounded - noted):
                noted.add(name)
                out.append(plan.spec.diagnostic(
                    jp.join("/variables", name), RULE_UNBOUNDED_VARIABLE,
                    f"{unchecked}: variable {name!r} has no max_length",
                    severity=Severity.WARNING, at_key=True, provider=plan.provider.name,
                    hint="declare max_length (or enum; minimum and maximum for an integer) "
                         "so the worst case can be checked",
                ))
            if not leaf_bound.unbounded and origin is not None and origin not in noted:
                noted.add(origin)
                out.append(plan.diagnostic(
                    plan.spec_pointer(origin), RULE_UNBOUNDED_TEMPLATE,
                    f"{unchecked}: its template uses a loop, a call or a filter whose output "
                    "length msgc cannot bound",
                    "bound it, e.g. {{ text | truncate(80) }}, or keep the template to "
                    "variables, text, if/else and length-keeping filters", Severity.WARNING))
            continue
        length = len(jp.resolve(lowered.payload, finding.pointer))
        drivers = ", ".join(f"{n} has {m:,}" for n, m in sorted(leaf_bound.drivers.items()))
        limit = f"{finding.limit:,}"
        rule = may_exceed_rule(finding.rule)
        field_name = jp.last_token(finding.pointer)
        diag = plan.diagnostic(
            plan.spec_pointer(origin) if origin else None, rule,
            f"{field_name} can reach {length:,} characters"
            + (f" when {drivers}" if drivers else "") + f" (limit {limit})",
            "lower the variables' max_length or shorten the text", Severity.WARNING,
        )
        out.append(diag)
    return out
