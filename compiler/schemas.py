"""Finding and loading msgc's JSON Schemas, and turning schema errors into findings.

The schemas live in the repository's top-level ``schemas/`` folder (shipped inside the wheel
as ``compiler/_schemas``). Validators are built once per schema and cached.

:func:`check` asks the validity gate (:mod:`compiler.gate`) first; jsonschema, the
reference, runs only to explain a document the gate rejected.

Errors are reported at the deepest path that explains them, with a stable rule id: the
``x-rule`` annotation of the failing subschema for limits, ``<prefix>-<keyword>`` otherwise.
A subschema's ``x-hint`` (a few words on what would be right) becomes the finding's hint.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from . import pointer as jp
from .diagnostics import Severity, close_matches

if TYPE_CHECKING:  # jsonschema is imported only when a document needs explaining
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator
    from referencing import Registry

_HERE = Path(__file__).resolve().parent
_CANDIDATES = (_HERE / "_schemas", _HERE.parent / "schemas")
LIMIT_KEYWORDS = frozenset({
    "maxLength", "minLength", "maxItems", "minItems", "maximum", "minimum",
    "exclusiveMaximum", "exclusiveMinimum", "pattern", "enum", "const", "minProperties",
})


def schema_dir() -> Path:
    for candidate in _CANDIDATES:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("msgc schemas folder not found (broken installation?)")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema by its file name in msgc's schemas folder, or by an absolute path (the
    schemas of a provider registered from outside msgc)."""
    with (schema_dir() / name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def registry() -> Registry:
    """Every schema in the folder, by its ``$id``, so schemas can ``$ref`` each other."""
    from referencing import Registry, Resource

    resources = []
    for path in sorted(schema_dir().glob("*.schema.json")):
        schema = load_schema(path.name)
        resources.append((schema.get("$id", path.name), Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def full_validator(name: str) -> Validator:
    """The plain jsonschema validator for a schema file (the reference semantics)."""
    # The schemas are checked against the metaschema by the test suite, not on every run:
    # check_schema costs ~0.15 s per schema, more than validating a whole tree of specs.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name), registry=registry())


@cache
def definition_validator(name: str, definition: str) -> Validator:
    """A validator for one ``$defs`` entry of a schema file (e.g. the spec's ``message``)."""
    from jsonschema import Draft202012Validator

    ref = f"{load_schema(name).get('$id', name)}#/$defs/{definition}"
    return Draft202012Validator({"$ref": ref}, registry=registry())


@cache
def validator(name: str) -> DispatchingValidator:
    """A validator for a schema file that gives exactly the errors of
    :func:`full_validator`, faster (see :class:`DispatchingValidator`)."""
    return DispatchingValidator(full_validator(name))


class DispatchingValidator:
    """Evaluates a top-level ``allOf`` of ``if {K: const V} then ... else ...`` blocks by
    looking ``K`` up once, instead of evaluating every ``if``.

    For an object instance, an ``if`` of that form holds exactly when ``instance[K] == V``
    (``required: [K]`` plus ``const``), so the errors are those of the base schema, the
    ``then`` of the matching block and the ``else`` of every other block: the same errors,
    in the same order of blocks, as the plain validator. Any other shape of schema or
    instance is handed to the plain validator.
    """

    def __init__(self, full: Validator) -> None:
        self.full = full
        self.schema = full.schema
        self._plan: tuple[str, Validator, list[tuple[Any, Any, Any]]] | None = None
        schema: Any = full.schema
        blocks = schema.get("allOf") if isinstance(schema, dict) else None
        if not blocks:
            return
        key = None
        parsed = []
        for block in blocks:
            cond = block.get("if") if isinstance(block, dict) else None
            if not _is_const_test(cond) or set(block) - {"if", "then", "else"}:
                return
            (k, prop), = cond["properties"].items()
            if key not in (None, k):
                return
            key = k
            parsed.append((prop["const"], block.get("then"), block.get("else")))
        base = {k: v for k, v in schema.items() if k != "allOf"}
        assert key is not None
        self._plan = (key, full.evolve(schema=base), parsed)
        self._branches: dict[Any, list[Validator]] = {}

    def _for(self, value: Any) -> list[Validator]:
        assert self._plan is not None
        cached = self._branches.get(value) if isinstance(value, str) else None
        if cached is not None:
            return cached
        out: list[Validator] = []
        for const, then, else_ in self._plan[2]:
            matches = value == const and type(value) is type(const)
            branch = then if matches else else_
            if branch is not None:
                out.append(self.full.evolve(schema=branch))
        if isinstance(value, str):
            self._branches[value] = out
        return out

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        if self._plan is None or not isinstance(instance, dict):
            yield from self.full.iter_errors(instance)
            return
        key, base, _ = self._plan
        yield from base.iter_errors(instance)
        branches = self._for(instance[key]) if key in instance else self._for(_MISSING)
        for v in branches:
            yield from v.iter_errors(instance)

    def is_valid(self, instance: Any) -> bool:
        return next(self.iter_errors(instance), None) is None


_MISSING = object()


def _is_const_test(cond: Any) -> TypeGuard[dict[str, Any]]:
    """``{"properties": {K: {"const": V}}, "required": [K]}``, nothing else."""
    if not isinstance(cond, dict) or set(cond) != {"properties", "required"}:
        return False
    props = cond["properties"]
    if not isinstance(props, dict) or len(props) != 1:
        return False
    (k, prop), = props.items()
    return cond["required"] == [k] and isinstance(prop, dict) and set(prop) == {"const"}


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem at a JSON pointer inside some document (a spec, a message or a payload)."""

    pointer: str
    rule: str
    message: str
    severity: Severity = Severity.ERROR
    hint: str | None = None
    keyword: str | None = None     # the JSON Schema keyword that failed, for schema findings
    limit: Any = None              # that keyword's value (e.g. the maxLength)


def schema_findings(
    v: Validator | DispatchingValidator, instance: Any, prefix: str, label: str
) -> list[Finding]:
    """All violations of ``instance`` against ``v``, deepest first, without duplicates."""
    seen: set[tuple[str, str, str]] = set()
    out: list[Finding] = []
    for error in _leaves(v.iter_errors(instance)):
        finding = _finding(error, prefix, label)
        key = (finding.pointer, finding.rule, finding.message)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    out.sort(key=lambda f: (f.pointer, f.rule))
    return out


def _leaves(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    from jsonschema.exceptions import best_match

    for error in errors:
        if error.validator in ("oneOf", "anyOf") and error.context:
            yield from _leaves(iter([best_match(_relevant(error))]))
        else:
            yield error


def _relevant(error: ValidationError) -> list[ValidationError]:
    """The errors of an ``anyOf``/``oneOf`` worth explaining: a value that is not null did
    not fail the ``{"type": "null"}`` branch of an override (``null`` removes a field) for
    any interesting reason, so that branch's complaint is left out."""
    branches = error.validator_value if isinstance(error.validator_value, list) else []
    nulls = {i for i, b in enumerate(branches) if b == {"type": "null"}}
    if error.instance is None or not nulls:
        return list(error.context or [])
    kept = [e for e in error.context or []
            if not (e.relative_schema_path and e.relative_schema_path[0] in nulls)]
    return kept or list(error.context or [])


def _field_name(pointer: str) -> str:
    """A readable dotted path: ``/messageData/carouselItems/1/label`` ->
    ``messageData.carouselItems[1].label``."""
    if not pointer:
        return "the document"
    out = ""
    for token in jp.split(pointer):
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return out


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {
        str: "a string", int: "an integer", float: "a number", dict: "an object", list: "an array",
    }.get(type(value), type(value).__name__)


def _finding(error: ValidationError, prefix: str, label: str) -> Finding:
    keyword = str(error.validator)
    schema = error.schema if isinstance(error.schema, dict) else {}
    pointer = jp.from_parts(error.absolute_path)
    name = _field_name(pointer)
    value: Any = error.instance
    limit: Any = error.validator_value
    hint = None
    rule = rule_for(schema, keyword, prefix)
    if keyword == "maxLength":
        message = f"{name} is {_count(len(value), 'character')}; {label} allows at most {_n(limit)}"
    elif keyword == "minLength":
        message = (
            f"{name} is empty; {label} requires text" if limit == 1
            else f"{name} is {_count(len(value), 'character')}; {label} requires at least "
                 f"{_n(limit)}"
        )
    elif keyword == "maxItems":
        message = f"{name} has {_count(len(value), 'item')}; {label} allows at most {_n(limit)}"
    elif keyword == "minItems":
        message = f"{name} has {_count(len(value), 'item')}; {label} requires at least {_n(limit)}"
    elif keyword in ("maximum", "exclusiveMaximum"):
        message = f"{name} is {_n(value)}; {label} allows at most {_n(limit)}"
    elif keyword in ("minimum", "exclusiveMinimum"):
        message = f"{name} is {_n(value)}; {label} requires at least {_n(limit)}"
    elif keyword == "enum":
        allowed = ", ".join(json.dumps(x, ensure_ascii=False) for x in limit)
        shown = json.dumps(value, ensure_ascii=False)
        message = f"{name} is {shown}; {label} accepts one of {allowed}"
        words = [x for x in limit if isinstance(x, str)]
        close = close_matches(value, words, n=1) if isinstance(value, str) else []
        if close:
            hint = f"did you mean {close[0]!r}?"
    elif keyword == "const":
        message = (
            f"{name} is {json.dumps(value, ensure_ascii=False)}; {label} requires "
            f"{json.dumps(limit, ensure_ascii=False)}"
        )
    elif keyword == "pattern":
        message = f"{name} {json.dumps(value, ensure_ascii=False)} has the wrong form for {label}"
    elif keyword == "type":
        expected = limit if isinstance(limit, str) else " or ".join(limit)
        message = f"{name} must be of type {expected}, not {_type_name(value)}"
    elif keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(limit)
        pointer = jp.join(pointer, missing)
        message = f"{missing} is required" + (f" in {name}" if name != "the document" else "")
    elif keyword in ("additionalProperties", "unevaluatedProperties"):
        extra = sorted(set(value) - set(schema.get("properties", {})))
        if len(extra) == 1:
            pointer = jp.join(pointer, extra[0])
            message = f"unknown field {extra[0]!r}" + (
                f" in {name}" if name != "the document" else ""
            )
        else:
            message = f"unknown fields {', '.join(map(repr, extra))} in {name}"
        known = sorted(schema.get("properties", {}))
        close = close_matches(extra[0], known, n=1) if len(extra) == 1 else []
        if close:
            hint = f"did you mean {close[0]!r}?"
        elif known:
            hint = "known fields: " + ", ".join(known)
    elif keyword == "not":
        message = f"{name} is not allowed here"
        hint = schema.get("description")
    elif keyword == "propertyNames":
        message = f"{name}: {error.message}"
    else:
        message = f"{name}: {error.message}"
    if hint is None and isinstance(schema.get("x-hint"), str):
        hint = schema["x-hint"]  # a short "what would be right"; descriptions cite documents
    return Finding(pointer=pointer, rule=rule, message=message, hint=hint, keyword=keyword,
                   limit=limit)


def _n(value: Any) -> str:
    """A number with thousands separators (``7,340,032``), anything else as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _count(n: int, noun: str) -> str:
    """``1 item``, ``2 items``, ``1,031 characters``."""
    return f"{n:,} {noun}{'s' * (n != 1)}"


def rule_for(schema: Any, keyword: str, prefix: str) -> str:
    """The rule id of a failing ``keyword`` of ``schema``: the subschema's ``x-rule`` for a
    limit, ``<prefix>-<keyword>`` for a type error or an unannotated keyword."""
    if isinstance(schema, dict) and "x-rule" in schema and keyword != "type":
        return str(schema["x-rule"])
    return f"{prefix}-{_kebab(keyword)}"


#: Keywords whose failure is reported as itself (the others only lead to subschemas).
_REPORTED = frozenset({
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "contains", "maxContains", "minContains", "maxProperties", "minProperties",
    "required", "dependentRequired", "not", "oneOf", "format",
})
#: Keywords whose value is data, not a subschema.
_DATA = frozenset({"enum", "const", "required", "examples", "default", "dependentRequired",
                   "description", "title", "$comment", "x-rule", "$id", "$schema", "type"})


def rule_ids(name: str, prefix: str, keywords: frozenset[str] | None = None) -> set[str]:
    """Every rule id that validating an instance against schema ``name`` can report (as
    :func:`schema_findings` names them), optionally only for failures of ``keywords``.

    ``if`` conditions never report; ``anyOf`` is always explained by one of its branches;
    ``oneOf`` reports itself only when two branches can both hold, which branches of
    disjoint types cannot; ``additionalProperties`` and ``unevaluatedProperties`` report
    themselves when they are ``false``.
    """
    root = load_schema(name)
    out: set[str] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        for keyword, value in node.items():
            reported = keyword in _REPORTED or (
                keyword in ("additionalProperties", "unevaluatedProperties") and value is False)
            if keyword == "oneOf" and _disjoint_types(root, value):
                reported = False
            if reported and (keywords is None or keyword in keywords):
                out.add(rule_for(node, keyword, prefix))
            if keyword in ("properties", "$defs", "patternProperties", "dependentSchemas"):
                stack.extend(value.values())
            elif keyword not in _DATA and keyword != "if":
                stack.append(value)
    return out


def _disjoint_types(root: dict[str, Any], branches: list[Any]) -> bool:
    seen: set[str] = set()
    for branch in branches:
        while isinstance(branch, dict) and "$ref" in branch and "type" not in branch:
            ref = str(branch["$ref"])
            if not ref.startswith("#/"):
                return False
            branch = jp.resolve(root, ref[1:])
        types = branch.get("type") if isinstance(branch, dict) else None
        if types is None:
            return False
        names = {types} if isinstance(types, str) else set(types)
        if "number" in names:
            names.add("integer")
        if "integer" in names:
            names.add("number")
        if names & seen:
            return False
        seen |= names
    return True


def _kebab(word: str) -> str:
    out = []
    for ch in word:
        if ch.isupper():
            out.append("-" + ch.lower())
        else:
            out.append(ch)
    return "".join(out)
