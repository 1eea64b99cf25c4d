"""The rule catalog: every finding msgc can report, with what it means and how to fix it.

Every diagnostic names a rule by its id (``viber-text-length``). This package is the one
registry of those ids: for each, its default severity, the providers it concerns, a
one-line summary, a longer explanation with a bad and a fixed example, and, for a
provider's limit, the passage of the provider's document it comes from. ``msgc rules``
prints it, SARIF output carries it, and the tests hold it to the code in both directions:
no id is reported that is not catalogued, and nothing is catalogued that cannot be reported.

A rule's *kind* says whether users may tune it (``[tool.msgc] disable`` and ``severity``,
``# msgc: disable=`` comments): only msgc's advice (warnings and notes) can be disabled or
re-graded. A provider's hard limit cannot: the provider would refuse the message whatever
msgc said. Neither can a message the provider cannot express, a spec msgc cannot compile, or
a problem with the command itself.

The core entries live next to this module (``core``, ``running``), each provider's in its
own package (``compiler/providers/<name>/catalog.py``); this module only collects them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from ..diagnostics import Severity, close_matches


class Kind(enum.StrEnum):
    """Why a rule exists, which decides whether users may tune it."""

    LIMIT = "limit"              # a provider's hard limit: the provider refuses the message
    UNSUPPORTED = "unsupported"  # the provider has no way to express the message
    INPUT = "input"              # msgc cannot read or compile the spec, the values or a file
    OPERATION = "operation"      # the command, its environment or the provider's answer
    ADVICE = "advice"            # msgc's advice: may be disabled or re-graded


#: Commands that compile a spec, and so report every rule a spec can break.
SPEC = ("validate", "build", "render", "send")
#: ``msgc check-payload`` (and the Python ``validate_payload``): hand-written payloads.
PAYLOAD = ("check-payload",)
#: Commands that take variable values from the command line or a file.
VALUES = ("render", "send")
SEND = ("send",)


@dataclass(frozen=True, slots=True)
class Example:
    """A short illustration. ``language`` says what the text is: ``yaml`` a complete spec
    file, ``json`` a complete provider payload (the tests check that both give, or do not
    give, the rule), ``shell`` a command line, ``toml`` a config file, ``text`` anything
    else (not executed)."""

    text: str
    language: str = "yaml"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a provider's document states a limit: the document, where in it, and its own
    words (verbatim, so they can be found again)."""

    document: str
    where: str
    quote: str
    note: str | None = None     # how msgc reads it where the document is unclear

    def format(self) -> str:
        text = f"{self.document}, {self.where}: \u201c{self.quote}\u201d"
        return text + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True, slots=True)
class Rule:
    """One catalogued rule."""

    id: str
    summary: str                   # one line, no final period
    explanation: str               # paragraphs separated by blank lines
    bad: Example
    fixed: Example
    severity: Severity = Severity.ERROR
    kind: Kind = Kind.INPUT
    providers: tuple[str, ...] = ()
    found_by: tuple[str, ...] = SPEC
    source: Source | None = None
    help_uri: str | None = None    # a public page about this very problem, where one exists

    @property
    def in_specs(self) -> bool:
        """Whether a spec file can break this rule (``msgc validate`` reports it for one)."""
        return "validate" in self.found_by and self.kind is not Kind.OPERATION

    @property
    def tunable(self) -> bool:
        """Whether ``disable`` and ``severity`` may name this rule."""
        return self.kind is Kind.ADVICE

    def why_fixed(self) -> str | None:
        """Why the rule cannot be disabled or re-graded (None when it can)."""
        who = " and ".join(_label(p) for p in self.providers) or "the provider"
        return {
            Kind.LIMIT: f"{who} would refuse the message (a hard provider limit)",
            Kind.UNSUPPORTED: f"{who} cannot express the message, so there would be nothing "
                              "to send",
            Kind.INPUT: "msgc cannot compile a spec, its values or a file with this problem",
            Kind.OPERATION: "it reports a problem with the command, its environment or the "
                            "provider's answer, not a finding in a spec",
        }.get(self.kind)

    @property
    def first_paragraph(self) -> str:
        return self.explanation.strip().split("\n\n", 1)[0]


def _modules() -> Iterable[Iterable[Rule]]:
    """The core entries, then each provider's (the ``catalog`` part of its package)."""
    from .. import providers
    from . import core, running

    found: list[Iterable[Rule]] = [core.RULES, running.RULES]
    for provider in providers.registry().values():
        module = provider.part("catalog")
        if module is not None:
            found.append(module.RULES)
    return found


def _label(name: str) -> str:
    from .. import providers

    provider = providers.registry().get(name)
    return provider.label if provider is not None else name


@cache
def catalog() -> Mapping[str, Rule]:
    """Every rule, by id, in id order."""
    found: dict[str, Rule] = {}
    for rules in _modules():
        for rule in rules:
            if rule.id in found:
                raise ValueError(f"rule {rule.id!r} is catalogued twice")
            found[rule.id] = rule
    return dict(sorted(found.items()))


def get(rule_id: str) -> Rule | None:
    return catalog().get(rule_id)


def suggest(rule_id: str) -> str | None:
    """The catalogued id closest to a mistyped one, if any is close."""
    close = close_matches(rule_id, list(catalog()), n=1, cutoff=0.6)
    return close[0] if close else None
