"""Tuning which findings are reported: the config's ``disable`` and ``severity``, and
``# msgc: disable=`` comments in a spec.

In ``[tool.msgc]`` (or ``msgc.toml``)::

    disable = ["unused-variable"]             # never report these rules
    severity = {unbounded-variable = "warning"}  # report these at another level

In a spec, a comment ``# msgc: disable=RULE[,RULE...]`` at the end of a line hides those
rules' findings on that line; on a line of its own it hides them on the next line that holds
YAML; ``# msgc: disable-file=RULE[,RULE...]`` hides them in the whole file.

Only msgc's advice (warnings and notes) can be tuned. A rule the catalog marks as a hard
provider limit, something the provider cannot express, a spec msgc cannot compile, or a
problem with the command cannot: naming one is an error that says why (see
:meth:`compiler.catalog.Rule.why_fixed`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .diagnostics import Diagnostic, Severity

#: The levels a finding can be given, most severe first.
LEVELS = tuple(s.value for s in Severity)
RULE_BAD_COMMENT = "comment-directive"
RULE_UNKNOWN = "disable-unknown-rule"
RULE_NOT_ALLOWED = "disable-not-allowed"


# -- the config -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Tuning:
    """Rules the config disables, and severities it changes (checked by the config reader
    with :func:`untunable`)."""

    disabled: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.disabled or self.severity)

    def apply(self, diags: Iterable[Diagnostic]) -> list[Diagnostic]:
        """``diags`` without disabled rules, severities changed as configured."""
        out = []
        for d in diags:
            if d.rule in self.disabled:
                continue
            level = self.severity.get(d.rule)
            out.append(replace(d, severity=level) if level is not None and level is not
                       d.severity else d)
        return out


def untunable(rule_id: str, what: str, level: str | None = None
              ) -> tuple[str, str | None] | None:
    """Why ``rule_id`` cannot be ``what`` ("disabled", "given another severity"): a message
    and a hint; None when it can. Giving a rule its own default level is always allowed."""
    from . import catalog

    rule = catalog.get(rule_id)
    if rule is None:
        close = catalog.suggest(rule_id)
        return (f"unknown rule {rule_id!r}",
                f"did you mean {close!r}?" if close else "`msgc rules` lists every rule")
    if rule.tunable or (level is not None and level == rule.severity.value):
        return None
    return (f"{rule_id} cannot be {what}: {rule.why_fixed()}",
            f"`msgc rules {rule_id}` explains how to fix what it reports")


# -- comments in a spec -------------------------------------------------------------------------

_COMMENT_RE = re.compile(r"(?:^|(?<=\s))#[ \t]*msgc:[ \t]*(?P<body>[^\r\n]*)", re.MULTILINE)
_DIRECTIVE_RE = re.compile(r"^(?P<verb>disable|disable-file)[ \t]*=[ \t]*"
                           r"(?P<rules>[A-Za-z0-9_-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_-]+)*)[ \t]*$")


@dataclass(frozen=True, slots=True)
class Directive:
    """One ``# msgc:`` comment: where it is, the lines it covers, the rules it names."""

    line: int
    column: int
    rules: tuple[str, ...]
    covers: int | None            # the line it applies to; None: the whole file
    problem: str | None = None    # why it is not a directive msgc understands


def find_directives(text: str, scalar_spans: Sequence[tuple[int, int]]) -> list[Directive]:
    """The ``# msgc:`` comments of a YAML text; ``scalar_spans`` are the (start, end) offsets
    of its scalars, where a ``#`` is text, not a comment."""
    out = []
    lines = text.splitlines()
    for match in _COMMENT_RE.finditer(text):
        start = match.start()
        if any(a <= start < b for a, b in scalar_spans):
            continue
        line = text.count("\n", 0, start) + 1
        line_start = text.rfind("\n", 0, start) + 1
        column = start - line_start + 1
        own_line = text[line_start:start].strip() == ""
        body = match.group("body").strip()
        parsed = _DIRECTIVE_RE.match(body)
        if parsed is None:
            out.append(Directive(line, column, (), line, problem=body))
            continue
        rules = tuple(r.strip() for r in parsed.group("rules").split(","))
        if parsed.group("verb") == "disable-file":
            covers: int | None = None
        elif own_line:
            covers = _next_content_line(lines, line)
        else:
            covers = line
        out.append(Directive(line, column, rules, covers))
    return out


def _next_content_line(lines: list[str], after: int) -> int:
    for number in range(after + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return after


def apply_directives(diags: Iterable[Diagnostic], directives: Sequence[Directive],
                     file: str) -> list[Diagnostic]:
    """``diags`` of ``file`` without those its directives hide, plus a finding for each
    directive msgc cannot follow."""
    from . import catalog

    whole: set[str] = set()
    by_line: set[tuple[int, str]] = set()
    problems: list[Diagnostic] = []
    for d in directives:
        def problem(rule: str, message: str, hint: str, d: Directive = d) -> None:
            problems.append(Diagnostic(rule, message, file=file, line=d.line, column=d.column,
                                       hint=hint))

        if d.problem is not None:
            problem(RULE_BAD_COMMENT, f"`# msgc: {d.problem}` is not an msgc directive",
                    "write `# msgc: disable=RULE` (this line, or the next when alone on its "
                    "line) or `# msgc: disable-file=RULE`")
            continue
        for rule_id in d.rules:
            rule = catalog.get(rule_id)
            if rule is None:
                close = catalog.suggest(rule_id)
                problem(RULE_UNKNOWN, f"`# msgc: disable` names unknown rule "
                        f"{rule_id!r}",
                        f"did you mean {close!r}?" if close else "`msgc rules` lists every rule")
            elif not rule.tunable:
                problem(RULE_NOT_ALLOWED, f"{rule_id} cannot be disabled: "
                        f"{rule.why_fixed()}",
                        f"`msgc rules {rule_id}` explains how to fix what it reports")
            elif d.covers is None:
                whole.add(rule_id)
            else:
                by_line.add((d.covers, rule_id))
    kept = [x for x in diags
            if not (x.file == file and (x.rule in whole or (x.line, x.rule) in by_line))]
    return kept + problems
