"""Live-reload latency of ``msgc preview --serve``: from saving a spec to the open page
showing the new text, in Debian's Chromium driven by Playwright.

A folder holds the bundled templates plus one spec being edited (``--specs N`` adds N
generated copies of the bundled specs, for a larger tree). ``msgc preview DIR --serve`` runs
as its own process; the browser opens the edited spec's page; each edit rewrites the spec
with a new text. Edits are spaced by a random 0.3–0.7 s, so they fall at every phase of the
server's watch interval. Two figures per edit, both from the moment the file is written:

- *in the page*: when the reloaded page had the new text in its DOM (its
  ``domContentLoaded``, from the page's own Navigation Timing, on the same clock);
- *seen by the test*: when Playwright's ``wait_for_function`` saw it — what
  ``tests/test_preview_browser.py`` measures, which adds Playwright's own round trips.

    .venv/bin/python bench/preview_live.py                # 20 edits, bundled templates
    .venv/bin/python bench/preview_live.py --edits 40 --specs 300

Prints each edit's figures, then the median, 90th percentile and maximum of each.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = """name: live-edit
description: The spec being edited.
message:
  text: "{text}"
targets:
  whatsapp: {{}}
"""
SHOWS = """text => (document.querySelector('.v-examples .screen') || {innerText: ''})
  .innerText.includes(text)"""
LOADED = """() => performance.timeOrigin
  + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"""


def chromium() -> str:
    found = os.environ.get("MSGC_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not found:
        sys.exit("no Chromium: apt-get install chromium, or set MSGC_CHROMIUM")
    return found


def tree(folder: Path, copies: int) -> int:
    """Fill ``folder``; return how many specs it holds."""
    shutil.copytree(ROOT / "templates", folder, dirs_exist_ok=True)
    bundled = sorted((ROOT / "templates").glob("*.yaml"))
    for i in range(copies):
        source = bundled[i % len(bundled)]
        text = source.read_text(encoding="utf-8")
        name = f"{source.stem}-copy-{i}"
        lines = [f"name: {name}" if line.startswith("name:") else line
                 for line in text.splitlines()]
        (folder / "copies").mkdir(exist_ok=True)
        (folder / "copies" / f"{name}.yaml").write_text("\n".join(lines) + "\n",
                                                       encoding="utf-8")
    (folder / "live-edit.yaml").write_text(SPEC.format(text="Version 0"), encoding="utf-8")
    return len(list(folder.rglob("*.yaml")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--specs", type=int, default=0, help="generated specs to add")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "specs"
        specs = tree(folder, args.specs)
        server = subprocess.Popen(
            [sys.executable, "-c", "from compiler.cli import main; main()", "preview",
             str(folder), "--serve", "--port", "0"],
            cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium(),
                                            args=["--headless", "--no-sandbox", "--disable-gpu"])
                page = browser.new_page()
                page.goto(url + "spec/live-edit.html")
                seen, in_page = [], []
                for i in range(1, args.edits + 1):
                    time.sleep(random.uniform(0.3, 0.7))
                    text = f"Version {i}"
                    (folder / "live-edit.yaml").write_text(SPEC.format(text=text),
                                                           encoding="utf-8")
                    written = time.time()
                    page.wait_for_function(SHOWS, arg=text, polling=10, timeout=60_000)
                    seen.append(time.time() - written)
                    in_page.append(page.evaluate(LOADED) / 1000 - written)
                    print(f"edit {i:3}: in the page {in_page[-1] * 1000:4.0f} ms, seen by the "
                          f"test {seen[-1] * 1000:4.0f} ms", flush=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"{len(seen)} edits, {specs} specs, load average {os.getloadavg()[0]:.1f}")
    for label, figures in (("in the page", in_page), ("seen by the test", seen)):
        figures.sort()
        p90 = figures[min(len(figures) - 1, int(len(figures) * 0.9))]
        print(f"  {label}: median {statistics.median(figures) * 1000:.0f} ms, "
              f"p90 {p90 * 1000:.0f} ms, max {figures[-1] * 1000:.0f} ms")

if __name__ == "__main__":
    main()
