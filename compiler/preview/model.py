"""What a preview shows, collected from the pipeline's public outputs.

For every spec under the given paths: ``msgc validate``'s findings (the same tree check),
and for every target × locale one :class:`Screen` holding the lowered payload — what
would be sent — for each way of filling the variables (:data:`MODES`): the examples, the
worst case the declared bounds allow, and, with ``--vars``, the user's values. A payload
that breaks the provider's rules is kept with its findings, so a broken spec is previewed
with its problems shown; where nothing can be lowered, the screen says why.

Each validate finding is placed next to the screen it concerns: one naming a target and a
locale goes to that screen; one naming only a target (found on the default locale) goes to
the default screen and to every locale screen whose message still takes the field from the
same spec line; one naming no target concerns the whole spec and heads its page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config_file import DEFAULT_EXCLUDE
from ..diagnostics import Diagnostic, MsgcError, Severity, sort_key
from ..envelope import resolve
from ..pipeline import Plan
from ..spec import Spec
from ..tree import FileReport, TreeReport, check_tree
from ..tuning import Tuning
from . import values as vals

#: The ways of filling variables: (key, label). "vars" only with --vars.
MODES = (("examples", "Examples"), ("worst", "Worst case"), ("vars", "Your values"))


@dataclass(slots=True)
class Variant:
    """One screen's message for one way of filling the variables."""

    mode: str
    values: dict[str, Any]
    notes: list[str]
    kind: str | None = None
    payload: dict[str, Any] | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(slots=True)
class Screen:
    provider: str
    locale: str | None
    variants: dict[str, Variant]
    findings: list[Diagnostic] = field(default_factory=list)


@dataclass(slots=True)
class SpecEntry:
    slug: str
    source: str
    name: str
    description: str | None
    targets: list[str]
    locales: list[str]
    findings: list[Diagnostic]            # every validate finding of the file
    spec_findings: list[Diagnostic]       # those not tied to one target x locale
    screens: list[Screen]
    loaded: bool = True

    @property
    def worst(self) -> Severity | None:
        for severity in (Severity.ERROR, Severity.WARNING, Severity.NOTE):
            if any(d.severity is severity for d in self.findings):
                return severity
        return None


@dataclass(slots=True)
class Site:
    specs: list[SpecEntry]
    findings: list[Diagnostic]            # not tied to any file (a missing path)
    modes: list[str]


def collect(paths: Sequence[str], *, envelope_defaults: Mapping[str, Any] | None = None,
            given: Mapping[str, Any] | None = None,
            keep_pages: Mapping[str, str] | None = None,
            exclude: Sequence[str] = DEFAULT_EXCLUDE, tuning: Tuning | None = None) -> Site:
    """Check the tree as ``msgc validate`` does (``tuning``: the config's ``disable`` and
    ``severity``, as validate applies them) and draft every screen's payloads.

    ``keep_pages`` (source file -> page name, from a previous build) keeps each file's page
    where it was, for ``--serve``: an open page stays open while its spec is renamed or
    cannot be read for a moment mid-edit."""
    defaults = dict(envelope_defaults or {})
    report = tune(check_tree(paths, envelope_defaults=defaults, keep_outputs=True, jobs=1,
                             exclude=exclude), tuning)
    modes = modes_for(given)
    entries = [spec_entry(f, defaults, given, modes, tuning) for f in report.files]
    return assemble(report, entries, modes, keep_pages or {})


def tune(report: TreeReport, tuning: Tuning | None) -> TreeReport:
    """``report`` with the config's tuning applied to every finding (in place: a report
    tuned twice is the same)."""
    if tuning is not None and tuning.active:
        report.diagnostics = tuning.apply(report.diagnostics)
        for file in report.files:
            file.diagnostics = tuning.apply(file.diagnostics)
    return report


def modes_for(given: Mapping[str, Any] | None) -> list[str]:
    """The ways of filling variables a site shows: "vars" only with ``--vars``."""
    return ["examples", "worst"] + (["vars"] if given is not None else [])


def assemble(report: TreeReport, entries: list[SpecEntry], modes: list[str],
             keep_pages: Mapping[str, str]) -> Site:
    """The site of ``entries`` (one per file of ``report``, in its order): each gets its
    page name (see :func:`collect` for ``keep_pages``), and they are listed by name."""
    for item in entries:
        item.slug = ""
    _assign_slugs(entries, keep_pages)
    entries = sorted(entries, key=lambda e: (e.name, e.source))
    return Site(entries, sorted(report.diagnostics, key=sort_key), modes)


def spec_entry(file: FileReport, defaults: Mapping[str, Any], given: Mapping[str, Any] | None,
               modes: list[str], tuning: Tuning | None = None) -> SpecEntry:
    """What the preview shows of one checked file (its page name is left to
    :func:`assemble`). Needs the file's :class:`Spec` (``file.spec``) when it loaded."""
    findings = sorted(file.diagnostics, key=sort_key)
    spec = file.spec
    if spec is None:
        return SpecEntry("", file.path, Path(file.path).stem, None, [], [], findings,
                         findings, [], loaded=False)
    screens = [
        _screen(spec, provider, locale, defaults, given, modes, tuning)
        for locale in (None, *spec.locales) for provider in spec.providers
    ]
    placed = _place(spec, findings, screens)
    spec_findings = [d for d in findings if id(d) not in placed]
    return SpecEntry("", Path(spec.file).as_posix(), spec.name, spec.description,
                     list(spec.providers), list(spec.locales), findings, spec_findings,
                     screens)


def _screen(spec: Spec, provider: str, locale: str | None, defaults: Mapping[str, Any],
            given: Mapping[str, Any] | None, modes: list[str], tuning: Tuning | None) -> Screen:
    variants: dict[str, Variant] = {}
    for mode in modes:
        if mode == "examples":
            chosen = vals.examples(spec.variables)
        elif mode == "worst":
            chosen = vals.worst_case(spec.variables)
        else:
            chosen = vals.given(spec.variables, spec.name, given or {})
        variants[mode] = _variant(spec, provider, locale, defaults, mode, chosen)
        if tuning is not None:
            variants[mode].diagnostics = tuning.apply(variants[mode].diagnostics)
    return Screen(provider, locale, variants)


def _variant(spec: Spec, provider: str, locale: str | None, defaults: Mapping[str, Any],
             mode: str, chosen: vals.Values) -> Variant:
    variant = Variant(mode, chosen.values, chosen.notes)
    try:
        plan = Plan(spec, provider, locale)
        typed = plan.values(chosen.values, strict=False)
        envelope = resolve(plan.provider, plan.settings, {}, {}, defaults, placeholders=True,
                           file=spec.file).values
    except MsgcError as exc:
        variant.diagnostics = list(exc.diagnostics)
        return variant
    draft = plan.draft(typed, envelope)
    variant.kind, variant.payload, variant.diagnostics = draft.kind, draft.payload, \
        draft.diagnostics
    return variant


def _place(spec: Spec, findings: list[Diagnostic], screens: list[Screen]) -> set[int]:
    """Attach each finding to the screens it concerns; return the ids of those placed."""
    placed: set[int] = set()
    by_key = {(s.provider, s.locale): s for s in screens}
    sources = {(s.provider, s.locale): _sources(spec, s.provider, s.locale) for s in screens}
    for d in findings:
        if d.provider is None:
            continue
        if d.locale is not None:
            screen = by_key.get((d.provider, d.locale))
            if screen is not None:
                screen.findings.append(d)
                placed.add(id(d))
            continue
        for (provider, locale), screen in by_key.items():
            if provider != d.provider:
                continue
            if locale is None or _applies(d, provider, sources[(provider, locale)]):
                screen.findings.append(d)
                placed.add(id(d))
    return placed


def _sources(spec: Spec, provider: str, locale: str | None) -> set[str]:
    try:
        _, origins = spec.effective_message(provider, locale)
    except MsgcError:
        return set()
    return {src for ptr, src in origins.items() if ptr}


def _applies(d: Diagnostic, provider: str, sources: set[str]) -> bool:
    """Whether a finding made on the default locale also holds for a locale whose message
    takes its fields from the spec pointers ``sources``."""
    path = d.path
    if path is None:
        return False
    if path.startswith("/variables/") or path == f"/targets/{provider}" \
            or (path.startswith(f"/targets/{provider}/") and "/message" not in path):
        return True
    return path in sources or any(s.startswith(path + "/") for s in sources)


_SLUG_RE = re.compile(r"[^A-Za-z0-9._-]+")


def _assign_slugs(entries: list[SpecEntry], keep: Mapping[str, str]) -> None:
    """A page name per entry: the spec name where it is a safe file name, unique even on a
    case-insensitive file system; entries in source order, so the choice is stable."""
    taken: set[str] = set()
    for entry in entries:  # names kept from the previous build go first
        slug = keep.get(entry.source)
        if slug and slug.lower() not in taken:
            taken.add(slug.lower())
            entry.slug = slug
    for entry in sorted(entries, key=lambda e: e.source):
        if entry.slug:
            continue
        base = _SLUG_RE.sub("-", entry.name).strip(".-") or "spec"
        if not entry.loaded:
            base = "file-" + (_SLUG_RE.sub("-", entry.source).strip(".-") or "spec")
        slug, n = base, 1
        while slug.lower() in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug.lower())
        entry.slug = slug
