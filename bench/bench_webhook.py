"""The webhook workload: callbacks per second, latency, and nothing lost to SIGKILL.

    python bench/bench_webhook.py [--quick] [--json out.json]   # or bench/run.py --only webhook

``msgc webhook`` runs as its own process, as deployed: access log on (to a file), the events
database on local disk, fsync before every 200. A load generator in another process sends
a mix of callbacks over keep-alive connections on 127.0.0.1: NXCloud receipts, ITNIO status
events and ITNIO inbound messages, 5% of them a repeat of an earlier one (a provider's
retry). Three parts:

1. **throughput** (closed loop): 64 connections post as fast as they are answered:
   callbacks per second, p50/p99 latency, and the server's CPU time per callback;
2. **steady** (open loop): 2,000 callbacks per second for 10 s, each due at its moment;
   a latency counts from when the request was due, so a stall shows (p50, p99, max), and
   the rate actually held;
3. **kill**: rounds of load, each ended by SIGKILL at a random moment; then every callback
   that was answered 200 is looked up in the database. Lost must be 0.

Target (issue 15): >= 2,000 callbacks/s with p99 < 50 ms, 0 lost. Benchmarks are not
tests; ``tests/test_webhook_server.py`` checks "0 lost after SIGKILL" in the suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench_token_5f2a9c1e7d3b"
CLIENT = "client"


def bodies(count: int, seed: int, prefix: str) -> list[tuple[str, str, bytes]]:
    """(key, path, body) of ``count`` callbacks; about 5% repeat an earlier one."""
    rng = random.Random(seed)
    out: list[tuple[str, str, bytes]] = []
    for n in range(count):
        if out and rng.random() < 0.05:
            out.append(out[rng.randrange(len(out))])
            continue
        key = f"{prefix}{n}"
        kind = rng.random()
        if kind < 0.45:
            data = {"status": rng.choice((11001, 11002, 11000)), "requestId": key, "code": 0,
                    "message": "success", "sendTime": "2025-01-31 09:12:03"}
            path = "nxcloud"
        elif kind < 0.9:
            data = {"eventType": "message-status-event", "appId": "app", "channelType": 0,
                    "messageId": key, "billable": True, "form": "12025550100",
                    "recipient": f"7900{n % 10**7:07d}", "status": "delivered",
                    "failure": None, "conversationId": "c", "expiresAt": 1738400000,
                    "conversationType": "marketing", "timestamp": 1738314723}
            path = "itnio"
        else:
            data = {"eventType": "up-message-event", "appId": "app", "channelType": 0,
                    "messageId": key, "timestamp": 1738314723,
                    "businessPhone": "12025550100",
                    "from": {"phone": f"7900{n % 10**7:07d}", "name": "Ann"},
                    "message": {"type": "interactive", "interactive": {
                        "type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}},
                        "context": {"id": f"out-{n}"}}}
            path = "itnio"
        out.append((key, path, json.dumps(data).encode()))
    return out


def _request(path: str, body: bytes) -> bytes:
    return (f"POST /hooks/{TOKEN}/{path} HTTP/1.1\r\nHost: bench\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return int(head[9:12])


async def closed_loop(port: int, items: list[tuple[str, str, bytes]], connections: int
                      ) -> dict[str, Any]:
    latencies: list[float] = []
    acked: list[str] = []
    cursor = iter(items)

    async def one() -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return
        try:
            for key, path, body in cursor:
                started = time.perf_counter()
                status = await _exchange(reader, writer, _request(path, body))
                latencies.append(time.perf_counter() - started)
                if status == 200:
                    acked.append(key)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(connections)))
    return {"seconds": time.perf_counter() - started, "latencies": latencies, "acked": acked}


async def open_loop(port: int, items: list[tuple[str, str, bytes]], rate: float,
                    connections: int) -> dict[str, Any]:
    """Request i is due at start + i / rate, on connection i % connections."""
    latencies: list[float] = []
    start = time.perf_counter() + 0.2

    async def one(lane: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in range(lane, len(items), connections):
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                _, path, body = items[i]
                await _exchange(reader, writer, _request(path, body))
                latencies.append(time.perf_counter() - due)
        finally:
            writer.close()

    await asyncio.gather(*(one(lane) for lane in range(connections)))
    return {"seconds": time.perf_counter() - start, "latencies": latencies}


def client_main(argv: list[str]) -> None:
    """The load generator (run as its own process): prints one JSON object."""
    mode, port, count, seed = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    items = bodies(count, seed, f"s{seed}-")
    if mode == "closed":
        result = asyncio.run(closed_loop(port, items, int(argv[4])))
    else:
        result = asyncio.run(open_loop(port, items, float(argv[4]), int(argv[5])))
    print(json.dumps(result))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))]


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Webhook:
    def __init__(self, folder: Path) -> None:
        self.db = folder / "events.sqlite3"
        self.log = (folder / "webhook.log").open("a")
        env = {**os.environ, "MSGC_WEBHOOK_TOKEN": TOKEN}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from compiler.cli import main; main()", "webhook",
             "--db", str(self.db), "--port", "0"], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def stop(self, sig: int = signal.SIGTERM) -> None:
        self.proc.send_signal(sig)
        self.proc.wait(60)
        self.log.close()


def _client(*args: Any) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, CLIENT, *map(str, args)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def throughput(folder: Path, count: int) -> dict[str, Any]:
    hook = Webhook(folder)
    try:
        cpu = _cpu(hook.proc.pid)
        result = _client("closed", hook.port, count, 1, 64)
        cpu = _cpu(hook.proc.pid) - cpu
    finally:
        hook.stop()
    lat = result["latencies"]
    rate = len(lat) / result["seconds"]
    return {"callbacks": len(lat), "per_s": rate, "p50_ms": _percentile(lat, 0.5) * 1000,
            "p99_ms": _percentile(lat, 0.99) * 1000,
            "server_cpu_ms_per_callback": cpu * 1000 / max(len(lat), 1)}


def steady(folder: Path, rate: float, seconds: float) -> dict[str, Any]:
    hook = Webhook(folder)
    try:
        result = _client("open", hook.port, int(rate * seconds), 2, rate, 64)
    finally:
        hook.stop()
    lat = result["latencies"]
    return {"rate": rate, "held_per_s": len(lat) / result["seconds"],
            "p50_ms": _percentile(lat, 0.5) * 1000, "p99_ms": _percentile(lat, 0.99) * 1000,
            "max_ms": max(lat) * 1000}


def kill_rounds(folder: Path, rounds: int) -> dict[str, Any]:
    rng = random.Random(7)
    lost = acked_total = 0
    for n in range(rounds):
        hook = Webhook(folder)
        client = subprocess.Popen([sys.executable, __file__, CLIENT, "closed", str(hook.port),
                                   "200000", str(100 + n), "64"], stdout=subprocess.PIPE,
                                  text=True)
        time.sleep(rng.uniform(1.0, 3.0))
        hook.proc.send_signal(signal.SIGKILL)
        hook.proc.wait(30)
        hook.log.close()
        out, _ = client.communicate(timeout=120)
        acked = set(json.loads(out)["acked"])
        with sqlite3.connect(hook.db) as conn:
            stored = {r[0] for r in conn.execute("SELECT message_id FROM events WHERE "
                                                  "kind = 'status'")}
            stored |= {r[0].split("|", 1)[1] for r in conn.execute(
                "SELECT key FROM events WHERE kind = 'inbound'")}
        lost += len(acked - stored)
        acked_total += len(acked)
    return {"rounds": rounds, "acked": acked_total, "lost": lost}


def run_webhook(quick: bool = False) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        parts = {name: Path(tmp) / name for name in ("throughput", "steady", "kill")}
        for folder in parts.values():
            folder.mkdir()
        top = throughput(parts["throughput"], 10_000 if quick else 40_000)
        held = steady(parts["steady"], 2000.0, 3.0 if quick else 10.0)
        kills = kill_rounds(parts["kill"], 2 if quick else 5)
    return [
        {"workload": "webhook, closed loop, 64 connections",
         "msgc": f"{top['per_s']:,.0f} callbacks/s, p99 {top['p99_ms']:.1f} ms",
         "baseline": f"{top['server_cpu_ms_per_callback']:.2f} ms server CPU/callback",
         "ratio": f"p50 {top['p50_ms']:.1f} ms", "target": ">= 2,000/s",
         "met": top["per_s"] >= 2000, "raw": top},
        {"workload": "webhook, open loop at 2,000/s",
         "msgc": f"p99 {held['p99_ms']:.1f} ms (max {held['max_ms']:.0f} ms)",
         "baseline": f"held {held['held_per_s']:,.0f}/s",
         "ratio": f"p50 {held['p50_ms']:.1f} ms", "target": "p99 < 50 ms",
         "met": held["p99_ms"] < 50 and held["held_per_s"] >= 1900, "raw": held},
        {"workload": f"webhook SIGKILL x{kills['rounds']} under load",
         "msgc": f"{kills['lost']} lost", "baseline": f"{kills['acked']:,} answered 200",
         "ratio": "", "target": "0 lost", "met": kills["lost"] == 0, "raw": kills},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = run_webhook(args.quick)
    for row in rows:
        print(f"{row['workload']}: {row['msgc']}; {row['baseline']}; {row['ratio']} "
              f"(target {row['target']}: {'met' if row['met'] else 'NOT met'})")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CLIENT:
        client_main(sys.argv[2:])
    else:
        main()
