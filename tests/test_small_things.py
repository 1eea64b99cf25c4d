"""The small things a new user notices (issue 11, item 16): money formatting, thousands
separators, plurals, a did-you-mean for enum values, no derived error about a field the
user never wrote, the card body's `*title*` prefix said out loud, untranslated text in a
locale, and the bench table's start-up row."""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, TEMPLATES, compile_message, errors_of

from compiler import load_spec_text, render, validate_payload
from compiler.diagnostics import Severity
from compiler.tree import check_file

ROOT = Path(__file__).resolve().parents[1]

PRICE = """\
variables:
  price: {type: number, minimum: 0, maximum: 99999.99, example: 1499.9}
message:
  text: 'Now {{ "%.2f"|format(price) }} EUR'
targets:
  whatsapp: {}
  viber: {rate_type: Transactional}
"""


@pytest.mark.parametrize(("value", "shown"), [(1499.9, "1499.90"), (1000.0, "1000.00"),
                                              (1000, "1000.00"), ("7", "7.00")])
def test_the_format_filter_renders_money(value: Any, shown: str) -> None:
    spec = load_spec_text(PRICE, "p.yaml")
    from compiler import Plan

    plan = Plan(spec, "whatsapp")
    envelope = {"appId": "a", "businessPhone": "12025550100", "recipient": "79001234567"}
    for _ in range(3):  # the slow path, then the fast path
        body = plan.render(plan.values({"price": value}), envelope).payload["text"]["body"]
        assert body == f"Now {shown} EUR"


def test_money_formatting_keeps_the_worst_case_check(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PRICE, encoding="utf-8")
    diags = check_file(path, {}).diagnostics
    assert diags == [], [d.format() for d in diags]   # "%.2f" of 0..99999.99 is bounded


def test_lengths_and_limits_use_thousands_separators() -> None:
    found = validate_payload("whatsapp", {
        "appId": "a", "businessPhone": "12025550100", "channelType": 0,
        "recipient": "79001234567", "type": "text", "text": {"body": "x" * 7_340_032}})
    text = next(d for d in found if d.path == "/text/body").message
    assert "7,340,032 characters" in text and "4,096" in text


def test_one_item_is_singular() -> None:
    found = validate_payload("viber", {
        "appkey": "a", "phone": "79001234567", "functionType": "list",
        "messageData": {"rateType": "Transactional", "text": "Q?", "surveyOptions": ["A"]}})
    text = next(d.message for d in found if d.path == "/messageData/surveyOptions")
    assert "has 1 item;" in text


def test_an_enum_typo_gets_a_did_you_mean() -> None:
    payload = {"appkey": "a", "phone": "79001234567", "functionType": "carsoucel",
               "messageData": {"rateType": "Promotional", "text": "x"}}
    d = next(d for d in validate_payload("viber", payload) if d.path == "/functionType")
    assert d.hint == "did you mean 'carousel'?"


def test_eleven_whatsapp_cards_give_one_error_about_the_cards() -> None:
    card = {"title": "T", "image": "https://e.x/1.jpg",
            "buttons": [{"title": "Go", "url": "https://e.x/go"}]}
    diags = errors_of(compile_message, {"text": "Pick", "carousel": [card] * 11}, "whatsapp")
    assert [d.rule for d in diags] == ["whatsapp-carousel-cards-count"], [d.format()
                                                                          for d in diags]
    assert "card_index" not in diags[0].message


def test_the_card_body_limit_says_the_title_counts() -> None:
    card = {"title": "Blue Echeveria", "text": "x" * 150, "image": "https://e.x/1.jpg",
            "buttons": [{"title": "Go", "url": "https://e.x/go"}]}
    diags = errors_of(compile_message, {"text": "Pick", "carousel": [card, card]},
                      "whatsapp")
    d = next(d for d in diags if d.rule == "whatsapp-carousel-card-text-length")
    assert d.hint is not None and "*title*" in d.hint and "title" in d.hint


def test_a_locale_that_leaves_text_untranslated_gets_a_note(tmp_path: Path) -> None:
    spec = """\
message:
  header: Your order
  text: Pick a delivery slot
  footer: Reply STOP to opt out
  choices: [{id: am, title: Morning}, {id: pm, title: Evening}]
targets:
  whatsapp: {}
locales:
  de:
    message:
      header: Ihre Bestellung
      text: Wählen Sie ein Lieferfenster
      choices: [{id: am, title: Morgens}, {id: pm, title: Abends}]
"""
    path = tmp_path / "s.yaml"
    path.write_text(spec, encoding="utf-8")
    notes = [d for d in check_file(path, {}).diagnostics if d.rule == "locale-untranslated"]
    assert len(notes) == 1, [d.format() for d in notes]
    assert notes[0].severity is Severity.NOTE and notes[0].locale == "de"
    assert notes[0].line == 4 and "footer" in notes[0].message


def test_no_note_for_text_that_is_only_a_variable_or_an_id(tmp_path: Path) -> None:
    spec = """\
variables:
  code: {type: string, max_length: 6, example: "123456"}
message:
  text: Your code is {{ code }}
  footer: "{{ code }}"
targets:
  whatsapp: {}
locales:
  de: {message: {text: "Ihr Code ist {{ code }}"}}
"""
    path = tmp_path / "s.yaml"
    path.write_text(spec, encoding="utf-8")
    report = check_file(path, {})
    assert not [d for d in report.diagnostics if d.rule == "locale-untranslated"]


def test_send_summary_plurals(capsys: pytest.CaptureFixture[str]) -> None:
    from compiler.commands.send import _print_summary
    from compiler.sending.bulk import Summary

    _print_summary(Summary(totals={"sent": 2}, session={"sent": 2}, rows=2, seconds=1.0,
                           duplicates=1, settled=1))
    err = capsys.readouterr().err
    assert "1 row repeats a phone number" in err
    assert "1 row was in flight" in err
    _print_summary(Summary(totals={"sent": 1}, session={"sent": 1}, rows=1, seconds=1.0))
    assert "1 sent of 1 row; this run: 1 message in" in capsys.readouterr().out


def test_bench_startup_row_has_a_ratio_in_the_ratio_column(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setattr(sys, "path", [str(ROOT / "bench"), *sys.path])
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "wall", lambda args, **_: 0.02 if args[1:] == ["-c", "pass"]
                        else 0.1)
    rows = module.startup()
    help_row = next(r for r in rows if r["workload"] == "msgc --help")
    assert help_row["ratio"] == "5.0x bare"
    table = module.table(rows)
    assert all("heavy" not in line.split("|")[3] for line in table.splitlines()[2:]
               if line.count("|") > 3)


def test_examples_folder_and_templates_are_untouched() -> None:
    """Guard: the fixtures these tests lean on are where they were."""
    assert (TEMPLATES / "promo-carousel.yaml").is_file() and EXAMPLES.is_dir()
    assert copy.deepcopy({"a": 1}) == {"a": 1}
    assert render is not None
