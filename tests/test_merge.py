"""Override layers: `null` removes a field, and findings still point at the right layer."""

from __future__ import annotations

import pytest

from compiler import MsgcError, load_spec_text, render

SPEC = """\
variables:
  order_id: {type: string, max_length: 10, example: A-1}
message:
  text: "Order {{ order_id }} shipped"
  image: https://cdn.example.com/p.jpg
  buttons: [{title: Track, url: "https://t.example.com/{{ order_id }}"}]
targets:
  viber: {}
  whatsapp:
    message:
      buttons: null
      text: "Order {{ order_id }}: https://t.example.com/{{ order_id }}"
locales:
  de:
    targets:
      viber: {message: {image: null}}
"""


def test_null_removes_a_field_for_one_target() -> None:
    spec = load_spec_text(SPEC, "s.yaml")
    wa = render(spec, "whatsapp", examples=True, to="79001234567")
    assert wa.kind == "image"
    assert wa.payload["image"]["caption"] == "Order A-1: https://t.example.com/A-1"
    viber = render(spec, "viber", examples=True, to="79001234567")
    assert viber.kind == "text_image_button"


def test_null_removes_a_field_for_one_locale_and_target() -> None:
    spec = load_spec_text(SPEC, "s.yaml")
    assert render(spec, "viber", examples=True, locale="de").kind == "text_button"
    assert render(spec, "whatsapp", examples=True, locale="de").kind == "image"


def test_null_is_not_allowed_in_the_default_message() -> None:
    with pytest.raises(MsgcError) as exc:
        load_spec_text("message: {text: null}\ntargets: {whatsapp: {}}\n", "n.yaml")
    d = exc.value.diagnostics[0]
    assert (d.line, d.column, d.rule) == (1, 17, "spec-type")


def test_removed_field_leaves_no_stale_origin() -> None:
    spec = load_spec_text(SPEC, "s.yaml")
    message, origins = spec.effective_message("whatsapp")
    assert "buttons" not in message
    assert not any(p.startswith("/buttons") for p in origins)
