"""Soak: a campaign against a faulty fake provider, SIGKILLed at random points and
resumed, with a rival ``--resume`` started while each run is alive, then finished with
``--resume --retry-failed`` once the provider is healthy. Checked against the fake's own
record: no recipient got the message twice, every row has exactly one results line, a
row marked ``sent`` was accepted once (with the id the results file shows), and every row
the provider never accepted is reported ``unknown``.

Bounded: at most CYCLES kill/resume cycles and a BUDGET of seconds for them (whichever
comes first; every request loop is on 127.0.0.1). ``MSGC_SOAK_CYCLES=N`` runs N cycles (and
gives them 3 s each) for a long soak. Pass or fail does not depend on the
machine's speed: the checks are invariants that hold whatever the timing, and a slow
machine only runs fewer cycles.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from send_support import (
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

ROWS = 600
CYCLES = int(os.environ.get("MSGC_SOAK_CYCLES", "6"))
BUDGET = max(15.0, 3.0 * CYCLES)  # seconds for the kill/resume cycles
FAULTS = Faults(fail_rate=0.04, rate_limit_rate=0.04, drop_rate=0.01, garbage_rate=0.01,
                lose_answer_rate=0.01, accept_then_fail_rate=0.02, slow_rate=0.2,
                slow_ms=15, seed=1010)


def test_soak_random_kills_rival_resumes_and_faults(fake: Any, tmp_path: Path) -> None:
    rng = random.Random(424242)
    server = fake(FAULTS)
    spec = write_spec(tmp_path, {"text": "Hi {{ name }}"}, "whatsapp")
    numbers = phones(ROWS)
    write_csv(tmp_path / "r.csv", ["phone", "name"], [[p, f"N{i}"] for i, p in
                                                      enumerate(numbers)])

    def command(*extra: str, rate: str = "100") -> list[str]:
        return ["send", str(spec), "-p", "whatsapp", "--recipients", "r.csv", "--results",
                "out.jsonl", "--base-url", server.base_url, "--concurrency", "8",
                "--rate", rate, "--retries", "3", "--backoff", "0.01", "--timeout", "5",
                *extra]

    journal = tmp_path / "out.jsonl.journal.sqlite3"
    codes: Counter[str] = Counter()
    deadline = time.monotonic() + BUDGET
    for _ in range(CYCLES):
        if time.monotonic() > deadline:
            break
        extra = ["--resume"] if journal.exists() else []
        proc = subprocess.Popen([*msgc_command(), *command(*extra)], cwd=tmp_path,
                                env=subprocess_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.1, 1.0))
        rival = run_subprocess(command("--resume"), tmp_path, timeout=120)
        codes[f"rival {rival.code}"] += 1
        assert rival.code in (0, 1, 2), rival.stderr
        assert "Traceback" not in rival.stderr and "internal error" not in rival.stderr
        if rival.code == 2:
            assert ("another msgc send is running this campaign" in rival.stderr
                    or "nothing to resume" in rival.stderr), rival.stderr
        time.sleep(rng.uniform(0.0, 0.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
        codes[f"run {proc.returncode}"] += 1
        assert proc.returncode in (0, 1, 2, -signal.SIGKILL), err
        assert "Traceback" not in err and "internal error" not in err
        if proc.returncode == 2:
            assert "another msgc send is running this campaign" in err, err

    server.faults = Faults(seed=7)  # the provider is healthy again
    final = run_subprocess(command("--resume", "--retry-failed", rate="100000")
                           if journal.exists() else command(rate="100000"), tmp_path,
                           timeout=120)
    assert final.code in (0, 1), final.stderr

    results = read_results(tmp_path / "out.jsonl")
    assert sorted(r["row"] for r in results) == list(range(1, ROWS + 1)), \
        "every row has exactly one results line"
    accepted = server.accepted_by_phone()
    assert max(accepted.values()) == 1, f"duplicates: {codes}"
    ids = {r.phone: r.message_id for r in server.received() if r.accepted}
    statuses = Counter(r["status"] for r in results)
    assert set(statuses) <= {"sent", "unknown"}, statuses
    for r in results:
        phone = r["phone"]
        if r["status"] == "sent":
            assert accepted[phone] == 1 and r["message_id"] == ids[phone]
        elif accepted[phone] == 0:
            assert r["status"] == "unknown"
    missing = sum(1 for p in numbers if accepted[p] == 0)
    assert missing <= statuses["unknown"]
    assert statuses["sent"] + statuses["unknown"] == ROWS
