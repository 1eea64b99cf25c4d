"""Tests for the provider payload schemas in ``schemas/``.

Every documented limit is exercised at N (valid) and N+1 (invalid), at both ends where there are
two.  Cases are data: a ``Case`` names a valid base payload, the field to change and, for invalid
cases, the JSON Schema keyword, the ``x-rule`` id and the path of the single place where the
error must be reported.  Lengths are Unicode code points, so several bounds are also tested with
Cyrillic, astral (emoji) and combining characters.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, ValidationError

Payload = dict[str, Any]
ErrorKey = tuple[str, str, str | None]  # (json_path, validator keyword, x-rule of error.schema)

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
PROVIDERS = ("viber", "whatsapp")


def load_schema(provider: str) -> Payload:
    path = SCHEMA_DIR / f"{provider}.payload.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


SCHEMAS: dict[str, Payload] = {provider: load_schema(provider) for provider in PROVIDERS}
VALIDATORS = {provider: Draft202012Validator(schema) for provider, schema in SCHEMAS.items()}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()


def path_parts(path: str) -> list[str | int]:
    """``"a.0.b"`` -> ``["a", 0, "b"]``; ``""`` is the payload itself."""
    return [int(part) if part.isdigit() else part for part in path.split(".")] if path else []


def json_path(path: str) -> str:
    """Dotted path -> the ``ValidationError.json_path`` jsonschema reports for it."""
    parts = path_parts(path)
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def mutate(payload: Payload, changes: dict[str, Any]) -> Payload:
    """Deep copy of ``payload`` with each dotted path set to its value (or deleted)."""
    result = copy.deepcopy(payload)
    for path, value in changes.items():
        *parents, last = path_parts(path)
        target: Any = result
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = copy.deepcopy(value)
    return result


def rule_of(error: ValidationError) -> str | None:
    return error.schema.get("x-rule") if isinstance(error.schema, dict) else None


def error_keys(provider: str, payload: Payload) -> set[ErrorKey]:
    return {
        (error.json_path, str(error.validator), rule_of(error))
        for error in VALIDATORS[provider].iter_errors(payload)
    }


def assert_valid(provider: str, payload: Payload) -> None:
    messages = [f"{e.json_path}: {e.message}" for e in VALIDATORS[provider].iter_errors(payload)]
    assert messages == []


@dataclass(frozen=True)
class Case:
    base: str  # key of the provider's BASE payloads
    changes: dict[str, Any]  # dotted path -> new value (or DELETE)
    keyword: str | None = None  # None: the changed payload is valid
    rule: str | None = None  # expected x-rule of error.schema
    at: str = ""  # dotted path where the error must be reported

    @property
    def id(self) -> str:
        change = ",".join(f"{path}={describe(value)}" for path, value in self.changes.items())
        return f"{self.base}:{change}->{self.keyword or 'ok'}"


def describe(value: Any) -> str:
    if isinstance(value, str) and len(value) > 16:
        return f"{len(value)}x{value[0]!r}" if len(set(value)) == 1 else f"str[{len(value)}]"
    if isinstance(value, list):
        return f"[{len(value)} items]"
    if isinstance(value, dict):
        return "{" + ",".join(value) + "}"
    return repr(value)


def ok(base: str, path: str, value: Any) -> Case:
    return Case(base, {path: value})


def bad(
    base: str,
    path: str,
    value: Any,
    keyword: str,
    rule: str | None,
    *,
    at: str | None = None,
    also: dict[str, Any] | None = None,
) -> Case:
    """Invalid case; by default the error is expected at ``path`` (its parent for DELETE).

    ``also`` holds changes applied before the one at ``path``.
    """
    if at is None:
        at = path.rpartition(".")[0] if value is DELETE else path
    return Case(base, {**(also or {}), path: value}, keyword, rule, at)


def missing(base: str, path: str, rule: str | None = None) -> Case:
    return bad(base, path, DELETE, "required", rule)


def unknown(
    base: str, parent: str, name: str = "extra", also: dict[str, Any] | None = None
) -> Case:
    """An undocumented field under ``parent`` (``additionalProperties: false``)."""
    path = f"{parent}.{name}" if parent else name
    return bad(base, path, "x", "additionalProperties", None, at=parent, also=also)


def length_bounds(
    base: str, path: str, rule: str, lo: int, hi: int | None, char: str = "a"
) -> list[Case]:
    """``lo``..``hi`` characters valid, ``lo - 1`` and ``hi + 1`` invalid."""
    cases = [ok(base, path, char * lo)]
    if lo > 0:
        cases.append(bad(base, path, char * (lo - 1), "minLength", rule))
    if hi is not None:
        cases.append(ok(base, path, char * hi))
        cases.append(bad(base, path, char * (hi + 1), "maxLength", rule))
    return cases


def count_bounds(
    base: str, path: str, rule: str, lo: int, hi: int | None, make: Callable[[int], Any]
) -> list[Case]:
    """Arrays of ``lo``..``hi`` items valid, ``lo - 1`` and ``hi + 1`` items invalid."""

    def items(n: int) -> list[Any]:
        return [make(i) for i in range(n)]

    cases = [ok(base, path, items(lo)), bad(base, path, items(lo - 1), "minItems", rule)]
    if hi is not None:
        cases.append(ok(base, path, items(hi)))
        cases.append(bad(base, path, items(hi + 1), "maxItems", rule))
    return cases


def number_bounds(base: str, path: str, rule: str, lo: int, hi: int) -> list[Case]:
    return [
        bad(base, path, lo - 1, "minimum", rule),
        ok(base, path, lo),
        ok(base, path, hi),
        bad(base, path, hi + 1, "maximum", rule),
    ]


def digit_bounds(base: str, path: str, rule: str, lo: int, hi: int) -> list[Case]:
    return [
        bad(base, path, "8" * (lo - 1), "pattern", rule),
        ok(base, path, "8" * lo),
        ok(base, path, "8" * hi),
        bad(base, path, "8" * (hi + 1), "pattern", rule),
        bad(base, path, "+" + "8" * (hi - 1), "pattern", rule),
        bad(base, path, "86 158 0000 1795", "pattern", rule),
        bad(base, path, "8" * lo + "\n", "pattern", rule),  # Python's $ alone would accept this
        bad(base, path, "٨" * lo, "pattern", rule),  # Arabic-Indic digits are not ASCII digits
        bad(base, path, int("8" * lo), "type", rule),
    ]


def url_cases(base: str, path: str, rule: str) -> list[Case]:
    return [
        ok(base, path, "http://example.com/a"),
        ok(base, path, "https://example.com/a?b=c"),
        bad(base, path, "ftp://example.com/a", "pattern", rule),
        bad(base, path, "www.example.com/a", "pattern", rule),
        bad(base, path, "", "pattern", rule),
        missing(base, path),
    ]


def check_case(provider: str, case: Case) -> None:
    payload = mutate(BASES[provider][case.base], case.changes)
    found = error_keys(provider, payload)
    if case.keyword is None:
        assert_valid(provider, payload)
        return
    expected = (json_path(case.at), case.keyword, case.rule)
    assert expected in found, found
    # Nothing reported elsewhere (e.g. at a shallower path) or under another rule.
    assert {(path, rule) for path, _, rule in found} == {(expected[0], expected[2])}, found


# --------------------------------------------------------------------------------------------
# Viber (NXCloud) base payloads and cases
# --------------------------------------------------------------------------------------------

URL = "https://example.com/media"


def viber(function_type: str, **message_data: Any) -> Payload:
    return {
        "appkey": "TexxxP6",
        "phone": "79100000730",
        "functionType": function_type,
        "messageData": message_data,
    }


VIDEO = {"thumbnail": URL + ".jpeg", "videoLink": URL + ".mp4", "videoSize": 882472, "duration": 15}


def carousel_item(i: int) -> Payload:
    return {
        "title": f"Title {i}",
        "imageUrl": f"https://example.com/{i}.png",
        "primaryButton": {"label": "Buy", "actionUrl": f"https://example.com/buy/{i}"},
        "secondaryButton": {"label": "More", "actionUrl": f"https://example.com/more/{i}"},
    }


VIBER_BASE: dict[str, Payload] = {
    "text": viber("text", rateType="Transactional", text="Your code is 989724."),
    "text_otp": viber(
        "text",
        rateType="OtpTemplate",
        templateId="c2cdc028-a48b-4187-bbaf-3aaa137b6e23",
        templateParams={"pin": "123456", "codeValidityTime": 5},
        templateLang="en",
    ),
    "image": viber("image", rateType="Promotional", image=URL + ".jpeg"),
    "text_image": viber("text_image", rateType="Promotional", text="Hi", image=URL + ".jpeg"),
    "text_image_button": viber(
        "text_image_button",
        rateType="Promotional",
        text="Hi",
        image=URL + ".jpeg",
        buttonText="Click me",
        buttonLink="http://www.viber.com",
    ),
    "text_button": viber(
        "text_button",
        rateType="Promotional",
        text="Hi",
        buttonText="Click me",
        buttonLink="http://www.viber.com",
    ),
    "file": viber(
        "file", rateType="Transactional", fileName="a.pdf", fileLink=URL + ".pdf", fileType="pdf"
    ),
    "video": viber("video", rateType="Promotional", **VIDEO),
    "video_text": viber("video_text", rateType="Promotional", text="Hi", **VIDEO),
    "video_text_button": viber(
        "video_text_button", rateType="Promotional", text="Hi", buttonText="Watch", **VIDEO
    ),
    "list": viber("list", rateType="Transactional", text="Pick one", surveyOptions=["123", "456"]),
    "carousel": viber(
        "carousel",
        rateType="Promotional",
        text="Our picks",
        carouselItems=[carousel_item(0), carousel_item(1)],
    ),
}

VIBER_TEXT_BASES = (
    "text",
    "text_image",
    "text_image_button",
    "text_button",
    "video_text",
    "video_text_button",
    "carousel",
)
VIDEO_BASES = ("video", "video_text", "video_text_button")

# Rate types per function type, from the NXCloud tables (可用的计费类型).
RATE_TYPES = ("Transactional", "Session", "OtpTemplate", "Promotional")
ALLOWED_RATE_TYPES: dict[str, set[str]] = {
    "text": {"Transactional", "Session", "OtpTemplate", "Promotional"},
    "image": {"Promotional", "Session"},
    "text_image": {"Promotional"},
    "text_image_button": {"Promotional"},
    "text_button": {"Promotional"},
    "file": {"Transactional", "Session"},
    "video": {"Promotional"},
    "video_text": {"Promotional"},
    "video_text_button": {"Promotional"},
    "list": {"Transactional"},
    "carousel": {"Promotional"},
}

# Required messageData fields per function type, from the NXCloud tables (必选 是).
VIBER_REQUIRED: dict[str, tuple[str, ...]] = {
    "text": ("rateType",),
    "image": ("rateType", "image"),
    "text_image": ("rateType", "text", "image"),
    "text_image_button": ("rateType", "text", "image", "buttonText", "buttonLink"),
    "text_button": ("rateType", "text", "buttonText", "buttonLink"),
    "file": ("rateType", "fileName", "fileLink", "fileType"),
    "video": ("rateType", "thumbnail", "videoLink", "videoSize", "duration"),
    "video_text": ("rateType", "thumbnail", "videoLink", "videoSize", "duration", "text"),
    "video_text_button": (
        "rateType",
        "thumbnail",
        "videoLink",
        "videoSize",
        "duration",
        "text",
        "buttonText",
    ),
    "list": ("rateType", "text", "surveyOptions"),
    "carousel": ("rateType", "text", "carouselItems"),
}

# fmt: off
OTP_LANGUAGES = [  # Otp模板语言说明
    "en", "ar", "bg", "hr", "cs", "da", "de", "el", "es", "fi", "fr", "he", "my", "hu", "id",
    "it", "nb", "nl", "pl", "pt", "br", "ro", "ru", "sk", "sr", "sv", "th", "tr", "uk", "vi",
    "fa", "be", "ja",
]
FILE_TYPES = [  # 附录 文件类型列表, extensions without the dot
    "doc", "docx", "rtf", "dot", "dotx", "odt", "odf", "fodt", "txt", "info",
    "pdf", "xps", "pdax", "eps",
    "xls", "xlsx", "ods", "fods", "csv", "xlsm", "xltx",
]
# fmt: on


def viber_cases() -> Iterator[Case]:
    md = "messageData"

    # Envelope.
    yield from digit_bounds("text", "phone", "viber-phone-digits", 7, 15)
    yield from length_bounds("text", "appkey", "viber-appkey-non-empty", 1, None)
    yield bad("text", "appkey", 123, "type", "viber-appkey-non-empty")
    for name in ("appkey", "phone", "functionType", "messageData"):
        yield missing("text", name)
    yield unknown("text", "", "appKey")
    for typo in ("carsoucel", "Text", "template", ""):
        yield bad("text", "functionType", typo, "enum", "viber-function-type")
    yield bad("text", "functionType", 1, "type", "viber-function-type")
    yield bad("text", md, "Your code is 989724.", "type", None)

    # Rate types per function type.
    for function_type, allowed in ALLOWED_RATE_TYPES.items():
        for rate in RATE_TYPES:
            base = "text_otp" if (function_type, rate) == ("text", "OtpTemplate") else function_type
            if rate in allowed:
                yield ok(base, f"{md}.rateType", rate)
            else:
                yield bad(base, f"{md}.rateType", rate, "enum", "viber-rate-type")
    yield bad("text", f"{md}.rateType", "transactional", "enum", "viber-rate-type")
    yield bad("text", f"{md}.rateType", 1, "type", "viber-rate-type")

    # Required fields and unknown fields, per function type.
    for base, fields in VIBER_REQUIRED.items():
        for name in fields:
            yield missing(base, f"{md}.{name}")
        yield unknown(base, md)
    yield unknown("text_button", md, "buttontext")

    # text: plain text xor OTP template, depending on rateType.
    yield missing("text", f"{md}.text", "viber-text-or-template")
    yield bad("text_otp", f"{md}.text", "Your code is 1.", "not", "viber-text-or-template")
    for name in ("templateId", "templateParams", "templateLang"):
        yield missing("text_otp", f"{md}.{name}", "viber-text-or-template")
        value = VIBER_BASE["text_otp"][md][name]
        yield bad("text", f"{md}.{name}", value, "not", "viber-text-or-template")
    rule = "viber-otp-template-id-non-empty"
    yield from length_bounds("text_otp", f"{md}.templateId", rule, 1, None)
    for language in OTP_LANGUAGES:
        yield ok("text_otp", f"{md}.templateLang", language)
    for language in ("EN", "zh", "pt-BR", "ua", ""):
        yield bad("text_otp", f"{md}.templateLang", language, "enum", "viber-otp-language")
    params = f"{md}.templateParams"
    yield ok("text_otp", params, {"pin": "1", "codeValidityTime": 10, "pinType": "login"})
    yield ok("text_otp", params, {})
    yield bad("text_otp", params, [{"pin": "1"}], "type", None)
    for value in (1.5, True, None, ["1"], {"a": 1}):
        yield bad("text_otp", f"{params}.pin", value, "type", "viber-otp-template-param-type")

    # Text lengths: 1000 for every Viber text (carousel's documented limit), 85 for list text.
    for base in VIBER_TEXT_BASES:
        yield from length_bounds(base, f"{md}.text", "viber-text-length", 1, 1000)
        yield bad(base, f"{md}.text", 989724, "type", "viber-text-length")
    for char in ("ж", "😀", "中"):
        yield from length_bounds("text", f"{md}.text", "viber-text-length", 1, 1000, char)
    combining = "e\u0301"  # 2 code points, one user-perceived character
    yield ok("text", f"{md}.text", combining * 500)
    yield bad("text", f"{md}.text", combining * 500 + "e", "maxLength", "viber-text-length")
    for char in ("a", "ж", "😀"):
        yield from length_bounds("list", f"{md}.text", "viber-list-text-length", 1, 85, char)

    # Buttons and links.
    for base in ("text_image_button", "text_button", "video_text_button"):
        yield from length_bounds(base, f"{md}.buttonText", "viber-button-text-non-empty", 1, None)
        yield ok(base, f"{md}.buttonText", "b" * 5000)  # no documented maximum
    yield ok("video_text_button", f"{md}.buttonLink", "https://example.com/watch")
    yield bad("video_text_button", f"{md}.buttonLink", "example.com", "pattern", "viber-url")
    url_fields = {
        "image": ("image",),
        "text_image": ("image",),
        "text_image_button": ("image", "buttonLink"),
        "text_button": ("buttonLink",),
        "file": ("fileLink",),
        "video": ("thumbnail", "videoLink"),
        "video_text": ("thumbnail", "videoLink"),
        "video_text_button": ("thumbnail", "videoLink"),
    }
    for base, fields in url_fields.items():
        for name in fields:
            yield from url_cases(base, f"{md}.{name}", "viber-url")

    # file.
    for file_type in FILE_TYPES:
        yield ok("file", f"{md}.fileType", file_type)
    for file_type in ("PDF", ".pdf", "docm", "jpg", "odf ", ""):
        yield bad("file", f"{md}.fileType", file_type, "enum", "viber-file-type")
    yield from length_bounds("file", f"{md}.fileName", "viber-file-name-non-empty", 1, None)

    # video*: size (200 MiB) and duration (600 s), JSON integers only.
    for base in VIDEO_BASES:
        yield from number_bounds(base, f"{md}.videoSize", "viber-video-size", 1, 209_715_200)
        yield from number_bounds(base, f"{md}.duration", "viber-video-duration", 1, 600)
    for value in ("882472", 882472.5, True, None):
        yield bad("video", f"{md}.videoSize", value, "type", "viber-video-size")
    for value in ("15", 15.5, False):
        yield bad("video", f"{md}.duration", value, "type", "viber-video-duration")
    yield ok("video", f"{md}.duration", 15.0)  # JSON Schema integers include 15.0

    # list.
    options = f"{md}.surveyOptions"
    yield from count_bounds("list", options, "viber-survey-options-count", 2, 5, str)
    yield bad("list", options, "123", "type", "viber-survey-options-count")
    yield bad("list", f"{options}.1", "", "minLength", "viber-survey-option-non-empty")
    yield bad("list", f"{options}.1", 456, "type", "viber-survey-option-non-empty")

    # carousel.
    items = f"{md}.carouselItems"
    yield from count_bounds("carousel", items, "viber-carousel-items-count", 2, 5, carousel_item)
    yield bad("carousel", items, carousel_item(0), "type", "viber-carousel-items-count")
    item = f"{items}.1"
    for char in ("a", "😀"):
        label = f"{item}.primaryButton.label"
        yield from length_bounds("carousel", label, "viber-carousel-primary-label", 1, 10, char)
        label = f"{item}.secondaryButton.label"
        yield from length_bounds("carousel", label, "viber-carousel-secondary-label", 1, 12, char)
    for name in ("title", "imageUrl", "primaryButton"):
        yield missing("carousel", f"{item}.{name}")
    yield ok("carousel", f"{item}.secondaryButton", DELETE)
    yield ok("carousel", f"{item}.title", "")  # no documented limit
    yield unknown("carousel", item, "subtitle")
    yield bad("carousel", f"{item}.primaryButton", "Buy", "type", None)
    for button in ("primaryButton", "secondaryButton"):
        yield missing("carousel", f"{item}.{button}.label")
        yield unknown("carousel", f"{item}.{button}", "style")
        yield from url_cases("carousel", f"{item}.{button}.actionUrl", "viber-url")
    yield from url_cases("carousel", f"{item}.imageUrl", "viber-url")


VIBER_CASES = list(viber_cases())


@pytest.mark.parametrize("case", VIBER_CASES, ids=lambda case: case.id)
def test_viber_payload(case: Case) -> None:
    check_case("viber", case)


# --------------------------------------------------------------------------------------------
# WhatsApp (ITNIO) base payloads and cases
# --------------------------------------------------------------------------------------------


def whatsapp(message_type: str, content: Any) -> Payload:
    return {
        "appId": "DGziZf5u",
        "businessPhone": "91856321321",
        "channelType": 0,
        "recipient": "91856321322",
        "type": message_type,
        message_type: content,
    }


def list_section(i: int) -> Payload:
    row = {"id": f"row-{i}", "title": f"Row {i}", "description": f"Row {i} description"}
    return {"title": f"Section {i}", "rows": [row]}


def list_row(i: int) -> Payload:
    return {"id": f"row-{i}", "title": f"Row {i}"}


def reply_button(i: int) -> Payload:
    return {"type": "reply", "reply": {"id": f"b{i}", "title": f"Button {i}"}}


def quick_reply(i: int) -> Payload:
    return {"type": "quick_reply", "quick_reply": {"id": f"qr-{i}", "title": f"Reply {i}"}}


def card(i: int, action: Payload) -> Payload:
    return {
        "card_index": min(i, 9),  # more than 10 cards must fail on the count only
        "type": "cta_url",
        "header": {"type": "image", "image": {"link": f"https://example.com/{i}.png"}},
        "body": {"text": f"Card {i}"},
        "action": action,
    }


def cta_card(i: int) -> Payload:
    parameters = {"display_text": "Buy now", "url": f"https://shop.example.com/{i}"}
    return card(i, {"name": "cta_url", "parameters": parameters})


def quick_reply_card(i: int) -> Payload:
    return card(i, {"buttons": [quick_reply(2 * i), quick_reply(2 * i + 1)]})


def carousel(make_card: Callable[[int], Payload]) -> Payload:
    return whatsapp(
        "interactive",
        {
            "type": "carousel",
            "body": {"text": "Our picks"},
            "action": {"cards": [make_card(0), make_card(1)]},
        },
    )


CONTACT: Payload = {  # every documented field, so that the structural sweeps reach them all
    "name": {
        "formatted_name": "Ada King, Countess of Lovelace",
        "first_name": "Ada",
        "last_name": "King",
        "middle_name": "Augusta",
        "suffix": "Countess of Lovelace",
        "prefix": "Lady",
    },
    "birthday": "1815-12-10",
    "addresses": [
        {
            "street": "St James's Square 12",
            "city": "London",
            "state": "England",
            "zip": "SW1Y 4JH",
            "country": "United Kingdom",
            "country_code": "GB",
            "type": "HOME",
        }
    ],
    "emails": [{"email": "ada@example.com", "type": "WORK"}],
    "org": {"company": "Analytical Engines", "department": "Programs", "title": "Programmer"},
    "phones": [{"phone": "+44 20 0000 0000", "type": "CELL", "wa_id": "442000000000"}],
    "urls": [{"url": "https://example.com", "type": "WORK"}],
}

WHATSAPP_BASE: dict[str, Payload] = {
    "text": whatsapp("text", {"body": "this is body content"}),
    "text_reply": {**whatsapp("text", {"body": "yes"}), "context": {"refMessageId": "wamid.1"}},
    "image": whatsapp("image", {"link": URL + ".png", "caption": "title"}),
    "video": whatsapp("video", {"link": URL + ".mp4", "caption": "title"}),
    "audio": whatsapp("audio", {"link": URL + ".ogg"}),
    "sticker": whatsapp("sticker", {"link": URL + ".webp"}),
    "document": whatsapp(
        "document", {"link": URL + ".pdf", "filename": "a.pdf", "caption": "title"}
    ),
    "location": whatsapp(
        "location",
        {
            "longitude": "104.056640625",
            "latitude": "62.636152267456",
            "name": "深圳",
            "address": "龙岗区",
        },
    ),
    "contacts": whatsapp("contacts", [CONTACT]),
    "list": whatsapp(
        "interactive",
        {
            "type": "list",
            "header": {"type": "text", "text": "Header"},
            "body": {"text": "Body"},
            "footer": {"text": "Footer"},
            "action": {"button": "Choose", "sections": [list_section(0), list_section(1)]},
        },
    ),
    "button": whatsapp(
        "interactive",
        {
            "type": "button",
            "header": {"type": "text", "text": "Header"},
            "body": {"text": "Body"},
            "footer": {"text": "Footer"},
            "action": {"buttons": [reply_button(0), reply_button(1)]},
        },
    ),
    "location_request": whatsapp(
        "interactive",
        {
            "type": "location_request_message",
            "body": {"text": "Where are you?"},
            "action": {"name": "send_location"},
        },
    ),
    "carousel_cta": carousel(cta_card),
    "carousel_reply": carousel(quick_reply_card),
}


BASES = {"viber": VIBER_BASE, "whatsapp": WHATSAPP_BASE}

LIST_ROW = "interactive.action.sections.0.rows.0"
REPLY_BUTTON = "interactive.action.buttons.0"
CARD = "interactive.action.cards.0"
QUICK_REPLY = f"{CARD}.action.buttons.0"

# Required fields per base payload, from the ITNIO tables (是否必填 是) and status codes.
WHATSAPP_REQUIRED: dict[str, tuple[str, ...]] = {
    "text": ("appId", "businessPhone", "channelType", "recipient", "text.body"),
    "document": ("document.filename",),  # links: see url_cases
    "location": ("location.longitude", "location.latitude", "location.name", "location.address"),
    "contacts": ("contacts.0.name", "contacts.0.name.formatted_name"),
    "list": (
        "interactive.type",
        "interactive.header.type",
        "interactive.body",
        "interactive.body.text",
        "interactive.action",
        "interactive.action.button",
        "interactive.action.sections",
        "interactive.action.sections.0.title",
        "interactive.action.sections.0.rows",
        f"{LIST_ROW}.id",
        f"{LIST_ROW}.title",
    ),
    "button": (
        "interactive.header.type",
        "interactive.body",
        "interactive.body.text",
        "interactive.action",
        "interactive.action.buttons",
        f"{REPLY_BUTTON}.type",
        f"{REPLY_BUTTON}.reply",
        f"{REPLY_BUTTON}.reply.id",
        f"{REPLY_BUTTON}.reply.title",
    ),
    "location_request": (
        "interactive.body",
        "interactive.body.text",
        "interactive.action",
        "interactive.action.name",
    ),
    "carousel_cta": (
        "interactive.body",
        "interactive.body.text",
        "interactive.action",
        "interactive.action.cards",
        f"{CARD}.card_index",
        f"{CARD}.type",
        f"{CARD}.header",  # status -308
        f"{CARD}.header.type",
        f"{CARD}.body",  # status -311
        f"{CARD}.body.text",
        f"{CARD}.action",  # status -312
        f"{CARD}.action.name",  # without it the action is read as quick replies
        f"{CARD}.action.parameters",
        f"{CARD}.action.parameters.display_text",
    ),
    "carousel_reply": (
        f"{CARD}.action.buttons",
        f"{QUICK_REPLY}.type",
        f"{QUICK_REPLY}.quick_reply",
        f"{QUICK_REPLY}.quick_reply.id",
        f"{QUICK_REPLY}.quick_reply.title",
    ),
}


def whatsapp_cases() -> Iterator[Case]:
    for base, paths in WHATSAPP_REQUIRED.items():
        for path in paths:
            yield missing(base, path)

    # Envelope.
    yield from digit_bounds("text", "businessPhone", "whatsapp-business-phone-digits", 7, 14)
    yield from digit_bounds("text", "recipient", "whatsapp-phone-digits", 7, 14)
    yield from length_bounds("text", "appId", "whatsapp-app-id-non-empty", 1, None)
    yield ok("text", "channelType", 0)
    yield bad("text", "channelType", 1, "const", "whatsapp-channel-type")
    yield bad("text", "channelType", "0", "type", "whatsapp-channel-type")
    yield bad("text", "channelType", False, "type", "whatsapp-channel-type")
    yield unknown("text", "", "sign")
    rule = "whatsapp-message-type"
    for value in ("Text", "template", "reaction", ""):
        yield bad("text", "type", value, "enum", rule, also={"text": DELETE})

    # Exactly the content object named by type.
    rule = "whatsapp-content-object"
    for base in ("text", "image", "audio", "video", "location", "document", "sticker", "contacts"):
        yield missing(base, base, rule)
        other = "image" if base == "text" else "text"
        yield bad(other, base, WHATSAPP_BASE[base][base], "not", rule)
    yield missing("list", "interactive", rule)
    yield bad("text", "interactive", WHATSAPP_BASE["list"]["interactive"], "not", rule)
    yield bad("text", "text", "this is body content", "type", None)

    # Reply context.
    yield ok("image", "context", {"refMessageId": "wamid.HBgL"})
    yield missing("text_reply", "context.refMessageId")
    rule = "whatsapp-ref-message-id-non-empty"
    yield from length_bounds("text_reply", "context.refMessageId", rule, 1, None)

    # text.
    for char in ("a", "ж", "😀"):
        yield from length_bounds("text", "text.body", "whatsapp-text-length", 1, 4096, char)
    yield bad("text", "text.body", 1, "type", "whatsapp-text-length")
    yield unknown("text", "text", "preview_url")

    # Media.
    for base in ("image", "video", "audio", "sticker", "document"):
        yield from url_cases(base, f"{base}.link", "whatsapp-url")
        yield unknown(base, base, "url")
    for base in ("image", "video", "document"):
        yield ok(base, f"{base}.caption", "c" * 5000)  # no documented limit
        yield ok(base, f"{base}.caption", DELETE)
        yield bad(base, f"{base}.caption", 1, "type", None)
    for base in ("audio", "sticker"):
        yield unknown(base, base, "caption")

    # location: four required strings; coordinates look like decimal numbers.
    rule = "whatsapp-coordinate-format"
    for name in ("longitude", "latitude"):
        path = f"location.{name}"
        for value in ("0", "-33.8688", "+151.2093", "104.056640625"):
            yield ok("location", path, value)
        for value in ("", "62,63", "62.", ".5", "1e5", "abc", "62.6\n", " 62.6"):
            yield bad("location", path, value, "pattern", rule)
        yield bad("location", path, 62.636152267456, "type", rule)
    yield bad("location", "location.name", 1, "type", None)
    yield unknown("location", "location", "link")

    # contacts.
    rule = "whatsapp-contacts-count"
    yield from count_bounds("contacts", "contacts", rule, 1, None, lambda i: CONTACT)
    yield ok("contacts", "contacts", [CONTACT] * 3)
    yield bad("contacts", "contacts", CONTACT, "type", rule)
    contact = "contacts.0"
    yield ok("contacts", contact, {"name": {"formatted_name": "Ada"}})
    yield unknown("contacts", contact, "nickname")
    rule = "whatsapp-contact-birthday-format"
    for value in ("1995/01/11", "95-01-11", "1995-1-11", "1995-01-11\n", "11-01-1995"):
        yield bad("contacts", f"{contact}.birthday", value, "pattern", rule)
    rule = "whatsapp-contact-info-type"
    for kind in ("addresses", "emails", "urls"):
        entry = f"{contact}.{kind}.0"
        for value in ("HOME", "WORK"):
            yield ok("contacts", f"{entry}.type", value)
        for value in ("home", "OFFICE", "CELL"):
            yield bad("contacts", f"{entry}.type", value, "enum", rule)
        yield unknown("contacts", entry, "label")
    rule = "whatsapp-contact-phone-type"
    for value in ("CELL", "MAIN", "IPHONE", "HOME", "WORK"):
        yield ok("contacts", f"{contact}.phones.0.type", value)
    for value in ("MOBILE", "cell"):
        yield bad("contacts", f"{contact}.phones.0.type", value, "enum", rule)

    # interactive: dispatched on its own type.
    yield bad("list", "interactive.type", "product", "enum", "whatsapp-interactive-type")
    yield bad("list", "interactive", "list", "type", None)

    # interactive list and button: shared header/body/footer.
    for base in ("list", "button"):
        rule = "whatsapp-interactive-body-length"
        yield from length_bounds(base, "interactive.body.text", rule, 1, 4096)
        yield ok(base, "interactive.header", DELETE)
        yield ok(base, "interactive.header.text", DELETE)
        yield ok(base, "interactive.footer", DELETE)
        yield ok(base, "interactive.footer.text", DELETE)
        rule = "whatsapp-interactive-header-type"
        for value in ("interactive", "image"):  # the table says "interactive", the example "text"
            yield bad(base, "interactive.header.type", value, "const", rule)
        yield unknown(base, "interactive.footer")
        yield unknown(base, "interactive")

    # list.
    action = "interactive.action"
    sections = f"{action}.sections"
    rows = f"{sections}.0.rows"
    yield from count_bounds("list", sections, "whatsapp-list-sections-count", 1, 10, list_section)
    yield from count_bounds("list", rows, "whatsapp-list-rows-count", 1, 10, list_row)
    yield from length_bounds("list", f"{action}.button", "whatsapp-list-button-non-empty", 1, None)
    for char in ("a", "😀"):
        rule = "whatsapp-section-title-length"
        yield from length_bounds("list", f"{sections}.0.title", rule, 1, 24, char)
        yield from length_bounds(
            "list", f"{rows}.0.title", "whatsapp-row-title-length", 1, 24, char
        )
    yield from length_bounds("list", f"{rows}.0.id", "whatsapp-row-id-length", 1, 200)
    for char in ("a", "ж"):
        rule = "whatsapp-row-description-length"
        yield from length_bounds("list", f"{rows}.0.description", rule, 0, 72, char)
    yield ok("list", f"{rows}.0.description", DELETE)
    yield unknown("list", f"{rows}.0")

    # button.
    buttons = "interactive.action.buttons"
    reply = f"{buttons}.0.reply"
    yield from count_bounds("button", buttons, "whatsapp-reply-buttons-count", 1, 3, reply_button)
    yield from length_bounds("button", f"{reply}.id", "whatsapp-reply-id-length", 1, 256)
    for char in ("a", "😀"):
        yield from length_bounds(
            "button", f"{reply}.title", "whatsapp-reply-title-length", 1, 20, char
        )
    for value in ("quick_reply", "REPLY"):
        yield bad("button", f"{buttons}.0.type", value, "const", "whatsapp-reply-button-type")

    # location_request_message: body and action only.
    base = "location_request"
    rule = "whatsapp-location-request-body-non-empty"
    yield from length_bounds(base, "interactive.body.text", rule, 1, None)
    yield ok(base, "interactive.body.text", "x" * 5000)
    rule = "whatsapp-location-request-action-name"
    for value in ("send-location", "location"):
        yield bad(base, "interactive.action.name", value, "const", rule)
    for name in ("header", "footer"):
        yield unknown(base, "interactive", name)

    # carousel: no header or footer, body 1..1024, 2..10 cards.
    rule = "whatsapp-carousel-no-header-footer"
    yield bad("carousel_cta", "interactive.header", {"type": "text", "text": "x"}, "not", rule)
    yield bad("carousel_reply", "interactive.footer", {"text": "x"}, "not", rule)
    rule = "whatsapp-carousel-body-length"
    for char in ("a", "😀"):
        yield from length_bounds("carousel_cta", "interactive.body.text", rule, 1, 1024, char)
    cards = "interactive.action.cards"
    rule = "whatsapp-carousel-cards-count"
    yield from count_bounds("carousel_cta", cards, rule, 2, 10, cta_card)
    yield from count_bounds("carousel_reply", cards, rule, 2, 10, quick_reply_card)

    # carousel card: index 0..9, type cta_url (also on quick-reply cards), all parts required.
    first = f"{cards}.0"
    rule = "whatsapp-carousel-card-index"
    yield from number_bounds("carousel_cta", f"{first}.card_index", rule, 0, 9)
    for value in ("0", 0.5, None):
        yield bad("carousel_cta", f"{first}.card_index", value, "type", rule)
    for value in ("quick_reply", "image", "CTA_URL"):
        yield bad("carousel_reply", f"{first}.type", value, "const", "whatsapp-carousel-card-type")
    yield unknown("carousel_cta", first, "footer")

    # carousel card header: image or video, carrying the matching media object.
    header = f"{first}.header"
    rule = "whatsapp-carousel-header-media"
    yield ok("carousel_cta", header, {"type": "video", "video": {"link": URL + ".mp4"}})
    for value in ("document", "text", "IMAGE"):
        yield bad("carousel_cta", f"{header}.type", value, "enum", "whatsapp-carousel-header-type")
    yield bad("carousel_cta", header, {"type": "image"}, "required", rule)
    yield bad("carousel_cta", header, {"type": "video"}, "required", rule)
    both = {"type": "image", "image": {"link": URL}, "video": {"link": URL}}
    yield bad("carousel_cta", header, both, "not", rule, at=f"{header}.video")
    yield bad("carousel_cta", header, {**both, "type": "video"}, "not", rule, at=f"{header}.image")
    yield from url_cases("carousel_cta", f"{header}.image.link", "whatsapp-url")
    video_header = {"type": "video", "video": {"link": "ftp://example.com/a.mp4"}}
    yield bad(
        "carousel_cta", header, video_header, "pattern", "whatsapp-url", at=f"{header}.video.link"
    )

    # carousel card body.
    rule = "whatsapp-carousel-card-text-length"
    for char in ("a", "😀"):
        yield from length_bounds("carousel_reply", f"{first}.body.text", rule, 1, 160, char)

    # carousel card action: one URL button ...
    card_action = f"{first}.action"
    parameters = f"{card_action}.parameters"
    for value in ("url", "quick_reply", "CTA_URL"):
        yield bad(
            "carousel_cta", f"{card_action}.name", value, "const", "whatsapp-carousel-cta-name"
        )
    table_form = [{"display_text": "Buy now", "url": URL}]  # the table calls parameters an array
    yield bad("carousel_cta", parameters, table_form, "type", None)
    rule = "whatsapp-carousel-cta-display-text-length"
    for char in ("a", "😀"):
        yield from length_bounds("carousel_cta", f"{parameters}.display_text", rule, 1, 20, char)
    yield from url_cases("carousel_cta", f"{parameters}.url", "whatsapp-url")
    rule = "whatsapp-carousel-action-kind"
    yield bad("carousel_cta", f"{card_action}.buttons", [quick_reply(0)], "not", rule)

    # ... or 1-2 quick-reply buttons.
    qr_buttons = f"{card_action}.buttons"
    qr = f"{qr_buttons}.0.quick_reply"
    rule = "whatsapp-carousel-quick-replies-count"
    yield from count_bounds("carousel_reply", qr_buttons, rule, 1, 2, quick_reply)
    yield bad("carousel_reply", card_action, {}, "required", None)
    yield unknown("carousel_reply", card_action, "parameters")
    rule = "whatsapp-carousel-quick-reply-type"
    for value in ("reply", "cta_url"):
        yield bad("carousel_reply", f"{qr_buttons}.0.type", value, "const", rule)
    rule = "whatsapp-carousel-quick-reply-id-length"
    yield from length_bounds("carousel_reply", f"{qr}.id", rule, 1, 20)
    rule = "whatsapp-carousel-quick-reply-title-length"
    for char in ("a", "😀"):
        yield from length_bounds("carousel_reply", f"{qr}.title", rule, 1, 20, char)


WHATSAPP_CASES = list(whatsapp_cases())


@pytest.mark.parametrize("case", WHATSAPP_CASES, ids=lambda case: case.id)
def test_whatsapp_payload(case: Case) -> None:
    check_case("whatsapp", case)


# Situations that legitimately report at more than one place: the full error set is pinned.
MULTI_ERROR_CASES: list[tuple[str, str, dict[str, Any], set[ErrorKey]]] = [
    (
        "whatsapp",
        "text",
        {"type": "image"},
        {
            ("$", "required", "whatsapp-content-object"),
            ("$.text", "not", "whatsapp-content-object"),
        },
    ),
    (
        "whatsapp",
        "text",
        {"type": DELETE},
        {("$", "required", None), ("$.text", "not", "whatsapp-content-object")},
    ),
    (
        "whatsapp",
        "text",
        {"type": "txt"},
        {("$.type", "enum", "whatsapp-message-type"), ("$.text", "not", "whatsapp-content-object")},
    ),
    (
        "viber",
        "text",
        {"messageData.rateType": "OtpTemplate"},
        {
            ("$.messageData", "required", "viber-text-or-template"),
            ("$.messageData.text", "not", "viber-text-or-template"),
        },
    ),
]


@pytest.mark.parametrize(("provider", "base", "changes", "expected"), MULTI_ERROR_CASES)
def test_multi_error_payloads(
    provider: str, base: str, changes: dict[str, Any], expected: set[ErrorKey]
) -> None:
    assert error_keys(provider, mutate(BASES[provider][base], changes)) == expected


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("body", [[], "text", None, 0])
def test_body_must_be_an_object(provider: str, body: Any) -> None:
    assert error_keys(provider, body) == {("$", "type", None)}


@pytest.mark.parametrize(
    ("provider", "base"),
    [(provider, name) for provider, bases in BASES.items() for name in bases],
)
def test_base_payloads_are_valid(provider: str, base: str) -> None:
    assert_valid(provider, BASES[provider][base])


# Structural sweeps over every node of every base payload: each documented object rejects an
# unknown field (``additionalProperties: false``) and each field rejects a value of the wrong
# JSON type, at the field itself.
OPEN_OBJECTS = {"messageData.templateParams"}  # any template parameter name is allowed
DISPATCH_FIELDS = {"functionType", "type", "messageData.rateType", "interactive.type"}


def payload_nodes(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict | list):
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            yield from payload_nodes(child, f"{path}.{key}" if path else str(key))


def sweep(select: Callable[[str, Any], bool]) -> list[Any]:
    return [
        pytest.param(provider, base, path, value, id=f"{base}:{path or '$'}")
        for provider, bases in BASES.items()
        for base, payload in bases.items()
        for path, value in payload_nodes(payload)
        if select(path, value)
    ]


@pytest.mark.parametrize(
    ("provider", "base", "path", "value"),
    sweep(lambda path, value: isinstance(value, dict) and path not in OPEN_OBJECTS),
)
def test_every_object_rejects_unknown_fields(
    provider: str, base: str, path: str, value: Any
) -> None:
    field_path = f"{path}.zz_unknown" if path else "zz_unknown"
    payload = mutate(BASES[provider][base], {field_path: "x"})
    assert error_keys(provider, payload) == {(json_path(path), "additionalProperties", None)}


@pytest.mark.parametrize(
    ("provider", "base", "path", "value"),
    sweep(lambda path, value: bool(path) and path not in DISPATCH_FIELDS),
)
def test_every_field_rejects_the_wrong_json_type(
    provider: str, base: str, path: str, value: Any
) -> None:
    wrong: Any = {} if isinstance(value, list) else [value]
    found = error_keys(provider, mutate(BASES[provider][base], {path: wrong}))
    assert found, "wrong JSON type accepted"
    assert {where for where, _, _ in found} == {json_path(path)}, found
    assert {keyword for _, keyword, _ in found} <= {"type", "enum", "const", "not"}, found


# --------------------------------------------------------------------------------------------
# Property-based tests
# --------------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=1000))
def test_viber_any_text_of_1_to_1000_code_points_is_valid(text: str) -> None:
    assert_valid("viber", mutate(VIBER_BASE["text"], {"messageData.text": text}))


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1001, max_size=1300))
def test_viber_any_text_over_1000_code_points_is_rejected(text: str) -> None:
    payload = mutate(VIBER_BASE["carousel"], {"messageData.text": text})
    assert error_keys("viber", payload) == {
        ("$.messageData.text", "maxLength", "viber-text-length")
    }


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.from_regex(r"[0-9]{5,16}", fullmatch=True), st.text(max_size=20)))
def test_whatsapp_recipient_is_valid_iff_7_to_14_ascii_digits(recipient: str) -> None:
    payload = mutate(WHATSAPP_BASE["text"], {"recipient": recipient})
    expected = (
        set()
        if re.fullmatch(r"[0-9]{7,14}", recipient)
        else {("$.recipient", "pattern", "whatsapp-phone-digits")}
    )
    assert error_keys("whatsapp", payload) == expected


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_whatsapp_row_title_is_valid_iff_1_to_24_code_points(title: str) -> None:
    payload = mutate(WHATSAPP_BASE["list"], {"interactive.action.sections.0.rows.0.title": title})
    assert (not error_keys("whatsapp", payload)) == (1 <= len(title) <= 24)


# --------------------------------------------------------------------------------------------
# Request examples from the two documents
# --------------------------------------------------------------------------------------------
# Transcribed as printed, except for JSON syntax (the WhatsApp examples' trailing commas and
# // comments are dropped).  Documented deviations are applied by ``Deviation.fix``; each
# deviation pins the errors its original form produces.


@dataclass(frozen=True)
class Deviation:
    name: str
    fix: Callable[[Payload], None]
    errors: frozenset[ErrorKey]


@dataclass(frozen=True)
class Example:
    provider: str
    body: Payload
    deviations: tuple[Deviation, ...] = field(default=())

    def fixed(self, skip: Deviation | None = None) -> Payload:
        body = copy.deepcopy(self.body)
        for deviation in self.deviations:
            if deviation is not skip:
                deviation.fix(body)
        return body


def _unmask_phone(body: Payload) -> None:
    body["phone"] = body["phone"].replace("x", "0")


def _fix_carousel_typo(body: Payload) -> None:
    body["functionType"] = "carousel"


def _business_phone_as_string(body: Payload) -> None:
    body["businessPhone"] = str(body["businessPhone"])


def _shorten_business_phone(body: Payload) -> None:
    value = body["businessPhone"]
    body["businessPhone"] = type(value)(str(value)[:13])


def _shorten_recipient(body: Payload) -> None:
    body["recipient"] = body["recipient"][:13]


def _add_location_type(body: Payload) -> None:
    body["type"] = "location"


def _drop_location_link(body: Payload) -> None:
    del body["location"]["link"]


MASKED_PHONE = Deviation(
    "Viber phone numbers are masked with x; msgc sends digits",
    _unmask_phone,
    frozenset({("$.phone", "pattern", "viber-phone-digits")}),
)
CAROUSEL_TYPO = Deviation(
    "functionType 'carsoucel' is a typo for 'carousel'",
    _fix_carousel_typo,
    frozenset({("$.functionType", "enum", "viber-function-type")}),
)
NUMERIC_BUSINESS_PHONE = Deviation(
    "businessPhone is a String in the table; some examples send a number",
    _business_phone_as_string,
    frozenset({("$.businessPhone", "type", "whatsapp-business-phone-digits")}),
)
LONG_BUSINESS_PHONE = Deviation(
    "businessPhone of 16 digits breaks the 7..14 rule (status -93)",
    _shorten_business_phone,
    frozenset({("$.businessPhone", "pattern", "whatsapp-business-phone-digits")}),
)
LONG_RECIPIENT = Deviation(
    "recipient of 17 digits breaks the 7..14 rule (status -70)",
    _shorten_recipient,
    frozenset({("$.recipient", "pattern", "whatsapp-phone-digits")}),
)
LOCATION_WITHOUT_TYPE = Deviation(
    "the location example has no type; msgc sends type location",
    _add_location_type,
    frozenset({("$", "required", None), ("$.location", "not", "whatsapp-content-object")}),
)
LOCATION_LINK = Deviation(
    "the location example carries a stray link; msgc sends none",
    _drop_location_link,
    frozenset({("$.location", "additionalProperties", None)}),
)

VIBER_ENVELOPE: Payload = {"appkey": "TexxxP6", "phone": "791xxxxx730"}
VIBER_VIDEO_EXAMPLE: Payload = {
    "rateType": "Promotional",
    "thumbnail": "https://***.jpeg",
    "videoSize": 882472,
    "duration": 15,
    "videoLink": "https://***.mp4",
}
VIBER_CAROUSEL_EXAMPLE_ITEMS: list[Payload] = [
    {
        "title": "标题1",
        "imageUrl": "http://xxxx.png",
        "primaryButton": {"label": "按钮1文案", "actionUrl": "https://www.xxx.com"},
        "secondaryButton": {"label": "按钮2文案", "actionUrl": "https://www.xxx.com"},
    },
    {
        "title": "标题2",
        "imageUrl": "https://example.com/images/sum.jpg",
        "primaryButton": {"label": "按钮1文案", "actionUrl": "https://www.xxx.com"},
        "secondaryButton": {"label": "按钮2文案", "actionUrl": "https://www.xxxx.com/"},
    },
]


def viber_example(function_type: str, message_data: Payload) -> Example:
    body = {**VIBER_ENVELOPE, "functionType": function_type, "messageData": message_data}
    deviations = (MASKED_PHONE, CAROUSEL_TYPO) if function_type == "carsoucel" else (MASKED_PHONE,)
    return Example("viber", body, deviations)


def whatsapp_example(body: Payload, *deviations: Deviation) -> Example:
    return Example("whatsapp", body, deviations)


S3_LINK = (
    "https://test-itnio-im.s3.us-west-2.amazonaws.com/im-img-file/4be035c4c37b4a6c8d4"
    "0690ce27e5660.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260310T034655Z&X"
    "-Amz-SignedHeaders=host&X-Amz-Credential=AKIAUTJFJ2APHYZXEONS%2F20260310%2Fus-we"
    "st-2%2Fs3%2Faws4_request&X-Amz-Expires=86400&X-Amz-Signature=51eaa3dbcc3034fedea"
    "5e99e1c88b6410e9158615cf26b016fe3e022da175e60"
)
BLUE = (
    "*Blue Echeveria*nnA rosette-shaped succulent with powdery blue leaves, perfect for "
    "brightening up any space."
)
ZEBRA = (
    "*Zebra Haworthia*nnStriking white stripes on deep green leaves give this compact "
    "succulent a bold, modern look."
)


def doc_cta_card(index: int, text: str, url: str) -> Payload:
    return {
        "card_index": index,
        "type": "cta_url",
        "header": {"type": "image", "image": {"link": S3_LINK}},
        "body": {"text": text},
        "action": {"name": "cta_url", "parameters": {"display_text": "Buy now", "url": url}},
    }


def doc_quick_reply_card(index: int) -> Payload:
    return {
        "card_index": index,
        "type": "cta_url",
        "header": {
            "type": "image",
            "image": {"link": "https://www.luckyshrub.com/assets/blue-echeveria.jpeg"},
        },
        "body": {"text": BLUE},
        "action": {
            "buttons": [
                {
                    "type": "quick_reply",
                    "quick_reply": {"id": "learn-blue-echeveria", "title": "Learn more"},
                }
            ]
        },
    }


def doc_list_section(n: int) -> Payload:
    return {
        "title": f"SECTION_{n}_TITLE",
        "rows": [
            {
                "id": f"SECTION_{n}_ROW_{r}_ID",
                "title": f"SECTION_{n}_ROW_{r}_TITLE",
                "description": f"SECTION_{n}_ROW_{r}_DESCRIPTION",
            }
            for r in (1, 2)
        ],
    }


WA_MEDIA_ENVELOPE: Payload = {
    "appId": "DGziZf5u",
    "businessPhone": "91856321321",
    "recipient": "91856321322",
    "channelType": 0,
}
WA_INTERACTIVE_ENVELOPE: Payload = {
    "appId": "7WY0BQ7W",
    "businessPhone": 6282299953162,
    "channelType": 0,
    "recipient": "8614718004557",
}

EXAMPLES: dict[str, Example] = {
    "viber-text": viber_example(
        "text", {"rateType": "Transactional", "text": "Your code is 989724."}
    ),
    "viber-image": viber_example("image", {"rateType": "Promotional", "image": "https://***.jpeg"}),
    "viber-text_image": viber_example(
        "text_image",
        {"rateType": "Promotional", "text": "Your code is 989724.", "image": "https://***.jpeg"},
    ),
    "viber-text_image_button": viber_example(
        "text_image_button",
        {
            "rateType": "Promotional",
            "text": "Your code is 989724.",
            "image": "https://***.jpeg",
            "buttonText": "Click me",
            "buttonLink": "http://www.viber.com",
        },
    ),
    "viber-text_button": viber_example(
        "text_button",
        {
            "rateType": "Promotional",
            "text": "Your code is 989724.",
            "buttonText": "Click me",
            "buttonLink": "http://www.viber.com",
        },
    ),
    "viber-file": viber_example(
        "file",
        {
            "rateType": "Transactional",
            "fileType": "pdf",
            "fileName": "fileName.pdf",
            "fileLink": "https://***.pdf",
        },
    ),
    "viber-video": viber_example("video", VIBER_VIDEO_EXAMPLE),
    "viber-video_text": viber_example(
        "video_text", {**VIBER_VIDEO_EXAMPLE, "text": "Your code is 989724."}
    ),
    "viber-video_text_button": viber_example(
        "video_text_button",
        {**VIBER_VIDEO_EXAMPLE, "text": "Your code is 989724.", "buttonText": "button text"},
    ),
    "viber-list": viber_example(
        "list",
        {
            "rateType": "Transactional",
            "surveyOptions": ["123", "456"],
            "text": "Please select a string of numbers",
        },
    ),
    "viber-carousel": viber_example(
        "carsoucel",
        {
            "rateType": "Promotional",
            "text": "消息文本",
            "carouselItems": VIBER_CAROUSEL_EXAMPLE_ITEMS,
        },
    ),
    "whatsapp-text": whatsapp_example(
        {**WA_MEDIA_ENVELOPE, "type": "text", "text": {"body": "this is body content"}}
    ),
    "whatsapp-text-context": whatsapp_example(
        {
            "appId": "DGziZf5u",
            "businessPhone": "17376111187",
            "recipient": "8618099900000",
            "channelType": 0,
            "type": "text",
            "text": {"body": "this is body content"},
            "context": {"refMessageId": "1"},
        }
    ),
    "whatsapp-image": whatsapp_example(
        {
            **WA_MEDIA_ENVELOPE,
            "type": "image",
            "image": {"link": "https://abc.com/log.png", "caption": "title"},
        }
    ),
    "whatsapp-document": whatsapp_example(
        {
            **WA_MEDIA_ENVELOPE,
            "type": "document",
            "document": {"link": "https://abc.com/log.png", "filename": "123", "caption": "title"},
        }
    ),
    "whatsapp-audio": whatsapp_example(
        {**WA_MEDIA_ENVELOPE, "type": "audio", "audio": {"link": "https://abc.com/log.png"}}
    ),
    "whatsapp-video": whatsapp_example(
        {
            **WA_MEDIA_ENVELOPE,
            "type": "video",
            "video": {"link": "https://abc.com/log.png", "caption": "title"},
        }
    ),
    "whatsapp-sticker": whatsapp_example(
        {**WA_MEDIA_ENVELOPE, "type": "sticker", "sticker": {"link": "https://abc.com/log.webp"}}
    ),
    "whatsapp-location": whatsapp_example(
        {
            **WA_MEDIA_ENVELOPE,
            "location": {
                "address": "深圳市龙岗区",
                "latitude": "62.636152267456",
                "link": "https://123",
                "name": "深圳",
                "longitude": "104.056640625",
            },
        },
        LOCATION_WITHOUT_TYPE,
        LOCATION_LINK,
    ),
    "whatsapp-interactive-list": whatsapp_example(
        {
            **WA_INTERACTIVE_ENVELOPE,
            "type": "interactive",
            "interactive": {
                "type": "list",
                "header": {"type": "text", "text": "HEADER_TEXT"},
                "body": {"text": "BODY_TEXT"},
                "footer": {"text": "FOOTER_TEXT"},
                "action": {
                    "button": "BUTTON_TEXT",
                    "sections": [doc_list_section(1), doc_list_section(2)],
                },
            },
        },
        NUMERIC_BUSINESS_PHONE,
    ),
    "whatsapp-interactive-button": whatsapp_example(
        {
            **WA_INTERACTIVE_ENVELOPE,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "BUTTON_TEXT"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": "22", "title": "one"}},
                        {"type": "reply", "reply": {"id": "33", "title": "two"}},
                    ]
                },
            },
        },
        NUMERIC_BUSINESS_PHONE,
    ),
    "whatsapp-interactive-location-request": whatsapp_example(
        {
            "appId": "zRTc00Vs",
            "businessPhone": 6282292229952762,
            "channelType": 0,
            "recipient": "86173333376738687",
            "type": "interactive",
            "interactive": {
                "type": "location_request_message",
                "body": {"text": "广东省深圳市龙岗区"},
                "action": {"name": "send_location"},
            },
        },
        LONG_BUSINESS_PHONE,
        NUMERIC_BUSINESS_PHONE,
        LONG_RECIPIENT,
    ),
    "whatsapp-contacts": whatsapp_example(
        {
            **WA_INTERACTIVE_ENVELOPE,
            "type": "contacts",
            "contacts": [
                {
                    "addresses": [
                        {
                            "street": "STREET",
                            "city": "CITY",
                            "state": "STATE",
                            "zip": "ZIP",
                            "country": "COUNTRY",
                            "country_code": "COUNTRY_CODE",
                            "type": address_type,
                        }
                        for address_type in ("HOME", "WORK")
                    ],
                    "birthday": "1995-01-11",
                    "emails": [
                        {"email": "EMAIL", "type": "WORK"},
                        {"email": "EMAIL", "type": "HOME"},
                    ],
                    "name": {
                        "formatted_name": "NAME",
                        "first_name": "FIRST_NAME",
                        "last_name": "LAST_NAME",
                        "middle_name": "MIDDLE_NAME",
                        "suffix": "SUFFIX",
                        "prefix": "PREFIX",
                    },
                    "org": {"company": "COMPANY", "department": "DEPARTMENT", "title": "TITLE"},
                    "phones": [
                        {"phone": "PHONE_NUMBER", "type": "HOME"},
                        {"phone": "PHONE_NUMBER", "type": "WORK", "wa_id": "PHONE_OR_WA_ID"},
                    ],
                    "urls": [{"url": "URL", "type": "WORK"}, {"url": "URL", "type": "HOME"}],
                }
            ],
        },
        NUMERIC_BUSINESS_PHONE,
    ),
    "whatsapp-carousel-cta-url": whatsapp_example(
        {
            "appId": "lYOxMDYC",
            "channelType": 0,
            "recipient": "8615986688129",
            "businessPhone": "12026693133",
            "type": "interactive",
            "interactive": {
                "type": "carousel",
                "body": {"text": "good for you"},
                "action": {
                    "cards": [
                        doc_cta_card(0, BLUE, "https://shop.luckyshrub.com/latest/blue-echeveria"),
                        doc_cta_card(
                            1, ZEBRA, "https://shop.luckyshrub.com/latest/zebra-haworthia"
                        ),
                    ]
                },
            },
        }
    ),
    "whatsapp-carousel-quick-reply": whatsapp_example(
        {
            "appId": "lYOxMDYC",
            "channelType": 0,
            "recipient": "8618870556245",
            "businessPhone": "12026693133",
            "type": "interactive",
            "interactive": {
                "type": "carousel",
                "body": {
                    "text": "Of course! Here are three of our latest arrivals, each under $25:"
                },
                "action": {"cards": [doc_quick_reply_card(0), doc_quick_reply_card(1)]},
            },
        }
    ),
}

DEVIATION_CASES = [
    pytest.param(name, deviation, id=f"{name}:{deviation.name}")
    for name, example in EXAMPLES.items()
    for deviation in example.deviations
]


@pytest.mark.parametrize("name", EXAMPLES)
def test_doc_example_is_valid_with_documented_deviations_applied(name: str) -> None:
    example = EXAMPLES[name]
    assert_valid(example.provider, example.fixed())


@pytest.mark.parametrize(("name", "deviation"), DEVIATION_CASES)
def test_doc_example_original_form_of_each_deviation_is_rejected(
    name: str, deviation: Deviation
) -> None:
    example = EXAMPLES[name]
    assert error_keys(example.provider, example.fixed(skip=deviation)) == deviation.errors


@pytest.mark.parametrize("name", [name for name, e in EXAMPLES.items() if e.deviations])
def test_doc_example_as_printed_is_rejected(name: str) -> None:
    example = EXAMPLES[name]
    assert error_keys(example.provider, example.body)


def test_location_request_example_passes_with_13_digit_numbers() -> None:
    body = EXAMPLES["whatsapp-interactive-location-request"].fixed()
    assert (body["businessPhone"], body["recipient"]) == ("6282292229952", "8617333337673")
    assert_valid("whatsapp", body)


def test_video_text_button_accepts_the_optional_button_link() -> None:
    body = EXAMPLES["viber-video_text_button"].fixed()
    body["messageData"]["buttonLink"] = "https://www.viber.com"
    assert_valid("viber", body)


# --------------------------------------------------------------------------------------------
# Schema conventions (the compiler relies on them)
# --------------------------------------------------------------------------------------------

LIMIT_KEYWORDS = {
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maximum",
    "minimum",
    "pattern",
    "enum",
    "const",
    "not",
}
SCHEMA_MAP_KEYWORDS = ("properties", "$defs", "patternProperties", "dependentSchemas")
SCHEMA_KEYWORDS = ("items", "additionalProperties", "not", "then", "else", "propertyNames")


def subschemas(node: Any, where: str = "#") -> Iterator[tuple[str, Payload]]:
    """Every subschema with its JSON pointer, except ``if`` conditions (dispatch tests)."""
    if not isinstance(node, dict):
        return
    yield where, node
    for keyword in SCHEMA_MAP_KEYWORDS:
        for name, child in node.get(keyword, {}).items():
            yield from subschemas(child, f"{where}/{keyword}/{name}")
    for keyword in SCHEMA_KEYWORDS:
        yield from subschemas(node.get(keyword), f"{where}/{keyword}")
    for keyword in ("allOf", "anyOf", "oneOf"):
        for index, child in enumerate(node.get(keyword, [])):
            yield from subschemas(child, f"{where}/{keyword}/{index}")


def schema_rules(provider: str) -> set[str]:
    return {node["x-rule"] for _, node in subschemas(SCHEMAS[provider]) if "x-rule" in node}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_schema_is_valid_draft_2020_12(provider: str) -> None:
    schema = SCHEMAS[provider]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://msgc.dev/schemas/{provider}.payload.schema.json"
    assert schema["title"] and schema["description"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_schema_file_is_canonically_formatted(provider: str) -> None:
    path = SCHEMA_DIR / f"{provider}.payload.schema.json"
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_limit_carries_a_rule_id_and_a_description(provider: str) -> None:
    unlabelled = [
        where
        for where, node in subschemas(SCHEMAS[provider])
        if LIMIT_KEYWORDS & node.keys() and not ("x-rule" in node and node.get("description"))
    ]
    assert unlabelled == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rule_ids_are_kebab_case_and_provider_prefixed(provider: str) -> None:
    pattern = re.compile(rf"{provider}(-[a-z0-9]+)+")
    assert [rule for rule in schema_rules(provider) if not pattern.fullmatch(rule)] == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_rule_id_is_exercised_by_an_invalid_case(provider: str) -> None:
    cases = VIBER_CASES if provider == "viber" else WHATSAPP_CASES
    exercised = {case.rule for case in cases if case.keyword is not None}
    assert schema_rules(provider) - exercised == set()
    assert exercised - {None} <= schema_rules(provider)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_dispatch_uses_if_then_never_oneof_or_anyof(provider: str) -> None:
    offenders = [
        where for where, node in subschemas(SCHEMAS[provider]) if {"oneOf", "anyOf"} & node.keys()
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("provider", "type_field"), [("viber", "functionType"), ("whatsapp", "type")]
)
def test_every_message_type_has_a_def_and_a_dispatch_branch(provider: str, type_field: str) -> None:
    schema = SCHEMAS[provider]
    types = schema["properties"][type_field]["enum"]
    dispatched = [branch["if"]["properties"][type_field]["const"] for branch in schema["allOf"]]
    assert dispatched == types
    assert set(types) <= schema["$defs"].keys()
