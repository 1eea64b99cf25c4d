"""An httpx transport with a constant-cost connection pool for one API host.

httpx's own pool (httpcore's) re-examines every pooled connection, each with a ``poll()``
system call, several times per request: at 64 connections that costs about 4 ms of CPU
per request, more than rendering and validating the message. This pool keeps idle HTTP/1.1
connections on a stack and a semaphore for the size limit, so a request costs the same at
any concurrency. The HTTP itself is still httpcore's (and httpx's API on top).

Its connections run over :class:`AsyncioBackend`, a plain asyncio network backend for
httpcore (httpcore's own goes through anyio, whose cancel scopes cost more than the HTTP
parsing): timeouts are ``asyncio.timeout``, and the request head and body leave in one
``send()`` instead of two.

It does not do proxies: :func:`make_transport` uses httpx's standard transport whenever a
proxy from the environment applies to the API host.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

#: Writes smaller than this wait to leave with the next one (the request head waits for
#: its body); anything waiting leaves before the stream reads or closes.
_COALESCE = 64 * 1024


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection as asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._pending: list[bytes] = []
        self._size = 0

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._size = 0
            if not self._writer.is_closing():
                self._writer.write(data)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._flush()
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout("timed out reading the answer") from None
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from None

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._writer.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._pending.append(buffer)
        self._size += len(buffer)
        if self._size < _COALESCE:
            return
        self._flush()
        try:
            async with asyncio.timeout(timeout):
                await self._writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout("timed out writing the request") from None
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from None

    async def aclose(self) -> None:
        self._pending.clear()
        self._writer.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        self._flush()
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError) as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # an idle connection that can be read was closed by the peer
            return (self._reader.at_eof() or self._reader.exception() is not None
                    or self._writer.is_closing())
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens :class:`AsyncioStream` connections."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=(local_address, 0) if local_address else None)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for option in socket_options or ():
                sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not supported")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _httpx_error(exc: Exception, request: httpx.Request | None) -> httpx.TransportError:
    """The httpx exception for an httpcore one (same class names)."""
    cls = getattr(httpx, type(exc).__name__, None)
    if not (isinstance(cls, type) and issubclass(cls, httpx.TransportError)):
        cls = httpx.TransportError
    return cls(str(exc), request=request)


class PoolTransport(httpx.AsyncBaseTransport):
    """Up to ``size`` keep-alive HTTP/1.1 connections to one origin."""

    def __init__(self, size: int, *, keepalive_expiry: float = 5.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self._slots = asyncio.Semaphore(size)
        self._idle: list[httpcore.AsyncHTTPConnection] = []
        self._keepalive_expiry = keepalive_expiry
        self._ssl_context = ssl_context
        self._backend = AsyncioBackend()
        self._closed = False

    def _connection(self, url: httpx.URL) -> httpcore.AsyncHTTPConnection:
        origin = httpcore.Origin(url.raw_scheme, url.raw_host, url.port or (
            443 if url.scheme == "https" else 80))
        return httpcore.AsyncHTTPConnection(origin, ssl_context=self._ssl_context,
                                            keepalive_expiry=self._keepalive_expiry,
                                            network_backend=self._backend)

    async def _checkout(self, url: httpx.URL) -> httpcore.AsyncHTTPConnection:
        while self._idle:
            connection = self._idle.pop()
            if connection.is_idle() and not connection.has_expired():
                return connection
            await connection.aclose()
        return self._connection(url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core = httpcore.Request(
            request.method,
            httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                         port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        response, content = await self._exchange(request.url, core, request)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              content=content, extensions=response.extensions,
                              request=request)

    async def post(self, url: httpx.URL, headers: list[tuple[bytes, bytes]], body: bytes,
                   timeouts: dict[str, float | None]
                   ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """POST ``body`` with exactly ``headers`` (``Host`` and ``Content-Length`` included,
        as httpx would write them): the status, the answer's headers and its raw body.
        The same request as :meth:`handle_async_request` without building httpx's request
        and response objects (~25 us of CPU per message); errors are httpx's."""
        core = httpcore.Request(
            b"POST", httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port,
                                  target=url.raw_path),
            headers=headers, content=body, extensions={"timeout": timeouts})
        response, content = await self._exchange(url, core, None)
        return response.status, response.headers, content

    async def _exchange(self, url: httpx.URL, core: httpcore.Request,
                        request: httpx.Request | None) -> tuple[httpcore.Response, bytes]:
        if self._closed:
            raise httpx.TransportError("the transport is closed", request=request)
        async with self._slots:
            connection = await self._checkout(url)
            try:
                response = await connection.handle_async_request(core)
                try:
                    # An async connection's stream is always an AsyncIterable; httpcore types it
                    # as either kind.
                    content = b"".join(
                        [chunk async for chunk in response.stream])  # type: ignore[union-attr]
                finally:
                    await response.aclose()
            except Exception as exc:
                await connection.aclose()
                if isinstance(exc, httpcore.ConnectionNotAvailable):
                    raise httpx.ConnectError("connection not available", request=request
                                             ) from None
                if isinstance(exc, (httpcore.TimeoutException, httpcore.NetworkError,
                                    httpcore.ProtocolError, httpcore.UnsupportedProtocol,
                                    httpcore.ProxyError)):
                    raise _httpx_error(exc, request) from None
                raise
            if connection.is_idle() and not self._closed:
                self._idle.append(connection)
            else:
                await connection.aclose()
        return response, content

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.aclose()


def proxied(url: str) -> bool:
    """Whether a proxy from the environment applies to ``url``'s host."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


def make_transport(url: str, size: int, *, use_env_proxy: bool
                   ) -> httpx.AsyncBaseTransport | None:
    """The pool for ``url``, or ``None`` to let httpx use its own (proxied) transport."""
    if use_env_proxy and proxied(url):
        return None
    context = httpx.create_ssl_context() if url.startswith("https:") else None
    return PoolTransport(size, ssl_context=context)
