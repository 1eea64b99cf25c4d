"""The Python API keeps its documented promises (issue 11, item 13): placeholders are
reported, the payload is read-only, hints speak Python rather than command-line flags, and
`Plan.render` says which envelope keys it needs."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import TEMPLATES

from compiler import MsgcError, Plan, load_spec, load_spec_text, render
from compiler.diagnostics import Severity

SPEC = """\
variables:
  order_id: {type: string, max_length: 10, example: A-1}
message: {text: "Order {{ order_id }} shipped", buttons: [{title: Go, url: "https://e.x/go"}]}
targets:
  viber: {rate_type: Promotional}
"""


def test_a_placeholder_appkey_comes_back_as_a_warning() -> None:
    spec = load_spec_text(SPEC, "s.yaml")
    result = render(spec, "viber", {"order_id": "A-1"}, to="79001234567")
    assert result.payload["appkey"] == "APPKEY"
    warnings = [w for w in result.warnings if w.rule == "envelope-placeholder"]
    assert len(warnings) == 1 and warnings[0].severity is Severity.WARNING
    assert "appkey" in warnings[0].message and "--" not in (warnings[0].hint or "")
    assert "envelope=" in (warnings[0].hint or "")


def test_a_placeholder_recipient_is_reported_too() -> None:
    spec = load_spec_text(SPEC, "s.yaml")
    result = render(spec, "viber", {"order_id": "A-1"}, envelope={"appkey": "app"})
    assert [w.message for w in result.warnings if w.rule == "envelope-placeholder"] == [
        "no phone given; using the placeholder '10000000000'"]


def test_no_warning_when_everything_is_given() -> None:
    spec = load_spec_text(SPEC, "s.yaml")
    result = render(spec, "viber", {"order_id": "A-1"}, to="79001234567",
                    envelope={"appkey": "app"})
    assert result.warnings == []


def test_the_payload_is_read_only() -> None:
    spec = load_spec(TEMPLATES / "order-shipped.yaml")
    result = render(spec, "viber", {"order_id": "A-1029", "eta_days": 3}, to="79001234567")
    payload = result.payload
    with pytest.raises(TypeError):
        payload["appkey"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        payload["messageData"]["text"] = "changed"
    with pytest.raises(TypeError):
        del payload["phone"]
    with pytest.raises(TypeError):
        payload.update({"a": 1})
    assert json.loads(json.dumps(payload)) == json.loads(result.body)
    mutable = copy.deepcopy(payload)
    mutable["messageData"]["text"] = "mine"          # a deep copy is an ordinary dict
    assert type(mutable) is dict and type(mutable["messageData"]) is dict
    assert payload["messageData"]["text"] != "mine"


def test_lists_in_the_payload_are_read_only_too() -> None:
    spec = load_spec(TEMPLATES / "promo-carousel.yaml")
    plan = Plan(spec, "whatsapp")
    envelope = {"appId": "a", "businessPhone": "12025550100", "recipient": "79001234567"}
    for _ in range(3):  # the slow path, then the fast path
        cards = plan.render(plan.values({}, samples=True), envelope).payload[
            "interactive"]["action"]["cards"]
        with pytest.raises(TypeError):
            cards.append({})
        with pytest.raises(TypeError):
            cards[0] = {}


def test_hints_do_not_mention_command_line_flags() -> None:
    spec = load_spec_text(SPEC, "s.yaml")
    with pytest.raises(MsgcError) as exc:
        render(spec, "viber", {}, to="79001234567")
    d = exc.value.diagnostics[0]
    assert d.rule == "missing-variable"
    assert d.hint is not None and "--" not in d.hint and "order_id" in d.hint


def test_plan_render_names_the_envelope_keys_it_needs() -> None:
    spec = load_spec_text(SPEC, "s.yaml")
    plan = Plan(spec, "viber")
    assert plan.envelope_keys == ("appkey", "phone")
    assert Plan(load_spec(TEMPLATES / "promo-carousel.yaml"), "whatsapp").envelope_keys == (
        "appId", "businessPhone", "recipient")
    with pytest.raises(MsgcError) as exc:
        plan.render(plan.values({"order_id": "A-1"}), {"appkey": "app"})
    d = exc.value.diagnostics[0]
    assert d.rule == "envelope-missing" and "'phone'" in d.message


def test_plan_render_docstring_lists_the_keys() -> None:
    doc = Plan.render.__doc__ or ""
    for key in ("appkey", "phone", "appId", "businessPhone", "recipient"):
        assert key in doc


def test_the_command_line_still_says_how_to_pass_a_value(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import run_cli

    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    result = run_cli(["render", "s.yaml", "-p", "viber", "--to", "79001234567"], tmp_path)
    assert result.exit_code == 1
    assert "pass --var order_id=VALUE" in result.stderr
