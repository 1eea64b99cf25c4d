"""msgc preview in a real browser (Debian's Chromium, driven by Playwright).

For every bundled spec × target × locale, in every values mode: the page loads with no
console error and no request outside the site's own files; every text, button label, list
row and card title of the payload is visible on its chat screen; nothing overflows the
chat column at 360 px; text keeps a contrast of at least 4.5:1 (3:1 when large). A spec
full of ``<img src=x onerror=alert(1)>`` shows it as text. The values switch and the
payload are reachable with the keyboard. ``--serve`` reloads an open page within 2 s of a
spec edit (measured from the save to the page's own domContentLoaded), keeps it through a
moment of broken YAML, leaves pages that did not change alone, opens a missing page when
its spec appears, and a page whose server stopped retries less and less often.

One browser serves every test of this module (all the browser tests), and it is closed
when the module ends: Playwright's sync API runs an event loop in the main thread, which
tests elsewhere (``asyncio.run``) must not find running. The tests never download a browser: they use the
system's Chromium (``.ci/run`` installs it) and skip, naming what is missing, when it is
absent — except in CI (``CI=true``), where a missing browser fails the run.
``MSGC_CHROMIUM=PATH`` drives another Chromium or Chrome.
Set ``MSGC_PREVIEW_SCREENSHOTS=DIR`` to keep a screenshot of every bundled page (an
artifact to look at; they are not compared).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEMPLATES, spec_yaml

from compiler.preview import site as preview_site
from compiler.preview.base import string_leaves
from compiler.preview.model import Site

#: Under pytest-xdist every test of this module runs in one worker, with one browser.
pytestmark = pytest.mark.xdist_group("browser")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
XSS = "<img src=x onerror=alert(1)>"
MODES = ("examples", "worst")


def _chromium() -> str | None:
    """The browser to drive: ``MSGC_CHROMIUM`` when set, else the system's Chromium."""
    chosen = os.environ.get("MSGC_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is missing (pip install -e '.[dev]')"
        chromium = None
    else:
        chromium = _chromium()
        reason = ("no Chromium on this machine (apt-get install chromium, or set "
                  "MSGC_CHROMIUM to a Chromium or Chrome executable)")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Site]:
    out = tmp_path_factory.mktemp("site")
    site, files = preview_site.build([str(TEMPLATES)])
    preview_site.write(out, files)
    return out, site


class Watched:
    """A page with its console errors, uncaught errors, dialogs and requests recorded."""

    def __init__(self, browser: Any, width: int = 360) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 800})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def close(self) -> None:
        self.context.close()


# -- what a screen must show: chosen from the payload, independently of the drawers ---------

SHOWN = {
    "whatsapp": [r"/text/body", r"/(image|video|document)/caption", r"/document/filename",
                 r"/location/(name|address|latitude|longitude)",
                 r"/contacts/\d+/name/formatted_name",
                 r"/interactive/(header|body|footer)/text", r"/interactive/action/button",
                 r"/interactive/action/sections/\d+/title",
                 r"/interactive/action/sections/\d+/rows/\d+/(title|description)",
                 r"/interactive/action/buttons/\d+/reply/title",
                 r"/interactive/action/cards/\d+/body/text",
                 r"/interactive/action/cards/\d+/action/parameters/display_text",
                 r"/interactive/action/cards/\d+/action/buttons/\d+/quick_reply/title"],
    "viber": [r"/messageData/text", r"/messageData/buttonText", r"/messageData/surveyOptions/\d+",
              r"/messageData/carouselItems/\d+/title",
              r"/messageData/carouselItems/\d+/(primary|secondary)Button/label",
              r"/messageData/fileName", r"/messageData/templateParams/\w+"],
}
#: Payload strings that are not text a reader sees (addresses, ids, types, links).
NOT_SHOWN = (r"/(appId|businessPhone|recipient|appkey|phone|functionType|type|rateType|templateId"
             r"|templateLang|link|url|id|actionUrl|buttonLink|imageUrl|videoLink|thumbnail"
             r"|fileLink|fileType|refMessageId)$|^/interactive/action/name$|^/contacts/"
             r"|^/interactive/action/cards/\d+/action/name$|^/messageData/image$")


def expected_texts(provider: str, payload: Any) -> list[str]:
    shown = [re.compile(f"^{p}$") for p in SHOWN[provider]]
    out = []
    for ptr, value in string_leaves(payload):
        if any(p.match(ptr) for p in shown):
            out.append(value)
        else:
            assert re.search(NOT_SHOWN, ptr), f"{provider} payload text {ptr} is not checked"
    return out


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def contains_words(haystack: str, needle: str) -> bool:
    """Whether the words of ``needle`` appear in order, together, in ``haystack`` (so
    formatting marks and line wrapping do not matter)."""
    hay, want = words(haystack), words(needle)
    return any(hay[i:i + len(want)] == want for i in range(len(hay) - len(want) + 1))


SCREENS_JS = """mode => Array.from(document.querySelectorAll('article.device')).map(d => ({
  provider: d.dataset.provider, locale: d.dataset.locale,
  shown: Array.from(d.querySelectorAll('.variant'))
           .filter(v => getComputedStyle(v).display !== 'none').map(v => v.dataset.mode),
  text: d.querySelector('.variant.v-' + mode + ' .screen').innerText,
  screenOverflow: Array.from(d.querySelectorAll('.variant.v-' + mode + ' .screen, .device'))
                    .some(e => e.scrollWidth > e.clientWidth + 1),
}))"""

OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"

CONTRAST_JS = r"""() => {
  const parse = c => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const over = (top, base) => [0, 1, 2].map(i => top[i] * top[3] + base[i] * (1 - top[3])).concat(1);
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((base, top) => over(top, base), [255, 255, 255, 1]);
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (parseInt(style.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) {
      bad.push(`${el.className || el.tagName}: ${ratio.toFixed(2)} "${el.textContent.trim().slice(0, 30)}"`);
    }
  }
  return bad;
}"""


def test_every_bundled_screen_in_a_real_browser(browser: Any, bundled: tuple[Path, Site]) -> None:
    root, site = bundled
    base = root.resolve().as_uri()
    shots = os.environ.get("MSGC_PREVIEW_SCREENSHOTS")
    watched = Watched(browser)
    problems: list[str] = []
    try:
        page = watched.page
        page.goto(f"{base}/index.html")
        problems += [f"index: contrast {b}" for b in page.evaluate(CONTRAST_JS)]
        for entry in site.specs:
            url = f"{base}/spec/{entry.slug}.html"
            page.goto(url)
            assert page.title().startswith(entry.name)
            problems += [f"{entry.name}: contrast {b}" for b in page.evaluate(CONTRAST_JS)]
            for mode in MODES:
                # a click on the switch's label (a dispatched one: Playwright's real clicks
                # wait for animation frames; the keyboard test below uses real input)
                page.dispatch_event(f"label[for=mode-{mode}]", "click")
                if page.evaluate(OVERFLOW_JS) > 0:
                    problems.append(f"{entry.name} ({mode}): the page is wider than 360 px")
                drawn = {(d["provider"], d["locale"]): d for d in page.evaluate(SCREENS_JS, mode)}
                assert len(drawn) == len(entry.screens), entry.name
                for screen in entry.screens:
                    where = f"{entry.name} {screen.provider}/{screen.locale} ({mode})"
                    shown = drawn[(screen.provider, screen.locale or "")]
                    assert shown["shown"] == [mode], where
                    if shown["screenOverflow"]:
                        problems.append(f"{where}: the chat column overflows at 360 px")
                    payload = screen.variants[mode].payload
                    assert payload is not None, where
                    for text in expected_texts(screen.provider, payload):
                        if not contains_words(shown["text"], text):
                            problems.append(f"{where}: {text!r} is not on the screen")
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(shots) / f"{entry.slug}.{mode}.png"),
                                    full_page=True)
            page.dispatch_event("label[for=mode-examples]", "click")
        outside = [u for u in watched.requests if not u.startswith(base + "/")]
        assert not outside, f"requests outside the site: {outside[:5]}"
        assert not watched.errors, watched.errors[:5]
        assert not problems, "\n".join(problems)
    finally:
        watched.close()


def test_hostile_values_stay_text(browser: Any, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    variables = {"v": {"type": "string", "max_length": 60, "example": XSS}}
    (specs / "wa.yaml").write_text(spec_yaml(
        {"text": "*{{ v }}* " + XSS, "header": "{{ v }}", "footer": XSS,
         "menu": {"button": "{{ v }}", "sections": [
             {"title": "T", "rows": [{"id": "a", "title": "R", "description": "{{ v }}"}]}]}},
        "whatsapp", variables=variables), encoding="utf-8")
    (specs / "vb.yaml").write_text(spec_yaml(
        {"text": "{{ v }}", "carousel": [
            {"title": "{{ v }}", "image": "https://e.com/a.jpg",
             "buttons": [{"title": "Go", "url": "https://e.com/"}]},
            {"title": "b", "image": "https://e.com/b.jpg",
             "buttons": [{"title": "Go", "url": "https://e.com/"}]}]},
        "viber", variables=variables), encoding="utf-8")
    out = tmp_path / "site"
    site, files = preview_site.build([str(specs)], given={"v": XSS + " given"})
    preview_site.write(out, files)
    watched = Watched(browser)
    try:
        for entry in site.specs:
            watched.page.goto(f"{out.resolve().as_uri()}/spec/{entry.slug}.html")
            for mode in (*MODES, "vars"):
                watched.page.click(f"label[for=mode-{mode}]")
                assert watched.page.evaluate("document.querySelectorAll('img').length") == 0
                screen = watched.page.inner_text(f"article.device .v-{mode} .screen")
                assert XSS in screen, entry.name
                assert (XSS + " given" in screen) == (mode == "vars"), (entry.name, mode)
        assert not watched.dialogs and not watched.errors
    finally:
        watched.close()


def test_keyboard_reaches_the_switch_and_the_payload(browser: Any, bundled: tuple[Path, Site]
                                                     ) -> None:
    root, _ = bundled
    watched = Watched(browser, width=1280)
    page = watched.page
    try:
        page.goto(f"{root.resolve().as_uri()}/spec/support-menu.html")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name") == "mode":
                break
        assert page.evaluate("document.activeElement.id") == "mode-examples"
        page.keyboard.press("ArrowRight")
        assert page.is_checked("#mode-worst")
        assert page.is_visible("article.device .v-worst .screen")
        assert not page.is_visible("article.device .v-examples .screen")
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Payload JSON" and \
                    page.evaluate("document.activeElement.closest('.variant').dataset.mode") \
                    == "worst":
                break
        page.keyboard.press("Enter")
        assert page.is_visible("article.device .v-worst details[open] pre")
        page.reload()  # the script remembers the choice
        assert page.is_checked("#mode-worst")
    finally:
        watched.close()


#: How long an open page may take to show a saved spec under --serve: issue 14's figure.
#: The idle median is about 0.1 s on a 2-core machine (bench/preview_live.py: from the
#: write to the reloaded page's domContentLoaded), so this is 20 times that.
RELOAD_BOUND = 2.0
#: When the page in view last had its DOM built (its domContentLoaded), in Unix seconds:
#: the wall clock of now, less the page's own monotonic time since then.
LOADED_AT_JS = """() => (Date.now() - (performance.now()
  - performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd)) / 1000"""
#: Long enough for any machine: the test waits for the page, and only then compares the
#: time it took with RELOAD_BOUND.
PATIENCE_MS = 60_000


def screen_shows(text: str) -> str:
    return ("() => (document.querySelector('.v-examples .screen') || {innerText: ''})"
            f".innerText.includes({text!r})")


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    """``msgc preview DIR --serve`` on a folder with one spec: (folder, URL, process)."""
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "live.yaml").write_text(spec_yaml({"text": "First version"}, "whatsapp"),
                                      encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from compiler.cli import main; main()", "preview",
         str(folder), "--serve", "--port", "0"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else url
        yield folder, url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_reloads_an_open_page_when_its_spec_changes(
        browser: Any, served: tuple[Path, str, subprocess.Popen[str]]) -> None:
    folder, url, _ = served
    spec = folder / "live.yaml"
    watched = Watched(browser)
    try:
        page = watched.page
        page.goto(url + "spec/live.html")
        assert "First version" in page.inner_text(".v-examples .screen")
        spec.write_text(spec_yaml({"text": "Second version, edited"}, "whatsapp"),
                        encoding="utf-8")
        written = time.time()
        page.wait_for_function(screen_shows("Second version"), polling=10, timeout=PATIENCE_MS)
        took = page.evaluate(LOADED_AT_JS) - written
        assert took < RELOAD_BOUND, f"the page showed the edit {took:.2f} s after the save"
        # broken YAML mid-edit: the same page shows why, then the fixed spec again
        spec.write_text("message: [unclosed\n", encoding="utf-8")
        page.wait_for_function("() => document.body.innerText.includes('cannot be previewed')",
                               polling=10, timeout=PATIENCE_MS)
        spec.write_text(spec_yaml({"text": "Third version"}, "whatsapp"), encoding="utf-8")
        page.wait_for_function(screen_shows("Third version"), polling=10, timeout=PATIENCE_MS)
        assert not watched.errors
        outside = [u for u in watched.requests if not u.startswith(url)]
        assert not outside
    finally:
        watched.close()


def test_serve_reloads_only_the_pages_that_changed_and_opens_a_page_when_it_appears(
        browser: Any, served: tuple[Path, str, subprocess.Popen[str]]) -> None:
    folder, url, _ = served
    watched = Watched(browser)
    later = watched.context.new_page()
    try:
        page = watched.page
        page.goto(url + "spec/live.html")
        page.evaluate("() => { window.notReloaded = true; }")
        assert page.evaluate("() => document.visibilityState") == "visible"
        answer = later.goto(url + "spec/later.html")
        assert answer is not None and answer.status == 404
        (folder / "later.yaml").write_text(spec_yaml({"text": "Here now"}, "whatsapp"),
                                           encoding="utf-8")
        later.wait_for_function(screen_shows("Here now"), polling=10, timeout=PATIENCE_MS)
        # the index changed (a new row), live.html did not: it was not reloaded
        assert page.evaluate("() => window.notReloaded") is True
        assert not watched.errors
    finally:
        watched.close()


def test_a_page_whose_server_stopped_backs_off(
        browser: Any, served: tuple[Path, str, subprocess.Popen[str]]) -> None:
    _, url, proc = served
    watched = Watched(browser)
    try:
        page = watched.page
        with page.expect_request(lambda r: "/_msgc/wait" in r.url, timeout=PATIENCE_MS):
            page.goto(url + "spec/live.html")
        proc.terminate()
        proc.wait(timeout=30)
        asked = len([u for u in watched.requests if "/_msgc/wait" in u])
        started = time.monotonic()
        page.wait_for_timeout(1500)
        elapsed = time.monotonic() - started
        retries = len([u for u in watched.requests if "/_msgc/wait" in u]) - asked
        # 0.5 s, then 1 s, 2 s, ... between tries: at most 1 + log2(elapsed / 0.5) + 1 of
        # them, however slow the machine (a slower one tries less, never more)
        assert retries <= 2 + max(0.0, math.log2(elapsed / 0.5)), retries
        assert page.evaluate("() => document.title").startswith("live")
    finally:
        watched.close()
