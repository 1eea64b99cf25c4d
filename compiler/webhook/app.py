"""The webhook as an ASGI application: both providers' callbacks in, events stored, 200 out.

Routes (nothing else exists; every other request gets the same bare 404):

* ``POST /hooks/<token>/<path>``: a callback of the provider whose callback format declares
  ``<path>`` (``compiler.providers``); the token is compared in constant time, and a
  source address outside ``--allow-ip`` gets the same 404 as a wrong token;
* ``GET|HEAD /healthz``: 200 while the events writer runs and its last commit succeeded,
  else 503 (counts, no secrets).

A callback is answered only after its events are committed (fsynced) to the events
database: 200 once stored (duplicates included: a provider's retry is stored once and
acknowledged), 413 over the size limit, 400 when the body is not JSON, 422 when it is not
a callback of that provider (wrong shape, unknown event type), 503 when the database
cannot be written (the provider pushes it again). A 4xx is logged with its reason, and kept
in the ``rejected`` table; the good callbacks around it are unaffected. Nothing a client
sends can crash the application: an unexpected error is a logged 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .. import providers
from ..diagnostics import MsgcError
from ..providers.base import Provider
from ..tracking.callbacks import CallbackRejected
from ..tracking.store import EventWriter
from .logs import LOGGER, Emit, logging_emitter
from .settings import HEALTH_PATH, HOOKS_PREFIX, WebhookSettings, allowed

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_NOT_FOUND = b'{"error":"not found"}'
_KINDS = {200: "ok", 404: "not_found", 413: "too_large", 400: "not_json", 422: "refused",
          503: "unavailable", 500: "internal_error", 499: "client_gone"}
_JSON = [(b"content-type", b"application/json")]


def routes() -> dict[str, Provider]:
    """URL path segment -> provider, from each provider's callback format."""
    return {p.callbacks.path: p for p in providers.registry().values()
            if p.callbacks is not None}


def masked(path: str) -> str:
    """A request path fit for a log: the token segment of a hook path is ``***``."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[1] == HOOKS_PREFIX:
        parts[2] = "***"
        return "/".join(parts)[:200]
    return path[:200]


class WebhookApp:
    """The ASGI application. ``settings`` is given, or loaded by ``load`` at startup (the
    module-level ``compiler.webhook:app``). ``writer``: an already started writer (``msgc
    webhook`` opens the database before it listens); otherwise startup opens one and
    shutdown closes it."""

    def __init__(self, settings: WebhookSettings | None = None, *,
                 load: Callable[[], WebhookSettings] | None = None,
                 writer: EventWriter | None = None,
                 emit: Emit | None = None) -> None:
        if settings is None and load is None:
            raise ValueError("give settings or a loader")
        self.settings = settings
        self._load = load
        self.writer = writer
        self._owns_writer = writer is None
        self.emit = emit or logging_emitter(logging.getLogger(LOGGER))
        self.routes = routes()
        #: Answers given, by kind (``not_found`` shows a provider console with a wrong URL).
        self.answers: Counter[str] = Counter()
        self._token = b""
        self._ready = asyncio.Lock()
        if settings is not None:
            self._token = settings.token.encode("utf-8")

    # -- ASGI ------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except MsgcError as exc:
                    text = "; ".join(d.message for d in exc.diagnostics)
                    await send({"type": "lifespan.startup.failed", "message": text})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        """Load the settings and open the events database (once)."""
        async with self._ready:
            if self.settings is None:
                assert self._load is not None
                self.settings = self._load()
                self._token = self.settings.token.encode("utf-8")
            if self.writer is None:
                writer = EventWriter(self.settings.db)
                await asyncio.get_running_loop().run_in_executor(None, writer.start)
                self.writer = writer
                self.emit(logging.INFO, "started", db=str(self.settings.db),
                    hooks=[f"/{HOOKS_PREFIX}/***/{p}" for p in sorted(self.routes)])

    async def shutdown(self) -> None:
        """Finish every write in progress and close the database (if this app opened it)."""
        writer = self.writer
        if writer is not None and self._owns_writer:
            await asyncio.get_running_loop().run_in_executor(None, writer.close)
            self.emit(logging.INFO, "stopped", **dict(writer.stats))

    # -- requests --------------------------------------------------------------------------

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        fields: dict[str, Any] = {}
        status = 500
        try:
            if self.writer is None or self.settings is None:
                await self.startup()
            status = await self._handle(scope, receive, send, fields)
        except Exception as exc:  # never a crash: a logged 500
            fields["error"] = type(exc).__name__
            status = 500
            with contextlib.suppress(Exception):  # the answer may have started already
                await self._answer(send, 500, b'{"error":"internal error"}')
        if "provider" in fields or status == 404:  # callbacks, and what looked for them
            self.answers[_KINDS.get(status, f"http_{status}")] += 1
        level = logging.INFO if status < 400 else (
            logging.ERROR if status >= 500 else logging.WARNING)
        if status == 404:
            level = logging.INFO
        if level > logging.INFO or (self.settings is not None and self.settings.access_log):
            client = scope.get("client")
            self.emit(level, "request", method=scope.get("method"),
                path=masked(str(scope.get("path", ""))), status=status,
                ms=round((time.perf_counter() - started) * 1000, 2),
                client=client[0] if client else None, **fields)

    async def _handle(self, scope: Scope, receive: Receive, send: Send,
                      fields: dict[str, Any]) -> int:
        assert self.settings is not None and self.writer is not None
        path = str(scope.get("path", ""))
        root = str(scope.get("root_path", "") or "")
        if root and path.startswith(root):
            path = path[len(root):]
        method = scope.get("method", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return await self._health(send, method == "HEAD")
        provider = self._route(path, scope)
        if provider is None or method != "POST":
            return await self._answer(send, 404, _NOT_FOUND)
        fields["provider"] = provider.name
        received = time.time()
        body = await self._body(scope, receive)
        if body is None:
            fields["reason"] = f"body larger than {self.settings.max_body} bytes"
            return await self._reject(send, provider, 413, fields["reason"], b"", received)
        if isinstance(body, Exception):
            fields["reason"] = "the client disconnected before sending the whole body"
            return 499
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            fields["reason"] = "the body is not JSON"
            return await self._reject(send, provider, 400, fields["reason"], body, received)
        except RecursionError:
            fields["reason"] = "the body is nested too deeply"
            return await self._reject(send, provider, 422, fields["reason"], body, received)
        callbacks = provider.callbacks
        assert callbacks is not None
        try:
            events = callbacks.parse(data)
        except CallbackRejected as exc:
            fields["reason"] = exc.reason
            return await self._reject(send, provider, exc.status, exc.reason, body, received)
        except RecursionError:
            fields["reason"] = "the body is nested too deeply"
            return await self._reject(send, provider, 422, fields["reason"], body, received)
        try:
            stored = await self.writer.store(provider.name, events, received)
        except MsgcError as exc:
            fields["reason"] = "; ".join(d.message for d in exc.diagnostics)
            return await self._answer(send, 503, b'{"error":"cannot store the callback now; '
                                      b'push it again later"}')
        fields.update(events=len(events), new=stored.new, duplicates=stored.duplicates)
        return await self._answer(send, 200, json.dumps(
            {"ok": True, "stored": stored.new, "duplicates": stored.duplicates}).encode())

    def _route(self, path: str, scope: Scope) -> Provider | None:
        """The provider of a hook path with the right token from an allowed address."""
        assert self.settings is not None
        parts = path.split("/")
        if len(parts) == 5 and parts[4] == "":
            parts.pop()
        if len(parts) != 4 or parts[0] != "" or parts[1] != HOOKS_PREFIX:
            return None
        right = hmac.compare_digest(parts[2].encode("utf-8", "surrogatepass"), self._token)
        provider = self.routes.get(parts[3])
        client = scope.get("client")
        if not allowed(self.settings.allow, client[0] if client else None):
            return None
        return provider if right else None

    async def _body(self, scope: Scope, receive: Receive) -> bytes | Exception | None:
        """The request body; None when it is over the limit, an exception when the client
        went away."""
        assert self.settings is not None
        limit = self.settings.max_body
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    if int(value) > limit:
                        return None
                except ValueError:
                    pass
        chunks = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return ConnectionResetError()
            chunks += message.get("body", b"")
            if len(chunks) > limit:
                return None
            if not message.get("more_body", False):
                return bytes(chunks)

    async def _reject(self, send: Send, provider: Provider, status: int, reason: str,
                      body: bytes, received: float) -> int:
        assert self.writer is not None
        with contextlib.suppress(MsgcError):  # the answer matters more than the forensic copy
            await self.writer.reject(provider.name, status, reason, body, received)
        return await self._answer(send, status, json.dumps({"error": reason}).encode())

    async def _health(self, send: Send, head: bool) -> int:
        writer = self.writer
        assert writer is not None
        healthy = writer.alive and writer.last_error is None
        data = {"status": "ok" if healthy else "unavailable",
                "writer": "running" if writer.alive else "stopped",
                "last_commit_ms": round(writer.last_commit_ms, 2), **dict(writer.stats),
                "answers": dict(self.answers)}
        if writer.last_error:
            data["last_error"] = writer.last_error
        status = 200 if healthy else 503
        return await self._answer(send, status, b"" if head else json.dumps(data).encode())

    @staticmethod
    async def _answer(send: Send, status: int, body: bytes) -> int:
        await send({"type": "http.response.start", "status": status,
                    "headers": [*_JSON, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        return status
