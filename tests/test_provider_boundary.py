"""Provider knowledge stays inside compiler/providers/: no other module names a provider or
one of its fields.

Read from the code (not from prose): string constants that are not docstrings, and
identifiers (names, attributes, parameters, functions, classes, keywords). Forbidden are a
provider's name and label, the vendors behind them, and every fact a provider declares:
envelope payload keys, settings, options and environment variables, credential names, base
URL variables, endpoints, secret headers, callback paths, and the field names of its payload
and target schemas that the neutral spec format does not share. Help texts, docstrings and
comments may mention providers; schemas, templates and tests may name them freely.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compiler import providers
from compiler.schemas import load_schema
from compiler.spec import SPEC_SCHEMA

ROOT = Path(__file__).resolve().parents[1] / "compiler"
#: The companies behind the providers (their names are provider knowledge too).
VENDORS = {"nxcloud", "itnio"}
#: Words of a provider's schemas that msgc also uses in its own, neutral sense.
GENERIC = {
    "action", "body", "label", "link", "context", "state", "prefix", "suffix", "zip",
    "parameters", "reply", "email", "emails", "phones", "urls", "city", "country", "street",
    "company", "department", "org", "birthday", "caption", "cards", "interactive",
    "first_name", "last_name", "middle_name", "country_code", "addresses",
    # msgc's own recipients files have a `phone` column (README, "Sending"): a neutral name
    # that Viber's payload happens to share.
    "phone",
}


def _properties(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("properties", "patternProperties") and isinstance(value, dict):
                out.update(value)
            _properties(value, out)
        if isinstance(node.get("required"), list):
            out.update(x for x in node["required"] if isinstance(x, str))
    elif isinstance(node, list):
        for value in node:
            _properties(value, out)


def forbidden() -> tuple[set[str], set[str]]:
    """(exact strings, identifier words) that only a provider's own code may use."""
    spec_fields: set[str] = set()
    _properties(load_schema(SPEC_SCHEMA), spec_fields)
    strings: set[str] = set()
    words = set(VENDORS)
    for p in providers.registry().values():
        words |= {p.name.lower(), p.label.lower()}
        strings |= {p.name, p.label}
        fields: set[str] = set()
        _properties(load_schema(p.payload_schema), fields)
        _properties(load_schema(p.target_schema), fields)
        strings |= fields - spec_fields - GENERIC
        for f in p.envelope:
            strings |= {f.payload_key, f.option} | {x for x in (f.setting, f.env) if x}
        strings |= set(p.credential_names) | set(p.secret_headers)
        strings |= {x for x in (p.base_url_env, p.endpoint_path, p.default_base_url,
                                p.session_account) if x}
        if p.callbacks is not None:
            strings.add(p.callbacks.path)
    strings -= GENERIC | {"--to"}   # --to is the recipient option of every provider
    return strings, words


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _identifiers(node: ast.AST) -> Iterator[tuple[str, int]]:
    line = getattr(node, "lineno", 0)
    if isinstance(node, ast.Name):
        yield node.id, line
    elif isinstance(node, ast.Attribute):
        yield node.attr, line
    elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
        yield node.arg, line
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name, line
    elif isinstance(node, ast.alias):
        yield (node.asname or node.name).rsplit(".", 1)[-1], line


def _words(identifier: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", identifier)
    return {w.lower() for w in re.split(r"[_\s]+", spaced) if w}


def violations() -> list[str]:
    strings, words = forbidden()
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent)
        if rel.parts[1] == "providers":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docs and node.value in strings:
                out.append(f"{rel}:{node.lineno}: the string {node.value!r}")
            for name, line in _identifiers(node):
                hit = _words(name) & words
                if hit:
                    out.append(f"{rel}:{line}: the identifier {name!r} ({', '.join(hit)})")
    return out


def test_no_code_outside_the_provider_folders_names_a_provider_or_its_fields() -> None:
    found = violations()
    assert not found, "provider knowledge outside compiler/providers/:\n" + "\n".join(found)


def test_the_check_would_see_a_violation(tmp_path: Path) -> None:
    """The scan itself: a provider's name as an identifier, a payload key as a dict key, an
    option name and an environment variable as strings are all found."""
    strings, words = forbidden()
    assert {"viber", "whatsapp", "nxcloud", "itnio"} <= words
    assert {"appkey", "appId", "businessPhone", "messageData", "--app-id", "NXCLOUD_APPKEY",
            "ITNIO_API_SECRET", "/api/viber/mt", "MSGC_ITNIO_BASE_URL"} <= strings
    sample = 'def viber_only(x):\n    """Docstrings may say viber."""\n    return {"appId": x}\n'
    tree = ast.parse(sample)
    docs = _docstrings(tree)
    names = {n for node in ast.walk(tree) for n, _ in _identifiers(node)}
    assert "viber_only" in names and _words("viber_only") & words
    consts = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
              and id(node) not in docs}
    assert consts & strings == {"appId"}
