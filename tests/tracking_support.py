"""Helpers for the webhook and report tests: a token, an in-process webhook served by
uvicorn on a thread, a captured structured log, and campaign journals built directly.

Everything listens on and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compiler.sending.journal import Journal, journal_path
from compiler.tracking.store import EventWriter
from compiler.webhook.app import WebhookApp
from compiler.webhook.server import bind, make_server
from compiler.webhook.settings import WebhookSettings

TOKEN = "tok_3f9a2c7e5b1d4e8f0a6c"


class Log:
    """An ``emit`` that keeps every structured line, as the JSON text it would write."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, level: int, event: str, **fields: Any) -> None:
        line = json.loads(json.dumps({"level": level, "event": event, **fields}, default=str))
        with self._lock:
            self.lines.append(line)

    @property
    def text(self) -> str:
        with self._lock:
            return "\n".join(json.dumps(line, ensure_ascii=False) for line in self.lines)

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [line for line in self.lines if line["event"] == "request"]

    def requests_once(self, count: int, within: float = 30.0) -> list[dict[str, Any]]:
        """The request lines once there are ``count`` of them: a server on a thread logs a
        request after its answer has left, so the client may see the answer first."""
        deadline = time.monotonic() + within
        while len(found := self.requests()) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        return found


class ThreadedWebhook:
    """``msgc webhook``'s app and uvicorn server, on a thread of this process."""

    def __init__(self, db: Path, trusted_proxies: tuple[str, ...] = (), **settings: Any
                 ) -> None:
        self.settings = WebhookSettings(db=db, token=TOKEN, **settings)
        self.writer = EventWriter(db)
        self.writer.start()
        self.log = Log()
        self.app = WebhookApp(self.settings, writer=self.writer, emit=self.log)
        self.sock = bind("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.server = make_server(self.app, trusted_proxies=trusted_proxies)
        self.thread = threading.Thread(target=lambda: asyncio.run(
            self.server.serve(sockets=[self.sock])), daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the webhook did not start"
            time.sleep(0.01)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hooks(self, token: str = TOKEN) -> str:
        return f"{self.base}/hooks/{token}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.writer.close()
        self.sock.close()


def webhooks() -> Iterator[Any]:
    """A fixture body: a factory of threaded webhooks, all stopped at teardown."""
    started: list[ThreadedWebhook] = []

    def start(db: Path, trusted_proxies: tuple[str, ...] = (), **settings: Any
              ) -> ThreadedWebhook:
        hook = ThreadedWebhook(db, trusted_proxies, **settings)
        started.append(hook)
        return hook

    yield start
    for hook in started:
        hook.stop()


def make_journal(results: Path, provider: str, rows: list[dict[str, Any]]) -> Path:
    """A campaign journal next to ``results`` holding ``rows`` (each: row, phone, state,
    and optionally message_id, code, error, rule, locale, updated)."""
    journal = Journal.create(journal_path(results), {"key": "k", "provider": provider,
                                                     "spec": "spec.yaml"}, lambda s: s)
    try:
        for item in rows:
            journal.finish(item["row"], item.get("phone"), item["state"],
                           item.get("message_id"), item.get("code"), item.get("error"),
                           1, item.get("rule"), item.get("locale"))
        journal.commit()
        if any("updated" in item for item in rows):
            for item in rows:
                if "updated" in item:
                    journal._db.execute("UPDATE rows SET updated = ? WHERE row = ?",
                                        (item["updated"], item["row"]))
            journal.commit()
    finally:
        journal.close()
    return journal_path(results)


def store_callbacks(db: Path, provider: str, bodies: list[Any], received: float | None = None
                    ) -> None:
    """Store callbacks the way the webhook does (parsed by the provider, written by the
    webhook's writer), each received at ``received`` (default: now)."""
    from compiler import providers

    form = providers.get(provider).callbacks
    assert form is not None
    writer = EventWriter(db)
    writer.start()

    async def main() -> None:
        for item in bodies:
            await writer.store(provider, form.parse(item), received or time.time())

    try:
        asyncio.run(main())
    finally:
        writer.close()
