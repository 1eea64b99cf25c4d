"""A catalogued rule shown to people (``msgc rules RULE``, SARIF ``help``) and to programs
(``msgc rules --format json``)."""

from __future__ import annotations

import textwrap
from typing import Any

from . import Example, Rule

_LANGUAGE = {"yaml": "a spec", "json": "a payload", "shell": "a command", "toml": "a config",
             "text": ""}


def tuning_note(rule: Rule) -> str:
    if rule.tunable:
        return ("may be disabled, or given another severity, in [tool.msgc] or with a "
                "`# msgc: disable=` comment")
    return f"cannot be disabled: {rule.why_fixed()}"


def facts(rule: Rule) -> list[tuple[str, str]]:
    """The rule's metadata as (label, value) lines."""
    rows = [("Severity", f"{rule.severity.value}; {tuning_note(rule)}")]
    if rule.providers:
        rows.append(("Provider", ", ".join(rule.providers)))
    rows.append(("Reported by", "msgc " + ", ".join(rule.found_by)))
    if rule.source is not None:
        rows.append(("Source", rule.source.format()))
    if rule.help_uri:
        rows.append(("See also", rule.help_uri))
    return rows


def text(rule: Rule, width: int = 88) -> str:
    """A page for a terminal: title, facts, explanation, example and fix."""
    out = [f"{rule.id}: {rule.summary}", ""]
    label_width = max(len(label) for label, _ in facts(rule)) + 2
    for label, value in facts(rule):
        wrapped = textwrap.wrap(value, width - label_width) or [""]
        out.append(f"{label + ':':<{label_width}}{wrapped[0]}")
        out += [" " * label_width + more for more in wrapped[1:]]
    out.append("")
    for paragraph in rule.explanation.split("\n\n"):
        if paragraph.startswith(("- ", "    ")):
            out.append(paragraph)
        else:
            out += textwrap.wrap(paragraph, width)
        out.append("")
    out += _example("Example", rule.bad)
    out += _example("Fixed", rule.fixed)
    return "\n".join(out).rstrip() + "\n"


def _example(title: str, example: Example) -> list[str]:
    what = _LANGUAGE.get(example.language, "")
    out = [f"{title}" + (f" ({what}):" if what else ":"), ""]
    out += ["    " + line if line else "" for line in example.text.rstrip("\n").split("\n")]
    out.append("")
    return out


def markdown(rule: Rule) -> str:
    """The same page in Markdown (SARIF ``help.markdown``)."""
    out = [f"**{rule.id}**: {rule.summary}", ""]
    out += [f"- {label}: {value}" for label, value in facts(rule)]
    out.append("")
    out += [rule.explanation, ""]
    for title, example in (("Example", rule.bad), ("Fixed", rule.fixed)):
        out += [f"{title}:", "", f"```{example.language}", example.text.rstrip("\n"), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def as_dict(rule: Rule) -> dict[str, Any]:
    """The rule as JSON-ready data (``msgc rules --format json``)."""
    return {
        "id": rule.id,
        "summary": rule.summary,
        "severity": rule.severity.value,
        "kind": rule.kind.value,
        "tunable": rule.tunable,
        "why_not_tunable": rule.why_fixed(),
        "providers": list(rule.providers),
        "reported_by": list(rule.found_by),
        "explanation": rule.explanation,
        "example": {"language": rule.bad.language, "text": rule.bad.text},
        "fixed": {"language": rule.fixed.language, "text": rule.fixed.text},
        "source": None if rule.source is None else {
            "document": rule.source.document, "where": rule.source.where,
            "quote": rule.source.quote, "note": rule.source.note,
        },
        "help_uri": rule.help_uri,
    }


def sarif_rule(rule_id: str, rule: Rule | None) -> dict[str, Any]:
    """A SARIF ``reportingDescriptor``; ``helpUri`` only where the rule has a page."""
    if rule is None:
        return {"id": rule_id, "name": rule_id, "shortDescription": {"text": rule_id}}
    out: dict[str, Any] = {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.first_paragraph},
        "help": {"text": text(rule), "markdown": markdown(rule)},
        "defaultConfiguration": {"level": rule.severity.value},
        "properties": {"tags": [rule.kind.value, *rule.providers]},
    }
    if rule.help_uri:
        out["helpUri"] = rule.help_uri
    return out
