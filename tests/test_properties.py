"""Property tests: whatever neutral spec the compiler accepts renders to a payload that
passes its provider's JSON Schema (checked with a fresh validator, not the compiler's) and
semantic rules; whatever it rejects, it rejects with :class:`MsgcError` and nothing else.
Variable values are data: they reach the payload literally."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import ENVELOPES, load_json_schema, render
from hypothesis import HealthCheck, Phase, event, find, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from compiler import providers
from compiler.diagnostics import MsgcError
from compiler.pipeline import Plan
from compiler.source import Document
from compiler.spec import check_document

VALIDATORS = {p: Draft202012Validator(load_json_schema(p)) for p in ("viber", "whatsapp")}
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Lengths around every documented text bound.
LIMITS = (0, 1, 2, 10, 11, 12, 13, 19, 20, 21, 23, 24, 25, 71, 72, 73, 84, 85, 86, 159, 160,
          161, 199, 200, 201, 255, 256, 257, 999, 1000, 1001, 1023, 1024, 1025, 4095, 4096,
          4097)
CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
JINJA_BITS = ("{{ 7*7 }}", "{% raw %}", "{%", "%}", "{#", "}}", "'", '"', "\\", "{{ v }}",
              "{{", "\n", "😀", "ж")

short_text = st.text(CHARS, max_size=25)
sized_text = st.builds(lambda c, n: (c * n)[:n], st.sampled_from(["a", "ж", "😀", "ab ", " "]),
                       st.sampled_from(LIMITS))
tricky_text = st.lists(st.sampled_from(JINJA_BITS) | short_text, max_size=6).map("".join)
value_text = st.one_of(short_text, short_text, sized_text, tricky_text)
plain_text = st.text(CHARS, min_size=1, max_size=18).filter(
    lambda s: s.strip() and not any(m in s for m in ("{{", "{%", "{#")))

# Template-side text: mostly short literal text or a use of the variable; sometimes a text
# at a length bound, or empty.
field_text = st.one_of(
    plain_text, plain_text, plain_text,
    st.sampled_from(["{{ v }}", "Hi {{ v }}!", "{{ v }}{{ v }}", "{{ n }}", "{{ v | upper }}",
                     "{{ v[:5] }}"]),
    sized_text,
)
GOOD_URLS = ["https://cdn.example.com/a.jpg", "http://x.io/f.pdf", "https://x.io/{{ v | e }}",
             "https://x.io/p?q={{ n }}"]
url = st.one_of(
    st.sampled_from(GOOD_URLS), st.sampled_from(GOOD_URLS), st.sampled_from(GOOD_URLS),
    st.sampled_from(["ftp://x.io/a", "not a url", "", "https://", "{{ v }}"]),
    st.builds(lambda p: f"https://x.io/{p}", st.text("abc/._-?=&", max_size=10)),
)
number = st.one_of(st.integers(1, 600), st.integers(1, 600),
                   st.sampled_from([0, -1, 601, 209_715_200, 209_715_201, 1.5, "15", "{{ n }}",
                                    "x", True, 90.5, -180]))


clean_text = st.one_of(plain_text, st.sampled_from(["{{ v }}", "Hi {{ v }}!", "{{ n }}"]))
clean_url = st.sampled_from(GOOD_URLS)


@dataclass(frozen=True)
class Parts:
    """The strategies a shape draws its parts from: noisy ones (any text length, bad URLs
    and numbers) or clean ones (so that big shapes such as carousels get accepted too)."""

    text: Any = field_text
    url: Any = url
    number: Any = number


NOISY = Parts()
CLEAN = Parts(clean_text, clean_url, st.integers(1, 600))


def _button(draw: Any, p: Parts = NOISY) -> dict[str, Any]:
    b: dict[str, Any] = {"title": draw(p.text)}
    kind = draw(st.sampled_from(["url", "id", "both", "none"]))
    if kind in ("url", "both"):
        b["url"] = draw(p.url)
    if kind in ("id", "both"):
        b["id"] = draw(p.text)
    return b


def _card(draw: Any, p: Parts = NOISY) -> dict[str, Any]:
    c: dict[str, Any] = {}
    for key, strat in (("title", p.text), ("text", p.text), ("image", p.url), ("video", p.url)):
        if draw(st.booleans()):
            c[key] = draw(strat)
    if draw(st.integers(0, 4)):
        c["buttons"] = [_button(draw, p) for _ in range(draw(st.integers(1, 3)))]
    return c


def _row(draw: Any, p: Parts = NOISY, i: int = 0) -> dict[str, Any]:
    r = {"id": draw(st.sampled_from([f"row{i}", "{{ v }}-" + str(i)])) if p is CLEAN
         else draw(p.text), "title": draw(p.text)}
    if draw(st.booleans()):
        r["description"] = draw(p.text)
    return r


def _choice(draw: Any, p: Parts = NOISY, i: int = 0) -> Any:
    if draw(st.booleans()):
        return f"{draw(p.text)} {i}" if p is CLEAN else draw(p.text)
    c: dict[str, Any] = {"title": f"{draw(p.text)} {i}" if p is CLEAN else draw(p.text)}
    if draw(st.booleans()):
        c["id"] = f"c{i}" if p is CLEAN else draw(p.text)
    if draw(st.integers(0, 3)) == 0:
        c["description"] = draw(p.text)
    return c


def _image(draw: Any, p: Parts) -> Any:
    return draw(p.url) if draw(st.booleans()) else {"url": draw(p.url)}


def _document(draw: Any, p: Parts) -> dict[str, Any]:
    names = ["a.pdf", "report.XLSX", "{{ v | e }}.txt"] + (
        [] if p is CLEAN else ["noext", "x.exe"])
    doc = {"url": draw(p.url), "filename": draw(st.sampled_from(names))}
    if p is not CLEAN and draw(st.booleans()):
        doc["type"] = draw(st.sampled_from(["pdf", "docx", "zip"]))
    return doc


def _otp(draw: Any, p: Parts) -> dict[str, Any]:
    good = [{"template": 1, "params": {"pin": "{{ v }}"}},
            {"template": 4, "params": {"pin": "1234", "codeValidityTime": "{{ n }}"}},
            {"template": "9", "params": {"pin": "1", "businessPlatformName": "S",
                                         "codeReason": "r"}},
            {"template": "uuid-like-id", "params": {"code": "{{ v }}"}}]
    bad = [{"template": 10, "params": {"pin": "1"}}, {"template": 1, "params": {"pin": 1234}},
           {"template": 4, "params": {"pin": "1"}}, {"template": 1}]
    otp = dict(draw(st.sampled_from(good if p is CLEAN else good + bad)))
    langs = ["en", "br", "ru"] if p is CLEAN else ["en", "br", "pt-BR", "xx", None]
    lang = draw(st.sampled_from(langs))
    if lang is not None:
        otp["language"] = lang
    return otp


FIELDS = {
    "text": lambda d: d(field_text),
    "header": lambda d: d(field_text),
    "footer": lambda d: d(field_text),
    "image": lambda d: _image(d, NOISY),
    "video": lambda d: {"url": d(url), **({"thumbnail": d(url), "size": d(number),
                                          "duration": d(number)} if d(st.booleans()) else {})},
    "document": lambda d: _document(d, NOISY),
    "audio": lambda d: d(url),
    "sticker": lambda d: {"url": d(url)},
    "location": lambda d: {"latitude": d(number), "longitude": d(number),
                           **({"name": d(field_text), "address": d(field_text)}
                              if d(st.booleans()) else {})},
    "request_location": lambda d: True,
    "contacts": lambda d: [{"name": {"formatted_name": d(field_text)},
                            **({"birthday": d(st.sampled_from(["1995-01-11", "11.01.1995"]))}
                               if d(st.booleans()) else {})}],
    "buttons": lambda d: [_button(d) for _ in range(d(st.integers(1, 4)))],
    "choices": lambda d: [_choice(d) for _ in range(d(st.integers(1, 12)))],
    "menu": lambda d: {"button": d(field_text), "sections": [
        {**({"title": d(field_text)} if d(st.integers(0, 5)) else {}),
         "rows": [_row(d) for _ in range(d(st.integers(1, 6)))]}
        for _ in range(d(st.integers(1, 3)))]},
    "carousel": lambda d: [_card(d) for _ in range(d(st.integers(1, 11)))],
    "otp": lambda d: _otp(d, NOISY),
    "reply_to": lambda d: d(field_text),
}


def _count(draw: Any, low: int, high: int, typical: int | None = None) -> int:
    """Mostly within [low, typical or high]; sometimes exactly ``high`` or one past either
    end (big counts are rare so that examples stay small)."""
    if draw(st.integers(0, 7)) == 0:
        return draw(st.sampled_from([max(low - 1, 0), high, high + 1]))
    return draw(st.integers(low, typical or high))


def _link(draw: Any, p: Parts) -> dict[str, Any]:
    return {"title": draw(p.text), "url": draw(p.url)}


def _reply(draw: Any, p: Parts, i: int) -> dict[str, Any]:
    return {"title": f"{draw(p.text)[:15]} {i}" if p is CLEAN else draw(p.text),
            "id": draw(st.sampled_from([f"id{i}", "{{ v | e }}" + str(i)]))}


def _video(draw: Any, p: Parts, viber: bool) -> dict[str, Any]:
    video: dict[str, Any] = {"url": draw(p.url)}
    if viber:
        video |= {"thumbnail": draw(p.url), "size": draw(p.number),
                  "duration": draw(p.number)}
    return video


# One generator per message shape of each provider; each yields a message that is valid
# when every drawn part is, so the property sees acceptances as well as rejections.
def _viber_shape(draw: Any, shape: str, p: Parts) -> dict[str, Any]:
    m: dict[str, Any] = {}
    if shape in ("text", "text_image", "text_image_button", "text_button", "video_text",
                 "video_text_button", "list", "carousel"):
        m["text"] = draw(p.text)
    if shape in ("image", "text_image", "text_image_button"):
        m["image"] = _image(draw, p)
    if shape.startswith("video"):
        m["video"] = _video(draw, p, True)
    if shape.endswith("button"):
        m["buttons"] = [_link(draw, p)]
    if shape == "file":
        m["document"] = _document(draw, p)
    if shape == "list":
        m["choices"] = [f"{draw(p.text)[:10]} {i}" for i in range(_count(draw, 2, 5))]
    if shape == "carousel":
        m["carousel"] = [{"title": draw(p.text), "image": draw(p.url),
                          "buttons": [{"title": draw(p.text)[:9], "url": draw(p.url)}
                                      for _ in range(_count(draw, 1, 2))]}
                         for _ in range(_count(draw, 2, 5))]
    if shape == "otp":
        m["otp"] = _otp(draw, p)
    return m


def _whatsapp_shape(draw: Any, shape: str, p: Parts) -> dict[str, Any]:
    m: dict[str, Any] = {}
    if shape in ("text", "buttons", "choices", "menu", "request_location", "carousel_cta",
                 "carousel_quick") or (shape in ("image", "video", "document")
                                       and draw(st.booleans())):
        m["text"] = draw(p.text)
    if shape in ("buttons", "choices", "menu") and draw(st.booleans()):
        m["header"] = draw(p.text)
    if shape in ("buttons", "choices", "menu") and draw(st.booleans()):
        m["footer"] = draw(p.text)
    if shape == "text" and draw(st.booleans()):
        m["reply_to"] = draw(p.text)
    if shape in ("image", "audio", "sticker"):
        m[shape] = _image(draw, p)
    if shape == "document":
        m["document"] = _document(draw, p)
    if shape == "contacts":
        m["contacts"] = FIELDS["contacts"](draw)
    if shape == "location":
        m["location"] = {"name": draw(p.text), "address": draw(p.text),
                         "latitude": draw(st.one_of(p.number, st.floats(-90, 90))),
                         "longitude": draw(st.one_of(p.number, st.floats(-180, 180)))}
    if shape == "video":
        m["video"] = _video(draw, p, False)
    if shape == "buttons":
        m["buttons"] = [_reply(draw, p, i) for i in range(_count(draw, 1, 3))]
    if shape == "choices":
        m["choices"] = [_choice(draw, p, i) for i in range(_count(draw, 1, 10, 5))]
    if shape == "menu":
        rows = iter(range(100))
        m["menu"] = {"button": draw(p.text), "sections": [
            {"title": draw(p.text), "rows": [_row(draw, p, next(rows))
                                             for _ in range(_count(draw, 1, 4))]}
            for _ in range(_count(draw, 1, 3))]}
    if shape == "request_location":
        m["request_location"] = True
    if shape.startswith("carousel"):
        quick = shape == "carousel_quick"
        m["carousel"] = [
            {**{k: draw(p.text) for k in draw(st.sampled_from(
                [("title",), ("text",), ("title", "text")]))},
             draw(st.sampled_from(["image", "video"])): draw(p.url),
             "buttons": ([_reply(draw, p, j) for j in range(_count(draw, 1, 2))] if quick
                         else [{"title": draw(p.text)[:20], "url": draw(p.url)}])}
            for _ in range(_count(draw, 2, 10, 3))]
    return m


VIBER_SHAPES = ("text", "image", "text_image", "text_image_button", "text_button", "file",
                "video", "video_text", "video_text_button", "list", "carousel", "otp")
WHATSAPP_SHAPES = ("text", "image", "video", "document", "audio", "sticker", "location",
                   "contacts", "buttons", "choices", "menu", "request_location", "carousel_cta",
                   "carousel_quick")
SHAPE_RATES = {"text": ["Transactional", "Session", "Promotional"],
               "image": ["Promotional", "Session"], "file": ["Transactional", "Session"]}


SHAPES = [("viber", s) for s in VIBER_SHAPES] + [("whatsapp", s) for s in WHATSAPP_SHAPES]


@st.composite
def specs(draw: Any, provider: str, shape: str) -> tuple[dict[str, Any], str]:
    parts = CLEAN if draw(st.booleans()) else NOISY
    target: dict[str, Any] = {}
    if provider == "viber":
        message = _viber_shape(draw, shape, parts)
        if shape in SHAPE_RATES:
            target["rate_type"] = draw(st.sampled_from(SHAPE_RATES[shape]))
    else:
        message = _whatsapp_shape(draw, shape, parts)
        if shape == "choices":
            target["list_button"] = draw(st.sampled_from(["Choose", "Pick one"]))
    # Now and then, one change off the beaten path: any field of the vocabulary, or any
    # rate type.
    if draw(st.integers(0, 4)) == 0:
        key = draw(st.sampled_from(sorted(FIELDS)))
        message[key] = FIELDS[key](draw)
    if provider == "viber" and draw(st.integers(0, 6)) == 0:
        target["rate_type"] = draw(st.sampled_from(
            ["Transactional", "Session", "Promotional", "OtpTemplate"]))
    data = {
        "variables": {"v": {"type": "string", "example": "x"},
                      "n": {"type": "integer", "example": 5}},
        "message": message,
        "targets": {provider: target},
    }
    return data, provider


@st.composite
def values(draw: Any) -> dict[str, Any]:
    short = draw(st.integers(0, 9)) < 7
    return {"v": draw(st.text(CHARS, min_size=1, max_size=8) if short else value_text),
            "n": draw(st.integers(1, 600)) if draw(st.integers(0, 7)) else draw(
                st.sampled_from(["7", "x", 2.5, -3, 10**9]))}


def _check_accepted(provider: str, payload: dict[str, Any], body: bytes) -> None:
    errors = list(VALIDATORS[provider].iter_errors(payload))
    assert errors == [], [e.message for e in errors]
    assert providers.get(provider).check_payload(payload) == []
    assert json.loads(body) == payload


@pytest.mark.parametrize(("provider", "shape"), SHAPES, ids=[f"{p}-{s}" for p, s in SHAPES])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_accepted_specs_render_valid_payloads_and_rejections_are_msgc_errors(
        provider: str, shape: str, data: st.DataObject) -> None:
    spec_data, _ = data.draw(specs(provider, shape))
    given_values = data.draw(values())
    _compile_and_check(spec_data, provider, given_values)


def _accepted(example: tuple[tuple[dict[str, Any], str], dict[str, Any]]) -> bool:
    (data, provider), given_values = example
    try:
        render(check_document(Document(data, "prop.yaml")), provider, given_values,
               envelope=ENVELOPES[provider])
    except MsgcError:
        return False
    return True


@pytest.mark.parametrize(("provider", "shape"), SHAPES, ids=[f"{p}-{s}" for p, s in SHAPES])
def test_every_shape_generator_yields_both_accepted_and_rejected_specs(provider: str,
                                                                       shape: str) -> None:
    # The property above is only worth something if each generator reaches both outcomes.
    search = settings(max_examples=500, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
    strategy = st.tuples(specs(provider, shape), values())
    find(strategy, _accepted, settings=search)
    find(strategy, lambda example: not _accepted(example), settings=search)


def _compile_and_check(data: dict[str, Any], provider: str,
                       given_values: dict[str, Any]) -> None:
    try:
        spec = check_document(Document(data, "prop.yaml"))
        result = render(spec, provider, given_values, envelope=ENVELOPES[provider])
    except MsgcError as exc:
        assert exc.diagnostics
        assert any(d.is_error for d in exc.diagnostics)
        assert all(d.rule and d.message for d in exc.diagnostics)
        event(f"rejected ({provider}) {sorted({d.rule for d in exc.diagnostics})[:2]}")
        return
    event(f"accepted {provider} {result.kind}")
    _check_accepted(provider, result.payload, result.body)


@SETTINGS
@given(st.sampled_from(SHAPES).flatmap(lambda ps: specs(*ps)),
       st.lists(values(), min_size=3, max_size=3))
def test_rendering_a_plan_again_gives_the_same_answer(
        spec_and_provider: tuple[dict[str, Any], str], runs: list[dict[str, Any]]) -> None:
    # A plan may switch to a faster renderer after its first renders; the answers must not
    # change: the same payload and bytes when accepted, an MsgcError when rejected.
    data, provider = spec_and_provider
    try:
        spec = check_document(Document(data, "prop.yaml"))
        plan = Plan(spec, provider)
    except MsgcError:
        return
    for given_values in runs + runs:
        try:
            expected = render(spec, provider, given_values, envelope=ENVELOPES[provider])
        except MsgcError:
            expected = None
        try:
            got = plan.render(plan.values(given_values), ENVELOPES[provider])
        except MsgcError:
            assert expected is None
            continue
        assert expected is not None, got.payload
        assert (got.payload, got.body, got.kind) == (expected.payload, expected.body,
                                                     expected.kind)
        _check_accepted(provider, got.payload, got.body)


# -- literal insertion ----------------------------------------------------------------------

literal_values = st.one_of(
    tricky_text,
    st.text(st.sampled_from("{}%#'\"\\ abcж😀\n\t$`!|~"), max_size=60),
    st.sampled_from(["{{ 7*7 }}", "{% raw %}{{ x }}{% endraw %}", "{{ v }}", "{{ ''.__class__ }}",
                     "{% for i in range(10**9) %}", "\"'\\", "{#", "}}{{"]),
).filter(lambda s: 0 < len(s) <= 500)


def _spec(message: dict[str, Any], provider: str, target: dict[str, Any] | None = None) -> Any:
    return check_document(Document({
        "variables": {"v": {"type": "string", "example": "x"}},
        "message": message, "targets": {provider: target or {}}}, "lit.yaml"))


@SETTINGS
@given(literal_values)
def test_values_with_template_syntax_are_inserted_literally(value: str) -> None:
    wa = _spec({"text": "« {{ v }} »"}, "whatsapp")
    for _ in range(3):   # also once the plan's renderer has warmed up
        payload = render(wa, "whatsapp", {"v": value}, envelope=ENVELOPES["whatsapp"]).payload
        assert payload["text"]["body"] == f"« {value} »"
    viber = _spec({"text": "{{ v }}!"}, "viber", {"rate_type": "Session"})
    payload = render(viber, "viber", {"v": value}, envelope=ENVELOPES["viber"]).payload
    assert payload["messageData"]["text"] == f"{value}!"
    plan = Plan(wa, "whatsapp")
    bodies = {plan.render(plan.values({"v": value}), ENVELOPES["whatsapp"]).body
              for _ in range(3)}
    assert len(bodies) == 1
    assert json.loads(bodies.pop())["text"]["body"] == f"« {value} »"


@SETTINGS
@given(literal_values.filter(lambda s: len(s) <= 18 and s.strip()))
def test_literal_values_in_reply_buttons_and_carousel_cards(value: str) -> None:
    spec = _spec({"text": "Pick", "buttons": [{"title": "{{ v }}", "id": "id:{{ v }}"}]},
                 "whatsapp")
    reply = render(spec, "whatsapp", {"v": value}, envelope=ENVELOPES["whatsapp"]).payload[
        "interactive"]["action"]["buttons"][0]["reply"]
    assert reply == {"id": f"id:{value}", "title": value}
    spec = _spec({"text": "Deals", "carousel": [
        {"title": "{{ v }}", "image": "https://x.io/a.jpg",
         "buttons": [{"title": "Go", "url": "https://x.io/a"}]},
        {"title": "B", "image": "https://x.io/b.jpg",
         "buttons": [{"title": "Go", "url": "https://x.io/b"}]}]}, "whatsapp")
    cards = render(spec, "whatsapp", {"v": value}, envelope=ENVELOPES["whatsapp"]).payload[
        "interactive"]["action"]["cards"]
    assert cards[0]["body"]["text"] == f"*{value}*"
