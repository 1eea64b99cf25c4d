"""What a webhook needs to run: the events database, the secret token, the source-IP
allow-list and the body limit; and where each comes from.

The providers do not sign their callbacks, so the URL carries a secret: a token of at least
16 URL-safe characters (``[A-Za-z0-9._~-]``) from ``MSGC_WEBHOOK_TOKEN``, else from
``[credentials]`` in the msgc config file. It is a credential: never printed, never logged
(paths are logged as ``/hooks/***/<provider>``), compared in constant time.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..credentials import WEBHOOK_TOKEN
from ..diagnostics import Diagnostic, MsgcError

TOKEN_ENV = WEBHOOK_TOKEN
#: Environment variables the module-level ``app`` reads (``compiler.webhook:app``).
ALLOW_ENV = "MSGC_WEBHOOK_ALLOW"
MAX_BODY_ENV = "MSGC_WEBHOOK_MAX_BODY"
MIN_TOKEN_LENGTH = 16
DEFAULT_MAX_BODY = 64 * 1024
_TOKEN_RE = re.compile(r"^[A-Za-z0-9._~-]+$")
HEALTH_PATH = "/healthz"
HOOKS_PREFIX = "hooks"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """A webhook's configuration (the token is a secret: keep it out of every output)."""

    db: Path
    token: str = field(repr=False)
    allow: tuple[Network, ...] = ()
    max_body: int = DEFAULT_MAX_BODY
    access_log: bool = True


def _usage(rule: str, message: str, hint: str | None = None) -> MsgcError:
    return MsgcError([Diagnostic(rule, message, hint=hint)])


GENERATE_HINT = ("generate one with: python3 -c 'import secrets; "
                 "print(secrets.token_urlsafe(32))'")


def resolve_token(environ: Mapping[str, str], configured: Mapping[str, str]) -> str:
    """The webhook token from the environment, else the config file; a usage error when it
    is missing or too weak (the message never shows it)."""
    token = environ.get(TOKEN_ENV) or configured.get(TOKEN_ENV) or ""
    if not token:
        raise _usage("credentials-missing", f"{TOKEN_ENV} is not set: the webhook URL must "
                     "carry a secret token (the providers do not sign callbacks)",
                     hint=f"export {TOKEN_ENV}=... (or set it under [credentials] in the msgc "
                          f"config file); {GENERATE_HINT}")
    if len(token) < MIN_TOKEN_LENGTH or not _TOKEN_RE.match(token):
        raise _usage("webhook-token", f"{TOKEN_ENV} must be at least {MIN_TOKEN_LENGTH} "
                     "characters of A-Z, a-z, 0-9, '.', '_', '~' and '-' (it is part of a "
                     "URL and the only thing that authenticates a callback)",
                     hint=GENERATE_HINT)
    return token


def parse_networks(values: Iterable[str], what: str = "--allow-ip") -> tuple[Network, ...]:
    """Addresses or CIDR networks (``203.0.113.7``, ``198.51.100.0/24``, ``2001:db8::/32``)."""
    found = []
    for text in values:
        for part in filter(None, (p.strip() for p in text.split(","))):
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise _usage("usage", f"{what}: {part!r} is not an IP address or network",
                             hint="e.g. 203.0.113.7 or 198.51.100.0/24") from None
    return tuple(found)


def allowed(networks: tuple[Network, ...], host: str | None) -> bool:
    """Whether a client address is allowed (every address is, without a list)."""
    if not networks:
        return True
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
