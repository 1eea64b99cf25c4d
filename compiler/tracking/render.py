"""Printing a report: text for people, JSON for scripts, CSV for spreadsheets.

JSON: ``{generated, events_db, campaigns: [{name, results, target, label, started,
funnel, by_locale: [{locale, funnel}], failures, replies, times, timeline, notes}], orphans,
rejected, duplicates_received}``; delivery columns are null without an events database.

CSV: one tidy table, ``campaign,target,locale,section,key,label,value``: section ``funnel``
(key: the column; locale ``*`` for the whole campaign), ``failure-send`` and
``failure-delivery`` (key: the code, label: its meaning), ``reply`` and
``reply-recipients`` (key: the reply id, label: its title), ``time`` (key
``delivered_median_s`` ...), and campaign ``*`` section ``orphans`` (key
``provider/kind``).

HTML lives in :mod:`.html`.
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

from .funnel import COLUMNS, DELIVERY, CampaignReport, Report

ALL = "*"
_HEAD = {"rows": "rows", "invalid": "invalid", "skipped": "skipped",
         "send_failed": "not sent", "unknown": "unknown", "in_flight": "sending",
         "sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed",
         "expired": "expired", "deleted": "deleted", "awaiting": "awaiting"}


def stamp(when: float | None) -> str | None:
    if when is None:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(when))


def locale_name(locale: str | None) -> str:
    return locale if locale is not None else "(default)"


def funnel_data(report: CampaignReport, counts: dict[str, int]) -> dict[str, int | None]:
    return {c: (None if c in DELIVERY and not report.events else counts.get(c, 0))
            for c in COLUMNS}


def as_data(report: Report) -> dict[str, Any]:
    campaigns = []
    for c in report.campaigns:
        campaigns.append({
            "name": c.name, "results": str(c.results), "target": c.provider, "label": c.label,
            "started": stamp(c.started), "funnel": funnel_data(c, c.total),
            "by_locale": [{"locale": loc, "funnel": funnel_data(c, counts)}
                          for loc, counts in _locales(c)],
            "failures": [{"stage": f.stage, "code": f.code, "meaning": f.meaning,
                          "count": f.count} for f in c.failures],
            "replies": [{"id": r.id, "title": r.title, "count": r.count,
                         "recipients": r.recipients} for r in c.replies],
            "times": {k: t.as_dict() for k, t in c.times.items()},
            "timeline": c.timeline, "notes": c.notes})
    return {"generated": stamp(report.generated),
            "events_db": str(report.events_db) if report.events_db else None,
            "campaigns": campaigns, "orphans": report.orphans, "rejected": report.rejected,
            "duplicates_received": report.duplicates}


def as_json(report: Report) -> str:
    return json.dumps(as_data(report), ensure_ascii=False, indent=2) + "\n"


def _locales(c: CampaignReport) -> list[tuple[str | None, dict[str, int]]]:
    return sorted(c.by_locale.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["campaign", "target", "locale", "section", "key", "label", "value"])
    for c in report.campaigns:
        for locale, counts in [(ALL, c.total), *_locales(c)]:
            shown = locale if locale == ALL else locale_name(locale)
            for column, value in funnel_data(c, counts).items():
                writer.writerow([c.name, c.provider, shown, "funnel", column, "",
                                 "" if value is None else value])
        for f in c.failures:
            writer.writerow([c.name, c.provider, ALL, f"failure-{f.stage}", f.code or "",
                             f.meaning, f.count])
        for r in c.replies:
            writer.writerow([c.name, c.provider, ALL, "reply", r.id or "", r.title or "",
                             r.count])
            writer.writerow([c.name, c.provider, ALL, "reply-recipients", r.id or "",
                             r.title or "", r.recipients])
        for what, t in c.times.items():
            values: tuple[tuple[str, float | None], ...] = (
                ("median_s", t.median), ("p90_s", t.p90), ("count", t.count))
            for key, seconds_ in values:
                writer.writerow([c.name, c.provider, ALL, "time", f"{what}_{key}", "",
                                 "" if seconds_ is None else seconds_])
    for key, count in sorted(report.orphans.items()):
        writer.writerow([ALL, "", ALL, "orphans", key, "", count])
    return out.getvalue()


# -- text ---------------------------------------------------------------------------------

def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 120:
        return f"{value:.1f} s"
    if value < 7200:
        return f"{value / 60:.1f} min"
    return f"{value / 3600:.1f} h"


def _cell(c: CampaignReport, counts: dict[str, int], column: str) -> str:
    if column in DELIVERY and not c.events:
        return "-"
    value = counts.get(column, 0)
    sent = counts.get("sent", 0)
    if column in ("delivered", "read", "failed", "expired") and sent:
        return f"{value} ({100 * value / sent:.0f}%)"
    return str(value)


def as_text(report: Report) -> str:
    lines: list[str] = []
    for c in report.campaigns:
        lines += _campaign_text(c)
        lines.append("")
    if report.events_db is None:
        lines.append("No events database (--events, or MSGC_EVENTS_DB): delivery, reads and "
                     "replies are not shown.")
    else:
        orphaned = sum(report.orphans.values())
        detail = ", ".join(f"{n} {k}" for k, n in sorted(report.orphans.items()))
        lines.append(f"Events database {report.events_db}: {orphaned} orphan event"
                     f"{'s' * (orphaned != 1)} (tied to no known campaign's message)"
                     + (f": {detail}" if detail else "") + f"; {report.duplicates} repeated "
                     f"callback{'s' * (report.duplicates != 1)} stored once; "
                     f"{report.rejected} rejected.")
    return "\n".join(lines) + "\n"


def _campaign_text(c: CampaignReport) -> list[str]:
    started = f", first sent {stamp(c.started)}" if c.started else ""
    lines = [f"Campaign {c.name} - {c.label} ({c.provider}){started}", f"  {c.results}", ""]
    columns = [k for k in COLUMNS if k != "in_flight" or c.total.get("in_flight")]
    table = [["locale", *(_HEAD[k] for k in columns)]]
    table.append(["(all)", *(_cell(c, c.total, k) for k in columns)])
    if len(c.by_locale) > 1 or (c.by_locale and None not in c.by_locale):
        for locale, counts in _locales(c):
            table.append([locale_name(locale), *(_cell(c, counts, k) for k in columns)])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        cells = [row[0].ljust(widths[0]), *(v.rjust(w) for v, w in zip(row[1:], widths[1:],
                                                                       strict=True))]
        lines.append("  " + "  ".join(cells).rstrip())
    if c.failures:
        lines += ["", "  Failures (stage, code, meaning: rows)"]
        code_width = max(len(f.code or "-") for f in c.failures)
        for f in c.failures:
            lines.append(f"    {f.stage:<8}  {(f.code or '-'):<{code_width}}  {f.meaning}: "
                         f"{f.count}")
    if c.replies:
        lines += ["", "  Replies (id, title: replies / recipients)"]
        id_width = max(len(r.id or "-") for r in c.replies)
        for r in c.replies:
            title = (r.title or "(a message, no button)").replace("\n", " ")
            if len(title) > 60:
                title = title[:57] + "..."
            lines.append(f"    {(r.id or '-'):<{id_width}}  {title}: {r.count} / "
                         f"{r.recipients}")
    if c.times:
        lines.append("")
        for what, t in c.times.items():
            lines.append(f"  Time to {what + ':':<10} median {seconds(t.median)}, "
                         f"p90 {seconds(t.p90)} ({t.count} message{'s' * (t.count != 1)})")
    for note in c.notes:
        lines.append(f"  note: {note}")
    return lines
