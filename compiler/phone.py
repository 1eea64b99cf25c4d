"""Phone numbers: the one normaliser behind ``render --to``, ``send --to``, recipients files,
``phone`` variables, the envelope settings and the Python API.

A number is written with its country code. Blanks, dashes, dots, parentheses and one
``+`` before the first digit are ignored; 7 to 15 ASCII digits must remain (15 is E.164's maximum). So
``+7 (900) 123-45-67`` and ``7.900.123.45.67`` both become ``79001234567``. A provider
may accept fewer digits (ITNIO: 14); its payload schema checks that.
"""

from __future__ import annotations

from typing import Any

MIN_DIGITS = 7
MAX_DIGITS = 15
#: Characters people write between digits (besides any blank); they are dropped. Dashes
#: include the typographic ones that word processors substitute.
SEPARATORS = frozenset("-.()\u2010\u2011\u2012\u2013\u2014\u2212")
#: Rule of a value that is not a phone number (``--to``, an envelope setting, the API).
RULE_PHONE = "phone-number"
#: What a phone number looks like, for hints.
FORM = f"{MIN_DIGITS}-{MAX_DIGITS} digits, country code first"


def normalize_phone(value: Any) -> str | None:
    """The number as its digits, or ``None`` when ``value`` is not a phone number."""
    return _split(value)[0]


def phone_problem(value: Any) -> str | None:
    """Why ``value`` is not a phone number, in a few words; ``None`` when it is one."""
    return _split(value)[1]


def _split(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None, f"it is not text but {type(value).__name__}"
    text = str(value).strip()
    if not text:
        return None, "it is empty"
    digits: list[str] = []
    plus = False
    for ch in text:
        if "0" <= ch <= "9":
            digits.append(ch)
        elif ch == "+":
            if plus or digits:
                return None, "'+' may only come once, before the digits"
            plus = True
        elif not (ch in SEPARATORS or ch.isspace()):
            what = "not an ASCII digit" if ch.isdigit() else "not a digit"
            return None, f"{ch!r} is {what}"
    count = len(digits)
    if not MIN_DIGITS <= count <= MAX_DIGITS:
        return None, f"it has {count} digit{'s' * (count != 1)}; a phone number has {FORM}"
    return "".join(digits), None
