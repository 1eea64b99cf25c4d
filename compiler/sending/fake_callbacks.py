"""The fake provider's callbacks: receipts and replies posted to a webhook, as the real
providers would, so the whole loop (send -> callbacks -> report) runs offline.

For every message the fake accepts, a seeded generator draws its fate:

* delivered (``delivered_rate``), then read (``read_rate`` of those delivered), then
  answered (``reply_rate`` of those read: a random reply option of the message - button,
  choice, list row - or, for a message without options, a text);
* not delivered: expired (``expired_rate`` of those, where the provider reports expiry),
  else failed.

Its callbacks, in each provider's documented shape (built by the provider's callback
format, :mod:`compiler.providers`), are posted to ``<callback_url>/<provider path>`` one
after the other, ``delay_ms`` apart on average (0.5x-1.5x, drawn); ``out_of_order_rate`` of
the messages get theirs in reverse order, ``duplicate_rate`` of the callbacks are posted
twice. A push that is not answered 2xx is pushed again after the provider's retry delays
(``CallbackFormat.retry_delays``), times ``retry_scale``.

The fake's own record - every fate drawn, every post made and its answer - is what the
end-to-end test checks a report against.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from ..providers.base import Provider
from ..tracking.callbacks import ReplyOption


@dataclass(slots=True)
class CallbackPlan:
    """Where to post callbacks, and the shares and delays of what happens."""

    url: str
    delivered_rate: float = 0.9
    read_rate: float = 0.6
    reply_rate: float = 0.2
    expired_rate: float = 0.0
    duplicate_rate: float = 0.0
    out_of_order_rate: float = 0.0
    delay_ms: float = 200.0
    retry_scale: float = 1.0
    seed: int | None = None
    reply_text: str = "Thanks!"
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class Fate:
    """What happens to one accepted message."""

    provider: str
    message_id: str
    phone: str | None
    outcome: str                    # delivered, read, failed or expired
    reply_id: str | None = None
    reply_title: str | None = None
    replied: bool = False           # a reply (option or text) is posted


@dataclass(frozen=True, slots=True)
class Posted:
    """One post of a callback, and how the webhook answered it."""

    seq: int
    time: float
    provider: str
    message_id: str
    kind: str                       # "status" or "reply"
    status: str | None
    duplicate: bool
    attempt: int
    http_status: int | None
    error: str | None
    acknowledged: bool
    body: dict[str, Any] = field(default_factory=dict)


def _phone(provider: Provider, payload: Mapping[str, Any]) -> str | None:
    """The recipient of a payload, by the provider's envelope."""
    for field_ in provider.envelope:
        value = payload.get(field_.payload_key) if field_.is_recipient else None
        if isinstance(value, str):
            return value
    return None


class CallbackEmulator:
    """Draws fates and posts callbacks on the fake server's event loop."""

    def __init__(self, plan: CallbackPlan, *, record: Path | None = None,
                 redact: Callable[[Any], Any] = lambda data: data, keep: bool = True) -> None:
        self.plan = plan
        self.keep = keep  # keep fates and posts in memory (tests); counts are always kept
        self.stats: Counter[str] = Counter()
        self.record_path = record
        self.redact = redact
        self._rng = random.Random(plan.seed)
        self._lock = threading.Lock()
        self._fates: list[Fate] = []
        self._posted: list[Posted] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: Any = None
        self._record: IO[str] | None = None
        self._seq = 0

    # -- reading the record (any thread) -----------------------------------------------------

    def fates(self) -> list[Fate]:
        with self._lock:
            return list(self._fates)

    def posted(self) -> list[Posted]:
        with self._lock:
            return list(self._posted)

    @property
    def pending(self) -> int:
        """Messages whose callbacks are not all posted (and answered) yet."""
        return len(self._tasks)

    # -- on the loop -----------------------------------------------------------------------

    def accepted(self, provider: Provider, message_id: str, payload: Any) -> None:
        """A message was accepted: draw its fate and schedule its callbacks."""
        form = provider.callbacks
        if form is None or not isinstance(payload, Mapping):
            return
        plan, rng = self.plan, self._rng
        options = form.reply_options(payload)
        if rng.random() < plan.delivered_rate:
            outcome = "read" if rng.random() < plan.read_rate else "delivered"
        else:
            expire = "expired" in form.statuses and rng.random() < plan.expired_rate
            outcome = "expired" if expire else "failed"
        option: ReplyOption | None = None
        replied = outcome == "read" and rng.random() < plan.reply_rate
        if replied and options:
            option = options[rng.randrange(len(options))]
        fate = Fate(provider.name, message_id, _phone(provider, payload), outcome,
                    option.id if option else None,
                    option.title if option else (plan.reply_text if replied else None),
                    replied)
        statuses: list[str] = [s for s in ("sent", "delivered") if s in form.statuses]
        if outcome in ("failed", "expired"):
            statuses = [s for s in statuses if s == "sent"] + [outcome]
        elif outcome == "read":
            statuses.append("read")
        steps: list[tuple[str, str | None]] = [("status", s) for s in statuses]
        if replied:
            steps.append(("reply", None))
        if rng.random() < plan.out_of_order_rate:
            steps.reverse()
        schedule = []
        at = 0.0
        for kind, status in steps:
            at += plan.delay_ms / 1000 * rng.uniform(0.5, 1.5)
            twice = rng.random() < plan.duplicate_rate
            schedule.append((at, kind, status, twice, rng.uniform(0, plan.delay_ms / 1000)))
        with self._lock:
            self.stats["messages"] += 1
            if self.keep:
                self._fates.append(fate)
        task = asyncio.get_running_loop().create_task(
            self._run(provider, message_id, dict(payload), option, schedule))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, provider: Provider, message_id: str, payload: dict[str, Any],
                   option: ReplyOption | None,
                   schedule: list[tuple[float, str, str | None, bool, float]]) -> None:
        form = provider.callbacks
        assert form is not None
        started = time.monotonic()
        for at, kind, status, twice, later in schedule:
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            now = time.time()
            if kind == "status":
                assert status is not None
                body = form.status_callback(payload, message_id, status, now)
                if body is None:
                    continue
            else:
                body = form.reply_callback(payload, message_id, option, self.plan.reply_text,
                                           now)
            await self._push(provider, message_id, kind, status, body, duplicate=False)
            if twice:
                await asyncio.sleep(later)
                await self._push(provider, message_id, kind, status, body, duplicate=True)

    async def _push(self, provider: Provider, message_id: str, kind: str,
                    status: str | None, body: dict[str, Any], *, duplicate: bool) -> None:
        """Post one callback; push it again after the provider's retry delays until the
        webhook answers 2xx."""
        form = provider.callbacks
        assert form is not None
        url = self.plan.url.rstrip("/") + "/" + form.path
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        delays = [0.0, *(d * self.plan.retry_scale for d in form.retry_delays)]
        for attempt, delay in enumerate(delays, 1):
            if delay:
                await asyncio.sleep(delay)
            status_code: int | None = None
            error = None
            try:
                client = await self._http()
                answer = await client.post(url, content=data, headers={
                    "Content-Type": "application/json;charset=UTF-8"})
                status_code = answer.status_code
            except Exception as exc:  # the webhook is down or went away: push again later
                error = type(exc).__name__
            ok = status_code is not None and 200 <= status_code < 300
            self._note(Posted(0, time.time(), provider.name, message_id, kind, status,
                              duplicate, attempt, status_code, error, ok, body))
            if ok:
                return

    async def _http(self) -> Any:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(timeout=self.plan.timeout, trust_env=False)
        return self._client

    def _note(self, item: Posted) -> None:
        with self._lock:
            self._seq += 1
            item = dataclasses.replace(item, seq=self._seq)
            self.stats["posted"] += 1
            self.stats["taken"] += item.acknowledged
            if self.keep:
                self._posted.append(item)
        if self.record_path is not None:
            if self._record is None:
                self._record = self.record_path.open("a", encoding="utf-8")
            self._record.write(json.dumps(self.redact(asdict(item)), ensure_ascii=False)
                               + "\n")
            self._record.flush()

    async def settle(self, timeout: float) -> bool:
        """Wait until every scheduled callback was posted; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._tasks and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return not self._tasks

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
            self._client = None
        if self._record is not None:
            self._record.close()
            self._record = None
