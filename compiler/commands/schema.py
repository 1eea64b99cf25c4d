"""``msgc schema``: export the spec format's JSON Schema for editors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import click

from .. import providers
from ..cli import EXIT_USAGE
from ..files import write_text
from ..schemas import load_schema
from .exits import reporting

OUTPUT_NAME = "msgc-spec.schema.json"


def editor_schema() -> dict[str, Any]:
    """The spec schema with each provider's target schema inlined under ``targets``."""
    schema = copy.deepcopy(load_schema("spec.schema.json"))
    targets = schema["properties"]["targets"]
    props = {}
    for name in providers.names():
        target = copy.deepcopy(providers.get(name).target_schema_document())
        for key in ("$schema", "$id"):
            target.pop(key, None)
        target.setdefault("properties", {})["message"] = {"$ref": "#/$defs/message_override"}
        target["type"] = ["object", "null"]
        props[name] = target
    targets["properties"] = props
    targets["additionalProperties"] = False
    return schema


@click.command(name="schema")
@click.option("--output", "-o", "out_dir", type=click.Path(file_okay=False),
              help=f"Folder to write {OUTPUT_NAME} into (default: print it).")
def command(out_dir: str | None) -> None:
    """Export the JSON Schema of the spec format, for editor completion and checks.

    With the YAML language server (VS Code, Neovim, ...), start a spec with
    `# yaml-language-server: $schema=./msgc-spec.schema.json`.

    \b
    Example:
      msgc schema -o .schemas/
    """
    text = json.dumps(editor_schema(), ensure_ascii=False, indent=2) + "\n"
    if out_dir is None:
        click.echo(text, nl=False)
        return
    target = Path(out_dir) / OUTPUT_NAME
    with reporting(EXIT_USAGE):
        write_text(target, text)
    click.echo(f"wrote {target}", err=True)
