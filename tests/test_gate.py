"""The validity gate agrees with jsonschema, the reference (differential tests).

The gate (compiler.gate) decides accept/reject with jsonschema-rs; jsonschema only explains
rejected documents. That is sound only if the gate is never more permissive than jsonschema,
so for every document tried here: gate accepts <=> jsonschema reports no error. Documents
come from the payload corpus of tests/test_payload_schemas.py (every documented limit at N
and N+1), the bundled templates (spec, target settings, every payload, every worst-case
padded payload), and hypothesis (random JSON spliced into corpus payloads and specs).

The pure-Python gate (jsonschema-rs missing, or MSGC_PURE_PYTHON_VALIDATOR=1) is tested too.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from test_payload_schemas import BASES, MULTI_ERROR_CASES, VIBER_CASES, WHATSAPP_CASES, mutate

from compiler import gate as gate_module
from compiler.gate import backend, check, gate
from compiler.pipeline import Plan
from compiler.providers.base import LoweringError
from compiler.schemas import full_validator, load_schema, schema_dir
from compiler.source import load_file
from compiler.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_NAMES = sorted(p.name for p in schema_dir().glob("*.schema.json"))
PAYLOAD_SCHEMA = {"viber": "viber.payload.schema.json", "whatsapp": "whatsapp.payload.schema.json"}


def reference_accepts(name: str, document: Any) -> bool:
    return next(iter(full_validator(name).iter_errors(document)), None) is None


def assert_agree(name: str, document: Any) -> None:
    expected = reference_accepts(name, document)
    if currently_in_test_context():
        event("accepted" if expected else "rejected")
    assert gate(name)(document) == expected, (name, expected, document)


def test_the_compiled_gate_is_in_use() -> None:
    """jsonschema-rs is a declared dependency: the suite must exercise it (the pure-Python
    gate has its own tests below)."""
    assert backend() == "jsonschema-rs"


# -- the payload corpus ---------------------------------------------------------------------

def corpus() -> Iterator[Any]:
    for provider, cases in (("viber", VIBER_CASES), ("whatsapp", WHATSAPP_CASES)):
        for case in cases:
            yield pytest.param(provider, mutate(BASES[provider][case.base], case.changes),
                               id=case.id)
    for provider, base, changes, _ in MULTI_ERROR_CASES:
        yield pytest.param(provider, mutate(BASES[provider][base], changes),
                           id=f"multi:{provider}:{base}")
    for provider in PAYLOAD_SCHEMA:
        for body in ([], "text", None, 0, {}, 1.5, True):
            yield pytest.param(provider, body, id=f"{provider}:{body!r}")


@pytest.mark.parametrize(("provider", "payload"), list(corpus()))
def test_gate_agrees_on_the_payload_corpus(provider: str, payload: Any) -> None:
    assert_agree(PAYLOAD_SCHEMA[provider], payload)


# -- the bundled templates --------------------------------------------------------------------

def bundled_specs() -> list[Path]:
    return sorted(p for p in (ROOT / "templates").rglob("*.yaml"))


@pytest.mark.parametrize("path", bundled_specs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_gate_agrees_on_the_bundled_templates(path: Path) -> None:
    from compiler.analysis import UNBOUNDED_PAD, bound_template, pad
    from compiler.templating import parse_template

    data = load_file(path).data
    assert_agree("spec.schema.json", data)
    spec = load_spec(path)
    for provider in spec.providers:
        plan_settings = spec.settings(provider)
        assert_agree(f"{provider}.target.schema.json", plan_settings)
        for locale in (None, *spec.locales):
            plan = Plan(spec, provider, locale)
            envelope = {f.payload_key: f.placeholder for f in plan.provider.envelope}
            message = plan.tree.render(plan.values({}, samples=True))
            payload = plan.provider.lower(message, plan.settings, envelope).payload
            assert_agree(PAYLOAD_SCHEMA[provider], payload)
            # The worst case: every template leaf padded to its bound (or far beyond).
            bounds = {ptr: bound_template(parse_template(leaf.source)[0], spec.variables)
                      for ptr, leaf in plan.tree.leaves.items()}
            padded = message
            for ptr, bound in bounds.items():
                target = bound.chars if bound.chars is not None else UNBOUNDED_PAD
                padded = _replace(padded, ptr, pad(_get(message, ptr), target))
            try:
                lowered = plan.provider.lower(padded, plan.settings, envelope).payload
            except LoweringError:  # padding may break lowering: nothing to compare
                continue
            assert_agree(PAYLOAD_SCHEMA[provider], lowered)


def _get(tree: Any, ptr: str) -> Any:
    for token in ptr.split("/")[1:]:
        tree = tree[int(token)] if isinstance(tree, list) else tree[token]
    return tree


def _replace(tree: Any, ptr: str, value: Any) -> Any:
    tokens = ptr.split("/")[1:]
    if not tokens:
        return value
    head, rest = tokens[0], "/" + "/".join(tokens[1:]) if len(tokens) > 1 else ""
    if isinstance(tree, list):
        out_list = list(tree)
        out_list[int(head)] = _replace(tree[int(head)], rest, value)
        return out_list
    out = dict(tree)
    out[head] = _replace(tree[head], rest, value)
    return out


# -- generated documents ----------------------------------------------------------------------

# Scalars chosen to sit on the schemas' edges: digits with a final newline, non-ASCII digits,
# URLs, lengths around the limits, integral floats, huge integers, booleans for numbers.
EDGE_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "\n", "7900123456", "7900123456\n", "٧٩٠٠١٢٣٤٥٦", "https://x.io/a",
                     "https://x.io/a\n", "ftp://x", "Promotional", "Transactional", "text",
                     "interactive", "cta_url", "2024-01-31", "2024-01-31\n", "-12.5", "pdf",
                     "😀" * 13, "x" * 1001, "ж" * 1025, "a\ud800"]),
    st.integers(0, 1100).map(lambda n: "x" * n),
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-2, 2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.just(1.0),
                    EDGE_TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(EDGE_TEXT.filter(lambda s: "\ud800" not in s),
                                                 inner, max_size=4)), max_leaves=12)


def paths_of(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths_of(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths_of(v, (*path, i))


def splice(document: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, list):
        out_list = list(document)
        if delete and not rest:
            del out_list[head]
        else:
            out_list[head] = splice(document[head], rest, value, delete)
        return out_list
    out = dict(document)
    if delete and not rest:
        del out[head]
    else:
        out[head] = splice(document.get(head), rest, value, delete)
    return out


def corpus_documents() -> list[tuple[str, Any]]:
    docs: list[tuple[str, Any]] = []
    for provider, bases in BASES.items():
        docs += [(PAYLOAD_SCHEMA[provider], b) for b in bases.values()]
    for path in bundled_specs():
        docs.append(("spec.schema.json", load_file(path).data))
    return docs


DOCUMENTS = corpus_documents()


@st.composite
def mutated(draw: Any) -> tuple[str, Any]:
    name, document = draw(st.sampled_from(DOCUMENTS))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(paths_of(document))
        path = draw(st.sampled_from(paths))
        delete = bool(path) and draw(st.booleans()) and draw(st.booleans())
        if draw(st.booleans()) and isinstance(_at(document, path), dict):
            # add a key (known or unknown) to an object
            key = draw(st.sampled_from(["extra", "text", "type", "url", "title", "rateType",
                                        "appkey", "name", "buttons", "message"]))
            path = (*path, key)
            document = splice(document, path, draw(JSON), False) if key not in \
                _at(document, path[:-1]) else document
            continue
        document = splice(document, path, draw(JSON), delete)
    return name, document


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for token in path:
        document = document[token]
    return document


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_gate_agrees_on_generated_documents(case: tuple[str, Any]) -> None:
    name, document = case
    assert_agree(name, document)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SCHEMA_NAMES), JSON)
def test_gate_agrees_on_arbitrary_json(name: str, document: Any) -> None:
    assert_agree(name, document)


# -- the schemas stay dialect-neutral -------------------------------------------------------

# Escapes and anchors whose meaning differs between ECMA-262 (JSON Schema, jsonschema-rs) and
# Python's re (jsonschema): \d \w \s \b are Unicode-aware in Python; $ matches before a final
# newline in Python; \Z, \A and (?P...) are not ECMA.
_DIALECT_SPECIFIC = re.compile(r"\\[dDwWsSbBAZz]|\(\?P|(?<!\(\?!\\n\))\$")


def _patterns(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "pattern" and isinstance(v, str):
                yield where, v
            yield from _patterns(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _patterns(v, f"{where}/{i}")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_patterns_mean_the_same_in_python_and_ecma(name: str) -> None:
    for where, pattern in _patterns(load_schema(name)):
        assert not _DIALECT_SPECIFIC.search(pattern), (name, where, pattern)


def test_patterns_reject_a_final_newline_in_both_dialects() -> None:
    """The regression behind the rule above: Python's ``$`` accepted "abc\\n" as a name."""
    assert check("spec.schema.json", {"name": "abc\n", "message": {"text": "x"},
                                      "targets": {"whatsapp": {}}}, "spec", "a message spec")
    assert not gate("spec.schema.json")({"name": "abc\n", "message": {"text": "x"},
                                         "targets": {"whatsapp": {}}})


# -- when the gate cannot decide, and the pure-Python gate -----------------------------------

@pytest.mark.parametrize("document", [
    {"appkey": "a\ud800"}, {"phone": 10**400}, float("nan"), {"text": ["a", ("b",)]},
])
def test_documents_jsonschema_rs_cannot_read_go_to_the_reference(document: Any) -> None:
    from compiler.schemas import schema_findings, validator

    name = PAYLOAD_SCHEMA["viber"]
    assert gate(name)(document) is False
    assert check(name, document, "viber", "Viber") == \
        schema_findings(validator(name), document, "viber", "Viber")


@pytest.fixture
def pure_python(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The gate as it is where jsonschema-rs cannot be imported."""
    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)  # import raises ImportError
    backend.cache_clear()
    gate.cache_clear()
    yield
    monkeypatch.undo()
    backend.cache_clear()
    gate.cache_clear()


def test_without_jsonschema_rs_the_reference_is_the_gate(pure_python: None) -> None:
    assert backend() == "jsonschema"
    for provider, bases in BASES.items():
        for base in bases.values():
            assert gate(PAYLOAD_SCHEMA[provider])(base)
            assert gate(PAYLOAD_SCHEMA[provider])({**base, "extra": 1}) is False


def test_the_environment_can_force_the_pure_python_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(gate_module.PURE_PYTHON_ENV, "1")
    backend.cache_clear()
    gate.cache_clear()
    try:
        assert backend() == "jsonschema"
    finally:
        monkeypatch.delenv(gate_module.PURE_PYTHON_ENV)
        backend.cache_clear()
        gate.cache_clear()
    assert backend() == "jsonschema-rs"


@settings(max_examples=100, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated())
def test_pure_python_gate_agrees_on_generated_documents(pure_python: None,
                                                         case: tuple[str, Any]) -> None:
    name, document = case
    assert_agree(name, document)
