"""``msgc report``: events matched to campaign rows through the journal's message ids
(early events matched later, replies by context or by phone, orphans counted), the funnel's
rules whatever order events arrive in, failures by code and meaning, replies by id and
title, times (median, p90 by nearest rank), every format, --watch, and its errors."""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from send_support import msgc
from tracking_support import make_journal, store_callbacks

from compiler.sending.journal import Journal, journal_path
from compiler.tracking.funnel import build, nearest_rank, timing
from compiler.tracking.matching import campaign_of
from compiler.tracking.store import EventsDB, EventWriter

T = 1_700_000_000.0
XSS = "<script>alert(1)</script>"


def status(message_id: str, state: str, at: float, **extra: Any) -> dict[str, Any]:
    return {"eventType": "message-status-event", "messageId": message_id, "status": state,
            "recipient": "", "timestamp": int(at), **extra}


def reply(n: int, phone: str, at: float, context: str | None = None, rid: str | None = None,
          title: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "text", "text": {"body": "hello"}}
    if rid is not None:
        message = {"type": "interactive", "interactive": {
            "type": "button_reply", "button_reply": {"id": rid, "title": title}}}
    if context:
        message["context"] = {"id": context}
    return {"eventType": "up-message-event", "messageId": f"in-{n}", "timestamp": int(at),
            "businessPhone": "12025550100", "from": {"phone": phone}, "message": message}


ROWS = [
    {"row": 1, "phone": "79000000001", "state": "sent", "message_id": "m1", "updated": T},
    {"row": 2, "phone": "79000000002", "state": "sent", "message_id": "m2", "locale": "ru",
     "updated": T},
    {"row": 3, "phone": "79000000003", "state": "sent", "message_id": "m3", "locale": "ru",
     "updated": T},
    {"row": 4, "phone": "79000000004", "state": "sent", "message_id": "m4", "updated": T},
    {"row": 5, "phone": "79000000005", "state": "sent", "message_id": "m5", "updated": T},
    {"row": 6, "phone": "79000000006", "state": "sent", "message_id": "m6", "updated": T},
    {"row": 7, "phone": "79000000007", "state": "failed", "code": "-70",
     "error": "recipient number too long", "rule": "provider-error"},
    {"row": 8, "phone": None, "state": "invalid", "code": "recipients-phone"},
    {"row": 9, "phone": "79000000009", "state": "unknown", "code": "timeout",
     "rule": "timeout", "locale": "ru"},
    {"row": 10, "phone": "79000000010", "state": "skipped", "code": "session-closed"},
    {"row": 11, "phone": "79000000011", "state": "failed", "code": "HTTP 503",
     "error": "gave up", "rule": "HTTP 503"},
]
EVENTS = [
    status("m1", "delivered", T + 2), status("m1", "read", T + 5),
    status("m2", "read", T + 9),                                  # no delivered: read implies it
    status("m3", "sent", T + 1), status("m3", "failed", T + 3,
                                        failure={"code": 131026, "reason": "Undeliverable"}),
    status("m4", "failed", T + 4, failure="-70"), status("m4", "delivered", T + 1),
    status("m5", "delivered", T + 3), status("m5", "deleted", T + 50),
    status("m1", "delivered", T + 2),                             # pushed again
    status("zzz", "delivered", T + 2),                            # no campaign sent it
    reply(1, "79000000001", T + 20, context="m1", rid="yes", title="Yes"),
    reply(2, "79000000002", T + 30, context="m2", rid="yes", title="Да"),
    reply(3, "79000000004", T + 40, context="m4", rid="no", title=XSS),
    reply(4, "79000000006", T + 100),                             # no context: by phone
    reply(5, "79000000099", T + 100),                             # nobody we wrote to
    reply(6, "79000000005", T + 100, context="other-campaign"),   # answers an unknown one
    reply(7, "79000000005", T + 90_000),                          # too late for the window
]


@pytest.fixture
def campaign(tmp_path: Path) -> dict[str, Path]:
    results = tmp_path / "out.jsonl"
    make_journal(results, "whatsapp", ROWS)
    db = tmp_path / "events.sqlite3"
    store_callbacks(db, "whatsapp", EVENTS, received=T + 100_000)
    return {"results": results, "db": db}


def report_of(paths: dict[str, Path]) -> Any:
    with EventsDB.open(paths["db"]) as db:
        ref = campaign_of(paths["results"], journal_path(paths["results"]))
        ref = db.register(paths["results"], ref.journal, ref.provider)
        return build(db, [ref])


def test_funnel_rules(campaign: dict[str, Path]) -> None:
    [c] = report_of(campaign).campaigns
    assert dict(c.total) == {
        "rows": 11, "invalid": 1, "skipped": 1, "send_failed": 2, "unknown": 1,
        "in_flight": 0, "sent": 6, "delivered": 4, "read": 2, "failed": 1, "expired": 0,
        "deleted": 1, "awaiting": 1}
    ru = c.by_locale["ru"]
    assert (ru["rows"], ru["sent"], ru["read"], ru["failed"], ru["unknown"]) == (3, 2, 1, 1, 1)
    assert c.by_locale[None]["rows"] == 8


def test_failures_by_code_and_meaning(campaign: dict[str, Path]) -> None:
    [c] = report_of(campaign).campaigns
    found = [(f.stage, f.code, f.meaning, f.count) for f in c.failures]
    assert ("delivery", "131026", "Undeliverable", 1) in found
    send = {f.code: f.meaning for f in c.failures if f.stage == "send"}
    assert send["-70"].startswith("recipient number")      # the documented meaning
    assert send["HTTP 503"].startswith("HTTP 503 Service Unavailable")
    assert all(f.code != "-70" or f.stage == "send" for f in c.failures)  # m4 was delivered


def test_replies_by_id_and_title_context_and_phone(campaign: dict[str, Path]) -> None:
    report = report_of(campaign)
    [c] = report.campaigns
    assert {(r.id, r.title): (r.count, r.recipients) for r in c.replies} == {
        ("yes", "Yes"): (1, 1), ("yes", "Да"): (1, 1), ("no", XSS): (1, 1),
        (None, None): (1, 1)}                                 # row 6's text, by its phone
    assert report.orphans == {"whatsapp/status": 1, "whatsapp/inbound": 3}
    assert report.duplicates == 1


def test_times_nearest_rank(campaign: dict[str, Path]) -> None:
    [c] = report_of(campaign).campaigns
    # whole-second provider times count as the end of that second
    assert (c.times["delivered"].count, c.times["delivered"].median,
            c.times["delivered"].p90) == (4, 3.0, 10.0)
    assert (c.times["read"].count, c.times["read"].median, c.times["read"].p90) == (2, 6.0,
                                                                                   10.0)
    assert nearest_rank([], 0.5) is None
    assert timing([5.0, 1.0, 3.0, 2.0]).median == 2.0
    assert timing(list(map(float, range(1, 11)))).p90 == 9.0
    assert timing(list(map(float, range(1, 12)))).p90 == 10.0


def test_an_event_before_its_send_answer_is_matched_later(tmp_path: Path) -> None:
    results = tmp_path / "out.jsonl"
    journal = Journal.create(journal_path(results), {"key": "k", "provider": "viber"},
                             lambda s: s)
    journal.begin(1, "79000000001", "en")
    journal.commit()
    db = tmp_path / "events.sqlite3"
    receipt = {"status": 11002, "requestId": "early", "code": 0, "message": "ok"}
    store_callbacks(db, "viber", [receipt])  # the receipt beats the send's answer
    paths = {"results": results, "db": db}
    first = report_of(paths)
    assert first.campaigns[0].total["in_flight"] == 1
    assert first.orphans == {"viber/status": 1}
    journal.finish(1, "79000000001", "sent", "early", locale=None)
    journal.commit()
    journal.close()
    later = report_of(paths)
    [c] = later.campaigns
    assert (c.total["sent"], c.total["delivered"], c.total["read"]) == (1, 1, 1)
    assert later.orphans == {}
    assert c.by_locale == {"en": c.total}  # begin() recorded the locale; finish kept it


def test_formats(campaign: dict[str, Path], tmp_path: Path) -> None:
    args = [str(campaign["results"]), "--events", str(campaign["db"])]
    as_json = msgc(["report", *args, "--format", "json"])
    assert as_json.code == 0, as_json.output
    data = json.loads(as_json.stdout)
    [c] = data["campaigns"]
    assert c["target"] == "whatsapp" and c["funnel"]["delivered"] == 4
    assert {item["locale"] for item in c["by_locale"]} == {None, "ru"}
    assert data["orphans"]["whatsapp/inbound"] == 3

    as_csv = list(csv.DictReader(io.StringIO(msgc(["report", *args, "--format",
                                                    "csv"]).stdout)))
    cell = {(r["section"], r["locale"], r["key"], r["label"]): r["value"] for r in as_csv}
    assert cell[("funnel", "*", "read", "")] == "2"
    assert cell[("funnel", "ru", "sent", "")] == "2"
    assert cell[("reply", "*", "yes", "Да")] == "1"
    assert cell[("time", "*", "delivered_median_s", "")] == "3.0"

    text = msgc(["report", *args]).stdout
    assert re.search(r"\(all\)\s+11\s+1\s+1\s+2\s+1\s+6\s+4 \(67%\)\s+2 \(33%\)", text), text
    assert "Time to delivered: median 3.0 s, p90 10.0 s (4 messages)" in text
    assert re.search(r"delivery\s+131026\s+Undeliverable: 1", text), text

    page = msgc(["report", *args, "--format", "html"]).stdout
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
    style = re.search(r"<style>(.*)</style>", page, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    policy = html.unescape(page)
    assert f"style-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert "<svg" in page and "polyline" in page


def test_without_an_events_database(campaign: dict[str, Path]) -> None:
    done = msgc(["report", str(campaign["results"])], env={})
    assert done.code == 0
    assert "No events database" in done.stdout
    data = json.loads(msgc(["report", str(campaign["results"]), "--format", "json"],
                           env={}).stdout)
    funnel = data["campaigns"][0]["funnel"]
    assert funnel["sent"] == 6 and funnel["delivered"] is None


def test_campaigns_by_name_and_all_known(campaign: dict[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "second.jsonl"
    make_journal(other, "viber", [{"row": 1, "phone": "79000000001", "state": "sent",
                                   "message_id": "v1"}])
    events = ["--events", str(campaign["db"])]
    assert msgc(["report", str(campaign["results"]), str(other), *events]).code == 0
    listed = json.loads(msgc(["report", *events, "--format", "json"]).stdout)
    assert [c["name"] for c in listed["campaigns"]] == ["out.jsonl", "second.jsonl"]
    one = json.loads(msgc(["report", *events, "--campaign", "second.jsonl", "--format",
                           "json"]).stdout)
    assert [c["target"] for c in one["campaigns"]] == ["viber"]
    missing = msgc(["report", *events, "--campaign", "nope"])
    assert missing.code == 2 and "known campaigns: out.jsonl, second.jsonl" in missing.stderr


@pytest.mark.parametrize(("args", "said"), [
    (["nowhere.jsonl"], "there is no journal"),
    (["--events", "missing.sqlite3"], "there is no events database"),
    ([], "give a campaign's results file"),
    (["--campaign", "x"], "--campaign needs the events database"),
])
def test_errors_are_exit_2(tmp_path: Path, args: list[str], said: str) -> None:
    done = msgc(["report", *args], env={}, cwd=tmp_path)
    assert done.code == 2 and said in done.stderr and "Traceback" not in done.output


def test_a_journal_from_before_locales(campaign: dict[str, Path]) -> None:
    path = journal_path(campaign["results"])
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX rows_message_id")
        conn.execute("DROP INDEX rows_phone")
        conn.execute("ALTER TABLE rows DROP COLUMN locale")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    [c] = report_of(campaign).campaigns
    assert c.total["delivered"] == 4 and list(c.by_locale) == [None]
    assert "predates" in c.notes[0]


def test_watch_rewrites_the_file_until_ctrl_c(campaign: dict[str, Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import compiler.commands.report as command

    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 1:  # a callback arrives between two refreshes
            store_callbacks(campaign["db"], "whatsapp", [status("m6", "read", T + 7)])
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr(command.time, "sleep", nap)
    out = tmp_path / "report.html"
    done = msgc(["report", str(campaign["results"]), "--events", str(campaign["db"]),
                 "--format", "html", "-o", str(out), "--watch", "--interval", "5"])
    assert done.code == 0 and naps == [5.0, 5.0]
    page = out.read_text("utf-8")
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "5 (83%)" in page  # delivered after the refresh: rows 1, 2, 4, 5 and now 6


def test_the_webhook_never_waits_long_for_a_report(campaign: dict[str, Path]) -> None:
    # linking runs in short statements: the webhook's writer gets the database in between
    writer = EventWriter(campaign["db"])
    writer.start()
    try:
        report_of(campaign)
        assert writer.alive and writer.last_error is None
    finally:
        writer.close()


def test_links_name_the_campaign_row_recipient_and_locale(campaign: dict[str, Path]) -> None:
    report_of(campaign)
    with sqlite3.connect(campaign["db"]) as conn:
        found = conn.execute(
            "SELECT e.message_id, e.status, c.name, l.row, l.phone, l.locale, l.via "
            "FROM links l JOIN events e ON e.id = l.event_id JOIN campaigns c "
            "ON c.id = l.campaign_id WHERE e.message_id = 'm2' ORDER BY e.id").fetchall()
    assert found == [("m2", "read", "out.jsonl", 2, "79000000002", "ru", "id"),
                     ("m2", None, "out.jsonl", 2, "79000000002", "ru", "context")]
