"""Finding the rule ids msgc's code can report, by reading its source (for the catalog tests).

A rule id reaches a diagnostic through one of a few constructors: ``Diagnostic(rule, ...)``,
``Finding(pointer, rule, ...)``, ``RenderProblem(pointer, rule, ...)``,
``doc.diagnostic(pointer, rule, ...)``, ``trace.error(pointer, rule, ...)``,
``builder.fail(event, rule, ...)``, a reader's ``_error(rule, ...)``, or any ``rule=``
keyword. At each, the rule argument is a string literal, a name bound to one (in the module
or imported from another), a value passed through from an earlier finding, or an f-string.
A finding printed as text ends in ``[rule-id]``.
Module-level names containing ``RULE`` that hold strings, or collections or mappings of
strings, are rule ids too (``RULE_IO = "io-error"``, ``USAGE_RULES = frozenset({...})``,
``_UNSUPPORTED_RULES = {"location": "viber-unsupported-location", ...}``).
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: The end of a finding printed as text: ``... [rule-id]``.
_PRINTED = re.compile(r"\[([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\]$")
#: constructor name -> position of its rule argument
POSITIONS = {"Diagnostic": 0, "Finding": 1, "RenderProblem": 1, "diagnostic": 1, "error": 1,
             "_error": 0, "_diag": 1, "Recipient": 7}


@dataclass
class Scan:
    literals: dict[str, list[str]] = field(default_factory=dict)   # id -> where
    dynamic: list[tuple[str, str]] = field(default_factory=list)   # (where, source text)

    def add(self, rule: str, where: str) -> None:
        self.literals.setdefault(rule, []).append(where)


def _constants(tree: ast.Module) -> dict[str, object]:
    out: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            for target in targets:
                if isinstance(target, ast.Name) and value is not None:
                    try:
                        out[target.id] = ast.literal_eval(value)
                    except ValueError:
                        if isinstance(value, ast.Call) and value.args:  # frozenset({...})
                            with contextlib.suppress(ValueError):
                                out[target.id] = ast.literal_eval(value.args[0])
    return out


def _imports(tree: ast.Module, module: str) -> dict[str, tuple[str, str]]:
    """name -> (module, name) for ``from .x import NAME`` inside package ``compiler``."""
    out = {}
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            target = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                out[alias.asname or alias.name] = (target, alias.name)
    return out


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def scan(root: Path) -> Scan:
    modules = {}
    for path in sorted(root.rglob("*.py")):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        modules[name] = (path, ast.parse(path.read_text("utf-8")))
    constants = {m: _constants(t) for m, (_, t) in modules.items()}
    result = Scan()

    def resolve(module: str, name: str, seen: int = 0) -> object:
        if name in constants.get(module, {}):
            return constants[module][name]
        imported = _imports(modules[module][1], module).get(name) if module in modules else None
        if imported and seen < 5:
            return resolve(imported[0], imported[1], seen + 1)
        return None

    for module, (path, tree) in modules.items():
        if module.startswith("compiler.catalog"):
            continue  # the catalog itself names every rule
        rel = path.relative_to(root.parent)
        for name, value in constants[module].items():
            if "RULE" in name.upper():
                if isinstance(value, dict):
                    value = list(value.values())
                for item in (value if isinstance(value, (set, frozenset, tuple, list))
                             else [value]):
                    if isinstance(item, str):
                        result.add(item, f"{rel} {name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                printed = _PRINTED.search(node.value)  # a finding printed as text
                if printed:
                    result.add(printed.group(1), f"{rel}:{node.lineno}")
            if not isinstance(node, ast.Call):
                continue
            for arg in _alternatives(_rule_arguments(node)):
                where = f"{rel}:{arg.lineno}"
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    result.add(arg.value, where)
                elif isinstance(arg, ast.Name):
                    value = resolve(module, arg.id)
                    if isinstance(value, str):
                        result.add(value, where)
                elif isinstance(arg, ast.JoinedStr):
                    result.dynamic.append((where, ast.unparse(arg)))
    return result


def _alternatives(args: Iterator[ast.expr]) -> Iterator[ast.expr]:
    """``a or "x"`` and ``"x" if c else "y"`` give each of their values."""
    for arg in args:
        if isinstance(arg, ast.BoolOp):
            yield from _alternatives(iter(arg.values))
        elif isinstance(arg, ast.IfExp):
            yield from _alternatives(iter([arg.body, arg.orelse]))
        else:
            yield arg


def _rule_arguments(node: ast.Call) -> Iterator[ast.expr]:
    for keyword in node.keywords:
        if keyword.arg == "rule":
            yield keyword.value
    callee = _callee(node)
    position = POSITIONS.get(callee or "")
    if callee == "fail" and isinstance(node.func, ast.Attribute) and len(node.args) >= 3:
        position = 1  # the YAML builder's self.fail(event, rule, message)
    if position is not None and len(node.args) > position:
        yield node.args[position]
