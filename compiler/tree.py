"""Checking a tree of specs, as ``msgc validate`` and ``msgc build`` do.

Every spec file is loaded and checked, then compiled for every target and every locale with
its variables' examples, lowered and validated. On top of what compiling one message finds,
a tree check reports: duplicate spec names, unused variables, locales that lack a field the
default message has, and fields whose worst-case length (from the variables' declared
bounds) could exceed a provider limit. A broken file never stops the others being checked.
"""

from __future__ import annotations

import copy
import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import pointer as jp
from .analysis import UNBOUNDED_PAD, leaf_bounds, pad
from .config_file import DEFAULT_EXCLUDE
from .diagnostics import Diagnostic, MsgcError, Severity, sort_key
from .envelope import resolve
from .pipeline import Plan, Rendered
from .providers.base import LoweringError
from .source import RULE_IO, load_file
from .spec import Spec, check_document
from .templating import parse_template, variables_used

SPEC_SUFFIXES = (".yaml", ".yml")
RULE_NO_SPECS = "no-specs"
RULE_UNBOUNDED_VARIABLE = "unbounded-variable"
RULE_UNBOUNDED_TEMPLATE = "unbounded-template"
RULE_LOCALE_UNTRANSLATED = "locale-untranslated"
_NUMBER_RE = re.compile(r"^\s*[-+]?\d+(\.\d+)?\s*$")


@dataclass(slots=True)
class FileReport:
    path: str
    spec: Spec | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    outputs: list[Rendered] = field(default_factory=list)
    name: str | None = None
    name_position: tuple[int | None, int | None] = (None, None)
    not_a_spec: str | None = None   # found by a folder walk, and why it is not a spec

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


@dataclass(slots=True)
class TreeReport:
    files: list[FileReport] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)   # not tied to one file
    unreadable: bool = False

    def all_diagnostics(self) -> list[Diagnostic]:
        out = list(self.diagnostics)
        for f in self.files:
            out.extend(f.diagnostics)
        return sorted(out, key=sort_key)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to check: named on the command line (always a spec) or found by a walk (a
    spec only if it parses as one), and which of the given paths it was found under."""

    path: Path
    explicit: bool
    root: int


def find_spec_files(paths: Iterable[str], exclude: Iterable[str] = DEFAULT_EXCLUDE
                    ) -> tuple[list[Candidate], list[Diagnostic]]:
    """Candidate spec files under ``paths``; missing paths are diagnostics.

    Files named on the command line are always specs. Walking a folder collects every
    ``.yaml``/``.yml`` file whose name, and whose folders' names below the given one, match
    none of the ``exclude`` patterns (shell-style, e.g. ``.*``); :func:`check_file` then
    decides by parsing which of them are specs.
    """
    patterns = tuple(exclude)

    def skipped(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in patterns)

    found: dict[Path, Candidate] = {}
    diags = []
    for index, raw in enumerate(paths):
        path = Path(raw)
        if path.is_file():
            found[path] = Candidate(path, True, index)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not skipped(d))
                for name in sorted(files):
                    if name.endswith(SPEC_SUFFIXES) and not skipped(name):
                        candidate = Path(root) / name
                        if candidate not in found:
                            found[candidate] = Candidate(candidate, False, index)
        elif path.exists():
            diags.append(Diagnostic(RULE_IO, "not a regular file or a folder", file=raw))
        else:
            diags.append(Diagnostic(RULE_IO, "no such file or folder", file=raw))
    return sorted(found.values(), key=lambda c: str(c.path)), diags


#: A top-level ``message`` or ``targets`` key in any YAML key style (plain, quoted, in a flow
#: mapping): how a file that does not parse is told from other YAML (a Helm template, ...).
_SPEC_KEY_RE = re.compile(rb"""(?:^|[{,]|\n)[ \t]*["']?(?:message|targets)["']?[ \t]*:""")


def _mentions_spec_keys(path: Path) -> bool:
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


#: Trees at least this large are checked by one worker process per core.
PARALLEL_FROM = 64


def check_tree(paths: Iterable[str], *, envelope_defaults: Mapping[str, Any] | None = None,
               worst_case: bool = True, keep_outputs: bool = True,
               jobs: int | None = None, exclude: Iterable[str] = DEFAULT_EXCLUDE) -> TreeReport:
    """Check every spec under ``paths``. Large trees are split over worker processes
    (``jobs``, default: one per core); the result is the same, in the same order. A given
    path under which no spec is found is a ``no-specs`` error (and makes the report
    unreadable: exit 2), so a wrong path can never pass as a clean tree."""
    paths = list(paths)
    report = TreeReport()
    candidates, missing = find_spec_files(paths, exclude)
    report.diagnostics.extend(missing)
    report.unreadable = bool(missing)
    defaults = dict(envelope_defaults or {})
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs > 1 and len(candidates) >= PARALLEL_FROM:
        checked = _check_parallel(candidates, defaults, worst_case, keep_outputs, jobs)
    else:
        checked = [_slim(check_file(c.path, defaults, worst_case=worst_case,
                                    walked=not c.explicit), keep_outputs)
                   for c in candidates]
    specs_under: dict[int, int] = {}
    others: dict[int, list[FileReport]] = {}
    for candidate, file_report in zip(candidates, checked, strict=True):
        if file_report.not_a_spec is None:
            report.files.append(file_report)
            specs_under[candidate.root] = specs_under.get(candidate.root, 0) + 1
        else:
            others.setdefault(candidate.root, []).append(file_report)
    for index, raw in enumerate(paths):
        if specs_under.get(index) or not Path(raw).is_dir():
            continue
        report.unreadable = True
        report.diagnostics.append(_no_specs(raw, others.get(index, []), tuple(exclude)))
    names: dict[str, FileReport] = {}
    for file_report in report.files:
        if file_report.name is None:
            continue
        if file_report.name in names:
            first = names[file_report.name]
            line, column = file_report.name_position
            file_report.diagnostics.append(Diagnostic(
                "duplicate-name", f"spec name {file_report.name!r} is already used by "
                f"{first.path}", file=file_report.path, line=line, column=column,
                path="/name",
                hint="names must be unique in a tree: set `name:` to tell them apart",
            ))
        else:
            names[file_report.name] = file_report
    return report


def _no_specs(folder: str, others: list[FileReport], exclude: tuple[str, ...]) -> Diagnostic:
    if others:
        shown = "; ".join(f"{Path(o.path).relative_to(folder) if _inside(o.path, folder) else o.path}"
                          f": {o.not_a_spec}" for o in others[:5])
        more = f" and {len(others) - 5} more" if len(others) > 5 else ""
        found = f"YAML files there are not specs ({shown}{more})"
    else:
        found = "it holds no .yaml or .yml file"
    return Diagnostic(
        RULE_NO_SPECS, f"no message spec found under {folder}: {found}", file=folder,
        hint="a spec is a YAML mapping with `message` and `targets`; check the paths given "
             f"(or the config's `paths`). Names skipped: {', '.join(exclude) or 'none'} "
             "(the config's `exclude`)")


def _inside(path: str, folder: str) -> bool:
    try:
        Path(path).relative_to(folder)
    except ValueError:
        return False
    return True


def _slim(report: FileReport, keep_outputs: bool) -> FileReport:
    if report.spec is not None:
        report.name = report.spec.name
        report.name_position = report.spec.document.locate("/name")
    if not keep_outputs:
        report.spec = None
        report.outputs = []
    return report


def _check_chunk(args: tuple[list[tuple[str, bool]], dict[str, Any], bool, bool]
                 ) -> list[FileReport]:
    items, defaults, worst_case, keep_outputs = args
    return [_slim(check_file(Path(p), defaults, worst_case=worst_case, walked=walked),
                  keep_outputs) for p, walked in items]


def _check_parallel(candidates: list[Candidate], defaults: dict[str, Any], worst_case: bool,
                    keep_outputs: bool, jobs: int) -> list[FileReport]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    items = [(str(c.path), not c.explicit) for c in candidates]
    size = max(8, len(items) // (jobs * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = pool.map(_check_chunk, [(c, defaults, worst_case, keep_outputs)
                                          for c in chunks])
        return [report for chunk in results for report in chunk]


def check_file(path: Path, envelope_defaults: Mapping[str, Any], *,
               worst_case: bool = True, walked: bool = False) -> FileReport:
    """Check one spec file. A file found by a folder walk (``walked``) that is not a spec
    comes back with ``not_a_spec`` set and no findings."""
    report = FileReport(str(path))
    try:
        doc = load_file(path)
    except MsgcError as exc:
        if walked and not _mentions_spec_keys(path):
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
    for provider in spec.providers:
        for locale in (None, *spec.locales):
            try:
                plan = Plan(spec, provider, locale)
                values = plan.values({}, samples=True)
                envelope = resolve(plan.provider, plan.settings, {}, {}, envelope_defaults,
                                   placeholders=True, file=spec.file)
                rendered = plan.render(values, envelope)
            except MsgcError as exc:
                _add_unique(report.diagnostics, exc.diagnostics, seen)
                continue
            report.outputs.append(rendered)
            _add_unique(report.diagnostics, rendered.warnings, seen)
            if worst_case:
                _add_unique(report.diagnostics,
                            _worst_case(plan, values, envelope, notes_for), seen)
            if locale is not None:
                _add_unique(report.diagnostics, _locale_gaps(spec, provider, locale), seen)
                _add_unique(report.diagnostics,
                            _untranslated(spec, provider, locale, noted_untranslated), seen)
    return report


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


def _leaves(tree: Any, ptr: str = "") -> Iterable[str]:
    if isinstance(tree, Mapping):
        for k, v in tree.items():
            yield from _leaves(v, jp.join(ptr, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _leaves(v, jp.join(ptr, i))
    else:
        yield ptr


def _locale_gaps(spec: Spec, provider: str, locale: str) -> list[Diagnostic]:
    base, _ = spec.effective_message(provider, None)
    localized, origins = spec.effective_message(provider, locale)
    have = set(_leaves(localized))
    reported: list[str] = []
    out = []
    for ptr in _leaves(base):
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


def _untranslated(spec: Spec, provider: str, locale: str, noted: set[tuple[str, str]]
                  ) -> list[Diagnostic]:
    """Notes for readable text a locale takes unchanged from the default message (a
    `footer` nobody translated), once per locale and text. Text that is only template tags
    (``{{ code }}``) needs no translation."""
    message, origins = spec.effective_message(provider, locale)
    own = jp.join("/locales", locale)
    out = []
    for ptr in _leaves(message):
        if jp.last_token(ptr) not in READABLE_KEYS:
            continue
        text = jp.resolve(message, ptr)
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


def _exists(tree: Any, ptr: str) -> bool:
    try:
        jp.resolve(tree, ptr)
    except (KeyError, IndexError, ValueError, TypeError):
        return False
    return True


def _worst_case(plan: Plan, values: Mapping[str, Any], envelope: Mapping[str, str],
                noted: set[str]) -> list[Diagnostic]:
    """Warnings for fields that some allowed input could push over a provider limit."""
    sources = {ptr: jp.resolve(plan.message, ptr) for ptr in plan.tree.leaves}
    if not sources:
        return []
    bounds = leaf_bounds(sources, plan.spec.variables, lambda src: parse_template(src)[0])
    example = plan.tree.render(values)
    padded = copy.deepcopy(example)
    for ptr, leaf in bounds.items():
        text = jp.resolve(example, ptr)
        if _NUMBER_RE.match(text):
            continue
        target = leaf.bound.chars if leaf.bound.chars is not None else UNBOUNDED_PAD
        _assign(padded, ptr, pad(text, target))
    try:
        lowered = plan.provider.lower(padded, plan.settings, envelope)
    except LoweringError:
        return []
    out = []
    for finding in plan.provider.validate(lowered.payload):
        if finding.keyword != "maxLength":
            continue
        origin = next((lowered.origins[a] for a in jp.ancestors(finding.pointer)
                       if a in lowered.origins), None)
        leaf_ptr = origin[len("/message"):] if origin and origin.startswith("/message") else None
        found = bounds.get(leaf_ptr) if leaf_ptr is not None else None
        if found is None:
            continue
        leaf = found
        if leaf.bound.chars is None:
            # Every payload maxLength is a hard provider limit: a check that could not be
            # made is a warning, never a quiet note.
            unchecked = (f"the length of {jp.last_token(finding.pointer)} could not be "
                         f"checked against {plan.provider.label}'s limit of "
                         f"{finding.limit:,} characters")
            for name in sorted(leaf.bound.unbounded - noted):
                noted.add(name)
                out.append(plan.spec.diagnostic(
                    jp.join("/variables", name), RULE_UNBOUNDED_VARIABLE,
                    f"{unchecked}: variable {name!r} has no max_length",
                    severity=Severity.WARNING, at_key=True, provider=plan.provider.name,
                    hint="declare max_length (or enum; minimum and maximum for an integer) "
                         "so the worst case can be checked",
                ))
            if not leaf.bound.unbounded and origin is not None and origin not in noted:
                noted.add(origin)
                out.append(plan._diag(
                    plan.spec_pointer(origin), RULE_UNBOUNDED_TEMPLATE,
                    f"{unchecked}: its template uses a loop, a call or a filter whose output "
                    "length msgc cannot bound",
                    "bound it, e.g. {{ text | truncate(80) }}, or keep the template to "
                    "variables, text, if/else and length-keeping filters", Severity.WARNING))
            continue
        length = len(jp.resolve(lowered.payload, finding.pointer))
        drivers = ", ".join(f"{n} has {m:,}" for n, m in sorted(leaf.bound.drivers.items()))
        limit = f"{finding.limit:,}"
        rule = re.sub(r"-length$", "", finding.rule) + "-may-exceed"
        field_name = jp.last_token(finding.pointer)
        diag = plan._diag(
            plan.spec_pointer(origin) if origin else None, rule,
            f"{field_name} can reach {length:,} characters"
            + (f" when {drivers}" if drivers else "") + f" (limit {limit})",
            "lower the variables' max_length or shorten the text", Severity.WARNING,
        )
        out.append(diag)
    return out


def _assign(tree: Any, ptr: str, value: Any) -> None:
    parts = jp.split(ptr)
    node = tree
    for token in parts[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
