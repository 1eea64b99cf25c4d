"""``msgc check-payload``: validate hand-written provider payloads (JSON files)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import providers
from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..diagnostics import Diagnostic
from ..files import RULE_ENCODING, RULE_IO
from ..report import as_json, echo_diagnostics
from ..source import Document, load_text
from .options import format_option, provider_option


@click.command(name="check-payload")
@provider_option("Provider whose payload format the files use.")
@format_option(["text", "json"], help="Output format (json: the findings as `msgc validate "
               "--format json` prints them).")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def command(provider: str, fmt: str, files: tuple[str, ...]) -> None:
    """Validate provider payloads (request bodies) against msgc's schemas and rules.

    Every violation is reported, at the deepest JSON path that explains it.
    Exit 0 when all files are valid, 1 when any is not, 2 on usage errors.

    \b
    Example:
      msgc check-payload --provider whatsapp --format json body.json
    """
    p = providers.get(provider)
    diags: list[Diagnostic] = []
    unreadable = False
    for name in files:
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            diags.append(Diagnostic(RULE_IO, f"cannot read file: {exc.strerror}", file=name))
            unreadable = True
            continue
        try:
            text = raw.decode("utf-8-sig")
            payload = json.loads(text)
        except UnicodeDecodeError:
            diags.append(Diagnostic(RULE_ENCODING, "file is not valid UTF-8", file=name,
                                    hint="save the file as UTF-8"))
            unreadable = True
            continue
        except json.JSONDecodeError as exc:
            diags.append(Diagnostic("json-syntax", f"invalid JSON: {exc.msg}", file=name,
                                    line=exc.lineno, column=exc.colno, path=""))
            continue
        doc = _positions(text, name)
        for f in p.validate(payload):
            line, column = doc.locate(f.pointer) if doc else (None, None)
            diags.append(Diagnostic(
                rule=f.rule, message=f.message, severity=f.severity, file=name, line=line,
                column=column, path=f.pointer, hint=f.hint, provider=provider,
            ))
    if fmt == "json":
        click.echo(as_json(diags))
    else:
        echo_diagnostics(diags, err=False)
        if not diags:
            click.echo(f"{len(files)} payload{'s' * (len(files) != 1)} valid for {p.label}")
    if unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if any(d.is_error for d in diags) else EXIT_OK)


def _positions(text: str, name: str) -> Document | None:
    """Line/column of each JSON node, read with the YAML loader; None if it cannot."""
    try:
        return load_text(text, name)
    except Exception:
        return None
