"""``msgc preview --serve`` without a browser: the HTTP handler and its long-poll endpoint,
the incremental rebuild (byte-identical to a full build after every edit of a sequence that
renames, duplicates, breaks and adds specs), and the file watcher. The browser side is in
test_preview_browser.py."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, spec_yaml

from compiler.config_file import DEFAULT_EXCLUDE
from compiler.preview import pages, rebuild, serve
from compiler.preview import site as preview_site
from compiler.preview.rebuild import SiteBuilder
from compiler.preview.serve import GONE, LiveSite, make_handler
from compiler.preview.watch import EMPTY_GRACE, Watcher

HOLD = 60.0  # the fixture server's hold: a test that needs it to run out would be slow


# -- the server ------------------------------------------------------------------------------

@pytest.fixture()
def server() -> Iterator[tuple[LiveSite, int]]:
    live = LiveSite()
    live.publish({"index.html": b'<meta name="msgc-live" content=""><p>v1</p>',
                  "assets/preview.css": b"p{}"})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(live, lambda: port, hold=HOLD))
    srv.daemon_threads = True
    port = srv.server_address[1]
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield live, port
    live.close()
    srv.shutdown()
    srv.server_close()


def get(port: int, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HOLD * 2)
    conn.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    return answer.status, dict(answer.getheaders()), data


def page_digest(body: bytes) -> str:
    found = re.search(rb'name="msgc-live" content="(\w*)"', body)
    assert found is not None
    return found[1].decode()


def in_background(port: int, path: str) -> tuple[threading.Thread, list[Any]]:
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(get(port, path)), daemon=True)
    thread.start()
    return thread, answers


def test_serve_answers_pages_digests_and_refuses_other_hosts(server: tuple[LiveSite, int]
                                                             ) -> None:
    live, port = server
    status, headers, body = get(port, "/")
    assert status == 200 and b"<p>v1</p>" in body
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "connect-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    digest = page_digest(body)
    assert digest and get(port, "/_msgc/wait?path=/")[2].decode() == digest  # no digest: now
    assert live.publish({"index.html": b'<meta name="msgc-live" content=""><p>v2</p>'}) \
        == ["index.html"]
    assert get(port, "/_msgc/wait?path=/")[2].decode() not in ("", digest)
    assert get(port, "/_msgc/wait?path=/spec/nope.html")[2] == GONE.encode()
    assert get(port, "/_msgc/wait?path=/index.html&digest=" + digest)[2] != digest.encode()
    assert get(port, "/spec/nope.html")[0] == 404
    assert get(port, "/", host="evil.example:80")[0] == 421
    assert get(port, "/_msgc/wait?path=/", host="evil.example:80")[0] == 421
    assert get(port, "/", host=f"localhost:{port}")[0] == 200


def test_a_held_request_is_answered_when_its_page_changes(server: tuple[LiveSite, int]) -> None:
    live, port = server
    old = page_digest(get(port, "/")[2])
    other = live.digest("assets/preview.css")
    thread, answers = in_background(port, f"/_msgc/wait?path=/&digest={old}")
    # a change elsewhere does not answer it; the page's own change does
    live.publish({"index.html": b'<meta name="msgc-live" content=""><p>v1</p>',
                  "assets/preview.css": b"p{color:red}"})
    assert other == GONE and thread.is_alive()
    live.publish({"index.html": b'<meta name="msgc-live" content=""><p>v3</p>'})
    thread.join(HOLD * 2)
    status, headers, body = answers[0]
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert body.decode() == live.digest("index.html") != old


def test_a_held_request_ends_when_the_page_goes_or_the_server_stops(
        server: tuple[LiveSite, int]) -> None:
    live, port = server
    old = live.digest("index.html")
    thread, answers = in_background(port, f"/_msgc/wait?path=/&digest={old}")
    live.publish({"assets/preview.css": b"p{}"})
    thread.join(HOLD * 2)
    assert answers[0][2] == GONE.encode()
    thread, answers = in_background(port, f"/_msgc/wait?path=/&digest={GONE}")
    live.close()
    thread.join(HOLD * 2)
    assert answers[0][0] == 503


def test_a_missing_page_waits_for_its_spec(server: tuple[LiveSite, int]) -> None:
    _live, port = server
    status, headers, body = get(port, "/spec/later.html")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert page_digest(body) == GONE
    assert f'src="/{pages.SCRIPT}"'.encode() in body and b"<script>" not in body


def test_an_unchanged_digest_is_answered_when_the_hold_runs_out() -> None:
    live = LiveSite()
    live.publish({"index.html": b'<meta name="msgc-live" content="">'})
    digest = live.digest("index.html")
    assert live.wait("index.html", digest, 0.01) == digest


def test_a_held_request_ends_when_its_client_leaves(server: tuple[LiveSite, int],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    live, port = server
    monkeypatch.setattr(serve, "RECHECK_SECONDS", 0.01)
    ended = threading.Event()
    real_wait = live.wait

    def wait(*args: Any, **kw: Any) -> str | None:
        try:
            return real_wait(*args, **kw)
        finally:
            ended.set()

    monkeypatch.setattr(live, "wait", wait)
    digest = live.digest("index.html")
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET /_msgc/wait?path=/&digest={digest} HTTP/1.1\r\n"
                     f"Host: 127.0.0.1:{port}\r\n\r\n".encode())
        assert not ended.wait(0.2)  # held while the client waits
    assert ended.wait(HOLD / 2)     # and released soon after it left (not after HOLD)


# -- the incremental rebuild -------------------------------------------------------------------

def spec(name: str, text: str, provider: str = "whatsapp", **kw: Any) -> str:
    return f"name: {name}\ndescription: About {name}.\n" + spec_yaml({"text": text}, provider,
                                                                       **kw)


@pytest.fixture()
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The spec pages drawn (not reused) by the builder, by page name."""
    calls: list[str] = []
    real = pages.spec_page

    def spec_page(site: Any, entry: Any) -> bytes:
        calls.append(entry.slug)
        return real(site, entry)

    monkeypatch.setattr(pages, "spec_page", spec_page)
    return calls


def test_an_edited_spec_is_drawn_again_alone_and_the_site_equals_a_full_build(
        tmp_path: Path, drawn: list[str]) -> None:
    root = tmp_path / "specs"
    (root / "sub").mkdir(parents=True)
    (root / "a.yaml").write_text(spec("alpha", "Hello A"), encoding="utf-8")
    (root / "b.yaml").write_text(spec("beta", "Hello B", "viber",
                                      locales={"es": {"message": {"text": "Hola B"}}}),
                                 encoding="utf-8")
    (root / "sub" / "c.yaml").write_text(spec("gamma", "Hello C"), encoding="utf-8")
    (root / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    builder = SiteBuilder([str(root)], envelope_defaults={}, given=None)

    def step(expect_drawn: list[str] | None, full: bool = False) -> dict[str, bytes]:
        kept = dict(builder.page_names)
        fulls = builder.full_builds
        drawn.clear()
        files = builder.build()
        drawn_now = sorted(drawn)
        _, expected = preview_site.build([str(root)], keep_pages=kept)
        assert files == expected
        assert builder.full_builds == fulls + full
        if expect_drawn is not None:
            assert drawn_now == sorted(expect_drawn)
        return files

    first = step(None, full=True)
    assert step([]) == first                        # nothing changed: nothing drawn
    (root / "a.yaml").write_text(spec("alpha", "Hello again A"), encoding="utf-8")
    after = step(["alpha"])
    assert {k for k in first if first[k] != after[k]} == {"spec/alpha.html"}  # not the index
    (root / "b.yaml").write_text(spec("beta", "Hola otra vez", "viber",
                                      locales={"es": {"message": {"text": "Hola B"}}}),
                                 encoding="utf-8")
    step(["beta"])
    # a.yaml takes b.yaml's name: b.yaml, unchanged, is now a duplicate -> full rebuild
    (root / "a.yaml").write_text(spec("beta", "Hello A"), encoding="utf-8")
    files = step(None, full=True)
    assert b"duplicate-name" in files["spec/beta.html"]
    assert "spec/alpha.html" in files                # the renamed file keeps its page
    (root / "a.yaml").write_text(spec("alpha", "Hello A"), encoding="utf-8")
    files = step(None, full=True)
    assert b"duplicate-name" not in files["spec/beta.html"]
    (root / "sub" / "c.yaml").write_text("name: gamma\nmessage: [unclosed\n", encoding="utf-8")
    assert b"cannot be previewed" in step(["gamma"])["spec/gamma.html"]
    (root / "sub" / "c.yaml").write_text(spec("gamma", "Hello C"), encoding="utf-8")
    step(["gamma"])
    (root / "notes.yaml").write_text(spec("delta", "Hello D"), encoding="utf-8")
    (root / "b.yaml").unlink()
    files = step(["delta"])
    assert "spec/delta.html" in files and "spec/beta.html" not in files
    (root / "sub" / "c.yaml").write_text(spec("gamma", "Hello C", "viber"), encoding="utf-8")
    (root / "sub" / "e.yaml").write_text(spec("epsilon", "Hello E"), encoding="utf-8")
    files = step(["epsilon", "gamma"])
    # the served site is what `msgc preview -o` writes for these files
    out = tmp_path / "out"
    assert run_cli(["preview", str(root), "-o", str(out)], tmp_path).exit_code == 0
    written = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
               if p.is_file() and p.name != preview_site.LISTING}
    assert written == files


def test_a_failed_build_is_followed_by_a_full_one(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text(spec("alpha", "Hello"), encoding="utf-8")
    builder = SiteBuilder([str(tmp_path)], envelope_defaults={}, given=None)
    builder.build()
    (tmp_path / "a.yaml").write_text(spec("alpha", "Hello again"), encoding="utf-8")

    def broken(*args: Any) -> Any:
        raise RuntimeError("drawing failed")

    with monkeypatch.context() as patch:
        patch.setattr(rebuild, "spec_entry", broken)
        with pytest.raises(RuntimeError):
            builder.build()
    assert builder.build() == preview_site.build([str(tmp_path)])[1]
    assert builder.full_builds == 2


# -- the watcher -------------------------------------------------------------------------------

def touch(path: Path, text: str, *, mtime_ns: int | None = None) -> None:
    path.write_text(text, encoding="utf-8")
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


def test_the_watcher_sees_edits_new_removed_and_renamed_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    spec_file = tmp_path / "sub" / "a.yaml"
    touch(spec_file, "a: 1\n")
    vars_file = tmp_path / "vars.json"
    touch(vars_file, "{}")
    watcher = Watcher([str(tmp_path)], exclude=DEFAULT_EXCLUDE, extra=[vars_file])
    assert watcher.changed() == set()
    touch(spec_file, "a: 12\n")
    assert watcher.changed() == {spec_file}
    assert watcher.changed() == set()
    touch(tmp_path / "sub" / "b.yml", "b: 1\n")
    assert watcher.changed() == {tmp_path / "sub" / "b.yml"}
    (tmp_path / "deep" / "er").mkdir(parents=True)
    touch(tmp_path / "deep" / "er" / "c.yaml", "c: 1\n")
    assert watcher.changed() == {tmp_path / "deep" / "er" / "c.yaml"}
    # an editor's save: write a temporary file, rename it over the spec
    touch(tmp_path / "sub" / ".a.yaml.tmp", "a: 3\n")
    os.replace(tmp_path / "sub" / ".a.yaml.tmp", spec_file)
    assert watcher.changed() == {spec_file}
    (tmp_path / "sub" / "b.yml").unlink()
    assert watcher.changed() == {tmp_path / "sub" / "b.yml"}
    touch(vars_file, '{"x": 1}')
    assert watcher.changed() == {vars_file}
    # what no build reads is not watched
    for ignored in (".hidden/x.yaml", "node_modules/x.yaml", "sub/readme.txt"):
        (tmp_path / ignored).parent.mkdir(exist_ok=True)
        touch(tmp_path / ignored, "x: 1\n")
    assert watcher.changed() == set()
    assert sorted(watcher.files) == sorted([spec_file, tmp_path / "deep" / "er" / "c.yaml",
                                            vars_file])


def test_the_watcher_compares_bytes_while_the_clock_could_hide_an_edit(tmp_path: Path) -> None:
    spec_file = tmp_path / "a.yaml"
    touch(spec_file, "a: 1\n")
    stamp = spec_file.stat().st_mtime_ns
    watcher = Watcher([str(spec_file)], exclude=DEFAULT_EXCLUDE)
    touch(spec_file, "a: 2\n", mtime_ns=stamp)      # same size, same time stamp
    assert watcher.changed() == {spec_file}
    # a new file whose folder keeps its time stamp (a coarse clock) is seen too
    folder_stamp = tmp_path.stat().st_mtime_ns
    watcher = Watcher([str(tmp_path)], exclude=DEFAULT_EXCLUDE)
    touch(tmp_path / "b.yaml", "b: 1\n")
    os.utime(tmp_path, ns=(folder_stamp, folder_stamp))
    assert watcher.changed() == {tmp_path / "b.yaml"}


def test_the_watcher_follows_a_path_that_appears(tmp_path: Path) -> None:
    later = tmp_path / "later"
    watcher = Watcher([str(later)], exclude=DEFAULT_EXCLUDE)
    assert watcher.changed() == set()
    later.mkdir()
    touch(later / "a.yaml", "a: 1\n")
    assert later / "a.yaml" in watcher.changed()


def test_an_empty_file_is_reported_once_it_stays_empty(tmp_path: Path) -> None:
    now = [100.0]
    spec_file = tmp_path / "a.yaml"
    touch(spec_file, "a: 1\n")
    watcher = Watcher([str(tmp_path)], exclude=DEFAULT_EXCLUDE, clock=lambda: now[0])
    touch(spec_file, "")                         # truncated, perhaps mid-save ...
    assert watcher.changed() == set()
    now[0] += EMPTY_GRACE / 2                    # ... on a busy machine, for a while
    assert watcher.changed() == set()
    touch(spec_file, "a: 22\n")                   # ... and written: one change
    assert watcher.changed() == {spec_file}
    touch(spec_file, "")                         # emptied for good
    assert watcher.changed() == set()
    now[0] += EMPTY_GRACE * 0.99
    assert watcher.changed() == set()
    now[0] += EMPTY_GRACE * 0.02
    assert watcher.changed() == {spec_file}
    assert watcher.changed() == set()
    now[0] += EMPTY_GRACE * 5
    assert watcher.changed() == set()             # reported once


# -- all of it: the served site follows the files ----------------------------------------------

def test_the_served_site_is_what_msgc_preview_writes_after_each_edit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "specs"
    root.mkdir()
    (root / "a.yaml").write_text(spec("alpha", "Hello A"), encoding="utf-8")
    (root / "b.yaml").write_text(spec("beta", "Hello B", "viber"), encoding="utf-8")
    stop = threading.Event()
    thread = threading.Thread(target=serve.serve_forever, args=([str(root)],), kwargs={
        "port": 0, "out_dir": None, "envelope_defaults": {}, "vars_file": None, "stop": stop},
        daemon=True)
    thread.start()
    printed = ""
    while "\n" not in printed:
        assert thread.is_alive()
        printed += capsys.readouterr().out
        stop.wait(0.01)
    port = int(printed.split(":")[2].split("/")[0])

    def served_equals_written(removed: tuple[str, ...] = ()) -> None:
        out = tmp_path / "out"
        assert run_cli(["preview", str(root), "-o", str(out)], tmp_path).exit_code == 0
        for path in out.rglob("*"):
            rel = path.relative_to(out).as_posix()
            if path.is_file() and rel != preview_site.LISTING:
                status, _, body = get(port, "/" + rel)
                assert status == 200
                assert re.sub(rb'(name="msgc-live" content=")\w+"', rb'\1"', body) \
                    == path.read_bytes(), rel
        for rel in removed:
            assert get(port, "/" + rel)[0] == 404

    def after(edit: Any, page: str) -> None:
        """Make ``edit``, and wait (held by the server) until ``page`` changed."""
        digest = page_digest(get(port, "/" + page)[2]) if get(port, "/" + page)[0] == 200 \
            else GONE
        edit()
        assert get(port, f"/_msgc/wait?path=/{page}&digest={digest}")[2] != digest.encode()

    try:
        served_equals_written()
        after(lambda: (root / "a.yaml").write_text(spec("alpha", "Edited A"), encoding="utf-8"),
              "spec/alpha.html")
        served_equals_written()
        after(lambda: (root / "c.yaml").write_text(spec("gamma", "New C"), encoding="utf-8"),
              "spec/gamma.html")
        served_equals_written()
        after(lambda: (root / "b.yaml").unlink(), "spec/beta.html")
        served_equals_written(removed=("spec/beta.html",))
    finally:
        stop.set()
        thread.join(HOLD)
    assert not thread.is_alive()



@pytest.mark.parametrize(("sig", "inherited"), [
    (signal.SIGINT, signal.SIG_DFL),
    (signal.SIGINT, signal.SIG_IGN),   # started in the background by a script
    (signal.SIGTERM, signal.SIG_DFL),
], ids=["ctrl-c", "ctrl-c-after-inheriting-ignore", "sigterm"])
def test_a_signal_stops_the_server_cleanly(tmp_path: Path, sig: int, inherited: Any) -> None:
    """Ctrl-C and SIGTERM stop ``preview --serve`` with exit 0 and no traceback, like
    ``fake-server`` and ``webhook``; also when the process inherited SIGINT ignored (a
    shell's background job), which once left the server running."""
    (tmp_path / "a.yaml").write_text(spec_yaml({"text": "hi"}, "whatsapp"), encoding="utf-8")

    def inherit() -> None:
        signal.signal(signal.SIGINT, inherited)

    process = subprocess.Popen(
        [sys.executable, "-c", "from compiler.cli import main; main()", "preview",
         str(tmp_path / "a.yaml"), "--serve", "--port", "0"], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=inherit)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("http://127.0.0.1:")
        process.send_signal(sig)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "interrupted" not in err
