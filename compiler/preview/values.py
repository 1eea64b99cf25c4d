"""The values a preview fills the variables with: examples, the worst case, or the user's.

*Worst case* means the longest value each declaration allows, so reviewers see the longest
message that can be sent: the longest ``enum`` member; a ``string``/``url`` grown from its
example to ``max_length`` (still matching its ``pattern``); a ``phone`` of 15 digits (or its
``max_length``); the bound of an ``integer``/``number`` range that prints longest. What no
declaration bounds keeps its example, with a note that says so: a string without
``max_length``, a number without both bounds, a boolean, a date (always 10 characters).

Every value made here is checked against its declaration before use; one that does not fit
falls back to the example, so the worst-case message is one the pipeline accepts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, MsgcError
from ..variables import Problem, Variable

#: Characters tried, in order, when growing a patterned example to its max_length.
_FILLERS = ("x", "9", "X", "0", "a", "A", " ", "-", "_", ".")
#: Most candidate strings tried when growing one patterned value (each is one regex match).
_PATTERN_BUDGET = 20_000


@dataclass(slots=True)
class Values:
    """Values for every variable of a spec, and notes about the ones that could not be
    made as asked (shown next to the preview)."""

    values: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def examples(variables: Mapping[str, Variable]) -> Values:
    return Values({n: v.sample for n, v in variables.items() if v.has_example or v.has_default})


def worst_case(variables: Mapping[str, Variable]) -> Values:
    out = Values({})
    for name, var in variables.items():
        if not (var.has_example or var.has_default):
            continue
        value, note = longest(var)
        out.values[name] = value
        if note:
            out.notes.append(f"{name}: {note}")
    return out


def given(variables: Mapping[str, Variable], spec_name: str, data: Mapping[str, Any]) -> Values:
    """The user's values (``--vars``) for one spec, the rest from the examples.

    The file holds one JSON object: a key whose value is an object gives the values of the
    spec of that name; any other key is a variable value for every spec that declares it.
    """
    out = examples(variables)
    shared = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    own = data.get(spec_name)
    merged = {**shared, **(own if isinstance(own, Mapping) else {})}
    used = []
    for name, value in merged.items():
        if name in variables:
            out.values[name] = value
            used.append(name)
    missing = sorted(set(variables) - set(used))
    if missing:
        out.notes.append("from the examples: " + ", ".join(missing))
    return out


def load_vars(path: str) -> dict[str, Any]:
    """The ``--vars`` file: one JSON object (see :func:`given`)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise MsgcError([Diagnostic("io-error", f"cannot read the --vars file: {exc.strerror}",
                                    file=path)]) from None
    except (ValueError, UnicodeDecodeError) as exc:  # ValueError: also 5,000-digit numbers
        raise MsgcError([Diagnostic("vars-file", f"the --vars file is not valid JSON: {exc}",
                                    file=path)]) from None
    if not isinstance(data, dict):
        raise MsgcError([Diagnostic("vars-file", "the --vars file must hold a JSON object",
                                    file=path, hint='{"variable": "value", "spec-name": '
                                                    '{"variable": "value"}}')])
    return data


def longest(var: Variable) -> tuple[Any, str | None]:
    """The longest value ``var`` allows, or its sample and why not."""
    sample = var.sample
    if var.enum:
        candidate: Any = max(var.enum, key=lambda v: len(str(v)))
        return _checked(var, candidate, None)
    t = var.type
    if t in ("string", "url"):
        if var.max_length is None:
            return sample, "no max_length, shown with its example"
        grown = _grow(var, str(sample), var.max_length)
        note = None if len(grown) >= var.max_length else (
            f"its pattern allows no longer value than {len(grown)} characters from the example")
        return _checked(var, grown, note)
    if t == "phone":
        target = min(15, var.max_length) if var.max_length is not None else 15
        digits = "".join(c for c in str(sample) if c.isdigit())
        return _checked(var, (digits + "0" * target)[:target], None)
    if t in ("integer", "number"):
        if var.minimum is None or var.maximum is None:
            return sample, "no minimum and maximum, shown with its example"
        ends = [var.minimum, var.maximum]
        if t == "integer":
            ends = [int(e) for e in ends]
        return _checked(var, max(ends, key=lambda v: len(str(v))), None)
    if t == "date":
        return sample, None  # every date is 10 characters
    return sample, None      # a boolean has no longer value


def _checked(var: Variable, value: Any, note: str | None) -> tuple[Any, str | None]:
    try:
        var.coerce(value)
    except Problem:
        return var.sample, "no longer value fits its declaration, shown with its example"
    return value, note


def _fits(var: Variable, text: str) -> bool:
    try:
        var.coerce(text)
    except Problem:
        return False
    return True


def _grow(var: Variable, text: str, target: int) -> str:
    """``text`` lengthened to ``target`` characters while it still fits ``var``."""
    if var.pattern is None:
        filler = "x"
        if var.type == "url":  # keep it a URL: lengthen the path
            return (text + filler * target)[:target] if len(text) < target else text
        return text + filler * (target - len(text))
    if not _fits(var, text):
        return text
    budget = _PATTERN_BUDGET
    while len(text) < target and budget > 0:
        for position in range(len(text), -1, -1):
            for filler in _preferred(text, position):
                candidate = text[:position] + filler + text[position:]
                budget -= 1
                if budget <= 0:
                    return text
                if _fits(var, candidate):
                    text = candidate
                    break
            else:
                continue
            break
        else:
            return text
    return text


def _preferred(text: str, position: int) -> tuple[str, ...]:
    """Fillers to try at ``position``: the neighbouring character first (it matches the
    same part of the pattern), then the usual ones."""
    near = text[position - 1] if position > 0 else (text[0] if text else "")
    return (near, *(f for f in _FILLERS if f != near)) if near else _FILLERS
