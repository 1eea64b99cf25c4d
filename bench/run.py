"""msgc benchmarks: one command, every workload, baselines measured in the same run.

    python bench/run.py            # print the table
    python bench/run.py --json out.json --quick

Workloads (see the README's Performance section for the latest table):

1. bulk render: N recipients x a realistic spec per provider (a carousel, and a text with a
   button), render + lower + validate + serialize to bytes, msgc's fast path against the
   usual pipeline (compiled Jinja templates, a reused Draft202012Validator, json.dumps).
2. validate a tree: 1,000 generated specs (two targets, two locales each), `msgc validate`
   as a fresh process, against parsing the same files with CSafeLoader in a fresh process.
3. send: N messages through `msgc send --recipients` to the fake provider in another
   process on loopback, concurrency 64 (and peak RSS for a large streamed file).
4. start-up: `msgc --help` wall time.

Benchmarks are not tests: they print figures and are run on purpose.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gen_specs import generate  # noqa: E402
from jsonschema import Draft202012Validator  # noqa: E402

from compiler import load_spec  # noqa: E402
from compiler.pipeline import Plan  # noqa: E402
from compiler.schemas import load_schema, registry  # noqa: E402

MSGC = str(Path(sys.executable).with_name("msgc"))


def best_of(runs: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(runs))


def recipients(spec: Any, count: int) -> list[dict[str, str]]:
    """Per-recipient values as a CSV would give them (text), varying per row."""
    rows = []
    for i in range(count):
        row = {}
        for name, var in spec.variables.items():
            sample = str(var.sample)
            row[name] = sample if var.type != "string" or var.enum else (sample + str(i % 97))[
                : var.max_length or 10**6]
        rows.append(row)
    return rows


def bulk_render(spec_path: Path, provider: str, count: int) -> dict[str, Any]:
    spec = load_spec(spec_path)
    rows = recipients(spec, count)
    plan = Plan(spec, provider)
    envelope = {f.payload_key: "79001234567" if f.is_recipient else f.placeholder
                for f in plan.provider.envelope}

    def msgc_run() -> float:
        p = Plan(spec, provider)
        start = time.perf_counter()
        for row in rows:
            p.render(p.values(row), envelope)
        return time.perf_counter() - start

    # The usual pipeline: Jinja templates compiled once, a reused validator, json.dumps.
    usual_validator = Draft202012Validator(load_schema(plan.provider.payload_schema),
                                           registry=registry())
    baseline_rows = rows[: max(count // 20, 2000)]

    def usual_run() -> float:
        p = Plan(spec, provider)
        templates = {ptr: leaf.template for ptr, leaf in p.tree.leaves.items()}
        start = time.perf_counter()
        for row in baseline_rows:
            values = p.values(row)
            message = _rebuild(p.message, "", templates, values)
            payload = p.provider.lower(message, p.settings, envelope).payload
            errors = list(usual_validator.iter_errors(payload))
            assert not errors
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return time.perf_counter() - start

    fast = best_of(3, msgc_run)
    usual = best_of(2, usual_run)
    fast_rate = count / fast
    usual_rate = len(baseline_rows) / usual
    return {
        "workload": f"bulk render {spec_path.stem} / {provider}",
        "msgc": f"{fast_rate:,.0f} msg/s",
        "baseline": f"{usual_rate:,.0f} msg/s (usual pipeline)",
        "ratio": f"{fast_rate / usual_rate:.1f}x",
        "target": ">= 50,000 msg/s and >= 5x",
        "met": fast_rate >= 50_000 and fast_rate / usual_rate >= 5,
        "raw": {"msgc_msgs_per_s": fast_rate, "usual_msgs_per_s": usual_rate,
                "messages": count, "plan_fast_path": plan._fast_plan() is not None},
    }


def _rebuild(node: Any, ptr: str, templates: dict[str, Any], values: dict[str, Any]) -> Any:
    from compiler import pointer as jp

    if isinstance(node, str):
        template = templates.get(ptr)
        return node if template is None else template.render(values)
    if isinstance(node, dict):
        return {k: _rebuild(v, jp.join(ptr, k), templates, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebuild(v, jp.join(ptr, i), templates, values) for i, v in enumerate(node)]
    return node


def wall(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{command} failed: {result.stderr[-2000:]}")
    return elapsed


def validate_tree(count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "specs"
        generate(folder, count)
        parse_only = (
            "import glob, yaml\n"
            f"for f in sorted(glob.glob({str(folder)!r} + '/*.yaml')):\n"
            "    yaml.load(open(f, 'rb'), Loader=yaml.CSafeLoader)\n"
        )
        parse = best_of(3, lambda: wall([sys.executable, "-c", parse_only]))
        check = best_of(3, lambda: wall([MSGC, "validate", "-q", str(folder)]))
    return {
        "workload": f"validate {count:,} specs (2 targets x 3 renders)",
        "msgc": f"{check:.2f} s",
        "baseline": f"{parse:.2f} s (CSafeLoader parse only)",
        "ratio": f"{check / parse:.1f}x",
        "target": "< 1.0 s and < 3x parse",
        "met": check < 1.0 and check / parse < 3,
        "raw": {"validate_s": check, "parse_s": parse, "specs": count},
    }


def startup() -> dict[str, Any]:
    runs = [wall([MSGC, "--help"]) for _ in range(7)]
    median = statistics.median(runs)
    imports = subprocess.run(
        [sys.executable, "-c", "import sys, compiler.cli as c; c.cli.main(['--help'], "
         "standalone_mode=False); print('heavy:' + ','.join(m for m in ('httpx', 'jinja2', "
         "'jsonschema') if m in sys.modules))"], capture_output=True, text=True
    ).stdout.strip().splitlines()
    loaded = imports[-1] if imports and imports[-1].startswith("heavy:") else "heavy:"
    python = _python_startup()
    return {
        "workload": "msgc --help (start-up)",
        "msgc": f"{median * 1000:.0f} ms",
        "baseline": f"{python * 1000:.0f} ms (bare python -c pass)",
        "ratio": f"{median / python:.1f}x",
        "note": f"heavy modules loaded by --help: {loaded[6:] or 'none'}",
        "target": "< 150 ms",
        "met": median < 0.150,
        "raw": {"median_s": median, "runs_s": runs},
    }


def _python_startup() -> float:
    return statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(5))


def send_workload(count: int) -> dict[str, Any] | None:
    try:
        from bench_send import run_send
    except ImportError:
        return None
    return run_send(count)


def table(rows: list[dict[str, Any]]) -> str:
    headers = ("workload", "msgc", "baseline", "ratio", "target", "met")
    data = [[str(r[h]) if h != "met" else ("yes" if r["met"] else "NO") for h in headers]
            for r in rows]
    widths = [max(len(h), *(len(d[i]) for d in data)) for i, h in enumerate(headers)]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    sep = "-+-".join("-" * w for w in widths)
    body = [" | ".join(c.ljust(w) for c, w in zip(d, widths, strict=True)) for d in data]
    notes = [f"{r['workload']}: {r['note']}" for r in rows if r.get("note")]
    return "\n".join([line, sep, *body, *(["", *notes] if notes else [])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help="smaller workloads (a smoke run)")
    parser.add_argument("--only", choices=["render", "validate", "send", "startup"])
    args = parser.parse_args()
    n_render = 20_000 if args.quick else 200_000
    n_specs = 200 if args.quick else 1000
    n_send = 5_000 if args.quick else 100_000
    rows: list[dict[str, Any]] = []
    if args.only in (None, "render"):
        for spec, provider in (("promo-carousel", "viber"), ("promo-carousel", "whatsapp"),
                               ("order-shipped", "viber"), ("order-shipped", "whatsapp")):
            rows.append(bulk_render(ROOT / "templates" / f"{spec}.yaml", provider, n_render))
    if args.only in (None, "validate"):
        rows.append(validate_tree(n_specs))
    if args.only in (None, "send"):
        result = send_workload(n_send)
        if result:
            rows.extend(result if isinstance(result, list) else [result])
    if args.only in (None, "startup"):
        rows.append(startup())
    print(f"msgc benchmarks, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
