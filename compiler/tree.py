"""Checking a tree of specs, as ``msgc validate`` and ``msgc build`` do.

Every spec file is loaded and checked, then compiled for every target and every locale with
its variables' examples, lowered and validated. On top of what compiling one message finds,
a tree check reports: duplicate spec names, unused variables, locales that lack a field the
default message has, and fields whose worst-case length (from the variables' declared
bounds) could exceed a provider limit. A broken file never stops the others being checked.

With a :class:`compiler.cache.ResultCache`, a file whose result is stored under the same
key (its path and bytes, the flags and config, msgc's code) is not checked again; its
stored findings are byte-for-byte what checking it would give. Rules that span files are
always recomputed. Heavy modules (YAML, Jinja, the pipeline) load only when some file has
to be checked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import pointer as jp
from .diagnostics import Diagnostic, MsgcError, Severity, sort_key
from .files import MAX_BYTES

if TYPE_CHECKING:
    from .analysis import Bound
    from .cache import ResultCache
    from .pipeline import Plan, Rendered
    from .spec import Spec

SPEC_SUFFIXES = (".yaml", ".yml")
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", "dist", "build"}
_NUMBER_RE = re.compile(r"^\s*[-+]?\d+(\.\d+)?\s*$")


@dataclass(slots=True)
class FileReport:
    path: str
    spec: Spec | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    outputs: list[Rendered] = field(default_factory=list)
    name: str | None = None
    name_position: tuple[int | None, int | None] = (None, None)
    description: str | None = None

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


def find_spec_files(paths: Iterable[str]) -> tuple[list[tuple[Path, bool]], list[Diagnostic]]:
    """Spec files under ``paths``: (path, named explicitly). Missing paths are diagnostics.

    Files named on the command line are always specs. Files found by walking a folder are
    specs when they end in .yaml/.yml, are not hidden, and hold a top-level ``message:`` or
    ``targets:`` key (so CI configs and other YAML in the tree are left alone).
    """
    files, diags, _ = _find_spec_files(paths)
    return files, diags


def _find_spec_files(paths: Iterable[str]
                     ) -> tuple[list[tuple[Path, bool]], list[Diagnostic], dict[Path, bytes]]:
    """:func:`find_spec_files`, plus the content of the files it had to read to decide
    (each is read once: the check and the cache key use those bytes)."""
    found: dict[Path, bool] = {}
    contents: dict[Path, bytes] = {}
    diags = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found[path] = True
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
                for name in sorted(files):
                    if name.endswith(SPEC_SUFFIXES) and not name.startswith("."):
                        candidate = Path(root) / name
                        if candidate not in found and _looks_like_spec(candidate, contents):
                            found[candidate] = False
        elif path.exists():
            diags.append(Diagnostic("io-error", "not a regular file or a folder", file=raw))
        else:
            diags.append(Diagnostic("io-error", "no such file or folder", file=raw))
    return sorted(found.items(), key=lambda item: str(item[0])), diags, contents


_SPEC_KEY_RE = re.compile(rb"^(message|targets)\s*:", re.MULTILINE)


def _looks_like_spec(path: Path, contents: dict[Path, bytes]) -> bool:
    if not path.is_file():  # a FIFO would block the open; let the loader report it
        return True
    try:
        with path.open("rb") as fh:
            content = fh.read(MAX_BYTES + 1)  # as read_source() reads it
    except OSError:
        return True  # let the loader report it
    if _SPEC_KEY_RE.search(content, 0, 256 * 1024):
        contents[path] = content
        return True
    return False


#: Trees at least this large are checked by one worker process per core.
PARALLEL_FROM = 64


def check_tree(paths: Iterable[str], *, envelope_defaults: Mapping[str, Any] | None = None,
               worst_case: bool = True, keep_outputs: bool = True,
               jobs: int | None = None, cache: ResultCache | None = None) -> TreeReport:
    """Check every spec under ``paths``. Files whose result ``cache`` holds are not
    checked again; large sets of files to check are split over worker processes (``jobs``,
    default: one per core). The result is the same either way, in the same order."""
    report = TreeReport()
    files, missing, contents = _find_spec_files(paths)
    report.diagnostics.extend(missing)
    report.unreadable = bool(missing)
    defaults = dict(envelope_defaults or {})
    results: list[FileReport | None] = [None] * len(files)
    todo: list[tuple[int, str, bytes | None]] = []
    keys: dict[int, str] = {}
    if cache is not None:
        from .cache import key_function
        from .files import read_source

        key = key_function({"worst_case": worst_case, "outputs": keep_outputs,
                            "envelope": defaults})
        for i, (path, _explicit) in enumerate(files):
            data = contents.get(path)
            if data is None:
                try:
                    data = read_source(path)
                except MsgcError:
                    todo.append((i, str(path), None))  # the check reports it
                    continue
            keys[i] = key(str(path), data)
            todo.append((i, str(path), data))
        stored = cache.get_many(keys.values())
        remaining: list[tuple[int, str, bytes | None]] = []
        for i, path_text, content in todo:
            hit = stored.get(keys[i]) if i in keys else None
            restored = _from_json(path_text, hit) if hit is not None else None
            if restored is not None:
                results[i] = restored
            else:
                remaining.append((i, path_text, content))
        todo = remaining
    else:
        todo = [(i, str(path), contents.get(path)) for i, (path, _explicit) in enumerate(files)]
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs > 1 and len(todo) >= PARALLEL_FROM:
        checked = _check_parallel([(p, raw) for _, p, raw in todo], defaults, worst_case,
                                  keep_outputs, jobs)
    else:
        checked = [_slim(check_file(Path(p), defaults, worst_case=worst_case, raw=raw),
                         keep_outputs) for _, p, raw in todo]
    for (i, _, _), file_report in zip(todo, checked, strict=True):
        results[i] = file_report
    if cache is not None:
        cache.put_many({keys[i]: _to_json(results[i], keep_outputs)  # type: ignore[arg-type]
                        for i, _, _ in todo if i in keys})
    report.files.extend(r for r in results if r is not None)
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


# -- storing a file's result in the cache ---------------------------------------------------

_DIAGNOSTIC_FIELDS = ("rule", "message", "severity", "file", "line", "column", "path", "hint",
                      "provider", "locale")


def _to_json(report: FileReport, keep_outputs: bool) -> dict[str, Any]:
    return {
        "diagnostics": [[getattr(d, f) for f in _DIAGNOSTIC_FIELDS] for d in report.diagnostics],
        "name": report.name,
        "name_position": list(report.name_position),
        "description": report.description,
        "outputs": [[o.provider, o.locale, o.kind, o.payload] for o in report.outputs]
        if keep_outputs else [],
    }


def _from_json(path: str, data: Any) -> FileReport | None:
    """The report stored for ``path``, or None when the entry is not one msgc wrote."""
    try:
        diagnostics = []
        for values in data["diagnostics"]:
            fields = dict(zip(_DIAGNOSTIC_FIELDS, values, strict=True))
            fields["severity"] = Severity(fields["severity"])
            diagnostics.append(Diagnostic(**fields))
        line, column = data["name_position"]
        report = FileReport(path, diagnostics=diagnostics, name=data["name"],
                            name_position=(line, column), description=data["description"])
        if data["outputs"]:
            from .pipeline import Rendered, serialize

            report.outputs = [Rendered(spec=data["name"], provider=provider, locale=locale,
                                       kind=kind, _payload=payload, body=serialize(payload))
                              for provider, locale, kind, payload in data["outputs"]]
    except (KeyError, TypeError, ValueError):
        return None
    return report


def _slim(report: FileReport, keep_outputs: bool) -> FileReport:
    if report.spec is not None:
        report.name = report.spec.name
        report.name_position = report.spec.document.locate("/name")
        report.description = report.spec.description
    if not keep_outputs:
        report.spec = None
        report.outputs = []
    return report


def _check_chunk(args: tuple[list[tuple[str, bytes | None]], dict[str, Any], bool, bool]
                 ) -> list[FileReport]:
    files, defaults, worst_case, keep_outputs = args
    return [_slim(check_file(Path(p), defaults, worst_case=worst_case, raw=raw), keep_outputs)
            for p, raw in files]


def _check_parallel(files: list[tuple[str, bytes | None]], defaults: dict[str, Any],
                    worst_case: bool, keep_outputs: bool, jobs: int) -> list[FileReport]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Load the checking machinery once, here: forked workers share it instead of each
    # importing it again.
    from . import analysis, envelope, gate, pipeline, spec  # noqa: F401

    size = max(8, len(files) // (jobs * 4))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = pool.map(_check_chunk, [(c, defaults, worst_case, keep_outputs)
                                          for c in chunks])
        return [report for chunk in results for report in chunk]


def check_file(path: Path, envelope_defaults: Mapping[str, Any], *,
               worst_case: bool = True, raw: bytes | None = None) -> FileReport:
    """Check one spec file (``raw``: its bytes, when the caller has read them already)."""
    from .envelope import resolve
    from .pipeline import Plan
    from .source import load_bytes
    from .spec import check_document, load_spec

    report = FileReport(str(path))
    try:
        spec = load_spec(path) if raw is None else check_document(load_bytes(raw, str(path)))
    except MsgcError as exc:
        report.diagnostics.extend(exc.diagnostics)
        return report
    report.spec = spec
    report.diagnostics.extend(spec.warnings)
    report.diagnostics.extend(_unused_variables(spec))
    seen: set[tuple[Any, ...]] = set()
    notes_for: set[str] = set()
    bounds: dict[str, Bound] = {}  # template text -> its bound (the spec's variables)
    for provider in spec.providers:
        for locale in (None, *spec.locales):
            try:
                plan = Plan(spec, provider, locale)
                values = plan.values({}, samples=True)
                envelope = resolve(plan.provider, plan.settings, {}, {}, envelope_defaults,
                                   placeholders=True, file=spec.file)
                rendered, message = plan.render_checked(values, envelope)
            except MsgcError as exc:
                _add_unique(report.diagnostics, exc.diagnostics, seen)
                continue
            report.outputs.append(rendered)
            _add_unique(report.diagnostics, rendered.warnings, seen)
            if worst_case:
                _add_unique(report.diagnostics,
                            _worst_case(plan, message, envelope, notes_for, bounds), seen)
            if locale is not None:
                _add_unique(report.diagnostics, _locale_gaps(spec, provider, locale), seen)
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
    from .templating import variables_used

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
    from .analysis import UNBOUNDED_PAD, LeafBound, bound_pieces, bound_template, pad
    from .gate import accepts
    from .providers.base import LoweringError
    from .templating import parse_template

    bounds: dict[str, LeafBound] = {}
    padded = example
    for ptr, template in plan.tree.leaves.items():
        bound = bound_of.get(template.source)
        if bound is None:
            bound = bound_of[template.source] = (
                bound_pieces(template.pieces, plan.spec.variables) if template.pieces is not None
                else bound_template(parse_template(template.source)[0], plan.spec.variables))
        bounds[ptr] = LeafBound(ptr, bound)
        text = jp.resolve(example, ptr)
        if _NUMBER_RE.match(text):
            continue
        target = bound.chars if bound.chars is not None else UNBOUNDED_PAD
        if target > len(text):
            padded = jp.with_value(padded, ptr, pad(text, target))
    if padded is example:  # nothing can grow: the example's verdict stands
        return []
    try:
        lowered = plan.provider.lower(padded, plan.settings, envelope)
    except LoweringError:
        return []
    if accepts(plan.provider.payload_schema, lowered.payload):
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
            for name in sorted(leaf.bound.unbounded - noted):
                noted.add(name)
                out.append(plan.spec.diagnostic(
                    jp.join("/variables", name), "unbounded-variable",
                    f"variable {name!r} has no max_length, so msgc cannot tell whether "
                    f"{jp.last_token(finding.pointer)} stays within {plan.provider.label}'s limit",
                    severity=Severity.NOTE, at_key=True, provider=plan.provider.name,
                    hint="declare max_length (or enum) to get a worst-case check",
                ))
            continue
        length = len(jp.resolve(lowered.payload, finding.pointer))
        drivers = ", ".join(f"{n} has {m}" for n, m in sorted(leaf.bound.drivers.items()))
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
