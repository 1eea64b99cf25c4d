"""Exactly once when two runs, a signal or the disk misbehave (issue 10): the campaign
lock, secrets kept out of every writer, a journal that survives losing its side files and
is cross-checked against the results file, damaged or half-created journals, Ctrl-C and
SIGTERM everywhere, and ``--retry-failed``.

Real ``msgc send`` subprocesses where signals and kills matter; the fake provider runs
in this process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from send_support import (
    SECRETS,
    assert_no_secrets,
    fake_servers,
    msgc,
    msgc_command,
    phones,
    read_results,
    run_subprocess,
    subprocess_env,
    write_csv,
    write_spec,
)

from compiler.sending.fake_server import Faults, Reject

_fake = pytest.fixture(name="fake")(fake_servers)

ROWS = 60
JOURNAL = "out.jsonl.journal.sqlite3"


def setup(tmp_path: Path, rows: int = ROWS) -> tuple[Path, list[str]]:
    spec = write_spec(tmp_path, {"text": "Hi {{ name }}"}, "whatsapp")
    numbers = phones(rows)
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, f"N{i}"] for i, p in
                                                      enumerate(numbers)])
    return spec, numbers


def args(spec: Path, url: str, *extra: str) -> list[str]:
    return ["send", str(spec), "-p", "whatsapp", "--recipients", "r.csv", "--results",
            "out.jsonl", "--base-url", url, "--concurrency", "4", "--backoff", "0.005",
            *extra]


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def start(cmd: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*msgc_command(), *cmd], cwd=cwd, env=subprocess_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def journal_states(tmp_path: Path) -> dict[int, str]:
    db = sqlite3.connect(tmp_path / JOURNAL)
    try:
        return dict(db.execute("SELECT row, state FROM rows"))
    finally:
        db.close()


def _recorded(states: dict[int, str]) -> bool:
    found = list(states.values())
    return found.count("sent") == 20 and found.count("in_flight") == 4


def held_campaign(fake: Any, tmp_path: Path) -> tuple[Any, Path, list[str],
                                                      subprocess.Popen[str]]:
    """A campaign with 20 messages accepted and 4 held in flight at the fake."""
    server = fake()
    spec, numbers = setup(tmp_path)
    server.hold_after(20)
    proc = start(args(spec, server.base_url), tmp_path)
    wait_for(lambda: server.accepted == 20 and server.held == 4)
    # The fake has answered 20 rows; wait until the sender has recorded them too, so that
    # what a test reads from the journal next no longer changes under it.
    wait_for(lambda: _recorded(journal_states(tmp_path)))
    return server, spec, numbers, proc


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)


# -- D1: one process per campaign -----------------------------------------------------------

def test_a_second_process_on_a_running_campaign_is_refused(fake: Any, tmp_path: Path) -> None:
    server, spec, _, first = held_campaign(fake, tmp_path)
    try:
        before = journal_states(tmp_path)
        requests = server.stats["requests"]
        for extra in ([], ["--resume"], ["--resume", "--resend-unknown"],
                      ["--resume", "--retry-failed"]):
            second = run_subprocess(args(spec, server.base_url, *extra), tmp_path)
            assert second.code == 2, (extra, second.stderr)
            assert "another msgc send is running this campaign" in second.stderr
            assert f"PID {first.pid} on host {socket.gethostname()}, started " in second.stderr
            assert "[campaign-locked]" in second.stderr
        assert server.stats["requests"] == requests  # the second process sent nothing
        assert journal_states(tmp_path) == before    # and wrote nothing
    finally:
        kill(first)
    wait_for(lambda: server.held == 0)  # the fake has dropped the dead sender's requests
    # The lock died with its holder: a resume goes ahead at once.
    server.hold_after(None)
    resumed = run_subprocess(args(spec, server.base_url, "--resume"), tmp_path)
    assert resumed.code == 1, resumed.stderr  # the 4 held rows are unknown
    accepted = server.accepted_by_phone()
    assert max(accepted.values()) == 1 and sum(accepted.values()) == ROWS - 4
    assert not (tmp_path / "out.jsonl.lock").exists()  # released at the end


def test_the_lock_is_an_os_lock_not_a_pid_file(tmp_path: Path) -> None:
    from compiler.diagnostics import MsgcError
    from compiler.sending.lock import CampaignLock

    results = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.lock").write_text('{"pid": 1, "host": "x", "started": 0}\n')
    with CampaignLock(results):  # a stale file is no lock
        with pytest.raises(MsgcError) as info:
            CampaignLock(results).acquire()
        assert f"PID {os.getpid()}" in info.value.diagnostics[0].message
    with CampaignLock(results):
        pass


# -- D3: one redaction function guards every writer ----------------------------------------

def test_a_secret_echoed_by_the_provider_reaches_no_file_and_no_output(
        fake: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from compiler.providers import get

    provider = type(get("whatsapp"))
    key = SECRETS["ITNIO_API_KEY"]
    monkeypatch.setattr(provider, "error_body", lambda self, code: json.dumps(
        {"status": code, "reason": f"account {key} has no balance"}).encode())
    record = tmp_path / "received.jsonl"
    server = fake(Faults(reject=[Reject("-68", 0.5)], lose_answer_rate=0.2, seed=4),
                  record=record)
    spec, numbers = setup(tmp_path, 30)
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, key] for p in numbers])
    run = msgc(args(spec, server.base_url, "-v"), cwd=tmp_path)
    assert run.code == 1, run.output
    results = read_results(tmp_path / "out.jsonl")
    assert any("***" in (r["error"] or "") for r in results)
    db = sqlite3.connect(tmp_path / JOURNAL)
    errors = [e for (e,) in db.execute("SELECT error FROM rows WHERE state = 'failed'")]
    db.close()
    assert errors and all("account *** has no balance" in e for e in errors)
    dry = msgc(["send", str(spec), "-p", "whatsapp", "--recipients", "r.csv", "--dry-run",
                "--base-url", server.base_url], cwd=tmp_path)
    assert "Hi ***" in dry.stdout
    server.stop()
    assert record.read_text().count('"Hi ***"') == 30
    assert_no_secrets(run.stdout, run.stderr, dry.stdout, dry.stderr,
                      files=(tmp_path / "out.jsonl", tmp_path / JOURNAL, record))


# -- D4: the journal survives losing its side files; the evidence is never overwritten -----

@pytest.mark.parametrize("damage", ["delete", "truncate", "garbage"])
def test_losing_the_journal_side_files_after_a_kill_sends_nothing_twice(
        fake: Any, tmp_path: Path, damage: str) -> None:
    server, spec, _, proc = held_campaign(fake, tmp_path)
    kill(proc)
    wait_for(lambda: server.held == 0)
    server.hold_after(None)
    for suffix in ("-wal", "-shm", "-journal"):  # "lost" by a careless cleanup, or damaged
        side = tmp_path / (JOURNAL + suffix)
        if damage == "delete":
            side.unlink(missing_ok=True)
        elif damage == "truncate" and side.exists():
            side.write_bytes(side.read_bytes()[: side.stat().st_size * 2 // 5])
        elif damage == "garbage":
            side.write_bytes(os.urandom(8192))
    evidence = (tmp_path / "out.jsonl").read_text()
    resumed = run_subprocess(args(spec, server.base_url, "--resume"), tmp_path)
    assert resumed.code in (1, 2), resumed.stderr
    accepted = server.accepted_by_phone()
    assert max(accepted.values()) == 1, "an answered row was sent again"
    after = (tmp_path / "out.jsonl").read_text()
    kept = {json.loads(line)["row"] for line in after.splitlines()}
    for line in evidence.splitlines():  # every line that proved a send is still there
        assert json.loads(line)["row"] in kept


def test_the_journal_commits_durably_without_a_wal(tmp_path: Path) -> None:
    from compiler.sending.access import Redactor
    from compiler.sending.journal import Journal

    journal = Journal.create(tmp_path / JOURNAL, {"key": "k"}, Redactor([]))
    try:
        db = journal._db
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "truncate"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: fsync per commit
        journal.begin(1, "79000000001")
        journal.commit()
        assert not (tmp_path / (JOURNAL + "-wal")).exists()
    finally:
        journal.close()
    db = sqlite3.connect(tmp_path / JOURNAL)  # the commit is in the main file itself
    assert dict(db.execute("SELECT row, state FROM rows")) == {1: "in_flight"}
    db.close()


def test_a_finished_campaign_leaves_no_empty_side_files(fake: Any, tmp_path: Path) -> None:
    server = fake()
    spec, _ = setup(tmp_path, 6)
    assert run_subprocess(args(spec, server.base_url), tmp_path).code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if "journal" in p.name) == [JOURNAL]


@pytest.mark.parametrize("extra", [[], ["--resend-unknown"], ["--retry-failed"]])
def test_a_journal_that_lost_writes_is_refused_and_the_results_kept(
        fake: Any, tmp_path: Path, extra: list[str]) -> None:
    server = fake()
    spec, _ = setup(tmp_path, 12)
    assert run_subprocess(args(spec, server.base_url), tmp_path).code == 0
    db = sqlite3.connect(tmp_path / JOURNAL)
    db.execute("DELETE FROM rows WHERE row > 3")  # as if its last commits were lost
    db.commit()
    db.close()
    evidence = (tmp_path / "out.jsonl").read_bytes()
    resumed = run_subprocess(args(spec, server.base_url, "--resume", *extra), tmp_path)
    assert resumed.code == 2, resumed.stderr
    assert "the results file records 9 answered rows that the journal does not have " \
           "(rows 4, 5, 6, 7, 8, 9, 10, 11, 12)" in resumed.stderr
    assert "Nothing was sent, and neither file was changed" in resumed.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == evidence
    assert server.stats["requests"] == 12


# -- D11: a damaged journal is a clear exit 2; nothing is sent ------------------------------

@pytest.fixture(scope="module")
def finished_campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any]]:
    """A finished 120-row campaign (a journal of several pages) and its fake server, made
    once for the tests that damage a copy of it."""
    folder = tmp_path_factory.mktemp("finished")
    servers = fake_servers()
    server = next(servers)()
    spec, _ = setup(folder, 120)
    assert run_subprocess(args(spec, server.base_url, "--concurrency", "16"),
                          folder).code == 0
    yield folder, server
    next(servers, None)  # stops the server


@pytest.mark.parametrize("damage", ["garbage-header", "truncated", "bad-page"])
@pytest.mark.parametrize("resume", [True, False], ids=["resume", "fresh"])
def test_a_damaged_journal_is_reported_and_nothing_is_sent(
        finished_campaign: tuple[Path, Any], tmp_path: Path, damage: str, resume: bool
        ) -> None:
    original, server = finished_campaign
    for name in ("spec.yaml", "r.csv", "out.jsonl", JOURNAL):
        shutil.copyfile(original / name, tmp_path / name)
    spec = tmp_path / "spec.yaml"
    path = tmp_path / JOURNAL
    assert path.stat().st_size > 3 * 4096
    data = bytearray(path.read_bytes())
    if damage == "garbage-header":
        data[:100] = b"\xde\xad" * 50
    elif damage == "truncated":
        data = data[: len(data) // 2 + 123]
    else:
        data[4096 + 100:4096 + 4000] = os.urandom(3900)
    path.write_bytes(bytes(data))
    requests = server.stats["requests"]
    run = run_subprocess(args(spec, server.base_url, *(["--resume"] if resume else [])),
                         tmp_path)
    assert run.code == 2, run.stderr
    assert "internal error" not in run.stderr and "another `msgc send`" not in run.stderr
    assert "the journal is damaged" in run.stderr and "[journal-damaged]" in run.stderr
    assert "nothing was sent" in run.stderr and "hint: restore the journal" in run.stderr
    assert server.stats["requests"] == requests


# -- D12: a journal whose creation was cut short -------------------------------------------

def half_created_journals() -> list[tuple[str, Callable[[Path], None]]]:
    def empty(path: Path) -> None:
        path.write_bytes(b"")

    def schema_only(path: Path) -> None:  # what version 1 left when killed before its meta
        db = sqlite3.connect(path)
        db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                         "CREATE TABLE rows (row INTEGER PRIMARY KEY, phone TEXT, state TEXT "
                         "NOT NULL, message_id TEXT, code TEXT, error TEXT, attempts INTEGER "
                         "NOT NULL DEFAULT 0, updated REAL NOT NULL);"
                         "CREATE TABLE seen (phone TEXT PRIMARY KEY, row INTEGER NOT NULL) "
                         "WITHOUT ROWID;")
        db.close()

    return [("empty", empty), ("schema-only", schema_only)]


@pytest.mark.parametrize(("kind", "make"), half_created_journals(),
                         ids=[k for k, _ in half_created_journals()])
@pytest.mark.parametrize("resume", [False, True], ids=["fresh", "resume"])
def test_a_journal_that_never_recorded_a_send_starts_afresh(
        fake: Any, tmp_path: Path, kind: str, make: Callable[[Path], None],
        resume: bool) -> None:
    server = fake()
    spec, numbers = setup(tmp_path, 10)
    make(tmp_path / JOURNAL)
    run = run_subprocess(args(spec, server.base_url, *(["--resume"] if resume else [])),
                         tmp_path)
    assert run.code == 0, run.stderr
    assert "records no message sent: starting afresh" in run.stderr
    assert server.accepted_by_phone() == dict.fromkeys(numbers, 1)


def test_a_kill_while_the_journal_is_created_leaves_no_half_journal(
        fake: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from compiler.sending import journal

    server = fake()
    spec, _ = setup(tmp_path, 5)

    def killed(path: Path) -> Any:
        raise KeyboardInterrupt
    monkeypatch.setattr(journal.Journal, "open", classmethod(lambda cls, *a, **k: killed(a[0])))
    run = msgc(args(spec, server.base_url), cwd=tmp_path)
    assert run.code == 130
    monkeypatch.undo()
    again = msgc(args(spec, server.base_url), cwd=tmp_path)
    assert again.code == 0, again.output
    assert server.accepted == 5


def test_a_journal_started_without_sending_can_be_started_afresh(
        fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(reject=[Reject("-1")], seed=1))  # wrong credentials: all fail
    spec, _ = setup(tmp_path, 3)
    write_csv(tmp_path / "r.csv", ["phone", "name"], [["12", "A"], ["34", "B"]])
    assert run_subprocess(args(spec, server.base_url), tmp_path).code == 1  # all invalid
    again = run_subprocess(args(spec, server.base_url), tmp_path)
    assert again.code == 1 and "starting afresh" in again.stderr


# -- D9: Ctrl-C is exit 130 everywhere ------------------------------------------------------

def blocked_on_fifo(tmp_path: Path, extra: list[str]) -> subprocess.Popen[str]:
    """msgc reading a recipients FIFO that nobody writes: stuck in its start-up."""
    spec, _ = setup(tmp_path, 1)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    proc = start(["send", str(spec), "-p", "whatsapp", "--recipients", str(fifo),
                  "--base-url", "http://127.0.0.1:9", *extra], tmp_path)
    deadline = time.monotonic() + 30
    while True:  # opening for writing succeeds once msgc has it open for reading
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
            time.sleep(0.02)
    proc.writer = writer  # type: ignore[attr-defined]
    return proc


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["int", "term"])
@pytest.mark.parametrize("extra", [["--results", "out.jsonl"], ["--dry-run"]],
                         ids=["start-up", "dry-run"])
def test_ctrl_c_while_starting_is_exit_130(tmp_path: Path, extra: list[str], sig: int
                                           ) -> None:
    proc = blocked_on_fifo(tmp_path, extra)
    try:
        time.sleep(0.2)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        os.close(proc.writer)  # type: ignore[attr-defined]
    assert proc.returncode == 130, err
    assert "msgc: interrupted" in err and "Aborted!" not in err and "Traceback" not in err


def test_ctrl_c_on_a_single_send_is_exit_130_and_says_what_it_means(
        fake: Any, tmp_path: Path) -> None:
    server = fake()
    server.hold_after(0)
    spec, _ = setup(tmp_path, 1)
    proc = start(["send", str(spec), "-p", "whatsapp", "--to", "79001234567", "--var",
                  "name=A", "--base-url", server.base_url], tmp_path)
    wait_for(lambda: server.held == 1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "may or may not have been accepted" in err and "Aborted!" not in err


# -- D10: an abort reports the abandoned rows as unknown before exiting ---------------------

@pytest.mark.parametrize("signals", [(signal.SIGINT, signal.SIGINT),
                                     (signal.SIGTERM, signal.SIGTERM),
                                     (signal.SIGINT, signal.SIGTERM)],
                         ids=["int-int", "term-term", "int-term"])
def test_a_second_signal_turns_the_requests_in_flight_into_unknown(
        fake: Any, tmp_path: Path, signals: tuple[int, int]) -> None:
    server, spec, numbers, proc = held_campaign(fake, tmp_path)
    proc.send_signal(signals[0])
    time.sleep(0.3)
    proc.send_signal(signals[1])
    _, err = proc.communicate(timeout=20)
    server.hold_after(None)
    assert proc.returncode == 130, err
    states = journal_states(tmp_path)
    assert "in_flight" not in states.values()
    unknown = sorted(row for row, state in states.items() if state == "unknown")
    assert len(unknown) == 4 and sum(s == "sent" for s in states.values()) == 20
    results = read_results(tmp_path / "out.jsonl")
    assert sorted(r["row"] for r in results) == sorted(states)
    assert sorted(r["row"] for r in results if r["status"] == "unknown") == unknown
    assert "aborted: 4 rows were being sent and are now `unknown`" in err
    for row in unknown:
        assert f"  row {row} ({numbers[row - 1]})" in err
    resumed = run_subprocess(args(spec, server.base_url, "--resume"), tmp_path)
    assert resumed.code == 1 and "were in flight when the previous run stopped" \
        not in resumed.stderr
    assert max(server.accepted_by_phone().values()) == 1


def test_ctrl_c_does_not_wait_out_the_retries(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(rate_limit_rate=1.0, seed=1))
    spec, _ = setup(tmp_path)
    proc = start(args(spec, server.base_url, "--retries", "20", "--backoff", "30"), tmp_path)
    wait_for(lambda: server.stats["429"] >= 4)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)  # not 20 retries of up to 30 s
    assert proc.returncode == 130, err
    assert "stopped between retries (nothing was accepted): --resume sends them" in err
    assert "in_flight" not in journal_states(tmp_path).values()
    server.faults = Faults(seed=2)
    resumed = run_subprocess(args(spec, server.base_url, "--resume"), tmp_path)
    assert resumed.code == 0, resumed.stderr
    assert sum(server.accepted_by_phone().values()) == ROWS


# -- --resume --retry-failed ----------------------------------------------------------------

def test_retry_failed_resends_only_rows_that_nothing_accepted(fake: Any, tmp_path: Path
                                                              ) -> None:
    server = fake(Faults(fail_rate=0.4, fail_statuses=(503,), reject=[Reject("-68", 0.3)],
                         lose_answer_rate=0.15, seed=9))
    spec, numbers = setup(tmp_path)
    first = run_subprocess(args(spec, server.base_url, "--retries", "0"), tmp_path)
    assert first.code == 1
    before = {r["row"]: r for r in read_results(tmp_path / "out.jsonl")}
    outage = {row for row, r in before.items() if r["status"] == "failed"
              and r["code"] == "HTTP 503"}
    balance = {row for row, r in before.items() if r["status"] == "failed"
               and r["code"] == "-68"}
    unknown = {row for row, r in before.items() if r["status"] == "unknown"}
    assert outage and balance and unknown
    usage = run_subprocess(args(spec, server.base_url, "--retry-failed"), tmp_path)
    assert usage.code == 2 and "--retry-failed needs --resume" in usage.stderr
    accepted = server.accepted_by_phone()
    server.faults = Faults(seed=3)  # the outage is over
    requests = server.stats["requests"]
    again = run_subprocess(args(spec, server.base_url, "--resume", "--retry-failed"),
                           tmp_path)
    assert again.code == 1, again.stderr  # the balance failures and unknowns remain
    assert server.stats["requests"] == requests + len(outage)
    after = {r["row"]: r for r in read_results(tmp_path / "out.jsonl")}
    assert sorted(after) == list(range(1, ROWS + 1))
    now = server.accepted_by_phone()
    for row in outage:
        assert after[row]["status"] == "sent" and now[numbers[row - 1]] == 1
    for row in balance | unknown:  # untouched
        assert after[row] == before[row] and now[numbers[row - 1]] == accepted[numbers[row - 1]]
    for row, r in before.items():
        if r["status"] == "sent":
            assert after[row] == r


# -- schema: a version-1 journal is migrated ------------------------------------------------

def test_a_version_1_journal_is_migrated(fake: Any, tmp_path: Path) -> None:
    from compiler.sending.bulk import campaign_key

    server = fake()
    spec, numbers = setup(tmp_path, 6)
    from compiler.sending.recipients import fingerprint

    db = sqlite3.connect(tmp_path / JOURNAL)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE rows (row INTEGER PRIMARY KEY, phone TEXT, state TEXT NOT NULL,
            message_id TEXT, code TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
            updated REAL NOT NULL);
        CREATE TABLE seen (phone TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
    """)
    key = campaign_key(spec, "whatsapp", fingerprint(tmp_path / "r.csv"))
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", "1"), ("key", key)])
    rows = [(1, numbers[0], "sent", "m1", None, None, 1, 0),
            (2, numbers[1], "failed", None, "HTTP 502", "gave up after 5 attempts: x", 5, 0),
            (3, numbers[2], "failed", None, "HTTP 503", "gave up after 5 attempts: x", 5, 0),
            (4, numbers[3], "failed", None, "-68", "insufficient balance", 1, 0)]
    db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO seen VALUES (?, ?)", [(p, i + 1) for i, p in
                                                      enumerate(numbers)])
    db.commit()
    db.close()
    (tmp_path / "out.jsonl").write_text("")
    run = run_subprocess(args(spec, server.base_url, "--resume", "--retry-failed"), tmp_path)
    assert run.code == 1, run.stderr
    states = journal_states(tmp_path)
    # 502 may have been accepted: unknown now, never sent again by --retry-failed; the 503
    # row is sent again; the rows never begun (5, 6) are sent despite their old `seen`.
    assert states == {1: "sent", 2: "unknown", 3: "sent", 4: "failed", 5: "sent", 6: "sent"}
    assert sorted(server.accepted_by_phone()) == sorted(numbers[i] for i in (2, 4, 5))
    from compiler.sending.journal import SCHEMA_VERSION

    db = sqlite3.connect(tmp_path / JOURNAL)  # migrated through every version to the latest
    assert dict(db.execute("SELECT key, value FROM meta"))["schema"] == str(SCHEMA_VERSION)
    assert "locale" in {r[1] for r in db.execute("PRAGMA table_info(rows)")}
    db.close()
