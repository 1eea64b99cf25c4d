"""msgc benchmarks: one command, every workload, each figure next to its baseline from the
same run, its target, and whether it is met.

    python bench/run.py                        # print the table
    python bench/run.py --quick                # smaller workloads (a smoke run)
    python bench/run.py --json out.json --markdown table.md

Workloads (the README's Performance table is the --markdown output of one run):

1. bulk render, for every spec in templates/ and every provider it targets: N recipients
   rendered, lowered, validated and serialised to bytes by msgc's fast path, against the
   usual pipeline (compiled Jinja templates, a reused jsonschema Draft202012Validator,
   json.dumps) in the same run. Rates are per CPU-second of this one process (one core),
   so other jobs on the machine do not distort them.
2. validate a tree: 1,000 generated specs (two targets, two locales each) with
   `msgc validate` as a fresh process: cold (--no-cache) against parsing the same files with
   CSafeLoader in a fresh process; warm with nothing changed and with one file changed.
3. start-up: `msgc validate one-spec.yaml` (--no-cache) and `msgc --help`, against a bare
   `python -c pass`.
4. send: N messages through `msgc send --recipients` to `msgc fake-server` on this machine,
   concurrency 64, and the peak memory of a 1,000,000-row file checked with --dry-run.
5. webhook: callbacks per second and latency of `msgc webhook`, and SIGKILL rounds with
   nothing lost (bench_webhook.py).

Every figure is the best (or, for start-up, the median) of several runs. Benchmarks are
not tests: they print figures and are run on purpose.
"""

from __future__ import annotations

import argparse
import datetime
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

MSGC = str(Path(sys.executable).with_name("msgc"))
#: msgc as users run it: with byte-compiled modules (a shell that sets
#: PYTHONDONTWRITEBYTECODE would make every start-up compile msgc's source again).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def best_of(runs: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(runs))


def result(workload: str, value: str, baseline: str, ratio: str, target: str, met: bool,
           **raw: Any) -> dict[str, Any]:
    return {"workload": workload, "msgc": value, "baseline": baseline, "ratio": ratio,
            "target": target, "met": met, "raw": raw}


# -- 1. bulk render ----------------------------------------------------------------------------

def recipients(spec: Any, count: int) -> list[dict[str, str]]:
    """Rows as a CSV gives them (text), varying per row where a variable's declaration
    leaves room (strings without pattern or enum); every row is valid."""
    rows = []
    for i in range(count):
        row = {}
        for name, var in spec.variables.items():
            sample = str(var.sample)
            if var.type == "string" and not var.enum and not var.pattern:
                varied = (sample + str(i % 97))[: var.max_length or 10**6]
                sample = varied if len(varied) >= (var.min_length or 0) else sample
            row[name] = sample
        rows.append(row)
    return rows


def bulk_render(spec_path: Path, provider: str, count: int) -> dict[str, Any]:
    from jsonschema import Draft202012Validator

    from compiler import load_spec
    from compiler.diagnostics import MsgcError
    from compiler.pipeline import Plan
    from compiler.schemas import load_schema, registry

    spec = load_spec(spec_path)
    rows = recipients(spec, count)
    plan = Plan(spec, provider)
    envelope = {f.payload_key: "79001234567" if f.is_recipient else f.placeholder
                for f in plan.provider.envelope}
    try:
        plan.render(plan.values(rows[1]), envelope)
    except MsgcError:  # the varied values do not fit this spec: use its examples
        rows = [{n: str(v.sample) for n, v in spec.variables.items()}] * count
    name = f"bulk render {spec_path.relative_to(ROOT / 'templates').with_suffix('')} / {provider}"

    def msgc_run() -> float:
        p = Plan(spec, provider)
        start = time.process_time()
        for row in rows:
            p.render(p.values(row), envelope)
        return time.process_time() - start

    usual_validator = Draft202012Validator(load_schema(plan.provider.payload_schema),
                                           registry=registry())
    baseline_rows = rows[: max(count // 25, 1000)]

    def usual_run() -> float:
        p = Plan(spec, provider)
        templates = {ptr: leaf.template for ptr, leaf in p.tree.leaves.items()}
        start = time.process_time()
        for row in baseline_rows:
            values = p.values(row)
            message = _rebuild(p.message, "", templates, values)
            payload = p.provider.lower(message, p.settings, envelope).payload
            errors = list(usual_validator.iter_errors(payload))
            assert not errors
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return time.process_time() - start

    fast = best_of(3, msgc_run)
    usual = best_of(2, usual_run)
    fast_rate = count / fast
    usual_rate = len(baseline_rows) / usual
    return result(name, f"{fast_rate:,.0f} msg/s", f"{usual_rate:,.0f} msg/s usual pipeline",
                  f"{fast_rate / usual_rate:.0f}x", ">= 50,000 msg/s/core, >= 20x",
                  fast_rate >= 50_000 and fast_rate / usual_rate >= 20,
                  msgc_msgs_per_cpu_s=fast_rate, usual_msgs_per_cpu_s=usual_rate,
                  messages=count, fast_path=plan._fast_plan() is not None)


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


def render_specs() -> list[tuple[Path, str]]:
    from compiler import load_spec

    out = []
    for path in sorted((ROOT / "templates").rglob("*.yaml")):
        out += [(path, provider) for provider in load_spec(path).providers]
    return out


# -- 2. validate a tree -------------------------------------------------------------------------

def wall(command: list[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0, 1)
         ) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise RuntimeError(f"{command} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def validate_tree(count: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "specs"
        generate(folder, count)
        env = {**os.environ, "MSGC_CACHE_DIR": str(Path(tmp) / "cache")}
        parse_only = (
            "import glob, yaml\n"
            f"for f in sorted(glob.glob({str(folder)!r} + '/*.yaml')):\n"
            "    yaml.load(open(f, 'rb'), Loader=yaml.CSafeLoader)\n"
        )
        wall([MSGC, "--help"], ok=(0,))  # byte-compile once
        parse = best_of(5, lambda: wall([sys.executable, "-c", parse_only]))
        cold = best_of(3, lambda: wall([MSGC, "validate", "-q", "--no-cache", str(folder)],
                                       env))
        rows.append(result(
            f"validate {count:,} specs, cold (--no-cache)", f"{cold:.2f} s",
            f"{parse:.2f} s CSafeLoader parse only", f"{cold / parse:.1f}x parse",
            "< 1.0 s and < 3x parse", cold < 1.0 and cold / parse < 3,
            validate_s=cold, parse_s=parse, specs=count))
        wall([MSGC, "validate", "-q", str(folder)], env)  # fill the cache
        warm = best_of(5, lambda: wall([MSGC, "validate", "-q", str(folder)], env))
        rows.append(result(
            f"validate {count:,} specs, warm, nothing changed", f"{warm:.2f} s",
            f"{cold:.2f} s cold", f"{cold / warm:.0f}x faster", "< 0.2 s", warm < 0.2,
            validate_s=warm, cold_s=cold))
        changed = folder / "spec-0007.yaml"
        original = changed.read_text("utf-8")
        edits = iter(range(10**6))

        def one_changed() -> float:
            changed.write_text(original + f"# edit {next(edits)}\n", "utf-8")
            return wall([MSGC, "validate", "-q", str(folder)], env)

        partial = best_of(5, one_changed)
        rows.append(result(
            f"validate {count:,} specs, warm, 1 file changed", f"{partial:.2f} s",
            f"{cold:.2f} s cold", f"{cold / partial:.0f}x faster", "< 0.3 s", partial < 0.3,
            validate_s=partial, cold_s=cold))
    return rows


# -- 3. start-up --------------------------------------------------------------------------------

def startup() -> list[dict[str, Any]]:
    wall([MSGC, "--help"], ok=(0,))  # byte-compile once
    bare = statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(9))
    spec = str(ROOT / "templates" / "order-shipped.yaml")
    one = statistics.median(wall([MSGC, "validate", "-q", "--no-cache", spec], ok=(0,))
                            for _ in range(9))
    helped = statistics.median(wall([MSGC, "--help"], ok=(0,)) for _ in range(9))
    return [
        result("msgc validate one-spec.yaml (--no-cache)", f"{one * 1000:.0f} ms",
               f"{bare * 1000:.0f} ms bare python -c pass", f"{one / bare:.1f}x bare",
               "< 150 ms", one < 0.150, median_s=one, bare_s=bare),
        result("msgc --help", f"{helped * 1000:.0f} ms",
               f"{bare * 1000:.0f} ms bare python -c pass", f"{helped / bare:.1f}x bare",
               "< 100 ms", helped < 0.100, median_s=helped, bare_s=bare),
    ]


# -- 4. send ------------------------------------------------------------------------------------

def send_workload(count: int, big: int) -> list[dict[str, Any]]:
    from bench_send import run_send

    return run_send(count, big)


# -- output -------------------------------------------------------------------------------------

HEADERS = ("workload", "msgc", "baseline", "ratio", "target", "met")


def _cells(row: dict[str, Any]) -> list[str]:
    return [str(row[h]) if h != "met" else ("met" if row["met"] else "NOT MET") for h in HEADERS]


def table(rows: list[dict[str, Any]]) -> str:
    data = [_cells(r) for r in rows]
    widths = [max(len(h), *(len(d[i]) for d in data)) for i, h in enumerate(HEADERS)]
    line = " | ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True))
    sep = "-+-".join("-" * w for w in widths)
    body = [" | ".join(c.ljust(w) for c, w in zip(d, widths, strict=True)) for d in data]
    notes = [f"{r['workload']}: {r['note']}" for r in rows if r.get("note")]
    return "\n".join([line, sep, *body, *(["", *notes] if notes else [])])


def markdown(rows: list[dict[str, Any]], header: str) -> str:
    out = [header, "", "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |" for r in rows]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--markdown", help="also write a Markdown table (for the README)")
    parser.add_argument("--quick", action="store_true", help="smaller workloads (a smoke run)")
    parser.add_argument("--only", choices=["render", "validate", "send", "startup",
                                           "webhook"])
    args = parser.parse_args()
    n_render = 5_000 if args.quick else 50_000
    n_specs = 200 if args.quick else 1000
    n_send, n_big = (5_000, 50_000) if args.quick else (20_000, 1_000_000)
    started = datetime.datetime.now(datetime.UTC)
    rows: list[dict[str, Any]] = []
    if args.only in (None, "validate"):
        rows.extend(validate_tree(n_specs))
    if args.only in (None, "startup"):
        rows.extend(startup())
    if args.only in (None, "render"):
        for spec, provider in render_specs():
            rows.append(bulk_render(spec, provider, n_render))
    if args.only in (None, "send"):
        rows.extend(send_workload(n_send, n_big))
    if args.only in (None, "webhook"):
        from bench_webhook import run_webhook

        rows.extend(run_webhook(args.quick))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    header = (f"msgc benchmarks, {started:%Y-%m-%d}, {os.cpu_count()} cores, Python "
              f"{sys.version.split()[0]}, load average {load:.1f} at the end"
              + (" (--quick)" if args.quick else ""))
    print(header)
    print(table(rows))
    met = sum(r["met"] for r in rows)
    print(f"{met} of {len(rows)} targets met")
    if args.json:
        Path(args.json).write_text(json.dumps({"header": header, "rows": rows}, indent=2)
                                   + "\n", encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(markdown(rows, header), encoding="utf-8")


if __name__ == "__main__":
    main()
