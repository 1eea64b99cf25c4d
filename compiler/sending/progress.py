"""The progress line of a campaign on a terminal: sent / failed / rate / ETA.

Redrawn in place on stderr a few times a second; the rate is measured over the last ten
seconds, and the ETA comes from the share of the recipients file read so far (the number
of rows is not known until the end of a streamed file).
"""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    def __init__(self, total_bytes: int, *, enabled: bool, stream: TextIO | None = None
                 ) -> None:
        self.total_bytes = max(1, total_bytes)
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._samples: deque[tuple[float, int]] = deque(maxlen=50)
        self._width = 0

    def line(self, counts: dict[str, int], bytes_read: int, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        done = sum(counts.values())
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > 10:
            self._samples.popleft()
        first_t, first_n = self._samples[0]
        rate = (done - first_n) / (now - first_t) if now > first_t else 0.0
        share = min(1.0, bytes_read / self.total_bytes)
        elapsed = now - self.started
        eta = elapsed * (1 - share) / share if share > 0.001 else None
        parts = [f"sent {counts.get('sent', 0)}", f"failed {counts.get('failed', 0)}"]
        for state in ("invalid", "unknown", "skipped"):
            if counts.get(state):
                parts.append(f"{state} {counts[state]}")
        parts += [f"{rate:.0f}/s", f"{share:.0%}",
                  f"ETA {_clock(eta)}" if eta is not None else "ETA --:--"]
        return " | ".join(parts)

    def show(self, counts: dict[str, int], bytes_read: int) -> None:
        if not self.enabled:
            return
        text = self.line(counts, bytes_read)
        pad = max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
