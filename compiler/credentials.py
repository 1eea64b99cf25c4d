"""Checking credential values before anything is signed or sent.

API keys and secrets are printable ASCII without blanks. A value with anything else was
not copied whole: the README's ``…`` placeholder, a typographic character, a blank or a line
break picked up while pasting. Such a value is refused up front with the variable's name and
what is wrong (the value itself is never shown), instead of failing deep inside an HTTP
library or being rejected by the provider as a bad signature.
"""

from __future__ import annotations

import unicodedata

#: Rule of a credential value that cannot be a key (a usage error: exit 2).
RULE_CREDENTIAL_INVALID = "credentials-invalid"
#: The secret in ``msgc webhook``'s callback URLs: a credential like the providers' ones
#: (the environment, else ``[credentials]``), though no provider declares it.
WEBHOOK_TOKEN = "MSGC_WEBHOOK_TOKEN"
#: Credential names the config accepts besides those the providers declare.
OTHER_CREDENTIALS = (WEBHOOK_TOKEN,)
#: Values people leave in by mistake: the README's and other documents' ellipses.
PLACEHOLDERS = frozenset({"…", "...", "***"})


def credential_problem(value: str) -> str | None:
    """What makes ``value`` unusable as a credential, or ``None`` when it looks like one.

    The answer names positions and Unicode code points, never the value's characters."""
    text = value.strip()
    if text in PLACEHOLDERS:
        return f"is the placeholder {text!r}, not a key: set the real value"
    for position, ch in enumerate(value, 1):
        if ch in "\r\n":
            return f"contains a line break (character {position} of {len(value)})"
        if ch == "\t":
            return f"contains a tab (character {position} of {len(value)})"
        if ch.isspace():
            return f"contains a blank (character {position} of {len(value)})"
        if not ch.isascii():
            name = unicodedata.name(ch, "").lower()
            return (f"contains U+{ord(ch):04X}{f' ({name})' if name else ''} at character "
                    f"{position} of {len(value)}; keys are plain ASCII")
        if not ch.isprintable():
            return (f"contains a control character (U+{ord(ch):04X}) at character {position} "
                    f"of {len(value)}")
    return None
