"""Lowering: which provider message type a neutral message becomes, what a provider cannot
express (a located compile error with a hint, never a silent drop), where errors point in
the YAML, and how per-target and per-locale overrides merge."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import (
    compile_message,
    compile_text,
    errors_of,
    line_of,
    load_json_schema,
    make_spec,
    only,
    render,
    rules,
)

from compiler.diagnostics import MsgcError
from compiler.providers.viber.lowering import FUNCTION_TYPES

IMG = "https://cdn.example.com/a.jpg"
URL = "https://example.com/x"
VIDEO = {"url": "https://cdn.example.com/v.mp4", "thumbnail": IMG, "size": 1024, "duration": 10}
DOC = {"url": "https://cdn.example.com/f.pdf", "filename": "invoice.pdf"}
LINK = {"title": "Open", "url": URL}
LOC = {"latitude": 52.52, "longitude": 13.405, "name": "Office", "address": "Main St 1"}
CONTACT = {"name": {"formatted_name": "Ann Lee"}, "phones": [{"phone": "+4912345678"}]}
OTP = {"template": 1, "params": {"pin": "1234"}, "language": "en"}


def card(title: str = "Card", **extra: Any) -> dict[str, Any]:
    return {"title": title, "image": IMG, "buttons": [LINK], **extra}


def reply(title: str, id_: str | None = None) -> dict[str, str]:
    return {"title": title, "id": id_ or title.lower()}


# -- type selection -------------------------------------------------------------------------

# (provider, message, settings, expected kind, expected rateType or None)
VIBER_TYPES = [
    ({"text": "hi"}, {"rate_type": "Session"}, "text", "Session"),
    ({"otp": OTP}, {}, "text", "OtpTemplate"),
    ({"image": IMG}, {"rate_type": "Promotional"}, "image", "Promotional"),
    ({"text": "hi", "image": {"url": IMG}}, {}, "text_image", "Promotional"),
    ({"text": "hi", "image": IMG, "buttons": [LINK]}, {}, "text_image_button", "Promotional"),
    ({"text": "hi", "buttons": [LINK]}, {}, "text_button", "Promotional"),
    ({"document": DOC}, {"rate_type": "Session"}, "file", "Session"),
    ({"video": VIDEO}, {}, "video", "Promotional"),
    ({"text": "hi", "video": VIDEO}, {}, "video_text", "Promotional"),
    ({"text": "hi", "video": VIDEO, "buttons": [LINK]}, {}, "video_text_button", "Promotional"),
    ({"text": "Pick one", "choices": ["a", {"title": "b"}]}, {}, "list", "Transactional"),
    ({"text": "Deals", "carousel": [card("A"), card("B")]}, {}, "carousel", "Promotional"),
]


@pytest.mark.parametrize(("message", "settings", "kind", "rate"), VIBER_TYPES,
                         ids=[f"{c[2]}-{c[3]}" for c in VIBER_TYPES])
def test_viber_type_selection(message: dict[str, Any], settings: dict[str, Any], kind: str,
                              rate: str) -> None:
    result = compile_message(message, "viber", settings=settings)
    assert result.kind == kind
    assert result.payload["functionType"] == kind
    assert result.payload["messageData"]["rateType"] == rate


def test_every_viber_function_type_is_reachable() -> None:
    assert {c[2] for c in VIBER_TYPES} == set(FUNCTION_TYPES)
    schema_enum = load_json_schema("viber")["properties"]["functionType"]["enum"]
    assert set(schema_enum) == set(FUNCTION_TYPES)


WA_TYPES = [
    ({"text": "hi"}, {}, "text", None),
    ({"text": "hi", "reply_to": "wamid.1"}, {}, "text", None),
    ({"image": IMG, "text": "cap"}, {}, "image", None),
    ({"video": {"url": VIDEO["url"]}}, {}, "video", None),
    ({"document": DOC, "text": "cap"}, {}, "document", None),
    ({"audio": {"url": "https://cdn.example.com/a.ogg"}}, {}, "audio", None),
    ({"sticker": "https://cdn.example.com/s.webp"}, {}, "sticker", None),
    ({"location": LOC}, {}, "location", None),
    ({"contacts": [CONTACT]}, {}, "contacts", None),
    ({"text": "Menu", "menu": {"button": "Open", "sections": [
        {"title": "S", "rows": [{"id": "r1", "title": "Row"}]}]}}, {}, "interactive", "list"),
    ({"text": "Pick", "choices": ["a", "b", "c", "d"]}, {"list_button": "Choose"},
     "interactive", "list"),
    ({"text": "Pick", "choices": [{"title": "a", "description": "first"}]},
     {"list_button": "Choose"}, "interactive", "list"),
    ({"text": "Pick", "buttons": [reply("Yes"), reply("No")]}, {}, "interactive", "button"),
    ({"text": "Pick", "choices": ["a", "b", "c"]}, {}, "interactive", "button"),
    ({"text": "Where are you?", "request_location": True}, {}, "interactive",
     "location_request_message"),
    ({"text": "Deals", "carousel": [card("A"), card("B")]}, {}, "interactive", "carousel"),
    ({"text": "Deals", "carousel": [
        {"text": "a", "video": "https://cdn.example.com/v.mp4", "buttons": [reply("More", "m")]},
        {"text": "b", "image": IMG, "buttons": [reply("More", "m")]}]}, {}, "interactive",
     "carousel"),
]


@pytest.mark.parametrize(("message", "settings", "wa_type", "subtype"), WA_TYPES,
                         ids=[f"{c[2]}-{c[3]}-{i}" for i, c in enumerate(WA_TYPES)])
def test_whatsapp_type_selection(message: dict[str, Any], settings: dict[str, Any],
                                 wa_type: str, subtype: str | None) -> None:
    result = compile_message(message, "whatsapp", settings=settings)
    payload = result.payload
    assert payload["type"] == wa_type
    assert result.kind == (f"interactive/{subtype}" if subtype else wa_type)
    if subtype:
        assert payload["interactive"]["type"] == subtype
    assert payload["channelType"] == 0
    # exactly one content object, the one named by `type`
    content = {"text", "image", "video", "document", "audio", "sticker", "location", "contacts",
               "interactive"}
    assert set(payload) & content == {wa_type}
    if "reply_to" in message:
        assert payload["context"] == {"refMessageId": message["reply_to"]}


def test_every_whatsapp_type_and_interactive_subtype_is_reachable() -> None:
    schema = load_json_schema("whatsapp")
    types = set(schema["properties"]["type"]["enum"])
    subtypes = set(schema["$defs"]["interactive"]["properties"]["type"]["enum"])
    assert {c[2] for c in WA_TYPES} == types
    assert {c[3] for c in WA_TYPES if c[3]} == subtypes


def test_whatsapp_carousel_title_and_text_make_the_card_body() -> None:
    result = compile_message({"text": "Deals", "carousel": [
        card("Only title"), card("Both", text="Body text"), {"text": "Only text", "image": IMG,
                                                            "buttons": [LINK]}]}, "whatsapp")
    bodies = [c["body"]["text"] for c in result.payload["interactive"]["action"]["cards"]]
    assert bodies == ["*Only title*", "*Both*\n\nBody text", "Only text"]
    indexes = [c["card_index"] for c in result.payload["interactive"]["action"]["cards"]]
    assert indexes == [0, 1, 2]


def test_whatsapp_location_coordinates_are_decimal_strings() -> None:
    loc = compile_message({"location": {**LOC, "latitude": -33.5, "longitude": "  151  "}},
                          "whatsapp").payload["location"]
    assert loc == {"longitude": "151", "latitude": "-33.5", "name": "Office",
                   "address": "Main St 1"}


def test_viber_file_type_comes_from_the_filename_or_the_url_or_document_type() -> None:
    by_name = compile_message({"document": {"url": "https://x.io/f", "filename": "A.DOCX"}},
                              "viber", settings={"rate_type": "Session"})
    assert by_name.payload["messageData"]["fileType"] == "docx"
    by_url = compile_message({"document": {"url": "https://x.io/r.xlsx", "filename": "report"}},
                             "viber", settings={"rate_type": "Session"})
    assert by_url.payload["messageData"]["fileType"] == "xlsx"
    explicit = compile_message({"document": {**DOC, "type": "txt"}}, "viber",
                               settings={"rate_type": "Session"})
    assert explicit.payload["messageData"]["fileType"] == "txt"


def test_viber_numbers_from_templates_become_json_integers() -> None:
    result = compile_message(
        {"video": {**VIDEO, "size": "{{ size }}", "duration": "{{ secs }}"}}, "viber",
        variables={"size": {"type": "integer", "example": 2048},
                   "secs": {"type": "number", "example": 12.0}})
    data = result.payload["messageData"]
    assert (data["videoSize"], data["duration"]) == (2048, 12)
    assert isinstance(data["duration"], int)


def test_viber_video_size_must_be_a_whole_number() -> None:
    diags = errors_of(compile_message, {"video": {**VIDEO, "size": "10.5"}}, "viber")
    assert only(diags, "message-integer").path == "/message/video/size"


# -- what a provider cannot express ---------------------------------------------------------

# (id, provider, message, settings, rule, spec pointer, words the message+hint must contain)
CANNOT = [
    ("viber-location", "viber", {"text": "hi", "location": LOC}, {"rate_type": "Session"},
     "viber-unsupported-location", "/message/location", ["location"]),
    ("viber-request-location", "viber", {"text": "hi", "request_location": True},
     {"rate_type": "Session"}, "viber-unsupported-request-location",
     "/message/request_location", ["request_location"]),
    ("viber-contacts", "viber", {"text": "hi", "contacts": [CONTACT]}, {"rate_type": "Session"},
     "viber-unsupported-contacts", "/message/contacts", ["contacts"]),
    ("viber-audio", "viber", {"audio": "https://x.io/a.ogg"}, {}, "viber-unsupported-audio",
     "/message/audio", ["audio"]),
    ("viber-sticker", "viber", {"sticker": "https://x.io/s.webp"}, {},
     "viber-unsupported-sticker", "/message/sticker", ["sticker"]),
    ("viber-menu", "viber", {"text": "hi", "menu": {"button": "b", "sections": [
        {"title": "s", "rows": [{"id": "1", "title": "r"}]}]}}, {"rate_type": "Session"},
     "viber-unsupported-menu", "/message/menu", ["menu", "choices"]),
    ("viber-header", "viber", {"text": "hi", "header": "H"}, {"rate_type": "Session"},
     "viber-unsupported-header", "/message/header", ["header", "text"]),
    ("viber-footer", "viber", {"text": "hi", "footer": "F"}, {"rate_type": "Session"},
     "viber-unsupported-footer", "/message/footer", ["footer", "text"]),
    ("viber-reply-to", "viber", {"text": "hi", "reply_to": "m1"}, {"rate_type": "Session"},
     "viber-unsupported-reply-to", "/message/reply_to", ["reply_to"]),
    ("viber-reply-button", "viber", {"text": "hi", "buttons": [reply("Yes")]}, {},
     "viber-unsupported-reply-button", "/message/buttons/0", ["button", "url", "choices"]),
    ("viber-two-buttons", "viber", {"text": "hi", "buttons": [LINK, LINK]}, {},
     "viber-button-count", "/message/buttons/1", ["button", "carousel"]),
    ("viber-card-text", "viber", {"text": "t", "carousel": [card(text="x"), card()]}, {},
     "viber-carousel-card-text", "/message/carousel/0/text", ["text", "title"]),
    ("viber-card-video", "viber", {"text": "t", "carousel": [
        {**card(), "video": "https://x.io/v.mp4"}, card()]}, {},
     "viber-carousel-card-video", "/message/carousel/0/video", ["video", "image"]),
    ("viber-card-reply-button", "viber", {"text": "t", "carousel": [
        {**card(), "buttons": [reply("More")]}, card()]}, {},
     "viber-unsupported-reply-button", "/message/carousel/0/buttons/0", ["button", "url"]),
    ("viber-choice-description", "viber", {"text": "t", "choices": [
        {"title": "a", "description": "d"}, "b"]}, {}, "viber-choice-description",
     "/message/choices/0/description", ["description", "choices"]),
    ("whatsapp-otp", "whatsapp", {"otp": OTP}, {}, "whatsapp-unsupported-otp", "/message/otp",
     ["OTP", "text"]),
    ("whatsapp-link-button", "whatsapp", {"text": "hi", "buttons": [LINK]}, {},
     "whatsapp-unsupported-link-button", "/message/buttons/0/url", ["link button", "carousel"]),
    ("whatsapp-header-on-text", "whatsapp", {"text": "hi", "header": "H"}, {},
     "whatsapp-header-needs-interactive", "/message/header", ["header", "buttons"]),
    ("whatsapp-footer-on-image", "whatsapp", {"image": IMG, "footer": "F"}, {},
     "whatsapp-footer-needs-interactive", "/message/footer", ["footer", "text"]),
    ("whatsapp-video-thumbnail", "whatsapp", {"video": {"url": VIDEO["url"], "thumbnail": IMG}},
     {}, "whatsapp-video-field",
     "/message/video/thumbnail", ["thumbnail", "targets.viber.message"]),
    ("whatsapp-image-and-location", "whatsapp", {"image": IMG, "location": LOC}, {},
     "whatsapp-field-not-allowed", "/message/image", ["image", "separate message"]),
]


@pytest.mark.parametrize(("provider", "message", "settings", "rule", "pointer", "words"),
                         [c[1:] for c in CANNOT], ids=[c[0] for c in CANNOT])
def test_what_a_provider_cannot_express_is_a_located_error_with_a_hint(
        provider: str, message: dict[str, Any], settings: dict[str, Any], rule: str,
        pointer: str, words: list[str]) -> None:
    diags = errors_of(compile_message, message, provider, settings=settings)
    diag = only(diags, rule)
    assert diag.path == pointer                      # the field
    assert diag.provider == provider                 # the provider
    assert diag.hint                                 # what would work instead
    text = f"{diag.message} {diag.hint}"
    assert ("Viber" if provider == "viber" else "WhatsApp") in text
    for word in words:
        assert word in text, (word, text)
    assert diag.file == "test.yaml" and diag.line is not None and diag.column is not None


# Structural problems: the message could be expressed, but is incomplete or inconsistent.
INVALID = [
    ("viber", {"image": IMG, "buttons": [LINK]}, {"rate_type": "Promotional"},
     "viber-button-needs-text", "/message/buttons"),
    ("viber", {"document": DOC, "text": "hi"}, {"rate_type": "Session"}, "viber-file-alone",
     "/message/text"),
    ("viber", {"video": VIDEO, "image": IMG}, {}, "viber-media-count", "/message/image"),
    ("viber", {"video": {"url": VIDEO["url"], "size": 1, "duration": 1}}, {},
     "viber-video-field", "/message/video/thumbnail"),
    ("viber", {"otp": OTP, "text": "hi"}, {}, "viber-otp-alone", "/message/text"),
    ("viber", {"otp": {"template": 1, "params": {"pin": "1"}}}, {}, "viber-otp-language",
     "/message/otp"),
    ("viber", {"document": {"url": "https://x.io/", "filename": "report"}},
     {"rate_type": "Session"}, "viber-file-type", "/message/document/filename"),
    ("viber", {"text": "hi"}, {}, "viber-rate-type-missing", "/targets/viber"),
    ("viber", {"choices": ["a", "b"]}, {}, "viber-list-text", "/message"),
    ("viber", {"carousel": [card(), card()]}, {}, "viber-carousel-text", "/message"),
    ("viber", {"text": "t", "carousel": [{"image": IMG, "buttons": [LINK]}, card()]}, {},
     "viber-carousel-card-title", "/message/carousel/0"),
    ("viber", {"text": "t", "carousel": [{"title": "x", "buttons": [LINK]}, card()]}, {},
     "viber-carousel-card-image", "/message/carousel/0"),
    ("viber", {"text": "t", "carousel": [{"title": "x", "image": IMG}, card()]}, {},
     "viber-carousel-card-button", "/message/carousel/0"),
    ("viber", {"text": "t", "carousel": [card(buttons=[LINK, LINK, LINK]), card()]}, {},
     "viber-carousel-card-buttons", "/message/carousel/0/buttons/2"),
    ("viber", {}, {}, "message-empty", "/message"),
    ("whatsapp", {"text": "hi", "buttons": [{"title": "Yes"}]}, {}, "whatsapp-reply-button-id",
     "/message/buttons/0"),
    ("whatsapp", {"text": "Pick", "choices": ["a", "b", "c", "d"]}, {},
     "whatsapp-list-button-label", "/targets/whatsapp"),
    ("whatsapp", {"text": "m", "menu": {"button": "b", "sections": [
        {"rows": [{"id": "1", "title": "r"}]}]}}, {}, "whatsapp-list-section-title",
     "/message/menu/sections/0"),
    ("whatsapp", {"text": "t", "header": "H", "carousel": [card(), card()]}, {},
     "whatsapp-field-not-allowed", "/message/header"),
    ("whatsapp", {"text": "t", "carousel": [{"title": "x", "buttons": [LINK]}, card()]}, {},
     "whatsapp-carousel-card-header", "/message/carousel/0"),
    ("whatsapp", {"text": "t", "carousel": [{"image": IMG, "buttons": [LINK]}, card()]}, {},
     "whatsapp-carousel-card-body", "/message/carousel/0"),
    ("whatsapp", {"text": "t", "carousel": [{"title": "x", "image": IMG}, card()]}, {},
     "whatsapp-carousel-card-action", "/message/carousel/0"),
    ("whatsapp", {"text": "t", "carousel": [card(buttons=[LINK, reply("a")]), card()]}, {},
     "whatsapp-carousel-card-action-kind", "/message/carousel/0/buttons"),
    ("whatsapp", {"text": "t", "carousel": [card(buttons=[LINK, LINK]), card()]}, {},
     "whatsapp-carousel-card-links", "/message/carousel/0/buttons/1"),
    ("whatsapp", {"text": "t", "carousel": [card(buttons=[{"title": "x"}]), card()]}, {},
     "whatsapp-reply-button-id", "/message/carousel/0/buttons/0"),
    ("whatsapp", {"location": {"latitude": 1, "longitude": 2, "name": "n"}}, {},
     "whatsapp-location-field", "/message/location"),
    ("whatsapp", {"location": {**LOC, "latitude": 90.5}}, {}, "whatsapp-location-range",
     "/message/location/latitude"),
    ("whatsapp", {"location": {**LOC, "longitude": "east"}}, {}, "message-number",
     "/message/location/longitude"),
    ("whatsapp", {"buttons": [reply("a")]}, {}, "whatsapp-interactive-body", "/message"),
    ("whatsapp", {}, {}, "message-empty", "/message"),
]


@pytest.mark.parametrize(("provider", "message", "settings", "rule", "pointer"), INVALID,
                         ids=[c[3] + "-" + c[0] for c in INVALID])
def test_incomplete_or_inconsistent_messages_are_located_errors(
        provider: str, message: dict[str, Any], settings: dict[str, Any], rule: str,
        pointer: str) -> None:
    diags = errors_of(compile_message, message, provider, settings=settings)
    diag = next((d for d in diags if d.rule == rule), None)
    assert diag is not None, [d.format() for d in diags]
    assert diag.path == pointer
    assert diag.provider == provider
    assert diag.line is not None


def test_a_message_is_never_silently_dropped_by_either_provider() -> None:
    # Every field of the vocabulary, in a message that carries it next to a `text`, either
    # shows up in the payload or stops the compile.
    fields: dict[str, Any] = {
        "header": "HDR-MARK", "footer": "FTR-MARK", "image": "https://x.io/IMG-MARK.jpg",
        "video": {"url": "https://x.io/VID-MARK.mp4", "thumbnail": IMG, "size": 1,
                  "duration": 1},
        "document": {"url": "https://x.io/DOC-MARK.pdf", "filename": "DOC-MARK.pdf"},
        "audio": "https://x.io/AUD-MARK.ogg", "sticker": "https://x.io/STK-MARK.webp",
        "location": {**LOC, "name": "LOC-MARK"}, "request_location": True,
        "contacts": [{"name": {"formatted_name": "CON-MARK"}}],
        "buttons": [{"title": "BTN-MARK", "url": URL}], "choices": ["CH-MARK", "CH2"],
        "carousel": [card("CAR-MARK"), card()], "otp": {**OTP, "params": {"pin": "OTP-MARK"}},
        "reply_to": "RPL-MARK",
    }
    marks = {k: (json.dumps(v) if k != "request_location" else None) for k, v in fields.items()}
    for provider in ("viber", "whatsapp"):
        for name, value in fields.items():
            message = {"text": "TXT-MARK", name: value}
            try:
                result = compile_message(message, provider, settings=(
                    {"rate_type": "Session"} if provider == "viber" else {}))
            except MsgcError:       # stopped, with diagnostics: fine (anything else fails)
                continue
            body = result.body.decode()
            mark = marks[name]
            if mark is not None:
                tag = next(t for t in ("HDR", "FTR", "IMG", "VID", "DOC", "AUD", "STK", "LOC",
                                       "CON", "BTN", "CH", "CAR", "OTP", "RPL") if t in mark)
                assert f"{tag}-MARK" in body, (provider, name, body)
            if provider == "viber" and name == "otp":
                continue
            assert "TXT-MARK" in body, (provider, name, body)


# -- error positions ------------------------------------------------------------------------

POSITIONS = """\
name: positions
variables:
  who:
    type: string
    example: Ann
message:
  text: "Hi {{ who }}"
  location:
    latitude: 1
    longitude: 2
  buttons:
    - title: Open
      url: https://example.com
    - title: Second
      url: https://example.com/2
targets:
  viber:
    rate_type: Session
"""


def test_lowering_errors_point_at_the_yaml_line_and_column() -> None:
    diags = errors_of(compile_text, POSITIONS, "viber")
    loc = only(diags, "viber-unsupported-location")
    assert (loc.line, loc.column) == (line_of(POSITIONS, "location:"), 3)
    second = only(diags, "viber-button-count")
    assert second.line == line_of(POSITIONS, "title: Second")
    assert second.column == 7
    assert loc.file == "test.yaml"
    assert loc.format().startswith(f"test.yaml:{loc.line}:3: error: (viber) ")


def test_payload_errors_point_at_the_line_that_produced_the_value() -> None:
    text = """\
variables:
  q:
    type: string
    example: short
message:
  choices: ["a", "b"]
  text: >-
    {{ q }} and a question that is far too long for a Viber list,
    which allows 85 characters
targets:
  viber: {}
"""
    diag = only(errors_of(compile_text, text, "viber"), "viber-list-text-length")
    assert diag.path == "/message/text"
    assert diag.line == line_of(text, "text: >-")
    assert "85" in diag.message


def test_errors_in_an_override_point_at_the_override() -> None:
    text = """\
message:
  text: Hello
  image: https://cdn.example.com/a.jpg
targets:
  viber: {}
  whatsapp:
    message:
      buttons:
        - title: Open
          url: https://example.com
"""
    diag = only(errors_of(compile_text, text, "whatsapp"), "whatsapp-unsupported-link-button")
    assert diag.path == "/targets/whatsapp/message/buttons/0/url"
    assert diag.line == line_of(text, "url: https://example.com")
    assert diag.column == 16
    # The same spec compiles for viber: the override is whatsapp's alone.
    assert compile_text(text, "viber").kind == "text_image"


def test_errors_in_a_locale_point_at_the_locale_and_name_it() -> None:
    text = """\
message:
  text: Hello
targets:
  whatsapp: {}
locales:
  ru:
    message:
      text: Привет
      header: Заголовок
"""
    assert compile_text(text, "whatsapp").payload["text"] == {"body": "Hello"}
    diag = only(errors_of(compile_text, text, "whatsapp", locale="ru"),
                "whatsapp-header-needs-interactive")
    assert diag.path == "/locales/ru/message/header"
    assert diag.line == line_of(text, "header: Заголовок")
    assert diag.locale == "ru"
    assert "locale ru" in diag.format()


def test_settings_errors_point_at_the_target_block() -> None:
    text = """\
message:
  text: Hello
targets:
  viber:
    rate_type: Promotional
  whatsapp: {}
locales:
  de:
    message:
      image: https://cdn.example.com/a.jpg
"""
    assert compile_text(text, "viber").payload["messageData"]["rateType"] == "Promotional"
    diags = errors_of(compile_text, text.replace("Promotional", "Transactional"), "viber",
                      locale="de")
    diag = only(diags, "viber-rate-type")
    assert diag.path == "/targets/viber/rate_type"
    assert diag.line == line_of(text, "rate_type:")
    assert "Transactional" in diag.message and "Promotional" in diag.hint


def test_a_rate_type_the_message_cannot_use_is_an_error_not_ignored() -> None:
    # An OTP always goes out as OtpTemplate; a different rate_type is an error, not ignored.
    ok = compile_message({"otp": OTP}, "viber", settings={"rate_type": "OtpTemplate"})
    assert ok.payload["messageData"]["rateType"] == "OtpTemplate"
    diag = only(errors_of(compile_message, {"otp": OTP}, "viber",
                          settings={"rate_type": "Promotional"}), "viber-rate-type")
    assert diag.path == "/targets/viber/rate_type" and diag.hint
    # ... and OtpTemplate is no rate for a plain text.
    diag = only(errors_of(compile_message, {"text": "hi"}, "viber",
                          settings={"rate_type": "OtpTemplate"}), "viber-rate-type")
    assert diag.line is not None and "Transactional" in diag.hint


# -- overrides --------------------------------------------------------------------------------

LAYERS = """\
variables:
  n:
    type: integer
    example: 1
message:
  text: "base {{ n }}"
  image: https://cdn.example.com/base.jpg
  buttons:
    - title: Base one
      url: https://example.com/1
targets:
  viber:
    message:
      text: "viber {{ n }}"
  whatsapp:
    message:
      buttons:
        - title: WA reply
          id: wa-1
        - title: WA reply 2
          id: wa-2
      image: null
locales:
  ru:
    message:
      text: "ru {{ n }}"
      buttons:
        - title: Ru one
          url: https://example.com/ru
    targets:
      viber:
        message:
          text: "ru-viber {{ n }}"
  de:
    message:
      image:
        url: https://cdn.example.com/de.jpg
"""


def test_override_merge_order_per_target_and_locale() -> None:
    text = LAYERS.replace("      image: null\n", "")
    text = text.replace("  image: https://cdn.example.com/base.jpg\n", "")
    wa_base = compile_text(text, "whatsapp")
    # whatsapp: base text, whatsapp's buttons replace the base list whole
    assert wa_base.payload["interactive"]["body"]["text"] == "base 1"
    assert [b["reply"]["title"] for b in wa_base.payload["interactive"]["action"]["buttons"]] \
        == ["WA reply", "WA reply 2"]
    viber = compile_text(text, "viber")
    assert viber.payload["messageData"]["text"] == "viber 1"            # target over base
    viber_ru = compile_text(text, "viber", locale="ru")
    assert viber_ru.payload["messageData"]["text"] == "ru-viber 1"      # locale.target wins
    assert viber_ru.payload["messageData"]["buttonText"] == "Ru one"    # locale over base
    # without ru's viber-only layer, ru's text beats viber's target text
    no_ru_viber = text.replace(
        '    targets:\n      viber:\n        message:\n          text: "ru-viber {{ n }}"\n', "")
    assert no_ru_viber != text
    assert compile_text(no_ru_viber, "viber", locale="ru").payload["messageData"]["text"] == \
        "ru 1"
    viber_de = compile_text(text, "viber", locale="de")
    assert viber_de.payload["messageData"]["text"] == "viber 1"         # target over base
    assert viber_de.kind == "text_image_button"
    assert viber_de.payload["messageData"]["image"] == "https://cdn.example.com/de.jpg"


def test_locale_over_target_and_lists_replaced_whole() -> None:
    text = LAYERS.replace("      image: null\n", "")
    # ru replaces whatsapp's two reply buttons with one link button (a list is replaced
    # whole, not merged item by item), which WhatsApp cannot send: the error is located
    # at the locale's list.
    diag = only(errors_of(compile_text, text, "whatsapp", locale="ru"),
                "whatsapp-unsupported-link-button")
    assert diag.path == "/locales/ru/message/buttons/0/url"
    assert diag.line == line_of(text, "url: https://example.com/ru")


def test_mappings_merge_key_by_key_across_layers() -> None:
    text = """\
message:
  text: hi
  video:
    url: https://cdn.example.com/v.mp4
    thumbnail: https://cdn.example.com/t.jpg
    size: 100
    duration: 10
targets:
  viber: {}
locales:
  ru:
    message:
      video:
        url: https://cdn.example.com/ru.mp4
        duration: 20
"""
    data = compile_text(text, "viber", locale="ru").payload["messageData"]
    assert data["videoLink"] == "https://cdn.example.com/ru.mp4"
    assert data["duration"] == 20
    assert (data["videoSize"], data["thumbnail"]) == (100, "https://cdn.example.com/t.jpg")


def test_null_in_an_override_removes_a_field() -> None:
    # whatsapp's `image: null` drops the base image for whatsapp alone: its reply buttons
    # then make an interactive button message (an image cannot carry buttons there).
    wa = compile_text(LAYERS, "whatsapp")
    assert wa.kind == "interactive/button"
    assert "image" not in json.dumps(wa.payload)
    viber = compile_text(LAYERS, "viber")
    assert viber.kind == "text_image_button"
    assert viber.payload["messageData"]["image"] == "https://cdn.example.com/base.jpg"
    # a locale's null removes a field the target layer set
    text = LAYERS + "  es:\n    targets:\n      viber:\n        message:\n          buttons: null\n"
    assert compile_text(text, "viber", locale="es").kind == "text_image"


def test_null_is_not_a_value_in_the_base_message() -> None:
    text = "message:\n  text: hi\n  image: null\ntargets:\n  whatsapp: {}\n"
    diag = errors_of(compile_text, text, "whatsapp")[0]
    assert diag.path == "/message/image"
    assert diag.line == 3


def test_unknown_locale_and_target_not_in_spec() -> None:
    text = LAYERS.replace("      image: null\n", "")
    diag = only(errors_of(compile_text, text, "viber", locale="fr"), "unknown-locale")
    assert "ru" in diag.hint and "de" in diag.hint
    spec = make_spec({"text": "hi"}, "whatsapp")
    diag = only(errors_of(render, spec, "viber", None), "target-not-in-spec")
    assert "whatsapp" in diag.hint


def test_locale_override_of_a_target_the_spec_does_not_compile_for() -> None:
    text = """\
message:
  text: hi
targets:
  whatsapp: {}
locales:
  ru:
    targets:
      viber:
        message:
          text: привет
"""
    diag = only(errors_of(compile_text, text, "whatsapp"), "spec-locale-unknown-target")
    assert diag.line == line_of(text, "viber:")


def test_many_errors_are_reported_together() -> None:
    message = {"text": "hi", "location": LOC, "contacts": [CONTACT], "header": "h"}
    diags = errors_of(compile_message, message, "viber", settings={"rate_type": "Session"})
    assert rules(diags) >= {"viber-unsupported-location", "viber-unsupported-contacts",
                            "viber-unsupported-header"}
