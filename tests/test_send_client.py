"""Retry decisions through real sockets: what is retried, what never is, and what the
fake provider ends up having accepted."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytest
from send_support import SECRETS, fake_servers

from compiler.providers import get
from compiler.sending.client import Result, RetryPolicy, Sender
from compiler.sending.fake_server import Faults, Reject
from compiler.sending.outcome import Disposition
from compiler.sending.ratelimit import TokenBucket

_fake = pytest.fixture(name="fake")(fake_servers)

BODIES = {
    "viber": b'{"appkey":"app","phone":"79001234567","functionType":"text",'
             b'"messageData":{"rateType":"Transactional","text":"hi"}}',
    "whatsapp": b'{"appId":"wa","businessPhone":"12025550100","channelType":0,'
                b'"recipient":"79001234567","type":"text","text":{"body":"hi"}}',
}
FAST = RetryPolicy(retries=3, backoff=0.01, max_backoff=0.05)


def send(url: str, provider: str = "viber", *, timeout: float = 5.0,
         policy: RetryPolicy = FAST, body: bytes | None = None) -> Result:
    async def run() -> Result:
        async with Sender(get(provider), SECRETS, url, concurrency=2, timeout=timeout,
                          policy=policy) as sender:
            return await sender.send(body or BODIES[provider])
    return asyncio.run(run())


@pytest.mark.parametrize("provider", ["viber", "whatsapp"])
def test_a_clean_send(fake: Any, provider: str) -> None:
    server = fake()
    result = send(server.base_url, provider)
    assert result.outcome.disposition is Disposition.SENT
    assert result.attempts == 1
    assert server.accepted_by_phone() == {"79001234567": 1}
    assert server.received()[0].message_id == result.outcome.message_id


@pytest.mark.parametrize(("faults", "fault"), [
    (Faults(fail_rate=1.0, fail_statuses=(503,), seed=1), "5xx"),
    (Faults(rate_limit_rate=1.0, seed=1), "429"),
])
def test_busy_answers_are_retried_then_failed(fake: Any, faults: Faults, fault: str) -> None:
    server = fake(faults)
    result = send(server.base_url)
    assert result.outcome.disposition is Disposition.FAILED
    assert result.attempts == FAST.retries + 1
    assert "gave up after 4 attempts" in (result.outcome.message or "")
    assert server.stats[fault] == 4 and server.accepted == 0


def test_a_retry_that_succeeds(fake: Any) -> None:
    server = fake(Faults(fail_rate=0.5, fail_statuses=(503,), seed=4))
    results = [send(server.base_url, policy=RetryPolicy(retries=10, backoff=0.001))
               for _ in range(10)]
    assert all(r.outcome.disposition is Disposition.SENT for r in results)
    assert sum(r.attempts for r in results) > 10  # some were retried
    assert server.accepted == 10


@pytest.mark.parametrize("status", [502, 504])
@pytest.mark.parametrize("accepted", [0, 1])
def test_a_gateway_error_is_unknown_and_never_retried(fake: Any, status: int,
                                                      accepted: int) -> None:
    """D2: a 502/504 may come after the upstream accepted the message: retrying it would
    send it twice, so it is unknown, whether or not the fake accepted it."""
    faults = (Faults(accept_then_fail_rate=1.0, fail_statuses=(status,), seed=1) if accepted
              else Faults(fail_rate=1.0, fail_statuses=(status,), seed=1))
    server = fake(faults)
    result = send(server.base_url)
    assert result.outcome.disposition is Disposition.UNKNOWN
    assert (result.outcome.code, result.attempts) == (f"HTTP {status}", 1)
    assert server.stats["requests"] == 1 and server.accepted == accepted
    assert [r.status for r in server.received()] == [status]


def test_provider_system_error_is_retried(fake: Any) -> None:
    server = fake(Faults(reject=[Reject("-18")], seed=1))
    result = send(server.base_url, "whatsapp")
    assert result.outcome.disposition is Disposition.FAILED
    assert result.outcome.code == "-18"
    assert server.stats["requests"] == FAST.retries + 1


@pytest.mark.parametrize(("provider", "code"), [
    ("viber", "1102"), ("viber", "9002"), ("viber", "9000"), ("viber", "9999"),
    ("whatsapp", "-68"), ("whatsapp", "-70"), ("whatsapp", "-22"),
])
def test_business_errors_are_never_retried(fake: Any, provider: str, code: str) -> None:
    server = fake(Faults(reject=[Reject(code)], seed=1))
    result = send(server.base_url, provider)
    assert (result.outcome.disposition, result.outcome.code) == (Disposition.FAILED, code)
    assert result.attempts == 1 and server.stats["requests"] == 1


def test_connection_refused_is_retried_nothing_was_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = send(f"http://127.0.0.1:{port}")  # nothing listens there any more
    assert result.outcome.disposition is Disposition.FAILED
    assert result.outcome.code == "connect"
    assert result.attempts == FAST.retries + 1


@pytest.mark.parametrize(("faults", "accepted"), [
    (Faults(lose_answer_rate=1.0, seed=1), 1),   # accepted, then the answer was lost
    (Faults(garbage_rate=1.0, seed=1), 1),       # accepted, answer unreadable
    (Faults(drop_rate=1.0, seed=1), 0),          # dropped before processing
])
def test_no_answer_after_sending_is_unknown_and_never_retried(
        fake: Any, faults: Faults, accepted: int) -> None:
    server = fake(faults)
    result = send(server.base_url)
    assert result.outcome.disposition is Disposition.UNKNOWN
    assert result.attempts == 1
    assert server.stats["requests"] == 1 and server.accepted == accepted


def test_a_timeout_after_the_request_was_written_is_unknown(fake: Any) -> None:
    server = fake(Faults(slow_rate=1.0, slow_ms=400, seed=1))
    result = send(server.base_url, timeout=0.1)
    assert result.outcome.disposition is Disposition.UNKNOWN
    assert result.outcome.code == "timeout"
    assert result.attempts == 1
    deadline = time.monotonic() + 5
    while server.accepted == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.accepted == 1  # the provider did take it: resending would duplicate


def test_token_bucket_spaces_requests_and_limits_bursts() -> None:
    clock = [0.0]
    bucket = TokenBucket(10, burst=1, clock=lambda: clock[0])
    waits = [bucket.reserve() for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    clock[0] = 10.0  # after a long idle spell only `burst` requests go at once
    assert bucket.reserve() == 0.0 and bucket.reserve() == pytest.approx(0.1)
