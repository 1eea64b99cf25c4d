"""Every documented limit through the compiler (spec -> render -> lower -> validate): at N
the spec compiles, at N+1 it fails with the limit's rule id. Lengths are Unicode code
points, so text bounds are also tried with "ж" (2 UTF-8 bytes) and "😀" (4 UTF-8 bytes,
2 UTF-16 units). The semantic rules that a JSON Schema cannot state are checked on
hand-built payloads through ``Provider.validate`` and ``msgc check-payload --format json``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import (
    ENVELOPES,
    compile_message,
    compile_text,
    errors_of,
    line_of,
    only,
    render,
    rules,
)

from compiler import providers
from compiler.cli import cli
from compiler.spec import load_spec_text

V = "{{ v }}"
VAR = {"v": {"type": "string", "example": "x"}}
IMG = "https://cdn.example.com/a.jpg"
URL = "https://example.com/x"
LINK = {"title": "Open", "url": URL}
CHARS = ("a", "ж", "😀")


def card(**extra: Any) -> dict[str, Any]:
    return {"title": "T", "image": IMG, "buttons": [LINK], **extra}


def quick(title: str = "More", id_: str = "more") -> dict[str, str]:
    return {"title": title, "id": id_}


def menu(*rows_per_section: int, **row: str) -> dict[str, Any]:
    sections = []
    n = 0
    for s, count in enumerate(rows_per_section):
        rows = []
        for _ in range(count):
            n += 1
            rows.append({"id": row.get("id", f"r{n}"), "title": row.get("title", f"Row {n}"),
                         **({"description": row["description"]} if "description" in row
                            else {})})
        sections.append({"title": row.get("section", f"Section {s}"), "rows": rows})
    return {"button": "Open", "sections": sections}


# -- text lengths ---------------------------------------------------------------------------

# (id, provider, message with V where the text goes, settings, N, rule)
LENGTHS = [
    ("viber-list-text", "viber", {"text": V, "choices": ["a", "b"]}, {}, 85,
     "viber-list-text-length"),
    ("viber-text", "viber", {"text": V}, {"rate_type": "Session"}, 1000, "viber-text-length"),
    ("viber-text-image", "viber", {"text": V, "image": IMG}, {}, 1000, "viber-text-length"),
    ("viber-carousel-text", "viber", {"text": V, "carousel": [card(), card()]}, {}, 1000,
     "viber-text-length"),
    ("viber-primary-label", "viber", {"text": "t", "carousel": [
        card(buttons=[{"title": V, "url": URL}]), card()]}, {}, 10,
     "viber-carousel-primary-label"),
    ("viber-secondary-label", "viber", {"text": "t", "carousel": [
        card(buttons=[LINK, {"title": V, "url": URL}]), card()]}, {}, 12,
     "viber-carousel-secondary-label"),
    ("whatsapp-text", "whatsapp", {"text": V}, {}, 4096, "whatsapp-text-length"),
    ("whatsapp-interactive-body", "whatsapp", {"text": V, "buttons": [quick()]}, {}, 4096,
     "whatsapp-interactive-body-length"),
    ("whatsapp-carousel-body", "whatsapp", {"text": V, "carousel": [card(), card()]}, {}, 1024,
     "whatsapp-carousel-body-length"),
    ("whatsapp-card-text", "whatsapp", {"text": "t", "carousel": [
        {"text": V, "image": IMG, "buttons": [LINK]}, card()]}, {}, 160,
     "whatsapp-carousel-card-text-length"),
    # A card body made from a title alone is "*title*": two characters more.
    ("whatsapp-card-title", "whatsapp", {"text": "t", "carousel": [card(title=V), card()]}, {},
     158, "whatsapp-carousel-card-text-length"),
    # ... and from title and text, "*ab*\n\ntext": six more.
    ("whatsapp-card-title-text", "whatsapp", {"text": "t", "carousel": [
        card(title="ab", text=V), card()]}, {}, 160 - 6, "whatsapp-carousel-card-text-length"),
    ("whatsapp-reply-title", "whatsapp", {"text": "t", "buttons": [quick(title=V)]}, {}, 20,
     "whatsapp-reply-title-length"),
    ("whatsapp-reply-id", "whatsapp", {"text": "t", "buttons": [quick(id_=V)]}, {}, 256,
     "whatsapp-reply-id-length"),
    ("whatsapp-choice-title", "whatsapp", {"text": "t", "choices": [
        {"id": "c1", "title": V}]}, {}, 20, "whatsapp-reply-title-length"),
    ("whatsapp-cta-display-text", "whatsapp", {"text": "t", "carousel": [
        card(buttons=[{"title": V, "url": URL}]), card()]}, {}, 20,
     "whatsapp-carousel-cta-display-text-length"),
    ("whatsapp-quick-reply-id", "whatsapp", {"text": "t", "carousel": [
        card(buttons=[quick(id_=V)]), card(buttons=[quick()])]}, {}, 20,
     "whatsapp-carousel-quick-reply-id-length"),
    ("whatsapp-quick-reply-title", "whatsapp", {"text": "t", "carousel": [
        card(buttons=[quick(title=V)]), card(buttons=[quick()])]}, {}, 20,
     "whatsapp-carousel-quick-reply-title-length"),
    ("whatsapp-row-title", "whatsapp", {"text": "t", "menu": menu(1, title=V)}, {}, 24,
     "whatsapp-row-title-length"),
    ("whatsapp-row-id", "whatsapp", {"text": "t", "menu": menu(1, id=V)}, {}, 200,
     "whatsapp-row-id-length"),
    ("whatsapp-row-description", "whatsapp", {"text": "t", "menu": menu(1, description=V)}, {},
     72, "whatsapp-row-description-length"),
    ("whatsapp-section-title", "whatsapp", {"text": "t", "menu": menu(1, section=V)}, {}, 24,
     "whatsapp-section-title-length"),
    ("whatsapp-choices-row-description", "whatsapp", {"text": "t", "choices": [
        {"title": "a", "description": V}]}, {"list_button": "Pick"}, 72,
     "whatsapp-row-description-length"),
]


@pytest.mark.parametrize("char", CHARS, ids=["ascii", "cyrillic", "emoji"])
@pytest.mark.parametrize(("provider", "message", "settings", "n", "rule"),
                         [c[1:] for c in LENGTHS], ids=[c[0] for c in LENGTHS])
def test_length_limit_at_n_and_n_plus_1(provider: str, message: dict[str, Any],
                                        settings: dict[str, Any], n: int, rule: str,
                                        char: str) -> None:
    ok = compile_message(message, provider, settings=settings, variables=VAR,
                         values={"v": char * n})
    assert char * n in json.dumps(ok.payload, ensure_ascii=False)
    diags = errors_of(compile_message, message, provider, settings=settings, variables=VAR,
                      values={"v": char * (n + 1)})
    assert rules(diags) == {rule}, [d.format() for d in diags]
    diag = diags[0]
    assert diag.provider == provider
    # Traced back to the spec field that holds the template.
    assert diag.path is not None and diag.path.startswith("/message")
    assert _resolve(message, diag.path[len("/message"):]) == V
    assert diag.line is not None
    assert f"at most {COMPOSED.get(rule + str(n), n):,}" in diag.message


COMPOSED = {"whatsapp-carousel-card-text-length158": 160,
            "whatsapp-carousel-card-text-length154": 160}


def _resolve(message: dict[str, Any], pointer: str) -> Any:
    from compiler import pointer as jp

    return jp.resolve(message, pointer)


def test_lengths_count_code_points_not_bytes_or_utf16_units() -> None:
    # 20 emoji are 80 UTF-8 bytes and 40 UTF-16 units, and still 20 characters.
    title = "😀" * 20
    ok = compile_message({"text": "t", "buttons": [quick(title=title)]}, "whatsapp")
    assert ok.payload["interactive"]["action"]["buttons"][0]["reply"]["title"] == title
    assert len(ok.body) > len(json.dumps(ok.payload, ensure_ascii=False))  # bytes > chars


@pytest.mark.parametrize(("provider", "message", "settings", "rule"), [
    ("viber", {"text": V}, {"rate_type": "Session"}, "viber-text-length"),
    ("viber", {"text": V, "choices": ["a", "b"]}, {}, "viber-list-text-length"),
    ("whatsapp", {"text": V}, {}, "whatsapp-text-length"),
    ("whatsapp", {"text": "t", "buttons": [quick(title=V)]}, {}, "whatsapp-reply-title-length"),
    ("whatsapp", {"text": "t", "buttons": [quick(id_=V)]}, {}, "whatsapp-reply-id-length"),
    ("whatsapp", {"text": "t", "menu": menu(1, title=V)}, {}, "whatsapp-row-title-length"),
])
def test_empty_text_fails_where_text_is_required(provider: str, message: dict[str, Any],
                                                 settings: dict[str, Any], rule: str) -> None:
    compile_message(message, provider, settings=settings, variables=VAR, values={"v": "x"})
    diags = errors_of(compile_message, message, provider, settings=settings, variables=VAR,
                      values={"v": ""})
    assert rule in rules(diags)


def test_list_title_setting_is_checked_when_the_spec_loads() -> None:
    message = {"text": "t", "choices": ["a", "b", "c", "d"]}
    ok = compile_message(message, "whatsapp", settings={"list_button": "Pick",
                                                        "list_title": "ж" * 24})
    assert ok.payload["interactive"]["action"]["sections"][0]["title"] == "ж" * 24
    diag = only(errors_of(compile_message, message, "whatsapp",
                          settings={"list_button": "Pick", "list_title": "ж" * 25}),
                "whatsapp-section-title-length")
    assert diag.path == "/targets/whatsapp/list_title"


# -- counts -----------------------------------------------------------------------------------

def _options(n: int) -> dict[str, Any]:
    return {"text": "Pick", "choices": [f"o{i}" for i in range(n)]}


def _viber_cards(n: int) -> dict[str, Any]:
    return {"text": "t", "carousel": [card(title=f"c{i}") for i in range(n)]}


def _wa_cards(n: int) -> dict[str, Any]:
    return {"text": "t", "carousel": [card(title=f"c{i}") for i in range(n)]}


def _replies(n: int) -> dict[str, Any]:
    return {"text": "t", "buttons": [quick(f"b{i}", f"b{i}") for i in range(n)]}


def _quick_cards(n: int) -> dict[str, Any]:
    buttons = [quick(f"q{i}", f"q{i}") for i in range(n)]
    return {"text": "t", "carousel": [card(buttons=buttons), card(buttons=buttons)]}


def _rows(*per_section: int) -> dict[str, Any]:
    return {"text": "t", "menu": menu(*per_section)}


# (id, provider, build(n), settings, valid ns, invalid ns, rule)
COUNTS = [
    ("viber-survey-options", "viber", _options, {}, (2, 5), (1, 6),
     "viber-survey-options-count"),
    ("viber-carousel-items", "viber", _viber_cards, {}, (2, 5), (1, 6),
     "viber-carousel-items-count"),
    ("whatsapp-carousel-cards", "whatsapp", _wa_cards, {}, (2, 10), (1, 11),
     "whatsapp-carousel-cards-count"),
    ("whatsapp-reply-buttons", "whatsapp", _replies, {}, (1, 3), (4,),
     "whatsapp-reply-buttons-count"),
    ("whatsapp-quick-replies", "whatsapp", _quick_cards, {}, (1, 2), (3,),
     "whatsapp-carousel-quick-replies-count"),
    ("whatsapp-rows-in-one-section", "whatsapp", lambda n: _rows(n), {}, (1, 10), (11,),
     "whatsapp-list-rows-count"),
    ("whatsapp-rows-across-sections", "whatsapp", lambda n: _rows(5, n - 5), {}, (6, 10), (11,),
     "whatsapp-list-rows-total"),
    ("whatsapp-sections", "whatsapp", lambda n: _rows(*[1] * n), {}, (1, 10), (11,),
     "whatsapp-list-sections-count"),
    ("whatsapp-choices-as-list-rows", "whatsapp", _options, {"list_button": "Pick"}, (4, 10),
     (11,), "whatsapp-list-rows-count"),
]


@pytest.mark.parametrize(("provider", "build", "settings", "valid", "invalid", "rule"),
                         [c[1:] for c in COUNTS], ids=[c[0] for c in COUNTS])
def test_item_counts_at_both_ends(provider: str, build: Any, settings: dict[str, Any],
                                  valid: tuple[int, ...], invalid: tuple[int, ...],
                                  rule: str) -> None:
    for n in valid:
        compile_message(build(n), provider, settings=settings)
    for n in invalid:
        diags = errors_of(compile_message, build(n), provider, settings=settings)
        assert rule in rules(diags), (n, [d.format() for d in diags])
        assert all(d.line is not None for d in diags if d.rule == rule)


def test_viber_carousel_card_has_at_most_two_buttons() -> None:
    compile_message(_viber_cards(2) | {"carousel": [card(buttons=[LINK, LINK]), card()]},
                    "viber")
    diags = errors_of(compile_message,
                      {"text": "t", "carousel": [card(buttons=[LINK] * 3), card()]}, "viber")
    assert only(diags, "viber-carousel-card-buttons").path == "/message/carousel/0/buttons/2"


# -- video caps -------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "key", "ok", "bad", "rule"), [
    ("size", "videoSize", 209_715_200, 209_715_201, "viber-video-size"),
    ("size", "videoSize", 1, 0, "viber-video-size"),
    ("duration", "duration", 600, 601, "viber-video-duration"),
    ("duration", "duration", 1, 0, "viber-video-duration"),
])
def test_viber_video_caps(field: str, key: str, ok: int, bad: int, rule: str) -> None:
    video = {"url": "https://cdn.example.com/v.mp4", "thumbnail": IMG, "size": 1024,
             "duration": 10}
    variables = {"n": {"type": "integer", "example": 1}}
    message = {"video": {**video, field: "{{ n }}"}}
    result = compile_message(message, "viber", variables=variables, values={"n": ok})
    assert result.payload["messageData"][key] == ok
    diag = only(errors_of(compile_message, message, "viber", variables=variables,
                          values={"n": str(bad)}), rule)
    assert diag.path == f"/message/video/{field}"


# -- rate types -------------------------------------------------------------------------------

RATES = ("Transactional", "Session", "OtpTemplate", "Promotional")
VIDEO = {"url": "https://cdn.example.com/v.mp4", "thumbnail": IMG, "size": 1, "duration": 1}
# Per the NXCloud tables ("可用的计费类型"); OtpTemplate is for OTP template texts only.
ALLOWED = {
    "text": ({"text": "hi"}, {"Transactional", "Session", "Promotional"}),
    "otp": ({"otp": {"template": 1, "params": {"pin": "1"}, "language": "en"}},
            {"OtpTemplate"}),
    "image": ({"image": IMG}, {"Promotional", "Session"}),
    "text_image": ({"text": "hi", "image": IMG}, {"Promotional"}),
    "text_image_button": ({"text": "hi", "image": IMG, "buttons": [LINK]}, {"Promotional"}),
    "text_button": ({"text": "hi", "buttons": [LINK]}, {"Promotional"}),
    "file": ({"document": {"url": URL, "filename": "a.pdf"}}, {"Transactional", "Session"}),
    "video": ({"video": VIDEO}, {"Promotional"}),
    "video_text": ({"video": VIDEO, "text": "hi"}, {"Promotional"}),
    "video_text_button": ({"video": VIDEO, "text": "hi", "buttons": [LINK]}, {"Promotional"}),
    "list": (_options(2), {"Transactional"}),
    "carousel": (_viber_cards(2), {"Promotional"}),
}


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("kind", sorted(ALLOWED))
def test_viber_rate_types_per_function_type(kind: str, rate: str) -> None:
    message, allowed = ALLOWED[kind]
    settings = {"rate_type": rate}
    if rate in allowed:
        result = compile_message(message, "viber", settings=settings)
        assert result.payload["messageData"]["rateType"] == rate
        assert result.payload["functionType"] == ("text" if kind == "otp" else kind)
    else:
        diag = only(errors_of(compile_message, message, "viber", settings=settings),
                    "viber-rate-type")
        assert diag.path == "/targets/viber/rate_type"
        assert diag.line is not None


@pytest.mark.parametrize("kind", sorted(ALLOWED))
def test_viber_rate_type_defaults_only_when_there_is_one_choice(kind: str) -> None:
    message, allowed = ALLOWED[kind]
    if len(allowed) == 1:
        rate = compile_message(message, "viber").payload["messageData"]["rateType"]
        assert rate == next(iter(allowed))
    else:
        diag = only(errors_of(compile_message, message, "viber"), "viber-rate-type-missing")
        for r in allowed:
            assert r in diag.hint


# -- phones, channel type -------------------------------------------------------------------

@pytest.mark.parametrize(("key", "rule"), [("recipient", "whatsapp-phone-digits"),
                                           ("businessPhone", "whatsapp-business-phone-digits")])
def test_whatsapp_phone_numbers_have_7_to_14_digits(key: str, rule: str) -> None:
    for ok in ("1234567", "12345678901234"):
        payload = compile_message({"text": "hi"}, "whatsapp",
                                  envelope={**ENVELOPES["whatsapp"], key: ok}).payload
        assert payload[key] == ok
    for bad in ("123456", "123456789012345", "+7900123456", "7900 123456", "٣٣٣٣٣٣٣٣"):
        diags = errors_of(compile_message, {"text": "hi"}, "whatsapp",
                          envelope={**ENVELOPES["whatsapp"], key: bad})
        assert rules(diags) == {rule}, bad


def test_viber_phone_numbers_have_7_to_15_digits() -> None:
    for ok in ("1234567", "123456789012345"):
        compile_message({"text": "hi"}, "viber", settings={"rate_type": "Session"},
                        envelope={"appkey": "k", "phone": ok})
    for bad in ("123456", "1234567890123456", "791xxxxx730"):
        diags = errors_of(compile_message, {"text": "hi"}, "viber",
                          settings={"rate_type": "Session"},
                          envelope={"appkey": "k", "phone": bad})
        assert rules(diags) == {"viber-phone-digits"}


def test_business_phone_setting_is_checked_when_the_spec_loads() -> None:
    compile_message({"text": "hi"}, "whatsapp", settings={"business_phone": "12345678901234"})
    diag = only(errors_of(compile_message, {"text": "hi"}, "whatsapp",
                          settings={"business_phone": "123456789012345"}),
                "whatsapp-business-phone-digits")
    assert diag.path == "/targets/whatsapp/business_phone"


def test_spec_target_settings_fill_the_envelope() -> None:
    text = """\
message:
  text: hi
targets:
  whatsapp:
    app_id: APP1
    business_phone: "12026693133"
"""
    payload = render(load_spec_text(text), "whatsapp").payload
    assert (payload["appId"], payload["businessPhone"]) == ("APP1", "12026693133")
    assert payload["recipient"] == "10000000001"          # the placeholder


def test_channel_type_is_always_0() -> None:
    wa = providers.get("whatsapp")
    payload = compile_message({"text": "hi"}, "whatsapp").payload
    assert payload["channelType"] == 0
    for bad in (1, "0", False):
        findings = wa.validate({**payload, "channelType": bad})
        assert "whatsapp-channel-type" in {f.rule for f in findings}, bad


# -- file types and template languages ----------------------------------------------------

FILE_TYPES = ("doc", "docx", "rtf", "dot", "dotx", "odt", "odf", "fodt", "txt", "info",
              "pdf", "xps", "pdax", "eps", "xls", "xlsx", "ods", "fods", "csv", "xlsm", "xltx")


@pytest.mark.parametrize("ext", FILE_TYPES)
def test_every_documented_file_type_compiles(ext: str) -> None:
    for name in (f"file.{ext}", f"FILE.{ext.upper()}"):
        result = compile_message({"document": {"url": URL, "filename": name}}, "viber",
                                 settings={"rate_type": "Transactional"})
        assert result.payload["messageData"]["fileType"] == ext


@pytest.mark.parametrize("name", ["setup.exe", "photo.jpg", "archive.zip", "movie.mp4"])
def test_undocumented_file_types_fail(name: str) -> None:
    diag = only(errors_of(compile_message, {"document": {"url": URL, "filename": name}},
                          "viber", settings={"rate_type": "Transactional"}), "viber-file-type")
    assert diag.path == "/message/document/filename"


LANGUAGES = ("en", "ar", "bg", "hr", "cs", "da", "de", "el", "es", "fi", "fr", "he", "my", "hu",
             "id", "it", "nb", "nl", "pl", "pt", "br", "ro", "ru", "sk", "sr", "sv", "th", "tr",
             "uk", "vi", "fa", "be", "ja")


def _otp(template: Any = 1, language: str = "en", **params: Any) -> dict[str, Any]:
    return {"otp": {"template": template, "params": params or {"pin": "1234"},
                    "language": language}}


def test_every_documented_template_language_compiles() -> None:
    assert len(LANGUAGES) == 33
    for lang in LANGUAGES:
        data = compile_message(_otp(language=lang), "viber").payload["messageData"]
        assert data["templateLang"] == lang


@pytest.mark.parametrize("lang", ["pt-BR", "EN", "zz", "english", ""])
def test_undocumented_template_languages_fail(lang: str) -> None:
    diag = only(errors_of(compile_message, _otp(language=lang), "viber"), "viber-otp-language")
    assert diag.path == "/message/otp/language"


# -- OTP template parameters ------------------------------------------------------------------

OTP_PARAMS: dict[int, dict[str, Any]] = {
    1: {"pin": "1234"},
    2: {"pin": "1234"},
    3: {"pin": "1234", "businessPlatformName": "Shop"},
    4: {"pin": "1234", "codeValidityTime": 5},
    5: {"pin": "1234", "pinType": "login", "codeValidityTime": 5},
    6: {"pin": "1234", "businessPlatformName": "Shop", "codeValidityTime": 2},
    7: {"pin": "1234", "pinType": "login"},
    8: {"pin": "1234", "businessPlatformActionName": "sign in"},
    9: {"pin": "1234", "businessPlatformName": "Shop", "codeReason": "you asked"},
}


@pytest.mark.parametrize("template", sorted(OTP_PARAMS))
def test_otp_template_parameters(template: int) -> None:
    params = OTP_PARAMS[template]
    data = compile_message(_otp(template, **params), "viber").payload["messageData"]
    assert data["templateId"] == str(template)
    assert data["templateParams"] == params
    for name in params:                                     # each parameter is required
        fewer = {k: v for k, v in params.items() if k != name} or {"other": "x"}
        diags = errors_of(compile_message, _otp(template, **fewer), "viber")
        assert "viber-otp-params" in rules(diags)
    diags = errors_of(compile_message, _otp(template, **params, extra="x"), "viber")
    assert only(diags, "viber-otp-params").path == "/message/otp/params/extra"


def test_otp_integer_parameters_come_from_templates_and_must_be_whole() -> None:
    variables = {"m": {"type": "string", "example": "5"}}
    message = _otp(4, pin="1", codeValidityTime="{{ m }}")
    data = compile_message(message, "viber", variables=variables).payload["messageData"]
    assert data["templateParams"]["codeValidityTime"] == 5
    assert "message-integer" in rules(errors_of(compile_message, message, "viber",
                                                variables=variables, values={"m": "2.5"}))
    assert "message-number" in rules(errors_of(compile_message, message, "viber",
                                               variables=variables, values={"m": "soon"}))


def test_otp_with_a_provider_template_id_passes_its_params_through() -> None:
    data = compile_message(_otp("c2cdc028-a48b-4187-bbaf-3aaa137b6e23", code="123456"),
                           "viber").payload["messageData"]
    assert data["templateParams"] == {"code": "123456"}


# -- semantic rules: Provider.validate, the compiler, and check-payload --------------------

WA = {"appId": "A1", "businessPhone": "12026693133", "channelType": 0,
      "recipient": "8615986688129"}


def _reply_payload(*titles_ids: tuple[str, str]) -> dict[str, Any]:
    return {**WA, "type": "interactive", "interactive": {
        "type": "button", "body": {"text": "Pick"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": i, "title": t}}
                               for t, i in titles_ids]}}}


def _list_payload(*per_section: int) -> dict[str, Any]:
    sections = [{"title": f"S{s}", "rows": [{"id": f"{s}-{r}", "title": f"R{r}"}
                                            for r in range(n)]}
                for s, n in enumerate(per_section)]
    return {**WA, "type": "interactive", "interactive": {
        "type": "list", "body": {"text": "Pick"},
        "action": {"button": "Open", "sections": sections}}}


def _cta(i: int) -> dict[str, Any]:
    return {"card_index": i, "type": "cta_url",
            "header": {"type": "image", "image": {"link": IMG}}, "body": {"text": f"c{i}"},
            "action": {"name": "cta_url", "parameters": {"display_text": "Go", "url": URL}}}


def _quick_card(i: int, *titles_ids: tuple[str, str]) -> dict[str, Any]:
    return {"card_index": i, "type": "cta_url",
            "header": {"type": "image", "image": {"link": IMG}}, "body": {"text": f"c{i}"},
            "action": {"buttons": [{"type": "quick_reply", "quick_reply": {"id": d, "title": t}}
                                   for t, d in titles_ids or [("More", "m")]]}}


def _carousel_payload(*cards: dict[str, Any]) -> dict[str, Any]:
    return {**WA, "type": "interactive", "interactive": {
        "type": "carousel", "body": {"text": "Deals"}, "action": {"cards": list(cards)}}}


def _otp_payload(template: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"appkey": "k", "phone": "79001234567", "functionType": "text", "messageData": {
        "rateType": "OtpTemplate", "templateId": template, "templateParams": params,
        "templateLang": "en"}}


def _both_kinds_card() -> dict[str, Any]:
    c = _cta(0)
    c["action"]["buttons"] = _quick_card(0)["action"]["buttons"]
    return c


def _index_card(i: int, index: int) -> dict[str, Any]:
    c = _cta(i)
    c["card_index"] = index
    return c


# (id, provider, payload, {(rule, pointer)} expected; empty = valid)
SEMANTIC = [
    ("unique-titles-ok", "whatsapp", _reply_payload(("one", "1"), ("two", "2")), set()),
    ("duplicate-title", "whatsapp", _reply_payload(("one", "1"), ("one", "2")),
     {("whatsapp-reply-button-unique-title", "/interactive/action/buttons/1/reply/title")}),
    ("duplicate-title-case-space", "whatsapp",
     _reply_payload(("Yes", "1"), ("no", "2"), (" yes", "3")),
     {("whatsapp-reply-button-unique-title", "/interactive/action/buttons/2/reply/title")}),
    ("duplicate-id", "whatsapp", _reply_payload(("one", "1"), ("two", "1")),
     {("whatsapp-reply-button-unique-id", "/interactive/action/buttons/1/reply/id")}),
    ("cards-0-1-ok", "whatsapp", _carousel_payload(_cta(0), _cta(1)), set()),
    ("cards-0-2", "whatsapp", _carousel_payload(_cta(0), _index_card(1, 2)),
     {("whatsapp-carousel-card-index", "/interactive/action/cards/1/card_index")}),
    ("cards-from-1", "whatsapp", _carousel_payload(_index_card(0, 1), _index_card(1, 2)),
     {("whatsapp-carousel-card-index", "/interactive/action/cards/0/card_index"),
      ("whatsapp-carousel-card-index", "/interactive/action/cards/1/card_index")}),
    ("cards-repeat-0", "whatsapp", _carousel_payload(_cta(0), _index_card(1, 0)),
     {("whatsapp-carousel-card-index", "/interactive/action/cards/1/card_index")}),
    ("rows-5-5-ok", "whatsapp", _list_payload(5, 5), set()),
    ("rows-6-5", "whatsapp", _list_payload(6, 5),
     {("whatsapp-list-rows-total", "/interactive/action/sections/1/rows/4")}),
    ("rows-1x11-sections", "whatsapp", _list_payload(*[1] * 10, 1),
     {("whatsapp-list-rows-total", "/interactive/action/sections/10/rows/0"),
      ("whatsapp-list-sections-count", "/interactive/action/sections")}),
    ("card-both-kinds", "whatsapp", _carousel_payload(_both_kinds_card(), _cta(1)),
     {("whatsapp-carousel-card-action-kind", "/interactive/action/cards/0/action")}),
    ("same-kind-ok", "whatsapp", _carousel_payload(_quick_card(0), _quick_card(1)), set()),
    ("mixed-kinds", "whatsapp", _carousel_payload(_cta(0), _quick_card(1)),
     {("whatsapp-carousel-same-action", "/interactive/action/cards/1/action")}),
    ("quick-reply-repeat-across-cards-ok", "whatsapp",
     _carousel_payload(_quick_card(0, ("Learn", "l")), _quick_card(1, ("Learn", "l"))), set()),
    ("quick-reply-repeat-in-card", "whatsapp",
     _carousel_payload(_quick_card(0, ("Learn", "l"), ("learn", "m")), _quick_card(1)),
     {("whatsapp-quick-reply-button-unique-title",
       "/interactive/action/cards/0/action/buttons/1/quick_reply/title")}),
    ("otp-4-ok", "viber", _otp_payload("4", {"pin": "1", "codeValidityTime": 5}), set()),
    ("otp-4-missing", "viber", _otp_payload("4", {"pin": "1"}),
     {("viber-otp-params", "/messageData/templateParams")}),
    ("otp-1-extra", "viber", _otp_payload("1", {"pin": "1", "pinType": "x"}),
     {("viber-otp-params", "/messageData/templateParams/pinType")}),
    ("otp-4-int-as-string", "viber", _otp_payload("4", {"pin": "1", "codeValidityTime": "5"}),
     {("viber-otp-param-type", "/messageData/templateParams/codeValidityTime")}),
    ("otp-1-pin-as-int", "viber", _otp_payload("1", {"pin": 1234}),
     {("viber-otp-param-type", "/messageData/templateParams/pin")}),
    ("otp-1-empty-pin", "viber", _otp_payload("1", {"pin": ""}),
     {("viber-otp-param-type", "/messageData/templateParams/pin")}),
    ("otp-9-ok", "viber", _otp_payload("9", {"pin": "1", "businessPlatformName": "S",
                                             "codeReason": "r"}), set()),
]


@pytest.mark.parametrize(("provider", "payload", "expected"), [c[1:] for c in SEMANTIC],
                         ids=[c[0] for c in SEMANTIC])
def test_semantic_rules_through_provider_validate(provider: str, payload: dict[str, Any],
                                                  expected: set[tuple[str, str]]) -> None:
    p = providers.get(provider)
    findings = p.validate(copy.deepcopy(payload))
    if not expected:
        assert findings == []
        return
    # The rule a schema cannot state is found by the provider's code, exactly; the schema
    # may add its own view of the same problem (e.g. both kinds of action on one card).
    semantic = {(f.rule, f.pointer) for f in p.check_payload(copy.deepcopy(payload))}
    schema_side = {(f.rule, f.pointer) for f in findings} - semantic
    assert semantic | {e for e in expected if e in schema_side} == expected
    assert expected <= {(f.rule, f.pointer) for f in findings}
    assert all(f.message for f in findings)


def _check_payload(tmp_path: Path, provider: str, *payloads: Any) -> tuple[int, list[Any]]:
    files = []
    for i, payload in enumerate(payloads):
        path = tmp_path / f"p{i}.json"
        if isinstance(payload, bytes):
            path.write_bytes(payload)
        else:
            path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        files.append(str(path))
    result = CliRunner().invoke(cli, ["check-payload", "-p", provider, "--format", "json",
                                      *files])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else []


@pytest.mark.parametrize(("provider", "payload", "expected"), [c[1:] for c in SEMANTIC],
                         ids=[c[0] for c in SEMANTIC])
def test_semantic_rules_through_check_payload_json(tmp_path: Path, provider: str,
                                                   payload: dict[str, Any],
                                                   expected: set[tuple[str, str]]) -> None:
    code, found = _check_payload(tmp_path, provider, payload)
    assert code == (1 if expected else 0)
    reported = {(d["rule"], d["path"]) for d in found}
    assert expected <= reported and bool(reported) == bool(expected)
    assert reported == {(f.rule, f.pointer) for f in providers.get(provider).validate(payload)}
    for d in found:
        assert {"file", "path", "rule", "severity", "message"} <= set(d)
        assert d["file"].endswith("p0.json")
        assert d["path"] == "" or d["path"].startswith("/")
        assert d["severity"] == "error"
        assert isinstance(d["line"], int) and d["line"] >= 1


def test_check_payload_exit_codes(tmp_path: Path) -> None:
    good = _reply_payload(("one", "1"), ("two", "2"))
    bad = _reply_payload(("one", "1"), ("one", "2"))
    assert _check_payload(tmp_path, "whatsapp", good) == (0, [])
    code, found = _check_payload(tmp_path, "whatsapp", good, bad)
    assert code == 1 and [d["file"][-7:] for d in found] == ["p1.json"]
    code, found = _check_payload(tmp_path, "whatsapp", b'{"appId": ')
    assert code == 1 and found[0]["rule"] == "json-syntax"
    result = CliRunner().invoke(cli, ["check-payload", "-p", "whatsapp", "--format", "json",
                                      str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert json.loads(result.stdout)[0]["rule"] == "io-error"
    result = CliRunner().invoke(cli, ["check-payload", "-p", "telegram", str(tmp_path)])
    assert result.exit_code == 2


def test_check_payload_reports_the_line_of_the_offending_field(tmp_path: Path) -> None:
    payload = _reply_payload(("one", "1"), ("one", "2"))
    code, found = _check_payload(tmp_path, "whatsapp", payload)
    text = (tmp_path / "p0.json").read_text(encoding="utf-8")
    assert code == 1
    assert found[0]["line"] == line_of(text, '"title": "one"', 2)


def test_semantic_rules_through_the_compiler_point_at_the_spec() -> None:
    text = """\
message:
  text: Pick
  buttons:
    - title: "Yes"
      id: y
    - title: "yes "
      id: y2
targets:
  whatsapp: {}
"""
    diag = only(errors_of(compile_text, text, "whatsapp"), "whatsapp-reply-button-unique-title")
    assert diag.line == line_of(text, 'title: "yes "')
    text = """\
message:
  text: Deals
  carousel:
    - title: A
      image: https://cdn.example.com/a.jpg
      buttons:
        - title: Go
          url: https://example.com
    - title: B
      image: https://cdn.example.com/b.jpg
      buttons:
        - title: More
          id: more
targets:
  whatsapp: {}
"""
    diag = only(errors_of(compile_text, text, "whatsapp"), "whatsapp-carousel-same-action")
    assert diag.line == line_of(text, "buttons:", 2)         # card B's buttons
    assert diag.path == "/message/carousel/1/buttons"
    rows = compile_message(_rows(5, 5), "whatsapp").payload
    assert sum(len(s["rows"]) for s in rows["interactive"]["action"]["sections"]) == 10
    cards = compile_message(_wa_cards(10), "whatsapp").payload["interactive"]["action"]["cards"]
    assert [c["card_index"] for c in cards] == list(range(10))
