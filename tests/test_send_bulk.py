"""`msgc send --recipients`: campaigns end to end through real sockets against the fake:
bad rows, concurrency, rate limit, the fault matrix with and without --resume (every row
accounted for once in the results, never accepted twice), dedupe and journal safety."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from send_support import (
    assert_no_secrets,
    fake_servers,
    msgc,
    phones,
    read_results,
    write_csv,
    write_spec,
)

from compiler.sending.fake_server import Faults

_fake = pytest.fixture(name="fake")(fake_servers)

TEXT = {"text": "Hi {{ name }}"}


def campaign(tmp_path: Path, server: Any, *extra: str, recipients: str = "r.csv",
             provider: str = "whatsapp", spec: Path | None = None) -> Any:
    spec = spec or write_spec(tmp_path, TEXT, provider)
    return msgc(["send", str(spec), "-p", provider, "--recipients", recipients,
                 "--results", "out.jsonl", "--base-url", server.base_url,
                 "--backoff", "0.005", *extra], cwd=tmp_path)


def check_accounting(tmp_path: Path, rows: int) -> list[dict[str, Any]]:
    """Exactly one result line per row; returns them."""
    results = read_results(tmp_path / "out.jsonl")
    assert sorted(r["row"] for r in results) == list(range(1, rows + 1))
    return results


def secrets_clean(tmp_path: Path, *runs: Any) -> None:
    assert_no_secrets(*(r.stdout + r.stderr for r in runs),
                      files=(tmp_path / "out.jsonl", tmp_path / "out.jsonl.journal.sqlite3"))


def test_a_campaign_with_bad_rows(fake: Any, tmp_path: Path) -> None:
    server = fake()
    rows = [[p, f"Name {i}"] for i, p in enumerate(phones(60))]
    rows[9] = ["12ab", "bad phone"]
    rows[19] = ["79009999999"]  # ragged
    write_csv(tmp_path / "r.csv", ["phone", "name"], rows)
    run = campaign(tmp_path, server, "--concurrency", "8")
    assert run.code == 1
    assert "r.csv:11: error: row 10: phone '12ab' is not a phone number" in run.stderr
    assert "r.csv:21: error: row 20: the row has 1 fields; the header has 2" in run.stderr
    assert run.stdout.startswith("58 sent, 2 invalid of 60 rows")
    results = check_accounting(tmp_path, 60)
    by_row = {r["row"]: r for r in results}
    assert by_row[10]["status"] == by_row[20]["status"] == "invalid"
    assert by_row[10]["code"] == "recipients-bad-phone"
    sent = [r for r in results if r["status"] == "sent"]
    assert len(sent) == 58 and all(r["message_id"] for r in sent)
    accepted = server.accepted_by_phone()
    assert len(accepted) == 58 and set(accepted.values()) == {1}
    assert {r.payload["text"]["body"] for r in server.received()} == {
        f"Hi Name {i}" for i in range(60) if i not in (9, 19)}
    secrets_clean(tmp_path, run)


def test_a_row_that_breaks_the_spec_is_invalid_and_located(fake: Any, tmp_path: Path) -> None:
    server = fake()
    spec = write_spec(tmp_path, TEXT, "viber", settings={"rate_type": "Transactional"},
                      variables={"name": {"example": "Ann", "max_length": 5}})
    write_csv(tmp_path / "r.csv", ["phone", "name"],
              [["79000000001", "Ann"], ["79000000002", "Alexandra"]])
    run = campaign(tmp_path, server, spec=spec, provider="viber")
    assert run.code == 1
    assert "r.csv:3: error: (viber) row 2:" in run.stderr and "max_length 5" in run.stderr
    assert server.accepted_by_phone() == {"79000000001": 1}
    assert [r["status"] for r in sorted(check_accounting(tmp_path, 2),
                                        key=lambda r: r["row"])] == ["sent", "invalid"]


def test_jsonl_campaign_with_locales(fake: Any, tmp_path: Path) -> None:
    server = fake()
    spec = tmp_path / "spec.yaml"
    spec.write_text("variables:\n  name: {example: Ann}\n  n: {type: integer, example: 1}\n"
                    "message:\n  text: 'Hi {{ name }} #{{ n }}'\n"
                    "locales:\n  ru:\n    message:\n      text: 'Привет {{ name }} #{{ n }}'\n"
                    "targets:\n  whatsapp: {}\n", "utf-8")
    (tmp_path / "r.jsonl").write_text(
        '{"phone": "79000000001", "name": "Ann", "n": 1}\n'
        '{"phone": "79000000002", "name": "Бо", "n": 2, "locale": "ru"}\n'
        '{"phone": "79000000003", "name": "Cy", "n": "three"}\n'
        '{"phone": "79000000004", "name": "Dee", "n": 4, "locale": "xx"}\n', "utf-8")
    run = campaign(tmp_path, server, recipients="r.jsonl", spec=spec)
    assert run.code == 1
    assert sorted(r.payload["text"]["body"] for r in server.received()) == [
        "Hi Ann #1", "Привет Бо #2"]
    assert "r.jsonl:3: error: (whatsapp) row 3:" in run.stderr and "integer" in run.stderr
    assert "r.jsonl:4: error: (whatsapp) row 4:" in run.stderr and "locale 'xx'" in run.stderr
    assert [r["status"] for r in sorted(check_accounting(tmp_path, 4), key=lambda r: r["row"])
            ] == ["sent", "sent", "invalid", "invalid"]


def test_concurrency_is_bounded(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(slow_rate=1.0, slow_ms=40, seed=1))
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "A"] for p in phones(40)])
    started = time.monotonic()
    run = campaign(tmp_path, server, "--concurrency", "5")
    elapsed = time.monotonic() - started
    assert run.code == 0, run.output
    assert 2 <= server.max_in_flight <= 5
    assert elapsed >= 40 / 5 * 0.040 * 0.9  # could not have gone faster


def test_rate_limit_is_respected(fake: Any, tmp_path: Path) -> None:
    server = fake()
    rate, rows = 50, 40
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "A"] for p in phones(rows)])
    run = campaign(tmp_path, server, "--concurrency", "16", "--rate", str(rate))
    assert run.code == 0, run.output
    times = sorted(r.time for r in server.received())
    burst = rate / 10  # the bucket's default burst
    # The campaign cannot have gone faster than the rate allows. (How the requests were
    # spread within it is the bucket's, tested with a fake clock in test_send_client.py:
    # the times the fake server saw them bunch up whenever the machine is busy.)
    assert times[-1] - times[0] >= (rows - burst) / rate * 0.9


@pytest.mark.parametrize("faults", [
    Faults(fail_rate=0.3, seed=11),
    Faults(accept_then_fail_rate=0.3, seed=17),
    Faults(rate_limit_rate=0.3, seed=12),
    Faults(drop_rate=0.2, seed=13),
    Faults(garbage_rate=0.2, seed=14),
    Faults(lose_answer_rate=0.2, seed=15),
    Faults(fail_rate=0.1, rate_limit_rate=0.1, drop_rate=0.05, garbage_rate=0.05,
           lose_answer_rate=0.05, accept_then_fail_rate=0.05, slow_rate=0.1, slow_ms=30,
           seed=16),
], ids=["5xx", "accept-then-5xx", "429", "drop", "garbage", "lost-answer", "mixed"])
def test_fault_matrix_with_resume(fake: Any, tmp_path: Path, faults: Faults) -> None:
    server = fake(faults)
    rows = 80
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "A"] for p in phones(rows)])
    first = campaign(tmp_path, server, "--concurrency", "8", "--retries", "8")
    results = check_accounting(tmp_path, rows)
    statuses = Counter(r["status"] for r in results)
    assert set(statuses) <= {"sent", "unknown"}
    accepted = server.accepted_by_phone()
    assert max(accepted.values()) == 1  # never twice
    assert first.code == (1 if statuses["unknown"] else 0)
    for r in results:
        if r["status"] == "sent":
            assert accepted[r["phone"]] == 1
    if statuses["unknown"]:
        assert "may or may not have been delivered" in first.stderr
    # --resume: nothing is resent, the unknowns stay listed, the file is unchanged in content.
    requests = server.stats["requests"]
    again = campaign(tmp_path, server, "--resume")
    assert server.stats["requests"] == requests
    assert sorted(map(json.dumps, check_accounting(tmp_path, rows))) == sorted(
        map(json.dumps, results))
    assert again.code == first.code
    # --resend-unknown, against a healthy provider now: each unknown row is sent once more.
    server.faults = Faults(seed=1)
    unknown = {r["phone"] for r in results if r["status"] == "unknown"}
    last = campaign(tmp_path, server, "--resume", "--resend-unknown")
    assert last.code == 0, last.output
    final = check_accounting(tmp_path, rows)
    assert {r["status"] for r in final} == {"sent"}
    after = server.accepted_by_phone()
    assert server.stats["requests"] == requests + len(unknown)
    for phone in unknown:  # a lost answer had been accepted: its resend is the duplicate
        assert after[phone] == accepted[phone] + 1
    secrets_clean(tmp_path, first, again, last)


def test_a_gateway_error_after_acceptance_never_sends_twice(fake: Any, tmp_path: Path) -> None:
    """D2: 10 recipients whose gateway answers 502/504 after accepting each message: 10
    accepted (not 20), 10 rows unknown, listed in the summary."""
    server = fake(Faults(accept_then_fail_rate=1.0, seed=3))
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "A"] for p in phones(10)])
    run = campaign(tmp_path, server, "--retries", "4")
    assert run.code == 1
    assert server.stats["requests"] == 10 and server.accepted == 10
    assert set(server.accepted_by_phone().values()) == {1}
    results = check_accounting(tmp_path, 10)
    assert {r["status"] for r in results} == {"unknown"}
    assert {r["code"] for r in results} <= {"HTTP 502", "HTTP 504"}
    assert "10 rows may or may not have been delivered" in run.stderr


def test_dedupe(fake: Any, tmp_path: Path) -> None:
    server = fake()
    write_csv(tmp_path / "r.csv", ["phone", "name"],
              [["79000000001", "A"], ["+7 900 000-00-01", "B"], ["79000000002", "C"]])
    run = campaign(tmp_path, server, "--dedupe")
    assert run.code == 0, run.output
    assert "row 2: phone 79000000001 is also on row 1: skipped" in run.stderr
    assert server.accepted_by_phone() == {"79000000001": 1, "79000000002": 1}
    skipped = [r for r in check_accounting(tmp_path, 3) if r["status"] == "skipped"]
    assert [r["row"] for r in skipped] == [2]


def test_duplicates_are_sent_with_a_warning_without_dedupe(fake: Any, tmp_path: Path) -> None:
    server = fake()
    write_csv(tmp_path / "r.csv", ["phone", "name"], [["79000000001", "A"],
                                                      ["79000000001", "B"]])
    run = campaign(tmp_path, server)
    assert run.code == 0 and "warning: row 2: phone 79000000001 is also on row 1" in run.stderr
    assert server.accepted_by_phone() == {"79000000001": 2}


def test_unknown_column_stops_the_campaign_up_front(fake: Any, tmp_path: Path) -> None:
    server = fake()
    write_csv(tmp_path / "r.csv", ["phone", "nmae"], [["79000000001", "A"]])
    run = campaign(tmp_path, server)
    assert run.code == 1 and "did you mean 'name'?" in run.stderr
    assert server.stats["requests"] == 0 and not (tmp_path / "out.jsonl").exists()
    ok = campaign(tmp_path, server, "--ignore-extra-columns", "--var", "name=Shared")
    assert ok.code == 0 and server.received()[0].payload["text"]["body"] == "Hi Shared"


def test_journal_guards(fake: Any, tmp_path: Path) -> None:
    server = fake()
    write_csv(tmp_path / "r.csv", ["phone", "name"], [["79000000001", "A"]])
    nothing = campaign(tmp_path, server, "--resume")
    assert nothing.code == 2 and "nothing to resume" in nothing.stderr
    assert campaign(tmp_path, server).code == 0
    twice = campaign(tmp_path, server)
    assert twice.code == 2 and "already started" in twice.stderr and "--resume" in twice.stderr
    write_csv(tmp_path / "r.csv", ["phone", "name"], [["79000000001", "A"],
                                                      ["79000000002", "B"]])
    changed = campaign(tmp_path, server, "--resume")
    assert changed.code == 2 and "recipients file has changed" in changed.stderr
    assert server.stats["requests"] == 1
    flag = campaign(tmp_path, server, "--resend-unknown")
    assert flag.code == 2 and "--resend-unknown needs --resume" in flag.stderr


def test_results_lost_by_a_crash_are_rebuilt_on_resume(fake: Any, tmp_path: Path) -> None:
    server = fake()
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "A"] for p in phones(10)])
    assert campaign(tmp_path, server).code == 0
    out = tmp_path / "out.jsonl"
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:4]) + lines[4][:10])  # lost lines and a torn one
    again = campaign(tmp_path, server, "--resume")
    assert again.code == 0 and server.stats["requests"] == 10
    assert len(check_accounting(tmp_path, 10)) == 10


def test_dry_run_campaign_sends_and_writes_nothing(fake: Any, tmp_path: Path) -> None:
    server = fake()
    write_csv(tmp_path / "r.csv", ["phone", "name"], [["79000000001", "A"], ["1", "B"]])
    spec = write_spec(tmp_path, TEXT, "whatsapp")
    run = msgc(["send", str(spec), "-p", "whatsapp", "--recipients", "r.csv", "--dry-run",
                "--base-url", server.base_url], cwd=tmp_path)
    assert run.code == 1 and "dry run: 1 row ready, 1 invalid; nothing was sent" in run.stdout
    assert "Sign: ***" in run.stdout and "Api-Key: ***" in run.stdout
    assert server.stats["requests"] == 0 and list(tmp_path.glob("out.jsonl*")) == []
    assert_no_secrets(run.stdout, run.stderr)


def test_journal_states(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(lose_answer_rate=1.0, seed=1))
    write_csv(tmp_path / "r.csv", ["phone", "name"], [["79000000001", "A"], ["x", "B"]])
    campaign(tmp_path, server)
    db = sqlite3.connect(tmp_path / "out.jsonl.journal.sqlite3")
    assert dict(db.execute("SELECT row, state FROM rows")) == {1: "unknown", 2: "invalid"}
    meta = dict(db.execute("SELECT key, value FROM meta"))
    assert meta["provider"] == "whatsapp" and len(meta["recipients_sha256"]) == 64


def test_verbose_campaign_logs_retries_and_unknowns(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(fail_rate=0.3, fail_statuses=(503,), lose_answer_rate=0.1, seed=21))
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "A"] for p in phones(30)])
    run = campaign(tmp_path, server, "-v", "--retries", "8")
    assert "row " in run.stderr and "retrying in" in run.stderr
    assert ": unknown: the connection failed after the request was sent" in run.stderr
    secrets_clean(tmp_path, run)


def test_progress_line(fake: Any, tmp_path: Path) -> None:
    from compiler.sending.progress import Progress

    progress = Progress(1000, enabled=True)
    progress.line({"sent": 0}, 0, now=progress.started)
    line = progress.line({"sent": 90, "failed": 10, "unknown": 2}, 500,
                         now=progress.started + 10)
    assert line == "sent 90 | failed 10 | unknown 2 | 10/s | 50% | ETA 0:10"
    server = fake()
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "A"] for p in phones(300)])
    run = campaign(tmp_path, server, "--progress", "--rate", "600")
    assert run.code == 0 and "\rsent " in run.stderr and "| ETA " in run.stderr


def dry_run(tmp_path: Path, server: Any, recipients: str = "r.csv") -> Any:
    spec = write_spec(tmp_path, TEXT, "whatsapp")
    return msgc(["send", str(spec), "-p", "whatsapp", "--recipients", recipients,
                 "--dry-run", "--base-url", server.base_url], cwd=tmp_path)


@pytest.mark.parametrize("dry", [False, True], ids=["send", "dry-run"])
@pytest.mark.parametrize(("content", "where"), [
    (b"phone,name\n79000000001,Ann\n79000000002,B\xe9a\n", "r.csv:3: error: not UTF-8 at "
     "byte 41 (0xe9, byte 14 of the line); save the file as UTF-8 [recipients-encoding]"),
    ("phone,name\n79000000001,Ann\n".encode("utf-16"), "r.csv:1: error: the file is UTF-16"),
], ids=["latin-1", "utf-16"])
def test_a_file_that_is_not_utf8_is_exit_2_and_nothing_is_sent(
        fake: Any, tmp_path: Path, dry: bool, content: bytes, where: str) -> None:
    """D5: a located error and exit 2, never `internal error: UnicodeDecodeError`."""
    server = fake()
    (tmp_path / "r.csv").write_bytes(content)
    run = dry_run(tmp_path, server) if dry else campaign(tmp_path, server)
    assert run.code == 2, run.output
    assert where in run.stderr and "internal error" not in run.output
    assert server.stats["requests"] == 0 and list(tmp_path.glob("out.jsonl*")) == []


@pytest.mark.parametrize("dry", [False, True], ids=["send", "dry-run"])
def test_an_unbalanced_quote_stops_the_file_before_anything_is_sent(
        fake: Any, tmp_path: Path, dry: bool) -> None:
    """D7: 5 recipients, a quote opened on line 3 never closes: not "1 row ready, 1
    invalid" but an error at line 3; nothing is sent."""
    server = fake()
    (tmp_path / "r.csv").write_text('phone,name\n79000000001,Ann\n79000000002,"Bo\n'
                                    '79000000003,Cy\n79000000004,Di\n79000000005,Ed\n')
    run = dry_run(tmp_path, server) if dry else campaign(tmp_path, server)
    assert run.code == 2, run.output
    assert "r.csv:3: error: a quote opened on line 3 is never closed" in run.stderr
    assert "row ready" not in run.stdout and server.stats["requests"] == 0


def test_a_csv_error_deep_in_the_file_is_found_before_the_first_message(
        fake: Any, tmp_path: Path) -> None:
    """D6: a CSV error at row 300 used to surface mid-campaign (`internal error:
    ExceptionGroup`, rows left in flight); the whole file is checked first now."""
    server = fake()
    rows = [[p, "A"] for p in phones(400)]
    write_csv(tmp_path / "r.csv", ["phone", "name"], rows)
    text = (tmp_path / "r.csv").read_text().splitlines(keepends=True)
    text[301] = '79000000999,"x"y\n'
    (tmp_path / "r.csv").write_text("".join(text))
    run = campaign(tmp_path, server, "--concurrency", "16")
    assert run.code == 2, run.output
    assert "r.csv:302: error: a quoted field opened on line 302 closes on line 302" \
        in run.stderr
    assert server.stats["requests"] == 0 and not (tmp_path / "out.jsonl").exists()


def test_a_file_that_changes_mid_campaign_stops_it_cleanly(fake: Any, tmp_path: Path,
                                                           monkeypatch: Any) -> None:
    """D6: an error found while reading (the file changed under the campaign): the located
    error, the requests in flight finish and are recorded, exit 2, and --resume refuses
    the changed file, saying so."""
    from compiler.sending import recipients

    server = fake(Faults(slow_rate=1.0, slow_ms=30, seed=2))
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "A"] for p in phones(60)])
    real = recipients.RecipientsFile._csv_rows

    def breaks_at_row_40(self: Any) -> Any:
        for rec in real(self):
            if rec.row == 40:
                raise self._changed("recipients-csv", "bad CSV (boom)", rec.line)
            yield rec
    monkeypatch.setattr(recipients.RecipientsFile, "_csv_rows", breaks_at_row_40)
    run = campaign(tmp_path, server, "--concurrency", "16")
    assert run.code == 2, run.output
    assert "r.csv:41: error: bad CSV (boom): the file changed after it was checked" in run.stderr
    assert "--resume refuses a changed file" in run.stderr
    results = read_results(tmp_path / "out.jsonl")
    sent = sorted(r["row"] for r in results)
    assert sent and sent == list(range(1, len(sent) + 1)) and len(sent) < 40
    assert {r["status"] for r in results} == {"sent"}
    db = sqlite3.connect(tmp_path / "out.jsonl.journal.sqlite3")
    assert dict(db.execute("SELECT state, count(*) FROM rows GROUP BY state")) == {
        "sent": len(sent)}  # every request that left finished and was recorded
    db.close()
    assert server.accepted == len(sent) and set(server.accepted_by_phone().values()) == {1}
    monkeypatch.undo()
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, "B"] for p in phones(60)])
    again = campaign(tmp_path, server, "--resume")
    assert again.code == 2 and "the recipients file has changed since it started" in again.stderr
    assert server.stats["requests"] == len(sent)


def test_dedupe_counts_only_rows_that_are_sent(fake: Any, tmp_path: Path) -> None:
    """D8: an invalid row does not make a later valid row with its phone a repeat."""
    server = fake()
    spec = write_spec(tmp_path, TEXT, "whatsapp",
                      variables={"name": {"example": "Ann", "max_length": 5}})
    write_csv(tmp_path / "r.csv", ["phone", "name"],
              [["79000000001", "Alexandra"], ["79000000001", "Ann"], ["79000000001", "Bo"]])
    run = campaign(tmp_path, server, "--dedupe", spec=spec)
    assert run.code == 1, run.output
    assert server.accepted_by_phone() == {"79000000001": 1}
    assert [server.received()[0].payload["text"]["body"]] == ["Hi Ann"]
    by_row = {r["row"]: r for r in check_accounting(tmp_path, 3)}
    assert [by_row[i]["status"] for i in (1, 2, 3)] == ["invalid", "sent", "skipped"]
    assert "row 3: phone 79000000001 is also on row 2: skipped" in run.stderr
