"""The preview site's pages: an index of every spec, and one page per spec.

A spec page shows each target × locale as a phone-sized chat screen, grouped by locale so
the targets of one language stand side by side. Each screen carries, for every way of
filling the variables, the message as the provider's app would draw it (see the drawer
modules) and the payload JSON (collapsed); below it, ``msgc validate``'s findings for that
target × locale. A radio group at the top picks the values shown (examples, worst case,
your values); it works with CSS alone, and the site's one script remembers the choice.

Every page is one self-contained HTML document: a strict Content-Security-Policy allows
only the site's own stylesheet and script, nothing is loaded from the network, and links
are relative, so the site works from ``file://`` and from any web server alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .. import __version__, providers
from ..diagnostics import Diagnostic, Severity
from .base import Drawer, drawer_for
from .html import Child, Markup, Node, classes, h, render
from .model import MODES, Screen, Site, SpecEntry, Variant

#: Only the site's own files; no inline code, no network, no frames, no forms.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'")
STYLESHEET = "assets/preview.css"
SCRIPT = "assets/preview.js"
ICON = "assets/favicon.svg"
_MODE_LABELS = dict(MODES)
_ONLY_WITH = {"worst": "With worst-case values", "vars": "With your values"}
_SEVERITY_WORDS = {Severity.ERROR: ("error", "errors"), Severity.WARNING: ("warning", "warnings"),
                   Severity.NOTE: ("note", "notes")}


def spec_path(entry: SpecEntry) -> str:
    return f"spec/{entry.slug}.html"


def document(title: str, root: str, main: Sequence[Child], *, page_class: str) -> bytes:
    """A whole page. ``root`` is the relative path back to the site's top folder."""
    page = h("html", {"lang": "en"},
             h("head", None,
               h("meta", {"charset": "utf-8"}),
               h("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}),
               h("meta", {"name": "referrer", "content": "no-referrer"}),
               h("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
               h("meta", {"name": "msgc-live", "content": ""}),
               h("title", None, title),
               h("link", {"rel": "icon", "href": root + ICON, "type": "image/svg+xml"}),
               h("link", {"rel": "stylesheet", "href": root + STYLESHEET}),
               h("script", {"src": root + SCRIPT, "defer": True})),
             h("body", {"class": page_class},
               h("a", {"class": "skip", "href": "#main"}, "Skip to content"),
               *main,
               h("footer", {"class": "site-footer"},
                 f"msgc {__version__} preview · a mock-up of how the apps draw these "
                 "messages, not the apps themselves · media are placeholders and are never "
                 "downloaded")))
    return (Markup("<!doctype html>\n") + render(page) + "\n").encode("utf-8")


# -- index ------------------------------------------------------------------------------------

def index_page(site: Site) -> bytes:
    rows = [_index_row(e) for e in site.specs]
    screens = sum(len(e.screens) for e in site.specs)
    all_findings = [d for e in site.specs for d in e.findings] + site.findings
    table = h("table", {"class": "index"},
              h("caption", None, f"{len(site.specs)} spec{_s(len(site.specs))}, "
                                 f"{screens} screen{_s(screens)}: {_counts(all_findings)}"),
              h("thead", None, h("tr", None, *[h("th", {"scope": "col"}, c) for c in (
                  "Spec", "Description", "Targets", "Locales", "Worst finding", "Source")])),
              h("tbody", None, *rows))
    main = [h("header", {"class": "top"}, h("h1", None, "Message previews"),
              h("p", {"class": "lede"}, "Every message spec as the recipient's app would "
                                        "show it, with what msgc validate found.")),
            h("main", {"id": "main"},
              _finding_list(site.findings, "Problems with the paths"),
              h("div", {"class": "table-wrap"}, table))]
    return document("Message previews · msgc", "", main, page_class="index-page")


def _index_row(entry: SpecEntry) -> Node:
    cells: list[tuple[str, Child]] = [
        ("Description", entry.description or ""),
        ("Targets", ", ".join(_provider_label(p) for p in entry.targets)),
        ("Locales", ", ".join(entry.locales) or "default only"),
        ("Worst finding", _worst_badge(entry)),
        ("Source", h("code", None, entry.source)),
    ]
    return h("tr", None,
             h("th", {"scope": "row"}, h("a", {"href": spec_path(entry)}, entry.name)),
             *[h("td", {"data-label": label}, value) for label, value in cells])


def _worst_badge(entry: SpecEntry) -> Node:
    worst = entry.worst
    if worst is None:
        return h("span", {"class": "sev sev-clean"}, "clean")
    count = sum(d.severity is worst for d in entry.findings)
    word = _SEVERITY_WORDS[worst][count != 1]
    return h("span", {"class": f"sev sev-{worst.value}"}, f"{count} {word}")


# -- one spec ---------------------------------------------------------------------------------

def spec_page(site: Site, entry: SpecEntry) -> bytes:
    facts: list[tuple[str, Child]] = [("Source", h("code", None, entry.source)),
             ("Targets", ", ".join(_provider_label(p) for p in entry.targets) or "none"),
             ("Locales", ", ".join(["default", *entry.locales]) if entry.loaded else "—"),
             ("Findings", _counts(entry.findings))]
    header = h("header", {"class": "top"},
               h("nav", {"aria-label": "Breadcrumb"},
                 h("a", {"href": "../index.html"}, "All specs")),
               h("h1", None, entry.name),
               h("p", {"class": "lede"}, entry.description) if entry.description else None,
               h("dl", {"class": "facts"},
                 *[(h("dt", None, k), h("dd", None, v)) for k, v in facts]),
               _mode_switch(site.modes) if entry.screens else None)
    content: list[Child] = []
    if entry.spec_findings:
        title = "Findings for the whole spec" if entry.loaded else "This file cannot be previewed"
        content.append(_finding_list(entry.spec_findings, title))
    locales: list[str | None] = [None, *entry.locales]
    for locale in locales:
        screens = [s for s in entry.screens if s.locale == locale]
        if not screens:
            continue
        label = f"Locale {locale}" if locale else "Default locale"
        content.append(h("section", {"class": "locale", "aria-label": label},
                         h("h2", None, label),
                         h("div", {"class": "devices"},
                           *[_device(s, site.modes) for s in screens])))
    page = [header, h("main", {"id": "main"}, *content)]
    return document(f"{entry.name} · msgc preview", "../", page, page_class="spec-page")


def _mode_switch(modes: Sequence[str]) -> Node:
    options = []
    for mode in modes:
        options.append(h("input", {"type": "radio", "name": "mode", "id": f"mode-{mode}",
                                   "value": mode, "checked": mode == "examples"}))
        options.append(h("label", {"for": f"mode-{mode}"}, _MODE_LABELS[mode]))
    return h("fieldset", {"class": "modes"}, h("legend", None, "Variable values"), *options)


def _device(screen: Screen, modes: Sequence[str]) -> Node:
    drawer = drawer_for(screen.provider)
    where = f"{_provider_label(screen.provider)} · {screen.locale or 'default locale'}"
    variants = [_variant(screen, screen.variants[m], drawer, where)
                for m in modes if m in screen.variants]
    return h("article", {"class": classes("device", drawer.theme), "aria-label": where,
                         "data-provider": screen.provider, "data-locale": screen.locale or ""},
             h("h3", None, where),
             *variants,
             _finding_list(screen.findings, "msgc validate", empty="No findings."))


def _variant(screen: Screen, variant: Variant, drawer: Drawer, where: str) -> Node:
    app = drawer.app
    if variant.payload is not None:
        try:
            drawing = drawer.draw(variant.payload, variant.kind or "")
        except Exception as exc:  # a drawer bug must not hide the message: show its texts
            drawing = [h("p", {"class": "screen-note"},
                         f"This payload could not be drawn ({type(exc).__name__}); its texts:"),
                       h("ul", None, *[h("li", None, t) for t in drawer.texts(variant.payload)])]
    else:
        drawing = [h("p", {"class": "screen-note"},
                     f"Nothing to draw: no {_provider_label(screen.provider)} payload can be "
                     "made from this message with these values. See the findings below.")]
    own = [d for d in variant.diagnostics if _key(d) not in {_key(f) for f in screen.findings}]
    phone = h("div", {"class": "phone", "role": "group", "aria-label": f"{app} mock-up, {where}"},
              h("div", {"class": "bar"},
                h("span", {"class": "avatar", "aria-hidden": "true"}, "B"),
                h("span", {"class": "chat-name"}, "Business",
                  h("span", {"class": "chat-sub"}, f"{app} mock-up")),
                h("span", {"class": "kind"}, variant.kind or "—")),
              h("div", {"class": "screen", "lang": screen.locale or None}, *drawing))
    parts: list[Child] = [phone]
    if variant.notes:
        parts.append(h("ul", {"class": "value-notes"},
                       *[h("li", None, n) for n in variant.notes]))
    if own:
        parts.append(_finding_list(own, _ONLY_WITH.get(variant.mode, "With these values")))
    parts.append(_details("Variable values", _json(variant.values)))
    if variant.payload is not None:
        parts.append(_details("Payload JSON", _json(variant.payload)))
    return h("div", {"class": f"variant v-{variant.mode}", "data-mode": variant.mode}, *parts)


def _details(title: str, content: str) -> Node:
    return h("details", {"class": "payload"}, h("summary", None, title),
             h("pre", None, h("code", None, content)))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


# -- findings ---------------------------------------------------------------------------------

def _finding_list(findings: Sequence[Diagnostic], title: str, *, empty: str | None = None
                  ) -> Node | None:
    if not findings:
        return h("p", {"class": "findings-none"}, f"{title}: {empty}") if empty else None
    return h("section", {"class": "findings", "aria-label": title},
             h("h4", None, f"{title}: {_counts(findings)}"),
             h("ul", None, *[_finding(d) for d in findings]))


def _finding(d: Diagnostic) -> Node:
    return h("li", {"class": f"finding is-{d.severity.value}"},
             h("span", {"class": f"sev sev-{d.severity.value}"}, d.severity.value),
             " ", h("code", {"class": "rule"}, d.rule),
             h("span", {"class": "message"}, d.message),
             h("span", {"class": "where"}, d.location()),
             d.hint and h("span", {"class": "hint"}, f"hint: {d.hint}"))


def _key(d: Diagnostic) -> tuple[Any, ...]:
    return (d.file, d.line, d.column, d.rule, d.message)


def _counts(findings: Sequence[Diagnostic]) -> str:
    parts = []
    for severity, (one, many) in _SEVERITY_WORDS.items():
        n = sum(d.severity is severity for d in findings)
        if n or severity is not Severity.NOTE:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts)


def _provider_label(name: str) -> str:
    try:
        return providers.get(name).label
    except KeyError:
        return name


def _s(n: int) -> str:
    return "" if n == 1 else "s"
