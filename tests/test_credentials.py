"""Credentials are checked before use (issue 11, item 2): a value that cannot be a key —
the README's `…` placeholder, a non-ASCII character, a blank or a line break picked up while
pasting — is a usage error (exit 2) naming the variable and what is wrong, never an
"internal error" and never an echo of the value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from compiler.credentials import credential_problem

SPEC = """\
message: {text: hi}
targets:
  viber: {rate_type: Transactional, appkey: app}
  whatsapp: {app_id: wa, business_phone: "12025550100"}
"""
GOOD = {"NXCLOUD_ACCESS_KEY": "nxKEY7f3a9c2e", "NXCLOUD_ACCESS_SECRET": "nxSECRETd81b4f60",
        "ITNIO_API_KEY": "itKEY5e2b7a", "ITNIO_API_SECRET": "itSECRET0c9d3e"}


@pytest.mark.parametrize(("value", "words"), [
    ("…", "placeholder"),
    ("...", "placeholder"),
    ("abc…def", "U+2026"),
    ("clé-secrète", "U+00E9"),
    ("abc def", "blank"),
    (" abcdef", "blank"),
    ("abcdef\n", "line break"),
    ("abc\tdef", "tab"),
    ("abc\x07def", "control character"),
])
def test_problems_are_named(value: str, words: str) -> None:
    problem = credential_problem(value)
    assert problem is not None and words in problem
    assert value.strip() not in problem or value.strip() in ("…", "...")


@pytest.mark.parametrize("value", ["nxKEY7f3a9c2e", "a-b_c.d~e+f/g=h", "0123456789abcdef" * 8])
def test_real_looking_keys_pass(value: str) -> None:
    assert credential_problem(value) is None


def run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    result = run_cli(args, cwd, {**GOOD, **env, "MSGC_NXCLOUD_BASE_URL": "http://127.0.0.1:9",
                                 "MSGC_ITNIO_BASE_URL": "http://127.0.0.1:9"})
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize(("name", "provider"), [("NXCLOUD_ACCESS_KEY", "viber"),
                                                ("NXCLOUD_ACCESS_SECRET", "viber"),
                                                ("ITNIO_API_KEY", "whatsapp"),
                                                ("ITNIO_API_SECRET", "whatsapp")])
def test_the_readme_placeholder_is_refused_by_name(tmp_path: Path, name: str, provider: str,
                                                   dry_run: bool) -> None:
    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    args = ["send", "s.yaml", "-p", provider, "--to", "79001234567"]
    code, output = run(args + (["--dry-run"] if dry_run else []), tmp_path, {name: "…"})
    assert code == 2, output
    assert name in output and "placeholder" in output
    assert "internal error" not in output and "Traceback" not in output


def test_a_pasted_key_with_a_trailing_line_break(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    secret = "nxKEY7f3a9c2e\n"
    code, output = run(["send", "s.yaml", "-p", "viber", "--to", "79001234567"], tmp_path,
                       {"NXCLOUD_ACCESS_KEY": secret})
    assert code == 2, output
    assert "NXCLOUD_ACCESS_KEY" in output and "line break" in output
    assert "nxKEY7f3a9c2e" not in output


def test_a_bad_credential_in_the_config_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "msgc.toml").write_text('[credentials]\nNXCLOUD_ACCESS_SECRET = "sécret"\n',
                                        encoding="utf-8")
    env = {"NXCLOUD_ACCESS_SECRET": ""}
    code, output = run(["send", "s.yaml", "-p", "viber", "--to", "79001234567"], tmp_path, env)
    assert code == 2, output
    assert "NXCLOUD_ACCESS_SECRET" in output and "msgc.toml" in output and "U+00E9" in output
    assert "sécret" not in output


def test_fake_server_refuses_a_bad_credential(tmp_path: Path) -> None:
    # A subprocess with a timeout: a server that accepted the value would run forever.
    env = {**os.environ, **GOOD, "ITNIO_API_KEY": "it KEY"}
    done = subprocess.run([sys.executable, "-c", "from compiler.cli import main; main()",
                           "fake-server", "--port", "0"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ITNIO_API_KEY" in done.stderr and "blank" in done.stderr
