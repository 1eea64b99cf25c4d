"""Where sending's credentials and API address come from, and keeping secrets out of output.

Credentials: an environment variable wins over the same key in the ``[credentials]`` table
of the msgc config file. Base URL: ``--base-url`` wins over the provider's environment
variable (``MSGC_NXCLOUD_BASE_URL``, ``MSGC_ITNIO_BASE_URL``), which wins over the
provider's production address.

Every credential value is a secret: :class:`Redactor` masks them in any text before it is
printed, logged or written, and :func:`mask_headers` masks the provider's secret-bearing
headers (``sign``, ``accessKey``, ``Sign``, ``Api-Key``) in requests shown to people.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..credentials import RULE_CREDENTIAL_INVALID, credential_problem
from ..diagnostics import Diagnostic, MsgcError
from ..providers.base import Provider

MASK = "***"
def resolve_credentials(provider: Provider, environ: Mapping[str, str],
                        configured: Mapping[str, str], *, file: str | None = None,
                        hint: str | None = None,
                        origins: Mapping[str, tuple[str, int | None]] | None = None
                        ) -> dict[str, str]:
    """Every credential ``provider`` needs, or a usage error naming each missing or
    unusable one (see :mod:`compiler.credentials`). ``origins`` (else ``file``) says
    where each ``configured`` value came from; ``hint`` where a missing one can be set."""
    found: dict[str, str] = {}
    missing = []
    invalid = []
    for name in provider.credential_names:
        value = environ.get(name) or configured.get(name)
        if value:
            problem = credential_problem(value)
            if problem:
                where, line = (None, None) if environ.get(name) else \
                    (origins or {}).get(name, (file or "the config file", None))
                invalid.append(Diagnostic(
                    RULE_CREDENTIAL_INVALID, f"{name} {problem}",
                    file=where or "environment", line=line, provider=provider.name,
                    hint="copy the value again from the provider's console; it is never "
                         "shown here"))
            found[name] = value
        else:
            missing.append(name)
    if invalid:
        raise MsgcError(invalid)
    if missing:
        raise MsgcError([
            Diagnostic("credentials-missing",
                       f"{name} is not set: sending through {provider.label} needs it",
                       file=file, provider=provider.name,
                       hint=hint or f"export {name}=... (or set it under [credentials] in "
                                    "msgc.toml, outside the repository)")
            for name in missing
        ])
    return found


def resolve_base_url(provider: Provider, option: str | None, environ: Mapping[str, str]
                     ) -> str:
    """The API root to send to: ``--base-url``, then the provider's variable, then default."""
    source = "--base-url"
    url = option
    if not url and provider.base_url_env:
        url, source = environ.get(provider.base_url_env), provider.base_url_env
    if not url:
        return provider.default_base_url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MsgcError([Diagnostic(
            "base-url", f"{source} must be an http(s) URL, got {url!r}",
            provider=provider.name, hint="for the fake server: http://127.0.0.1:PORT")])
    return url.rstrip("/")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Redactor:
    """Replaces every secret value in a text with ``***``.

    The one redaction function: every writer of sending - the journal, the results file,
    stderr and stdout of ``msgc send`` (diagnostics, summary, ``-v`` logs, ``--dry-run``)
    and the fake server's record - passes its text through an instance of it.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def data(self, value: Any) -> Any:
        """``value`` (JSON-like data) with every string redacted."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value

    def diagnostic(self, diag: Diagnostic) -> Diagnostic:
        return dataclasses.replace(diag, message=self(diag.message),
                                   hint=diag.hint and self(diag.hint),
                                   file=diag.file and self(diag.file))


def mask_headers(provider: Provider, headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` with the provider's secret-bearing values replaced by ``***``."""
    secret = {name.lower() for name in provider.secret_headers}
    return {k: MASK if k.lower() in secret else v for k, v in headers.items()}
