"""Both providers' callbacks: the documented shapes parsed into neutral events, the
variants accepted, everything else refused with a reason that names fields (never their
values), and the fake's emulation parsed back to what it meant."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import providers
from compiler.tracking.callbacks import (
    DELIVERY_STATUSES,
    INBOUND_EVENT,
    STATUS_EVENT,
    CallbackRejected,
    ReplyOption,
)

VIBER = providers.get("viber").callbacks
WHATSAPP = providers.get("whatsapp").callbacks
assert VIBER is not None and WHATSAPP is not None

RECEIPT = {"status": 11001, "requestId": "b81e8e9fcbbb422a813863e903de94bd", "code": 0,
           "message": "success", "sendTime": "2023-07-13 15:12:11"}
VIBER_REPLY = {"phone": "+86 158 1234 1795", "appkey": "TexxxP6",
               "traceRequestId": "b81e8e9f", "message": {"text": "456"},
               "sendTime": "2023-07-13 15:13:00"}
STATUS = {"eventType": "message-status-event", "appId": "DGziZf5u", "channelType": 0,
          "messageId": "10415ecbd0c848ebb7d5a3fe53269df6", "billable": True,
          "form": "91856321321", "recipient": "91856321322", "status": "delivered",
          "failure": None, "conversationId": "c1", "expiresAt": 1693900391,
          "conversationType": "marketing", "timestamp": 1693813991}
INBOUND = {"eventType": "up-message-event", "appId": "DGziZf5u", "channelType": 0,
           "messageId": "in-1", "timestamp": 1693813999, "businessPhone": "91856321321",
           "from": {"phone": "91856321322", "name": "Ann"},
           "message": {"type": "text", "text": {"body": "hello"}}}


def test_the_paths_come_from_each_provider() -> None:
    assert VIBER.path == "nxcloud"
    assert WHATSAPP.path == "itnio"


@pytest.mark.parametrize(("code", "status"), [(11000, "failed"), (11001, "delivered"),
                                             (11002, "read"), (11003, "expired"),
                                             ("11001", "delivered")])
def test_nxcloud_receipt_statuses(code: Any, status: str) -> None:
    [event] = VIBER.parse({**RECEIPT, "status": code})
    assert (event.kind, event.status, event.message_id) == (STATUS_EVENT, status,
                                                            RECEIPT["requestId"])
    assert json.loads(event.body)["requestId"] == RECEIPT["requestId"]


def test_nxcloud_failure_code_gets_its_documented_meaning() -> None:
    [event] = VIBER.parse({**RECEIPT, "status": 11000, "code": 9002, "message": "bad phone"})
    assert event.code == "9002"
    assert event.reason == "Phone number error (provider said: bad phone)"
    [plain] = VIBER.parse({**RECEIPT, "status": 11000, "code": "777", "message": "gone"})
    assert (plain.code, plain.reason) == ("777", "gone")


def test_nxcloud_duplicates_share_a_key_and_statuses_do_not() -> None:
    first = VIBER.parse(RECEIPT)[0]
    again = VIBER.parse(dict(reversed(list(RECEIPT.items()))))[0]
    seen = VIBER.parse({**RECEIPT, "status": 11002})[0]
    assert first.key == again.key != seen.key


def test_nxcloud_reply() -> None:
    [event] = VIBER.parse(VIBER_REPLY)
    assert event.kind == INBOUND_EVENT
    assert (event.phone, event.account, event.message_id) == ("8615812341795", "TexxxP6",
                                                              "b81e8e9f")
    assert (event.reply_id, event.reply_title, event.text) == (None, "456", "456")


def test_a_list_of_callbacks_is_all_taken_or_none() -> None:
    assert len(VIBER.parse([RECEIPT, VIBER_REPLY])) == 2
    with pytest.raises(CallbackRejected, match=r"item 1: .*requestId"):
        VIBER.parse([RECEIPT, {"status": 11001}])
    with pytest.raises(CallbackRejected, match="empty list"):
        WHATSAPP.parse([])


@pytest.mark.parametrize(("body", "reason"), [
    ({"status": 11001}, "requestId"),
    ({"requestId": "x"}, "status"),
    ({**RECEIPT, "status": 11009}, "unknown event type"),
    ({**RECEIPT, "status": True}, "status"),
    ({"phone": "123", "message": "hi"}, "message"),
    ({"phone": "abc", "message": {"text": "hi"}}, "phone"),
    ({"phone": "123", "message": {"fileName": "a.pdf"}}, "text` or `media"),
    ({"hello": 1}, "neither"),
    ("text", "JSON object"),
    (17, "JSON object"),
])
def test_nxcloud_refusals_name_the_field(body: Any, reason: str) -> None:
    with pytest.raises(CallbackRejected) as info:
        VIBER.parse(body)
    assert info.value.status == 422
    assert reason in info.value.reason


@pytest.mark.parametrize("status", ["failed", "sent", "delivered", "read", "deleted",
                                    "DELIVERED"])
def test_itnio_status_events(status: str) -> None:
    [event] = WHATSAPP.parse({**STATUS, "status": status})
    assert event.status == status.lower()
    assert (event.phone, event.account) == ("91856321322", "91856321321")
    assert event.event_time == 1693813991.0


@pytest.mark.parametrize(("failure", "code", "reason"), [
    ("-70", "-70", "recipient number longer than 14 digits"),
    (-70, "-70", "recipient number longer than 14 digits"),
    ({"code": 131026, "reason": "Message undeliverable"}, "131026", "Message undeliverable"),
    ({"code": "131047", "title": "Re-engagement message"}, "131047", "Re-engagement message"),
    ("user blocked", None, "user blocked"),
    (None, None, "failed (no reason given)"),
])
def test_itnio_failure_shapes(failure: Any, code: str | None, reason: str) -> None:
    [event] = WHATSAPP.parse({**STATUS, "status": "failed", "failure": failure})
    assert event.code == code
    assert event.reason is not None and event.reason.startswith(reason[:20])


def test_itnio_sender_spelled_from_too() -> None:
    body = {k: v for k, v in STATUS.items() if k != "form"}
    [event] = WHATSAPP.parse({**body, "from": "+91 856 321 321"})
    assert event.account == "91856321321"


def test_itnio_timestamp_in_milliseconds() -> None:
    [event] = WHATSAPP.parse({**STATUS, "timestamp": 1693813991123})
    assert event.event_time == pytest.approx(1693813991.123)


def test_itnio_inbound_text() -> None:
    [event] = WHATSAPP.parse(INBOUND)
    assert (event.kind, event.phone, event.text, event.inbound_type) == (
        INBOUND_EVENT, "91856321322", "hello", "text")
    assert event.message_id is None  # it answers no message in particular
    assert event.key == WHATSAPP.parse(INBOUND)[0].key


@pytest.mark.parametrize("where", ["message", "event"])
@pytest.mark.parametrize("kind", ["button_reply", "list_reply"])
def test_itnio_interactive_replies_in_both_layouts(kind: str, where: str) -> None:
    interactive = {"type": kind, kind: {"id": "yes", "title": "Yes"}}
    message: dict[str, Any] = {"type": "interactive"}
    body = {**INBOUND, "message": message}
    if where == "message":
        message.update(interactive=interactive, context={"id": "out-1"})
    else:
        body.update(interactive=interactive, context={"id": "out-1"})
    [event] = WHATSAPP.parse(body)
    assert (event.reply_id, event.reply_title, event.message_id) == ("yes", "Yes", "out-1")


def test_itnio_template_button_reply() -> None:
    body = {**INBOUND, "message": {"type": "button", "button": {"payload": "p1",
                                                                "text": "Stop"}}}
    [event] = WHATSAPP.parse(body)
    assert (event.reply_id, event.reply_title) == ("p1", "Stop")


@pytest.mark.parametrize(("body", "reason"), [
    ({**STATUS, "eventType": "billing-event"}, "unknown event type"),
    ({k: v for k, v in STATUS.items() if k != "eventType"}, "eventType"),
    ({**STATUS, "status": "bounced"}, "unknown event type"),
    ({**STATUS, "messageId": ""}, "messageId"),
    ({**STATUS, "status": 3}, "status"),
    ({**INBOUND, "from": {"name": "Ann"}}, "from.phone"),
    ({**INBOUND, "message": {"text": {"body": "x"}}}, "type"),
    ({**INBOUND, "message": {"type": "text"}}, "message.text.body"),
    ({**INBOUND, "message": {"type": "interactive", "interactive": {"type": "nfm_reply"}}},
     "button_reply"),
    ({**INBOUND, "messageId": 5}, "messageId"),
])
def test_itnio_refusals_name_the_field(body: Any, reason: str) -> None:
    with pytest.raises(CallbackRejected) as info:
        WHATSAPP.parse(body)
    assert info.value.status == 422
    assert reason in info.value.reason


def test_refusals_never_repeat_values() -> None:
    secret_ish = "91999988887777"
    for form, body in ((WHATSAPP, {**STATUS, "status": secret_ish}),
                       (VIBER, {**RECEIPT, "status": secret_ish})):
        with pytest.raises(CallbackRejected) as info:
            form.parse(body)
        assert secret_ish not in info.value.reason


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                     | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from(
                         ["status", "requestId", "eventType", "messageId", "message", "phone",
                          "from", "text", "interactive", "context", "failure", "type", "x"]),
                         inner, max_size=6), max_leaves=20)


@settings(max_examples=300)
@given(_json)
def test_any_json_is_parsed_or_refused_never_crashes(data: Any) -> None:
    for form in (VIBER, WHATSAPP):
        try:
            events = form.parse(data)
        except CallbackRejected as exc:
            assert 400 <= exc.status < 500 and exc.reason
        else:
            assert events and all(e.kind in (STATUS_EVENT, INBOUND_EVENT) for e in events)


# -- the fake's emulation, parsed back ----------------------------------------------------------

VIBER_LIST = {"appkey": "app", "phone": "79001234567", "functionType": "list",
              "messageData": {"rateType": "Transactional", "text": "Pick",
                              "surveyOptions": ["123", "456"]}}
WA_BUTTONS = {"appId": "a", "businessPhone": "12025550100", "recipient": "79001234567",
              "channelType": 0, "type": "interactive", "interactive": {
                  "type": "button", "body": {"text": "?"}, "action": {"buttons": [
                      {"type": "reply", "reply": {"id": "22", "title": "one"}},
                      {"type": "reply", "reply": {"id": "33", "title": "two"}}]}}}
WA_LIST = {**WA_BUTTONS, "interactive": {"type": "list", "body": {"text": "?"}, "action": {
    "button": "Open", "sections": [{"title": "S", "rows": [{"id": "r1", "title": "Row"}]}]}}}
WA_CAROUSEL = {**WA_BUTTONS, "interactive": {"type": "carousel", "body": {"text": "?"},
                                             "action": {"cards": [{"card_index": 0, "action": {
                                                 "buttons": [{"type": "quick_reply",
                                                              "quick_reply": {
                                                                  "id": "q", "title": "Q"}}]}}]}}}


def test_reply_options_of_payloads() -> None:
    assert VIBER.reply_options(VIBER_LIST) == [ReplyOption(None, "123"),
                                               ReplyOption(None, "456")]
    assert WHATSAPP.reply_options(WA_BUTTONS) == [ReplyOption("22", "one"),
                                                  ReplyOption("33", "two")]
    assert WHATSAPP.reply_options(WA_LIST) == [ReplyOption("r1", "Row")]
    assert WHATSAPP.reply_options(WA_CAROUSEL) == [ReplyOption("q", "Q")]
    assert WHATSAPP.reply_options({"type": "text", "text": {"body": "x"}}) == []


@pytest.mark.parametrize(("form", "payload"), [(VIBER, VIBER_LIST), (WHATSAPP, WA_BUTTONS)])
def test_emulated_statuses_parse_back(form: Any, payload: dict[str, Any]) -> None:
    for status in DELIVERY_STATUSES:
        body = form.status_callback(payload, "m-1", status, 1_700_000_000.5)
        if status not in form.statuses:
            assert body is None
            continue
        [event] = form.parse(json.loads(json.dumps(body)))
        assert (event.status, event.message_id) == (status, "m-1")
        if status == "failed":
            assert event.code and event.reason


@pytest.mark.parametrize(("form", "payload"), [(VIBER, VIBER_LIST), (WHATSAPP, WA_BUTTONS),
                                               (WHATSAPP, WA_LIST)])
def test_emulated_replies_parse_back(form: Any, payload: dict[str, Any]) -> None:
    option = form.reply_options(payload)[-1]
    [event] = form.parse(form.reply_callback(payload, "m-2", option, "", 1_700_000_000))
    assert (event.reply_id, event.reply_title, event.message_id) == (option.id, option.title,
                                                                     "m-2")
    assert event.phone == "79001234567"
    [text] = form.parse(form.reply_callback(payload, "m-3", None, "Thanks!", 1_700_000_000))
    assert (text.reply_id, text.text) == (None, "Thanks!")
