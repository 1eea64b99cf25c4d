"""The fast path is exactly as strict as full validation (differential property tests).

For random specs across the message vocabulary and random variable values, the fast path
(`FastPlan.render`) and the reference ("render, lower, then validate the whole payload with
the JSON Schema": `Plan.render_slow`) must accept and reject the same inputs and, when they
accept, produce identical payloads and identical bytes. The dispatching schema validator is
likewise compared with plain jsonschema.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from compiler.diagnostics import MsgcError
from compiler.fastpath import FastPlan, Unsupported
from compiler.pipeline import Plan
from compiler.sandbox import compiled as _jinja
from compiler.schemas import full_validator, validator
from compiler.spec import load_spec, load_spec_text
from compiler.templating import compile_template

ROOT = Path(__file__).resolve().parent.parent

# Text that stresses JSON escaping, code-point counting and Jinja (never re-parsed).
TEXT = st.text(
    alphabet=st.sampled_from([*list("ab z0\"'\\{}%#\n\t"), "ж", "😀", "\u2028", "\x00", "é"]),
    min_size=0, max_size=40,
)
LONG = st.integers(min_value=0, max_value=1100).map(lambda n: "ж" * n)
VALUE = st.one_of(TEXT, LONG, st.sampled_from(["{{ 7*7 }}", "{% raw %}", "https://x.io/a", "x"]))


def leaf(draw: Any, names: list[str]) -> str:
    """A string leaf: literal, or a template over the variables."""
    kind = draw(st.sampled_from(["literal", "var", "mixed", "filter", "cond", "jinja"]))
    if kind == "literal":
        return draw(st.text(alphabet="abc ", min_size=1, max_size=12))
    name = draw(st.sampled_from(names))
    if kind == "var":
        return f"{{{{ {name} }}}}"
    if kind == "filter":
        return f"{{{{ {name} | {draw(st.sampled_from(['upper', 'lower', 'trim', 'title']))} }}}}!"
    if kind == "cond":
        return f"{{{{ 'one' if {name} == 'x' else {name} }}}} day"
    if kind == "jinja":  # not in the fast subset: rendered by Jinja inside the fast path
        return f"{{% if {name} %}}[{{{{ {name} }}}}]{{% endif %}}"
    return f"Hi {{{{ {name} }}}}, {draw(st.text(alphabet='xyz ', max_size=8))}"


@st.composite
def specs(draw: Any) -> tuple[str, dict[str, Any]]:
    names = ["a", "b", "c"]
    variables = {n: {"type": "string", "example": "x"} for n in names}
    url = "https://cdn.example.com/{{ a }}.jpg" if draw(st.booleans()) else "https://e.x/i.jpg"
    shape = draw(st.sampled_from([
        "text", "text_image", "text_image_button", "image", "video_text", "list", "carousel",
        "buttons", "menu", "document", "request_location", "text_reply",
    ]))
    message: dict[str, Any] = {}
    targets: dict[str, Any] = {}
    if shape in ("text", "text_image", "text_image_button", "text_reply"):
        message["text"] = leaf(draw, names)
        if shape != "text_reply":
            targets["viber"] = {"rate_type": "Promotional"}
        if shape in ("text", "text_image", "text_reply"):
            targets["whatsapp"] = {}
        if shape != "text" and shape != "text_reply":
            message["image"] = url
        if shape == "text_image_button":
            message["buttons"] = [{"title": leaf(draw, names), "url": url}]
        if shape == "text_reply":
            message["reply_to"] = leaf(draw, names)
    elif shape == "image":
        message["image"] = url
        targets = {"viber": {"rate_type": "Session"}, "whatsapp": {}}
    elif shape == "video_text":
        message["text"] = leaf(draw, names)
        message["video"] = {"url": url, "thumbnail": url, "size": 1000, "duration": 10}
        targets = {"viber": {}}
    elif shape == "list":
        message["text"] = leaf(draw, names)
        n = draw(st.integers(min_value=1, max_value=6))
        message["choices"] = [leaf(draw, names) for _ in range(n)]
        targets = {"viber": {}, "whatsapp": {"list_button": "Pick"}}
    elif shape == "carousel":
        message["text"] = leaf(draw, names)
        n = draw(st.integers(min_value=1, max_value=3))
        message["carousel"] = [
            {"title": leaf(draw, names), "image": url,
             "buttons": [{"title": leaf(draw, names), "url": url}]}
            for _ in range(n)
        ]
        targets = {"viber": {}, "whatsapp": {}}
    elif shape == "buttons":
        message["text"] = leaf(draw, names)
        n = draw(st.integers(min_value=1, max_value=4))
        message["buttons"] = [{"title": leaf(draw, names), "id": leaf(draw, names)}
                              for _ in range(n)]
        targets = {"whatsapp": {}}
    elif shape == "menu":
        message["text"] = leaf(draw, names)
        message["menu"] = {"button": leaf(draw, names), "sections": [
            {"title": leaf(draw, names),
             "rows": [{"id": leaf(draw, names), "title": leaf(draw, names)}
                      for _ in range(draw(st.integers(min_value=1, max_value=6)))]}
            for _ in range(draw(st.integers(min_value=1, max_value=2)))
        ]}
        targets = {"whatsapp": {}}
    elif shape == "document":
        message["document"] = {"url": url, "filename": "report.pdf"}
        message["text"] = leaf(draw, names)
        targets = {"whatsapp": {}}
    else:
        message["text"] = leaf(draw, names)
        message["request_location"] = True
        targets = {"whatsapp": {}}
    spec = {"variables": variables, "message": message, "targets": targets}
    values = {n: draw(VALUE) for n in names}
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), values


def envelope_for(plan: Plan, phone: str) -> dict[str, str]:
    return {f.payload_key: phone if f.is_recipient else f.placeholder
            for f in plan.provider.envelope}


def reference(plan: Plan, values: dict[str, Any], env: dict[str, str]) -> Any:
    try:
        out = plan.render_slow(values, env)
    except MsgcError:
        return None
    return out.payload, out.body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.sampled_from(["79001234567", "123", "12345678901234567", "7900123456x"]))
def test_fast_path_agrees_with_full_validation(case: tuple[str, dict[str, Any]],
                                               phone: str) -> None:
    text, values = case
    spec = load_spec_text(text, "fuzz.yaml")
    for provider in spec.providers:
        plan = Plan(spec, provider)
        env = envelope_for(plan, phone)
        try:
            fast = FastPlan(plan.provider, plan.message, plan.tree.leaves, plan.settings,
                            [f.payload_key for f in plan.provider.envelope])
        except Unsupported as exc:
            event(f"no fast path: {exc}")
            continue
        event("fast path built")
        expected = reference(plan, values, env)
        got = fast.render(values, env)
        assert (got is None) == (expected is None), (provider, values, expected, got)
        if got is not None:
            assert (got[0]() if callable(got[0]) else got[0]) == expected[0]
            assert got[1] == expected[1]
        # and the public entry point (fast after the first render) gives the same answer
        plan.render_slow(values, env) if expected is not None else None
        for _ in range(2):
            try:
                result = plan.render(values, env)
            except MsgcError:
                assert expected is None
            else:
                assert expected is not None and result.body == expected[1]


def realistic_specs() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.yaml"))


@pytest.mark.parametrize("path", realistic_specs(),
                         ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_realistic_specs_get_a_fast_path(path: Path) -> None:
    """The fast path is not vacuous: every realistic spec's plans build one."""
    spec = load_spec(path)
    for provider in spec.providers:
        for locale in (None, *spec.locales):
            plan = Plan(spec, provider, locale)
            assert plan._fast_plan() is not None, (provider, locale, plan.fast_unsupported)


@given(specs())
@settings(max_examples=100, deadline=None)
def test_dispatching_validator_gives_the_plain_validators_errors(
        case: tuple[str, dict[str, Any]]) -> None:
    text, values = case
    spec = load_spec_text(text, "fuzz.yaml")
    for provider in spec.providers:
        plan = Plan(spec, provider)
        try:
            lowered = plan.provider.lower(plan.tree.render(values), plan.settings,
                                          envelope_for(plan, "1234"))
        except Exception:
            assume(False)
            return
        name = plan.provider.payload_schema
        plain = [(list(e.absolute_path), e.message) for e in
                 full_validator(name).iter_errors(lowered.payload)]
        fast = [(list(e.absolute_path), e.message) for e in
                validator(name).iter_errors(lowered.payload)]
        assert fast == plain


@pytest.mark.parametrize("payload", [
    {"functionType": "text"}, [], "x", {"type": "interactive"}, {"functionType": 5},
    {"appkey": "a", "phone": "79001234567", "functionType": "list",
     "messageData": {"rateType": "Transactional", "text": "q", "surveyOptions": ["a"]}},
])
@pytest.mark.parametrize("name", ["viber.payload.schema.json", "whatsapp.payload.schema.json"])
def test_dispatching_validator_on_odd_payloads(name: str, payload: Any) -> None:
    plain = [(list(e.absolute_path), e.message) for e in full_validator(name).iter_errors(payload)]
    fast = [(list(e.absolute_path), e.message) for e in validator(name).iter_errors(payload)]
    assert fast == plain


@st.composite
def leaves_and_values(draw: Any) -> tuple[str, dict[str, Any]]:
    names = ["a", "b"]
    source = "".join(leaf(draw, names) for _ in range(draw(st.integers(1, 3))))
    values: dict[str, Any] = {
        "a": draw(st.one_of(VALUE, st.integers(-5, 5), st.booleans(), st.floats(-1e6, 1e6))),
        "b": draw(VALUE),
    }
    return source, values


@settings(max_examples=200, deadline=None)
@given(leaves_and_values())
def test_jinja_free_rendering_matches_jinja(case: tuple[str, dict[str, Any]]) -> None:
    """Templates in the fast subset render exactly as sandboxed Jinja renders them."""
    source, values = case
    leaf = compile_template(source, "/text", {"a", "b"})
    expected = _jinja(source).render(values)
    if leaf.fast is not None:
        event("fast renderer")
        assert leaf.fast(values) == expected
    assert leaf.render(values, "/text") == expected


def test_all_schemas_are_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    from compiler.schemas import load_schema, schema_dir

    for path in sorted(schema_dir().glob("*.schema.json")):
        Draft202012Validator.check_schema(load_schema(path.name))


# -- generated value coercion -------------------------------------------------------------

@st.composite
def declarations_and_rows(draw: Any) -> tuple[str, dict[str, Any]]:
    variables: dict[str, Any] = {}
    for name in ("a", "b", "c"):
        vtype = draw(st.sampled_from(["string", "integer", "number", "boolean", "url", "date",
                                      "phone"]))
        decl: dict[str, Any] = {"type": vtype}
        if vtype == "string":
            if draw(st.booleans()):
                decl["max_length"] = draw(st.integers(0, 6))
            if draw(st.booleans()):
                decl["min_length"] = draw(st.integers(0, 3))
            if draw(st.booleans()):
                decl["pattern"] = draw(st.sampled_from(["[a-z]+", "x.*", r"\d+"]))
            if draw(st.booleans()):
                decl["enum"] = ["ab", "x1", "7"]
            decl["example"] = "ab"
        elif vtype == "integer":
            if draw(st.booleans()):
                decl["minimum"] = draw(st.integers(-5, 5))
            if draw(st.booleans()):
                decl["maximum"] = draw(st.integers(0, 50))
            if draw(st.booleans()):
                decl["enum"] = [1, 7, 30]
            decl["example"] = 7
        else:
            decl["example"] = {"number": 1.5, "boolean": True, "url": "https://x.io",
                               "date": "2024-01-31", "phone": "+7 900 123-45-67"}[vtype]
        if draw(st.booleans()):
            decl["default"] = decl["example"]
        variables[name] = decl
    spec = {"variables": variables,
            "message": {"text": "{{ a }} {{ b }} {{ c }}"}, "targets": {"whatsapp": {}}}
    scalar = st.one_of(
        st.text(alphabet=list("ab7x1 -+٣\ud800"), max_size=7), st.integers(-10**4, 10**4),
        st.integers(2**3330, 2**3340), st.floats(allow_nan=True), st.booleans(), st.none(),
        st.sampled_from([" 12 ", "+5", "-0", "1e3", "7", "30", "https://x.io/a", "2024-02-30",
                         "+7 900 123-45-67", "yes"]))
    names = st.sampled_from(["a", "b", "c", "d"])
    row = draw(st.dictionaries(names, scalar, max_size=4))
    if draw(st.booleans()):  # rows as a CSV gives them: every value as text, mostly valid
        row = {n: str(d["example"]) for n, d in variables.items() if draw(st.integers(0, 5))}
        row.update(draw(st.dictionaries(names, scalar, max_size=1)))
    return yaml.safe_dump(spec, allow_unicode=True), row


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(declarations_and_rows())
def test_generated_coercion_agrees_with_the_general_path(case: tuple[str, dict[str, Any]]
                                                         ) -> None:
    from compiler.coercion import compile_coercer

    text, row = case
    try:
        spec = load_spec_text(text, "vars.yaml")
    except MsgcError:
        assume(False)
        return
    try:
        expected: dict[str, Any] | None = Plan(spec, "whatsapp").values(row)  # general path
    except MsgcError:
        expected = None
    got = compile_coercer(spec.variables)(row)
    if got is None:
        event("general path decides")
        return
    event("generated")
    assert got == expected
    assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]  # type: ignore[union-attr]
    plan = Plan(spec, "whatsapp")  # and through the public entry point (generated from call 2)
    for _ in range(3):
        assert plan.values(row) == expected


@functools.cache
def _file_plan(url: str) -> tuple[Plan, FastPlan]:
    """A Viber file plan whose filename is a template (built once per URL: deriving a fast
    path is the costly part)."""
    text = ("variables: {name: {type: string, example: report.pdf}}\n"
            f"message: {{document: {{url: '{url}', filename: '{{{{ name }}}}'}}}}\n"
            "targets: {viber: {rate_type: Transactional}}\n")
    plan = Plan(load_spec_text(text, "file.yaml"), "viber")
    return plan, FastPlan(plan.provider, plan.message, plan.tree.leaves, plan.settings,
                          [f.payload_key for f in plan.provider.envelope])


FILENAMES = st.one_of(TEXT, st.sampled_from(["report.pdf", "a.DOCX", "x.exe", "noext", "r.pdf\n",
                                             "{{ 7*7 }}.pdf", "ж.xlsx", ".pdf", "a.", "a..pdf",
                                             "dir/x.csv", "x.PdF", "a.b.xlsx", "\ud800.pdf"]))
PHONES = st.sampled_from(["79001234567", "123", "7900123456x"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FILENAMES, st.sampled_from(["https://e.x/f", "https://e.x/f.docx", "https://e.x/{{ name }}",
                                   "{{ name }}"]), PHONES)
def test_a_computed_file_type_takes_the_fast_path_and_agrees(filename: str, url: str,
                                                             phone: str) -> None:
    """Viber's fileType is computed from the templated filename (else the URL): the fast
    path computes it per recipient with lowering's own function, and its verdict and bytes
    are the slow path's."""
    plan, fast = _file_plan(url)
    env = envelope_for(plan, phone)
    try:
        values = plan.values({"name": filename})
    except MsgcError:  # a lone surrogate is no text msgc takes
        return
    expected = reference(plan, values, env)
    got = fast.render(values, env)
    if got is not None:
        assert expected is not None, (filename, got)
        assert (got[0]() if callable(got[0]) else got[0]) == expected[0]
        assert got[1] == expected[1]
    elif filename in ("report.pdf", "a.DOCX", "x.PdF", "a.b.xlsx", "dir/x.csv") \
            and phone == "79001234567" and "{{" not in url:
        raise AssertionError(f"the fast path declined a plain case: {filename!r}")
    for _ in range(3):  # and through the public entry point
        try:
            result = plan.render(values, env)
        except MsgcError:
            assert expected is None
        else:
            assert expected is not None and (result.payload, result.body) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT, st.sampled_from(["pdf", "PDF", ".docx", "exe", "", "x.csv"])), PHONES)
def test_plans_without_a_fast_path_render_in_bulk_as_the_slow_path(
        kind: str, phone: str) -> None:
    """A plan the fast path cannot serve (here Viber's fileType is a templated `type`, which
    lowering lowercases) renders repeat messages by its own shorter chain; the result is
    the slow path's, byte for byte, and every message it doubts is the slow path's too."""
    text = ("variables: {kind: {type: string, example: pdf}}\n"
            "message: {document: {url: 'https://e.x/f', filename: report.pdf, "
            "type: '{{ kind }}'}}\n"
            "targets: {viber: {rate_type: Transactional}}\n")
    plan = Plan(load_spec_text(text, "file.yaml"), "viber")
    assert plan._fast_plan() is None
    env = envelope_for(plan, phone)
    expected = reference(plan, {"kind": kind}, env)
    for _ in range(3):  # the first render is slow, then the bulk chain
        try:
            result = plan.render(plan.values({"kind": kind}), env)
        except MsgcError:
            assert expected is None
        else:
            assert expected is not None
            assert (result.payload, result.body) == expected
            assert result.warnings == plan.render_slow({"kind": kind}, env).warnings
    assert plan._bulk is not None  # the repeats went through the bulk chain
