"""``msgc webhook`` as a real server: killed with SIGKILL under load it loses nothing that
was answered 200; SIGTERM (and a stop of the in-process server) answers the requests in
progress before it exits 0; usage errors are exit 2 without a traceback or the token."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from send_support import msgc_command
from tracking_support import TOKEN, webhooks

from compiler.tracking.store import EventWriter

_webhook = pytest.fixture(name="webhook")(webhooks)


def start(tmp_path: Path, *args: str, env: dict[str, str] | None = None
          ) -> tuple[subprocess.Popen[str], int]:
    """The server as a process; its log (stderr) goes to ``tmp_path/webhook.log``: a pipe
    that nobody reads during the load would fill up and stall the server."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MSGC_")}
    environ.update({"MSGC_WEBHOOK_TOKEN": TOKEN} if env is None else env)
    with (tmp_path / "webhook.log").open("w") as log:
        proc = subprocess.Popen([*msgc_command(), "webhook", "--port", "0", *args],
                                cwd=tmp_path, env=environ, stdout=subprocess.PIPE, stderr=log,
                                text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip().isdigit(), (proc.communicate(timeout=30), log_of(tmp_path))
    return proc, int(line)


def log_of(tmp_path: Path) -> str:
    return (tmp_path / "webhook.log").read_text(encoding="utf-8")


def run_load(port: int, connections: int, total: int, on_answer: Any = None) -> list[str]:
    """:func:`load`, given at most a minute (a stalled server fails the test, not hangs it)."""
    return asyncio.run(asyncio.wait_for(load(port, connections, total, on_answer), 60))


def body(n: int) -> tuple[str, bytes]:
    """Callback ``n``: alternately an NXCloud receipt and an ITNIO status event."""
    if n % 2:
        return "nxcloud", json.dumps({"status": 11001, "requestId": f"req-{n}", "code": 0,
                                      "message": "success", "sendTime": "x"}).encode()
    return "itnio", json.dumps({"eventType": "message-status-event", "messageId": f"msg-{n}",
                                "status": "delivered", "recipient": "79001230000",
                                "timestamp": 1700000000}).encode()


async def load(port: int, connections: int, total: int, on_answer: Any = None
               ) -> list[str]:
    """Post ``total`` callbacks over ``connections`` keep-alive connections; the keys of
    those answered 200 (a connection that breaks ends its share)."""
    acked: list[str] = []
    numbers = itertools.count()

    async def one() -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return
        try:
            while (n := next(numbers)) < total:
                path, data = body(n)
                writer.write(f"POST /hooks/{TOKEN}/{path} HTTP/1.1\r\nHost: t\r\n"
                             f"Content-Type: application/json\r\nContent-Length: {len(data)}"
                             "\r\n\r\n".encode() + data)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                await reader.readexactly(length)
                if head.startswith(b"HTTP/1.1 200"):
                    acked.append(("req-" if n % 2 else "msg-") + str(n))
                    if on_answer is not None:
                        on_answer(len(acked))
        except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
            pass
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(connections)))
    return acked


def stored_ids(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT message_id FROM events")}


def test_sigkill_under_load_loses_nothing_that_was_answered_200(tmp_path: Path) -> None:
    proc, port = start(tmp_path, "--db", "events.sqlite3", "--no-access-log")
    killed = threading.Event()

    def kill_when(count: int) -> None:
        if count >= 300 and not killed.is_set():
            killed.set()
            os.kill(proc.pid, signal.SIGKILL)

    try:
        acked = run_load(port, 16, 100_000, kill_when)
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert killed.is_set() and proc.returncode == -signal.SIGKILL
    assert len(acked) >= 300
    lost = set(acked) - stored_ids(tmp_path / "events.sqlite3")
    assert not lost, f"{len(lost)} callbacks answered 200 are not in the database"


def test_sigterm_stops_gracefully(tmp_path: Path) -> None:
    proc, port = start(tmp_path, "--db", "events.sqlite3")
    stopped = threading.Event()

    def stop_when(count: int) -> None:
        if count >= 100 and not stopped.is_set():
            stopped.set()
            os.kill(proc.pid, signal.SIGTERM)

    acked = run_load(port, 8, 2_000, stop_when)
    out, _ = proc.communicate(timeout=60)
    err = log_of(tmp_path)
    assert proc.returncode == 0, err
    assert set(acked) <= stored_ids(tmp_path / "events.sqlite3")
    lines = [json.loads(line) for line in err.splitlines()]
    assert lines[-1]["event"] == "stopped" and lines[-1]["stored"] >= len(acked)
    assert TOKEN not in err and TOKEN not in out
    assert {line["event"] for line in lines} >= {"listening", "request", "stopped"}


def test_a_stop_answers_the_request_in_progress(tmp_path: Path, webhook: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    hook = webhook(tmp_path / "events.sqlite3")
    entered, release = threading.Event(), threading.Event()
    original = EventWriter._write

    def held(self: EventWriter, work: Any) -> None:
        entered.set()
        release.wait(30)
        original(self, work)

    monkeypatch.setattr(EventWriter, "_write", held)
    answers: list[int] = []
    path, data = body(1)
    poster = threading.Thread(target=lambda: answers.append(httpx.post(
        f"{hook.hooks()}/{path}", content=data, timeout=30).status_code))
    poster.start()
    assert entered.wait(20)
    hook.server.should_exit = True  # what SIGTERM does
    time.sleep(0.2)
    release.set()
    poster.join(30)
    hook.thread.join(30)
    assert answers == [200] and not hook.thread.is_alive()
    assert stored_ids(tmp_path / "events.sqlite3") == {"req-1"}


def _run(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MSGC_")}
    environ.update(env)
    return subprocess.run([*msgc_command(), "webhook", *args], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("args", "env", "said"), [
    (["--db", "e.sqlite3"], {}, "MSGC_WEBHOOK_TOKEN is not set"),
    (["--db", "e.sqlite3"], {"MSGC_WEBHOOK_TOKEN": "weak-token"}, "at least 16"),
    ([], {"MSGC_WEBHOOK_TOKEN": TOKEN}, "give --db FILE"),
    (["--db", "e.sqlite3", "--allow-ip", "10.0.0.300"], {"MSGC_WEBHOOK_TOKEN": TOKEN},
     "not an IP address"),
    (["--db", "missing/e.sqlite3"], {"MSGC_WEBHOOK_TOKEN": TOKEN}, "cannot open"),
])
def test_usage_errors(tmp_path: Path, args: list[str], env: dict[str, str], said: str) -> None:
    done = _run(tmp_path, *args, env=env)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and "Traceback" not in done.stderr
    assert "weak-token" not in done.stderr


def test_a_taken_port_is_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = _run(tmp_path, "--db", "e.sqlite3", "--port", str(port),
                    env={"MSGC_WEBHOOK_TOKEN": TOKEN})
    assert done.returncode == 2 and "cannot listen" in done.stderr


def test_token_from_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "msgc.toml").write_text(f'[credentials]\nMSGC_WEBHOOK_TOKEN = "{TOKEN}"\n')
    proc, port = start(tmp_path, "--db", "e.sqlite3", env={})
    try:
        path, data = body(2)
        answer = httpx.post(f"http://127.0.0.1:{port}/hooks/{TOKEN}/{path}", content=data)
        assert answer.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0
    from send_support import msgc

    shown = msgc(["config"], env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")}, cwd=tmp_path)
    assert shown.code == 0, shown.output
    line = next(x for x in shown.stdout.splitlines() if "MSGC_WEBHOOK_TOKEN" in x)
    assert "***" in line and TOKEN not in shown.output


def test_the_client_address_behind_a_trusted_proxy(tmp_path: Path, webhook: Any) -> None:
    from compiler.webhook.settings import parse_networks

    hook = webhook(tmp_path / "events.sqlite3", trusted_proxies=("127.0.0.0/8",),
                   allow=parse_networks(["203.0.113.0/24"]))
    path, data = body(3)
    url = f"{hook.hooks()}/{path}"
    assert httpx.post(url, content=data).status_code == 404  # the proxy itself is not allowed
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    assert httpx.post(url, content=data, headers=forwarded).status_code == 200
    outside = {"X-Forwarded-For": "198.51.100.7"}
    assert httpx.post(url, content=data, headers=outside).status_code == 404
    assert [line["client"] for line in hook.log.requests_once(3)] == [
        "127.0.0.1", "203.0.113.7", "198.51.100.7"]


def test_uvicorn_parses_with_httptools(tmp_path: Path) -> None:
    from compiler.webhook.app import WebhookApp
    from compiler.webhook.server import make_server
    from compiler.webhook.settings import WebhookSettings

    server = make_server(WebhookApp(WebhookSettings(db=tmp_path / "e.sqlite3", token=TOKEN)))
    server.config.load()
    assert server.config.http_protocol_class.__name__ == "HttpToolsProtocol"
