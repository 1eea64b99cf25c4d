"""``msgc send`` and the events database: the session window at its boundary (N and N+1),
the flags' usage errors, the dry run's count, the campaign recorded for ``msgc report``, and
a journal of the previous schema (no locale) resumed: migrated, nothing sent twice."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from send_support import fake_servers, msgc, phones, read_results, write_csv, write_spec
from tracking_support import store_callbacks

from compiler import providers
from compiler.sending.journal import SCHEMA_VERSION, journal_path
from compiler.tracking.sessions import SessionWindows
from compiler.tracking.store import EventsDB

_fake = pytest.fixture(name="fake")(fake_servers)
DAY = 24 * 3600
L = 1_700_000_000.5


def inbound(n: int, phone: str, at: float, business: str | None = "12025550100"
            ) -> dict[str, Any]:
    return {"eventType": "up-message-event", "messageId": f"in-{n}", "timestamp": at,
            "businessPhone": business, "from": {"phone": phone},
            "message": {"type": "text", "text": {"body": "hi"}}}


@pytest.fixture
def events(tmp_path: Path) -> Path:
    db = tmp_path / "events.sqlite3"
    store_callbacks(db, "whatsapp", [
        inbound(1, "79000000001", L),
        inbound(2, "79000000002", L, business="19995550000"),   # wrote to another number
        inbound(3, "79000000003", L, business=None),            # the event names none
    ], received=L + 5)
    return db


def windows(db: Path, now: float, account: str | None = "12025550100") -> SessionWindows:
    return SessionWindows(EventsDB.open(db), providers.get("whatsapp"), account,
                          clock=lambda: now)


def test_the_window_boundary(events: Path) -> None:
    assert windows(events, L + DAY - 0.001)("79000000001") is None
    closed = windows(events, L + DAY)("79000000001")
    assert closed is not None and "24.0 h ago" in closed and "within 24 h" in closed
    assert windows(events, L - 1)("79000000001") is None


def test_the_account_and_unknown_phones(events: Path) -> None:
    check = windows(events, L + 60)
    assert check("79000000002") is not None          # wrote to a different business number
    assert check("79000000003") is None              # the event did not say: it counts
    assert "no message from this recipient" in (check("79000000009") or "")
    assert windows(events, L + 60, account=None)("79000000002") is None


def test_viber_declares_no_window() -> None:
    with pytest.raises(ValueError):
        SessionWindows(EventsDB.scratch(), providers.get("viber"), None)


def _setup(tmp_path: Path, provider: str = "whatsapp", rows: int = 3) -> tuple[Path, Path]:
    spec = write_spec(tmp_path, {"text": "Hi {{ name }}"}, provider,
                      settings={"rate_type": "Transactional"} if provider == "viber" else {})
    recipients = write_csv(tmp_path / "r.csv", ["phone", "name"],
                           [[p, "N"] for p in phones(rows, start=1)])
    return spec, recipients


@pytest.mark.parametrize(("provider", "extra", "said"), [
    ("viber", ["--events", "events.sqlite3"], "does not refuse messages outside"),
    ("whatsapp", [], "needs the webhook's events database"),
    ("whatsapp", ["--events", "missing.sqlite3"], "there is no events database"),
])
def test_usage_errors(tmp_path: Path, events: Path, provider: str, extra: list[str],
                      said: str) -> None:
    spec, recipients = _setup(tmp_path, provider)
    done = msgc(["send", str(spec), "-p", provider, "--recipients", str(recipients),
                 "--results", "out.jsonl", "--skip-closed-sessions", *extra], cwd=tmp_path)
    assert done.code == 2 and said in done.stderr, done.output


def test_single_sends_have_no_session_check(tmp_path: Path) -> None:
    spec, _ = _setup(tmp_path)
    done = msgc(["send", str(spec), "-p", "whatsapp", "--to", "79000000001",
                 "--skip-closed-sessions"])
    assert done.code == 2 and "applies to campaigns" in done.stderr


def test_dry_run_counts_closed_sessions(tmp_path: Path, events: Path) -> None:
    spec, recipients = _setup(tmp_path)
    done = msgc(["send", str(spec), "-p", "whatsapp", "--recipients", str(recipients),
                 "--dry-run", "--events", str(events), "--skip-closed-sessions"])
    # the stored messages are from 2023: every window is closed by now
    assert done.code == 0 and "0 rows ready, 0 invalid, 3 with a closed session" in done.stdout


def test_the_campaign_is_recorded_for_report(tmp_path: Path, fake: Any, events: Path) -> None:
    server = fake()
    spec, recipients = _setup(tmp_path)
    done = msgc(["send", str(spec), "-p", "whatsapp", "--recipients", str(recipients),
                 "--results", str(tmp_path / "out.jsonl"), "--base-url", server.base_url,
                 "--events", str(events)])
    assert done.code == 0, done.output
    with EventsDB.open(events) as db:
        [known] = db.campaigns()
    assert (known.name, known.provider) == ("out.jsonl", "whatsapp")
    report = json.loads(msgc(["report", "--events", str(events), "--format", "json"]).stdout)
    assert report["campaigns"][0]["funnel"]["sent"] == 3


def test_a_schema_2_journal_is_migrated_on_resume(tmp_path: Path, fake: Any) -> None:
    server = fake()
    spec, recipients = _setup(tmp_path, rows=5)
    spec.write_text(spec.read_text("utf-8") + "locales:\n  ru:\n    message:\n"
                    "      text: \"Привет, {{ name }}\"\n", "utf-8")
    results = tmp_path / "out.jsonl"
    args = ["send", str(spec), "-p", "whatsapp", "--recipients", str(recipients),
            "--results", str(results), "--base-url", server.base_url, "-l", "ru"]
    assert msgc(args).code == 0
    # Make it the journal an older msgc left after a stop at row 3: schema 2, no locale.
    with sqlite3.connect(journal_path(results)) as conn:
        conn.execute("DROP INDEX rows_message_id")
        conn.execute("DROP INDEX rows_phone")
        conn.execute("ALTER TABLE rows DROP COLUMN locale")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
        conn.execute("DELETE FROM rows WHERE row > 3")
        conn.execute("DELETE FROM seen WHERE row > 3")
    kept = [line for line in results.read_text("utf-8").splitlines()
            if json.loads(line)["row"] <= 3]
    results.write_text("\n".join(kept) + "\n", "utf-8")
    before = len(server.received())
    done = msgc([*args, "--resume"])
    assert done.code == 0, done.output
    assert len(server.received()) - before == 2  # rows 4 and 5 only
    assert sorted(r["row"] for r in read_results(results)) == [1, 2, 3, 4, 5]
    with sqlite3.connect(journal_path(results)) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (
            str(SCHEMA_VERSION),)
        assert conn.execute("SELECT row, locale FROM rows ORDER BY row").fetchall() == [
            (1, None), (2, None), (3, None), (4, "ru"), (5, "ru")]
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE "
                                               "type = 'index'")}
        assert {"rows_message_id", "rows_phone"} <= indexes
