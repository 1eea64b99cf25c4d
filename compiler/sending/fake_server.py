"""A fake NXCloud + ITNIO API on loopback that keeps the providers' documented contracts.

One HTTP/1.1 server (asyncio, keep-alive) serves every provider's send endpoint
(``/api/viber/mt``, ``/wa/custom/sendMsg``). Each request is checked the way the
documents describe, by the provider module's own ``verify_request``: auth headers and
signature (NXCloud 1001/1002/1000/1003, ITNIO -1), timestamp skew (1004, -16), then the
body against msgc's schemas with the documented codes (9002, -70, -115, ...). An accepted
message gets a fresh id in the provider's success envelope.

Faults, each drawn per request from a seeded generator:

===========================  ===============================================  ==========
flag                         what the client sees                             accepted?
===========================  ===============================================  ==========
``--drop-rate``              the connection closes before any answer          no
``--fail-rate``              HTTP 502/503/504                                 no
``--rate-limit-rate``        HTTP 429                                         no
``--slow-rate/-ms``          the answer comes ``--slow-ms`` later             as usual
``--reject``                 a documented error code (``[PROV:]CODE[=SHARE]``)  no
``--lose-answer-rate``       the message is accepted, then the connection     yes
                             closes
``--accept-then-fail-rate``  the message is accepted, then HTTP 502 or 504    yes
                             (a gateway whose upstream took it)
``--garbage-rate``           the answer is cut in half (malformed JSON)       as usual
===========================  ===============================================  ==========

With a :class:`CallbackPlan` (``--callback-url``), every accepted message also gets
delivery receipts and replies posted to a webhook (:mod:`.fake_callbacks`).

Every request is recorded: in memory (tests read :meth:`FakeServer.accepted_by_phone`)
and, with ``--record FILE``, as JSON Lines. Secrets are not recorded: headers are not
kept, and the record passes through the same redactor as every writer of ``msgc send``
(a credential the server knows is written ``***`` wherever it appears).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import ssl
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any

from .. import providers
from ..providers.base import Provider
from .access import Redactor
from .fake_callbacks import CallbackEmulator, CallbackPlan

MAX_BODY = 1 << 20
_JSON = "application/json;charset=UTF-8"


def documented_credentials() -> dict[str, str]:
    """The example credentials of every provider's document (each provider's emulation
    declares its own), used when none are configured."""
    found: dict[str, str] = {}
    for provider in providers.registry().values():
        found.update(provider.example_credentials)
    return found


@dataclass(frozen=True, slots=True)
class Reject:
    """Answer ``code`` to a share of otherwise valid requests (of ``provider``, or of any
    provider that documents the code)."""

    code: str
    share: float = 1.0
    provider: str | None = None


def parse_reject(text: str) -> Reject:
    """``[provider:]CODE[=SHARE]``, e.g. ``1102``, ``whatsapp:-18=0.2``."""
    provider = None
    if ":" in text:
        provider, text = text.split(":", 1)
    code, _, share = text.partition("=")
    return Reject(code.strip(), float(share) if share else 1.0, provider or None)


@dataclass(slots=True)
class Faults:
    """The faults to inject, each a share of requests drawn from a seeded generator."""

    fail_rate: float = 0.0
    rate_limit_rate: float = 0.0
    slow_rate: float = 0.0
    slow_ms: int = 0
    drop_rate: float = 0.0
    garbage_rate: float = 0.0
    lose_answer_rate: float = 0.0
    accept_then_fail_rate: float = 0.0
    reject: list[Reject] = field(default_factory=list)
    seed: int | None = None
    #: The statuses ``fail_rate`` answers; ``accept_then_fail_rate`` answers those of them
    #: a gateway can give after its upstream accepted (502, 504), never a 503 (which
    #: promises nothing was processed).
    fail_statuses: tuple[int, ...] = (502, 503, 504)

    def gateway_statuses(self) -> tuple[int, ...]:
        return tuple(s for s in self.fail_statuses if s != 503) or (502, 504)


@dataclass(frozen=True, slots=True)
class Received:
    """One request as the fake saw and answered it (status 0: no answer was sent)."""

    seq: int
    time: float
    provider: str
    status: int
    code: str | None
    accepted: bool
    message_id: str | None
    fault: str | None
    phone: str | None
    payload: Any


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class FakeServer:
    """The fake provider API; :meth:`start` runs it in a thread, :meth:`serve` in a loop."""

    def __init__(self, credentials: Mapping[str, str] | None = None,
                 faults: Faults | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 record: Path | None = None, keep: bool = True,
                 clock: Callable[[], float] = time.time,
                 ssl_context: ssl.SSLContext | None = None,
                 callbacks: CallbackPlan | None = None,
                 callback_record: Path | None = None) -> None:
        self.credentials = documented_credentials()
        self.credentials.update(credentials or {})
        self.redact = Redactor(self.credentials.values())
        self.faults = faults or Faults()
        self.host = host
        self.port = port
        self.record_path = record
        self.keep = keep
        self.clock = clock
        self.ssl_context = ssl_context
        self.callbacks = (CallbackEmulator(callbacks, record=callback_record,
                                           redact=self.redact.data, keep=keep)
                          if callbacks is not None else None)
        self.routes: dict[str, Provider] = {
            p.endpoint_path: p for p in providers.registry().values() if p.can_send}
        self._rng = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._accepted: Counter[str] = Counter()
        self.stats: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.held = 0
        self._hold: int | None = None
        self._seq = 0
        self._record: IO[str] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Future[None] | None = None
        self._gate: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._thread: threading.Thread | None = None

    # -- reading what was received (any thread) ----------------------------------------------

    @property
    def base_url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def accepted_by_phone(self) -> Counter[str]:
        """How many messages were accepted for each recipient number."""
        with self._lock:
            return Counter(self._accepted)

    @property
    def accepted(self) -> int:
        with self._lock:
            return self.stats["accepted"]

    # -- control (any thread) ----------------------------------------------------------------

    def hold_after(self, accepted: int | None) -> None:
        """Hold every request that arrives once ``accepted`` messages were accepted, until
        called again with ``None``; a held request whose client goes away is dropped
        unprocessed (a deterministic "in flight when the sender died": after killing the
        sender, wait for ``held == 0`` before lifting the hold)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the server is not running")
        loop.call_soon_threadsafe(self._set_hold, accepted)

    def _set_hold(self, accepted: int | None) -> None:
        assert self._gate is not None
        self._hold = accepted
        if accepted is None:
            self._gate.set()
        else:
            self._gate.clear()

    def settle_callbacks(self, timeout: float = 30.0) -> bool:
        """Wait until every callback scheduled so far was posted and answered (or given
        up); False on timeout. Any thread but the server's."""
        loop = self._loop
        if self.callbacks is None or loop is None:
            return True
        future = asyncio.run_coroutine_threadsafe(self.callbacks.settle(timeout), loop)
        return future.result(timeout + 5)

    def start(self) -> str:
        """Serve in a background thread; return the base URL once listening."""
        ready = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(self.serve(lambda _port: ready.set()))
            except BaseException as exc:  # reported to start()'s caller
                failed.append(exc)
                ready.set()

        self._thread = threading.Thread(target=run, name="msgc-fake-server", daemon=True)
        self._thread.start()
        if not ready.wait(10) or failed:
            raise RuntimeError(f"the fake server did not start: {failed[0] if failed else ''}")
        return self.base_url

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, stop)
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    # -- serving -----------------------------------------------------------------------------

    async def serve(self, on_ready: Callable[[int], None] | None = None) -> None:
        """Serve until :meth:`stop` (or cancellation)."""
        self._loop = asyncio.get_running_loop()
        self._stop = self._loop.create_future()
        self._gate = asyncio.Event()
        self._gate.set()
        if self.record_path is not None:
            self._record = self.record_path.open("a", encoding="utf-8")
        server = await asyncio.start_server(self._connection, self.host, self.port,
                                            backlog=1024, ssl=self.ssl_context)
        self.port = server.sockets[0].getsockname()[1]
        flusher = asyncio.create_task(self._flush_every(0.5))
        if on_ready is not None:
            on_ready(self.port)
        try:
            await self._stop
        finally:
            server.close()
            self._gate.set()
            for task in [*self._tasks, flusher]:
                task.cancel()
            await asyncio.gather(*self._tasks, flusher, return_exceptions=True)
            if self.callbacks is not None:
                await self.callbacks.aclose()
            if self._record is not None:
                self._record.close()
                self._record = None

    async def _flush_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            if self._record is not None:
                self._record.flush()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                          ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        with self._lock:
            self.stats["connections"] += 1
        try:
            while await self._exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                        ) -> bool:
        """Read one request and answer it; False when the connection is done."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        except asyncio.LimitOverrunError:
            await self._write(writer, 431, b'{"error":"headers too large"}', close=True)
            return False
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            await self._write(writer, 400, b'{"error":"bad request line"}', close=True)
            return False
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            await self._write(writer, 411, b'{"error":"Content-Length required"}', close=True)
            return False
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            await self._write(writer, 413 if length > 0 else 400,
                              b'{"error":"bad Content-Length"}', close=True)
            return False
        body = await reader.readexactly(length)
        keep = version.strip() == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        answer = await self._answer(method, target, headers, body, reader, writer)
        if answer is None:
            writer.transport.abort()
            return False
        status, payload = answer
        await self._write(writer, status, payload, close=not keep)
        return keep

    async def _write(self, writer: asyncio.StreamWriter, status: int, body: bytes, *,
                     close: bool = False) -> None:
        head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: {_JSON}\r\n"
                f"Content-Length: {len(body)}\r\n" + ("Connection: close\r\n" if close else "")
                + "\r\n")
        writer.write(head.encode("latin-1") + body)
        await writer.drain()

    async def _answer(self, method: str, target: str, headers: Mapping[str, str], body: bytes,
                      reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                      ) -> tuple[int, bytes] | None:
        provider = self.routes.get(target.split("?", 1)[0])
        if provider is None:
            return 404, json.dumps({"error": "no such endpoint",
                                    "endpoints": sorted(self.routes)}).encode()
        if method != "POST":
            return 405, b'{"error":"use POST"}'
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._process(provider, headers, body, reader, writer)
        finally:
            self.in_flight -= 1

    async def _held(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Wait until the hold is lifted; True when the client goes away first. A client
        that goes is noticed while held (``held`` falls then), not only once released, so
        a test that kills the sender and waits for ``held == 0`` knows those requests are
        dropped, however soon it lifts the hold."""
        assert self._gate is not None
        while True:
            if reader.at_eof() or writer.is_closing() or reader.exception() is not None:
                return True
            if self._gate.is_set():
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._gate.wait(), 0.02)

    async def _process(self, provider: Provider, headers: Mapping[str, str], body: bytes,
                       reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                       ) -> tuple[int, bytes] | None:
        f, rng = self.faults, self._rng
        if rng.random() < f.drop_rate:
            self._note(provider, body, 0, None, None, "drop")
            return None
        if rng.random() < f.fail_rate:
            status = rng.choice(f.fail_statuses)
            self._note(provider, body, status, None, None, "5xx")
            return status, b'{"error":"service unavailable"}'
        if rng.random() < f.rate_limit_rate:
            self._note(provider, body, 429, None, None, "429")
            return 429, b'{"error":"too many requests"}'
        if f.slow_ms and rng.random() < f.slow_rate:
            await asyncio.sleep(f.slow_ms / 1000)
        if self._hold is not None and self.stats["accepted"] >= self._hold:
            self.held += 1
            try:
                gone = await self._held(reader, writer)
            finally:
                self.held -= 1
            if gone:
                self._note(provider, body, 0, None, None, "abandoned")
                return None
        code = provider.verify_request(headers, body, self.credentials, self.clock())
        fault = None
        if code is None:
            for reject in f.reject:
                if (reject.provider in (None, provider.name)
                        and reject.code in provider.response_codes
                        and rng.random() < reject.share):
                    code, fault = reject.code, "reject"
                    break
        message_id = uuid.uuid4().hex if code is None else None
        lose = message_id is not None and rng.random() < f.lose_answer_rate
        gateway = (message_id is not None and not lose and f.accept_then_fail_rate > 0
                   and rng.random() < f.accept_then_fail_rate)
        garbage = not lose and not gateway and rng.random() < f.garbage_rate
        fault = ("lose-answer" if lose else "accept-then-fail" if gateway
                 else "garbage" if garbage else fault)
        answer = (provider.success_body(message_id) if message_id is not None
                  else provider.error_body(str(code)))
        status = rng.choice(f.gateway_statuses()) if gateway else 200
        self._note(provider, body, 0 if lose else status, code, message_id, fault)
        if message_id is not None and self.callbacks is not None:
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                self.callbacks.accepted(provider, message_id, json.loads(body))
        if lose:
            return None
        if gateway:
            return status, b'{"error":"bad gateway"}'
        return 200, answer[: len(answer) // 2] if garbage else answer

    def _note(self, provider: Provider, body: bytes, status: int, code: str | None,
              message_id: str | None, fault: str | None) -> None:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            payload = None
        phone = None
        key = provider.recipient_key
        if isinstance(payload, dict) and key is not None:
            value = payload.get(key)
            phone = value if isinstance(value, str) else None
        with self._lock:
            self._seq += 1
            item = Received(self._seq, time.time(), provider.name, status, code,
                            message_id is not None, message_id, fault, phone, payload)
            self.stats["requests"] += 1
            self.stats[fault or ("accepted" if message_id else "rejected")] += 1
            if message_id is not None:
                if fault:
                    self.stats["accepted"] += 1
                if self.keep:
                    self._accepted[phone or ""] += 1
            if self.keep:
                self._received.append(item)
        if self._record is not None:
            line = json.dumps(self.redact.data(asdict(item)), ensure_ascii=False)
            self._record.write(line + "\n")
