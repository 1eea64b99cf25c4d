"""Printing diagnostics: text for people (coloured on a terminal), JSON for scripts,
GitHub Actions workflow annotations, and SARIF 2.1.0 for code-scanning dashboards. JSON and
SARIF carry what the rule catalog says about each rule.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

import click

from .diagnostics import Diagnostic, Severity, sort_key

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def text(diags: Sequence[Diagnostic], *, color: bool = False, **_: Any) -> str:
    lines = []
    for d in sorted(diags, key=sort_key):
        line = d.format()
        if color:
            head, sep, rest = line.partition(f": {d.severity.value}: ")
            if sep:
                line = (click.style(head, bold=True) + ": "
                        + click.style(d.severity.value, fg=_COLOURS[d.severity], bold=True)
                        + ": " + rest)
        lines.append(line)
    return "\n".join(lines)


def summary(diags: Sequence[Diagnostic], files: int | None = None) -> str:
    """``2 errors, 1 warning, 0 notes in 3 files``: every severity is counted."""
    counts = [(sum(d.severity is s for d in diags), s.value) for s in Severity]
    text = ", ".join(f"{n:,} {word}{'s' * (n != 1)}" for n, word in counts)
    return text + (f" in {files:,} file{'s' * (files != 1)}" if files is not None else "")


def as_json(diags: Sequence[Diagnostic], **_: Any) -> str:
    """One object per finding, with its rule's one-line summary from the catalog."""
    return json.dumps([finding_dict(d) for d in sorted(diags, key=sort_key)],
                      ensure_ascii=False, indent=2)


def finding_dict(d: Diagnostic) -> dict[str, Any]:
    """A finding as JSON data: ``rule``, its ``summary``, then the diagnostic's fields."""
    from . import catalog

    data = d.to_dict()
    rule = catalog.get(d.rule)
    if rule is None:
        return data
    return {"rule": data.pop("rule"), "summary": rule.summary, **data}


def _gh_escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def github(diags: Sequence[Diagnostic], **_: Any) -> str:
    """``::error file=F,line=L,col=C,title=RULE::message`` lines for GitHub Actions."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
    lines = []
    for d in sorted(diags, key=sort_key):
        props = []
        if d.file:
            props.append(f"file={_gh_escape(d.file, prop=True)}")
        if d.line:
            props.append(f"line={d.line}")
        if d.column:
            props.append(f"col={d.column}")
        props.append(f"title={_gh_escape(d.rule, prop=True)}")
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        lines.append(f"::{level[d.severity]} {','.join(props)}::{_gh_escape(message)}")
    return "\n".join(lines)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif(diags: Sequence[Diagnostic], *, version: str = "", **_: Any) -> str:
    """A SARIF 2.1.0 log with one run, one rule per rule id (with the catalog's summary,
    explanation, examples and default level), one result per finding."""
    from . import catalog
    from .catalog.describe import sarif_rule

    ordered = sorted(diags, key=sort_key)
    rule_ids = sorted({d.rule for d in ordered})
    index = {rule: i for i, rule in enumerate(rule_ids)}
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
    results = []
    for d in ordered:
        result: dict[str, Any] = {
            "ruleId": d.rule,
            "ruleIndex": index[d.rule],
            "level": level[d.severity],
            "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
        }
        if d.file:
            physical: dict[str, Any] = {"artifactLocation": _artifact(d.file)}
            if d.line:
                region = {"startLine": d.line}
                if d.column:
                    region["startColumn"] = d.column
                physical["region"] = region
            result["locations"] = [{"physicalLocation": physical}]
        if d.path is not None:
            result.setdefault("properties", {})["path"] = d.path
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "msgc",
                "version": version,
                "rules": [sarif_rule(r, catalog.get(r)) for r in rule_ids],
            }},
            "results": results,
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2)


def _artifact(path: str) -> dict[str, str]:
    """A SARIF artifactLocation: a percent-encoded relative reference (RFC 3986) against
    ``%SRCROOT%`` for a relative path, a ``file:`` URI for an absolute one."""
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute() or PureWindowsPath(path).is_absolute():
        absolute = PureWindowsPath(path) if PureWindowsPath(path).drive else PurePosixPath(posix)
        return {"uri": absolute.as_uri()}
    while posix.startswith("./"):
        posix = posix[2:]
    # Everything but unreserved characters and "/" is encoded: spaces, commas, colons (a
    # colon in the first segment would read as a URI scheme), "%", "#", "?", non-ASCII.
    return {"uri": quote(posix, safe="/"), "uriBaseId": "%SRCROOT%"}


FORMATTERS: dict[str, Callable[..., str]] = {
    "text": text, "json": as_json, "github": github, "sarif": sarif,
}


def echo_diagnostics(diags: Sequence[Diagnostic], *, err: bool = True) -> None:
    if not diags:
        return
    stream = sys.stderr if err else sys.stdout
    color = bool(getattr(stream, "isatty", lambda: False)())
    click.echo(text(diags, color=color), err=err)
