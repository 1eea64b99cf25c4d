"""Finding the rule ids msgc's code can report, by reading its source (for the catalog tests).

A rule id reaches a finding through a function or class that takes a parameter named
``rule`` (or ``rule_id``): ``Diagnostic(rule, ...)``, ``Finding(pointer, rule, ...)``,
``doc.diagnostic(pointer, rule, ...)``, ``trace.error(pointer, rule, ...)``, a module's own
``_usage(rule, ...)``. The scan first collects every such signature in ``compiler/`` (the
position of the parameter, its default), then reads the rule argument of every call to one
of them, and of every ``rule=`` keyword. That argument is a string literal, a name bound to
one (in the module or imported from another), a value passed through from an earlier
finding, or an f-string (reported as *dynamic*). Module-level names containing ``RULE`` that
hold strings, or collections or mappings of strings, are rule ids too (``RULE_IO =
"io-error"``, ``USAGE_RULES = frozenset({...})``, ``_UNSUPPORTED_RULES = {...}``), and so
is a finding printed as text, which ends in ``[rule-id]``.
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
_RULE_PARAMETERS = ("rule", "rule_id")


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


#: Signatures whose ``rule`` is not a finding's: a send answer's case of the retry table.
NOT_FINDINGS = frozenset({"SendOutcome", "finish"})


@dataclass
class _Callables:
    """Where the rule parameter of each callable is: functions and classes by module (a
    call by name resolves in its module, or through an import), methods by name."""

    functions: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    methods: dict[str, set[int]] = field(default_factory=dict)


def _rule_positions(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> set[int]:
    positional = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    if method and positional:
        positional = positional[1:]
    return {i for i, param in enumerate(positional) if param in _RULE_PARAMETERS}


def _signatures(module: str, tree: ast.Module, callables: _Callables, scan: Scan,
                where: str) -> None:
    """Record every function, method and class with a rule parameter, and the rule ids
    given as that parameter's default."""
    own = callables.functions.setdefault(module, {})
    methods = {id(n) for c in ast.walk(tree) if isinstance(c, ast.ClassDef) for n in c.body}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            for param, default in (*zip(reversed(args.args), reversed(args.defaults),
                                        strict=False),
                                   *zip(args.kwonlyargs, args.kw_defaults, strict=True)):
                if param.arg in _RULE_PARAMETERS and isinstance(default, ast.Constant) \
                        and isinstance(default.value, str):
                    scan.add(default.value, f"{where}:{default.lineno}")
            if node.name == "__init__" or node.name in NOT_FINDINGS:
                continue
            positions = _rule_positions(node, id(node) in methods)
            if positions:
                table = callables.methods if id(node) in methods else own
                table.setdefault(node.name, set()).update(positions)
        elif isinstance(node, ast.ClassDef) and node.name not in NOT_FINDINGS:
            init = next((n for n in node.body if isinstance(n, ast.FunctionDef)
                         and n.name == "__init__"), None)
            if init is not None:
                positions = _rule_positions(init, True)
            else:  # a dataclass: its annotated fields, in order
                fields = [n.target.id for n in node.body if isinstance(n, ast.AnnAssign)
                          and isinstance(n.target, ast.Name)]
                positions = {i for i, f in enumerate(fields) if f in _RULE_PARAMETERS}
            if positions:
                own.setdefault(node.name, set()).update(positions)


def scan(root: Path) -> Scan:
    modules = {}
    for path in sorted(root.rglob("*.py")):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        modules[name] = (path, ast.parse(path.read_text("utf-8")))
    constants = {m: _constants(t) for m, (_, t) in modules.items()}
    imports = {m: _imports(t, m) for m, (_, t) in modules.items()}
    result = Scan()
    callables = _Callables()
    for module, (path, tree) in modules.items():
        _signatures(module, tree, callables, result, str(path.relative_to(root.parent)))

    def positions_of(module: str, call: ast.Call) -> set[int]:
        if isinstance(call.func, ast.Attribute):
            return callables.methods.get(call.func.attr, set())
        if not isinstance(call.func, ast.Name):
            return set()
        name, seen = call.func.id, 0
        while seen < 5:
            found = callables.functions.get(module, {}).get(name)
            if found is not None:
                return found
            imported = imports.get(module, {}).get(name)
            if imported is None:
                return set()
            module, name = imported
            seen += 1
        return set()

    def resolve(module: str, name: str, seen: int = 0) -> object:
        if name in constants.get(module, {}):
            return constants[module][name]
        imported = imports.get(module, {}).get(name)
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
            for arg in _alternatives(_rule_arguments(node, positions_of(module, node))):
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


def _rule_arguments(node: ast.Call, positions: set[int]) -> Iterator[ast.expr]:
    for keyword in node.keywords:
        if keyword.arg in _RULE_PARAMETERS:
            yield keyword.value
    for position in sorted(positions):
        if len(node.args) > position and not any(isinstance(a, ast.Starred)
                                                 for a in node.args[:position + 1]):
            yield node.args[position]
