"""Serving the webhook with uvicorn: one process, one listening socket, graceful stop.

uvicorn is the ASGI server (HTTP/1.1 keep-alive, httptools' parser, a graceful shutdown
that lets requests in progress finish). msgc binds the socket itself, so ``--port 0``
works and the port is known before the first request. SIGINT and SIGTERM stop it
gracefully: no new connection is accepted, every request in progress is answered (its
events committed first), the events writer finishes its queue, and the process exits 0.
A second signal stops at once (what was answered 200 is stored either way).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Callable, Iterator
from typing import Any

from .app import WebhookApp

#: Seconds a graceful stop waits for requests in progress.
GRACEFUL_SECONDS = 30
#: Connections and requests at once beyond which uvicorn answers 503 (the provider pushes
#: again later) instead of queueing without bound.
MAX_CONNECTIONS = 4096


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0: any free port)."""
    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = info[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(2048)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


def make_server(app: WebhookApp, *, trusted_proxies: tuple[str, ...] = ()) -> Any:
    """A uvicorn server for ``app`` whose signals stop it gracefully and are not raised
    again afterwards (the process exits 0 after a graceful stop)."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            previous = {}
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(ValueError):  # not the main thread
                    previous[sig] = signal.signal(sig, self.handle_exit)
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", server_header=False,
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=",".join(trusted_proxies) if trusted_proxies else None,
        timeout_graceful_shutdown=GRACEFUL_SECONDS, timeout_keep_alive=75,
        limit_concurrency=MAX_CONNECTIONS,
        loop="asyncio", http="auto")
    return Server(config)


def run(app: WebhookApp, sock: socket.socket, *, trusted_proxies: tuple[str, ...] = (),
        started: Callable[[Any], None] | None = None) -> None:
    """Serve ``app`` on ``sock`` until a signal (or ``server.should_exit``) stops it."""
    server = make_server(app, trusted_proxies=trusted_proxies)
    if started is not None:
        started(server)
    asyncio.run(server.serve(sockets=[sock]))
