"""``msgc preview --serve``: the preview site on loopback, rebuilt when a spec changes.

The site is built in memory (the same bytes ``-o`` writes) and served from
``127.0.0.1`` only, to requests whose ``Host`` names that address or ``localhost`` (so
another web page cannot reach it through DNS rebinding). A watcher looks at the spec
files (every YAML file under the paths), the ``--vars`` file and the config file ten
times a second and rebuilds the site
when one changes, appears or disappears.

Live reload: each served HTML page carries its own digest in ``<meta name="msgc-live">``;
the site's script asks ``/_msgc/digest?path=…`` five times a second and reloads the page when
the answer differs (``gone`` when the page no longer exists). Pages nobody changed are
not reloaded, and a file keeps its page while the server runs, so the open page follows
its spec through a rename or a moment of broken YAML.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..config import find_config
from ..config_file import DEFAULT_EXCLUDE
from ..diagnostics import Diagnostic, MsgcError
from ..tree import SPEC_SUFFIXES
from . import pages
from . import site as preview_site
from .values import load_vars

#: Seconds between two looks at the watched files (a look is one stat per file).
WATCH_INTERVAL = 0.1
#: Folders never watched (as `msgc validate` skips them; hidden folders too).
_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv", "dist", "build"})
_LIVE_EMPTY = b'<meta name="msgc-live" content="">'
_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


class LiveSite:
    """The current site, its pages' digests, and how to rebuild it."""

    def __init__(self, build: Callable[[], dict[str, bytes]]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self.files: dict[str, bytes] = {}
        self.digests: dict[str, str] = {}

    def rebuild(self) -> dict[str, bytes]:
        files = self._build()
        served, digests = {}, {}
        for rel, content in files.items():
            if rel.endswith(".html"):
                digest = hashlib.sha256(content).hexdigest()[:20]
                content = content.replace(
                    _LIVE_EMPTY, b'<meta name="msgc-live" content="' + digest.encode() + b'">', 1)
                digests[rel] = digest
            served[rel] = content
        with self._lock:
            self.files, self.digests = served, digests
        return files

    def get(self, rel: str) -> bytes | None:
        with self._lock:
            return self.files.get(rel)

    def digest(self, rel: str) -> str:
        with self._lock:
            return self.digests.get(rel, "gone")


def site_path(url_path: str) -> str:
    """The site file a URL path names: ``/`` is ``index.html``."""
    rel = unquote(url_path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return rel


def make_handler(live: LiveSite, port_of: Callable[[], int]) -> type[BaseHTTPRequestHandler]:
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
            if url.path == "/_msgc/digest":
                page = parse_qs(url.query).get("path", ["/"])[0]
                self._send(200, live.digest(site_path(page)).encode(),
                           "text/plain; charset=utf-8", head)
                return
            rel = site_path(url.path)
            content = live.get(rel)
            if content is None:
                self._send(404, b"<!doctype html><title>Not found</title>"
                                b"<p>No such page. <a href=\"/\">All specs</a></p>\n",
                           "text/html; charset=utf-8", head)
                return
            self._send(200, content, _TYPES.get(Path(rel).suffix, "application/octet-stream"),
                       head)

        def _send(self, status: int, content: bytes, ctype: str, head: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Security-Policy", pages.CSP + "; frame-ancestors 'none'")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            if not head:
                self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: the terminal shows rebuilds, not every poll

    return Handler


def _watched(paths: Sequence[str]) -> list[Path]:
    """Every YAML file under ``paths`` (a spec or not yet one), by name only."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            found.append(path)
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
            found.extend(Path(root) / f for f in sorted(files) if f.endswith(SPEC_SUFFIXES))
    return found


def _signature(paths: Sequence[str], extra: Sequence[Path]) -> tuple[Any, ...]:
    out: list[tuple[Any, ...]] = []
    for path in _watched(paths) + list(extra):
        try:
            st = path.stat()
        except OSError:
            out.append((str(path), None))
            continue
        out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


def serve_forever(paths: Sequence[str], *, port: int, out_dir: Path | None,
                  envelope_defaults: Mapping[str, Any], vars_file: str | None,
                  stop: threading.Event | None = None,
                  exclude: Sequence[str] = DEFAULT_EXCLUDE) -> None:
    """Serve until Ctrl-C (or ``stop`` is set). The first line on stdout is the URL."""
    pages_of: dict[str, str] = {}  # source file -> its page, kept while serving

    def build() -> dict[str, bytes]:
        given = load_vars(vars_file) if vars_file else None
        site, files = preview_site.build(paths, envelope_defaults=envelope_defaults,
                                         given=given, keep_pages=pages_of, exclude=exclude)
        pages_of.clear()
        pages_of.update({e.source: e.slug for e in site.specs})
        if out_dir is not None:
            preview_site.write(out_dir, files)
        return files

    live = LiveSite(build)
    live.rebuild()
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(live, lambda: bound))
    except OSError as exc:
        raise MsgcError([Diagnostic("io-error", f"cannot serve on 127.0.0.1:{port}: "
                                    f"{exc.strerror or exc}",
                                    hint="choose another --port (0 picks a free one)")]) from None
    server.daemon_threads = True
    bound = server.server_address[1]
    print(f"http://127.0.0.1:{bound}/", flush=True)
    print(f"msgc preview: serving on http://127.0.0.1:{bound}/ — pages reload when a spec "
          "changes; Ctrl-C stops", file=sys.stderr, flush=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    config = find_config()
    extra = [Path(vars_file)] if vars_file else []
    if config is not None:
        extra.append(config)
    stop = stop or threading.Event()
    try:
        last = _signature(paths, extra)
        while not stop.wait(WATCH_INTERVAL):
            now = _signature(paths, extra)
            if now == last:
                continue
            last = now
            try:
                live.rebuild()
                print(f"msgc preview: rebuilt ({time.strftime('%H:%M:%S')})", file=sys.stderr,
                      flush=True)
            except Exception as exc:  # keep serving the last good site
                print(f"msgc preview: rebuild failed, still serving the previous pages: "
                      f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
