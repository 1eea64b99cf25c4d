"""The sending transport: one pool of keep-alive connections, stale connections replaced
(never turned into "unknown"), TLS, and httpx's own transport when a proxy applies."""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from send_support import SECRETS, fake_servers

from compiler.providers import get
from compiler.sending.client import RetryPolicy, Sender
from compiler.sending.outcome import Disposition
from compiler.sending.transport import PoolTransport, make_transport

_fake = pytest.fixture(name="fake")(fake_servers)

BODY = (b'{"appId":"wa","businessPhone":"12025550100","channelType":0,'
        b'"recipient":"79001234567","type":"text","text":{"body":"hi"}}')


def send_many(url: str, n: int, concurrency: int) -> list[Disposition]:
    async def run() -> list[Disposition]:
        async with Sender(get("whatsapp"), SECRETS, url, concurrency=concurrency,
                          policy=RetryPolicy(retries=0)) as sender:
            results = await asyncio.gather(*(sender.send(BODY) for _ in range(n)))
        return [r.outcome.disposition for r in results]
    return asyncio.run(run())


def test_connections_are_pooled_and_bounded(fake: Any) -> None:
    server = fake()
    assert send_many(server.base_url, 60, 4) == [Disposition.SENT] * 60
    assert server.stats["connections"] <= 4
    assert server.max_in_flight <= 4


def test_a_connection_the_server_closed_is_replaced_not_unknown() -> None:
    """A server that closes every connection after one answer (without saying so)."""
    async def run() -> tuple[list[Disposition], int]:
        connections = 0

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")))
            await reader.readexactly(length)
            body = get("whatsapp").success_body(f"id{connections}")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        out = []
        async with Sender(get("whatsapp"), SECRETS, f"http://127.0.0.1:{port}",
                          concurrency=1, policy=RetryPolicy(retries=0)) as sender:
            for _ in range(5):
                out.append((await sender.send(BODY)).outcome.disposition)
                await asyncio.sleep(0.05)  # the FIN arrives while the connection is idle
        server.close()
        return out, connections
    dispositions, connections = asyncio.run(run())
    assert dispositions == [Disposition.SENT] * 5 and connections == 5


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_tls(fake: Any, certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server = fake(ssl_context=server_context)
    assert server.base_url.startswith("https://127.0.0.1:")

    async def trusted() -> httpx.Response:
        transport = PoolTransport(2, ssl_context=ssl.create_default_context(cafile=str(cert)))
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.post(server.base_url + "/wa/custom/sendMsg", content=BODY,
                                     headers=get("whatsapp").sign(BODY, SECRETS, time.time()))
    response = asyncio.run(trusted())
    assert response.status_code == 200 and json.loads(response.content)["status"] == "0"
    # With the system's CAs the self-signed certificate is refused before anything is sent.
    assert send_many(server.base_url, 1, 1) == [Disposition.FAILED]
    assert server.accepted == 1 and server.stats["requests"] == 1


def test_httpx_transport_when_a_proxy_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert make_transport("https://api.itniotech.com", 4, use_env_proxy=True) is None
    assert isinstance(make_transport("https://api.itniotech.com", 4, use_env_proxy=False),
                      PoolTransport)
    monkeypatch.setenv("NO_PROXY", "api.itniotech.com")
    assert isinstance(make_transport("https://api.itniotech.com", 4, use_env_proxy=True),
                      PoolTransport)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/api/viber/mt",
                                 "https://api.itniotech.com/wa/send",
                                 "https://api2.nxcloud.com:8443/x"])
@pytest.mark.parametrize("provider", ["viber", "whatsapp"])
def test_the_pools_direct_post_writes_httpxs_header_lines(url: str, provider: str) -> None:
    """The sender's pool skips building httpx's Request; the header lines it writes are
    the ones httpx would write for the same request, in the same order."""
    from compiler.sending.client import request_headers

    p = get(provider)
    headers = p.sign(BODY, {name: "secret-" + name for name in p.credential_names}, 1.7e9)
    expected = httpx.Request("POST", url, headers=headers, content=BODY).headers.raw
    parsed = httpx.URL(url)
    assert request_headers((b"Host", parsed.netloc), headers, BODY) == expected


def test_compressed_answers_are_decoded_as_httpx_does() -> None:
    """An answer with Content-Encoding goes through httpx's decoding, as before."""
    import gzip

    answer = get("whatsapp").success_body("m-1")

    async def run() -> Disposition:
        transport = PoolTransport(1)

        async def post(url: httpx.URL, headers: Any, body: bytes, timeouts: Any) -> Any:
            return 200, [(b"Content-Encoding", b"gzip")], gzip.compress(answer)

        transport.post = post  # type: ignore[method-assign]
        async with Sender(get("whatsapp"), SECRETS, "http://127.0.0.1:9") as sender:
            sender._transport = transport
            return (await sender.attempt(BODY)).disposition

    assert asyncio.run(run()) is Disposition.SENT
