"""What providers push back (delivery receipts, inbound messages), in msgc's neutral terms.

Each provider's callbacks module parses its own shapes into :class:`CallbackEvent` (for the
webhook) and produces them (for the fake server's emulation), implementing
:class:`CallbackFormat`. :mod:`compiler.tracking` (the webhook's store, matching, reports)
sees only these types.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

#: The neutral statuses of a message that was sent, as status callbacks report them:
#: ``sent`` (handed on by the provider), ``delivered``, ``read`` (read or seen),
#: ``failed``, ``expired`` (never delivered in time), ``deleted``.
DELIVERY_STATUSES = ("sent", "delivered", "read", "failed", "expired", "deleted")
#: Kinds of callback events.
STATUS_EVENT, INBOUND_EVENT = "status", "inbound"


@dataclass(frozen=True, slots=True)
class CallbackEvent:
    """One event of a provider callback, in msgc's neutral terms.

    ``key`` identifies the event for its provider: a provider that pushes the same event
    again (a retry) produces the same key, so it is stored once."""

    kind: str                       # STATUS_EVENT or INBOUND_EVENT
    key: str
    #: status: the provider's id of the message we sent; inbound: the id of the message
    #: the user answered (a reply's context), when the callback says.
    message_id: str | None
    status: str | None = None       # status events: one of DELIVERY_STATUSES
    code: str | None = None         # the provider's failure code, if any
    reason: str | None = None       # what the failure means (documented or the provider's words)
    phone: str | None = None        # the recipient (status) or the sender (inbound), digits only
    account: str | None = None      # the business account concerned (sending number, app key)
    event_time: float | None = None  # Unix time of the event by the provider's clock, when given
    reply_id: str | None = None     # inbound: the id of the button, choice or row chosen
    reply_title: str | None = None  # inbound: its title (or the chosen option's text)
    text: str | None = None         # inbound: the text the user wrote
    inbound_type: str | None = None  # inbound: text, image, interactive, ...
    body: str = ""                  # this event's part of the callback, as JSON text


class CallbackRejected(Exception):
    """A callback that cannot be taken: ``status`` is the HTTP answer (4xx), ``reason``
    says why in words that name fields, never their values (it is logged)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ReplyOption:
    """A reply a message offers (a reply button, a choice, a list row)."""

    id: str | None       # what the provider reports back (None: it reports the title)
    title: str


class CallbackFormat(ABC):
    """How one provider pushes delivery receipts and inbound messages to the customer's URL:
    parsing them (the webhook) and producing them (the fake server's emulation)."""

    #: The last segment of the webhook URL for this provider: ``/hooks/<token>/<path>``.
    path: ClassVar[str]
    #: Seconds after which the provider pushes a callback again when the push failed.
    retry_delays: ClassVar[tuple[float, ...]] = ()
    #: The statuses this provider reports (the fake emulates only these).
    statuses: ClassVar[tuple[str, ...]] = DELIVERY_STATUSES

    def parse(self, data: Any) -> list[CallbackEvent]:
        """The events of one callback body (decoded JSON: one callback, or a list of them),
        or :class:`CallbackRejected` when it is not a callback of this provider (wrong
        shape, unknown event type). A list is taken whole or not at all; the reason of a
        rejected item names it."""
        items = data if isinstance(data, list) else [data]
        if not items:
            raise CallbackRejected(422, "an empty list holds no callback")
        events = []
        for number, item in enumerate(items):
            where = f"item {number}: " if isinstance(data, list) else ""
            try:
                if not isinstance(item, Mapping):
                    raise CallbackRejected(422, "a callback must be a JSON object")
                events.append(self.parse_one(item))
            except CallbackRejected as exc:
                raise CallbackRejected(exc.status, where + exc.reason) from None
        return events

    @abstractmethod
    def parse_one(self, item: Mapping[str, Any]) -> CallbackEvent:
        """The event of one callback (a JSON object), or :class:`CallbackRejected`."""

    # -- emulation (the fake server) ---------------------------------------------------------

    @abstractmethod
    def reply_options(self, payload: Mapping[str, Any]) -> list[ReplyOption]:
        """The replies a sent payload offers its recipient (none for a plain message)."""

    @abstractmethod
    def status_callback(self, payload: Mapping[str, Any], message_id: str, status: str,
                        when: float) -> dict[str, Any] | None:
        """The body the provider pushes when message ``message_id`` (sent as ``payload``)
        reaches ``status``; None when this provider reports no such status."""

    @abstractmethod
    def reply_callback(self, payload: Mapping[str, Any], message_id: str,
                       option: ReplyOption | None, text: str, when: float) -> dict[str, Any]:
        """The body the provider pushes when the recipient answers message ``message_id``
        by choosing ``option`` (or, when it is None, by writing ``text``)."""
