"""The webhook application, in process: routes and 404s without hints, the token and the
source-IP allow-list, size limits at N and N+1, bad JSON, wrong shapes and unknown event
types, duplicates stored once, 200 only after the commit, a database that cannot be written,
health, logs without secrets, and the application object configured from the environment."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tracking_support import TOKEN, Log

from compiler.tracking.store import EventWriter
from compiler.webhook import create_app
from compiler.webhook.app import WebhookApp
from compiler.webhook.settings import WebhookSettings, parse_networks

RECEIPT = {"status": 11001, "requestId": "req-1", "code": 0, "message": "success",
           "sendTime": "2023-07-13 15:12:11"}
INBOUND = {"eventType": "up-message-event", "messageId": "in-1", "timestamp": 1693813999,
           "businessPhone": "12025550100", "from": {"phone": "79001230000", "name": "Ann"},
           "message": {"type": "text", "text": {"body": "secret-looking text 4242"}}}
NOT_FOUND = b'{"error":"not found"}'


class Hook:
    def __init__(self, tmp_path: Path, **settings: Any) -> None:
        self.db = tmp_path / "events.sqlite3"
        self.writer = EventWriter(self.db)
        self.writer.start()
        self.log = Log()
        self.app = WebhookApp(WebhookSettings(db=self.db, token=TOKEN, **settings),
                              writer=self.writer, emit=self.log)

    def rows(self, query: str = "SELECT provider, kind, status, duplicates FROM events "
                                "ORDER BY id") -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(query).fetchall()


@pytest.fixture
def hook(tmp_path: Path) -> Any:
    made = Hook(tmp_path)
    yield made
    made.writer.close()


def call(app: Any, fn: Callable[[httpx.AsyncClient], Awaitable[Any]],
         client: tuple[str, int] = ("127.0.0.1", 50000)) -> Any:
    async def main() -> Any:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://hook") as http:
            return await fn(http)
    return asyncio.run(main())


def post(app: Any, path: str, body: Any, *, raw: bytes | None = None,
         client: tuple[str, int] = ("127.0.0.1", 50000), method: str = "POST",
         headers: dict[str, str] | None = None) -> httpx.Response:
    content = raw if raw is not None else json.dumps(body).encode()
    result: httpx.Response = call(app, lambda http: http.request(
        method, path, content=content, headers=headers), client)
    return result


def test_a_receipt_is_stored_and_a_retry_stored_once(hook: Hook) -> None:
    first = post(hook.app, f"/hooks/{TOKEN}/nxcloud", RECEIPT)
    again = post(hook.app, f"/hooks/{TOKEN}/nxcloud", RECEIPT)
    assert (first.status_code, first.json()) == (200, {"ok": True, "stored": 1,
                                                       "duplicates": 0})
    assert (again.status_code, again.json()["duplicates"]) == (200, 1)
    assert hook.rows() == [("viber", "status", "delivered", 1)]


def test_both_providers_and_a_trailing_slash(hook: Hook) -> None:
    assert post(hook.app, f"/hooks/{TOKEN}/itnio/", INBOUND).status_code == 200
    assert hook.rows("SELECT provider, kind, phone, text FROM events") == [
        ("whatsapp", "inbound", "79001230000", "secret-looking text 4242")]


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/hooks/wrong-token-0000000000/nxcloud"),
    ("POST", f"/hooks/{TOKEN}x/nxcloud"),
    ("POST", f"/hooks/{TOKEN[:-1]}/nxcloud"),
    ("POST", f"/hooks/{TOKEN}/viber"),
    ("POST", f"/hooks/{TOKEN}"),
    ("POST", f"/hooks/{TOKEN}/nxcloud/extra"),
    ("POST", f"/other/{TOKEN}/nxcloud"),
    ("GET", f"/hooks/{TOKEN}/nxcloud"),
    ("PUT", f"/hooks/{TOKEN}/nxcloud"),
    ("GET", "/"),
    ("POST", "/healthz"),
    ("GET", "/wp-login.php"),
])
def test_everything_else_is_the_same_bare_404(hook: Hook, method: str, path: str) -> None:
    answer = post(hook.app, path, RECEIPT, method=method)
    assert (answer.status_code, answer.content) == (404, NOT_FOUND)
    assert hook.rows() == []


def test_source_ip_allow_list(tmp_path: Path) -> None:
    hook = Hook(tmp_path, allow=parse_networks(["203.0.113.0/24", "2001:db8::1"]))
    try:
        path = f"/hooks/{TOKEN}/nxcloud"
        for client, status in (("203.0.113.9", 200), ("198.51.100.1", 404),
                               ("2001:db8::1", 200), ("::ffff:203.0.113.10", 200),
                               ("2001:db8::2", 404), ("127.0.0.1", 404)):
            body = {**RECEIPT, "requestId": f"r-{client}"}
            answer = post(hook.app, path, body, client=(client, 1))
            assert answer.status_code == status, client
            if status == 404:
                assert answer.content == NOT_FOUND
    finally:
        hook.writer.close()


def test_size_limit_at_n_and_n_plus_1(tmp_path: Path) -> None:
    hook = Hook(tmp_path, max_body=2048)
    try:
        base = json.dumps({**RECEIPT, "message": ""}).encode()
        pad = 2048 - len(base)
        exact = json.dumps({**RECEIPT, "message": "x" * pad}).encode()
        assert len(exact) == 2048
        over = json.dumps({**RECEIPT, "requestId": "req-2", "message": "x" * (pad + 1)}).encode()
        path = f"/hooks/{TOKEN}/nxcloud"
        assert post(hook.app, path, None, raw=exact).status_code == 200
        assert post(hook.app, path, None, raw=over).status_code == 413

        async def streamed(http: httpx.AsyncClient) -> int:
            async def chunks() -> Any:
                yield over[:1000]
                yield over[1000:]
            answer = await http.post(path, content=chunks())  # no Content-Length
            return answer.status_code
        assert call(hook.app, streamed) == 413
        assert len(hook.rows()) == 1
        assert hook.rows("SELECT status FROM rejected") == [(413,), (413,)]
    finally:
        hook.writer.close()


@pytest.mark.parametrize(("raw", "status", "reason"), [
    (b"{not json", 400, "not JSON"),
    (b"\xff\xfe", 400, "not JSON"),
    (b"", 400, "not JSON"),
    (b'"a string"', 422, "JSON object"),
    (b'{"requestId": "x"}', 422, "status"),
    (b'{"status": 11009, "requestId": "x"}', 422, "unknown event type"),
    (b"[" * 100_000 + b"]" * 100_000, 422, "nested too deeply"),
])
def test_bad_bodies_are_4xx_with_the_reason_and_logged(hook: Hook, raw: bytes, status: int,
                                                       reason: str) -> None:
    app = WebhookApp(WebhookSettings(db=hook.db, token=TOKEN, max_body=1 << 20),
                     writer=hook.writer, emit=hook.log)
    answer = post(app, f"/hooks/{TOKEN}/nxcloud", None, raw=raw)
    assert answer.status_code == status
    assert reason in answer.json()["error"]
    [line] = hook.log.requests()
    assert line["status"] == status and reason in line["reason"]
    assert hook.rows() == []
    assert hook.rows("SELECT status, reason FROM rejected")[0][0] == status


def test_unknown_event_type_among_good_callbacks(hook: Hook) -> None:
    path = f"/hooks/{TOKEN}/itnio"
    bad = {**INBOUND, "eventType": "billing-event"}
    answers = [post(hook.app, path, body).status_code for body in (
        INBOUND, bad, {**INBOUND, "messageId": "in-2"}, [{**INBOUND, "messageId": "in-3"}, bad])]
    assert answers == [200, 422, 200, 422]
    assert [r[0] for r in hook.rows("SELECT key FROM events ORDER BY id")] == [
        "inbound|in-1", "inbound|in-2"]  # the list with a bad item stored nothing


def test_no_secret_and_no_body_in_any_log(hook: Hook) -> None:
    post(hook.app, f"/hooks/{TOKEN}/itnio", INBOUND)
    post(hook.app, f"/hooks/{TOKEN}/itnio", {**INBOUND, "eventType": "x"})
    post(hook.app, f"/hooks/{TOKEN}abc/itnio", INBOUND)
    post(hook.app, f"/hooks/{TOKEN}/itnio", None, raw=b"{" + TOKEN.encode())
    text = hook.log.text
    assert TOKEN not in text and TOKEN[:10] not in text
    assert "4242" not in text and "79001230000" not in text
    assert [line["path"] for line in hook.log.requests()] == ["/hooks/***/itnio"] * 4


def test_the_answer_waits_for_the_commit(hook: Hook, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    entered = threading.Event()
    original = EventWriter._write

    def slow_write(self: EventWriter, work: Any) -> None:
        entered.set()
        release.wait(30)
        original(self, work)

    monkeypatch.setattr(EventWriter, "_write", slow_write)

    async def scenario(http: httpx.AsyncClient) -> tuple[bool, int]:
        task = asyncio.ensure_future(http.post(f"/hooks/{TOKEN}/nxcloud", json=RECEIPT))
        while not entered.is_set():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        answered_early = task.done()
        release.set()
        return answered_early, (await task).status_code

    answered_early, status = call(hook.app, scenario)
    assert not answered_early and status == 200
    assert len(hook.rows()) == 1


@pytest.mark.parametrize("error", [sqlite3.OperationalError("disk I/O error"),
                                   MemoryError("disk I/O error")])
def test_a_database_that_cannot_be_written_is_503(hook: Hook, monkeypatch: pytest.MonkeyPatch,
                                                  error: BaseException) -> None:
    def broken(self: EventWriter, conn: Any, item: Any) -> Any:
        raise error

    monkeypatch.setattr(EventWriter, "_apply", broken)
    answer = post(hook.app, f"/hooks/{TOKEN}/nxcloud", RECEIPT)
    assert answer.status_code == 503
    health = call(hook.app, lambda http: http.get("/healthz"))
    assert health.status_code == 503 and "disk I/O error" in health.json()["last_error"]
    monkeypatch.undo()
    assert post(hook.app, f"/hooks/{TOKEN}/nxcloud", RECEIPT).status_code == 200
    assert call(hook.app, lambda http: http.get("/healthz")).status_code == 200


def test_an_unexpected_error_is_a_logged_500_and_the_app_goes_on(
        hook: Hook, monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.providers.viber.callbacks import NXCloudCallbacks

    def explode(self: Any, data: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(NXCloudCallbacks, "parse", explode)
    assert post(hook.app, f"/hooks/{TOKEN}/nxcloud", RECEIPT).status_code == 500
    assert hook.log.requests()[-1]["error"] == "RuntimeError"
    monkeypatch.undo()
    assert post(hook.app, f"/hooks/{TOKEN}/nxcloud", RECEIPT).status_code == 200


def test_health(hook: Hook) -> None:
    post(hook.app, f"/hooks/{TOKEN}/nxcloud", RECEIPT)
    post(hook.app, "/hooks/a-wrong-token-in-the-console/nxcloud", RECEIPT)
    answer = call(hook.app, lambda http: http.get("/healthz"))
    assert answer.status_code == 200
    data = answer.json()
    assert data["status"] == "ok" and data["stored"] == 1 and TOKEN not in answer.text
    assert data["answers"] == {"ok": 1, "not_found": 1}
    again = call(hook.app, lambda http: http.get("/healthz")).json()
    assert again["answers"] == data["answers"]  # health checks are not callbacks
    assert call(hook.app, lambda http: http.head("/healthz")).status_code == 200
    hook.writer.close()
    assert call(hook.app, lambda http: http.get("/healthz")).status_code == 503
    assert post(hook.app, f"/hooks/{TOKEN}/nxcloud", RECEIPT).status_code == 503


def test_websocket_is_closed(hook: Hook) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    asyncio.run(hook.app({"type": "websocket", "path": "/"}, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1008}]


def _lifespan(app: Any) -> list[dict[str, Any]]:
    """Run the ASGI lifespan protocol through startup and shutdown."""
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: Any) -> None:
        sent.append(dict(message))

    asyncio.run(app({"type": "lifespan"}, receive, send))
    return sent


def test_app_object_configured_from_the_environment(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "ev.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MSGC_EVENTS_DB", str(db))
    monkeypatch.setenv("MSGC_WEBHOOK_TOKEN", TOKEN)
    monkeypatch.setenv("MSGC_WEBHOOK_ALLOW", "127.0.0.0/8, ::1")
    app = create_app()
    assert post(app, f"/hooks/{TOKEN}/nxcloud", RECEIPT).status_code == 200  # lazy start
    assert post(app, f"/hooks/{TOKEN}/nxcloud", RECEIPT, client=("10.1.1.1", 5)).status_code \
        == 404
    assert _lifespan(app)[-1] == {"type": "lifespan.shutdown.complete"}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (1,)


@pytest.mark.parametrize(("env", "said"), [
    ({"MSGC_EVENTS_DB": "ev.sqlite3"}, "MSGC_WEBHOOK_TOKEN is not set"),
    ({"MSGC_EVENTS_DB": "ev.sqlite3", "MSGC_WEBHOOK_TOKEN": "short"}, "at least 16"),
    ({"MSGC_EVENTS_DB": "ev.sqlite3", "MSGC_WEBHOOK_TOKEN": "has space in it 0123456"},
     "at least 16"),
    ({"MSGC_WEBHOOK_TOKEN": TOKEN}, "MSGC_EVENTS_DB is not set"),
    ({"MSGC_EVENTS_DB": "ev.sqlite3", "MSGC_WEBHOOK_TOKEN": TOKEN,
      "MSGC_WEBHOOK_ALLOW": "not-an-ip"}, "not an IP address"),
])
def test_app_object_startup_fails_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  env: dict[str, str], said: str) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("MSGC_EVENTS_DB", "MSGC_WEBHOOK_TOKEN", "MSGC_WEBHOOK_ALLOW"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    [failed] = _lifespan(create_app())
    assert failed["type"] == "lifespan.startup.failed"
    assert said in failed["message"]
    assert "has space" not in failed["message"] and "short" not in failed["message"]


def test_not_an_events_database(tmp_path: Path) -> None:
    from compiler.diagnostics import MsgcError

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(MsgcError, match="not an msgc events database"):
        EventWriter(other).start()
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(MsgcError, match="damaged or not one"):
        EventWriter(tmp_path / "junk.sqlite3").start()
