"""The HTML report: one self-contained page, in the preview's styling, with two charts.

For each campaign: the funnel as bars (rows, sent, delivered, read, failed, awaiting), the
delivery over time (cumulative sent, delivered and read from the first send) as lines, the
funnel by locale, failures by code and meaning, replies by id and title, and the times to
delivered and read. Drawn with inline SVG; no script, no request: the page's
Content-Security-Policy allows nothing but its own stylesheet, by hash. Every value (reply
titles come from the public) is escaped by the builder of :mod:`compiler.preview.html`.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources

from .. import __version__
from ..preview.html import Child, Markup, Node, h, render
from .funnel import COLUMNS, CampaignReport, Report
from .render import _HEAD, _cell, _locales, locale_name, seconds, stamp

_REPORT_CSS = """
.report h2 { margin-top: 36px; }
.report .table-wrap { margin: 0 0 14px; }
table.report { border-collapse: collapse; width: 100%; font-size: 14px; }
table.report caption { text-align: left; padding: 10px 12px; color: var(--muted); }
table.report th, table.report td { padding: 6px 10px; border-top: 1px solid var(--line);
  text-align: right; white-space: nowrap; }
table.report thead th { border-top: 0; color: var(--muted); font-weight: 600; }
table.report .text { text-align: left; white-space: normal; overflow-wrap: break-word; }
table.report th:first-child, table.report td:first-child { white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0 16px; }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 10px 12px; margin: 0; flex: 1 1 340px; max-width: 640px; }
.chart figcaption { font-size: 13px; color: var(--muted); margin-bottom: 6px; }
.chart svg { width: 100%; height: auto; display: block; }
.chart text { font: 12px system-ui, sans-serif; fill: var(--ink); }
.chart .axis { stroke: var(--line); stroke-width: 1; }
.bar-rows { fill: #5b6472; } .bar-sent { fill: #1a5fd0; } .bar-delivered { fill: #0d7a3a; }
.bar-read { fill: #0b4f8a; } .bar-failed { fill: #a4161a; } .bar-awaiting { fill: #8a6100; }
.line { fill: none; stroke-width: 2.5; }
.line-sent { stroke: #1a5fd0; } .line-delivered { stroke: #0d7a3a; }
.line-read { stroke: #a4161a; stroke-dasharray: 6 3; }
.swatch-sent { fill: #1a5fd0; } .swatch-delivered { fill: #0d7a3a; }
.swatch-read { fill: #a4161a; }
"""


def stylesheet() -> str:
    preview = (resources.files("compiler.preview") / "assets" / "preview.css").read_text(
        "utf-8")
    return preview + _REPORT_CSS


def page(report: Report, refresh: int | None = None) -> str:
    """The whole page; ``refresh``: reload every so many seconds (``--watch``)."""
    css = stylesheet()
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    head = h("head", None,
             h("meta", {"charset": "utf-8"}),
             h("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
             h("meta", {"http-equiv": "Content-Security-Policy",
                        "content": f"default-src 'none'; style-src 'sha256-{digest}'"}),
             h("meta", {"http-equiv": "refresh", "content": str(refresh)}) if refresh else None,
             h("title", None, "Campaign report · msgc"),
             h("style", None, Markup(css)))
    sections: list[Child] = [_campaign(c) for c in report.campaigns]
    body = h("body", {"class": "report"},
             h("header", {"class": "top"}, h("h1", None, "Campaign report"),
               h("p", {"class": "lede"}, f"Generated {stamp(report.generated)}"
                 + (f" from {report.events_db}" if report.events_db else
                    " without an events database: delivery, reads and replies are not "
                    "known"))),
             h("main", {"id": "main"}, *sections, _database(report)),
             h("footer", {"class": "site-footer"}, f"msgc {__version__} report"))
    return "<!doctype html>\n" + render(h("html", {"lang": "en"}, head, body)) + "\n"


def _campaign(c: CampaignReport) -> Node:
    facts = [("Target", f"{c.label} ({c.provider})"), ("Results file", str(c.results))]
    if c.started:
        facts.append(("First sent", stamp(c.started) or ""))
    charts: list[Child] = [_funnel_chart(c)]
    if c.timeline:
        charts.append(_timeline_chart(c))
    return h("section", {"class": "campaign"},
             h("h2", None, c.name),
             h("dl", {"class": "facts"}, *[x for k, v in facts for x in (h("dt", None, k),
                                                                        h("dd", None, v))]),
             h("div", {"class": "charts"}, *charts),
             _funnel_table(c), _failures(c), _replies(c), _times(c),
             *[h("p", {"class": "lede"}, f"Note: {n}") for n in c.notes])


def _table(caption: str, head: list[str], rows: list[list[tuple[str, bool]]]) -> Node:
    """A table; each cell is (text, is_text) - text cells (and their heads) align left."""
    texts = [flag for _, flag in rows[0]] if rows else [True] * len(head)
    return h("div", {"class": "table-wrap"}, h(
        "table", {"class": "report"}, h("caption", None, caption),
        h("thead", None, h("tr", None, *[h("th", {"scope": "col", "class": "text" if text
                                                  else None}, t)
                                         for t, text in zip(head, texts, strict=True)])),
        h("tbody", None, *[h("tr", None, *[h("td", {"class": "text" if text else None}, value)
                                           for value, text in row]) for row in rows])))


def _funnel_table(c: CampaignReport) -> Node:
    columns = [k for k in COLUMNS if k != "in_flight" or c.total.get("in_flight")]
    rows = [[("all locales", True), *((_cell(c, c.total, k), False) for k in columns)]]
    for locale, counts in _locales(c):
        rows.append([(locale_name(locale), True), *((_cell(c, counts, k), False)
                                                    for k in columns)])
    return _table("Rows by locale (percentages: of the rows sent)",
                  ["Locale", *(_HEAD[k] for k in columns)], rows)


def _failures(c: CampaignReport) -> Node | None:
    if not c.failures:
        return None
    return _table("Failures by provider code", ["Stage", "Code", "Meaning", "Rows"],
                  [[(f.stage, True), (f.code or "-", True), (f.meaning, True),
                    (str(f.count), False)] for f in c.failures])


def _replies(c: CampaignReport) -> Node | None:
    if not c.replies:
        return None
    return _table("Replies by button, choice or row", ["Id", "Title", "Replies",
                                                       "Recipients"],
                  [[(r.id or "-", True), (r.title or "(a message, no button)", True),
                    (str(r.count), False), (str(r.recipients), False)] for r in c.replies])


def _times(c: CampaignReport) -> Node | None:
    if not c.times:
        return None
    items = []
    for what, t in c.times.items():
        items += [h("dt", None, f"Send to {what}"),
                  h("dd", None, f"median {seconds(t.median)}, 90th percentile "
                                f"{seconds(t.p90)} ({t.count} messages)")]
    return h("dl", {"class": "facts"}, *items)


def _database(report: Report) -> Node | None:
    if report.events_db is None:
        return None
    orphaned = sum(report.orphans.values())
    detail = ", ".join(f"{n} {k}" for k, n in sorted(report.orphans.items()))
    return h("section", None, h("h2", None, "Events database"), h("p", None, (
        f"{orphaned} orphan event{'s' * (orphaned != 1)} (tied to no known campaign's "
        f"message){': ' + detail if detail else ''}; {report.duplicates} repeated callbacks "
        f"stored once; {report.rejected} rejected.")))


# -- charts -----------------------------------------------------------------------------------

_W, _BAR, _GAP, _LABEL = 600, 22, 8, 92


def _funnel_chart(c: CampaignReport) -> Node:
    stages = ["rows", "sent"]
    if c.events:
        stages += ["delivered", "read", "failed", "awaiting"]
    total = max(c.total.get("rows", 0), 1)
    height = len(stages) * (_BAR + _GAP) + _GAP
    bars: list[Child] = []
    for i, stage in enumerate(stages):
        value = c.total.get(stage, 0)
        if stage == "failed":
            value += c.total.get("expired", 0)
        y = _GAP + i * (_BAR + _GAP)
        width = max(0.0, (_W - _LABEL - 70) * value / total)
        name = "failed/expired" if stage == "failed" else _HEAD[stage]
        bars += [h("text", {"x": "0", "y": str(y + 16)}, name),
                 h("rect", {"class": f"bar-{stage}", "x": str(_LABEL), "y": str(y),
                            "width": f"{width:.1f}", "height": str(_BAR)}),
                 h("text", {"x": f"{_LABEL + width + 6:.1f}", "y": str(y + 16)}, str(value))]
    return h("figure", {"class": "chart"},
             h("figcaption", None, "Funnel (rows of the campaign)"),
             h("svg", {"viewBox": f"0 0 {_W} {height}", "role": "img",
                       "aria-label": ", ".join(f"{s} {c.total.get(s, 0)}" for s in stages)},
               *bars))


def _timeline_chart(c: CampaignReport) -> Node:
    points = c.timeline
    width, height, left, bottom, top = _W, 230, 48, 34, 26
    span = max(points[-1]["at_s"], 1e-9)
    peak = max(max(p["sent"] for p in points), 1)

    def xy(p: dict[str, float], key: str) -> str:
        x = left + (width - left - 10) * p["at_s"] / span
        y = top + (height - top - bottom) * (1 - p[key] / peak)
        return f"{x:.1f},{y:.1f}"

    lines: list[Child] = [
        h("line", {"class": "axis", "x1": str(left), "y1": str(height - bottom),
                   "x2": str(width - 10), "y2": str(height - bottom)}),
        h("line", {"class": "axis", "x1": str(left), "y1": str(top), "x2": str(left),
                   "y2": str(height - bottom)}),
        h("text", {"x": "4", "y": str(top + 4)}, str(peak)),
        h("text", {"x": "4", "y": str(height - bottom)}, "0"),
        h("text", {"x": str(left), "y": str(height - 12)}, "first send"),
        h("text", {"x": str(width - 10), "y": str(height - 12), "text-anchor": "end"},
          f"+{seconds(span)}")]
    for i, key in enumerate(("sent", "delivered", "read")):
        lines.append(h("polyline", {"class": f"line line-{key}",
                                    "points": " ".join(xy(p, key) for p in points)}))
        x = left + 8 + i * 110
        lines += [h("rect", {"class": f"swatch-{key}", "x": str(x), "y": "4", "width": "12",
                             "height": "12"}),
                  h("text", {"x": str(x + 16), "y": "15"}, _HEAD[key])]
    last = points[-1]
    return h("figure", {"class": "chart"},
             h("figcaption", None, "Delivery over time (cumulative messages)"),
             h("svg", {"viewBox": f"0 0 {width} {height}", "role": "img",
                       "aria-label": f"after {seconds(span)}: {last['sent']:.0f} sent, "
                                     f"{last['delivered']:.0f} delivered, "
                                     f"{last['read']:.0f} read"}, *lines))

