"""``msgc preview --serve``: the preview site on loopback, rebuilt when a spec changes.

The site is built in memory (the same bytes ``-o`` writes) and served from
``127.0.0.1`` only, to requests whose ``Host`` names that address or ``localhost`` (so
another web page cannot reach it through DNS rebinding). A :class:`~.watch.Watcher` looks
at the spec files (every YAML file under the paths) and the ``--vars`` file every
:data:`WATCH_INTERVAL` seconds; on a change the :class:`~.rebuild.SiteBuilder` checks and
draws again only what the change can affect (the whole site when the ``--vars`` file
changed). The config's settings are those it was started with.

Live reload, by long polling: each served HTML page carries its own digest in
``<meta name="msgc-live">``, and the site's script asks ``/_msgc/wait?path=…&digest=…``,
which the server holds open until that page's digest differs (``gone`` when the page no
longer exists) or :data:`HOLD_SECONDS` pass; the script reloads the page on a new digest and
otherwise asks again. Pages nobody changed are not reloaded, and a file keeps its page while
the server runs, so the open page follows its spec through a rename or a moment of broken
YAML. A missing page is answered with a small page that waits, the same way, for the page
to appear.
"""

from __future__ import annotations

import contextlib
import hashlib
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..config_file import DEFAULT_EXCLUDE
from ..diagnostics import Diagnostic, MsgcError
from ..tuning import Tuning
from . import pages
from . import site as preview_site
from .rebuild import SiteBuilder
from .values import load_vars
from .watch import Watcher

#: Seconds between two looks at the watched files (a look stats the files and folders;
#: when a look takes longer than 1/20 of this, the pause is 20 times the look).
WATCH_INTERVAL = 0.05
#: Longest a ``/_msgc/wait`` request is held before it is answered with an unchanged digest.
HOLD_SECONDS = 25.0
#: Seconds between two checks, while a request is held, that its client is still there.
RECHECK_SECONDS = 1.0
#: The digest of a page that does not exist.
GONE = "gone"
_LIVE_EMPTY = b'<meta name="msgc-live" content="">'
_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
_NOT_FOUND = (
    b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    b'<meta name="msgc-live" content="' + GONE.encode() + b'"><title>Not found</title>'
    b'<link rel="stylesheet" href="/' + pages.STYLESHEET.encode() + b'">'
    b'<script src="/' + pages.SCRIPT.encode() + b'" defer></script></head>'
    b'<body><main id="main"><h1>No such page</h1><p>No spec makes this page (now): it opens '
    b'by itself when one does. <a href="/">All specs</a></p></main></body></html>\n')


class LiveSite:
    """The site as served: its files, each page's digest, and the requests waiting for a
    page to change. Thread-safe: the watcher publishes, request threads read and wait."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._built: dict[str, bytes] = {}      # as built (the -o bytes)
        self._files: dict[str, bytes] = {}      # as served (pages carry their digest)
        self._digests: dict[str, str] = {}
        self._closed = False

    def publish(self, files: Mapping[str, bytes]) -> list[str]:
        """Serve ``files`` from now on; wake the requests waiting for a page that changed.
        Returns the pages that changed, appeared or went."""
        served, digests = {}, {}
        for rel, content in files.items():
            if not rel.endswith(".html"):
                served[rel] = content
            elif self._built.get(rel) == content:
                served[rel], digests[rel] = self._files[rel], self._digests[rel]
            else:
                digests[rel] = hashlib.sha256(content).hexdigest()[:20]
                served[rel] = content.replace(
                    _LIVE_EMPTY, b'<meta name="msgc-live" content="' + digests[rel].encode()
                    + b'">', 1)
        with self._changed:
            changed = sorted(rel for rel in self._digests.keys() | digests.keys()
                             if self._digests.get(rel) != digests.get(rel))
            self._built, self._files, self._digests = dict(files), served, digests
            self._changed.notify_all()
        return changed

    def get(self, rel: str) -> bytes | None:
        with self._changed:
            return self._files.get(rel)

    def digest(self, rel: str) -> str:
        with self._changed:
            return self._digests.get(rel, GONE)

    def wait(self, rel: str, known: str, timeout: float,
             wanted: Callable[[], bool] = lambda: True) -> str | None:
        """The digest of page ``rel`` once it is not ``known`` or ``timeout`` seconds have
        passed; None when the site is closing. ``wanted`` is asked every
        :data:`RECHECK_SECONDS` whether the answer is still awaited (the client may have
        gone: then the request ends early)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if self._closed:
                    return None
                now = self._digests.get(rel, GONE)
                left = deadline - time.monotonic()
                if now != known or left <= 0:
                    return now
                if not self._changed.wait(min(left, RECHECK_SECONDS)) and not wanted():
                    return now

    def close(self) -> None:
        """Answer every waiting request now (the server is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def site_path(url_path: str) -> str:
    """The site file a URL path names: ``/`` is ``index.html``."""
    rel = unquote(url_path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return rel


def make_handler(live: LiveSite, port_of: Callable[[], int],
                 hold: float = HOLD_SECONDS) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "msgc-preview"
        sys_version = ""

        def do_GET(self) -> None:
            self._answer(head=False)

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def _answer(self, *, head: bool) -> None:
            host = (self.headers.get("Host") or "").lower()
            if host not in {f"127.0.0.1:{port_of()}", f"localhost:{port_of()}"}:
                self._send(421, b"wrong host\n", "text/plain; charset=utf-8", head)
                return
            url = urlsplit(self.path)
            if url.path == "/_msgc/wait":
                query = parse_qs(url.query)
                known = query.get("digest", [""])[0]
                now = live.wait(site_path(query.get("path", ["/"])[0]), known,
                                hold if known else 0, self._connected)
                if now is None:
                    self._send(503, b"stopping\n", "text/plain; charset=utf-8", head)
                else:
                    self._send(200, now.encode(), "text/plain; charset=utf-8", head)
                return
            rel = site_path(url.path)
            content = live.get(rel)
            if content is None:
                self._send(404, _NOT_FOUND, "text/html; charset=utf-8", head)
                return
            self._send(200, content, _TYPES.get(Path(rel).suffix, "application/octet-stream"),
                       head)

        def _connected(self) -> bool:
            """Whether the client still waits (it has neither closed nor reset the
            connection)."""
            try:
                readable, _, _ = select.select([self.connection], [], [], 0)
                return not readable or self.connection.recv(1, socket.MSG_PEEK) != b""
            except (OSError, ValueError):
                return False

        def _send(self, status: int, content: bytes, ctype: str, head: bool) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(content)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Security-Policy",
                                 pages.CSP + "; frame-ancestors 'none'")
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header("Referrer-Policy", "no-referrer")
                self.end_headers()
                if not head:
                    self.wfile.write(content)
            except (ConnectionError, TimeoutError):
                self.close_connection = True  # the browser left (a reload, a closed tab)

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: the terminal shows rebuilds, not every request

    return Handler


def serve_forever(paths: Sequence[str], *, port: int, out_dir: Path | None,
                  envelope_defaults: Mapping[str, Any], vars_file: str | None,
                  stop: threading.Event | None = None,
                  exclude: Sequence[str] = DEFAULT_EXCLUDE, tuning: Tuning | None = None
                  ) -> None:
    """Serve until Ctrl-C (or ``stop`` is set). The first line on stdout is the URL."""

    def new_builder() -> SiteBuilder:
        return SiteBuilder(paths, envelope_defaults=envelope_defaults,
                           given=load_vars(vars_file) if vars_file else None, exclude=exclude,
                           tuning=tuning)

    def publish(builder: SiteBuilder) -> list[str]:
        files = builder.build()
        changed = live.publish(files)
        if out_dir is not None:
            preview_site.write(out_dir, files)
        return changed

    settings = {Path(vars_file)} if vars_file else set()
    watcher = Watcher(paths, exclude=exclude, extra=sorted(settings))
    builder = new_builder()
    live = LiveSite()
    publish(builder)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port),
                                     make_handler(live, lambda: bound))
    except OSError as exc:
        raise MsgcError([Diagnostic("io-error", f"cannot serve on 127.0.0.1:{port}: "
                                    f"{exc.strerror or exc}",
                                    hint="choose another --port (0 picks a free one)")]) from None
    server.daemon_threads = True
    bound = server.server_address[1]
    stop = stop or threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    restore: Callable[[], None] = _nothing
    try:
        restore = _interrupt_on_signals()
        print(f"http://127.0.0.1:{bound}/", flush=True)
        print(f"msgc preview: serving on http://127.0.0.1:{bound}/ — pages reload when a "
              "spec changes; Ctrl-C stops", file=sys.stderr, flush=True)
        with _signals_held():  # a stop now is taken once the thread is surely running
            thread.start()
        pause = WATCH_INTERVAL
        while not stop.wait(pause):
            looked = time.monotonic()
            changed = watcher.changed()
            # a huge tree is looked at less often: the watcher takes at most ~5% of a core
            pause = max(WATCH_INTERVAL, (time.monotonic() - looked) * 20)
            if not changed:
                continue
            started = time.monotonic()
            try:
                if changed & settings:
                    builder = new_builder()
                pages_changed = publish(builder)
            except Exception as exc:  # keep serving the last good site
                why = str(exc) if isinstance(exc, MsgcError) else f"{type(exc).__name__}: {exc}"
                print(f"msgc preview: rebuild failed, still serving the previous pages:\n{why}",
                      file=sys.stderr, flush=True)
                continue
            shown = ", ".join(pages_changed[:3]) + (" …" if len(pages_changed) > 3 else "")
            print(f"msgc preview: rebuilt at {time.strftime('%H:%M:%S')} in "
                  f"{(time.monotonic() - started) * 1000:.0f} ms: {len(pages_changed)} "
                  f"page{'s' * (len(pages_changed) != 1)} changed"
                  f"{': ' + shown if shown else ''}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        restore()
        live.close()
        if thread.is_alive():
            server.shutdown()
        server.server_close()


def _nothing() -> None:
    return None


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while the serving thread starts (they are taken as soon
    as it has): a stop that interrupted ``Thread.start`` left a thread that began serving on
    a socket already closed, and its traceback on stderr. The new thread inherits the held
    signals, so they always reach the main thread. Where the platform cannot hold signals,
    nothing is held."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def _interrupt_on_signals() -> Callable[[], None]:
    """Make Ctrl-C and SIGTERM raise KeyboardInterrupt, a clean stop (exit 0, like
    ``fake-server`` and ``webhook``), whatever the process inherited: a server started in
    the background by a script inherits SIGINT *ignored*, and Python then never raises
    KeyboardInterrupt. (The handler raises rather than setting an Event: setting one from
    a handler can deadlock on the lock the interrupted wait holds.) Returns the function
    that puts the previous handlers back. Outside the main thread (the tests' in-process
    servers) signals stay as they are and the caller's ``stop`` ends the loop."""
    if threading.current_thread() is not threading.main_thread():
        return _nothing
    previous = {sig: signal.signal(sig, signal.default_int_handler)
                for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
