"""The callback receiver (``msgc webhook``), also usable in a team's own ASGI server.

``compiler.webhook:app`` is a ready ASGI application configured from the environment at
startup: ``MSGC_EVENTS_DB`` (the events database), ``MSGC_WEBHOOK_TOKEN`` (else
``[credentials]`` in the msgc config file), optionally ``MSGC_WEBHOOK_ALLOW`` (comma-
separated addresses or networks) and ``MSGC_WEBHOOK_MAX_BODY`` (bytes)::

    uvicorn compiler.webhook:app --no-access-log      # the access log would print the token

:func:`create_app` builds one from explicit settings (``uvicorn --factory`` calls it with
none, reading the environment like ``app``).
"""

from __future__ import annotations

import os
from pathlib import Path

from .app import WebhookApp
from .settings import (
    ALLOW_ENV,
    DEFAULT_MAX_BODY,
    MAX_BODY_ENV,
    WebhookSettings,
    parse_networks,
    resolve_token,
)

__all__ = ["WebhookApp", "WebhookSettings", "app", "create_app", "settings_from_environment"]


def settings_from_environment() -> WebhookSettings:
    """Settings from ``MSGC_EVENTS_DB``, ``MSGC_WEBHOOK_TOKEN`` (or the config file),
    ``MSGC_WEBHOOK_ALLOW`` and ``MSGC_WEBHOOK_MAX_BODY``; raises ``MsgcError``."""
    from ..config import load_config
    from ..diagnostics import Diagnostic, MsgcError
    from ..tracking.store import EVENTS_DB_ENV

    environ = dict(os.environ)
    db = environ.get(EVENTS_DB_ENV, "").strip()
    if not db:
        raise MsgcError([Diagnostic("usage", f"{EVENTS_DB_ENV} is not set: it names the "
                                    "events database the webhook writes")])
    max_body = environ.get(MAX_BODY_ENV, "").strip()
    if max_body and not max_body.isdigit():
        raise MsgcError([Diagnostic("usage", f"{MAX_BODY_ENV} must be a number of bytes")])
    token = resolve_token(environ, load_config().credentials)
    return WebhookSettings(db=Path(db), token=token,
                           allow=parse_networks([environ.get(ALLOW_ENV, "")], ALLOW_ENV),
                           max_body=int(max_body) if max_body else DEFAULT_MAX_BODY)


def create_app(settings: WebhookSettings | None = None) -> WebhookApp:
    """An ASGI webhook application (settings from the environment when none are given)."""
    if settings is not None:
        return WebhookApp(settings)
    return WebhookApp(load=settings_from_environment)


app = create_app()
