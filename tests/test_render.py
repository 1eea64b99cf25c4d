"""Rendering: typed variables (coercion and bounds), the sandboxed strict Jinja
environment, literal insertion of values, and where template errors are reported."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import compile_text, errors_of, line_of, only, render

from compiler.diagnostics import MsgcError
from compiler.pipeline import Plan
from compiler.spec import load_spec_text
from compiler.variables import Problem, Variable


def spec_with(text_template: str, variables: str = "  v: {example: x}\n",
              provider: str = "whatsapp") -> str:
    quoted = text_template.replace("\\", "\\\\").replace('"', '\\"')
    return (f"variables:\n{variables}message:\n  text: \"{quoted}\"\n"
            f"targets:\n  {provider}: {{}}\n")


def body(text: str, values: dict[str, Any] | None = None, **kw: Any) -> str:
    result = compile_text(text, "whatsapp", values, **kw)
    return str(result.payload["text"]["body"])


# -- variables: coercion and bounds -----------------------------------------------------------

COERCE_OK: list[tuple[dict[str, Any], Any, Any]] = [
    ({"type": "string"}, "héllo 😀", "héllo 😀"),
    ({"type": "string"}, 42, "42"),
    ({"type": "string"}, 2.0, "2"),
    ({"type": "string"}, 2.5, "2.5"),
    ({"type": "string"}, "", ""),
    ({"type": "integer"}, "42", 42),
    ({"type": "integer"}, " -7 ", -7),
    ({"type": "integer"}, 3.0, 3),
    ({"type": "integer"}, 12, 12),
    ({"type": "number"}, "4.5", 4.5),
    ({"type": "number"}, "7", 7),
    ({"type": "number"}, "1e3", 1000.0),
    ({"type": "number"}, 0, 0),
    ({"type": "boolean"}, "yes", True),
    ({"type": "boolean"}, "TRUE", True),
    ({"type": "boolean"}, "1", True),
    ({"type": "boolean"}, "off", False),
    ({"type": "boolean"}, False, False),
    ({"type": "url"}, "https://x.io/a?b=1", "https://x.io/a?b=1"),
    ({"type": "url"}, "HTTP://X.IO", "HTTP://X.IO"),
    ({"type": "date"}, "2024-02-29", "2024-02-29"),
    ({"type": "phone"}, "+7 (900) 123-45-67", "79001234567"),
    ({"type": "phone"}, 4915112345678, "4915112345678"),
    ({"type": "string", "enum": ["a", "b"]}, "b", "b"),
    ({"type": "integer", "enum": [1, 2]}, "2", 2),
    ({"type": "string", "max_length": 3}, "😀😀😀", "😀😀😀"),
    ({"type": "string", "min_length": 2, "pattern": "[a-z]+"}, "ab", "ab"),
    ({"type": "integer", "minimum": 1, "maximum": 9}, "9", 9),
    ({"type": "number", "minimum": -1.5}, "-1.5", -1.5),
]


@pytest.mark.parametrize(("decl", "value", "expected"), COERCE_OK)
def test_values_are_coerced_to_their_declared_type(decl: dict[str, Any], value: Any,
                                                   expected: Any) -> None:
    result = Variable.from_decl("v", decl).coerce(value)
    assert result == expected
    assert type(result) is type(expected)


COERCE_BAD: list[tuple[dict[str, Any], Any, str]] = [
    ({"type": "string"}, None, "null"),
    ({"type": "string"}, True, "must be a string"),
    ({"type": "string"}, ["a"], "a list"),
    ({"type": "string"}, {"a": 1}, "a mapping"),
    ({"type": "integer"}, "4.5", "integer"),
    ({"type": "integer"}, 4.5, "integer"),
    ({"type": "integer"}, True, "boolean"),
    ({"type": "integer"}, "1" * 31, "integer"),
    ({"type": "integer"}, "seven", "integer"),
    ({"type": "number"}, "nan", "finite"),
    ({"type": "number"}, "inf", "finite"),
    ({"type": "number"}, float("inf"), "finite"),
    ({"type": "number"}, "abc", "number"),
    ({"type": "number"}, False, "boolean"),
    ({"type": "boolean"}, "maybe", "boolean"),
    ({"type": "boolean"}, 1, "boolean"),
    ({"type": "url"}, "ftp://x.io", "URL"),
    ({"type": "url"}, "https://", "URL"),
    ({"type": "url"}, "https://a b.io", "URL"),
    ({"type": "url"}, "javascript:alert(1)", "URL"),
    ({"type": "date"}, "2025-13-01", "date"),
    ({"type": "date"}, "2025-02-29", "date"),
    ({"type": "date"}, "31.01.2025", "date"),
    ({"type": "phone"}, "123456", "phone"),
    ({"type": "phone"}, "+1234567890123456", "phone"),
    ({"type": "phone"}, "call me", "phone"),
    ({"type": "string", "enum": ["a", "b"]}, "c", "not one of"),
    ({"type": "string", "max_length": 3}, "😀😀😀😀", "longer than its max_length 3"),
    ({"type": "string", "min_length": 2}, "ж", "shorter than its min_length 2"),
    ({"type": "string", "pattern": "[a-z]+"}, "abc1", "does not match"),
    ({"type": "integer", "maximum": 9}, 10, "above its maximum"),
    ({"type": "number", "minimum": 0}, "-0.5", "below its minimum"),
]


@pytest.mark.parametrize(("decl", "value", "words"), COERCE_BAD)
def test_bad_values_are_problems_naming_the_variable(decl: dict[str, Any], value: Any,
                                                     words: str) -> None:
    with pytest.raises(Problem) as info:
        Variable.from_decl("qty", decl).coerce(value)
    assert "'qty'" in str(info.value)
    assert words in str(info.value)


def test_pattern_must_match_the_whole_value() -> None:
    var = Variable.from_decl("code", {"pattern": "[0-9]{4}"})
    assert var.coerce("1234") == "1234"
    for bad in ("12345", "a1234", "1234\n"):
        with pytest.raises(Problem):
            var.coerce(bad)


MISTYPED = """\
variables:
  qty:
    type: integer
    example: 2
  when:
    type: date
    default: "2025-01-01"
message:
  text: "{{ qty }} items on {{ when }}"
targets:
  whatsapp: {}
"""


def test_a_mistyped_value_is_an_error_naming_the_variable() -> None:
    assert body(MISTYPED, {"qty": "3"}, samples=False) == "3 items on 2025-01-01"
    diag = only(errors_of(compile_text, MISTYPED, "whatsapp", {"qty": "three"}),
                "variable-value")
    assert "'qty'" in diag.message
    assert diag.path == "/variables/qty"
    assert diag.line == line_of(MISTYPED, "qty:")


def test_a_missing_value_is_an_error_naming_the_variable() -> None:
    diag = only(errors_of(compile_text, MISTYPED, "whatsapp", {}, samples=False),
                "missing-variable")
    assert "'qty'" in diag.message and "'qty'" in diag.hint
    assert "--" not in diag.hint  # the API's hint speaks of values, not flags
    assert diag.line == line_of(MISTYPED, "qty:")
    # with a default, the value is optional; with samples, the example is used
    assert body(MISTYPED, {}, samples=True) == "2 items on 2025-01-01"


def test_a_value_for_an_undeclared_variable_is_an_error_with_a_hint() -> None:
    diag = only(errors_of(compile_text, MISTYPED, "whatsapp", {"qtty": 1, "qty": 1}),
                "unknown-variable")
    assert "'qtty'" in diag.message and diag.hint == "did you mean 'qty'?"


def test_all_variable_problems_are_reported_together() -> None:
    diags = errors_of(compile_text, MISTYPED, "whatsapp", {"qty": "x", "when": "soon"})
    assert {d.rule for d in diags} == {"variable-value"}
    assert len(diags) == 2


# -- the sandbox --------------------------------------------------------------------------------

@pytest.mark.parametrize(("template", "rule", "words"), [
    ("{{ ''.__class__.__mro__ }}", "template-unsafe", "__class__"),
    ("{{ v.__class__.__mro__[1].__subclasses__() }}", "template-unsafe", "__class__"),
    ("{{ v|attr('__class__') }}", "template-unsafe", "__class__"),
    ("{{ '{0.__class__}'.format(v) }}", "template-unsafe", "__class__"),
    ("{{ self._TemplateReference__context }}", "template-unsafe", "_TemplateReference"),
    ("{{ v.__len__() }}", "template-unsafe", "__len__"),
    ("{{ [].append(1) }}", "template-unsafe", "append"),
    ("{{ cycler.__init__.__globals__ }}", "undeclared-variable", "'cycler'"),
    ("{{ joiner() }}", "undeclared-variable", "'joiner'"),
    ("{{ lipsum() }}", "undeclared-variable", "'lipsum'"),
    ("{{ namespace() }}", "undeclared-variable", "'namespace'"),
    ("{{ range(10**9) | list }}", "template-too-large", ""),
    ("{% for i in range(10**9) %}x{% endfor %}", "template-too-large", ""),
    ("{{ range(0, 10**12, 2) | length }}", "template-too-large", ""),
    ("{{ 'x' * 10**6 }}", "template-too-large", "65,536"),
    ("{% for i in range(9000) %}{{ v }}{{ v }}{{ v }}{{ v }}{{ v }}{{ v }}{{ v }}{{ v }}"
     "{% endfor %}", "template-too-large", "72,000"),
])
def test_sandbox_escapes_and_resource_abuse_are_msgc_errors(template: str, rule: str,
                                                            words: str) -> None:
    text = spec_with(template)
    diag = only(errors_of(compile_text, text, "whatsapp"), rule)
    assert words in diag.message
    assert diag.path == "/message/text"
    assert diag.line == line_of(text, "text:")


def test_a_small_range_is_allowed() -> None:
    assert body(spec_with("{% for i in range(3) %}{{ i }}{% endfor %}")) == "012"
    assert body(spec_with("{{ range(10000) | length }}")) == "10000"


def test_the_environment_is_strict_and_does_not_autoescape() -> None:
    assert body(spec_with("{{ v | upper }} & <b>{{ v }}</b>"), {"v": "a<&>'\""}) == \
        "A<&>'\" & <b>a<&>'\"</b>"
    diag = only(errors_of(compile_text, spec_with("{{ v.missing }}"), "whatsapp"),
                "undefined-variable")
    assert "missing" in diag.message
    diag = only(errors_of(compile_text, spec_with("{{ v + 1 }}"), "whatsapp"), "template-error")
    assert "TypeError" in diag.message


def test_an_undeclared_variable_is_an_error_naming_it_with_a_hint() -> None:
    text = spec_with("Hi {{ nmae }}", "  name: {example: Ann}\n")
    diag = only(errors_of(compile_text, text, "whatsapp"), "undeclared-variable")
    assert "'nmae'" in diag.message and diag.hint == "did you mean 'name'?"
    assert diag.line == line_of(text, "text:")


def test_the_error_is_raised_when_the_spec_is_planned_not_per_recipient() -> None:
    spec = load_spec_text(spec_with("Hi {{ nobody }}"))
    with pytest.raises(MsgcError):
        Plan(spec, "whatsapp")


# -- literal insertion ------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "{{ 7*7 }}",
    "{% raw %}{{ x }}{% endraw %}",
    "{% for x in range(3) %}x{% endfor %}",
    "{# comment #}",
    "{{ v.__class__ }}",
    "it's \"quoted\" 'twice'",
    "{ braces } {{ }} }} {{",
    "\\n\\t \\u0041 ${HOME} $(id) `id`",
    "line 1\nline 2\r\n",
    "</script><b>&amp;</b>",
    "😀 ж 中文 \u200b",
])
def test_values_are_inserted_literally_and_never_parsed_again(value: str) -> None:
    text = spec_with("<{{ v }}>")
    assert body(text, {"v": value}) == f"<{value}>"
    # also as the example of a variable and in a field other than the text
    example = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    example = example.replace("\r", "\\r")
    variables = f'  v:\n    example: "{example}"\n'
    assert body(spec_with("{{ v }}", variables)) == value


def test_literal_values_in_a_viber_button_and_a_whatsapp_reply() -> None:
    value = "{{ 7*7 }}\"'"
    text = """\
variables:
  v: {example: x}
message:
  text: "Pick {{ v }}"
  buttons:
    - title: "{{ v }}"
      id: "id-{{ v }}"
targets:
  whatsapp: {}
"""
    reply = compile_text(text, "whatsapp", {"v": value}).payload["interactive"]["action"][
        "buttons"][0]["reply"]
    assert reply == {"id": f"id-{value}", "title": value}


def test_text_without_template_markers_is_not_a_template() -> None:
    assert body(spec_with("100% off, {not a template} }}")) == "100% off, {not a template} }}"


# -- where template errors are reported ------------------------------------------------------

def test_syntax_error_inside_a_block_scalar_points_at_its_line() -> None:
    text = """\
variables:
  name: {example: Ann}
message:
  text: |
    Hello {{ name }},
    your order is {{ on its way
    Thanks
targets:
  whatsapp: {}
"""
    diag = only(errors_of(compile_text, text, "whatsapp"), "template-syntax")
    assert diag.line == line_of(text, "your order is")
    assert diag.column is None
    assert diag.path == "/message/text"


def test_syntax_error_in_a_folded_scalar_and_in_a_quoted_string() -> None:
    folded = """\
variables:
  name: {example: Ann}
message:
  text: >-
    Hello {{ name }}
    and {% if %}
targets:
  whatsapp: {}
"""
    diag = only(errors_of(compile_text, folded, "whatsapp"), "template-syntax")
    # A folded scalar joins its lines into one template line: the error is reported at the
    # first source line of that template line.
    assert diag.line == line_of(folded, "Hello {{ name }}")
    quoted = spec_with("Hello {{ name ")
    diag = only(errors_of(compile_text, quoted, "whatsapp"), "template-syntax")
    assert (diag.line, diag.column) == (line_of(quoted, "text:"), 9)


def test_undefined_variable_line_inside_a_block_scalar() -> None:
    text = """\
variables:
  name: {example: Ann}
message:
  text: |
    Hello {{ name }},
    see {{ link }}
targets:
  whatsapp: {}
"""
    diag = only(errors_of(compile_text, text, "whatsapp"), "undeclared-variable")
    assert "'link'" in diag.message
    assert diag.line == line_of(text, "see {{ link }}")


def test_template_errors_in_overrides_point_at_the_override() -> None:
    text = """\
variables:
  name: {example: Ann}
message:
  text: "Hi {{ name }}"
targets:
  viber:
    rate_type: Session
  whatsapp:
    message:
      text: "Hi {{ name }"
"""
    assert compile_text(text, "viber").payload["messageData"]["text"] == "Hi Ann"
    diag = only(errors_of(compile_text, text, "whatsapp"), "template-syntax")
    assert diag.path == "/targets/whatsapp/message/text"
    assert diag.line == line_of(text, 'text: "Hi {{ name }"')


def test_numbers_rendered_by_templates_keep_their_type_in_the_payload() -> None:
    text = """\
variables:
  secs: {type: integer, example: 15}
message:
  video:
    url: https://cdn.example.com/v.mp4
    thumbnail: https://cdn.example.com/t.jpg
    size: 1024
    duration: "{{ secs }}"
targets:
  viber: {}
"""
    data = render(load_spec_text(text), "viber", {"secs": "600"}).payload["messageData"]
    assert data["duration"] == 600
