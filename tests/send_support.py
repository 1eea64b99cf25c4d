"""Helpers for the sending tests: a fake provider per test, recognisable fake secrets,
spec files, running ``msgc`` in-process or as a subprocess, and the secrets check.

Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from compiler.cli import cli
from compiler.sending.fake_server import FakeServer, Faults

ROOT = Path(__file__).resolve().parent.parent
URL = "https://example.com"

#: Recognisable fake secrets: no output, results or journal file may contain them.
SECRETS = {
    "NXCLOUD_ACCESS_KEY": "nxKEY7f3a9c2e",
    "NXCLOUD_ACCESS_SECRET": "nxSECRETd81b4f60",
    "ITNIO_API_KEY": "itKEY5e2b7a",
    "ITNIO_API_SECRET": "itSECRET0c9d3e",
}
ENVELOPE_ENV = {"NXCLOUD_APPKEY": "app-test", "ITNIO_APP_ID": "wa-test",
                "ITNIO_BUSINESS_PHONE": "12025550100"}
SEND_ENV = {**SECRETS, **ENVELOPE_ENV}
#: Variables that would point msgc elsewhere; cleared for every run.
CLEARED = ("MSGC_NXCLOUD_BASE_URL", "MSGC_ITNIO_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY",
           "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def assert_no_secrets(*texts: str | bytes, files: tuple[Path, ...] = ()) -> None:
    """No fake secret appears in any text or file (journal side files included)."""
    blobs: list[tuple[str, bytes]] = [
        ("output", t.encode() if isinstance(t, str) else t) for t in texts]
    for path in files:
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if candidate.exists():
                blobs.append((str(candidate), candidate.read_bytes()))
    for name, secret in SECRETS.items():
        for where, blob in blobs:
            assert secret.encode() not in blob, f"{name} leaked into {where}"


def fake_servers() -> Iterator[Any]:
    """The ``fake`` fixture (each test module registers it with
    ``pytest.fixture(name="fake")``): a factory of started fake servers (the default one
    has no faults), all stopped at teardown."""
    servers: list[FakeServer] = []

    def start(faults: Faults | None = None, **kwargs: Any) -> FakeServer:
        server = FakeServer(SECRETS, faults or Faults(seed=1), **kwargs)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def write_spec(folder: Path, message: Mapping[str, Any], provider: str | None = None, *,
               settings: Mapping[str, Any] | None = None,
               targets: Mapping[str, Any] | None = None,
               variables: Mapping[str, Any] | None = None, name: str = "spec.yaml") -> Path:
    data: dict[str, Any] = {
        "variables": dict(variables if variables is not None
                          else {"name": {"example": "Ann"}}),
        "message": dict(message),
        "targets": dict(targets if targets is not None else {provider: dict(settings or {})}),
    }
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def msgc(args: list[str], env: Mapping[str, str] | None = None, *,
         cwd: Path | None = None) -> Run:
    """Run ``msgc`` in-process (CliRunner), with the fake secrets in its environment."""
    full: dict[str, str | None] = {name: None for name in CLEARED}
    full.update(SEND_ENV if env is None else env)
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, env=full, catch_exceptions=False)
    finally:
        os.chdir(old)
    return Run(result.exit_code, result.stdout, result.stderr)


def subprocess_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(SEND_ENV)
    env.update(extra or {})
    return env


def msgc_command() -> list[str]:
    return [sys.executable, "-c", "from compiler.cli import main; main()"]


def run_subprocess(args: list[str], cwd: Path, timeout: float = 60) -> Run:
    done = subprocess.run([*msgc_command(), *args], cwd=cwd, env=subprocess_env(),
                          capture_output=True, text=True, timeout=timeout)
    return Run(done.returncode, done.stdout, done.stderr)


def read_results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def phones(n: int, start: int = 0) -> list[str]:
    """``n`` distinct valid phone numbers."""
    return [f"7900{i:07d}" for i in range(start, start + n)]
