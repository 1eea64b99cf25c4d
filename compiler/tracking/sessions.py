"""Session windows: has a recipient written recently enough to be sent a free-form message?

A provider that refuses free-form messages outside a window after the recipient's last
message declares it (``Provider.session_window``, in seconds: 24 hours, say). The
webhook stores every inbound message; ``msgc send --skip-closed-sessions`` asks this module,
row by row as each is about to be sent, and skips the rows whose window is closed instead
of sending messages the provider will refuse.

The last message counts by the provider's clock when its callback says (else the
webhook's), from the same phone number, to the same business account when the stored
event names one.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..providers.base import Provider, digits
from .store import EventsDB


def _ago(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


class SessionWindows:
    """Callable: the reason a phone's session is closed now, or None when it is open."""

    def __init__(self, db: EventsDB, provider: Provider, account: str | None,
                 clock: Callable[[], float] = time.time) -> None:
        if provider.session_window is None:
            raise ValueError(f"{provider.label} declares no session window")
        self.db = db
        self.provider = provider
        self.window = provider.session_window
        self.account = digits(account) if account else None
        self.clock = clock

    def __call__(self, phone: str) -> str | None:
        last = self.db.last_inbound(self.provider.name, phone, self.account)
        now = self.clock()
        if last is not None and now - last < self.window:
            return None
        rule = (f"{self.provider.label} accepts free-form messages only within "
                f"{self.window / 3600:g} h of the recipient's last message")
        if last is None:
            return f"no message from this recipient in the events database; {rule}"
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(last))
        return f"the recipient last wrote {_ago(now - last)} ago ({stamp}); {rule}"
