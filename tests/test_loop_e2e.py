"""The whole loop, offline: ``msgc send`` campaigns through the fake provider, which posts
receipts and replies (delayed, duplicated, out of order) to ``msgc webhook``'s server, then
``msgc report`` - checked against the fake's own record of what it made happen. Also:
``--skip-closed-sessions`` sends only to recipients who wrote in the last 24 hours, and the
fake pushes a callback again until the webhook takes it."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from send_support import SECRETS, msgc, phones, read_results, write_csv, write_spec
from tracking_support import webhooks

from compiler.sending.fake_callbacks import CallbackPlan
from compiler.sending.fake_server import FakeServer, Faults
from compiler.tracking.store import EventWriter

_webhook = pytest.fixture(name="webhook")(webhooks)

WA_MESSAGE = {"text": "Hi {{ name }}, are you coming?",
              "buttons": [{"title": "Yes", "id": "yes"}, {"title": "No", "id": "no"}]}
WA_LOCALES = {"ru": {"message": {"text": "Привет, {{ name }}! Придёте?", "buttons": [
    {"title": "Да", "id": "yes"}, {"title": "Нет", "id": "no"}]}}}
VB_MESSAGE = {"text": "Pick a time, {{ name }}", "choices": ["Morning", "Evening"]}


@pytest.fixture
def servers(tmp_path: Path, webhook: Any) -> Any:
    hook = webhook(tmp_path / "events.sqlite3")
    plan = CallbackPlan(hook.hooks(), delivered_rate=0.8, read_rate=0.6, reply_rate=0.7,
                        expired_rate=0.5, duplicate_rate=0.3, out_of_order_rate=0.3,
                        delay_ms=15, seed=11)
    fake = FakeServer(SECRETS, Faults(seed=1), callbacks=plan)
    fake.start()
    yield hook, fake
    fake.stop()


def campaign(tmp_path: Path, fake: FakeServer, provider: str, name: str, numbers: list[str],
             *extra: str, locales: bool = False) -> Path:
    if provider == "whatsapp":
        spec = write_spec(tmp_path, WA_MESSAGE, name=f"{name}.yaml",
                          targets={"whatsapp": {}}, variables={"name": {"example": "Ann"}})
        text = spec.read_text("utf-8") + "locales:\n" + "".join(
            f"  {k}:\n    message:\n      text: {json.dumps(v['message']['text'])}\n"
            f"      buttons: {json.dumps(v['message']['buttons'], ensure_ascii=False)}\n"
            for k, v in WA_LOCALES.items())
        spec.write_text(text, "utf-8")
    else:
        spec = write_spec(tmp_path, VB_MESSAGE, "viber", name=f"{name}.yaml")
    rows = [[p, f"N{i}", "ru" if locales and i % 3 == 0 else ""]
            for i, p in enumerate(numbers)]
    recipients = write_csv(tmp_path / f"{name}.csv", ["phone", "name", "locale"], rows)
    results = tmp_path / f"{name}.jsonl"
    done = msgc(["send", str(spec), "-p", provider, "--recipients", str(recipients),
                 "--results", str(results), "--base-url", fake.base_url, "--events",
                 str(tmp_path / "events.sqlite3"), *extra])
    assert done.code == 0, done.output
    return results


def expected(fake: FakeServer, provider: str) -> dict[str, Any]:
    assert fake.callbacks is not None
    fates = [f for f in fake.callbacks.fates() if f.provider == provider]
    outcomes = Counter(f.outcome for f in fates)
    return {
        "sent": len(fates),
        "delivered": outcomes["delivered"] + outcomes["read"], "read": outcomes["read"],
        "failed": outcomes["failed"], "expired": outcomes["expired"], "awaiting": 0,
        "replies": Counter((f.reply_id, f.reply_title) for f in fates if f.replied)}


def test_send_callbacks_report(tmp_path: Path, servers: Any) -> None:
    hook, fake = servers
    wa = campaign(tmp_path, fake, "whatsapp", "wa", phones(40), locales=True)
    vb = campaign(tmp_path, fake, "viber", "vb", phones(20, start=100))
    assert fake.settle_callbacks(60)
    posted = fake.callbacks.posted()
    assert posted and all(p.acknowledged for p in posted)
    assert any(p.duplicate for p in posted)

    done = msgc(["report", str(wa), str(vb), "--events", str(tmp_path / "events.sqlite3"),
                 "--format", "json"])
    assert done.code == 0, done.output
    report = json.loads(done.stdout)
    by_target = {c["target"]: c for c in report["campaigns"]}
    for target in ("whatsapp", "viber"):
        want, got = expected(fake, target), by_target[target]
        for column in ("sent", "delivered", "read", "failed", "expired", "awaiting"):
            assert got["funnel"][column] == want[column], (target, column)
        assert Counter({(r["id"], r["title"]): r["count"] for r in got["replies"]}) \
            == want["replies"], target
        assert got["times"]["delivered"]["count"] == want["delivered"]
        assert got["funnel"]["rows"] == got["funnel"]["sent"]
    assert by_target["viber"]["funnel"]["expired"] > 0  # NXCloud reports expiry
    assert by_target["whatsapp"]["funnel"]["expired"] == 0  # ITNIO does not
    ru = next(x for x in by_target["whatsapp"]["by_locale"] if x["locale"] == "ru")
    assert ru["funnel"]["rows"] == 14
    assert report["orphans"] == {}
    assert report["duplicates_received"] == sum(p.duplicate for p in posted)
    with sqlite3.connect(tmp_path / "events.sqlite3") as conn:
        unique = {(p.provider, p.message_id, p.kind, p.status) for p in posted}
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == len(unique)
    assert not hook.log.requests() or all(r["status"] == 200 for r in hook.log.requests())

    # Only the recipients who wrote (replied) in the last 24 hours are sent a second message.
    replied = {f.phone for f in fake.callbacks.fates() if f.replied and f.provider == "whatsapp"}
    before = len(fake.received())
    again = campaign(tmp_path, fake, "whatsapp", "wa2", phones(40), "--skip-closed-sessions",
                     locales=True)
    fresh = fake.received()[before:]
    assert {r.phone for r in fresh} == replied
    skipped = [r for r in read_results(again) if r["status"] == "skipped"]
    assert len(skipped) == 40 - len(replied)
    assert all(r["code"] == "session-closed" and "24 h" in r["error"] for r in skipped)


def test_the_fake_pushes_again_until_the_webhook_takes_it(
        tmp_path: Path, webhook: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = webhook(tmp_path / "events.sqlite3")
    failures = iter(range(3))
    original = EventWriter._apply

    def flaky(self: EventWriter, conn: Any, item: Any) -> Any:
        if item.events is not None and next(failures, None) is not None:
            raise sqlite3.OperationalError("database is locked")
        return original(self, conn, item)

    monkeypatch.setattr(EventWriter, "_apply", flaky)
    plan = CallbackPlan(hook.hooks(), delivered_rate=1.0, read_rate=0.0, delay_ms=5,
                        retry_scale=0.001, seed=3)
    fake = FakeServer(SECRETS, Faults(seed=1), callbacks=plan)
    fake.start()
    try:
        campaign(tmp_path, fake, "whatsapp", "wa", phones(2))
        assert fake.settle_callbacks(30)
        posted = fake.callbacks.posted()
    finally:
        fake.stop()
    refused = [p for p in posted if not p.acknowledged]
    # three failed writes; a write can hold two callbacks, which then both get the 503
    assert 3 <= len(refused) <= 6 and {p.http_status for p in refused} == {503}
    assert any(p.attempt > 1 and p.acknowledged for p in posted)
    taken = {(p.message_id, p.status) for p in posted if p.acknowledged}
    assert len(taken) == 4  # sent + delivered for each message, every one stored
    with sqlite3.connect(tmp_path / "events.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 4


def test_reports_while_the_campaign_runs(tmp_path: Path, webhook: Any) -> None:
    """The report reads the journal of a running ``msgc send`` (another process, holding
    its campaign lock and writing with fsync) over and over: both go on undisturbed."""
    import subprocess
    import time

    from send_support import msgc_command, subprocess_env

    from compiler.sending.journal import journal_path
    from compiler.tracking.funnel import build
    from compiler.tracking.matching import campaign_of
    from compiler.tracking.store import EventsDB

    hook = webhook(tmp_path / "events.sqlite3")
    plan = CallbackPlan(hook.hooks(), delay_ms=5, seed=2)
    fake = FakeServer(SECRETS, Faults(seed=1, slow_rate=1.0, slow_ms=40), callbacks=plan)
    fake.start()
    spec = write_spec(tmp_path, {"text": "Hi {{ name }}"}, "whatsapp")
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "N"] for p in phones(80)])
    results = tmp_path / "out.jsonl"
    try:
        proc = subprocess.Popen([*msgc_command(), "send", str(spec), "-p", "whatsapp",
                                 "--recipients", "r.csv", "--results", str(results),
                                 "--base-url", fake.base_url, "--concurrency", "4",
                                 "--events", "events.sqlite3"], cwd=tmp_path,
                                env=subprocess_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        seen: list[int] = []
        with EventsDB.open(tmp_path / "events.sqlite3") as db:
            while not journal_path(results).exists():
                time.sleep(0.01)
            ref = campaign_of(results, journal_path(results))
            ref = db.register(results, ref.journal, ref.provider)
            while proc.poll() is None:
                seen.append(build(db, [ref]).campaigns[0].total["sent"])
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert fake.settle_callbacks(30)
            final = build(db, [ref]).campaigns[0].total
    finally:
        fake.stop()
    assert len(seen) >= 2 and seen == sorted(seen) and seen[-1] <= 80
    assert (final["rows"], final["sent"], final["awaiting"]) == (80, 80, 0)


def test_the_commands_end_to_end(tmp_path: Path) -> None:
    """`msgc webhook` and `msgc fake-server --callback-url` as processes, as the README
    shows them."""
    import os
    import signal
    import subprocess
    import time

    from send_support import assert_no_secrets, msgc_command, subprocess_env
    from tracking_support import TOKEN

    env = subprocess_env({"MSGC_WEBHOOK_TOKEN": TOKEN})
    # The webhook logs a line per callback: to a file, as a pipe nobody reads during the
    # run could fill up and stall it.
    with (tmp_path / "webhook.log").open("w") as hook_log:
        hook = subprocess.Popen([*msgc_command(), "webhook", "--db", "events.sqlite3",
                                 "--port", "0"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=hook_log, text=True)
    assert hook.stdout is not None
    url = f"http://127.0.0.1:{int(hook.stdout.readline())}/hooks/{TOKEN}"
    fake = subprocess.Popen([*msgc_command(), "fake-server", "--port", "0", "--callback-url",
                             url, "--callback-delay-ms", "5", "--read-rate", "1",
                             "--delivered-rate", "1", "--duplicate-callback-rate", "0.5",
                             "--seed", "4", "--callback-record", "callbacks.jsonl"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert fake.stdout is not None
    base = f"http://127.0.0.1:{int(fake.stdout.readline())}"
    try:
        spec = write_spec(tmp_path, VB_MESSAGE, "viber")
        write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "N"] for p in phones(10)])
        done = msgc(["send", str(spec), "-p", "viber", "--recipients", "r.csv", "--results",
                     "out.jsonl", "--base-url", base, "--events", "events.sqlite3"],
                    cwd=tmp_path)
        assert done.code == 0, done.output
        deadline = time.monotonic() + 30
        while True:
            report = json.loads(msgc(["report", "out.jsonl", "--events", "events.sqlite3",
                                      "--format", "json"], cwd=tmp_path).stdout)
            if report["campaigns"][0]["funnel"]["read"] == 10:
                break
            assert time.monotonic() < deadline, report
            time.sleep(0.1)
    finally:
        for proc in (fake, hook):
            os.kill(proc.pid, signal.SIGTERM)
        _, fake_err = fake.communicate(timeout=30)
        hook.communicate(timeout=30)
        hook_err = (tmp_path / "webhook.log").read_text(encoding="utf-8")
    assert fake.returncode == 0 and hook.returncode == 0, fake_err + hook_err
    assert re.search(r"(\d+) callbacks posted, \1 taken by the webhook", fake_err), fake_err
    posts = [json.loads(line) for line in (tmp_path / "callbacks.jsonl").read_text(
        "utf-8").splitlines()]
    assert posts and all(p["acknowledged"] for p in posts)
    assert_no_secrets(fake_err, hook_err, files=(tmp_path / "callbacks.jsonl",
                                                 tmp_path / "events.sqlite3"))
    assert TOKEN not in hook_err and TOKEN not in fake_err


def test_a_bad_callback_url_is_a_usage_error(tmp_path: Path) -> None:
    done = msgc(["fake-server", "--callback-url", "ftp://x"])
    assert done.code == 2 and "not an http(s) URL" in done.stderr
    done = msgc(["fake-server", "--callback-record", "x.jsonl"])
    assert done.code == 2 and "needs --callback-url" in done.stderr
