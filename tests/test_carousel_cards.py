"""A carousel card is written once for both providers (issue 11, item 11): a card's
`targets: {PROVIDER: {...}}` holds fields for one provider only, merged over the card (null
removes a field). Viber cards cannot carry text; WhatsApp shows it. An EN+RU carousel is two
lists, not four."""

from __future__ import annotations

import pytest

from compiler import MsgcError, load_spec_text, render
from compiler.tree import check_file

CAROUSEL = """\
variables:
  code: {type: string, max_length: 12, example: WEEKEND30}
message:
  text: "Weekend sale: use code {{ code }}"
  carousel:
    - title: Blue Echeveria
      image: "https://shop.example.com/img/1.jpg"
      buttons: [{title: Shop now, url: "https://shop.example.com/p/1?code={{ code }}"}]
      targets: {whatsapp: {text: "A calm blue rosette, 12 cm pot"}}
    - title: Zebra Haworthia
      image: "https://shop.example.com/img/2.jpg"
      buttons: [{title: Shop now, url: "https://shop.example.com/p/2?code={{ code }}"}]
      targets: {whatsapp: {text: "Striped and tough, 9 cm pot"}}
targets:
  viber: {appkey: app}
  whatsapp: {}
locales:
  ru:
    message:
      text: "Распродажа: код {{ code }}"
      carousel:
        - title: Эчеверия
          image: "https://shop.example.com/img/1.jpg"
          buttons: [{title: Купить, url: "https://shop.example.com/p/1?code={{ code }}"}]
          targets: {whatsapp: {text: "Голубая розетка, горшок 12 см"}}
        - title: Хавортия
          image: "https://shop.example.com/img/2.jpg"
          buttons: [{title: Купить, url: "https://shop.example.com/p/2?code={{ code }}"}]
          targets: {whatsapp: {text: "Полосатая и выносливая, 9 см"}}
"""


def payload(text: str, provider: str, locale: str | None = None) -> dict:  # type: ignore[type-arg]
    spec = load_spec_text(text, "c.yaml")
    return dict(render(spec, provider, examples=True, locale=locale, to="79001234567").payload)


def test_one_card_list_serves_both_providers() -> None:
    viber = payload(CAROUSEL, "viber")["messageData"]["carouselItems"]
    assert [c["title"] for c in viber] == ["Blue Echeveria", "Zebra Haworthia"]
    assert all("text" not in c for c in viber)
    cards = payload(CAROUSEL, "whatsapp")["interactive"]["action"]["cards"]
    assert cards[0]["body"]["text"] == "*Blue Echeveria*\n\nA calm blue rosette, 12 cm pot"


def test_the_locale_list_carries_its_own_per_provider_fields() -> None:
    cards = payload(CAROUSEL, "whatsapp", "ru")["interactive"]["action"]["cards"]
    assert cards[1]["body"]["text"] == "*Хавортия*\n\nПолосатая и выносливая, 9 см"
    viber = payload(CAROUSEL, "viber", "ru")["messageData"]["carouselItems"]
    assert [c["title"] for c in viber] == ["Эчеверия", "Хавортия"]


def test_a_field_for_viber_alone_and_null_removing_one() -> None:
    text = CAROUSEL.replace(
        'targets: {whatsapp: {text: "A calm blue rosette, 12 cm pot"}}',
        'text: "A calm blue rosette, 12 cm pot"\n'
        '      targets: {viber: {text: null, title: Echeveria}}', 1)
    viber = payload(text, "viber")["messageData"]["carouselItems"]
    assert viber[0]["title"] == "Echeveria"
    cards = payload(text, "whatsapp")["interactive"]["action"]["cards"]
    assert cards[0]["body"]["text"] == "*Blue Echeveria*\n\nA calm blue rosette, 12 cm pot"


def test_a_finding_points_at_the_card_override_line() -> None:
    long = "x" * 150
    text = CAROUSEL.replace("A calm blue rosette, 12 cm pot", long)
    spec = load_spec_text(text, "c.yaml")
    with pytest.raises(MsgcError) as exc:
        render(spec, "whatsapp", examples=True, to="79001234567")
    d = exc.value.diagnostics[0]
    assert d.line == 9 and d.path == "/message/carousel/0/targets/whatsapp/text", d.format()


def test_an_unknown_provider_in_a_card_is_an_error_with_did_you_mean() -> None:
    text = CAROUSEL.replace("targets: {whatsapp: {text: \"A calm", "targets: {whatsap: {text: \"A calm")
    with pytest.raises(MsgcError) as exc:
        load_spec_text(text, "c.yaml")
    d = exc.value.diagnostics[0]
    assert d.rule == "spec-unknown-target" and d.hint == "did you mean 'whatsapp'?"
    assert d.line == 9


def test_card_override_for_a_provider_the_spec_does_not_target_is_a_warning(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = CAROUSEL.replace("  viber: {appkey: app}\n", "")
    text = text.replace('targets: {whatsapp: {text: "Striped and tough, 9 cm pot"}}',
                        'text: "Striped and tough, 9 cm pot"\n'
                        '      targets: {viber: {text: null}}')
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    diags = check_file(path, {}).diagnostics
    unused = [d for d in diags if d.rule == "spec-card-unused-target"]
    assert len(unused) == 1 and unused[0].line == 14 and not unused[0].is_error


def test_without_the_card_override_viber_still_refuses_card_text() -> None:
    text = CAROUSEL.replace('targets: {whatsapp: {text: "A calm blue rosette, 12 cm pot"}}',
                            'text: "A calm blue rosette, 12 cm pot"')
    spec = load_spec_text(text, "c.yaml")
    with pytest.raises(MsgcError) as exc:
        render(spec, "viber", examples=True, to="79001234567")
    d = exc.value.diagnostics[0]
    assert d.rule == "viber-carousel-card-text"
    assert d.hint is not None and "targets: {whatsapp: {text:" in d.hint
