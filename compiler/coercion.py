"""Generated value coercion for bulk rendering: one function per spec that turns a row of
values into typed values exactly as :meth:`Variable.coerce` would, for the common cases.

Rendering many recipients coerces every row; the general code walks each variable's type and
bounds through several branches. The generated function inlines, per variable, only the
checks its declaration needs: strings (type, unpaired surrogates, enum, lengths, pattern)
and integers (native or decimal text, enum, range) inline; other types call
:meth:`Variable.coerce`. It never reports: on any doubt (an unknown name, a missing value
without a default, a value that breaks a bound, a float for an integer) it returns None, and
the caller takes the general path, which explains the problem. Equivalence is tested
(tests/test_fastpath.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .variables import MAX_DIGITS, Problem, Variable

Coercer = Callable[[Mapping[str, Any]], "dict[str, Any] | None"]

_SURROGATE = re.compile("[\ud800-\udfff]").search
_INTEGER_TEXT = re.compile(r"\s*[-+]?\d{1,30}\s*").fullmatch
_MISSING = object()


def compile_coercer(variables: Mapping[str, Variable]) -> Coercer:
    """The generated coercion function for a spec's declared ``variables``."""
    g: dict[str, Any] = {"KNOWN": frozenset(variables), "MISSING": _MISSING,
                         "SURROGATE": _SURROGATE, "INTEGER_TEXT": _INTEGER_TEXT,
                         "Problem": Problem, "int": int, "str": str, "len": len}
    lines = ["def coerce(g):", " if not g.keys() <= KNOWN: return None", " out = {}"]
    add = lines.append
    for i, (name, var) in enumerate(variables.items()):
        g[f"V{i}"] = var
        add(f" x = g.get({name!r}, MISSING)")
        if var.has_default:
            try:
                g[f"D{i}"] = var.coerce(var.default)
            except Problem:
                add(" if x is MISSING: return None")
            else:
                add(" if x is MISSING:")
                add(f"  out[{name!r}] = D{i}")
                add(" else:")
        else:
            add(" if x is MISSING: return None")
        body = _string(i, var, g) if var.type == "string" else \
            _integer(i, var, g) if var.type == "integer" else [
                "try:", f" x = V{i}.coerce(x)", "except Problem:", " return None"]
        indent = "  " if var.has_default and f"D{i}" in g else " "
        lines.extend(indent + line for line in [*body, f"out[{name!r}] = x"])
    add(" return out")
    exec("\n".join(lines), g)
    coerce: Coercer = g["coerce"]
    return coerce


def _string(i: int, var: Variable, g: dict[str, Any]) -> list[str]:
    out = ["if x.__class__ is not str: return None",
           "if not x.isascii() and SURROGATE(x) is not None: return None"]
    if var.enum is not None:
        g[f"E{i}"] = var.enum
        out.append(f"if x not in E{i}: return None")
    if var.max_length is not None:
        out.append(f"if len(x) > {int(var.max_length)}: return None")
    if var.min_length is not None:
        out.append(f"if len(x) < {int(var.min_length)}: return None")
    if var._regex is not None:
        g[f"P{i}"] = var._regex.fullmatch
        out.append(f"if P{i}(x) is None: return None")
    return out


def _integer(i: int, var: Variable, g: dict[str, Any]) -> list[str]:
    out = ["if x.__class__ is int:",
           f" if x.bit_length() > {MAX_DIGITS * 3.33}: return None",
           "elif x.__class__ is str and INTEGER_TEXT(x) is not None:",
           " x = int(x)",
           "else:",
           " return None"]
    if var.enum is not None:
        g[f"E{i}"] = var.enum
        out.append(f"if x not in E{i}: return None")
    if var.minimum is not None:
        g[f"MIN{i}"] = var.minimum
        out.append(f"if x < MIN{i}: return None")
    if var.maximum is not None:
        g[f"MAX{i}"] = var.maximum
        out.append(f"if x > MAX{i}: return None")
    return out
