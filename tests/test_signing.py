"""Request signing: the published test vectors, and signatures over the exact bytes sent."""

from __future__ import annotations

import hashlib
import json

import pytest

from compiler.providers import get
from compiler.providers.viber.api import nxcloud_sign
from compiler.providers.whatsapp.api import itnio_sign

# AUTH.md: headers accessKey=fme2na3kdi3ki, action=send, bizType=1, ts=1655710885431;
# secret abciiiko2k3.
NX_HEADERS = {"accessKey": "fme2na3kdi3ki", "action": "send", "bizType": "1",
              "ts": "1655710885431"}
NX_SECRET = "abciiiko2k3"


@pytest.mark.parametrize(("body", "sign"), [
    ('{"name":"牛小信","id":10001}', "87c3560d3331ae23f1021e2025722354"),
    ('{"id":10001,"name":"牛小信"}', "7750759da06333f20d0640be09355e34"),
    ('{"id": 10001, "name": "牛小信"}', "d0c24a9886c629330d7f3f2056c65bc2"),
])
def test_nxcloud_vectors(body: str, sign: str) -> None:
    assert nxcloud_sign(NX_HEADERS, body.encode("utf-8"), NX_SECRET) == sign


def test_nxcloud_headers_are_sorted_whatever_their_order() -> None:
    shuffled = dict(reversed(list(NX_HEADERS.items())))
    body = '{"name":"牛小信","id":10001}'.encode()
    assert nxcloud_sign(shuffled, body, NX_SECRET) == "87c3560d3331ae23f1021e2025722354"


def test_nxcloud_empty_body_leaves_out_the_body_part() -> None:
    text = "accessKey=fme2na3kdi3ki&action=send&bizType=1&ts=1655710885431&accessSecret=" + NX_SECRET
    assert nxcloud_sign(NX_HEADERS, b"", NX_SECRET) == hashlib.md5(text.encode()).hexdigest()


def test_itnio_vector() -> None:
    assert itnio_sign("bDqJFiq9", "7bz1lzh9", "1630468800") == "05d7a50893e22a5c4bb3216ae3396c7c"


def test_viber_request_headers() -> None:
    viber = get("viber")
    creds = {"NXCLOUD_ACCESS_KEY": "fme2na3kdi3ki", "NXCLOUD_ACCESS_SECRET": NX_SECRET}
    body = json.dumps({"phone": "79001234567", "text": "é"}, ensure_ascii=False).encode()
    headers = viber.sign(body, creds, 1655710885.431)
    assert headers["ts"] == "1655710885431"  # milliseconds
    assert (headers["bizType"], headers["action"]) == ("7", "mt")
    assert headers["accessKey"] == "fme2na3kdi3ki"
    signed = {k: headers[k] for k in ("accessKey", "ts", "bizType", "action")}
    assert headers["sign"] == nxcloud_sign(signed, body, NX_SECRET)
    # The signature covers the exact bytes: one byte more and it changes.
    assert viber.sign(body + b" ", creds, 1655710885.431)["sign"] != headers["sign"]
    assert viber.verify_request({k.lower(): v for k, v in headers.items()}, body, creds,
                                1655710885.431) == "9000"  # auth passes; not a payload


def test_whatsapp_request_headers() -> None:
    whatsapp = get("whatsapp")
    creds = {"ITNIO_API_KEY": "bDqJFiq9", "ITNIO_API_SECRET": "7bz1lzh9"}
    headers = whatsapp.sign(b"{}", creds, 1630468800.9)
    assert headers == {
        "Content-Type": "application/json;charset=UTF-8",
        "Api-Key": "bDqJFiq9",
        "Timestamp": "1630468800",  # seconds
        "Sign": "05d7a50893e22a5c4bb3216ae3396c7c",
    }


def test_fake_checks_the_signature_against_the_bytes_received() -> None:
    viber = get("viber")
    creds = {"NXCLOUD_ACCESS_KEY": "k" * 8, "NXCLOUD_ACCESS_SECRET": "s" * 8}
    body = b'{"appkey":"a","phone":"79001234567","functionType":"text",' \
           b'"messageData":{"rateType":"Transactional","text":"hi"}}'
    headers = {k.lower(): v for k, v in viber.sign(body, creds, 1000.0).items()}
    assert viber.verify_request(headers, body, creds, 1000.0) is None
    reformatted = json.dumps(json.loads(body)).encode()  # same JSON, other bytes
    assert viber.verify_request(headers, reformatted, creds, 1000.0) == "1003"
