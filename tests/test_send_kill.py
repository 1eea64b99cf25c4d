"""A campaign killed with SIGKILL (or stopped with Ctrl-C) and resumed: every row ends up
accepted exactly once at the fake, and the rows in flight at the kill are reported as
unknown and only sent again with --resend-unknown.

`msgc send` runs as a real subprocess; the fake provider runs in this process.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from send_support import (
    assert_no_secrets,
    fake_servers,
    msgc_command,
    phones,
    read_results,
    run_subprocess,
    subprocess_env,
    write_csv,
    write_spec,
)

from compiler.sending.fake_server import Faults

_fake = pytest.fixture(name="fake")(fake_servers)

ROWS = 60


def setup(tmp_path: Path) -> tuple[Path, list[str]]:
    spec = write_spec(tmp_path, {"text": "Hi {{ name }}"}, "whatsapp")
    numbers = phones(ROWS)
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, f"N{i}"] for i, p in
                                                      enumerate(numbers)])
    return spec, numbers


def args(spec: Path, url: str, *extra: str) -> list[str]:
    return ["send", str(spec), "-p", "whatsapp", "--recipients", "r.csv", "--results",
            "out.jsonl", "--base-url", url, "--concurrency", "4", *extra]


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def start(spec: Path, url: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*msgc_command(), *args(spec, url)], cwd=cwd,
                            env=subprocess_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def journal_states(tmp_path: Path) -> dict[int, str]:
    with sqlite3.connect(tmp_path / "out.jsonl.journal.sqlite3") as db:
        return dict(db.execute("SELECT row, state FROM rows"))


def test_sigkill_then_resume_sends_every_row_exactly_once(fake: Any, tmp_path: Path) -> None:
    server = fake()
    spec, numbers = setup(tmp_path)
    server.hold_after(20)  # after 20 accepted messages, requests hang until released
    proc = start(spec, server.base_url, tmp_path)
    try:
        wait_for(lambda: server.accepted == 20 and server.held == 4)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    states = journal_states(tmp_path)
    in_flight = sorted(row for row, state in states.items() if state == "in_flight")
    assert len(in_flight) == 4 and sum(s == "sent" for s in states.values()) == 20
    wait_for(lambda: server.held == 0)  # the fake saw the client go: never processed
    server.hold_after(None)

    resumed = run_subprocess([*args(spec, server.base_url), "--resume"], tmp_path)
    assert resumed.code == 1, resumed.stderr
    assert "4 rows were in flight when the previous run stopped" in resumed.stderr
    for row in in_flight:
        assert f"  row {row} ({numbers[row - 1]}): the run stopped while this message was " \
               "being sent" in resumed.stderr
    assert "--resume --resend-unknown" in resumed.stderr
    unknown = {numbers[row - 1] for row in in_flight}
    accepted = server.accepted_by_phone()
    assert all(accepted[p] == 1 for p in numbers if p not in unknown)
    assert all(accepted[p] == 0 for p in unknown)
    results = read_results(tmp_path / "out.jsonl")
    assert sorted(r["row"] for r in results) == list(range(1, ROWS + 1))
    assert sorted(r["row"] for r in results if r["status"] == "unknown") == in_flight

    requests = server.stats["requests"]
    again = run_subprocess([*args(spec, server.base_url), "--resume"], tmp_path)
    assert again.code == 1 and server.stats["requests"] == requests  # unknowns not resent

    last = run_subprocess([*args(spec, server.base_url), "--resume", "--resend-unknown"],
                          tmp_path)
    assert last.code == 0, last.stderr
    accepted = server.accepted_by_phone()
    assert [accepted[p] for p in numbers] == [1] * ROWS
    results = read_results(tmp_path / "out.jsonl")
    assert sorted(r["row"] for r in results) == list(range(1, ROWS + 1))
    assert {r["status"] for r in results} == {"sent"}
    assert_no_secrets(resumed.stdout, resumed.stderr, again.stdout, again.stderr,
                      last.stdout, last.stderr,
                      files=(tmp_path / "out.jsonl", tmp_path / "out.jsonl.journal.sqlite3"))


def test_sigkill_halfway_through_a_slow_provider(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(slow_rate=1.0, slow_ms=80, seed=5))
    spec, numbers = setup(tmp_path)
    proc = start(spec, server.base_url, tmp_path)
    try:
        wait_for(lambda: server.accepted >= ROWS // 2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
    in_flight = [row for row, state in journal_states(tmp_path).items() if state == "in_flight"]
    assert len(in_flight) <= 4
    time.sleep(0.3)  # let the fake finish what it was processing (it accepts those)

    resumed = run_subprocess([*args(spec, server.base_url), "--resume"], tmp_path)
    results = read_results(tmp_path / "out.jsonl")
    assert sorted(r["row"] for r in results) == list(range(1, ROWS + 1))
    unknown = {r["phone"] for r in results if r["status"] == "unknown"}
    assert {numbers[row - 1] for row in in_flight} == unknown
    assert resumed.code == (1 if unknown else 0)
    accepted = server.accepted_by_phone()
    for phone in numbers:  # answered rows exactly once; in-flight ones at most once
        assert accepted[phone] == 1 if phone not in unknown else accepted[phone] <= 1


def test_ctrl_c_stops_cleanly_and_resume_finishes(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(slow_rate=1.0, slow_ms=60, seed=6))
    spec, numbers = setup(tmp_path)
    proc = start(spec, server.base_url, tmp_path)
    try:
        wait_for(lambda: server.accepted >= 12)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "stopping after the messages in flight" in err and "--resume" in err
    assert "Traceback" not in err
    # The requests in flight were answered: nothing is unknown.
    assert "in_flight" not in journal_states(tmp_path).values()
    resumed = run_subprocess([*args(spec, server.base_url), "--resume"], tmp_path)
    assert resumed.code == 0, resumed.stderr
    accepted = server.accepted_by_phone()
    assert [accepted[p] for p in numbers] == [1] * ROWS


def test_a_stopped_resend_keeps_one_result_line_per_row(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(lose_answer_rate=1.0, seed=7))  # every answer is lost: all unknown
    spec, _ = setup(tmp_path)
    first = run_subprocess(args(spec, server.base_url), tmp_path)
    assert first.code == 1
    assert {r["status"] for r in read_results(tmp_path / "out.jsonl")} == {"unknown"}
    server.faults = Faults(slow_rate=1.0, slow_ms=100, seed=8)
    before = server.accepted
    proc = subprocess.Popen([*msgc_command(), *args(spec, server.base_url), "--resume",
                             "--resend-unknown"], cwd=tmp_path, env=subprocess_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: server.accepted >= before + 4)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    assert proc.returncode == 130
    results = read_results(tmp_path / "out.jsonl")
    assert sorted(r["row"] for r in results) == list(range(1, ROWS + 1))
    statuses = [r["status"] for r in results]
    assert statuses.count("sent") == server.accepted - before and "unknown" in statuses
