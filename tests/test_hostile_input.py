"""Hostile input, case by case: each is answered with a located msgc error (or handled
safely) within bounded time and memory.

* YAML: alias bombs, 10,000-level nesting, a 50 MB file, bytes that are not UTF-8, byte-order
  marks, duplicate keys, Python tags, several documents, merge keys, empty files, paths that
  are not regular files;
* the template sandbox: escapes to Python internals and every way found to make a template
  burn memory or CPU;
* variable values, which are data and never templates;
* spec names and output folders: ``msgc build`` never writes outside its output folder.

Complements tests/test_spec_loading.py and tests/test_render.py, which pin the basic
behaviour of the loader and the sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ENVELOPES, TEMPLATES, errors_of, only, render

from compiler import sandbox
from compiler.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, cli
from compiler.diagnostics import Diagnostic, MsgcError
from compiler.pipeline import Plan
from compiler.sandbox import MAX_RENDER_SECONDS, MAX_STEPS
from compiler.source import MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_TEXT, load_bytes, load_file
from compiler.spec import MAX_TEMPLATE_TAGS, load_spec, load_spec_text
from compiler.templating import MAX_TEMPLATE_CHARS

MSGC = str(Path(sys.executable).with_name("msgc"))
# Every hostile input is answered within this much CPU time of the test process, measured
# under tracemalloc (which makes Python code up to five times slower). The slowest takes
# about 1.5 s there: the bound is a hang detector, >= 10x that, and CPU time does not grow
# when other processes share the machine...
SECONDS = 15.0
MEGABYTES = 64         # ...allocating at most this much Python memory on top of the input


def bounded(call: Callable[[], Any], seconds: float = SECONDS, megabytes: int = MEGABYTES
            ) -> Any:
    """Run ``call`` once under tracemalloc, timing its CPU; return its result or its
    MsgcError. Any other exception propagates."""
    tracemalloc.start()
    started = time.process_time()
    try:
        try:
            result = call()
        except MsgcError as exc:
            result = exc
        elapsed = time.process_time() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s of CPU"
    assert peak < megabytes * 2**20, f"allocated {peak / 2**20:.0f} MB"
    return result


def refused(result: Any, rule: str) -> Diagnostic:
    assert isinstance(result, MsgcError), result
    return only([d for d in result.diagnostics if d.is_error], rule)


# Runs msgc as its own child and writes that child's peak memory (KiB) to a file. (A child
# forked from the test process would report the test process's memory as its own peak.)
_MEASURE = """import resource, subprocess, sys
try:
    code = subprocess.call(sys.argv[3:], timeout=float(sys.argv[2]))  # kills msgc on timeout
except subprocess.TimeoutExpired:
    code = 124
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)"""


def run_msgc(args: list[str], cwd: Path, timeout: float = 30) -> tuple[int, str, float, int]:
    """Run the msgc executable: exit code, output, seconds, and its peak memory in KiB."""
    out, peak = cwd / ".msgc-output", cwd / ".msgc-peak"
    started = time.monotonic()
    with out.open("wb") as fh:
        code = subprocess.call([sys.executable, "-c", _MEASURE, str(peak), str(timeout), MSGC,
                                *args], cwd=cwd, stdout=fh, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    assert code != 124, f"msgc {args} did not finish in {timeout} s"
    elapsed = time.monotonic() - started
    text = out.read_text(encoding="utf-8", errors="replace")
    out.unlink()
    kib = int(peak.read_text(encoding="utf-8"))
    peak.unlink()
    return code, text, elapsed, kib


def invoke(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


SPEC = "variables:\n  v: {example: x}\nmessage:\n  text: \"{{ v }}\"\ntargets:\n  whatsapp: {}\n"


# -- YAML ----------------------------------------------------------------------------------------

def _laughs(open_: str, close: str, item: Callable[[int, int], str]) -> str:
    lines = [f"l0: &l0 {open_}" + ", ".join(item(0, j) for j in range(10)) + close]
    for i in range(1, 12):
        lines.append(f"l{i}: &l{i} {open_}" + ", ".join(
            item(i, j) for j in range(10)) + close)
    return "\n".join(lines) + "\n"


ALIAS_BOMBS = {
    "mappings": _laughs("{", "}", lambda i, j: f"k{j}: lol" if i == 0 else f"k{j}: *l{i - 1}"),
    "mixed": _laughs("[", "]", lambda i, j: "lol" if i == 0 else (
        f"*l{i - 1}" if j % 2 else f"{{a: *l{i - 1}}}")),
    "one anchor, many aliases": "a: &a [x, y, z]\nb: [" + ", ".join(["*a"] * 20_000) + "]\n",
    "a long string, aliased": f"a: &a \"{'x' * 1_000_000}\"\nb: [" + ", ".join(
        ["*a"] * 40) + "]\n",
    "a spec's message, aliased": "message: &m {text: hi, choices: [a, b, c, d, e, f, g]}\n"
                                 "targets: {whatsapp: {message: *m}}\nlocales:\n" + "".join(
                                     f"  l{i}: {{message: *m}}\n" for i in range(5_000)),
}


@pytest.mark.parametrize("text", ALIAS_BOMBS.values(), ids=ALIAS_BOMBS)
def test_alias_bombs_are_refused_quickly_and_located(text: str) -> None:
    diag = refused(bounded(lambda: load_bytes(text.encode(), "bomb.yaml")), "yaml-too-large")
    assert diag.file == "bomb.yaml" and diag.line is not None and diag.column is not None
    assert f"{MAX_NODES:,} nodes" in diag.message or f"{MAX_TEXT:,} characters" in diag.message
    assert "alias bomb?" in diag.message and diag.hint


def test_a_large_document_without_aliases_is_not_called_an_alias_bomb() -> None:
    text = "message:\n  choices:\n" + "".join(f"  - c{i}\n" for i in range(MAX_NODES))
    diag = refused(bounded(lambda: load_bytes(text.encode(), "big.yaml")), "yaml-too-large")
    assert "alias" not in diag.message and diag.line is not None and diag.line > 1000


NESTING = {
    "flow sequences": "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "flow mappings": "a: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
    "block sequences": "- " * 10_000 + "x\n",
    "mixed": "a:\n  - " + "{b: [" * 5_000 + "]}" * 5_000 + "\n",
}


@pytest.mark.parametrize("text", NESTING.values(), ids=NESTING)
def test_ten_thousand_levels_of_nesting_stop_at_the_depth_cap(text: str) -> None:
    diag = refused(bounded(lambda: load_bytes(text.encode(), "deep.yaml")), "yaml-too-deep")
    assert diag.line in (1, 2) and diag.column is not None
    assert f"{MAX_DEPTH} levels" in diag.message


def test_ten_thousand_levels_of_indented_block_nesting_is_a_file_too_large() -> None:
    # Indentation grows with depth: 10,000 levels take 50 million characters.
    raw = "".join(" " * i + f"k{i}:\n" for i in range(10_000)).encode()
    assert len(raw) > MAX_BYTES
    diag = refused(bounded(lambda: load_bytes(raw, "deep.yaml"), megabytes=8), "file-too-large")
    assert (diag.line, diag.column) == (1, 1)


def test_a_50_mb_file_through_msgc_validate(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.write(b"message:\n  text: '")
        for _ in range(50):
            fh.write(b"x" * 2**20)
        fh.write(b"'\ntargets: {whatsapp: {}}\n")
    code, output, seconds, peak_kib = run_msgc(["validate", "big.yaml"], tmp_path)
    assert code == EXIT_USAGE, output  # unreadable input, as the README says
    assert "big.yaml:1:1: error: file is larger than 8 MiB [file-too-large]" in output
    assert seconds < 10
    assert peak_kib < 200 * 1024  # only the first 8 MiB + 1 byte is ever read


@pytest.mark.parametrize(("raw", "line", "column", "byte"), [
    (b"message:\n  text: \xd0\xb6\xd0\xb6\xff\n", 2, 11, 0xFF),          # after two Cyrillic letters
    (b"\xef\xbb\xbfab\xfe\n", 1, 3, 0xFE),                                 # after a byte-order mark
    (b"a: 1\nb: 2\nc: \xc0\xaf\n", 3, 4, 0xC0),                            # an overlong "/"
    (b"a: \xed\xa0\x80\n", 1, 4, 0xED),                                    # a UTF-8 encoded surrogate
    (b"a: \xe2\x82", 1, 4, 0xE2),                                          # cut inside a character
    ("a: 1\n".encode("utf-16"), 1, 1, 0xFF),                               # UTF-16
])
def test_bytes_that_are_not_utf8_are_located_by_character(raw: bytes, line: int, column: int,
                                                           byte: int) -> None:
    diag = refused(bounded(lambda: load_bytes(raw, "enc.yaml")), "encoding")
    assert (diag.line, diag.column) == (line, column)
    assert f"0x{byte:02x}" in diag.message and diag.hint


def test_a_byte_order_mark_is_accepted_by_the_cli(tmp_path: Path) -> None:
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + SPEC.encode())
    result = invoke(["validate", str(tmp_path / "bom.yaml")])
    assert result.exit_code == EXIT_OK, result.output


@pytest.mark.parametrize(("text", "line", "first"), [
    ("a: 1\n'a': 2\n", 2, 1),
    ("1: a\n'1': b\n", 2, 1),                       # the same key once it is text
    ("x: {a: 1,\n    a: 2}\n", 2, 1),
    ("locales:\n  ru:\n    message:\n      text: a\n      image: b\n      text: c\n", 6, 4),
])
def test_duplicate_keys_name_the_first_one(text: str, line: int, first: int) -> None:
    diag = refused(bounded(lambda: load_bytes(text.encode(), "dup.yaml")), "yaml-duplicate-key")
    assert diag.line == line and f"first at line {first}" in diag.message


@pytest.mark.parametrize("text", [
    "message: !!python/object/apply:os.mkdir [{marker}]\n",
    "message:\n  text: !!python/object/apply:os.mkdir\n    - {marker}\n",
    "message: !!python/object/new:os.mkdir {{args: [{marker}]}}\n",
    "? !!python/object/apply:os.mkdir [{marker}]\n: x\n",
    "message: [!!python/name:os.mkdir , {marker}]\n",
    "message: !include {marker}\n",
    "message: !<tag:yaml.org,2002:python/object/apply:os.mkdir> [{marker}]\n",
])
def test_python_and_custom_tags_are_refused_and_never_run(tmp_path: Path, text: str) -> None:
    marker = tmp_path / "created-by-yaml"
    raw = text.format(marker=json.dumps(str(marker))).encode()
    diag = refused(bounded(lambda: load_bytes(raw, "tag.yaml")), "yaml-tag")
    assert diag.line is not None and diag.hint
    assert not marker.exists()


@pytest.mark.parametrize(("text", "line"), [
    ("a: 1\n---\nb: 2\n", 2),
    ("---\na: 1\n...\n---\na: 1\n", 4),
    ("%YAML 1.1\n---\na: 1\n---\n", 4),
    ("a: 1\n" + "---\na: 1\n" * 100_000, 2),
])
def test_several_documents_are_refused_at_the_second(text: str, line: int) -> None:
    diag = refused(bounded(lambda: load_bytes(text.encode(), "docs.yaml")),
                   "yaml-multiple-documents")
    assert diag.line == line


def test_merge_keys_in_flow_style_and_lists_are_refused() -> None:
    text = "a: &a {text: x}\nb: &b {image: y}\nmessage: {<<: [*a, *b]}\n"
    assert refused(bounded(lambda: load_bytes(text.encode(), "m.yaml")), "yaml-merge-key").line == 3


@pytest.mark.parametrize("content", [b"", b"# only a comment\n", b"\n\n   \n", b"---\n", b"~\n"])
def test_empty_files_are_a_located_spec_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(content)
    result = invoke(["validate", "--format", "json", str(path)])
    assert result.exit_code == EXIT_FINDINGS
    (finding,) = json.loads(result.stdout)
    assert finding["rule"] == "spec-not-mapping" and finding["file"] == str(path)
    assert "empty" in finding["message"]


def test_a_folder_where_a_spec_file_is_expected(tmp_path: Path) -> None:
    folder = tmp_path / "spec.yaml"
    folder.mkdir()
    assert "folder" in only(errors_of(load_file, folder), "io-error").message
    result = invoke(["render", str(folder), "-p", "whatsapp"])
    assert result.exit_code == EXIT_USAGE and "is a directory" in result.output


@pytest.fixture
def odd_paths(tmp_path: Path) -> Iterator[dict[str, Path]]:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "nowhere.yaml")
    yield {"fifo": fifo, "dangling symlink": dangling, "device": Path("/dev/zero")}


@pytest.mark.parametrize("kind", ["fifo", "dangling symlink", "device"])
@pytest.mark.parametrize("command", ["validate", "render"])
def test_paths_that_are_not_regular_files_are_io_errors_not_hangs(
        odd_paths: dict[str, Path], tmp_path: Path, kind: str, command: str) -> None:
    # Opening a FIFO for reading waits for a writer, and /dev/zero never ends: msgc must
    # not open either. Run as a separate process so that a hang fails the test.
    args = [command, str(odd_paths[kind])] + (["-p", "whatsapp"] if command == "render" else [])
    code, output, seconds, _ = run_msgc(args, tmp_path, timeout=20)
    assert code == EXIT_USAGE, output
    assert "[io-error]" in output and str(odd_paths[kind]) in output
    assert "Traceback" not in output and seconds < 10


def test_a_fifo_inside_a_folder_being_checked_is_reported_not_waited_on(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    os.mkfifo(folder / "stuck.yaml")
    (folder / "ok.yaml").write_text(SPEC, encoding="utf-8")
    code, output, seconds, _ = run_msgc(["validate", "specs"], tmp_path, timeout=20)
    assert code == EXIT_USAGE, output
    assert "stuck.yaml: error: cannot read file: it is not a regular file [io-error]" in output
    assert "in 2 files" in output and seconds < 10


def test_a_socket_among_the_specs_is_named_as_not_a_regular_file(tmp_path: Path) -> None:
    """A socket cannot be opened at all (ENXIO): still "not a regular file", as before."""
    import socket

    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "ok.yaml").write_text(SPEC, encoding="utf-8")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.yaml"))
        code, output, _, _ = run_msgc(["validate", "specs"], tmp_path, timeout=20)
    assert code == EXIT_USAGE, output
    assert "sock.yaml: error: cannot read file: it is not a regular file [io-error]" in output


# -- the template sandbox ------------------------------------------------------------------------

def spec_with(template: str, variables: str = "  v: {example: x}\n") -> str:
    return (f"variables:\n{variables}message:\n  text: {json.dumps(template)}\n"
            "targets:\n  whatsapp: {}\n")


def render_template(template: str, values: dict[str, Any] | None = None) -> Any:
    def call() -> Any:
        spec = load_spec_text(spec_with(template), "t.yaml")
        return render(spec, "whatsapp", values, envelope=ENVELOPES["whatsapp"], samples=True)
    return bounded(call)


ESCAPES = [
    # attribute access to Python internals
    ("{{ ''.__class__.__mro__ }}", "template-unsafe"),
    ("{{ ''.__class__ }}", "template-unsafe"),
    ("{{ ().__class__.__base__.__subclasses__() }}", "template-unsafe"),
    ("{{ self._TemplateReference__context }}", "template-unsafe"),
    ("{{ self.__init__ }}", "template-unsafe"),
    ("{{ self.__init__.__globals__ }}", "template-unsafe"),
    ("{{ v.__dict__ }}", "undefined-variable"),
    ("{{ v|attr('__class__') }}", "template-unsafe"),
    ("{{ v['__class__'] }}", "template-unsafe"),
    ("{{ range.__globals__ }}", "template-unsafe"),
    ("{{ range.__code__ }}", "template-unsafe"),
    ("{{ range(3).__iter__ }}", "template-unsafe"),
    ("{{ v.upper.__self__ }}", "template-unsafe"),
    ("{% for x in range(1) %}{{ loop.__class__ }}{% endfor %}", "template-unsafe"),
    ("{% macro m() %}{% endmacro %}{{ m._func.__globals__ }}", "template-unsafe"),
    # format-string attribute tricks
    ("{{ '{0.__class__}'.format(v) }}", "template-unsafe"),
    ("{{ '{0.__class__.__mro__}'.format(v) }}", "template-unsafe"),
    ("{{ '{0[__class__]}'.format(v) }}", "template-unsafe"),
    ("{{ '{x.__class__}'.format_map({'x': v}) }}", "template-unsafe"),
    ("{{ '%(a)s'|format(a=v.__class__) }}", "template-unsafe"),
    # mutating builtins
    ("{{ {}.update({'a': 1}) }}", "template-unsafe"),
    ("{% set l = [] %}{{ l.append(1) }}", "template-unsafe"),
    # Jinja's and Flask's globals are absent
    ("{{ cycler.__init__.__globals__ }}", "undeclared-variable"),
    ("{{ lipsum.__globals__ }}", "undeclared-variable"),
    ("{{ lipsum() }}", "undeclared-variable"),
    ("{{ cycler }}", "undeclared-variable"),
    ("{{ joiner }}", "undeclared-variable"),
    ("{{ config }}", "undeclared-variable"),
    ("{{ request }}", "undeclared-variable"),
    ("{% set x = namespace() %}", "undeclared-variable"),
    ("{{ dict(a=1) }}", "undeclared-variable"),
    # no other templates to reach
    ("{% include 'other.yaml' %}", "template-error"),
    ("{% import 'other.yaml' as o %}", "template-error"),
]


@pytest.mark.parametrize(("template", "rule"), ESCAPES, ids=[t for t, _ in ESCAPES])
def test_escapes_from_the_sandbox_are_msgc_errors(template: str, rule: str) -> None:
    diag = refused(render_template(template), rule)
    assert diag.path == "/message/text" and diag.line == 4


EXHAUSTION = [
    # memory: one operation asked for a huge result
    ("{{ 'a' * 10**9 }}", "repetition"),
    ("{{ [v] * 10**9 }}", "repetition"),
    ("{{ 9 ** (9 ** 9) }}", "too large to compute"),
    ("{{ (2 ** 64) ** 300 }}", "too large to compute"),
    ("{% set x = (2 ** 64) ** 64 %}{{ x * x * x * x * x }}", "too large to compute"),
    ("{{ range(10**9) | list }}", "range()"),
    ("{% for i in range(10**9) %}x{% endfor %}", "range()"),
    ("{{ '%0999999999d' % 1 }}", "width or precision"),
    ("{{ '%*d' % (10**9, 1) }}", "width or precision"),
    ("{{ '%.999999999f' % 1.5 }}", "width or precision"),
    ("{{ '{:>999999999}'.format(v) }}", "width or precision"),
    ("{{ '{0:{1}}'.format(v, 10**9) }}", "width or precision"),
    ("{{ '{0:{1}}'.format(v, '>999999999') }}", "width or precision"),
    ("{{ '%s'|format(v)|center(10**9) }}", "center()"),
    ("{{ v.center(10**9) }}", "center()"),
    ("{{ v.ljust(10**9) }}", "ljust()"),
    ("{{ v.zfill(10**9) }}", "zfill()"),
    ("{{ ('\t' * 1000).expandtabs(10**6) }}", "expandtabs()"),
    ("{{ (1).to_bytes(10**9, 'big') }}", "to_bytes()"),
    ("{{ ('x' * 60000).replace('x', 'y' * 60000) }}", "replace()"),
    ("{{ ('x' * 60000)|replace('x', 'y' * 60000) }}", "replace()"),
    ("{{ ('a\n' * 30000)|indent(60000) }}", "indent()"),
    ("{{ ('a ' * 30000)|wordwrap(1, wrapstring='y' * 60000) }}", "wordwrap()"),
    ("{{ range(10000)|join('x' * 60000) }}", "join"),
    ("{{ ('x' * 60000).join(range(10000)|map('string')) }}", "join"),
    ("{{ range(3)|batch(10**9, 'x')|list }}", "batch()"),
    ("{{ ('x' * 60000).translate({120: 'y' * 60000}) }}", "translate()"),
    ("{{ {}.fromkeys(range(10000), 'x' * 60000) }}", "result of more than"),
    ("{% set s = 'x' * 60000 %}{{ [s] * 60000 }}", "repetition"),
    # values doubled again and again (each step small, the result not)
    ("{% set a = 'x' * 60000 %}" + "{% set a = a ~ a %}" * 12 + "{{ a|length }}", "concatenation"),
    ("{% set a = 'x' * 60000 %}" + "{% set a = a + a %}" * 12 + "{{ a|length }}", "concatenation"),
    ("{% set a = [1] %}{% set b = [1] %}" + "{% set a, b = [a, b], [b, a] %}" * 40
     + "{{ a == b }}", "literal list"),
    # output written where the final length check does not see it
    ("{% set s %}{% for i in range(10000) %}{{ 'x' * 60000 }}{% endfor %}{% endset %}"
     "{{ s|length }}", "writes more than"),
    ("{% macro m() %}{% for i in range(10000) %}" + "y" * 1000 + "{% endfor %}{% endmacro %}"
     "{{ m()|length }}", "writes more than"),
    ("{% filter upper %}{% for i in range(10000) %}{{ 'x' * 60000 }}{% endfor %}{% endfilter %}",
     "writes more than"),
    # CPU: loops, recursion
    ("{% for a in range(9999) %}{% for b in range(9999) %}{% endfor %}{% endfor %}", "steps"),
    ("{% for a in range(100) %}{% for b in range(100) %}{% for c in range(100) %}"
     "{% endfor %}{% endfor %}{% endfor %}", "steps"),
    ("{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}", ""),
    ("{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
     "{{ m(40) }}", "steps"),
    ("{% for x in range(2) recursive %}{{ loop(range(9999)) }}{% endfor %}", ""),
    ("{% set s = 'x' * 60000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
     "steps"),
]


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The render clock never moves: the wall-clock backstop cannot fire, so a verdict
    reached with it is decided by the budgets of steps and sizes alone, as on any machine
    at any load. (The backstop has its own test, with an injected clock.)"""
    monkeypatch.setattr(sandbox, "_clock", lambda: 0.0)


@pytest.mark.parametrize(("template", "words"), EXHAUSTION, ids=[t[:60] for t, _ in EXHAUSTION])
def test_resource_exhaustion_is_a_template_too_large_error(template: str, words: str,
                                                           frozen_clock: None) -> None:
    diag = refused(render_template(template), "template-too-large")
    assert words in diag.message
    assert diag.path == "/message/text" and diag.line == 4


def test_jinjas_power_operator_is_left_associative_so_9_9_9_is_small() -> None:
    result = render_template("{{ 9 ** 9 ** 9 }}")
    assert result.payload["text"]["body"] == str((9**9) ** 9)


def test_a_template_nested_too_deep_for_jinja_or_python_is_a_syntax_error() -> None:
    for template in ("{{ " + "(" * 500 + "v" + ")" * 500 + " }}",
                     "{{ " + "[" * 500 + "]" * 500 + " }}",
                     "{{ " + "-" * 5000 + "1 }}",
                     "{{ v" + "|upper" * 2000 + " }}",
                     "{% if v %}" * 200 + "{% endif %}" * 200,
                     "{% for a in range(1) %}" * 21 + "x" + "{% endfor %}" * 21):
        diag = refused(render_template(template), "template-syntax")
        assert "nest" in diag.message and diag.line is not None


def test_a_template_longer_than_the_limit_is_refused_before_parsing() -> None:
    template = "{{ v }}" + "x" * MAX_TEMPLATE_CHARS
    diag = refused(render_template(template), "template-too-large")
    assert f"{MAX_TEMPLATE_CHARS:,}" in diag.message


def test_a_spec_with_too_many_template_tags_is_refused_before_compiling() -> None:
    choices = "".join(f"    - '{{{{ v }}}} {i}'\n" for i in range(MAX_TEMPLATE_TAGS + 1))
    text = ("variables:\n  v: {example: x}\nmessage:\n  text: hi\n  choices:\n" + choices
            + "targets:\n  whatsapp: {}\n")
    diag = refused(bounded(lambda: load_spec_text(text, "many.yaml")), "spec-too-large")
    assert f"{MAX_TEMPLATE_TAGS + 1:,} tags" in diag.message and diag.line == 1


SLOW_PER_CALL = [
    # Few loop iterations, each slow: the work is charged by the text each call reads.
    "{% set s = 'a. ' * 21000 %}{% for i in range(1000) %}{% if (s|urlize|length) < 5 %}"
    "{% endif %}{% endfor %}",
    "{% set s = 'a. ' * 21000 %}{% for i in range(10000) %}{% set t = s|wordwrap(5) %}"
    "{% endfor %}",
    "{% set s = 'a. ' * 21000 %}{% for i in range(10000) %}{% if 'zz' in s %}{% endif %}"
    "{% endfor %}",
    "{% set s = 'a. ' * 21000 %}{% for i in range(10000) %}{% if s is lower %}{% endif %}"
    "{% endfor %}",
    "{% set s = 'a. ' * 21000 %}{% for i in range(10000) %}{% set t = s[1:] %}{% endfor %}",
    "{% set s = 'a. ' * 21000 %}{% for i in range(10000) %}{% set t = s.split() %}"
    "{% endfor %}",
    "{% set s = range(9999)|map('string')|list %}{% for i in range(10000) %}"
    "{% set t = s|sort %}{% endfor %}",
    "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
    "{{ m(40) }}",
]


@pytest.mark.parametrize("template", SLOW_PER_CALL, ids=[t[27:70] for t in SLOW_PER_CALL])
def test_slow_calls_are_charged_by_the_text_they_read(template: str, frozen_clock: None
                                                     ) -> None:
    diag = refused(render_template(template), "template-too-large")
    assert f"more than {MAX_STEPS:,} steps" in diag.message


def test_the_wall_clock_backstop_has_its_own_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(0, 10**9, 3))  # every look at the clock is 3 s later than the last
    monkeypatch.setattr(sandbox, "_clock", lambda: float(next(ticks)))
    diag = refused(render_template("{% for i in range(100) %}x{% endfor %}"), "template-timeout")
    assert f"longer than {MAX_RENDER_SECONDS:g} s" in diag.message
    assert diag.line == 4 and "report" in (diag.hint or "")


def _three_leaves(body: str) -> str:
    return (f"variables:\n  v: {{example: x}}\nmessage:\n  text: {json.dumps(body)}\n"
            f"  buttons:\n    - {{title: {json.dumps(body)}, id: a}}\n"
            f"    - {{title: {json.dumps(body)}, id: b}}\ntargets:\n  whatsapp: {{}}\n")


def test_the_budget_is_per_message_on_the_slow_and_the_fast_path() -> None:
    # About 0.45 x MAX_STEPS steps per field: one field fits, three in a message do not.
    n = int(MAX_STEPS * 0.45) // 10
    heavy = f"{{% for i in range({n}) %}}{{% for j in range(9) %}}{{% endfor %}}{{% endfor %}}x"
    one = load_spec_text(spec_with(heavy), "one.yaml")
    assert render(one, "whatsapp", None, envelope=ENVELOPES["whatsapp"],
                  samples=True).payload["text"]["body"] == "x"
    spec = load_spec_text(_three_leaves(heavy), "three.yaml")
    plan = Plan(spec, "whatsapp")
    for _ in range(3):  # the second and third renders take the fast path
        started = time.process_time()
        diags = errors_of(plan.render, plan.values({}, samples=True), ENVELOPES["whatsapp"])
        assert "steps" in only(diags, "template-too-large").message
        assert time.process_time() - started < SECONDS


# -- variable values --------------------------------------------------------------------------

LITERAL_VALUES = ["{{ 7*7 }}", "{% raw %}{{ v }}{% endraw %}", "</script><script>x()</script>",
                  "a\x00b", "{{ ''.__class__.__mro__ }}", "{% for i in range(10**9) %}x",
                  "%(v)s {0.__class__}", "\u202egnp.exe", "😀" * 100]


@pytest.mark.parametrize("value", LITERAL_VALUES)
def test_values_reach_the_payload_literally_through_the_cli(tmp_path: Path, value: str) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC.replace("{{ v }}", "<{{ v }}>"), encoding="utf-8")
    values = tmp_path / "vars.json"
    values.write_text(json.dumps({"v": value}), encoding="utf-8")
    result = invoke(["render", str(spec), "-p", "whatsapp", "--to", "79001234567", "--compact",
                     "--vars", str(values)])
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(result.stdout)["text"]["body"] == f"<{value}>"


def test_a_megabyte_value_is_refused_quickly_on_every_path() -> None:
    spec = load_spec_text(SPEC, "s.yaml")
    plan = Plan(spec, "whatsapp")
    for _ in range(3):
        result = bounded(lambda: plan.render(plan.values({"v": "x" * 2**20}),
                                             ENVELOPES["whatsapp"]))
        assert isinstance(result, MsgcError)
        assert {d.rule for d in result.diagnostics} <= {"template-too-large",
                                                        "whatsapp-text-length"}


def test_lone_surrogates_and_huge_numbers_are_variable_errors(tmp_path: Path) -> None:
    spec = load_spec_text(SPEC.replace("  v: {example: x}\n",
                                       "  v: {example: x}\n  n: {type: integer, example: 1}\n")
                          .replace("{{ v }}", "{{ v }} {{ n }}"), "s.yaml")
    plan = Plan(spec, "whatsapp")
    for values, words in (({"v": "a\ud800b", "n": 1}, "surrogate"),
                          ({"v": "x", "n": 10**5000}, "1,000 digits"),
                          ({"v": 10**5000, "n": 1}, "1,000 digits")):
        diag = only(errors_of(plan.values, values), "variable-value")
        assert words in diag.message and diag.line is not None
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(SPEC, encoding="utf-8")
    for text, code in (('{"v": "\\ud800"}', EXIT_FINDINGS),
                       ('{"v": 1' + "0" * 5000 + "}", EXIT_USAGE)):
        values_file = tmp_path / "vars.json"
        values_file.write_text(text, encoding="utf-8")
        result = invoke(["render", str(spec_file), "-p", "whatsapp", "--to", "79001234567",
                         "--vars", str(values_file)])
        assert result.exit_code == code, result.output


# -- names and paths -----------------------------------------------------------------------------

def snapshot(root: Path, skip: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` (except under ``skip``) with its content."""
    out: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        if path == skip or skip in path.parents:
            continue
        out[str(path.relative_to(root))] = (None if path.is_dir() or path.is_symlink()
                                            else path.read_bytes())
    return out


def build(tmp_path: Path, *specs: Path, out: Path | None = None) -> Any:
    out = out or tmp_path / "work" / "out"
    before = snapshot(tmp_path, out)
    result = invoke(["build", *map(str, specs), "-o", str(out)])
    assert result.exit_code in (EXIT_OK, EXIT_FINDINGS, EXIT_USAGE), result.output
    assert snapshot(tmp_path, out) == before, "build wrote outside its output folder"
    if out.is_dir() and not out.is_symlink():
        for path in out.rglob("*"):
            assert path.is_dir() or path.suffix == ".json", path
            assert out.resolve() in path.resolve().parents
    return result


def spec_named(tmp_path: Path, name: str, filename: str = "spec.yaml") -> Path:
    folder = tmp_path / "work" / "specs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(f"name: {json.dumps(name)}\n" + SPEC, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["../../x", "a/b", "..", ".", "x\\y", "/etc/x", "a\x00b",
                                  "x" * 101, "-x", "CON", "nul.txt", "manifest.json", "a b"])
def test_spec_names_cannot_make_build_write_outside_its_folder(tmp_path: Path, name: str
                                                                ) -> None:
    result = build(tmp_path, spec_named(tmp_path, name))
    if result.exit_code == EXIT_OK:  # CON, nul.txt: plain names on this system
        assert (tmp_path / "work" / "out" / name / "whatsapp.json").is_file()
    else:
        assert result.exit_code == EXIT_FINDINGS
        assert "[spec-name]" in result.output or "[build-path-escape]" in result.output
        assert not (tmp_path / "work" / "out").exists()


@pytest.mark.parametrize("filename", ["...yaml", "..yaml", ".yaml", "a b.yaml", "x\\y.yaml"])
def test_names_taken_from_file_names_stay_inside_too(tmp_path: Path, filename: str) -> None:
    path = spec_named(tmp_path, "unused", filename)
    path.write_text(SPEC, encoding="utf-8")  # no name: the file name is the spec name
    result = build(tmp_path, path)
    assert result.exit_code in (EXIT_OK, EXIT_FINDINGS), result.output


def test_the_output_folder_may_not_be_a_symlink_or_a_file(tmp_path: Path) -> None:
    spec = spec_named(tmp_path, "ok")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep", encoding="utf-8")
    link = tmp_path / "work" / "link"
    link.symlink_to(elsewhere, target_is_directory=True)
    dangling = tmp_path / "work" / "dangling"
    dangling.symlink_to(tmp_path / "created-through-link")
    a_file = tmp_path / "work" / "file"
    a_file.write_text("not a folder", encoding="utf-8")
    for out in (link, dangling, a_file, a_file / "sub"):
        result = build(tmp_path, spec, out=out)
        assert result.exit_code == EXIT_USAGE, result.output
        assert "Traceback" not in result.output
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert not (tmp_path / "created-through-link").exists()
    assert a_file.read_text(encoding="utf-8") == "not a folder"


def test_a_stale_manifest_cannot_make_build_delete_outside_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "work" / "out"
    out.mkdir(parents=True)
    victims = [tmp_path / "victim.txt", tmp_path / "work" / "victim.json"]
    for victim in victims:
        victim.write_text("keep", encoding="utf-8")
    outputs = [{"path": p} for p in ("../../victim.txt", "../victim.json", str(victims[0]),
                                     "x/../../victim.json", "ok/../../../victim.txt")]
    (out / "manifest.json").write_text(json.dumps({"specs": [{"outputs": outputs}]}),
                                       encoding="utf-8")
    result = invoke(["build", str(spec_named(tmp_path, "ok")), "-o", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    assert all(v.read_text(encoding="utf-8") == "keep" for v in victims)


def test_a_symlink_inside_the_output_folder_is_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "work" / "out"
    out.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "ok").symlink_to(elsewhere, target_is_directory=True)
    result = invoke(["build", str(spec_named(tmp_path, "ok")), "-o", str(out)])
    assert result.exit_code == EXIT_FINDINGS and "[build-path-escape]" in result.output
    assert list(elsewhere.iterdir()) == []


def test_the_bundled_templates_still_build(tmp_path: Path) -> None:
    # The bounds above leave every real spec alone.
    result = invoke(["build", str(TEMPLATES), "-o", str(tmp_path / "out")])
    assert result.exit_code == EXIT_OK, result.output
    assert load_spec(TEMPLATES / "order-shipped.yaml").name == "order-shipped"


# -- secrets --------------------------------------------------------------------------------------

SECRETS = {"NXCLOUD_ACCESS_KEY": "nx-key-7f3a9c", "NXCLOUD_ACCESS_SECRET": "nx-secret-51be02",
           "ITNIO_API_KEY": "itnio-key-c4d8e1", "ITNIO_API_SECRET": "itnio-secret-9a6f33"}


def test_a_spec_cannot_carry_credentials() -> None:
    text = ("message: {text: hi}\ntargets:\n"
            "  viber: {rate_type: Session, NXCLOUD_ACCESS_SECRET: nx-secret-51be02}\n"
            "  whatsapp: {api_key: itnio-key-c4d8e1}\n")
    diags = errors_of(load_spec_text, text, "cred.yaml")
    assert {d.rule for d in diags} == {"viber-additional-properties",
                                       "whatsapp-additional-properties"}
    assert not any(s in d.format() for d in diags for s in SECRETS.values())


def test_credentials_in_the_environment_never_reach_compiler_output(tmp_path: Path) -> None:
    # validate, build and render never need credentials; set them anyway, and look for them
    # in everything those commands print or write. A template cannot read the environment.
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC.replace("{{ v }}", "{{ v }} {{ environ }}"), encoding="utf-8")
    (tmp_path / "ok.yaml").write_text(SPEC, encoding="utf-8")
    env = {**os.environ, **SECRETS}
    outputs = []
    for args in (["validate", "--format", "json", "s.yaml", "ok.yaml"],
                 ["build", "ok.yaml", "-o", "out"],
                 ["render", "ok.yaml", "-p", "whatsapp", "--to", "79001234567"],
                 ["render", "ok.yaml", "-p", "viber", "--to", "79001234567"]):
        proc = subprocess.run([MSGC, *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=60)
        outputs.append(proc.stdout + proc.stderr)
    assert "undeclared-variable" in outputs[0] and "'environ'" in outputs[0]
    outputs += [p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.json")]
    assert len(outputs) > 4
    for text in outputs:
        for secret in SECRETS.values():
            assert secret not in text
