"""What ``msgc send`` does with the webhook's events database (``--events``): record the
campaign there for ``msgc report``, and skip rows whose session window is closed
(``--skip-closed-sessions``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, MsgcError
from ..providers.base import Provider


@dataclass(slots=True)
class EventsHooks:
    """The campaign's ties to an events database (none when no database is named)."""

    path: Path | None = None
    provider: str = ""
    skip: Callable[[str], str | None] | None = None

    def register(self, results: Path) -> None:
        """Record the campaign in the events database (so ``msgc report`` lists it)."""
        if self.path is None:
            return
        from ..sending.journal import journal_path
        from ..tracking.store import EventsDB

        with EventsDB.open(self.path) as db:
            db.register(results, journal_path(results), self.provider)


def events_hooks(option: str | None, skip_closed: bool, provider: Provider,
                 envelope: Mapping[str, str]) -> EventsHooks:
    """The hooks for ``--events`` / ``MSGC_EVENTS_DB`` and ``--skip-closed-sessions``; a
    usage error when the flag cannot apply or the database cannot be opened."""
    from ..tracking.store import EventsDB, default_events_path

    path = Path(option) if option else default_events_path()
    hooks = EventsHooks(path, provider.name)
    if path is not None:
        EventsDB.open(path).close()  # a missing or damaged database is said now
    if not skip_closed:
        return hooks
    if provider.session_window is None:
        raise MsgcError([Diagnostic(
            "usage", f"--skip-closed-sessions: {provider.label} does not refuse messages "
            "outside a session window", provider=provider.name)])
    if path is None:
        raise MsgcError([Diagnostic(
            "usage", "--skip-closed-sessions needs the webhook's events database: give "
            "--events FILE (or set MSGC_EVENTS_DB)")])
    from ..tracking.sessions import SessionWindows

    account = envelope.get(provider.session_account or "")
    hooks.skip = SessionWindows(EventsDB.open(path), provider, account)
    return hooks
