"""``msgc rules``: list the rule catalog, or explain one rule (ruff-style)."""

from __future__ import annotations

import json

import click

from .. import catalog
from ..catalog.describe import as_dict, text
from .options import format_option, provider_option


@click.command(name="rules")
@click.argument("rule_id", metavar="[RULE]", required=False)
@format_option(["text", "json"])
@provider_option("List only the rules of this provider.", required=False)
def command(rule_id: str | None, fmt: str, provider: str | None) -> None:
    """List every rule msgc reports, or explain RULE: what it means, an example and its
    fix, where a provider's document states the limit, and whether it can be disabled.

    msgc's advice on specs (warnings and notes) can be disabled or given another
    severity in [tool.msgc] (`disable = [...]`, `severity = {RULE = "error"}`) or with a
    `# msgc: disable=RULE` comment in a spec; errors cannot.

    \b
    Examples:
      msgc rules
      msgc rules --provider viber --format json
      msgc rules viber-text-length
    """
    rules = catalog.catalog()
    if rule_id is not None:
        rule = rules.get(rule_id)
        if rule is None:
            close = catalog.suggest(rule_id)
            raise click.BadParameter(f"unknown rule {rule_id!r}" + (
                f"; did you mean {close!r}?" if close else "; `msgc rules` lists them all"),
                param_hint="RULE")
        click.echo(json.dumps(as_dict(rule), ensure_ascii=False, indent=2) if fmt == "json"
                   else text(rule).rstrip("\n"))
        return
    chosen = [r for r in rules.values() if provider is None or provider in r.providers]
    if fmt == "json":
        click.echo(json.dumps([as_dict(r) for r in chosen], ensure_ascii=False, indent=2))
        return
    rows = [(r.id, r.severity.value, ",".join(r.providers), r.summary) for r in chosen]
    heads = ("RULE", "LEVEL", "PROVIDER", "SUMMARY")
    widths = [max(len(row[i]) for row in [heads, *rows]) for i in range(3)]
    for row in [heads, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True))
                   + "  " + row[3])
    tunable = sum(r.tunable for r in chosen)
    click.echo(f"\n{len(chosen)} rules; {tunable} of them (msgc's advice on specs) can be "
               "disabled or given another severity. `msgc rules RULE` explains one.", err=True)
