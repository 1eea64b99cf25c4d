"""The rules of an ITNIO WhatsApp request body that its JSON Schema cannot state: unique
reply titles and ids, the 10-row total of a list, carousel card indexes and kinds of
button, coordinate ranges."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ... import pointer as jp
from ...schemas import Finding

#: Regexes over payload JSON pointers whose *values* :func:`check_payload` reads.
SEMANTIC_FIELDS = (
    r"/(reply|quick_reply)/(id|title)$",   # unique reply titles and ids
    r"^/location/",                        # coordinate ranges
    r"/card_index$",
)
_CARDS = "/interactive/action/cards"
_CARD_INDEX = re.compile(r"/interactive/action/cards/\d+/card_index")
MAX_LIST_ROWS = 10
#: Rules for repeated titles and ids: of a message's reply buttons, of a card's quick replies.
_REPLY_UNIQUE_RULES = {"title": "whatsapp-reply-button-unique-title",
                       "id": "whatsapp-reply-button-unique-id"}
_QUICK_REPLY_UNIQUE_RULES = {"title": "whatsapp-quick-reply-button-unique-title",
                             "id": "whatsapp-quick-reply-button-unique-id"}


def refine(findings: list[Finding]) -> list[Finding]:
    """Without findings that only follow from another: with too many carousel cards, the
    11th card's ``card_index`` (10, written by msgc) breaks the 0-9 range too, which says
    nothing the card count does not."""
    if any(f.pointer == _CARDS and f.keyword == "maxItems" for f in findings):
        findings = [f for f in findings if not _CARD_INDEX.fullmatch(f.pointer)]
    return findings


def check_payload(payload: Any) -> list[Finding]:
    if not isinstance(payload, Mapping):
        return []
    out: list[Finding] = []
    inter = payload.get("interactive")
    if payload.get("type") == "location":
        out += _check_location(payload.get("location"))
    if not isinstance(inter, Mapping):
        return out
    action = inter.get("action")
    if not isinstance(action, Mapping):
        return out
    kind = inter.get("type")
    if kind == "button":
        out += _unique(action.get("buttons"), "/interactive/action/buttons", "reply",
                       "reply button", _REPLY_UNIQUE_RULES)
    elif kind == "list":
        out += _check_rows(action.get("sections"))
    elif kind == "carousel":
        out += _check_cards(action.get("cards"))
    return out


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _unique(buttons: Any, base: str, key: str, what: str, rules: Mapping[str, str]
            ) -> list[Finding]:
    """Reply titles and ids must be unique among the buttons of one message (or one card:
    the ITNIO carousel example repeats a quick reply on every card, so uniqueness is
    checked per card there)."""
    out = []
    seen: dict[str, dict[Any, int]] = {"title": {}, "id": {}}
    for i, button in enumerate(buttons if isinstance(buttons, list) else []):
        inner = button.get(key) if isinstance(button, Mapping) else None
        if not isinstance(inner, Mapping):
            continue
        for field in ("title", "id"):
            value = inner.get(field)
            if not isinstance(value, str):
                continue
            norm = value.strip().casefold() if field == "title" else value
            if norm in seen[field]:
                first = seen[field][norm] + 1
                out.append(Finding(
                    jp.join(base, i, key, field), rules[field],
                    f"{what} {i + 1} has the same {field} as {what} {first} ({value!r}); "
                    f"WhatsApp requires unique {field}s in a message",
                ))
            else:
                seen[field][norm] = i
    return out


def _check_rows(sections: Any) -> list[Finding]:
    total = 0
    out = []
    for i, section in enumerate(_items(sections)):
        rows = section.get("rows")
        if not isinstance(rows, list):
            continue
        for j, _ in enumerate(rows):
            total += 1
            if total == MAX_LIST_ROWS + 1:
                out.append(Finding(
                    jp.join("/interactive/action/sections", i, "rows", j), "whatsapp-list-rows-total",
                    f"the list has more than {MAX_LIST_ROWS} rows across its sections; "
                    f"WhatsApp allows {MAX_LIST_ROWS} in total",
                ))
    return out


def _check_cards(cards: Any) -> list[Finding]:
    out = []
    base = "/interactive/action/cards"
    kinds: list[tuple[int, str]] = []
    for i, card in enumerate(_items(cards)):
        if card.get("card_index") != i:
            out.append(Finding(
                jp.join(base, i, "card_index"), "whatsapp-carousel-card-index",
                f"card {i + 1} has card_index {card.get('card_index')!r}; card indexes must "
                f"count 0, 1, 2, ... in order (expected {i})",
            ))
        action = card.get("action")
        if not isinstance(action, Mapping):
            continue
        has_link, has_quick = "name" in action or "parameters" in action, "buttons" in action
        if has_link and has_quick:
            out.append(Finding(
                jp.join(base, i, "action"), "whatsapp-carousel-card-action-kind",
                "a card action is either a cta_url link or quick-reply buttons, not both",
            ))
            continue
        if has_link or has_quick:
            kinds.append((i, "cta_url" if has_link else "quick_reply"))
        if has_quick:
            out += _unique(action.get("buttons"), jp.join(base, i, "action", "buttons"),
                           "quick_reply", "quick-reply button", _QUICK_REPLY_UNIQUE_RULES)
    if kinds:
        first_card, first_kind = kinds[0]
        for i, kind in kinds[1:]:
            if kind != first_kind:
                out.append(Finding(
                    jp.join(base, i, "action"), "whatsapp-carousel-same-action",
                    f"card {i + 1} uses {kind} buttons but card {first_card + 1} uses "
                    f"{first_kind}; every card of a WhatsApp carousel uses the same kind",
                ))
    return out


def _check_location(loc: Any) -> list[Finding]:
    if not isinstance(loc, Mapping):
        return []
    out = []
    for key, bound in (("latitude", 90), ("longitude", 180)):
        value = loc.get(key)
        try:
            number = float(value) if isinstance(value, str) else None
        except ValueError:
            number = None
        if number is not None and not -bound <= number <= bound:
            out.append(Finding(jp.join("/location", key), "whatsapp-location-range",
                               f"{key} is {value}; it must lie within ±{bound}"))
    return out
