"""Checking a tree of specs, as ``msgc validate`` and ``msgc build`` do: finding the spec
files, checking each (:mod:`compiler.file_check`, in worker processes for large trees),
and the rules that span files (duplicate names). A broken file never stops the others
being checked.

With a :class:`compiler.cache.ResultCache`, a file whose result is stored under the same
key (its path and bytes, the flags and config, msgc's code) is not checked again; its
stored findings are byte-for-byte what checking it would give. Rules that span files are
always recomputed. Heavy modules (YAML, Jinja, the pipeline) load only when some file has
to be checked.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config_file import DEFAULT_EXCLUDE
from .diagnostics import Diagnostic, MsgcError, Severity
from .file_report import FileReport, TreeReport
from .files import RULE_IO

if TYPE_CHECKING:
    from .cache import ResultCache

__all__ = ["Candidate", "FileReport", "TreeReport", "check_file", "check_tree",
           "find_spec_files"]

SPEC_SUFFIXES = (".yaml", ".yml")
RULE_NO_SPECS = "no-specs"


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
    skipped = _name_matcher(tuple(exclude))
    # Keyed by the path's text as Path writes it, so a file named on the command line and
    # found again by a walk is one candidate.
    found: dict[str, Candidate] = {}
    diags = []
    for index, raw in enumerate(paths):
        path = Path(raw)
        if path.is_file():
            found[str(path)] = Candidate(path, True, index)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not skipped(d))
                base = Path(root)
                for name in sorted(files):
                    if name.endswith(SPEC_SUFFIXES) and not skipped(name):
                        candidate = base / name
                        key = str(candidate)
                        if key not in found:
                            found[key] = Candidate(candidate, False, index)
        elif path.exists():
            diags.append(Diagnostic(RULE_IO, "not a regular file or a folder", file=raw))
        else:
            diags.append(Diagnostic(RULE_IO, "no such file or folder", file=raw))
    return [found[key] for key in sorted(found)], diags


def _name_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a file or folder name matches one of the shell-style ``patterns`` (as
    ``fnmatch.fnmatchcase`` says; one regular expression for them all)."""
    if not patterns:
        return lambda name: False
    match = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns)).match
    return lambda name: match(name) is not None


#: Trees at least this large are checked by one worker process per core.
PARALLEL_FROM = 64


def check_tree(paths: Iterable[str], *, envelope_defaults: Mapping[str, Any] | None = None,
               worst_case: bool = True, keep_outputs: bool = True,
               jobs: int | None = None, cache: ResultCache | None = None,
               exclude: Iterable[str] = DEFAULT_EXCLUDE) -> TreeReport:
    """Check every spec under ``paths``. Files whose result ``cache`` holds are not
    checked again; large sets of files to check are split over worker processes (``jobs``,
    default: one per core). The result is the same either way, in the same order. A given
    path under which no spec is found is a ``no-specs`` error (and makes the report
    unreadable: exit 2), so a wrong path can never pass as a clean tree."""
    paths = list(paths)
    report = TreeReport()
    candidates, missing = find_spec_files(paths, exclude)
    report.diagnostics.extend(missing)
    report.unreadable = bool(missing)
    defaults = dict(envelope_defaults or {})
    results: list[FileReport | None] = [None] * len(candidates)
    # (index, path, its bytes when already read, found by a walk)
    todo: list[tuple[int, str, bytes | None, bool]] = []
    keys: dict[int, str] = {}
    if cache is not None:
        from .cache import key_function
        from .files import read_source

        context = {"worst_case": worst_case, "outputs": keep_outputs, "envelope": defaults}
        # A walked file that is not a spec has a result too (why it is not one); a file
        # named on the command line is always checked as a spec: two keys.
        key_for = {walked: key_function({**context, "walked": walked})
                   for walked in (False, True)}
        for i, candidate in enumerate(candidates):
            walked = not candidate.explicit
            try:
                data = read_source(candidate.path)
            except MsgcError:
                todo.append((i, str(candidate.path), None, walked))  # the check reports it
                continue
            keys[i] = key_for[walked](str(candidate.path), data)
            todo.append((i, str(candidate.path), data, walked))
        stored = cache.get_many(keys.values())
        remaining: list[tuple[int, str, bytes | None, bool]] = []
        for i, path_text, content, walked in todo:
            hit = stored.get(keys[i]) if i in keys else None
            restored = _from_json(path_text, hit) if hit is not None else None
            if restored is not None:
                results[i] = restored
            else:
                remaining.append((i, path_text, content, walked))
        todo = remaining
    else:
        todo = [(i, str(c.path), None, not c.explicit) for i, c in enumerate(candidates)]
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs > 1 and len(todo) >= PARALLEL_FROM:
        checked = _check_parallel([(p, raw, walked) for _, p, raw, walked in todo], defaults,
                                  worst_case, keep_outputs, jobs)
    else:
        checked = [_slim(check_file(Path(p), defaults, worst_case=worst_case, raw=raw,
                                    outputs=keep_outputs, walked=walked), keep_outputs)
                   for _, p, raw, walked in todo]
    for (i, _, _, _), file_report in zip(todo, checked, strict=True):
        results[i] = file_report
    if cache is not None:
        cache.put_many({keys[i]: _to_json(results[i], keep_outputs)  # type: ignore[arg-type]
                        for i, _, _, _ in todo if i in keys})
    specs_under: dict[int, int] = {}
    others: dict[int, list[FileReport]] = {}
    for candidate, result in zip(candidates, results, strict=True):
        assert result is not None  # every candidate was restored or checked above
        if result.not_a_spec is None:
            report.files.append(result)
            specs_under[candidate.root] = specs_under.get(candidate.root, 0) + 1
        else:
            others.setdefault(candidate.root, []).append(result)
    for index, raw_path in enumerate(paths):
        if specs_under.get(index) or not Path(raw_path).is_dir():
            continue
        report.unreadable = True
        report.diagnostics.append(_no_specs(raw_path, others.get(index, []), tuple(exclude)))
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


# -- storing a file's result in the cache ---------------------------------------------------

_DIAGNOSTIC_FIELDS = ("rule", "message", "severity", "file", "line", "column", "path", "hint",
                      "provider", "locale")


def _to_json(report: FileReport, keep_outputs: bool) -> dict[str, Any]:
    return {
        "diagnostics": [[getattr(d, f) for f in _DIAGNOSTIC_FIELDS] for d in report.diagnostics],
        "name": report.name,
        "name_position": list(report.name_position),
        "description": report.description,
        "not_a_spec": report.not_a_spec,
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
                            name_position=(line, column), description=data["description"],
                            not_a_spec=data["not_a_spec"])
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


def _check_chunk(args: tuple[list[tuple[str, bytes | None, bool]], dict[str, Any], bool, bool]
                 ) -> list[FileReport]:
    files, defaults, worst_case, keep_outputs = args
    return [_slim(check_file(Path(p), defaults, worst_case=worst_case, raw=raw,
                             outputs=keep_outputs, walked=walked), keep_outputs)
            for p, raw, walked in files]


def _check_parallel(files: list[tuple[str, bytes | None, bool]], defaults: dict[str, Any],
                    worst_case: bool, keep_outputs: bool, jobs: int) -> list[FileReport]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Load the checking machinery once, here: forked workers share it instead of each
    # importing it again.
    from . import file_check  # noqa: F401

    # Eight equal chunks a worker (rounded up, so no short chunk is left over for one
    # worker while the others wait): small enough that the workers finish together, big
    # enough to pay for their trip.
    size = max(8, -(-len(files) // (jobs * 8)))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = pool.map(_check_chunk, [(c, defaults, worst_case, keep_outputs)
                                          for c in chunks])
        return [report for chunk in results for report in chunk]


def check_file(path: Path, envelope_defaults: Mapping[str, Any], *,
               worst_case: bool = True, raw: bytes | None = None,
               outputs: bool = True, walked: bool = False) -> FileReport:
    """Check one spec file (:func:`compiler.file_check.check_file`, loaded on first use)."""
    from . import file_check

    return file_check.check_file(path, envelope_defaults, worst_case=worst_case, raw=raw,
                                 outputs=outputs, walked=walked)
