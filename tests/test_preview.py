"""msgc preview without a browser: the site's pages and files, escaping, the page rules the
CSP relies on, determinism, values (examples, worst case, --vars), findings next to each
screen, the drawers' text formatting. (--serve: test_preview_live.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import TEMPLATES, spec_yaml

from compiler.cli import cli
from compiler.diagnostics import Severity
from compiler.preview import site as preview_site
from compiler.preview import textfmt
from compiler.preview.html import Markup, h, render
from compiler.preview.model import collect
from compiler.preview.rebuild import SiteBuilder
from compiler.preview.serve import site_path
from compiler.preview.values import examples, longest, worst_case
from compiler.providers.viber.preview import otp_text
from compiler.providers.whatsapp import textfmt as whatsapp_textfmt
from compiler.spec import load_spec, load_spec_text
from compiler.tuning import Tuning
from compiler.variables import Variable

XSS = "<img src=x onerror=alert(1)>"


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("site")
    result = run("preview", str(TEMPLATES), "-o", str(out))
    assert result.exit_code == 0, result.output
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return out, files


def write_spec(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- the site -----------------------------------------------------------------------------

def test_every_bundled_spec_gets_a_page_and_an_index_row(bundled: tuple[Path, dict[str, bytes]]
                                                         ) -> None:
    _, files = bundled
    specs = sorted(load_spec(p).name for p in TEMPLATES.rglob("*.yaml"))
    assert len(specs) >= 30
    index = files["index.html"].decode()
    for name in specs:
        assert f"spec/{name}.html" in files
        assert f'href="spec/{name}.html"' in index
    assert {"assets/preview.css", "assets/preview.js"} <= set(files)


def test_a_page_shows_each_target_and_locale(bundled: tuple[Path, dict[str, bytes]]) -> None:
    page = bundled[1]["spec/appointment-reminder.html"].decode()
    devices = re.findall(r'data-provider="(\w+)" data-locale="([\w-]*)"', page)
    assert sorted(devices) == sorted((p, loc) for p in ("viber", "whatsapp")
                                     for loc in ("", "ru", "pt-BR"))
    assert 'lang="ru"' in page and "Да, приду" in page


def test_rebuild_is_byte_identical(tmp_path: Path, bundled: tuple[Path, dict[str, bytes]]) -> None:
    again = tmp_path / "again"
    assert run("preview", str(TEMPLATES), "-o", str(again)).exit_code == 0
    files = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*")
             if p.is_file()}
    assert files == bundled[1]


def test_pages_obey_the_csp_they_declare(bundled: tuple[Path, dict[str, bytes]]) -> None:
    for rel, content in bundled[1].items():
        if not rel.endswith(".html"):
            continue
        page = content.decode()
        assert "Content-Security-Policy" in page and "default-src &#x27;none&#x27;" in page
        assert not re.search(r"\sstyle=", page), rel                 # no inline style
        assert not re.search(r"\son[a-z]+=", page), rel              # no inline handler
        assert not re.search(r"<script(?![^>]*\ssrc=)", page), rel   # no inline script
        assert not re.search(r"<(img|iframe|object|embed|video|audio|source)\b", page), rel
        for ref in re.findall(r'\s(?:src|href)="([^"]*)"', page):
            assert not re.match(r"[a-z]+:|//", ref), (rel, ref)     # relative links only


def test_output_folder_keeps_foreign_files_and_drops_stale_pages(tmp_path: Path) -> None:
    src = tmp_path / "specs"
    src.mkdir()
    write_spec(src, "one", spec_yaml({"text": "One"}, "whatsapp"))
    second = write_spec(src, "two", spec_yaml({"text": "Two"}, "whatsapp"))
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert run("preview", str(src), "-o", str(out)).exit_code == 0
    assert (out / "spec" / "two.html").is_file()
    second.unlink()
    assert run("preview", str(src), "-o", str(out)).exit_code == 0
    assert not (out / "spec" / "two.html").exists()
    assert (out / "spec" / "one.html").is_file() and (out / "keep.txt").read_text() == "mine"


def test_usage_errors(tmp_path: Path) -> None:
    result = run("preview", str(TEMPLATES))
    assert result.exit_code == 2 and "-o DIR" in result.output
    result = run("preview", str(tmp_path / "missing"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "no such file or folder" in result.output
    assert not (tmp_path / "out").exists()
    bad = tmp_path / "vars.json"
    bad.write_text("[1, 2]")
    result = run("preview", str(TEMPLATES), "-o", str(tmp_path / "out"), "--vars", str(bad))
    assert result.exit_code == 2 and "JSON object" in result.output
    bad.write_text("{")
    result = run("preview", str(TEMPLATES), "-o", str(tmp_path / "out"), "--vars", str(bad))
    assert result.exit_code == 2 and "not valid JSON" in result.output
    (tmp_path / "file").write_text("x")
    result = run("preview", str(TEMPLATES), "-o", str(tmp_path / "file"))
    assert result.exit_code == 2 and "is a file" in result.output
    assert "Traceback" not in result.output


# -- safety -----------------------------------------------------------------------------------

def test_every_value_is_escaped(tmp_path: Path) -> None:
    text = spec_yaml(
        {"text": "Hi {{ name }} " + XSS, "header": XSS, "footer": XSS,
         "menu": {"button": "Open " + XSS, "sections": [
             {"title": XSS, "rows": [{"id": "r1", "title": "{{ name }}", "description": XSS}]}]}},
        "whatsapp", variables={"name": {"type": "string", "max_length": 40, "example": XSS}})
    write_spec(tmp_path, "xss", text)
    _site, files = preview_site.build([str(tmp_path)])
    page = files["spec/xss.html"].decode()
    assert "<img" not in page and "onerror=alert(1)&gt;" in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 6
    assert "<img" not in files["index.html"].decode()


def test_markup_is_only_what_the_page_skeleton_says() -> None:
    assert render(h("p", {"title": '"><script>'}, "<b>", Markup("<br>"))) == \
        '<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;<br></p>'


# -- values -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("decl", "expected"), [
    ({"type": "string", "max_length": 12, "example": "Anna"}, "Annaxxxxxxxx"),
    ({"type": "string", "pattern": "[A-Z]-[0-9]{1,8}", "max_length": 10, "example": "A-1029"},
     "A-10299999"),
    ({"type": "string", "pattern": "[0-2][0-9]:[0-5][0-9]", "max_length": 5, "example": "15:30"},
     "15:30"),
    ({"type": "string", "enum": ["a", "ccc", "bb"], "example": "a"}, "ccc"),
    ({"type": "integer", "minimum": -1000, "maximum": 30, "example": 3}, -1000),
    ({"type": "integer", "minimum": 1, "maximum": 30, "example": 3}, 30),
    ({"type": "phone", "example": "+7 900 123-45-67"}, "790012345670000"),
    ({"type": "url", "max_length": 30, "example": "https://e.com/a"},
     "https://e.com/axxxxxxxxxxxxxxx"),
])
def test_worst_case_is_the_longest_value_the_declaration_allows(decl: dict[str, Any],
                                                                 expected: Any) -> None:
    var = Variable.from_decl("v", decl)
    value, note = longest(var)
    assert value == expected and note is None
    var.coerce(value)  # it fits its own declaration
    if isinstance(value, str) and var.max_length is not None:
        assert len(value) <= var.max_length


@pytest.mark.parametrize("decl", [
    {"type": "string", "example": "free text"},
    {"type": "integer", "minimum": 1, "example": 3},
    {"type": "string", "pattern": "[a-z]+", "max_length": 3, "min_length": 9, "example": "abc"},
])
def test_unbounded_variables_keep_their_example_and_say_so(decl: dict[str, Any]) -> None:
    var = Variable.from_decl("v", decl)
    value, note = longest(var)
    assert value == decl["example"] and note


def test_worst_case_screen_is_the_longest_message(tmp_path: Path) -> None:
    write_spec(tmp_path, "w", spec_yaml({"text": "Hi {{ n }}!"}, "whatsapp", variables={
        "n": {"type": "string", "max_length": 4096, "example": "Ann"}}))
    site = collect([str(tmp_path)])
    screen = site.specs[0].screens[0]
    assert screen.variants["examples"].payload["text"]["body"] == "Hi Ann!"   # type: ignore[index]
    long = screen.variants["worst"]
    assert long.payload is not None and len(long.payload["text"]["body"]) == 4100
    assert {d.rule for d in long.diagnostics} == {"whatsapp-text-length"}
    html = preview_site.render_site(site)["spec/w.html"].decode()
    assert "With worst-case values" in html and "whatsapp-text-length" in html


def test_vars_file_per_spec_and_shared(tmp_path: Path) -> None:
    write_spec(tmp_path, "a", spec_yaml({"text": "A {{ x }} {{ y }}"}, "whatsapp", variables={
        "x": {"example": "ex"}, "y": {"example": "ey"}}))
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"x": "SHARED", "a": {"y": "OWN"}, "unrelated": 1}))
    out = tmp_path / "site"
    assert run("preview", str(tmp_path / "a.yaml"), "-o", str(out), "--vars", str(values)
               ).exit_code == 0
    page = (out / "spec" / "a.html").read_text()
    assert 'id="mode-vars"' in page and "A SHARED OWN" in page and "A ex ey" in page


def test_vars_that_break_a_declaration_are_shown_as_findings(tmp_path: Path) -> None:
    write_spec(tmp_path, "p", spec_yaml({"text": "Code {{ c }}"}, "whatsapp", variables={
        "c": {"pattern": "[0-9]{4}", "example": "1234"}}))
    site = collect([str(tmp_path)], given={"c": "12ab"})
    variant = site.specs[0].screens[0].variants["vars"]
    assert variant.payload is None and [d.rule for d in variant.diagnostics] == ["variable-value"]
    html = preview_site.render_site(site)["spec/p.html"].decode()
    assert "With your values: 1 error" in html and "Nothing to draw" in html


def test_examples_are_the_samples() -> None:
    spec = load_spec(TEMPLATES / "order-shipped.yaml")
    assert examples(spec.variables).values == {"order_id": "A-1029", "eta_days": 3}
    assert worst_case(spec.variables).values == {"order_id": "A-10299999", "eta_days": 30}


# -- findings next to their screen ---------------------------------------------------------

def test_a_broken_spec_is_previewed_with_its_findings(tmp_path: Path) -> None:
    text = spec_yaml({"text": "x" * 4097}, targets={"whatsapp": {}, "viber": {}})
    path = write_spec(tmp_path, "broken", text)
    site = collect([str(tmp_path)])
    entry = site.specs[0]
    wa = next(s for s in entry.screens if s.provider == "whatsapp")
    vb = next(s for s in entry.screens if s.provider == "viber")
    # WhatsApp: drawn, with the over-long text finding at its line
    assert wa.variants["examples"].payload is not None
    assert [d.rule for d in wa.findings] == ["whatsapp-text-length"]
    assert wa.findings[0].line == 2
    # Viber: text needs a rate_type: nothing to draw, the finding says why
    assert vb.variants["examples"].payload is None
    assert "viber-rate-type-missing" in {d.rule for d in vb.findings}
    html = preview_site.render_site(site)["spec/broken.html"].decode()
    assert "Nothing to draw" in html
    assert f"{path}:2:7" in html or f"{path}:2" in html
    index = preview_site.render_site(site)["index.html"].decode()
    assert "sev-error" in index


def test_a_locale_screen_gets_the_findings_of_the_lines_it_uses(tmp_path: Path) -> None:
    text = spec_yaml({"text": "y" * 4097, "footer": "f", "buttons": [{"id": "a", "title": "A"}]},
                     "whatsapp",
                     locales={"ru": {"message": {"text": "Привет"}},
                              "de": {"message": {"footer": "g"}}})
    write_spec(tmp_path, "loc", text)
    entry = collect([str(tmp_path)]).specs[0]
    rules = {s.locale: sorted(d.rule for d in s.findings) for s in entry.screens}
    rule = "whatsapp-interactive-body-length"
    assert rule in rules[None]
    assert rule in rules["de"]      # de keeps the long default text
    assert rule not in rules["ru"]  # ru has its own text


def test_an_unloadable_file_is_listed_with_its_errors(tmp_path: Path) -> None:
    write_spec(tmp_path, "bad", "message: [unclosed\n")
    site, files = preview_site.build([str(tmp_path)])
    assert site.specs[0].loaded is False
    page = next(c for r, c in files.items() if r.startswith("spec/file-")).decode()
    assert "This file cannot be previewed" in page and "yaml" in page.lower()
    assert "sev-error" in files["index.html"].decode()


def test_spec_level_findings_head_the_page(tmp_path: Path) -> None:
    write_spec(tmp_path, "u", spec_yaml({"text": "Hi"}, "whatsapp", variables={
        "unused": {"example": "x"}}))
    site, files = preview_site.build([str(tmp_path)])
    assert [d.rule for d in site.specs[0].spec_findings] == ["unused-variable"]
    assert "Findings for the whole spec" in files["spec/u.html"].decode()


def test_the_configs_tuning_applies_as_in_validate(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`[tool.msgc] disable` and `severity` change what preview shows as they change what
    validate reports: on the pages (-o) and in the site --serve rebuilds."""
    specs = tmp_path / "specs"
    specs.mkdir()
    write_spec(specs, "u", spec_yaml({"text": "Hi"}, "whatsapp", variables={
        "unused": {"example": "x"}}))
    monkeypatch.chdir(tmp_path)
    shown = run("preview", "specs", "-o", "before")
    assert shown.exit_code == 0, shown.output
    assert "unused-variable" in (tmp_path / "before/spec/u.html").read_text("utf-8")

    (tmp_path / "pyproject.toml").write_text('[tool.msgc]\ndisable = ["unused-variable"]\n',
                                             encoding="utf-8")
    assert run("validate", "specs").output.count("unused-variable") == 0
    hidden = run("preview", "specs", "-o", "after")
    assert hidden.exit_code == 0, hidden.output
    assert "unused-variable" not in (tmp_path / "after/spec/u.html").read_text("utf-8")
    builder = SiteBuilder(["specs"], envelope_defaults={}, given=None,
                          tuning=Tuning(frozenset({"unused-variable"})))
    assert "unused-variable" not in builder.build()["spec/u.html"].decode()
    assert builder.build()["spec/u.html"] == builder.build()["spec/u.html"]  # kept, not re-tuned

    raised = Tuning(severity={"unused-variable": Severity.ERROR})
    site, _ = preview_site.build(["specs"], tuning=raised)
    assert [(d.rule, d.severity) for d in site.specs[0].spec_findings] == [
        ("unused-variable", Severity.ERROR)]


# -- text as the apps draw it -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "html"), [
    ("*bold* _it_ ~gone~", "<strong>bold</strong> <em>it</em> <del>gone</del>"),
    ("*_both_*", "<strong><em>both</em></strong>"),
    ("```*raw*\nline```", '<code class="mono">*raw*\nline</code>'),
    ("2*3*4 and a * b * c", "2*3*4 and a * b * c"),
    ("*not\nacross*", "*not\nacross*"),
    ("see https://x.com/_a_ now", 'see <span class="link">https://x.com/_a_</span> now'),
    ("go to www.e.com.", 'go to <span class="link">www.e.com</span>.'),
    ("*" + XSS + "*", "<strong>&lt;img src=x onerror=alert(1)&gt;</strong>"),
])
def test_whatsapp_formatting(text: str, html: str) -> None:
    assert render(whatsapp_textfmt.whatsapp(text)) == html


def test_viber_text_is_not_formatted() -> None:
    assert render(textfmt.plain("*a* https://v.com")) == '*a* <span class="link">https://v.com</span>'


def test_otp_text_is_the_template_with_its_parameters() -> None:
    assert otp_text("4", {"pin": "482913", "codeValidityTime": 5}) == (
        "Your code is 482913. It's valid for 5 minutes. Please don't share your code with "
        "ANYONE. We'll never call or message you and ask for it.")
    assert otp_text("9", {"pin": "1", "businessPlatformName": "Shop", "codeReason": "you asked"}
                    ).startswith("Shop: Your code is 1. You got this code because you asked.")
    assert otp_text("3", {"pin": "1"}).startswith("{{business_platform_name}}: ")  # type: ignore[union-attr]
    assert otp_text("10", {}) is None


def test_otp_page_shows_the_filled_template(bundled: tuple[Path, dict[str, bytes]]) -> None:
    page = bundled[1]["spec/otp-login.html"].decode()
    assert "Your code is 482913. It&#x27;s valid for 5 minutes." in page or \
        "Your code is 482913. It's valid for 5 minutes." in page
    assert "language &#x27;ru&#x27;" in page or "language 'ru'" in page


def test_site_paths() -> None:
    assert site_path("/") == "index.html"
    assert site_path("/spec/a%20b.html") == "spec/a b.html"


def test_spec_text_names_are_page_names(tmp_path: Path) -> None:
    write_spec(tmp_path, "a", "name: Same\n" + spec_yaml({"text": "1"}, "whatsapp"))
    write_spec(tmp_path, "b", "name: same\n" + spec_yaml({"text": "2"}, "whatsapp"))
    _, files = preview_site.build([str(tmp_path)])
    assert {"spec/Same.html", "spec/same-2.html"} <= set(files)   # distinct on any file system
    assert load_spec_text(spec_yaml({"text": "x"}, "whatsapp")).name == "<string>"


def test_a_provider_without_a_drawer_gets_its_texts_in_one_bubble() -> None:
    from compiler.preview.base import GenericDrawer, drawer_for

    drawer = drawer_for("carrier-pigeon")
    assert isinstance(drawer, GenericDrawer)
    html = render(drawer.draw({"note": {"text": "Coo " + XSS}, "n": 3}, "scroll"))
    assert "/note/text" in html and "Coo &lt;img" in html and "scroll" in html
    assert drawer_for("whatsapp").app == "WhatsApp-like"
