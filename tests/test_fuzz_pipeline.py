"""Fuzzing the whole pipeline: whatever comes in, msgc answers with a valid payload or with
its own located diagnostics, never with another exception.

Four generators feed ``load -> check -> render -> lower -> validate``:

* arbitrary YAML trees (wrong types, huge numbers, NaN, odd Unicode, empty documents,
  lists where mappings belong), biased toward msgc's vocabulary so that many get past the
  spec schema and deep into rendering and lowering;
* byte-level mutations of the bundled templates (random bytes, truncation, indentation
  damage, YAML features msgc refuses);
* arbitrary variable values (any JSON type, huge strings, template syntax) for the bundled
  templates;
* the CLI (``validate``, ``build``, ``render``) on fuzzed files.

Every example is small and the default number of examples keeps this file at about ten
seconds; ``MSGC_FUZZ_EXAMPLES=N`` raises every test's example count for a long run. Inputs
that once broke msgc live in ``tests/fuzz_corpus/`` and are replayed by
:func:`test_corpus_inputs_keep_their_promise`.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import ENVELOPES, TEMPLATES
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from compiler import providers
from compiler.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, cli
from compiler.diagnostics import Diagnostic, MsgcError
from compiler.pipeline import Plan
from compiler.schemas import full_validator
from compiler.source import load_bytes
from compiler.spec import check_document, load_spec

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.yaml"))
RULE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PROVIDERS = ("viber", "whatsapp")


#: A long run is made of Hypothesis runs of at most this many examples, one after another:
#: Hypothesis keeps what each example drew until its run ends, so one 5,000-example run
#: grew past 500 MB where five of 1,000 stay near 150 MB.
FUZZ_CHUNK = 1000


def fuzz_settings(default: int, **kw: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """``default`` examples, or ``MSGC_FUZZ_EXAMPLES`` for a long run (in chunks of
    :data:`FUZZ_CHUNK`, each exploring afresh); no example database (the corpus keeps what
    matters), no deadline (the first render compiles templates)."""
    long_run = os.environ.get("MSGC_FUZZ_EXAMPLES")
    total = int(long_run or default)
    runs = math.ceil(total / FUZZ_CHUNK)
    per_run = math.ceil(total / runs)
    chosen = settings(max_examples=per_run, deadline=None, database=None, print_blob=True,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                             HealthCheck.filter_too_much],
                      **({"derandomize": False} if long_run else {}), **kw)

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        test = chosen(test)
        if runs == 1:
            return test

        @functools.wraps(test)
        def chunked(*args: Any, **kwargs: Any) -> None:
            for _ in range(runs):
                test(*args, **kwargs)

        return chunked

    return decorate


# -- the property ------------------------------------------------------------------------------

def check_diagnostics(exc: MsgcError, filename: str) -> list[Diagnostic]:
    """An MsgcError must explain itself: an error, each finding with a rule id, a message and
    the file it is about, and a line within the file when it has one."""
    diags = exc.diagnostics
    assert any(d.is_error for d in diags), exc
    for d in diags:
        assert RULE_RE.match(d.rule), d
        assert d.message.strip(), d
        assert d.file == filename, d
        assert d.line is None or d.line >= 1, d
        assert d.column is None or (d.line is not None and d.column >= 1), d
        d.format()
    return diags


def check_payload(provider: str, payload: dict[str, Any], body: bytes) -> None:
    schema = providers.get(provider).payload_schema
    errors = [e.message for e in full_validator(schema).iter_errors(payload)]
    assert errors == [], errors
    assert providers.get(provider).check_payload(payload) == []
    assert json.loads(body) == payload


def run_pipeline(raw: bytes, filename: str = "fuzz.yaml") -> list[str]:
    """Load, check, then render every target x locale with the examples, three times (a
    plan switches to its fast path after its first render): each answer is a valid payload
    or an MsgcError explained by :func:`check_diagnostics`, and the same every time."""
    try:
        spec = check_document(load_bytes(raw, filename))
    except MsgcError as exc:
        return [f"rejected: {sorted({d.rule for d in check_diagnostics(exc, filename)})[0]}"]
    outcomes = []
    for provider in spec.providers:
        for locale in (None, *spec.locales):
            try:
                plan = Plan(spec, provider, locale)
            except MsgcError as exc:
                check_diagnostics(exc, filename)
                outcomes.append(f"{provider}: rejected")
                continue
            answers: list[tuple[str, Any]] = []
            for _ in range(3):
                try:
                    rendered = plan.render(plan.values({}, samples=True), ENVELOPES[provider])
                except MsgcError as exc:
                    answers.append(("error", sorted({d.rule for d in check_diagnostics(
                        exc, filename)})))
                    continue
                check_payload(provider, rendered.payload, rendered.body)
                answers.append(("ok", rendered.body))
            assert answers.count(answers[0]) == 3, answers
            outcomes.append(f"{provider}: {'accepted' if answers[0][0] == 'ok' else 'rejected'}")
    return outcomes


def run_values(spec_path: Path, provider: str, locale: str | None,
               given: dict[str, Any]) -> str:
    """Arbitrary values for a spec: coerced and rendered, or refused with diagnostics."""
    spec = load_spec(spec_path)
    plan = Plan(spec, provider, locale)
    try:
        values = plan.values(given)
    except MsgcError as exc:
        check_diagnostics(exc, str(spec_path))
        return "values refused"
    answers: list[Any] = []
    for _ in range(3):
        try:
            rendered = plan.render(values, ENVELOPES[provider])
        except MsgcError as exc:
            answers.append(sorted({d.rule for d in check_diagnostics(exc, str(spec_path))}))
            continue
        check_payload(provider, rendered.payload, rendered.body)
        answers.append(rendered.body)
    assert answers.count(answers[0]) == 3, answers
    return "rendered" if isinstance(answers[0], bytes) else "render refused"


# -- YAML trees ----------------------------------------------------------------------------------

ODD = ["", " ", "\u202e", "\u200f", "\u200b", "\ufeff", "\x00", "\x85", "\u2028", "\t", "\r\n",
       "😀", "ж", "中文", "\U0010fffd", "ﷺ", "e\u0301", "\x1b[31m", "\\", '"', "'", "#", "&a", "*a",
       ": ", "- ", "{", "}", "[", "]", "%", "@", "`", "!", "|", ">", "~", "null", "yes", "0x1F"]
CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
odd_text = st.lists(st.sampled_from(ODD) | st.text(CHARS, max_size=6), max_size=5).map("".join)
JINJA = ["{{ v }}", "{{ n }}", "{{ v | upper }}", "{{ v[:3] }}", "{% if n > 3 %}big{% endif %}",
         "{% for i in range(3) %}{{ i }}{% endfor %}", "{{ ''.__class__ }}", "{{ 'x' * 10**6 }}",
         "{% for i in range(10**9) %}x{% endfor %}", "{{", "{%", "}}", "{# c #}", "{{ nope }}",
         "{{ v ~ n }}", "{{ n * 2 }}", "{{ v.__len__() }}", "{{ '%s' % v }}", "{{ v|e }}",
         "{% raw %}{{ v }}{% endraw %}", "{{ self }}", "{{ range(n) | list }}",
         "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{{ 9 ** 99 }}"]
template_text = st.lists(st.sampled_from(JINJA) | odd_text, min_size=1, max_size=4).map("".join)
plain_text = st.text(CHARS, min_size=1, max_size=30).filter(lambda s: "{" not in s)
SIMPLE_TEMPLATES = ["Hi {{ v }}!", "{{ v }}", "{{ n }} items", "Order {{ v | upper }}",
                    "{{ 'a' if n == 1 else 'b' }}", "{% if n > 3 %}many{% else %}few{% endif %}"]
URLS = ["https://cdn.example.com/a.jpg", "http://x.io/f.pdf", "https://x.io/v.mp4",
        "https://x.io/{{ v }}.png", "ftp://x.io/a", "https://", "not a url", "https://x.io/a b"]
numbers = st.one_of(st.integers(-3, 700), st.integers(), st.builds(pow, st.just(10), st.just(400)),
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, 1, 5, 10]))
scalars = st.one_of(
    odd_text, template_text, st.sampled_from(URLS), numbers, st.booleans(), st.none(),
    st.sampled_from(["Promotional", "Transactional", "Session", "OtpTemplate", "string",
                     "integer", "number", "boolean", "url", "date", "phone", "pdf", "en", "ru",
                     "2025-02-30", "2025-01-11", "+7 900 123-45-67", "1.5", "1e999", "NaN"]),
)
VOCAB = ["name", "description", "variables", "message", "targets", "locales", "text", "header",
         "footer", "image", "video", "document", "audio", "sticker", "location",
         "request_location", "contacts", "buttons", "choices", "menu", "carousel", "otp",
         "reply_to", "url", "title", "id", "filename", "type", "size", "duration", "thumbnail",
         "latitude", "longitude", "address", "button", "sections", "rows", "template", "params",
         "language", "rate_type", "appkey", "business_phone", "app_id", "list_button",
         "list_title", "example", "default", "max_length", "min_length", "pattern", "enum",
         "minimum", "maximum", "viber", "whatsapp", "ru", "pt-BR", "v", "n", "<<", "tetx"]
def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any], odds: int = 5
           ) -> st.SearchStrategy[Any]:
    """``good``, and one time in ``odds`` ``bad`` (``one_of`` would draw each half the time).
    ``bad`` sits at the *largest* choice: when an example nears hypothesis's size limit,
    later choices are forced to their simplest (zero), which here means ``good``."""
    return st.integers(0, odds - 1).flatmap(lambda i: bad if i == odds - 1 else good)


keys = mostly(st.sampled_from(VOCAB), odd_text, 3)
trees = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=25)
small_trees = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=2), st.dictionaries(keys, inner, max_size=2)), max_leaves=3)

TYPES = ["string", "integer", "number", "boolean", "url", "date", "phone"]
EXAMPLES: dict[str, st.SearchStrategy[Any]] = {
    "string": odd_text | template_text, "integer": numbers, "number": numbers,
    "boolean": st.booleans() | st.sampled_from(["yes", "off", "maybe"]),
    "url": st.sampled_from(URLS), "date": st.sampled_from(["2025-01-11", "2025-02-30", "x"]),
    "phone": st.sampled_from(["+7 900 123-45-67", "79001234567", "123", "+" + "9" * 20]),
}


# Field sets some provider accepts: half the messages take one.
SHAPES = [("text",), ("text", "image"), ("image",), ("text", "buttons"), ("text", "choices"),
          ("document",), ("video",), ("video", "text"), ("text", "menu"), ("carousel", "text"),
          ("otp",), ("location",), ("audio",), ("sticker",), ("contacts",), ("text", "reply_to"),
          ("text", "request_location"), ("text", "header", "footer", "buttons")]


def spec_parts(odds: int) -> st.SearchStrategy[Any]:
    """Specs whose every part is plausible, except one time in ``odds`` where any tree,
    wrong type or odd value takes its place: with a large ``odds`` most specs pass the spec
    schema and reach rendering and lowering, with a small one most break somewhere."""
    def some(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return mostly(good, small_trees, odds)

    url = some(st.sampled_from(URLS))
    text = some(mostly(plain_text | st.sampled_from(SIMPLE_TEMPLATES), template_text, 3))
    plausible: dict[str, st.SearchStrategy[Any]] = {
        "text": text, "header": text, "footer": some(odd_text),
        "image": url | st.fixed_dictionaries({"url": url}),
        "video": st.fixed_dictionaries({"url": url}, optional={
            "size": some(st.integers(1, 300_000_000)), "duration": some(st.integers(1, 700)),
            "thumbnail": url}),
        "document": st.fixed_dictionaries({"url": url, "filename": some(
            st.sampled_from(["a.pdf", "{{ v }}.pdf", "report", "x.docx", "{{ v }}"]))},
            optional={"type": some(st.sampled_from(["pdf", "docx", "x"]))}),
        "audio": url, "sticker": url,
        "location": st.fixed_dictionaries({"latitude": some(st.floats(-90, 90)),
                                           "longitude": some(st.floats(-180, 180))},
                                          optional={"name": text, "address": text}),
        "request_location": some(st.just(True)),
        "buttons": st.lists(st.fixed_dictionaries({"title": text}, optional={
            "url": url, "id": some(odd_text)}), min_size=1, max_size=4),
        "choices": st.lists(text | st.fixed_dictionaries({"title": text}, optional={
            "id": some(odd_text), "description": text}), min_size=1, max_size=12),
        "menu": st.fixed_dictionaries({"button": text, "sections": st.lists(
            st.fixed_dictionaries({"title": text, "rows": st.lists(st.fixed_dictionaries(
                {"id": some(odd_text), "title": text}), min_size=1, max_size=4)}),
            min_size=1, max_size=3)}),
        "carousel": st.lists(st.fixed_dictionaries({"title": text, "image": url}, optional={
            "text": text, "buttons": st.lists(st.fixed_dictionaries({"title": text}, optional={
                "url": url, "id": some(odd_text)}), min_size=1, max_size=3)}),
            min_size=1, max_size=4),
        "otp": st.fixed_dictionaries({"template": some(st.integers(1, 9))}, optional={
            "params": st.dictionaries(st.sampled_from(["code", "minutes", "x"]),
                                      some(template_text | st.integers(0, 99)), max_size=3),
            "language": some(st.sampled_from(["en", "ru", "zz"]))}),
        "reply_to": text,
        "contacts": some(st.lists(st.fixed_dictionaries({"name": st.fixed_dictionaries(
            {"formatted_name": text})}, optional={"phones": trees}), min_size=1, max_size=2)),
    }
    def messages(most: int) -> st.SearchStrategy[Any]:
        names = mostly(st.sampled_from(SHAPES), st.lists(st.sampled_from(sorted(plausible)),
                                                         min_size=1, max_size=most, unique=True), 2)
        return names.flatmap(lambda names: st.fixed_dictionaries(
            {k: some(plausible[k]) for k in names}))

    # Overrides are smaller: a spec holds up to nine messages, and hypothesis discards
    # examples that outgrow its buffer (which would leave mostly the small, broken ones).
    message, override = messages(4), messages(2)
    variable = st.sampled_from(TYPES).flatmap(lambda t: st.fixed_dictionaries(
        {"type": some(st.just(t)), "example": some(EXAMPLES[t])}, optional={
            "default": EXAMPLES[t], "max_length": some(st.integers(0, 5000)),
            "min_length": some(st.integers(0, 3)), "enum": st.lists(EXAMPLES[t], max_size=3),
            "pattern": st.sampled_from(["^[a-z]+$", "(", "a{999999}", ".*", "(a+)+$"]),
            "minimum": numbers, "maximum": numbers}).map(
                lambda d: {k: v for k, v in d.items()
                           if t in ("integer", "number") or k not in ("minimum", "maximum")}))
    variables = st.fixed_dictionaries({"v": some(variable), "n": some(variable)},
                                      optional={"extra": variable})
    viber = st.fixed_dictionaries({"rate_type": some(st.sampled_from(
        ["Promotional", "Transactional", "Session", "OtpTemplate"]))}, optional={
        "appkey": some(st.just("TexxxP6")), "message": some(override)})
    whatsapp = st.fixed_dictionaries({}, optional={
        "business_phone": some(st.just("91856321321")), "app_id": some(st.just("DGziZf5u")),
        "list_button": text, "list_title": text, "message": some(override)})
    target = {"viber": viber, "whatsapp": whatsapp}
    targets = st.sampled_from([("viber",), ("whatsapp",), PROVIDERS]).flatmap(
        lambda names: st.fixed_dictionaries({n: some(target[n]) for n in names}))
    locale = st.fixed_dictionaries({}, optional={
        "message": some(override), "targets": st.dictionaries(
            st.sampled_from(PROVIDERS), st.fixed_dictionaries({}, optional={
                "message": some(override)}), max_size=1)})
    locales = st.dictionaries(mostly(st.sampled_from(["ru", "pt-BR", "en"]), odd_text, odds),
                              some(locale), max_size=2)
    return st.fixed_dictionaries(
        {"message": some(message), "targets": some(targets), "variables": some(variables)},
        optional={"locales": locales,
                  "name": some(st.sampled_from(["ok-name", "a.b_c-d", "CON"])),
                  "description": some(odd_text)})


clean_specs = spec_parts(40)
noisy_specs = spec_parts(4)
specs = st.one_of(clean_specs, noisy_specs)
documents = mostly(specs, st.one_of(trees, scalars, st.lists(specs, max_size=2)), 8)


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000).encode()


@fuzz_settings(120)
@given(documents)
@example({"message": {"text": "{{ 'a' if v > 5 else 'b' }}"},
          "variables": {"v": {"example": "x"}}, "targets": {"whatsapp": {}}})
@example({"message": {"text": "x", "choices": [float("nan")]}, "targets": {"viber": None}})
def test_fuzzed_yaml_trees_give_payloads_or_diagnostics(data: Any) -> None:
    for outcome in run_pipeline(dump(data)):
        event(outcome)


# -- raw mutations of the bundled templates --------------------------------------------------

SNIPPETS = [b"&a ", b"*a", b"<<: *a\n", b"!!python/name:os.system ", b"!!binary ", b"---\n",
            b"...\n", b"{{", b"{%", b"}}", b"\t", b": ", b"- ", b"? ", b"%YAML 1.1\n", b"\xef\xbb\xbf",
            b"\xff", b"\xc3", b"\x00", b"\r", b"#", b"[", b"{", b"'", b'"', b"|\n", b">-\n",
            b"\\u", b"\xe2\x80\xae", b"!custom ", b"&x [*x]", b"9" * 400, b".nan", b"-.inf"]


@st.composite
def mutated_templates(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(TEMPLATE_FILES)).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(raw)))
        op = draw(st.sampled_from(["insert", "insert", "delete", "truncate", "byte", "indent",
                                   "dedent", "swap", "duplicate"]))
        lines = raw.split(b"\n")
        line = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "insert":
            raw[pos:pos] = draw(st.sampled_from(SNIPPETS) | st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del raw[pos:pos + draw(st.integers(1, 40))]
        elif op == "truncate":
            del raw[pos:]
        elif op == "byte" and raw:
            raw[min(pos, len(raw) - 1)] = draw(st.integers(0, 255))
        elif op in ("indent", "dedent"):
            lines[line] = (draw(st.sampled_from([b" ", b"  ", b"\t", b"   "])) + lines[line]
                           if op == "indent" else lines[line].lstrip(b" ")[:])
            raw = bytearray(b"\n".join(lines))
        elif op == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[line], lines[other] = lines[other], lines[line]
            raw = bytearray(b"\n".join(lines))
        elif op == "duplicate":
            lines.insert(line, lines[line])
            raw = bytearray(b"\n".join(lines))
    return bytes(raw)


@fuzz_settings(120)
@given(mutated_templates())
def test_mutated_templates_give_payloads_or_diagnostics(raw: bytes) -> None:
    for outcome in run_pipeline(raw):
        event(outcome)


# -- arbitrary variable values ---------------------------------------------------------------------

PLANS = [(path, provider, locale) for path in TEMPLATE_FILES
         for provider in load_spec(path).providers
         for locale in (None, *load_spec(path).locales)]
@dataclass(frozen=True)
class Huge:
    """A long string, built only where a test uses it: Hypothesis keeps every value it
    draws for the rest of the run, so drawing megabyte strings made a 5,000-example run
    grow to gigabytes."""

    unit: str
    times: int


def materialize(value: Any) -> Any:
    """``value`` with every :class:`Huge` spelled out."""
    if isinstance(value, Huge):
        return value.unit * value.times
    if isinstance(value, dict):
        return {materialize(k): materialize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [materialize(v) for v in value]
    return value


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.builds(pow, st.sampled_from([10, -10]), st.just(4001)),   # 4,001 digits
    odd_text, template_text, st.text(CHARS, max_size=200),
    st.builds(Huge, st.sampled_from(["x", "ж", "😀 "]), st.sampled_from([5000, 2**20])),
    st.sampled_from(["{{ 7*7 }}", "{% raw %}", "</script>", "\x00", "\ud800", "79001234567",
                     "https://x.io/a?" + "a" * 5000, "2025-01-11", "true", "-0", " 7 ", "1e3",
                     "inf", "NaN", "A-1029"]),
)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(odd_text, inner, max_size=3)), max_leaves=8)


def near(sample: Any) -> st.SearchStrategy[Any]:
    """Values close to a variable's example, so that many pass its declaration."""
    options = [st.just(sample), st.just(str(sample))]
    if isinstance(sample, str):
        options += [odd_text.map(lambda s: sample + s), odd_text.map(lambda s: s + sample),
                    st.sampled_from(["{{ 7*7 }}", "{% raw %}", "\x00", "\u202e", "😀"]).map(
                        lambda s: sample[:-1] + s)]
    elif isinstance(sample, (int, float)) and not isinstance(sample, bool):
        options += [st.integers(-5, 10**6), st.floats(-1e6, 1e6)]
    return st.one_of(options)


@st.composite
def plan_and_values(draw: st.DrawFn) -> tuple[Path, str, str | None, dict[str, Any]]:
    path, provider, locale = draw(st.sampled_from(PLANS))
    variables = load_spec(path).variables
    given = {name: draw(mostly(near(var.sample), json_values, 3))
             for name, var in variables.items() if draw(st.integers(0, 4))}
    if draw(st.integers(0, 9)) == 0:
        given[draw(odd_text)] = draw(json_values)
    return path, provider, locale, given


@fuzz_settings(100)
@given(plan_and_values())
def test_arbitrary_variable_values_give_payloads_or_diagnostics(
        case: tuple[Path, str, str | None, Any]) -> None:
    path, provider, locale, given = case
    event(run_values(path, provider, locale, materialize(given)))


# -- the command line ------------------------------------------------------------------------------

def invoke(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output, result.exception)
    assert result.exit_code in (EXIT_OK, EXIT_FINDINGS, EXIT_USAGE), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result


fuzzed_files = st.one_of(documents.map(dump), mutated_templates())
# --vars files: JSON of any shape (json.dumps cannot write a 5,000-digit number, so those
# are spelled out), and files that are not JSON at all.
vars_files = st.one_of(
    st.dictionaries(st.sampled_from(["v", "n", "order_id", "eta_days", "code"]) | odd_text,
                    json_values, max_size=4),  # JSON-encoded in the test (see Huge)
    st.sampled_from([b'{"v": 1' + b"0" * 5000 + b"}", b'{"v": "\\ud800"}', b"[1]", b"{",
                     b'{"v": NaN, "n": Infinity}', b"\xff\xfe", b"", b"null", b'"x"']),
)


@fuzz_settings(30)
@given(fuzzed_files, vars_files)
def test_the_cli_answers_fuzzed_files_with_exit_codes_0_1_2(raw: bytes,
                                                           given: bytes | dict[str, Any]) -> None:
    if isinstance(given, dict):
        given = json.dumps(materialize(given), default=str).encode()
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp, "spec.yaml")
        spec.write_bytes(raw)
        out = Path(tmp, "out")
        validated = invoke(["validate", "--format", "json", str(spec)])
        json.loads(validated.stdout or "[]")
        built = invoke(["build", str(spec), "-o", str(out)])
        assert (built.exit_code == EXIT_OK) == (validated.exit_code == EXIT_OK)
        if built.exit_code == EXIT_OK:
            assert {p.name for p in out.iterdir()} <= {"manifest.json", *(
                p.name for p in out.iterdir() if p.is_dir())}
        vars_file = Path(tmp, "vars.json")
        vars_file.write_bytes(given)
        for provider in PROVIDERS:
            invoke(["render", str(spec), "-p", provider, "--to", "79001234567",
                    "--vars", str(vars_file)])


# -- the regression corpus -----------------------------------------------------------------------

CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".bin", ".json"))


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_inputs_keep_their_promise(path: Path) -> None:
    """Each file once made msgc raise something other than MsgcError, answer differently on
    its fast path, or run for minutes (tests/fuzz_corpus/README.md says which). A spec
    file goes through the pipeline, ``validate`` and ``build``; a ``.json`` file names a
    bundled template and either variable values for it or the text of a ``--vars`` file."""
    started = time.process_time()  # CPU time: it does not grow on a busy machine
    if path.suffix == ".json":
        case = json.loads(path.read_text(encoding="utf-8"))
        spec = TEMPLATES.parent / case["spec"]
        if "values" in case:
            run_values(spec, case["provider"], case.get("locale"), case["values"])
        else:
            with tempfile.TemporaryDirectory() as tmp:
                vars_file = Path(tmp, "vars.json")
                vars_file.write_text(case["vars_text"], encoding="utf-8")
                invoke(["render", str(spec), "-p", case["provider"], "--to", "79001234567",
                        "--vars", str(vars_file)])
    else:
        run_pipeline(path.read_bytes(), path.name)
        invoke(["validate", str(path)])
        with tempfile.TemporaryDirectory() as tmp:
            invoke(["build", str(path), "-o", str(Path(tmp, "out"))])
    assert time.process_time() - started < 5  # idle: 0.3 s at most


def test_the_corpus_is_not_empty_and_documented() -> None:
    assert len(CORPUS_FILES) >= 5
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for path in CORPUS_FILES:
        assert path.name in readme, f"{path.name} is not described in the corpus README"


def test_fuzz_strategies_reach_rendering() -> None:
    """The generators are only worth something if specs get past the loader and the spec
    schema, and some become payloads: check on a fixed sample."""
    outcomes: list[str] = []

    @settings(max_examples=60, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(specs)
    def collect(data: Any) -> None:
        outcomes.extend(run_pipeline(dump(data)))

    collect()
    assert any(o.startswith("rejected:") for o in outcomes)
    assert any(o.endswith("accepted") for o in outcomes), outcomes
    assert any(o.endswith(": rejected") for o in outcomes), outcomes


def test_nan_and_huge_numbers_survive_the_yaml_round_trip() -> None:
    # The tree generator relies on these reaching msgc as numbers, not strings.
    doc = load_bytes(dump({"a": float("nan"), "b": 10**400, "c": float("-inf")}), "x.yaml")
    assert math.isnan(doc.data["a"]) and doc.data["b"] == 10**400 and doc.data["c"] < 0
