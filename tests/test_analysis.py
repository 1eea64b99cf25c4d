"""Worst-case length analysis: bounds from the template syntax tree and the declarations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.analysis import bound_template, variable_max_length
from compiler.sandbox import compiled as _jinja
from compiler.templating import parse_template
from compiler.tree import check_file
from compiler.variables import Variable

VARS = {
    "name": Variable.from_decl("name", {"type": "string", "max_length": 20, "example": "a"}),
    "free": Variable.from_decl("free", {"type": "string", "example": "a"}),
    "kind": Variable.from_decl("kind", {"type": "string", "enum": ["a", "bbbb"], "example": "a"}),
    "days": Variable.from_decl("days", {"type": "integer", "minimum": -5, "maximum": 300,
                                        "example": 1}),
    "open": Variable.from_decl("open", {"type": "integer", "example": 1}),
    "when": Variable.from_decl("when", {"type": "date", "example": "2024-01-01"}),
    "flag": Variable.from_decl("flag", {"type": "boolean", "example": True}),
}


def bound(source: str) -> int | None:
    return bound_template(parse_template(source)[0], VARS).chars


@pytest.mark.parametrize(("source", "expected"), [
    ("Hello", 5),
    ("Hi {{ name }}!", 4 + 20),
    ("{{ kind }}", 4),
    ("{{ days }}", 3),                     # "300" is longer than "-5"
    ("{{ when }}", 10),
    ("{{ flag }}", 5),
    ("{{ name | upper }}", 20),
    ("{{ name | truncate(5) }}", 8),       # 5 + "..."
    ("{{ name if flag else 'none' }}", 20),
    ("{% if flag %}{{ name }}{% else %}x{% endif %}", 20),
    ("{% if flag %}ab{% elif days %}abcd{% endif %}", 4),
    ("{{ name ~ kind }}", 24),
    ("{{ free }}", None),
    ("{{ open }}", None),
    ("{% for i in range(3) %}x{% endfor %}", None),
    ("{{ name.upper() }}", None),
])
def test_bounds(source: str, expected: int | None) -> None:
    assert bound(source) == expected


def test_unbounded_variables_are_named() -> None:
    b = bound_template(parse_template("{{ free }} and {{ name }}")[0], VARS)
    assert b.chars is None
    assert b.unbounded == {"free"}
    assert b.drivers == {"name": 20}


@pytest.mark.parametrize(("decl", "expected"), [
    ({"type": "string", "max_length": 7}, 7),
    ({"type": "url"}, None),
    ({"type": "phone"}, 15),
    ({"type": "integer", "minimum": 0, "maximum": 99999}, 5),
    ({"type": "number", "minimum": 0, "maximum": 1}, None),
    ({"type": "string", "enum": ["x", "yyy"]}, 3),
])
def test_variable_max_length(decl: dict[str, object], expected: int | None) -> None:
    assert variable_max_length(Variable.from_decl("v", {**decl, "example": "x"})) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abж😀", max_size=20), st.sampled_from(["a", "bbbb"]),
       st.integers(-5, 300), st.booleans())
def test_bound_is_an_upper_bound(name: str, kind: str, days: int, flag: bool) -> None:
    """For any values the declarations allow, the rendered text fits the bound."""
    for source in ("Hi {{ name }}, {{ kind }} x{{ days }}",
                   "{% if flag %}{{ name | upper }}{% else %}{{ kind }}!{% endif %}",
                   "{{ name if days > 3 else kind }}"):
        rendered = _jinja(source).render(name=name, kind=kind, days=days, flag=flag)
        limit = bound(source)
        assert limit is not None and len(rendered) <= limit


def write(tmp_path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_worst_case_warns_at_n_plus_1_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    template = """\
variables:
  body: {{type: string, max_length: {n}, example: "short"}}
message:
  text: "1234567890{{{{ body }}}}"
targets:
  viber: {{rate_type: Promotional}}
"""
    at_limit = check_file(write(tmp_path, template.format(n=990)), {})
    assert not [d for d in at_limit.diagnostics if d.rule.endswith("may-exceed")]
    over = check_file(write(tmp_path, template.format(n=991)), {})
    found = [d for d in over.diagnostics if d.rule == "viber-text-may-exceed"]
    assert len(found) == 1
    assert "text can reach 1,001 characters when body has 991 (limit 1,000)" in found[0].message
    assert (found[0].line, found[0].column) == (4, 9)


def test_worst_case_follows_composed_fields(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A WhatsApp carousel card body is `*title*\\n\\ntext`: both leaves count."""
    spec = """\
variables:
  t: {type: string, max_length: 60, example: "T"}
  x: {type: string, max_length: 97, example: "X"}
message:
  text: Pick one
  carousel:
    - {title: "{{ t }}", text: "{{ x }}", image: "https://e.x/1.jpg",
       buttons: [{title: Buy, url: "https://e.x/1"}]}
    - {title: Two, text: Second, image: "https://e.x/2.jpg",
       buttons: [{title: Buy, url: "https://e.x/2"}]}
targets:
  whatsapp: {}
"""
    report = check_file(write(tmp_path, spec), {})
    assert not [d for d in report.diagnostics if d.is_error]
    found = [d for d in report.diagnostics if d.rule.endswith("may-exceed")]
    assert len(found) == 1 and "161 characters" in found[0].message


def test_unbounded_is_said_once_per_variable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    spec = """\
variables:
  who: {type: string, example: Ann}
message:
  text: "Hi {{ who }}, {{ who }}"
targets:
  viber: {rate_type: Promotional}
  whatsapp: {}
locales:
  de: {message: {text: "Hallo {{ who }}"}}
"""
    report = check_file(write(tmp_path, spec), {})
    notes = [d for d in report.diagnostics if d.rule == "unbounded-variable"]
    assert len(notes) == 1 and notes[0].line == 2
