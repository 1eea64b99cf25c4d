"""The fake provider keeps the documents' contract: auth, timestamps, payload codes, ids,
faults and its record; and `msgc fake-server` announces its port on stdout."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from send_support import SECRETS, fake_servers, msgc_command, subprocess_env

from compiler.providers import get
from compiler.sending.fake_server import Faults, parse_reject

_fake = pytest.fixture(name="fake")(fake_servers)

VIBER_BODY = {"appkey": "app", "phone": "79001234567", "functionType": "text",
              "messageData": {"rateType": "Transactional", "text": "hi"}}
WA_BODY = {"appId": "wa", "businessPhone": "12025550100", "channelType": 0,
           "recipient": "79001234567", "type": "text", "text": {"body": "hi"}}
PATHS = {"viber": "/api/viber/mt", "whatsapp": "/wa/custom/sendMsg"}
#: One client for the module's requests: each ``httpx.post`` builds a client, and with it a
#: TLS context (about 20 ms of CPU) that a loopback http:// request never uses.
HTTP = httpx.Client(verify=False, trust_env=False)


def post(url: str, provider: str, payload: Any, *, creds: dict[str, str] | None = None,
         skew: float = 0.0, drop: str | None = None,
         change: dict[str, str] | None = None) -> tuple[int, Any]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = get(provider).sign(body, creds or SECRETS, time.time() + skew)
    if drop:
        del headers[drop]
    headers.update(change or {})
    response = HTTP.post(url + PATHS[provider], content=body, headers=headers)
    return response.status_code, response.json()


def code_of(answer: Any) -> str:
    return str(answer.get("code", answer.get("status")))


def test_accepts_and_answers_with_an_id(fake: Any) -> None:
    server = fake()
    status, answer = post(server.base_url, "viber", VIBER_BODY)
    assert status == 200 and answer["code"] == 0 and len(answer["data"]["requestId"]) == 32
    status, answer = post(server.base_url, "whatsapp", WA_BODY)
    assert status == 200 and answer["status"] == "0" and answer["data"]["messageId"]
    assert [r.provider for r in server.received()] == ["viber", "whatsapp"]
    assert server.accepted_by_phone() == {"79001234567": 2}


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"drop": "sign"}, "1001"),
    ({"drop": "accessKey"}, "1001"),
    ({"change": {"bizType": "1"}}, "1002"),
    ({"change": {"action": "send"}}, "1002"),
    ({"change": {"accessKey": "someone-else"}}, "1000"),
    ({"creds": {**SECRETS, "NXCLOUD_ACCESS_SECRET": "wrong-secret"}}, "1003"),
    ({"change": {"sign": "0" * 32}}, "1003"),
    ({"skew": -61}, "1004"),
    ({"skew": 61}, "1004"),
])
def test_nxcloud_auth_codes(fake: Any, kwargs: dict[str, Any], code: str) -> None:
    server = fake()
    status, answer = post(server.base_url, "viber", VIBER_BODY, **kwargs)
    assert (status, code_of(answer)) == (200, code)
    assert answer["message"] == get("viber").response_codes[code].meaning
    assert server.accepted == 0


def test_nxcloud_timestamp_within_60_s_is_fine(fake: Any) -> None:
    server = fake()
    assert code_of(post(server.base_url, "viber", VIBER_BODY, skew=-50)[1]) == "0"


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"drop": "Sign"}, "-1"),
    ({"change": {"Api-Key": "someone-else"}}, "-1"),
    ({"creds": {**SECRETS, "ITNIO_API_SECRET": "wrong-secret"}}, "-1"),
    ({"skew": -120}, "-16"),
])
def test_itnio_auth_codes(fake: Any, kwargs: dict[str, Any], code: str) -> None:
    server = fake()
    assert code_of(post(server.base_url, "whatsapp", WA_BODY, **kwargs)[1]) == code


@pytest.mark.parametrize(("provider", "change", "code"), [
    ("viber", {"phone": "12ab"}, "9002"),
    ("viber", {"phone": "123"}, "9002"),
    ("viber", {"functionType": "carsoucel"}, "9000"),
    ("viber", {"messageData": {"rateType": "Transactional"}}, "9000"),
    ("whatsapp", {"recipient": "123456789012345"}, "-70"),
    ("whatsapp", {"recipient": "123"}, "-71"),
    ("whatsapp", {"recipient": "79x"}, "-72"),
    ("whatsapp", {"businessPhone": "123456789012345"}, "-93"),
    ("whatsapp", {"businessPhone": "123"}, "-94"),
    ("whatsapp", {"businessPhone": 12025550100}, "-95"),
    ("whatsapp", {"channelType": 1}, "-112"),
    ("whatsapp", {"text": None}, "-114"),
    ("whatsapp", {"text": {"body": " "}}, "-115"),
    ("whatsapp", {"type": "image", "text": None, "image": {"caption": "x"}}, "-117"),
    ("whatsapp", {"type": "image", "text": None, "image": {"link": "ftp://x"}}, "-133"),
    ("whatsapp", {"type": "audio", "text": None}, "-118"),
    ("whatsapp", {"type": "location", "text": None, "location": {"latitude": "1"}}, "-128"),
    ("whatsapp", {"type": "fax"}, "-132"),
    ("whatsapp", {"type": "interactive", "text": None,
                  "interactive": {"type": "poll"}}, "-165"),
    ("whatsapp", {"type": "interactive", "text": None, "interactive": {
        "type": "carousel", "body": {"text": "x"}, "action": {"cards": []}}}, "-305"),
    ("whatsapp", {"appId": ""}, "-22"),
])
def test_payload_codes(fake: Any, provider: str, change: dict[str, Any], code: str) -> None:
    server = fake()
    payload = {**(VIBER_BODY if provider == "viber" else WA_BODY), **change}
    payload = {k: v for k, v in payload.items() if v is not None}
    assert code_of(post(server.base_url, provider, payload)[1]) == code


def test_body_that_is_not_json(fake: Any) -> None:
    server = fake()
    assert code_of(post(server.base_url, "viber", b"{nope")[1]) == "1002"
    assert code_of(post(server.base_url, "whatsapp", b"[1, 2]")[1]) == "-22"


def test_unknown_endpoint_and_method(fake: Any) -> None:
    server = fake()
    assert httpx.post(server.base_url + "/nope", content=b"{}").status_code == 404
    assert httpx.get(server.base_url + PATHS["viber"]).status_code == 405


def test_faults_draw_their_share(fake: Any) -> None:
    server = fake(Faults(fail_rate=0.2, rate_limit_rate=0.2, garbage_rate=0.2, seed=7))
    with httpx.Client() as client:
        statuses = []
        for _ in range(200):
            body = json.dumps(VIBER_BODY).encode()
            r = client.post(server.base_url + PATHS["viber"], content=body,
                            headers=get("viber").sign(body, SECRETS, time.time()))
            statuses.append(r.status_code)
    stats = server.stats
    assert stats["5xx"] + stats["429"] + stats["accepted"] == 200
    assert 20 <= stats["5xx"] <= 60 and 15 <= stats["429"] <= 50 and stats["garbage"] >= 10
    assert statuses.count(429) == stats["429"]
    assert {s for s in statuses if s >= 500} <= {502, 503, 504}


def test_accept_then_fail_accepts_and_answers_a_gateway_error(fake: Any) -> None:
    """D2: the fault a gateway makes when its upstream took the message."""
    server = fake(Faults(accept_then_fail_rate=1.0, seed=3))
    statuses = [post_status(server.base_url) for _ in range(20)]
    assert set(statuses) == {502, 504}
    assert server.accepted == 20 and server.stats["accept-then-fail"] == 20
    assert all(r.accepted and r.message_id and r.status in (502, 504)
               and r.fault == "accept-then-fail" for r in server.received())


def post_status(url: str) -> int:
    body = json.dumps(VIBER_BODY).encode()
    return HTTP.post(url + PATHS["viber"], content=body,
                    headers=get("viber").sign(body, SECRETS, time.time())).status_code


def test_cli_accept_then_fail_rate(tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    proc = subprocess.Popen([*msgc_command(), "fake-server", "--port", "0", "--seed", "2",
                             "--accept-then-fail-rate", "1", "--record", str(record)],
                            cwd=tmp_path, env=subprocess_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        assert post_status(f"http://127.0.0.1:{port}") in (502, 504)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "1 requests, 1 accepted" in err
    [line] = [json.loads(x) for x in record.read_text().splitlines()]
    assert line["accepted"] and line["fault"] == "accept-then-fail"


def test_record_file_has_every_request_and_no_secret(fake: Any, tmp_path: Path) -> None:
    record = tmp_path / "received.jsonl"
    server = fake(record=record)
    post(server.base_url, "viber", VIBER_BODY)
    post(server.base_url, "whatsapp", WA_BODY, skew=-999)
    server.stop()
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(x["provider"], x["accepted"], x["code"]) for x in lines] == [
        ("viber", True, None), ("whatsapp", False, "-16")]
    assert lines[0]["payload"] == VIBER_BODY
    text = record.read_text()
    assert not any(secret in text for secret in SECRETS.values())


def test_parse_reject() -> None:
    assert parse_reject("1102") == parse_reject("1102=1")
    spec = parse_reject("whatsapp:-18=0.25")
    assert (spec.provider, spec.code, spec.share) == ("whatsapp", "-18", 0.25)


def test_cli_prints_the_port_first_and_serves(tmp_path: Path) -> None:
    proc = subprocess.Popen([*msgc_command(), "fake-server", "--port", "0", "--seed", "1"],
                            cwd=tmp_path, env=subprocess_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        status, answer = post(f"http://127.0.0.1:{port}", "viber", VIBER_BODY)
        assert status == 200 and answer["code"] == 0
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "1 requests, 1 accepted" in err
    assert not any(secret in err for secret in SECRETS.values())


def test_a_held_request_whose_client_goes_away_is_dropped_while_still_held(fake: Any) -> None:
    """The fake notices a client that went away while its request was held (``held``
    falls) rather than only once the hold is lifted, so a test that killed the sender and
    saw ``held == 0`` knows the request is dropped, however soon it lifts the hold."""
    import socket

    server = fake()
    server.hold_after(0)
    body = json.dumps(VIBER_BODY).encode()
    headers = get("viber").sign(body, SECRETS, time.time())
    request = (f"POST {PATHS['viber']} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode() + body
    with socket.create_connection((server.host, server.port)) as sock:
        sock.sendall(request)
        deadline = time.monotonic() + 20
        while server.held != 1:
            assert time.monotonic() < deadline, "the request was never held"
            time.sleep(0.01)
    deadline = time.monotonic() + 20
    while server.held != 0:  # the client is gone: dropped without lifting the hold
        assert time.monotonic() < deadline, "the fake kept holding a request nobody awaits"
        time.sleep(0.01)
    server.hold_after(None)
    time.sleep(0.1)
    assert server.accepted == 0 and server.stats["abandoned"] == 1
