"""The README and every `--help` run as written (issue 11, items 6 and 15).

Every command of the README's ``sh`` blocks and of each command's ``Example(s):`` runs in a
sandbox holding a copy of the bundled ``templates/``, the repository's ``[tool.msgc]``
settings, a user config with fake credentials and a loopback fake provider behind the
``MSGC_*_BASE_URL`` variables. A command shown with ``$`` must print exactly the output
shown under it (up to a ``...`` line, when there is one). Files the README shows with a
name (```` ```yaml hello.yaml ````, ```` ```csv people.csv ````) are written where the
reader would write them; spec blocks without a name must validate cleanly, TOML blocks
must be accepted as config files, and the Python block must run. Commands that install
msgc or run its own test suite are the only ones not run, each listed in ``SKIPPED``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from compiler.cli import COMMANDS, cli
from compiler.config_file import read_file
from compiler.sending.fake_server import FakeServer, Faults
from compiler.tree import check_file

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SECRETS = {"NXCLOUD_ACCESS_KEY": "docKEY3f9a2c", "NXCLOUD_ACCESS_SECRET": "docSECRET7b1e0d",
           "ITNIO_API_KEY": "docITKEY5e2b", "ITNIO_API_SECRET": "docITSECRET0c9d",
           "MSGC_WEBHOOK_TOKEN": "docWEBHOOKtoken5f2a9c1e"}

#: Commands not run, by how they start: they install msgc or run its own tests and tools.
SKIPPED = {
    "python3 -m venv": "creates the virtualenv the tests already run in",
    ".venv/bin/pip install": "installs msgc",
    "pip install": "installs msgc",
    ".venv/bin/python -m pytest": "runs this test suite",
    "MSGC_UPDATE_GOLDEN=1": "runs this test suite",
    "MSGC_FUZZ_EXAMPLES=": "runs this test suite",
    "MSGC_SOAK_CYCLES=": "runs this test suite",
    ".venv/bin/mypy": "a style check (tests/test_style.py runs it)",
    "bash .ci/run": "the CI script, which runs this test suite",
    ".venv/bin/python bench/run.py": "benchmarks take minutes",
}

#: What a reader does between two README blocks, found by the words that ask for it.
SETUP = {
    "Misspell a variable on line 7": lambda box: _replace_line(
        box / "hello.yaml", 7, "{{ order_id }}", "{{ order_idd }}"),
}

PAYLOAD = ('{"appId": "DGziZf5u", "businessPhone": "91856321321", "channelType": 0, '
           '"recipient": "79001234567", "type": "text", "text": {"body": "Hello"}}\n')


def _replace_line(path: Path, number: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[number - 1], (path, number, lines[number - 1])
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


# -- reading the documents -------------------------------------------------------------------

@dataclass
class Block:
    lang: str
    name: str | None
    text: str
    line: int          # of the opening fence, 1-based
    before: str        # the prose since the previous block


def blocks(text: str) -> list[Block]:
    out: list[Block] = []
    lines = text.splitlines()
    prose: list[str] = []
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\S*)\s*(\S*)\s*$", lines[i])
        if not fence:
            prose.append(lines[i])
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        out.append(Block(fence[1], fence[2] or None, "\n".join(body) + "\n", start + 1,
                         "\n".join(prose)))
        prose = []
        i += 1
    return out


@dataclass
class Command:
    text: str
    line: int
    expected: list[str] | None = None           # shown output ($ blocks), else not checked
    where: str = ""


def commands(text: str, first_line: int, where: str) -> list[Command]:
    """The commands of a shell block: ``$``-prompted ones with the output shown under them,
    or every line of a block without prompts (continuations joined)."""
    lines = text.splitlines()
    prompted = any(line.startswith("$ ") for line in lines)
    out: list[Command] = []
    current: Command | None = None
    continuing = False
    for offset, line in enumerate(lines):
        if continuing and current is not None:
            current.text += "\n" + line
            continuing = line.endswith("\\")
            continue
        if prompted and line.startswith("$ "):
            current = Command(line[2:], first_line + offset + 1, [], where)
            out.append(current)
            continuing = line.endswith("\\")
        elif prompted:
            assert current is not None and current.expected is not None, (where, line)
            current.expected.append(line.rstrip())
        elif line.strip() and not line.lstrip().startswith("#"):
            current = Command(line, first_line + offset + 1, None, where)
            out.append(current)
            continuing = line.endswith("\\")
    for command in out:
        while command.expected and not command.expected[-1]:
            command.expected.pop()
    return out


def runnable(command: str) -> list[str]:
    """The parts of ``a && b`` that are run (skipped ones removed); ``.venv/bin/msgc`` is
    the ``msgc`` on the sandbox's PATH."""
    parts = [p.strip() for p in command.split(" && ")]
    kept = [p for p in parts if not any(p.startswith(prefix) for prefix in SKIPPED)]
    return [p.replace(".venv/bin/msgc", "msgc") for p in kept]


# -- the sandbox ---------------------------------------------------------------------------

@dataclass
class Sandbox:
    root: Path
    env: dict[str, str]
    xdg: Path
    log: list[str] = field(default_factory=list)

    def run(self, command: Command, part: str) -> tuple[int, str]:
        where = f"{command.where}:{command.line}: {part!r}"
        simple = _simple_msgc(part)
        if simple is not None and (simple[:1] in (["fake-server"], ["webhook"])
                                   or "--serve" in simple):
            return _run_server(self, part, where)
        if simple is not None:
            old = os.getcwd()
            os.chdir(self.root)
            try:
                result = CliRunner().invoke(cli, simple[1:] if simple[0] == "msgc" else simple,
                                            env=self.env)
            finally:
                os.chdir(old)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise AssertionError(f"{where} raised {result.exception!r}\n{result.output}")
            return result.exit_code, result.output
        return _bash(self, part, where)


def _bash(box: Sandbox, script: str, where: str) -> tuple[int, str]:
    """Run shell text the way a reader pastes it; background jobs are stopped at the end."""
    process = subprocess.Popen(
        ["bash", "-c", "trap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + script], cwd=box.root,
        env=box.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        out, _ = process.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        raise AssertionError(f"{where} did not finish in 180 s:\n{out}") from None
    return process.returncode, out


def _simple_msgc(part: str) -> list[str] | None:
    """The arguments of a plain ``msgc ...`` command (no shell operators), else None."""
    if re.search(r"[|&;<>`]|\$\(", part.replace("\\\n", " ")):
        return None
    try:
        args = shlex.split(part.replace("\\\n", " "), comments=True)
    except ValueError:
        return None
    return args[1:] if args and args[0] == "msgc" else None


def _run_server(box: Sandbox, part: str, where: str) -> tuple[int, str]:
    """A server (fake-server, webhook, preview --serve) runs until stopped: start it, read the
    first line it prints (its port or address), stop it with Ctrl-C. A server started on its
    default fixed port (preview --serve: 8765) gets a free one instead: another program on
    the machine may hold 8765, and the command is otherwise run as written."""
    if "--serve" in part and "--port" not in part:
        part = part.replace("--serve", "--serve --port 0", 1)
    process = subprocess.Popen(["bash", "-c", f"exec {part}"], cwd=box.root, env=box.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert re.fullmatch(r"\d+|http://127\.0\.0\.1:\d+/?", port), (
            f"{where}: first line {port!r} is not a port or a loopback address")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    code = 0 if process.returncode == 130 else process.returncode  # stopped by Ctrl-C
    return code, port + "\n" + err


ENVELOPE = {"appkey": "docAPP", "app_id": "docWA", "business_phone": "12025550100"}


def write_user_config(xdg: Path, data: dict[str, Any]) -> None:
    """The user file with ``data``'s settings, every credential and envelope value replaced
    by the sandbox's own (a reader puts their real ones where the README shows "...")."""
    lines = [f"{k} = {_toml(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for table, real in (("credentials", SECRETS), ("envelope", ENVELOPE)):
        if table in data:
            lines.append(f"[{table}]")
            lines += [f"{k} = {_toml(real[k])}" for k in data[table]]
    (xdg / "msgc").mkdir(parents=True, exist_ok=True)
    (xdg / "msgc" / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextlib.contextmanager
def sandbox(tmp: Path, *, configured: bool = True) -> Iterator[Sandbox]:
    """A reader's folder; ``configured``: their user file already holds credentials and
    envelope settings (else the README's own blocks put them there)."""
    root = tmp / "repo"
    root.mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "pyproject.toml").write_text(_tool_msgc(), encoding="utf-8")
    (root / "payload.json").write_text(PAYLOAD, encoding="utf-8")
    (root / "body.json").write_text(PAYLOAD, encoding="utf-8")
    (root / "values.json").write_text('{"order_id": "A-1029", "eta_days": 3}\n',
                                      encoding="utf-8")
    (root / "people.csv").write_text("phone,order_id,eta_days\n+7 900 123-45-67,A-1029,3\n",
                                     encoding="utf-8")
    xdg = tmp / "xdg"
    xdg.mkdir()
    if configured:
        write_user_config(xdg, {"credentials": SECRETS, "envelope": ENVELOPE})
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    shim = bin_dir / "msgc"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "from compiler.cli import main; '
                    f'main()" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    server = FakeServer(SECRETS, Faults(seed=1))
    server.start()
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("MSGC_", "NXCLOUD_", "ITNIO_", "HTTP_", "HTTPS_", "ALL_"))
            and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env = {**keep, "XDG_CONFIG_HOME": str(xdg), "PYTHONUNBUFFERED": "1",
           "PATH": f"{bin_dir}{os.pathsep}{keep.get('PATH', '')}",
           "MSGC_NXCLOUD_BASE_URL": server.base_url, "MSGC_ITNIO_BASE_URL": server.base_url,
           "COLUMNS": "100"}
    try:
        yield Sandbox(root, env, xdg)
    finally:
        server.stop()


def _tool_msgc() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[tool\.msgc\]\n(?:(?!\[).*\n)*", text, re.MULTILINE)
    assert section, "the repository's pyproject.toml has no [tool.msgc]"
    return section[0]


def check(box: Sandbox, command: Command) -> None:
    for part in runnable(command.text):
        code, output = box.run(command, part)
        shown = output.rstrip("\n").splitlines()
        where = f"{command.where}:{command.line}: {part!r}"
        expected = command.expected
        if expected:
            if expected[-1].strip() == "...":
                assert [line.rstrip() for line in shown[:len(expected) - 1]] == expected[:-1], (
                    f"{where} printed:\n{output}")
            else:
                assert [line.rstrip() for line in shown] == expected, f"{where} printed:\n{output}"
        allowed = {0, 1} if expected and any(": error:" in line for line in expected) else {0}
        assert code in allowed, f"{where} exited {code}:\n{output}"


# -- the README ------------------------------------------------------------------------------

#: The documents' commands share one xdist worker, so two of their servers never run at
#: once.
same_worker = pytest.mark.xdist_group("documented-commands")


@same_worker
def test_the_readme_runs_as_written(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    ran = 0
    user: dict[str, Any] = {}
    with sandbox(tmp_path, configured=False) as box:
        for block in blocks(text):
            for phrase, step in SETUP.items():
                if phrase in block.before:
                    step(box.root)
            where = f"README.md:{block.line}"
            if block.name is not None:
                (box.root / block.name).write_text(block.text, encoding="utf-8")
            if block.lang == "sh":
                found = commands(block.text, block.line, "README.md")
                if any(c.expected is None and runnable(c.text) and _simple_msgc(c.text) is None
                       for c in found):
                    # shell state (a background job, a loop): the block runs as one script
                    found = [Command(block.text, block.line + 1, None, "README.md")]
                for command in found:
                    check(box, command)
                    ran += 1
            elif block.lang == "yaml":
                _check_spec_block(box.root, block, where)
            elif block.lang == "toml":
                data = _check_config_block(tmp_path, block, where)
                if block.text.startswith("# ~/.config/msgc/config.toml"):
                    for key, value in data.items():  # the reader adds it to their user file
                        user[key] = {**user.get(key, {}), **value} if isinstance(value, dict) \
                            else value
                    write_user_config(box.xdg, user)
            elif block.lang == "python":
                _run_python(box.root, block, where)
        for phrase in SETUP:
            assert phrase in text, f"the README no longer says {phrase!r}"
    assert ran >= 15


def _check_spec_block(root: Path, block: Block, where: str) -> None:
    data = yaml.safe_load(block.text)
    if not isinstance(data, dict) or "message" not in data or "targets" not in data:
        return  # a CI or pre-commit snippet, not a spec
    path = root / (block.name or f"readme-{block.line}.yaml")
    path.write_text(block.text, encoding="utf-8")
    diags = check_file(path, {}).diagnostics
    assert not [d for d in diags if d.is_error], (where, [d.format() for d in diags])
    if block.name is None:
        path.unlink()


def _check_config_block(tmp: Path, block: Block, where: str) -> dict[str, Any]:
    folder = tmp / f"toml-{block.line}"
    folder.mkdir()
    pyproject = "[tool.msgc" in block.text
    path = folder / ("pyproject.toml" if pyproject else "msgc.toml")
    path.write_text(block.text, encoding="utf-8")
    role = "user" if "config.toml" in block.text.splitlines()[0] else "project"
    from compiler.config import _credential_names, _envelope_keys

    read = read_file(path, role, envelope_keys=_envelope_keys, credential_names=_credential_names)
    assert read is not None and read.data, where
    return read.data


def _run_python(root: Path, block: Block, where: str) -> None:
    old = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block.text, where, "exec"), {"__name__": "readme"})
    finally:
        os.chdir(old)


def test_the_readme_does_not_promise_what_does_not_exist() -> None:
    text = README.read_text(encoding="utf-8")
    assert "pip install msgc" not in text          # not published on PyPI
    assert "rev: v0.1.0" not in text               # no such tag
    rev = re.search(r"^\s*rev: (.*)$", text, re.MULTILINE)
    assert rev and "SHA" in rev[1]
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "rev: v0.1.0" not in hooks


def test_validate_github_strict_passes_in_this_repository() -> None:
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, ["validate", "--format", "github", "--strict"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


# -- every command's --help ------------------------------------------------------------------

def help_examples(name: str | None) -> list[Command]:
    command: Any = cli if name is None else cli.get_command(click.Context(cli), name)
    text = command.help or ""
    found = re.search(r"\n\s*\x08?\s*Examples?:\n((?:[ \t]+\S.*\n?)+)", text)
    assert found, f"msgc {name or ''} --help shows no example"
    lines = [line.strip() for line in found[1].splitlines()]
    joined = "\n".join(lines)
    where = f"msgc {name} --help" if name else "msgc --help"
    return commands(joined, 0, where)


@same_worker
@pytest.mark.parametrize("name", [None, *sorted(COMMANDS)])
def test_help_examples_run_as_written(tmp_path: Path, name: str | None) -> None:
    examples = help_examples(name)
    assert examples
    with sandbox(tmp_path) as box:
        for command in examples:
            check(box, command)
