"""Partial object overrides merge key by key, as the README and schema say (issue 11,
item 3): `locales.ru.message.otp: {language: ru}` changes the language alone, and a merged
object that is still incomplete is an error naming the missing key, not a type error."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from compiler import MsgcError, load_spec_text, render

OTP = """\
variables:
  code: {type: string, pattern: "[0-9]{6}", max_length: 6, example: "123456"}
message:
  otp: {template: 1, params: {pin: "{{ code }}"}, language: en}
targets:
  viber: {appkey: app}
locales:
  ru: {message: {otp: {language: ru}}}
"""

DOCUMENT = """\
message:
  text: Your invoice
  document: {url: "https://files.example.com/invoice.pdf", filename: invoice.pdf}
targets:
  viber: {rate_type: Transactional, appkey: app, message: {text: null}}
  whatsapp:
    message:
      document: {filename: "Invoice (PDF).pdf"}
locales:
  ru:
    message:
      document: {filename: счёт.pdf}
"""

LOCATION = """\
message:
  location: {latitude: 55.7539, longitude: 37.6208, name: Red Square, address: Moscow}
targets:
  whatsapp: {}
locales:
  ru: {message: {location: {name: Красная площадь, address: Москва}}}
"""

VIDEO_MENU = """\
message:
  text: Our new video
  video: {url: "https://v.example.com/a.mp4"}
targets:
  viber:
    rate_type: Promotional
    message:
      video: {thumbnail: "https://v.example.com/a.jpg", size: 1000, duration: 20}
  whatsapp: {}
"""


def test_a_locale_changes_one_key_of_an_otp() -> None:
    spec = load_spec_text(OTP, "otp.yaml")
    ru = render(spec, "viber", examples=True, locale="ru", to="79001234567").payload
    data = ru["messageData"]
    assert data["templateLang"] == "ru"
    assert data["templateId"] == "1" and data["templateParams"] == {"pin": "123456"}
    en = render(spec, "viber", examples=True, to="79001234567").payload
    assert en["messageData"]["templateLang"] == "en"


def test_document_filename_overrides_merge_for_a_target_and_a_locale() -> None:
    spec = load_spec_text(DOCUMENT, "doc.yaml")
    wa = render(spec, "whatsapp", examples=True, to="79001234567").payload
    assert wa["document"] == {"link": "https://files.example.com/invoice.pdf",
                              "filename": "Invoice (PDF).pdf", "caption": "Your invoice"}
    viber_ru = render(spec, "viber", examples=True, locale="ru", to="79001234567").payload
    assert viber_ru["messageData"]["fileName"] == "счёт.pdf"
    assert viber_ru["messageData"]["fileLink"] == "https://files.example.com/invoice.pdf"
    wa_ru = render(spec, "whatsapp", examples=True, locale="ru", to="79001234567").payload
    assert wa_ru["document"]["filename"] == "счёт.pdf"   # the locale layer comes later


def test_location_overrides_merge() -> None:
    spec = load_spec_text(LOCATION, "loc.yaml")
    ru = render(spec, "whatsapp", examples=True, locale="ru", to="79001234567").payload
    assert ru["location"] == {"longitude": "37.6208", "latitude": "55.7539",
                              "name": "Красная площадь", "address": "Москва"}


def test_video_overrides_merge() -> None:
    spec = load_spec_text(VIDEO_MENU, "v.yaml")
    viber = render(spec, "viber", examples=True, to="79001234567").payload["messageData"]
    assert viber["videoLink"] == "https://v.example.com/a.mp4"
    assert viber["thumbnail"] == "https://v.example.com/a.jpg"
    assert render(spec, "whatsapp", examples=True, to="79001234567").kind == "video"


def test_an_incomplete_merged_object_names_the_missing_key() -> None:
    text = """\
message:
  text: Your invoice
targets:
  whatsapp:
    message:
      document: {filename: invoice.pdf}
"""
    with pytest.raises(MsgcError) as exc:
        load_spec_text(text, "d.yaml")
    diags = exc.value.diagnostics
    assert len(diags) == 1, [d.format() for d in diags]
    d = diags[0]
    assert "`url`" in d.message and "document" in d.message
    assert "type" not in d.message
    assert (d.line, d.rule) == (6, "spec-required")
    assert d.provider == "whatsapp"


def test_an_incomplete_object_in_one_locale_names_the_locale() -> None:
    text = """\
message: {text: hi}
targets: {whatsapp: {}}
locales:
  ru:
    message:
      location: {name: Москва}
"""
    with pytest.raises(MsgcError) as exc:
        load_spec_text(text, "l.yaml")
    messages = sorted(d.message for d in exc.value.diagnostics)
    assert len(messages) == 2   # latitude and longitude
    assert all("location" in m for m in messages)
    assert "`latitude`" in messages[0] and "`longitude`" in messages[1]
    assert {d.locale for d in exc.value.diagnostics} == {"ru"}


def test_a_typo_inside_an_override_object_is_an_unknown_field_not_a_null_type() -> None:
    text = DOCUMENT.replace('document: {filename: "Invoice (PDF).pdf"}',
                            'document: {filenme: "Invoice (PDF).pdf"}')
    with pytest.raises(MsgcError) as exc:
        load_spec_text(text, "doc.yaml")
    d = exc.value.diagnostics[0]
    assert "unknown field 'filenme'" in d.message, d.format()
    assert d.hint == "did you mean 'filename'?"
    assert "null" not in d.message


def test_the_reported_command_line_case(tmp_path: Path) -> None:
    """The user's report, end to end: validate exits 0 for the partial locale override."""
    (tmp_path / "otp.yaml").write_text(OTP, encoding="utf-8")
    result = run_cli(["validate", "otp.yaml"], tmp_path)
    assert result.exit_code == 0, result.output
    assert "spec-type" not in result.output
