"""Structured logs of the webhook: one JSON object per line on stderr.

Every line has ``time`` (UTC, ISO 8601 with milliseconds), ``level``, ``logger`` and
``event``, plus the event's fields (``method``, ``path``, ``status``, ``provider``,
``events``, ``new``, ``duplicates``, ``ms``, ``client``, ``reason`` ...). The webhook's
paths are logged as ``/hooks/***/<provider>``: the token never reaches a log, and neither
does a callback's body. uvicorn's own messages go through the same formatter.

Two ways to the same lines: :func:`log` goes through :mod:`logging` (the application
object inside a team's own server, whose logging setup applies), :class:`JsonLines` writes
them itself (``msgc webhook``: a few microseconds a line instead of tens, flushed at once
for warnings and errors, else within a quarter of a second).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

LOGGER = "msgc.webhook"


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line (its ``fields`` extra merged in)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        data: dict[str, Any] = {
            "time": f"{stamp}.{int(record.msecs):03d}Z", "level": record.levelname.lower(),
            "logger": record.name}
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update(fields)
        else:
            data["event"] = "message"
            data["message"] = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            data["error"] = f"{type(exc).__name__}: {exc}"
        return json.dumps(data, ensure_ascii=False, default=str)


def setup(stream: IO[str] | None = None, level: int = logging.INFO) -> logging.Handler:
    """Send msgc's and uvicorn's logs to ``stream`` (stderr) as JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in (LOGGER, "uvicorn", "uvicorn.error", "uvicorn.access", "asyncio"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    return handler


class _Text:
    """The plain message of a structured record (``event k=v ...``), built only when a
    formatter other than :class:`JsonFormatter` asks for it."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def __str__(self) -> str:
        return " ".join(f"{k}={v}" if k != "event" else str(v)
                        for k, v in self.fields.items() if v is not None)


def log(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """Log ``event`` with ``fields``; the plain message reads ``event k=v ...`` for servers
    that format records their own way."""
    if not logger.isEnabledFor(level):
        return
    data = {"event": event, **fields}
    logger.log(level, _Text(data), extra={"fields": data})


#: ``emit(level, event, **fields)``: how the webhook logs.
Emit = Callable[..., None]


def logging_emitter(logger: logging.Logger) -> Emit:
    def emit(level: int, event: str, **fields: Any) -> None:
        log(logger, level, event, **fields)
    return emit


class JsonLines:
    """Writes structured log lines straight to a stream: info lines are buffered and
    flushed within ``interval`` seconds (by a background thread), warnings and errors at
    once."""

    def __init__(self, stream: IO[str] | None = None, name: str = LOGGER,
                 level: int = logging.INFO, interval: float = 0.25) -> None:
        self.stream = stream or sys.stderr
        self.name = name
        self.level = level
        self.interval = interval
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._second = -1
        self._stamp = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._flusher, name="msgc-log-flush",
                                        daemon=True)
        self._thread.start()

    def __call__(self, level: int, event: str, **fields: Any) -> None:
        if level < self.level:
            return
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        data = {"time": f"{self._stamp}.{int((now - second) * 1000):03d}Z",
                "level": logging.getLevelName(level).lower(), "logger": self.name,
                "event": event, **fields}
        line = json.dumps(data, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            self._lines.append(line)
            if level >= logging.WARNING or len(self._lines) >= 512:
                self._flush_locked()

    def _flush_locked(self) -> None:
        if not self._lines:
            return
        text = "".join(self._lines)
        self._lines.clear()
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr must not stop the webhook

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flusher(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self.flush()
