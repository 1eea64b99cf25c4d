"""The HTTP client: one connection pool, signed requests, retries only where they are safe.

One ``httpx.AsyncClient`` per run, over :mod:`.transport`'s constant-cost pool.

Every attempt is classified by one table, :data:`~compiler.sending.outcome.RETRY_TABLE`,
whose rule is *retry only when nothing can have been accepted*:

* **retry** - nothing was accepted and trying again may work: the connection could not be
  opened (the request was never written), HTTP 408, 429, 503, or a provider code
  documented as a passing failure (ITNIO ``-18``). Retried with exponential backoff and
  full jitter (``Retry-After`` is honoured), re-signed with a fresh timestamp, same body
  bytes. When the retries run out the row is *failed* (and ``--retry-failed`` may send it
  again later).
* **unknown** - the provider may have accepted it: HTTP 502/504 (a gateway may say so after
  its upstream accepted), another 5xx, a timeout after the request was written, a dropped
  connection, an unreadable answer. Never retried.
* **failed** / **sent** - the provider's answer, read by the provider module.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from ..providers.base import Provider
from ..sending.outcome import Disposition, SendOutcome, outcome
from .access import Redactor, is_loopback, mask_headers
from .ratelimit import TokenBucket
from .transport import PoolTransport, make_transport


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a retryable attempt is repeated."""

    retries: int = 4            # attempts after the first
    backoff: float = 0.5        # seconds; the ceiling of the first wait
    max_backoff: float = 30.0   # no wait is longer than this

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): full jitter,
        ``uniform(0, min(max_backoff, backoff * 2**(attempt-1)))``, but at least what the
        provider asked for in ``Retry-After`` (capped at ``max_backoff``)."""
        ceiling = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        wait = rng.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_backoff))
        return wait


@dataclass(frozen=True, slots=True)
class Result:
    """The final outcome of sending one message, and how many requests it took. Its
    disposition is RETRY only when the run stopped before a retry: nothing was accepted,
    and the message can be sent later as if it never left."""

    outcome: SendOutcome
    attempts: int


@dataclass(slots=True)
class Flight:
    """Whether a request for one message is on its way right now: what an abort must
    report as unknown (between attempts, nothing can have been accepted)."""

    attempting: bool = False


def classify_exception(exc: httpx.TransportError, timeout: float) -> SendOutcome:
    """What a transport error says about whether the request reached the provider."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return outcome("connect", code="connect",
                       message=f"could not connect, nothing was sent ({_describe(exc)})")
    if isinstance(exc, httpx.TimeoutException):
        return outcome("timeout", code="timeout",
                       message=f"no answer within {timeout:g} s after the request was sent; "
                               "the message may or may not have been accepted")
    return outcome("connection", code="connection",
                   message="the connection failed after the request was sent "
                           f"({_describe(exc)}); the message may or may not have been "
                           "accepted")


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare for APIs; the backoff applies


class Sender:
    """Sends signed requests to one provider over one pooled ``httpx.AsyncClient``."""

    def __init__(self, provider: Provider, credentials: Mapping[str, str], base_url: str, *,
                 concurrency: int = 16, timeout: float = 30.0,
                 policy: RetryPolicy | None = None, limiter: TokenBucket | None = None,
                 log: Callable[[str], None] | None = None, redact: Redactor | None = None,
                 rng: random.Random | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.provider = provider
        self.credentials = dict(credentials)
        self.url = base_url.rstrip("/") + provider.endpoint_path
        self.timeout = timeout
        self.policy = policy or RetryPolicy()
        self.limiter = limiter
        self.redact = redact or Redactor(self.credentials.values())
        self._log = log
        self._rng = rng or random.Random()
        self._clock = clock
        self._timeout_config = httpx.Timeout(timeout, connect=min(timeout, 10.0), pool=None)
        self._timeouts = self._timeout_config.as_dict()
        # Proxies from the environment apply to the real APIs, not to a loopback fake.
        use_env = not is_loopback(base_url)
        self._url = httpx.URL(self.url)
        #: The pool, called directly when there is one: httpx's per-request client work
        #: (cookies, auth, redirects, URL merging) is not used by these APIs.
        self._transport = make_transport(base_url, concurrency, use_env_proxy=use_env)
        self._host_header = (b"Host", self._url.netloc)
        self._client = httpx.AsyncClient(
            transport=self._transport,
            timeout=self._timeout_config,
            limits=httpx.Limits(max_connections=concurrency,
                                max_keepalive_connections=concurrency, keepalive_expiry=5.0),
            trust_env=use_env,
            follow_redirects=False,
        )

    async def __aenter__(self) -> Sender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def log(self, text: str) -> None:
        if self._log is not None:
            self._log(self.redact(text))

    async def attempt(self, body: bytes) -> SendOutcome:
        """One signed request; the outcome, never an exception for network trouble."""
        headers = self.provider.sign(body, self.credentials, self._clock())
        try:
            if isinstance(self._transport, PoolTransport):
                status, raw, content = await self._transport.post(
                    self._url, request_headers(self._host_header, headers, body), body,
                    self._timeouts)
                answer_headers: Mapping[str, str] | None = None
                if any(name.lower() == b"content-encoding" for name, _ in raw):
                    response = httpx.Response(status, headers=raw, content=content)
                    content, answer_headers = response.content, response.headers
            else:
                response = await self._client.post(self._url, content=body, headers=headers)
                status, content, answer_headers = (response.status_code, response.content,
                                                   response.headers)
        except httpx.TransportError as exc:
            return classify_exception(exc, self.timeout)
        answer = self.provider.parse_response(status, content)
        if answer.disposition is Disposition.RETRY:
            wait = retry_after(answer_headers if answer_headers is not None
                               else httpx.Headers(raw))
            if wait is not None:
                answer = dataclasses.replace(answer, retry_after=wait)
        return answer

    async def send(self, body: bytes, what: str = "message", *, flight: Flight | None = None,
                   stop: asyncio.Event | None = None) -> Result:
        """Send ``body``, retrying while the outcome says a retry is safe. ``flight`` tracks
        whether a request is out; once ``stop`` is set no retry starts (the result then
        keeps the RETRY disposition: nothing was accepted)."""
        attempts = 0
        flight = flight or Flight()
        while True:
            if self.limiter is not None:
                await self.limiter.acquire()
            attempts += 1
            flight.attempting = True
            answer = await self.attempt(body)
            flight.attempting = False
            if answer.disposition is not Disposition.RETRY:
                if answer.disposition is Disposition.UNKNOWN:
                    self.log(f"{what}: unknown: {answer.message}")
                return Result(answer, attempts)
            if attempts > self.policy.retries:
                self.log(f"{what}: giving up after {attempts} attempts: {answer.message}")
                # Still the RETRY case's rule: nothing was accepted (--retry-failed reads it).
                return Result(dataclasses.replace(
                    answer, disposition=Disposition.FAILED, retry_after=None,
                    message=f"gave up after {attempts} attempts: {answer.message}",
                    hint=answer.hint or "nothing was accepted; send it again later "
                                        "(--resume --retry-failed)"), attempts)
            wait = self.policy.delay(attempts, answer.retry_after, self._rng)
            if stop is not None and stop.is_set():
                return Result(answer, attempts)
            self.log(f"{what}: {answer.code}: {answer.message}; retrying in {wait:.2f} s "
                     f"(attempt {attempts + 1} of {self.policy.retries + 1})")
            if stop is None:
                await asyncio.sleep(wait)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            if stop.is_set():
                return Result(answer, attempts)


def request_headers(host: tuple[bytes, bytes], headers: Mapping[str, str], body: bytes
                    ) -> list[tuple[bytes, bytes]]:
    """The header lines httpx writes for a POST of ``body`` with ``headers``: ``Host``
    first, then the given ones in order, then ``Content-Length`` (tested against httpx)."""
    return [host, *((name.encode("ascii"), value.encode("ascii"))
                    for name, value in headers.items()),
            (b"Content-Length", str(len(body)).encode("ascii"))]


def describe_request(provider: Provider, url: str, headers: Mapping[str, str], body: bytes
                     ) -> str:
    """The request as text for ``--dry-run``, secret-bearing header values masked."""
    lines = [f"POST {url}"]
    lines += [f"{name}: {value}" for name, value in mask_headers(provider, headers).items()]
    lines += ["", body.decode("utf-8")]
    return "\n".join(lines)


def send_one(provider: Provider, credentials: Mapping[str, str], base_url: str, body: bytes,
             *, timeout: float, policy: RetryPolicy,
             log: Callable[[str], None] | None = None) -> Result:
    """Send one message (blocking): ``msgc send --to``."""
    async def run() -> Result:
        async with Sender(provider, credentials, base_url, concurrency=1, timeout=timeout,
                          policy=policy, log=log) as sender:
            return await sender.send(body)
    return asyncio.run(run())
