"""Every documented answer code is mapped, with its meaning and its retry decision; and
answers that are not provider codes (HTTP statuses, garbage) are classified safely."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from compiler.providers import get
from compiler.providers.viber.codes import CODES as NXCLOUD_CODES
from compiler.providers.whatsapp.codes import CODES as ITNIO_CODES
from compiler.sending.client import RetryPolicy, classify_exception, retry_after
from compiler.sending.outcome import Disposition

# The codes as the documents list them (NXCloud: the Viber table, 1000~100X spelled out by
# the auth page; ITNIO: the status table, plus the account codes of AUTH.md).
NXCLOUD_DOCUMENTED = {"0", "-1", "1000", "1001", "1002", "1003", "1004", "1005", "1100",
                      "1102", "9000", "9001", "9002", "9003", "9004", "9005", "9011", "9999"}
ITNIO_DOCUMENTED = {
    "0", "-68", "-69", "-70", "-71", "-72", "-93", "-94", "-95", "-96", "-97", "-112",
    "-114", "-115", "-116", "-117", "-118", "-119", "-120", "-121", "-122", "-123", "-124",
    "-125", "-127", "-128", "-129", "-132", "-133", "-134", "-135", "-165", "-304", "-305",
    "-306", "-307", "-308", "-309", "-310", "-311", "-312", "-313", "-314", "-315", "-316",
    "-317", "-318", "-319", "-320", "-321", "-322", "-329", "-330", "-331",
    "-1", "-2", "-16", "-18", "-22",
}
#: The only codes a retry can help: ITNIO's "system error". No NXCloud code says "busy".
RETRYABLE = {("whatsapp", "-18")}

CASES = [("viber", c) for c in sorted(NXCLOUD_CODES)] + [
    ("whatsapp", c) for c in sorted(ITNIO_CODES)]


def test_tables_hold_exactly_the_documented_codes() -> None:
    assert set(NXCLOUD_CODES) == NXCLOUD_DOCUMENTED
    assert set(ITNIO_CODES) == ITNIO_DOCUMENTED
    for table in (NXCLOUD_CODES, ITNIO_CODES):
        assert all(code == info.code and info.meaning.strip() for code, info in table.items())


@pytest.mark.parametrize(("provider", "code"), [c for c in CASES if c[1] != "0"])
def test_error_code_maps_to_its_meaning_and_retry_decision(provider: str, code: str) -> None:
    p = get(provider)
    outcome = p.parse_response(200, p.error_body(code))
    assert outcome.code == code
    assert outcome.message_id is None
    assert outcome.message is not None
    assert outcome.message.startswith(p.response_codes[code].meaning)
    expected = Disposition.RETRY if (provider, code) in RETRYABLE else Disposition.FAILED
    assert outcome.disposition is expected


@pytest.mark.parametrize("provider", ["viber", "whatsapp"])
def test_success_carries_the_message_id(provider: str) -> None:
    p = get(provider)
    outcome = p.parse_response(200, p.success_body("b81e8e9fcbbb422a813863e903de94bd"))
    assert outcome.disposition is Disposition.SENT
    assert outcome.message_id == "b81e8e9fcbbb422a813863e903de94bd"


def test_the_documents_example_answers() -> None:
    viber, whatsapp = get("viber"), get("whatsapp")
    ok = viber.parse_response(200, json.dumps({
        "code": 0, "message": "Success",
        "data": {"requestId": "b81e8e9fcbbb422a813863e903de94bd"},
        "traceId": "77f8709b545f4fee93fd7f098be9df04"}).encode())
    assert (ok.disposition, ok.message_id) == (Disposition.SENT,
                                               "b81e8e9fcbbb422a813863e903de94bd")
    bad = viber.parse_response(200, b'{"code": -1, "message": "Failure", "traceId": "77f"}')
    assert (bad.disposition, bad.code, bad.message) == (Disposition.FAILED, "-1", "Failure")
    wa = whatsapp.parse_response(200, json.dumps({
        "status": "0", "reason": "success", "data": {
            "channelType": 0, "messageId": "10415ecbd0c848ebb7d5a3fe53269df6",
            "timestamp": 1693813991}}).encode())
    assert (wa.disposition, wa.message_id) == (Disposition.SENT,
                                               "10415ecbd0c848ebb7d5a3fe53269df6")
    # ITNIO's status may come as a number too; the provider's own words are kept.
    num = whatsapp.parse_response(200, '{"status": -68, "reason": "余额不足"}'.encode())
    assert num.code == "-68" and "余额不足" in (num.message or "")


@pytest.mark.parametrize("provider", ["viber", "whatsapp"])
@pytest.mark.parametrize(("status", "body", "expected"), [
    (429, b"", Disposition.RETRY),
    (502, b"<html>bad gateway</html>", Disposition.UNKNOWN),  # D2: upstream may have it
    (503, b'{"code": 0}', Disposition.RETRY),
    (504, b"", Disposition.UNKNOWN),                        # D2: upstream may have it
    (502, b'{"code": 9001}', Disposition.UNKNOWN),
    (408, b"", Disposition.RETRY),
    (500, b"Internal Server Error", Disposition.UNKNOWN),   # may have been accepted
    (200, b'{"code": 0, "data": {"requ', Disposition.UNKNOWN),  # malformed JSON
    (200, b"[]", Disposition.UNKNOWN),
    (200, b'{"hello": "world"}', Disposition.UNKNOWN),     # no code/status at all
    (401, b"", Disposition.FAILED),                         # refused before processing
    (404, b"not found", Disposition.FAILED),
])
def test_answers_without_a_provider_code(provider: str, status: int, body: bytes,
                                         expected: Disposition) -> None:
    assert get(provider).parse_response(status, body).disposition is expected


@pytest.mark.parametrize(("provider", "body"), [
    ("viber", b'{"code": 4242, "message": "Failure"}'),
    ("whatsapp", b'{"status": "-4242", "reason": "new"}'),
])
def test_an_undocumented_code_is_a_failure_not_a_retry(provider: str, body: bytes) -> None:
    outcome = get(provider).parse_response(200, body)
    assert outcome.disposition is Disposition.FAILED
    assert "undocumented" in (outcome.message or "")


REQUEST = httpx.Request("POST", "http://127.0.0.1:9/")


@pytest.mark.parametrize(("exc", "expected"), [
    (httpx.ConnectError("refused", request=REQUEST), Disposition.RETRY),
    (httpx.ConnectTimeout("slow", request=REQUEST), Disposition.RETRY),
    (httpx.PoolTimeout("pool", request=REQUEST), Disposition.RETRY),
    (httpx.ReadTimeout("late", request=REQUEST), Disposition.UNKNOWN),
    (httpx.WriteTimeout("late", request=REQUEST), Disposition.UNKNOWN),
    (httpx.RemoteProtocolError("closed", request=REQUEST), Disposition.UNKNOWN),
    (httpx.ReadError("reset", request=REQUEST), Disposition.UNKNOWN),
    (httpx.WriteError("broken pipe", request=REQUEST), Disposition.UNKNOWN),
])
def test_transport_errors(exc: httpx.TransportError, expected: Disposition) -> None:
    assert classify_exception(exc, 5.0).disposition is expected


def test_backoff_is_exponential_with_full_jitter_and_honours_retry_after() -> None:
    policy = RetryPolicy(retries=5, backoff=0.5, max_backoff=4.0)
    rng = random.Random(3)
    for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0)):
        waits = [policy.delay(attempt, None, rng) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8 and min(waits) < ceiling * 0.2  # spread out
    assert policy.delay(1, 3.0, rng) >= 3.0
    assert policy.delay(1, 100.0, rng) == 4.0  # capped
    assert retry_after(httpx.Headers({"Retry-After": "2"})) == 2.0
    assert retry_after(httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) is None
    assert retry_after(httpx.Headers({})) is None


def test_the_retry_table_is_the_rule_retry_only_when_nothing_can_have_been_accepted() -> None:
    """D2: one table decides; a case is retried exactly when nothing can have been
    accepted, and the failure of a case that may have been accepted is never final."""
    from compiler.sending.outcome import RETRY_TABLE, rule

    cases = [r.case for r in RETRY_TABLE]
    assert len(cases) == len(set(cases))
    for r in RETRY_TABLE:
        assert (r.disposition is Disposition.RETRY) <= (r.accepted == "no"), r.case
        assert (r.accepted == "maybe") == (r.disposition is Disposition.UNKNOWN), r.case
        assert rule(r.case) is r
    retried = {r.case for r in RETRY_TABLE if r.disposition is Disposition.RETRY}
    assert retried == {"connect", "HTTP 408", "HTTP 429", "HTTP 503", "provider-retry"}
    for status in range(400, 600):
        outcome = get("viber").parse_response(status, b"")
        assert outcome.rule is not None
        assert outcome.disposition is rule(outcome.rule).disposition


def test_every_outcome_names_its_row_of_the_retry_table() -> None:
    from compiler.sending.outcome import rule

    for provider in ("viber", "whatsapp"):
        p = get(provider)
        for code in p.response_codes:
            body = p.success_body("x") if code == "0" else p.error_body(code)
            outcome = p.parse_response(200, body)
            assert outcome.rule is not None and (
                rule(outcome.rule).disposition is outcome.disposition), (provider, code)
        for body in (b"[]", b"{nope", b'{"hello": 1}'):
            outcome = p.parse_response(200, body)
            assert outcome.rule == "unreadable" and outcome.disposition is Disposition.UNKNOWN
    request = httpx.Request("POST", "http://127.0.0.1:9/")
    for exc, case in ((httpx.ConnectError("x", request=request), "connect"),
                      (httpx.ReadTimeout("x", request=request), "timeout"),
                      (httpx.ReadError("x", request=request), "connection")):
        outcome = classify_exception(exc, 1.0)
        assert outcome.rule == case and outcome.disposition is rule(case).disposition


def test_readme_states_the_retry_table() -> None:
    """D2: the README's Sending section carries the code's table, row for row."""
    from pathlib import Path

    from compiler.sending.outcome import retry_table_markdown

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    assert retry_table_markdown() in readme
