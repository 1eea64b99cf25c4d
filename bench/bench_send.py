"""The send workload of bench/run.py: `msgc send --recipients` against the fake provider.

The fake server runs in its own process on 127.0.0.1; `msgc send` runs as a fresh process
with concurrency 64 and no rate limit. Reported: messages per second (wall), the sender's
CPU time per message, and its peak resident memory; and, for a 1,000,000-row file checked
with `--dry-run` (every row read, rendered and validated, nothing sent), the peak memory
that shows the file is streamed.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MSGC = str(Path(sys.executable).with_name("msgc"))
CREDENTIALS = {"NXCLOUD_ACCESS_KEY": "benchkey", "NXCLOUD_ACCESS_SECRET": "benchsecret",
               "NXCLOUD_APPKEY": "benchapp"}


def write_recipients(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["phone", "order_id", "eta_days"])
        for i in range(count):
            out.writerow([f"7900{i:07d}", f"A-{i % 10**8}", 1 + i % 30])


def timed_child(command: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        raise RuntimeError(f"{command[:3]} exited {proc.returncode}: {err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, err


def run_send(count: int, big: int = 1_000_000) -> list[dict[str, Any]]:
    env = {**os.environ, **CREDENTIALS}
    spec = str(ROOT / "templates" / "order-shipped.yaml")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        recipients = folder / "people.csv"
        write_recipients(recipients, count)
        fake = subprocess.Popen([MSGC, "fake-server", "--port", "0"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert fake.stdout is not None
            port = int(fake.stdout.readline().strip())
            wall, cpu, rss, _ = timed_child(
                [MSGC, "send", spec, "-p", "viber", "--recipients", str(recipients),
                 "--results", str(folder / "out.jsonl"), "--concurrency", "64",
                 "--base-url", f"http://127.0.0.1:{port}", "--no-progress"], env)
        finally:
            fake.terminate()
            fake.wait(timeout=10)
        sent = sum(1 for line in (folder / "out.jsonl").open() if '"status":"sent"' in line)
        assert sent == count, f"only {sent} of {count} rows were sent"
        rate = count / wall
        rows.append({
            "workload": f"send {count:,} via fake (concurrency 64)",
            "msgc": f"{rate:,.0f} msg/s",
            "baseline": f"{cpu / count * 1e6:,.0f} us client CPU/msg, {rss / 1024:.0f} MB peak",
            "ratio": "",
            "target": ">= 1,500 msg/s",
            "met": rate >= 1500,
            "raw": {"messages": count, "wall_s": wall, "cpu_s": cpu, "peak_rss_kib": rss},
        })
        write_recipients(recipients, big)
        wall, cpu, rss, _ = timed_child(
            [MSGC, "send", spec, "-p", "viber", "--recipients", str(recipients), "--dry-run",
             "--no-progress"], env)
        rows.append({
            "workload": f"send --dry-run {big:,}-row file (streamed)",
            "msgc": f"{rss / 1024:.0f} MB peak RSS",
            "baseline": f"{wall:.1f} s, {big / wall:,.0f} rows/s checked",
            "ratio": "",
            "target": "< 150 MB",
            "met": rss / 1024 < 150,
            "raw": {"rows": big, "wall_s": wall, "cpu_s": cpu, "peak_rss_kib": rss},
        })
    return rows


if __name__ == "__main__":
    for row in run_send(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
                        int(sys.argv[2]) if len(sys.argv) > 2 else 100_000):
        print(row)
    print("max rss self:", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
