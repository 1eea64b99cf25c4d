"""The token bucket behind ``--rate``: at most ``rate`` requests per second, in order.

Implemented as a generic cell rate algorithm: each caller reserves the next free slot and
sleeps until it, so waiters are served first come, first served without polling, and a
burst of up to ``burst`` requests may go out at once after an idle spell. Retries take a
slot too: the provider counts requests, not messages.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(self, rate: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        #: Requests that may go out back to back; by default a tenth of a second's worth.
        self.burst = max(1.0, burst if burst is not None else rate / 10)
        self._clock = clock
        self._tat = clock()  # theoretical arrival time of the next request

    def reserve(self) -> float:
        """Take the next slot; return how long to wait before using it (seconds)."""
        now = self._clock()
        tat = max(self._tat, now)
        self._tat = tat + self.interval
        return max(0.0, tat - now - (self.burst - 1) * self.interval)

    async def acquire(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
