"""The validity gate: does a document satisfy one of msgc's JSON Schemas? Yes or no, fast.

Validating is split in two. The *gate* only decides accept/reject, with a compiled validator
(jsonschema-rs, 50-160 times faster than jsonschema on msgc's schemas). Only a document the
gate rejects goes to the *reference*, jsonschema (:mod:`compiler.schemas`), which explains
it: every finding's message, JSON pointer and rule id come from there, as before. A
document the gate rejects but the reference accepts is accepted, so the verdict is always
the reference's provided the gate is never more permissive; the differential tests in
``tests/test_gate.py`` check that it is not, and that both agree, on the payload corpus, the
bundled templates and generated documents.

Where jsonschema-rs cannot be imported (no wheel for the platform), or when the environment
sets ``MSGC_PURE_PYTHON_VALIDATOR=1``, the gate is the reference validator itself: slower,
same verdicts. The tests run both ways.

Regular expressions: JSON Schema's ``pattern`` is ECMA-262, which jsonschema-rs follows;
jsonschema uses Python's ``re``, which differs (``$`` also matches before a final newline,
``\\d`` and ``\\w`` match non-ASCII digits and letters). msgc's schemas only use patterns
that mean the same in both (``(?!\\n)$`` for an end anchor, ``[0-9]`` for a digit), and a
test keeps it so.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any

from .schemas import Finding, load_schema, schema_dir, schema_findings, validator

#: Environment variable that forces the pure-Python gate (for tests and for debugging).
PURE_PYTHON_ENV = "MSGC_PURE_PYTHON_VALIDATOR"

Gate = Callable[[Any], bool]


@cache
def backend() -> str:
    """``"jsonschema-rs"`` or ``"jsonschema"`` (the pure-Python reference)."""
    if os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0"):
        return "jsonschema"
    try:
        import jsonschema_rs  # noqa: F401
    except ImportError:
        return "jsonschema"
    return "jsonschema-rs"


@cache
def gate(name: str) -> Gate:
    """The accept/reject function of the schema file ``name``."""
    if backend() == "jsonschema-rs":
        return _compiled(name)
    return validator(name).is_valid


def accepts(name: str, instance: Any) -> bool:
    """Whether ``instance`` satisfies schema ``name`` (the reference's verdict when the gate
    rejects is for :func:`check` to give)."""
    return gate(name)(instance)


def check(name: str, instance: Any, prefix: str, label: str) -> list[Finding]:
    """Every violation of ``instance`` against the schema file ``name``: none when the gate
    accepts it, else the reference's explanation (:func:`compiler.schemas.schema_findings`)."""
    if gate(name)(instance):
        return []
    return schema_findings(validator(name), instance, prefix, label)


@cache
def _registry() -> Any:
    import jsonschema_rs

    resources = []
    for path in sorted(schema_dir().glob("*.schema.json")):
        schema = load_schema(path.name)
        resources.append((schema.get("$id", path.name), schema))
    return jsonschema_rs.Registry(resources)


def _compiled(name: str) -> Gate:
    import jsonschema_rs

    is_valid = jsonschema_rs.Draft202012Validator(load_schema(name), registry=_registry(),
                                                  validate_formats=False).is_valid

    def compiled_gate(instance: Any) -> bool:
        try:
            return is_valid(instance)
        except (ValueError, TypeError, OverflowError):
            # Not representable as JSON for the compiled validator (a lone surrogate, a
            # tuple, a non-string key, ...): reject, and let the reference decide.
            return False

    return compiled_gate
