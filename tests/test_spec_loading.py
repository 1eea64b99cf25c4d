"""Loading specs: the YAML loader (plain data only, bounded work, positions kept) and the
spec checks (schema shape with "did you mean" hints, targets, variables)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import errors_of, line_of, only, rules

from compiler import source
from compiler.source import MAX_BYTES, MAX_DEPTH, load_bytes, load_file, load_text
from compiler.spec import load_spec, load_spec_text

OK = "message:\n  text: hi\ntargets:\n  viber: {}\n"


# -- the YAML loader ----------------------------------------------------------------------------

def test_duplicate_keys_are_an_error_at_the_second_key() -> None:
    text = "message:\n  text: a\n  image: https://x.io/a.jpg\n  text: b\ntargets: {viber: {}}\n"
    diag = only(errors_of(load_text, text, "s.yaml"), "yaml-duplicate-key")
    assert (diag.line, diag.column) == (4, 3)
    assert "'text'" in diag.message and "line 2" in diag.message
    assert diag.file == "s.yaml"


def test_duplicate_keys_at_the_top_level_and_in_flow_style() -> None:
    assert only(errors_of(load_text, OK + "message: {}\n"), "yaml-duplicate-key").line == 5
    assert only(errors_of(load_text, "a: {x: 1, x: 2}\n"), "yaml-duplicate-key").column == 11


@pytest.mark.parametrize("value", [
    "!!python/object/apply:os.system ['echo hacked']",
    "!!python/name:os.system",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!custom thing",
    "!!omap [a: 1]",
])
def test_tags_other_than_plain_data_are_rejected(value: str) -> None:
    text = f"message:\n  text: {value}\ntargets: {{viber: {{}}}}\n"
    diag = only(errors_of(load_text, text, "s.yaml"), "yaml-tag")
    assert diag.line == 2
    assert diag.hint


def test_plain_scalar_tags_are_fine_and_timestamps_stay_text() -> None:
    doc = load_text("a: !!str 123\nb: !!int '7'\nc: 2025-01-11\nd: 1995-01-11T10:00:00Z\n"
                    "e: yes\nf: ~\ng: 1.5\n")
    assert doc.data == {"a": "123", "b": 7, "c": "2025-01-11", "d": "1995-01-11T10:00:00Z",
                        "e": True, "f": None, "g": 1.5}


def test_one_document_per_file() -> None:
    assert load_text("---\na: 1\n...\n").data == {"a": 1}
    diag = only(errors_of(load_text, "a: 1\n---\nb: 2\n"), "yaml-multiple-documents")
    assert diag.line == 2


def test_merge_keys_are_rejected_with_a_hint_but_a_literal_chevron_is_text() -> None:
    text = "base: &b {text: a}\nmessage:\n  <<: *b\ntargets: {viber: {}}\n"
    diag = only(errors_of(load_text, text), "yaml-merge-key")
    assert diag.line == 3 and diag.hint
    assert load_text("a: <<\n").data == {"a": "<<"}


def test_aliases_are_expanded_as_data() -> None:
    doc = load_text("a: &x [1, 2]\nb: *x\n")
    assert doc.data == {"a": [1, 2], "b": [1, 2]}
    assert only(errors_of(load_text, "a: *nope\n"), "yaml-syntax").line == 1


def test_alias_bomb_is_capped() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*l{i - 1}"] * 10)
        lines.append(f"l{i}: &l{i} [{refs}]")
    diag = only(errors_of(load_text, "\n".join(lines) + "\n"), "yaml-too-large")
    assert "alias" in diag.message
    assert diag.line is not None and diag.line <= 9


def test_nesting_depth_is_capped_without_a_recursion_error() -> None:
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    load_text(ok)
    deep = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert only(errors_of(load_text, deep), "yaml-too-deep").line == 1
    very_deep = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
    assert "yaml-too-deep" in rules(errors_of(load_text, very_deep))


DEEP_INPUTS = {
    "flow sequences": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "flow mappings": "a: " + "{b: " * 2000 + "}" * 2000 + "\n",
    "block sequences": "a:\n" + "".join("  " * i + "- \n" for i in range(1200)),
    "after a first line": "x: 1\nlist: " + "[" * 1500 + "]" * 1500 + "\n",
}


@pytest.mark.parametrize("text", DEEP_INPUTS.values(), ids=DEEP_INPUTS.keys())
def test_the_depth_cap_is_reported_alike_by_libyaml_and_the_python_parser(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # PyYAML >= 6.0.4's libyaml stops at 1,000 levels with its own error, possibly while
    # scanning ahead of the events msgc has seen; the diagnostic must not depend on that.
    with_libyaml = only(errors_of(load_text, text), "yaml-too-deep")
    monkeypatch.setattr(source, "_Loader", yaml.SafeLoader)
    pure_python = only(errors_of(load_text, text), "yaml-too-deep")
    assert with_libyaml.format() == pure_python.format()
    assert with_libyaml.line is not None and with_libyaml.line <= 2 + MAX_DEPTH


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    assert load_text("\ufeff" + OK).data["targets"] == {"viber": {}}
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + OK.encode())
    spec = load_spec(path)
    assert spec.message == {"text": "hi"}
    assert spec.document.locate("/message/text") == (2, 9)


def test_non_utf8_is_an_error_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("message:\n  text: café\ntargets: {viber: {}}\n".encode("latin-1"))
    diag = only(errors_of(load_spec, path), "encoding")
    assert (diag.line, diag.column) == (2, 12)
    assert "0xe9" in diag.message and diag.hint
    assert diag.file == str(path)
    assert only(errors_of(load_bytes, b"\xff\xfe", "x"), "encoding").line == 1


def test_file_size_and_io_errors(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    assert only(errors_of(load_file, big), "file-too-large").file == str(big)
    assert only(errors_of(load_spec, tmp_path / "missing.yaml"), "io-error")
    assert only(errors_of(load_spec, tmp_path), "io-error")
    named = load_file(_write(tmp_path, OK), display_name="shown.yaml")
    assert named.filename == "shown.yaml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_syntax_errors_are_located() -> None:
    diag = only(errors_of(load_text, "message:\n  text: [unclosed\ntargets: {}\n"),
                "yaml-syntax")
    assert diag.line is not None and diag.line >= 2
    diag = only(errors_of(load_text, "a: 1\n b: 2\n"), "yaml-syntax")
    assert diag.line == 2
    assert only(errors_of(load_text, "? [a, b]\n: 1\n"), "yaml-syntax").line == 1


def test_positions_of_nodes_and_keys() -> None:
    text = """\
name: demo
message:
  text: "Hi"
  buttons:
    - title: Open
      url: https://x.io
  choices: [a, {title: b}]
  note: |
    line one
targets:
  viber: {}
"""
    doc = load_text(text, "p.yaml")
    assert doc.locate("/message/text") == (3, 9)
    assert doc.locate("/message/text", key=True) == (3, 3)
    assert doc.locate("/message/buttons/0/title") == (5, 14)
    assert doc.locate("/message/buttons/0/url") == (6, 12)
    assert doc.locate("/message/choices/1/title") == (7, 24)
    assert doc.locate("/message/buttons", key=True) == (4, 3)
    assert doc.locate("/message/note") == (8, 9)
    assert "/message/note" in doc.block_scalars
    # a pointer that does not exist is located at its nearest ancestor
    assert doc.locate("/message/buttons/0/id") == doc.locate("/message/buttons/0")
    assert doc.locate("/nothing/here") == (1, 1)


def test_keys_are_strings() -> None:
    assert load_text("1: a\ntrue: b\n").data == {"1": "a", "True": "b"}


# -- spec checks --------------------------------------------------------------------------------

def test_a_minimal_spec_loads() -> None:
    spec = load_spec_text(OK, "ok.yaml")
    assert (spec.name, spec.providers, spec.message, spec.locales) == ("ok", ["viber"],
                                                                       {"text": "hi"}, {})
    assert spec.warnings == []


@pytest.mark.parametrize(("text", "rule", "needle"), [
    ("", "spec-not-mapping", None),
    ("- a\n", "spec-not-mapping", None),
    ("just text\n", "spec-not-mapping", None),
    ("message: {text: a}\n", "spec-required", None),
    ("targets: {viber: {}}\n", "spec-required", None),
    ("message: {text: a}\ntargets: {}\n", "spec-targets", "targets:"),
    ("message: {text: a}\ntargets: [viber]\n", "spec-type", "targets:"),
    ("name: a/b\n" + OK, "spec-name", "name:"),
    ("message: {text: 5}\ntargets: {viber: {}}\n", "spec-type", "message:"),
    ("message: {text: a, buttons: []}\ntargets: {viber: {}}\n", "spec-min-items", "message:"),
    ("message: {text: a, image: {link: x}}\ntargets: {viber: {}}\n", None, "message:"),
    (OK + "locales:\n  english!: {message: {text: b}}\n", "spec-locale-name", "english!"),
    ("variables:\n  1n: {example: 1}\n" + OK, "spec-variable-name", "1n:"),
    ("variables:\n  n: {type: strng, example: 1}\n" + OK, "spec-variable-type", "strng"),
])
def test_schema_shape_errors(text: str, rule: str | None, needle: str | None) -> None:
    diags = errors_of(load_spec_text, text, "s.yaml")
    if rule is not None:
        assert rule in rules(diags), [d.format() for d in diags]
    if needle is not None:
        assert diags[0].line == line_of(text, needle)


@pytest.mark.parametrize(("text", "pointer", "hint"), [
    ("mesage: {text: a}\ntargets: {viber: {}}\n", "/mesage", "did you mean 'message'?"),
    ("message: {txt: a}\ntargets: {viber: {}}\n", "/message/txt", "did you mean 'text'?"),
    ("message: {text: a, buttons: [{titel: b, url: 'https://x.io'}]}\ntargets: {viber: {}}\n",
     "/message/buttons/0/titel", "did you mean 'title'?"),
    ("variables:\n  n: {tpye: string, example: a}\n" + OK, "/variables/n/tpye",
     "did you mean 'type'?"),
    (OK + "locales:\n  ru: {mesage: {text: b}}\n", "/locales/ru/mesage", "did you mean 'message'?"),
    ("message: {text: a}\ntargets:\n  viber:\n    message:\n      txt: b\n",
     "/targets/viber/message/txt", "did you mean 'text'?"),
    ("message: {text: a}\ntargets: {viber: {rate_typ: Session}}\n", "/targets/viber/rate_typ",
     "did you mean 'rate_type'?"),
    ("message: {text: a}\ntargets: {whatsapp: {bussiness_phone: '123456789'}}\n",
     "/targets/whatsapp/bussiness_phone", "did you mean 'business_phone'?"),
    (OK + "extra: 1\n", "/extra", "known fields:"),
])
def test_unknown_keys_come_with_did_you_mean_hints(text: str, pointer: str, hint: str) -> None:
    diags = errors_of(load_spec_text, text, "s.yaml")
    diag = next(d for d in diags if d.path == pointer)
    assert diag.rule.endswith("additional-properties")
    assert hint in diag.hint
    key = pointer.rsplit("/", 1)[1]
    assert (diag.line, diag.column) == _key_position(text, key)


def _key_position(text: str, key: str) -> tuple[int, int]:
    line = line_of(text, key + ":")
    return line, text.splitlines()[line - 1].index(key + ":") + 1


def test_unknown_target_with_a_hint() -> None:
    text = "message: {text: a}\ntargets:\n  vibr: {}\n  telegram: {}\n"
    diags = errors_of(load_spec_text, text)
    vibr = next(d for d in diags if d.path == "/targets/vibr")
    assert vibr.rule == "spec-unknown-target" and vibr.hint == "did you mean 'viber'?"
    assert (vibr.line, vibr.column) == (3, 3)
    telegram = next(d for d in diags if d.path == "/targets/telegram")
    assert "viber" in telegram.hint and "whatsapp" in telegram.hint


def test_target_settings_are_checked_against_the_provider() -> None:
    text = "message: {text: a}\ntargets:\n  viber:\n    rate_type: Cheap\n"
    diag = only(errors_of(load_spec_text, text), "viber-rate-type")
    assert diag.path == "/targets/viber/rate_type" and diag.line == 4
    text = "message: {text: a}\ntargets:\n  whatsapp:\n    business_phone: '+123'\n"
    diag = only(errors_of(load_spec_text, text), "whatsapp-business-phone-digits")
    assert diag.line == 4


def test_a_locale_cannot_override_a_target_the_spec_does_not_have() -> None:
    text = OK + "locales:\n  ru:\n    targets:\n      whatsapp:\n        message: {text: b}\n"
    diag = only(errors_of(load_spec_text, text), "spec-locale-unknown-target")
    assert diag.line == line_of(text, "whatsapp:")


@pytest.mark.parametrize(("decl", "rule", "where"), [
    ("{type: integer, example: abc}", "spec-variable-example-invalid", "/example"),
    ("{type: integer, example: 7, minimum: 10}", "spec-variable-example-invalid", "/example"),
    ("{type: number, default: 1.5, maximum: 1}", "spec-variable-example-invalid", "/default"),
    ("{type: string, max_length: 3, example: abcd}", "spec-variable-example-invalid",
     "/example"),
    ("{type: string, min_length: 2, example: a}", "spec-variable-example-invalid", "/example"),
    ("{type: string, pattern: '[0-9]+', example: a1}", "spec-variable-example-invalid",
     "/example"),
    ("{type: url, example: 'ftp://x.io'}", "spec-variable-example-invalid", "/example"),
    ("{type: date, example: '2025-02-30x'}", "spec-variable-example-invalid", "/example"),
    ("{type: phone, example: '12'}", "spec-variable-example-invalid", "/example"),
    ("{type: boolean, example: maybe}", "spec-variable-example-invalid", "/example"),
    ("{enum: [a, b], example: c}", "spec-variable-example-invalid", "/example"),
    ("{type: string}", "spec-variable-example", ""),
    ("{type: integer, max_length: 3, example: 1}", "spec-variable-bound", "/max_length"),
    ("{type: string, minimum: 3, example: a}", "spec-variable-bound", "/minimum"),
    ("{type: string, pattern: '[', example: a}", "spec-variable-pattern", "/pattern"),
    ("{type: integer, enum: [1, x], example: 1}", "spec-variable-enum", "/enum/1"),
])
def test_variable_declarations_are_checked(decl: str, rule: str, where: str) -> None:
    text = f"variables:\n  n: {decl}\n" + OK
    diag = only(errors_of(load_spec_text, text), rule)
    assert diag.path == "/variables/n" + where
    assert diag.line == 2
    assert "'n'" in diag.message


def test_a_null_variable_declaration_is_a_shape_error() -> None:
    diag = only(errors_of(load_spec_text, "variables:\n  n:\n" + OK), "spec-type")
    assert diag.path == "/variables/n"


def test_valid_variable_declarations() -> None:
    text = """\
variables:
  s: {type: string, min_length: 1, max_length: 5, pattern: '[a-z]+', example: abc}
  i: {type: integer, minimum: 1, maximum: 9, default: 3}
  f: {type: number, example: 2.5}
  b: {type: boolean, example: false}
  u: {type: url, example: 'https://x.io/a'}
  d: {type: date, example: '2025-01-31'}
  p: {type: phone, example: '+7 900 123-45-67'}
  e: {enum: [red, green], example: red}
  plain: {example: anything}
""" + OK
    spec = load_spec_text(text)
    assert spec.variables["i"].has_default and not spec.variables["i"].required
    assert spec.variables["s"].required
    assert spec.variables["plain"].type == "string"
    assert spec.variables["p"].coerce(spec.variables["p"].sample) == "79001234567"


def test_all_problems_are_reported_at_once() -> None:
    text = "variables:\n  a: {type: integer, example: x}\n  b: {type: string}\n" \
           "message: {text: a}\ntargets: {viber: {}, vibr: {}}\n"
    assert rules(errors_of(load_spec_text, text)) == {
        "spec-variable-example-invalid", "spec-variable-example", "spec-unknown-target"}
