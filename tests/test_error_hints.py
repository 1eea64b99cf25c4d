"""Errors come with the fix (issue 11, item 10): YAML 1.1 booleans and other unquoted
words that YAML reads as non-text, tabs in indentation, and WhatsApp's link buttons."""

from __future__ import annotations

import pytest

from compiler import MsgcError, load_spec_text
from compiler.diagnostics import Diagnostic


def errors(text: str) -> list[Diagnostic]:
    with pytest.raises(MsgcError) as exc:
        load_spec_text(text, "s.yaml")
    return [d for d in exc.value.diagnostics if d.is_error]


@pytest.mark.parametrize(("word", "reads_as"), [("Yes", "true"), ("No", "false"),
                                                ("on", "true"), ("OFF", "false"),
                                                ("true", "true")])
def test_yaml_booleans_in_choices_say_quote_it(word: str, reads_as: str) -> None:
    found = errors(f"message:\n  text: Pick\n  choices: [{word}, Maybe]\n"
                   "targets: {whatsapp: {}}\n")
    assert len(found) == 1
    d = found[0]
    assert "boolean" in d.message and (d.line, d.column) == (3, 13)
    assert d.hint is not None
    assert f'quote it: "{word}"' in d.hint and reads_as in d.hint


@pytest.mark.parametrize(("value", "kind"), [("1.10", "number"), ("~", "null"),
                                             ("0x1F", "number")])
def test_other_unquoted_words_that_are_not_text(value: str, kind: str) -> None:
    found = errors(f"message:\n  text: {value}\ntargets: {{whatsapp: {{}}}}\n")
    d = found[0]
    assert d.hint is not None and f'quote it: "{value}"' in d.hint and kind in d.hint


def test_a_boolean_example_of_a_string_variable() -> None:
    found = errors("variables:\n  answer: {type: string, example: yes}\n"
                   "message: {text: '{{ answer }}'}\ntargets: {whatsapp: {}}\n")
    d = found[0]
    assert d.rule == "spec-variable-example-invalid"
    assert d.hint is not None and 'quote it: "yes"' in d.hint


def test_a_quoted_yes_is_text() -> None:
    load_spec_text('message:\n  text: Pick\n  choices: ["Yes", "No"]\ntargets: {whatsapp: {}}\n',
                   "s.yaml")


@pytest.mark.parametrize(("text", "line", "column"), [
    ("message:\n\ttext: hi\ntargets: {whatsapp: {}}\n", 2, 1),
    ("message:\n  text: hi\ntargets:\n  \twhatsapp: {}\n", 4, 3),
])
def test_a_tab_in_indentation_says_so(text: str, line: int, column: int) -> None:
    d = errors(text)[0]
    assert d.rule == "yaml-syntax"
    assert "tabs" in d.message and "indentation" in d.message, d.message
    assert (d.line, d.column) == (line, column)
    assert d.hint is not None and "spaces" in d.hint


def test_whatsapp_link_button_hint_shows_the_override() -> None:
    from compiler import render

    spec = load_spec_text(
        "message:\n  text: Track it\n  buttons: [{title: Track, url: 'https://t.example.com'}]\n"
        "targets: {whatsapp: {}}\n", "s.yaml")
    with pytest.raises(MsgcError) as exc:
        render(spec, "whatsapp", to="79001234567")
    d = exc.value.diagnostics[0]
    assert d.rule == "whatsapp-unsupported-link-button"
    assert d.hint is not None and "targets.whatsapp.message: {buttons: null" in d.hint
