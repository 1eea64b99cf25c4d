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

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, MsgcError, Severity
from .file_report import FileReport, TreeReport
from .files import MAX_BYTES

if TYPE_CHECKING:
    from .cache import ResultCache

__all__ = ["FileReport", "TreeReport", "check_file", "check_tree", "find_spec_files"]

SPEC_SUFFIXES = (".yaml", ".yml")
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", "dist", "build"}


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
        checked = [_slim(check_file(Path(p), defaults, worst_case=worst_case, raw=raw,
                                    outputs=keep_outputs), keep_outputs) for _, p, raw in todo]
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
    return [_slim(check_file(Path(p), defaults, worst_case=worst_case, raw=raw,
                             outputs=keep_outputs), keep_outputs) for p, raw in files]


def _check_parallel(files: list[tuple[str, bytes | None]], defaults: dict[str, Any],
                    worst_case: bool, keep_outputs: bool, jobs: int) -> list[FileReport]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Load the checking machinery once, here: forked workers share it instead of each
    # importing it again.
    from . import file_check  # noqa: F401

    size = max(8, len(files) // (jobs * 4))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = pool.map(_check_chunk, [(c, defaults, worst_case, keep_outputs)
                                          for c in chunks])
        return [report for chunk in results for report in chunk]


def check_file(path: Path, envelope_defaults: Mapping[str, Any], *,
               worst_case: bool = True, raw: bytes | None = None,
               outputs: bool = True) -> FileReport:
    """Check one spec file (:func:`compiler.file_check.check_file`, loaded on first use)."""
    from . import file_check

    return file_check.check_file(path, envelope_defaults, worst_case=worst_case, raw=raw,
                                 outputs=outputs)

